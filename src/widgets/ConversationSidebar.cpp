#include "ConversationSidebar.h"

#include "conversation/ConversationListModel.h"

#include <QAction>
#include <QBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPushButton>

namespace moonpane {

ConversationSidebar::ConversationSidebar(ConversationListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_list(new QListView(this))
    , m_undoBar(new QWidget(this))
    , m_undoLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("sidebar"));
    auto *newChat = new QPushButton(tr("New chat"), this);
    newChat->setObjectName(QStringLiteral("newChatButton"));
    newChat->setToolTip(tr("New chat (Ctrl+N)"));
    m_list->setModel(model);
    m_list->setObjectName(QStringLiteral("conversationList"));
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setUniformItemSizes(true);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *undo = new QPushButton(tr("Undo"), m_undoBar);
    undo->setObjectName(QStringLiteral("undoButton"));
    m_undoLabel->setWordWrap(true);
    auto *undoLayout = new QHBoxLayout(m_undoBar);
    undoLayout->setContentsMargins(6, 4, 6, 4);
    undoLayout->addWidget(m_undoLabel, 1);
    undoLayout->addWidget(undo);
    m_undoBar->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 0, 8);
    layout->addWidget(newChat);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_undoBar);

    m_undoTimer.setSingleShot(true);
    m_undoTimer.setInterval(kUndoSeconds * 1000);
    connect(&m_undoTimer, &QTimer::timeout, this, [this] {
        m_undoBar->setVisible(false);
        emit undoExpired();
    });
    connect(undo, &QPushButton::clicked, this, [this] {
        m_undoTimer.stop();
        m_undoBar->setVisible(false);
        emit undoRequested();
    });
    connect(newChat, &QPushButton::clicked, this, &ConversationSidebar::newRequested);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &index) {
                if (index.isValid())
                    emit selected(m_model->idAt(index.row()));
            });
    connect(m_list, &QListView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_list->indexAt(pos);
        if (!index.isValid())
            return;
        const qint64 id = m_model->idAt(index.row());
        QMenu menu(this);
        menu.addAction(tr("Rename"), this, [this, id] { rename(id); });
        menu.addAction(tr("Delete"), this, [this, id] { emit deleteRequested(id); });
        menu.exec(m_list->viewport()->mapToGlobal(pos));
    });
    auto *deleteAction = new QAction(tr("Delete"), m_list);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteAction, &QAction::triggered, this, [this] {
        if (const qint64 id = current())
            emit deleteRequested(id);
    });
    m_list->addAction(deleteAction);
}

void ConversationSidebar::setCurrent(qint64 id)
{
    const int row = m_model->rowOf(id);
    const QSignalBlocker blocker(m_list->selectionModel());
    if (row >= 0)
        m_list->setCurrentIndex(m_model->index(row));
    else
        m_list->clearSelection();
}

qint64 ConversationSidebar::current() const
{
    const QModelIndex index = m_list->currentIndex();
    return index.isValid() ? m_model->idAt(index.row()) : 0;
}

void ConversationSidebar::rename(qint64 id)
{
    const int row = m_model->rowOf(id);
    if (row >= 0)
        m_list->edit(m_model->index(row));
}

void ConversationSidebar::showUndo(const QString &title)
{
    m_undoLabel->setText(tr("Deleted “%1”.").arg(title));
    m_undoBar->setVisible(true);
    m_undoTimer.start();
}

void ConversationSidebar::hideUndo()
{
    m_undoTimer.stop();
    m_undoBar->setVisible(false);
}

bool ConversationSidebar::isUndoVisible() const
{
    return !m_undoBar->isHidden();
}

} // namespace moonpane
