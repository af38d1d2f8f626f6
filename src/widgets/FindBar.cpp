#include "FindBar.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace moonpane {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
    , m_field(new QLineEdit(this))
    , m_result(new QLabel(this))
    , m_previous(new QToolButton(this))
    , m_next(new QToolButton(this))
    , m_thinking(new QCheckBox(tr("Thinking"), this))
{
    setObjectName(u"findBar"_s);
    m_field->setObjectName(u"findField"_s);
    m_field->setPlaceholderText(tr("Find in this conversation"));
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_result->setObjectName(u"findResult"_s);
    m_result->setMinimumWidth(m_result->fontMetrics().horizontalAdvance(u"888 of 888"_s));
    m_result->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_previous->setObjectName(u"findPrevious"_s);
    m_previous->setArrowType(Qt::UpArrow);
    m_previous->setToolTip(tr("Previous match (Shift+Enter)"));
    m_previous->setAutoRaise(true);
    m_next->setObjectName(u"findNext"_s);
    m_next->setArrowType(Qt::DownArrow);
    m_next->setToolTip(tr("Next match (Enter)"));
    m_next->setAutoRaise(true);
    m_thinking->setObjectName(u"findInThinking"_s);
    m_thinking->setToolTip(tr("Look in the model's thinking too"));
    auto *close = new QToolButton(this);
    close->setObjectName(u"findClose"_s);
    close->setText(u"✕"_s);
    close->setToolTip(tr("Close (Escape)"));
    close->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 4, 8, 4);
    layout->setSpacing(4);
    layout->addWidget(m_field, 1);
    layout->addWidget(m_result);
    layout->addWidget(m_previous);
    layout->addWidget(m_next);
    layout->addSpacing(6);
    layout->addWidget(m_thinking);
    layout->addWidget(close);

    connect(m_field, &QLineEdit::textChanged, this, &FindBar::changed);
    connect(m_thinking, &QCheckBox::toggled, this, &FindBar::changed);
    connect(m_next, &QToolButton::clicked, this, &FindBar::next);
    connect(m_previous, &QToolButton::clicked, this, &FindBar::previous);
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        emit closed();
    });
    setResult(-1, 0);
    hide();
}

QString FindBar::term() const
{
    return m_field->text();
}

bool FindBar::includeThinking() const
{
    return m_thinking->isChecked();
}

void FindBar::setIncludeThinking(bool include)
{
    m_thinking->setChecked(include);
}

void FindBar::activate(const QString &term)
{
    show();
    if (!term.isEmpty())
        m_field->setText(term);
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

void FindBar::setResult(int current, int total, bool complete)
{
    const bool nothing = complete && total == 0 && !m_field->text().isEmpty();
    QString text;
    if (m_field->text().isEmpty())
        text = QString();
    else if (!complete)
        text = total == 0 ? tr("Searching…")
            : current < 0 ? (total == 1 ? tr("1 match so far…") : tr("%1 matches so far…").arg(total))
                          : tr("%1 of %2 so far…").arg(current + 1).arg(total);
    else
        text = total == 0 ? tr("No matches") : tr("%1 of %2").arg(current + 1).arg(total);
    m_result->setText(text);
    // A field that finds nothing says so in its colour, as browsers do.
    QPalette palette = m_field->palette();
    palette.setColor(QPalette::Base,
                     nothing ? QColor(0xf4, 0x43, 0x36, 60) : this->palette().color(QPalette::Base));
    m_field->setPalette(palette);
    m_previous->setEnabled(total > 1);
    m_next->setEnabled(total > 1);
}

QString FindBar::resultText() const
{
    return m_result->text();
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    // Escape belongs to the bar while it has focus (the window's Escape stops a reply).
    if (watched == m_field && event->type() == QEvent::ShortcutOverride
        && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape) {
        event->accept();
        return true;
    }
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            if (key->modifiers() & Qt::ShiftModifier)
                emit previous();
            else
                emit next();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            hide();
            emit closed();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace moonpane
