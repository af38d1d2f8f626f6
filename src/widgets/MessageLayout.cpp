#include "MessageLayout.h"

#include "MessageStyle.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QString number(qint64 n)
{
    return QLocale().toString(n);
}

QString finishNotice(const QString &reason)
{
    if (reason == "length"_L1)
        return MessageLayout::tr("Stopped: length limit reached.");
    if (reason == "content_filter"_L1)
        return MessageLayout::tr("Stopped by the content filter.");
    return MessageLayout::tr("Stopped: %1.").arg(reason);
}

} // namespace

int MessageLayout::wrappedHeight(const QFont &font, int width, const QString &text)
{
    if (text.isEmpty())
        return 0;
    return QFontMetrics(font).boundingRect(QRect(0, 0, width, 100000), Qt::TextWordWrap, text).height();
}

QString MessageLayout::seconds(qint64 ms)
{
    if (ms < 100) // "0.0 s" would say it took no time at all
        return tr("under %1 s").arg(QLocale().toString(0.1, 'f', 1));
    const double s = static_cast<double>(ms) / 1000.0;
    return s < 10 ? QLocale().toString(s, 'f', 1) + u" s"_s : QLocale().toString(std::llround(s)) + u" s"_s;
}

MessageLayout::MessageLayout()
    : m_reasoning(BlockStack::Mode::Plain)
    , m_content(BlockStack::Mode::Markdown)
{
}

MessageLayout::~MessageLayout() = default;

int MessageLayout::matchY(TextArea area, const QString &term, int occurrence) const
{
    const BlockStack &stack = area == TextArea::Reasoning ? m_reasoning : m_content;
    const std::vector<FindMarks::Range> ranges = stack.findAll(term);
    if (ranges.empty())
        return -1;
    const size_t at =
        static_cast<size_t>(std::clamp<int>(occurrence, 0, static_cast<int>(ranges.size()) - 1));
    const QPoint origin = area == TextArea::Reasoning ? m_reasoningOrigin : m_contentOrigin;
    return origin.y() + stack.yOf(ranges[at].from);
}

bool MessageLayout::isLongResult(const Message &message)
{
    if (message.role != Role::Tool)
        return false;
    if (message.content.size() > kLongResultChars)
        return true;
    return message.content.count(u'\n') >= kLongResultLines; // at most kLongResultChars looked at
}

namespace {

// "12,345 characters: the first line…" (elided by the painter).
QString resultSummary(const Message &message)
{
    const QString &text = message.content;
    const qsizetype end = text.indexOf(u'\n');
    const QString first = text.left(std::min<qsizetype>(end < 0 ? text.size() : end, 300)).simplified();
    return MessageLayout::tr("%1 characters: %2").arg(QLocale().toString(text.size()), first);
}

} // namespace

QString MessageLayout::thinkingSummary(const Message &message, qint64 nowMs)
{
    if (message.state == MessageState::Streaming && message.content.isEmpty()
        && message.toolCalls.isEmpty()) {
        const qint64 elapsed =
            message.createdAt.isValid() ? nowMs - message.createdAt.toMSecsSinceEpoch() : 0;
        return tr("Thinking… %1 s").arg(std::max<qint64>(0, elapsed) / 1000); // changes once a second
    }
    QString text =
        message.thinkingMs >= 0 ? tr("Thought for %1").arg(seconds(message.thinkingMs)) : tr("Thought");
    if (message.usage && message.usage->reasoningTokens)
        text += tr(" · %1 tokens").arg(number(*message.usage->reasoningTokens));
    else if (!message.reasoning.isEmpty())
        text += tr(" · ≈%1 tokens").arg(number(std::max<qint64>(1, message.reasoning.size() / 4)));
    return text;
}

int MessageLayout::estimateHeight(const Message &message, const LayoutContext &context)
{
    const MessageStyle &s = *context.style;
    const int column = std::min(context.width - 2 * s.padding, s.maxBubbleWidth);
    const qsizetype perLine = std::max(16, column / s.averageCharWidth);
    const qsizetype length = message.textLoaded ? message.content.size() : message.textLength;
    if (message.role == Role::Tool && length > kLongResultChars) // folded behind its bar
        return s.smallLineHeight + 6 + s.gap / 2 + s.lineHeight + 10 + s.gap + s.rowSpacing;
    const qsizetype lines = length / perLine + 1 + length / 320; // wrapped lines and paragraph gaps
    int height = s.smallLineHeight + s.gap + static_cast<int>(lines) * s.lineHeight + s.rowSpacing;
    if (message.role == Role::User)
        height += 2 * kBubblePadding;
    if (message.role == Role::Assistant) {
        if (context.showThinking && (message.hasReasoning || !message.reasoning.isEmpty()))
            height += s.lineHeight + 10 + s.gap;
        height += s.smallLineHeight + s.gap;
    }
    return height;
}

void MessageLayout::sync(const Message &message, const LayoutContext &context, const RowState &row,
                         bool appendOnly)
{
    const MessageStyle &s = *context.style;
    if (message.id != m_messageId || context.width != m_width) {
        appendOnly = false;
        m_messageId = message.id;
    }
    // What the picture looked like, to tell what a growing reply changed.
    const QPoint oldContent = m_contentOrigin;
    const QPoint oldReasoning = m_reasoningOrigin;
    const int oldHeight = m_height;
    const QString oldThinking = m_thinkingText;
    const QString oldOther = otherSignature();

    m_role = message.role;
    m_width = context.width;
    const int column = std::max(120, std::min(context.width - 2 * s.padding, s.maxBubbleWidth));
    m_column = QRect((context.width - column) / 2, 0, column, 0);
    if (!message.textLoaded) {
        syncPlaceholder(message, context);
        return;
    }
    if (m_placeholder) {
        appendOnly = false; // the text arrived: everything is new
        m_placeholder = false;
    }

    // What each stack may do now, and what is in view in its coordinates (from where it was).
    const auto budget = [&](QPoint origin, const QSet<qsizetype> *expanded) {
        StackBudget b;
        b.deadline = context.deadline;
        b.focusTop = context.visibleTop - origin.y();
        b.focusBottom = context.visibleBottom == INT_MAX ? INT_MAX : context.visibleBottom - origin.y();
        b.growing = message.state == MessageState::Streaming;
        b.expanded = expanded;
        return b;
    };
    const StackBudget contentBudget = budget(m_contentOrigin, &row.expandedBlocks);
    if (message.role == Role::User) {
        const int bubbleMax = std::max(160, column * 85 / 100);
        const int innerMax = bubbleMax - 2 * kBubblePadding;
        m_content.sync(message.content, appendOnly, s, innerMax, contentBudget);
    } else if (message.role == Role::Tool) {
        // A tool's result: as it came, in one code block; a long one only when asked.
        m_content.setMode(BlockStack::Mode::Code, tr("result"));
        if (!m_reasoning.isEmpty())
            m_reasoning.clear();
        if (!isLongResult(message) || row.resultExpanded)
            m_content.sync(message.content, appendOnly, s, column, contentBudget);
        else if (!m_content.isEmpty())
            m_content.clear();
    } else {
        m_content.setMode(BlockStack::Mode::Markdown);
        const bool hasReasoning = message.hasReasoning || !message.reasoning.isEmpty();
        const bool expanded = row.thinkingToggled
            ? row.thinkingExpanded
            : (message.state == MessageState::Streaming && message.content.isEmpty()
               && message.toolCalls.isEmpty());
        if (context.showThinking && hasReasoning && expanded && !message.reasoning.isEmpty())
            m_reasoning.sync(message.reasoning, appendOnly && !m_reasoning.isEmpty(), s,
                             column - kThinkingIndent - 10, budget(m_reasoningOrigin, nullptr));
        else if (!m_reasoning.isEmpty())
            m_reasoning.clear(); // collapsed: no need to keep its layout
        m_content.sync(message.content, appendOnly, s, column, contentBudget);
    }
    arrange(message, context, row);

    // What was in view moved by what above it changed height.
    m_shiftAbove = 0;
    if (appendOnly) {
        if (context.visibleTop >= oldContent.y())
            m_shiftAbove = m_content.shiftAboveFocus() + (m_contentOrigin.y() - oldContent.y());
        else if (context.visibleTop >= oldReasoning.y())
            m_shiftAbove = m_reasoning.shiftAboveFocus();
    }

    const int bottom = std::max(m_height, oldHeight);
    if (!appendOnly || otherSignature() != oldOther) {
        m_changed = QRegion(0, 0, m_width, bottom);
        return;
    }
    // Only the text grew: the change runs from the first block that changed (or anything that
    // moved) down to the row's end. Everything above it is as it was.
    int top = bottom;
    if (m_reasoning.changedTop() >= 0)
        top = std::min(top, m_reasoningOrigin.y() + m_reasoning.changedTop());
    if (m_content.changedTop() >= 0)
        top = std::min(top, m_contentOrigin.y() + m_content.changedTop());
    if (m_contentOrigin != oldContent || m_reasoningOrigin != oldReasoning)
        top = std::min(
            {top, oldContent.y(), m_contentOrigin.y(), m_thinking.isNull() ? top : m_thinking.top()});
    m_changed = QRegion();
    if (top < bottom)
        m_changed += QRect(0, top - 2, m_width, bottom - top + 2);
    if (m_thinkingText != oldThinking)
        m_changed += m_thinkingHeader;
}

QString MessageLayout::otherSignature() const
{
    QString signature = m_headerText + m_metaText + m_branchText;
    for (const Notice &notice : m_notices)
        signature += notice.title;
    for (const Button &button : m_buttons)
        signature += button.label + QString::number(button.enabled);
    return signature;
}

int MessageLayout::addButtons(std::vector<Button> buttons, int x, int y, const MessageStyle &style,
                              bool alignRight, std::vector<Button> *into)
{
    const QFontMetrics metrics(style.small);
    const int height = style.smallLineHeight + 6;
    int total = 0;
    for (const Button &button : buttons)
        total += metrics.horizontalAdvance(button.label) + 16 + 4;
    int at = alignRight ? x - total : x;
    for (Button &button : buttons) {
        const int width = metrics.horizontalAdvance(button.label) + 16;
        button.rect = QRect(at, y, width, height);
        into->push_back(button);
        at += width + 4;
    }
    return height;
}

void MessageLayout::syncPlaceholder(const Message &message, const LayoutContext &context)
{
    const MessageStyle &s = *context.style;
    m_placeholder = true;
    m_content.clear();
    m_reasoning.clear();
    m_buttons.clear();
    m_headerButtons.clear();
    m_notices.clear();
    m_toolCalls.clear();
    m_ticking = false;
    m_bubble = m_thinking = m_thinkingHeader = m_meta = QRect();
    m_media.clear();
    m_metaText.clear();
    m_branchText.clear();
    m_headerText = message.role == Role::User ? tr("You")
        : message.role == Role::Tool          ? tr("Result of %1").arg(message.name)
                                              : tr("Kimi");
    m_header = QRect(m_column.left(), 0, m_column.width(), s.smallLineHeight + 6);
    // The height the view guessed already, so nothing moves until the text is here.
    m_height = estimateHeight(message, context);
    m_shiftAbove = 0;
    m_changed = QRegion(0, 0, m_width, m_height);
}

void MessageLayout::arrange(const Message &message, const LayoutContext &context, const RowState &row)
{
    const MessageStyle &s = *context.style;
    const QFontMetrics smallMetrics(s.small);
    const int column = m_column.width();
    const int left = m_column.left();
    m_buttons.clear();
    m_headerButtons.clear();
    m_notices.clear();
    m_toolCalls.clear();
    m_ticking = false;
    int y = 0;

    // Header: who and when, the branch switcher, and the hover actions at the right.
    const bool user = message.role == Role::User;
    const bool tool = message.role == Role::Tool;
    QString who = user ? tr("You") : tool ? tr("Result of %1").arg(message.name) : u"Kimi"_s;
    if (!user && !tool && !message.model.isEmpty() && message.model != "kimi-k2.6"_L1)
        who += u" · "_s + message.model;
    if (message.createdAt.isValid())
        who += u" · "_s + QLocale().toString(message.createdAt.toLocalTime().time(), QLocale::ShortFormat);
    m_headerText = who;
    const int headerHeight = s.smallLineHeight + 6;
    int bubbleWidth = 0;
    if (user) {
        bubbleWidth = std::min(column * 85 / 100, std::max(m_content.idealWidth(), 40) + 2 * kBubblePadding);
        bubbleWidth = std::max(bubbleWidth, std::min(column, smallMetrics.horizontalAdvance(who) + 8));
    }
    const int headerLeft = user ? left + column - bubbleWidth : left;
    m_header = QRect(headerLeft, y, column - (headerLeft - left), headerHeight);
    int cursor = headerLeft + smallMetrics.horizontalAdvance(who) + 12;
    m_branchText.clear();
    if (context.branchCount > 1) {
        const int arrow = smallMetrics.horizontalAdvance(u"‹"_s) + 12;
        m_branchText = u"%1 / %2"_s.arg(context.branchIndex + 1).arg(context.branchCount);
        m_buttons.push_back({MessageAction::BranchPrevious, QRect(cursor, y, arrow, headerHeight), u"‹"_s,
                             context.branchIndex > 0});
        cursor += arrow;
        const int labelWidth = smallMetrics.horizontalAdvance(m_branchText) + 8;
        m_branchLabel = QRect(cursor, y, labelWidth, headerHeight);
        cursor += labelWidth;
        m_buttons.push_back({MessageAction::BranchNext, QRect(cursor, y, arrow, headerHeight), u"›"_s,
                             context.branchIndex + 1 < context.branchCount});
    }
    {
        const MessageActions allowed = message.actions();
        std::vector<Button> actions = {{MessageAction::Copy, {}, tr("Copy")}};
        if (allowed.edit)
            actions.push_back({MessageAction::Edit, {}, tr("Edit")});
        else if (allowed.regenerate)
            actions.push_back({MessageAction::Regenerate, {}, tr("Regenerate")});
        if (allowed.remove)
            actions.push_back({MessageAction::Delete, {}, tr("Delete")});
        addButtons(std::move(actions), left + column, y, s, true, &m_headerButtons);
    }
    y += headerHeight + s.gap / 2;

    m_media.clear();
    if (user) {
        // Media tiles above the text, right-aligned, as many to a line as fit. Their size does not
        // depend on their pictures, which arrive later (ThumbnailCache) without a new layout.
        const int perLine = std::max(1, (column + kMediaGap) / (kMediaTile + kMediaGap));
        std::vector<int> media;
        for (int i = 0; i < message.parts.size(); ++i) {
            if (!message.parts.at(i).isText())
                media.push_back(i);
        }
        const int count = static_cast<int>(media.size());
        for (int k = 0; k < count; ++k) {
            const ContentPart &part = message.parts.at(media[static_cast<size_t>(k)]);
            const int line = k / perLine;
            const int inLine = std::min(perLine, count - line * perLine);
            const int lineWidth = inLine * kMediaTile + (inLine - 1) * kMediaGap;
            MediaTile tile;
            tile.part = media[static_cast<size_t>(k)];
            tile.media = part.media;
            tile.video = part.kind == ContentPart::Kind::Video;
            tile.label = part.isStoredFile() ? part.media.name : QString::fromLatin1(part.url.left(40));
            tile.rect = QRect(left + column - lineWidth + (k % perLine) * (kMediaTile + kMediaGap),
                              y + line * (kMediaTile + kMediaGap), kMediaTile, kMediaTile);
            m_media.push_back(tile);
        }
        if (count > 0)
            y += ((count - 1) / perLine + 1) * (kMediaTile + kMediaGap) - kMediaGap + s.gap;
        m_bubble =
            QRect(left + column - bubbleWidth, y, bubbleWidth, m_content.height() + 2 * kBubblePadding);
        m_contentOrigin = m_bubble.topLeft() + QPoint(kBubblePadding, kBubblePadding);
        y = m_bubble.bottom() + 1;
    } else {
        m_bubble = QRect();
        const bool hasReasoning = message.hasReasoning || !message.reasoning.isEmpty();
        if (context.showThinking && hasReasoning) {
            const int thinkingHeader = s.lineHeight + 10;
            m_thinkingText = thinkingSummary(message, context.nowMs);
            if (message.state == MessageState::Streaming && message.content.isEmpty())
                m_ticking = true;
            const bool expanded = !m_reasoning.isEmpty();
            const int height = thinkingHeader + (expanded ? m_reasoning.height() + 10 : 0);
            m_thinking = QRect(left, y, column, height);
            m_thinkingHeader = QRect(left, y, column, thinkingHeader);
            m_reasoningOrigin = QPoint(left + kThinkingIndent, y + thinkingHeader);
            y += height + s.gap;
        } else if (tool && isLongResult(message)) {
            // The bar of a long result: what it holds, and a click shows or folds it.
            m_thinkingText = resultSummary(message);
            m_thinking = m_thinkingHeader = QRect(left, y, column, s.lineHeight + 10);
            y += m_thinking.height() + (m_content.isEmpty() ? s.gap : s.gap / 2);
        } else {
            m_thinking = QRect();
            m_thinkingHeader = QRect();
        }
        m_contentOrigin = QPoint(left, y);
        if (!m_content.isEmpty())
            y += m_content.height() + s.gap;
        for (const ToolCall &call : message.toolCalls) {
            const QRect rect(left, y, column, s.lineHeight + 12);
            m_toolCalls.emplace_back(rect, u"%1(%2)"_s.arg(call.name, call.arguments.simplified()));
            y += rect.height() + 4;
        }
        if (!message.toolCalls.isEmpty())
            y += s.gap - 4;

        // Notices: anything but a plain, complete stop.
        std::vector<Button> buttons;
        Notice notice;
        const bool canContinue = message.canContinue();
        switch (message.state) {
        case MessageState::Streaming:
            break;
        case MessageState::Complete:
            if (!message.finishReason.isEmpty() && message.finishReason != "stop"_L1
                && message.finishReason != "tool_calls"_L1) {
                notice.title = finishNotice(message.finishReason);
                if (message.finishReason == "length"_L1 && canContinue)
                    buttons.push_back({MessageAction::Continue, {}, tr("Continue")});
            }
            break;
        case MessageState::Incomplete:
            if (message.error.kind == ApiError::Kind::Cancelled) {
                notice.title = tr("Stopped. The part that arrived is kept.");
            } else if (!message.error.isError()) {
                // No error recorded: the process saving it ended (quit, crash, kill) mid-reply.
                notice.title = tr("Incomplete: the reply was cut off before it finished.");
                notice.detail = tr("Moonpane stopped while it arrived; the part that came was saved.");
                if (canContinue)
                    notice.detail += tr(" Continue asks the model to go on from there.");
            } else {
                notice.title = tr("Incomplete: ") + message.error.summary();
                notice.detail = message.error.advice();
            }
            if (canContinue)
                buttons.push_back({MessageAction::Continue, {}, tr("Continue")});
            buttons.push_back({MessageAction::Retry, {}, tr("Retry")});
            break;
        case MessageState::Failed: {
            notice.error = true;
            notice.title = message.error.summary();
            notice.detail = message.error.advice();
            QString label = tr("Retry");
            bool enabled = true;
            if (message.error.retryAfterSeconds && row.failedAtMs >= 0) {
                const qint64 remaining =
                    *message.error.retryAfterSeconds * 1000 - (context.nowMs - row.failedAtMs);
                if (remaining > 0) {
                    label = tr("Retry in %1 s").arg((remaining + 999) / 1000);
                    enabled = false;
                    m_ticking = true;
                }
            }
            buttons.push_back(
                {MessageAction::Retry, {}, label, enabled}); // not clickable while counting down
            break;
        }
        }
        if (!notice.title.isEmpty()) {
            const int inner = column - 2 * kNoticePadding;
            const int titleHeight = wrappedHeight(s.smallBold, inner, notice.title);
            const int detailHeight = wrappedHeight(s.small, inner, notice.detail);
            int height =
                kNoticePadding + titleHeight + (detailHeight ? 4 + detailHeight : 0) + kNoticePadding;
            const int buttonsTop = y + height - kNoticePadding + 6;
            if (!buttons.empty())
                height +=
                    addButtons(std::move(buttons), left + kNoticePadding, buttonsTop, s, false, &m_buttons)
                    + 6;
            notice.rect = QRect(left, y, column, height);
            m_notices.push_back(notice);
            y += height + s.gap;
        }

        // Figures of a finished reply.
        m_metaText.clear();
        if (message.state != MessageState::Streaming && message.state != MessageState::Failed) {
            QStringList parts;
            if (message.usage)
                parts.append(tr("%1 tokens").arg(number(message.usage->completionTokens)));
            if (const std::optional<double> rate = message.tokensPerSecond())
                parts.append(tr("%1 tok/s").arg(QLocale().toString(*rate, 'f', 0)));
            if (message.firstTokenMs >= 0)
                parts.append((message.generationMs >= 0 ? tr("first token %1") : tr("reply in %1"))
                                 .arg(seconds(message.firstTokenMs))); // unstreamed: all came at once
            m_metaText = parts.join(u" · "_s);
        }
        if (!m_metaText.isEmpty()) {
            m_meta = QRect(left, y, column, s.smallLineHeight);
            y += s.smallLineHeight;
        } else {
            m_meta = QRect();
        }
    }
    m_height = y + s.rowSpacing;
}

MessageHit MessageLayout::hitTest(QPoint local, const RowState &row) const
{
    MessageHit hit;
    for (const Button &button : m_buttons) {
        if (button.rect.contains(local)) {
            hit.action = button.enabled ? button.action : MessageAction::None;
            return hit;
        }
    }
    if (row.hovered) {
        for (const Button &button : m_headerButtons) {
            if (button.rect.contains(local)) {
                hit.action = button.action;
                return hit;
            }
        }
    }
    if (!m_thinkingHeader.isNull() && m_thinkingHeader.contains(local)) {
        hit.action = m_role == Role::Tool ? MessageAction::ToggleResult : MessageAction::ToggleThinking;
        return hit;
    }
    for (size_t i = 0; i < m_toolCalls.size(); ++i) {
        if (m_toolCalls.at(i).first.contains(local)) {
            hit.action = MessageAction::InspectToolCall;
            hit.toolCall = int(i);
            return hit;
        }
    }
    for (const MediaTile &tile : m_media) {
        if (tile.rect.contains(local) && !tile.media.isNull()) {
            hit.action = MessageAction::OpenMedia;
            hit.media = tile.part;
            return hit;
        }
    }
    const auto inStack = [&](const BlockStack &stack, QPoint origin) {
        const QRect area(origin, QSize(stack.width(), stack.height()));
        return !stack.isEmpty() && area.adjusted(0, -4, 0, 4).contains(local);
    };
    if (!m_reasoning.isEmpty() && inStack(m_reasoning, m_reasoningOrigin)) {
        const BlockStack::Hit inner = m_reasoning.hitTest(local - m_reasoningOrigin);
        hit.area = TextArea::Reasoning;
        hit.position = inner.position;
        return hit;
    }
    if (inStack(m_content, m_contentOrigin)) {
        const BlockStack::Hit inner = m_content.hitTest(local - m_contentOrigin);
        if (inner.showAllKey >= 0) {
            hit.action = MessageAction::ShowAll;
            hit.blockKey = inner.showAllKey;
            hit.codeBlock = inner.copyCodeBlock;
            return hit;
        }
        if (inner.copyCodeBlock >= 0) {
            hit.action = MessageAction::CopyCode;
            hit.code = inner.copyCode;
            hit.codeBlock = inner.copyCodeBlock;
            return hit;
        }
        hit.area = TextArea::Content;
        hit.position = inner.position;
        if (!inner.link.isEmpty()) {
            hit.action = MessageAction::OpenLink;
            hit.link = inner.link;
        }
    }
    return hit;
}

const MessageLayout::Button *MessageLayout::button(MessageAction action) const
{
    for (const std::vector<Button> *list : {&m_buttons, &m_headerButtons}) {
        for (const Button &candidate : *list) {
            if (candidate.action == action)
                return &candidate;
        }
    }
    return nullptr;
}

QRect MessageLayout::buttonRect(MessageAction action) const
{
    const Button *found = button(action);
    return found ? found->rect : QRect();
}

QString MessageLayout::buttonLabel(MessageAction action) const
{
    const Button *found = button(action);
    return found ? found->label : QString();
}

QString MessageLayout::selectedText(const RowState &row) const
{
    if (row.selectionArea == TextArea::None)
        return {};
    const BlockStack &source = stack(row.selectionArea);
    return row.selectionStart < row.selectionEnd ? source.text(row.selectionStart, row.selectionEnd)
                                                 : source.text(row.selectionEnd, row.selectionStart);
}

} // namespace moonpane
