// ConversationView's input: selection, copying, links, the mouse, the context menu and keys.
// The rows, their layout passes, scrolling and painting are in ConversationView.cpp.
#include "ConversationView.h"
#include "conversation/ConversationModel.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QMenu>
#include <QScrollBar>

using namespace Qt::StringLiterals;

namespace moonpane {

void ConversationView::clearSelection()
{
    if (m_selectionRow >= 0 && m_selectionRow < static_cast<int>(m_rows.size())) {
        RowState &state = m_rows[static_cast<size_t>(m_selectionRow)].state;
        state.selectionArea = TextArea::None;
        state.selectionStart = state.selectionEnd = {};
    }
    m_selectionRow = -1;
    viewport()->update();
}

QString ConversationView::selectedText() const
{
    if (m_selectionRow < 0 || m_selectionRow >= static_cast<int>(m_rows.size()))
        return {};
    const Row &row = m_rows[static_cast<size_t>(m_selectionRow)];
    return row.layout ? row.layout->selectedText(row.state) : QString();
}

void ConversationView::copyText(const QString &text, const QString &what) const
{
    QGuiApplication::clipboard()->setText(text);
    emit const_cast<ConversationView *>(this)->copied(what);
}

void ConversationView::copySelection() const
{
    const QString text = selectedText();
    if (!text.isEmpty())
        copyText(text, tr("selection"));
}

bool ConversationView::isOpenableLink(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == "http"_L1 || scheme == "https"_L1 || scheme == "mailto"_L1);
}

QUrl ConversationView::openableForm(const QUrl &url)
{
    if (url.scheme().compare("mailto"_L1, Qt::CaseInsensitive) != 0)
        return url;
    QUrl address = url;
    address.setQuery(QString());
    address.setFragment(QString());
    return address;
}

void ConversationView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_pressRow = -1;
    m_pressHit = {};
    if (event->button() != Qt::LeftButton || !m_conversation || m_rows.empty()) {
        QAbstractItemView::mousePressEvent(event);
        return;
    }
    const int row = rowAtY(scrollY() + event->position().toPoint().y());
    if (row < 0 || !m_rows[static_cast<size_t>(row)].layout)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    const MessageHit hit = r.layout->hitTest(event->position().toPoint() - rowRect(row).topLeft(), r.state);
    m_pressRow = row;
    m_pressHit = hit;
    m_pressPos = event->position().toPoint();
    if (hit.action == MessageAction::None && hit.area != TextArea::None && hit.position.isValid()) {
        if (!(event->modifiers() & Qt::ShiftModifier) || m_selectionRow != row
            || r.state.selectionArea != hit.area) {
            clearSelection();
            r.state.selectionArea = hit.area;
            r.state.selectionStart = hit.position;
        }
        r.state.selectionEnd = hit.position;
        m_selectionRow = row;
        m_selecting = true;
    } else if (hit.action == MessageAction::None) {
        clearSelection();
    }
    viewport()->update();
}

void ConversationView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_conversation || m_rows.empty())
        return;
    const QPoint pos = event->position().toPoint();
    if (m_selecting && m_selectionRow >= 0) {
        Row &r = m_rows[static_cast<size_t>(m_selectionRow)];
        if (r.layout) {
            const QPoint local = pos - rowRect(m_selectionRow).topLeft();
            const BlockStack &stack = r.layout->stack(r.state.selectionArea);
            const MessageHit hit = r.layout->hitTest(local, r.state);
            if (hit.area == r.state.selectionArea && hit.position.isValid())
                r.state.selectionEnd = hit.position;
            else if (local.y() < 0)
                r.state.selectionEnd = stack.start();
            else if (local.y() > r.layout->height())
                r.state.selectionEnd = stack.end();
            viewport()->update();
        }
        return;
    }
    const int row = rowAtY(scrollY() + pos.y());
    if (row != m_hoveredRow) {
        if (m_hoveredRow >= 0 && m_hoveredRow < static_cast<int>(m_rows.size())) {
            RowState &old = m_rows[static_cast<size_t>(m_hoveredRow)].state;
            old.hovered = false;
            old.hoveredAction = MessageAction::None;
            old.hoveredCode = -1;
            viewport()->update(rowRect(m_hoveredRow));
        }
        m_hoveredRow = row;
    }
    if (row < 0 || !m_rows[static_cast<size_t>(row)].layout)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    r.state.hovered = true;
    const MessageHit hit = r.layout->hitTest(pos - rowRect(row).topLeft(), r.state);
    if (hit.action != r.state.hoveredAction || hit.codeBlock != r.state.hoveredCode) {
        r.state.hoveredAction = hit.action;
        r.state.hoveredCode = hit.codeBlock;
    }
    if (hit.action != MessageAction::None)
        viewport()->setCursor(Qt::PointingHandCursor);
    else if (hit.area != TextArea::None)
        viewport()->setCursor(Qt::IBeamCursor);
    else
        viewport()->unsetCursor();
    viewport()->update(rowRect(row));
}

void ConversationView::mouseReleaseEvent(QMouseEvent *event)
{
    m_selecting = false;
    if (event->button() != Qt::LeftButton || m_pressRow < 0 || m_pressRow >= static_cast<int>(m_rows.size()))
        return;
    const int row = m_pressRow;
    m_pressRow = -1;
    Row &r = m_rows[static_cast<size_t>(row)];
    if (!r.layout)
        return;
    const bool dragged =
        (event->position().toPoint() - m_pressPos).manhattanLength() > QApplication::startDragDistance();
    const MessageHit hit = r.layout->hitTest(event->position().toPoint() - rowRect(row).topLeft(), r.state);
    // A click activates what it was pressed and released on; a drag only selects.
    if (!dragged && hit.action != MessageAction::None && hit.action == m_pressHit.action
        && hit.link == m_pressHit.link && hit.codeBlock == m_pressHit.codeBlock)
        activate(hit, row);
    if (!dragged && r.state.selectionArea != TextArea::None && r.state.selectionStart == r.state.selectionEnd)
        clearSelection();
}

void ConversationView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int row = rowAtY(scrollY() + event->position().toPoint().y());
    if (row < 0 || !m_rows[static_cast<size_t>(row)].layout)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    const MessageHit hit = r.layout->hitTest(event->position().toPoint() - rowRect(row).topLeft(), r.state);
    if (hit.action != MessageAction::None || hit.area == TextArea::None)
        return;
    clearSelection();
    const auto [from, to] = r.layout->stack(hit.area).wordAt(hit.position);
    r.state.selectionArea = hit.area;
    r.state.selectionStart = from;
    r.state.selectionEnd = to;
    m_selectionRow = row;
    viewport()->update();
}

void ConversationView::leaveEvent(QEvent *event)
{
    QAbstractItemView::leaveEvent(event);
    if (m_hoveredRow >= 0 && m_hoveredRow < static_cast<int>(m_rows.size())) {
        RowState &state = m_rows[static_cast<size_t>(m_hoveredRow)].state;
        state.hovered = false;
        state.hoveredAction = MessageAction::None;
        state.hoveredCode = -1;
        viewport()->update(rowRect(m_hoveredRow));
    }
    m_hoveredRow = -1;
}

void ConversationView::activate(const MessageHit &hit, int row)
{
    const Message *message = m_conversation->messageAt(row);
    if (!message)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    switch (hit.action) {
    case MessageAction::None:
        return;
    case MessageAction::ToggleResult:
        r.state.resultExpanded = !(r.layout && r.layout->isFoldOpen());
        if (m_selectionRow == row && r.state.selectionArea == TextArea::Content)
            clearSelection();
        markDirty(row, false);
        return;
    case MessageAction::ToggleThinking: {
        const bool expanded = r.layout && r.layout->isFoldOpen();
        r.state.thinkingToggled = true;
        r.state.thinkingExpanded = !expanded;
        if (m_selectionRow == row && r.state.selectionArea == TextArea::Reasoning)
            clearSelection();
        markDirty(row, false);
        return;
    }
    case MessageAction::Copy:
        copyText(message->content, message->role == Role::User ? tr("message") : tr("reply"));
        return;
    case MessageAction::CopyCode:
        copyText(hit.code, tr("code"));
        return;
    case MessageAction::ShowAll:
        r.state.expandedBlocks.insert(hit.blockKey);
        m_pinned = false; // the block opens where it is, its start in view, rather than at its end
        markDirty(row, true); // only that block changes
        return;
    case MessageAction::OpenLink: {
        const QUrl url(hit.link);
        if (isOpenableLink(url))
            emit linkActivated(openableForm(url));
        else
            emit linkRefused(url);
        return;
    }
    case MessageAction::OpenMedia:
        if (hit.media >= 0 && hit.media < message->parts.size())
            emit mediaActivated(message->parts.at(hit.media).media);
        return;
    case MessageAction::InspectToolCall:
        emit toolCallActivated(message->id, hit.toolCall);
        return;
    case MessageAction::Edit:
    case MessageAction::Regenerate:
    case MessageAction::Delete:
    case MessageAction::Retry:
    case MessageAction::Continue:
    case MessageAction::BranchPrevious:
    case MessageAction::BranchNext:
        emit actionRequested(hit.action, message->id);
        return;
    }
}

void ConversationView::contextMenuEvent(QContextMenuEvent *event)
{
    const int row = rowAtY(scrollY() + event->pos().y());
    const Message *message = m_conversation ? m_conversation->messageAt(row) : nullptr;
    if (!message || !message->textLoaded)
        return; // a placeholder: nothing to copy or act on until its text is here
    const qint64 id = message->id;
    QMenu menu(this);
    if (m_selectionRow == row && !selectedText().isEmpty())
        menu.addAction(tr("Copy Selection"), QKeySequence::Copy, this, [this] { copySelection(); });
    menu.addAction(tr("Copy as Markdown"), this, [this, row] {
        if (const Message *m = m_conversation->messageAt(row))
            copyText(m->content, tr("Markdown"));
    });
    menu.addAction(tr("Copy as Plain Text"), this, [this, row] {
        const Row &current = m_rows[static_cast<size_t>(row)];
        if (current.layout)
            copyText(current.layout->plainContent(), tr("plain text"));
    });
    if (!message->reasoning.isEmpty()) {
        menu.addAction(tr("Copy Thinking"), this, [this, row] {
            if (const Message *m = m_conversation->messageAt(row))
                copyText(m->reasoning, tr("thinking"));
        });
    }
    menu.addSeparator();
    const MessageActions allowed = message->actions();
    if (allowed.edit)
        menu.addAction(tr("Edit and Resend…"), this,
                       [this, id] { emit actionRequested(MessageAction::Edit, id); });
    if (allowed.regenerate)
        menu.addAction(tr("Regenerate"), this,
                       [this, id] { emit actionRequested(MessageAction::Regenerate, id); });
    if (allowed.continueReply)
        menu.addAction(tr("Continue"), this,
                       [this, id] { emit actionRequested(MessageAction::Continue, id); });
    if (allowed.remove) {
        menu.addSeparator();
        menu.addAction(tr("Delete"), this, [this, id] { emit actionRequested(MessageAction::Delete, id); });
    }
    menu.exec(event->globalPos());
}

void ConversationView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    if (event->matches(QKeySequence::SelectAll) && m_selectionRow >= 0) {
        Row &r = m_rows[static_cast<size_t>(m_selectionRow)];
        if (r.layout) {
            const BlockStack &stack = r.layout->stack(r.state.selectionArea);
            r.state.selectionStart = stack.start();
            r.state.selectionEnd = stack.end();
            viewport()->update();
        }
        return;
    }
    QScrollBar *bar = verticalScrollBar();
    syncScrollBar();
    switch (event->key()) {
    case Qt::Key_PageUp:
        bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        return;
    case Qt::Key_PageDown:
        bar->triggerAction(QAbstractSlider::SliderPageStepAdd);
        return;
    case Qt::Key_Up:
        bar->triggerAction(QAbstractSlider::SliderSingleStepSub);
        return;
    case Qt::Key_Down:
        bar->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        return;
    case Qt::Key_Home:
        bar->triggerAction(QAbstractSlider::SliderToMinimum);
        return;
    case Qt::Key_End:
        bar->triggerAction(QAbstractSlider::SliderToMaximum);
        return;
    default:
        break;
    }
    QAbstractItemView::keyPressEvent(event);
}

} // namespace moonpane
