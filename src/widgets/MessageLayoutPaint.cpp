// MessageLayout: painting what sync() laid out (a placeholder's grey lines, the bubble, the
// thinking block or a result's bar, the blocks, tool-call cards, media tiles, notices and
// buttons). Layout and hit testing are in MessageLayout.cpp.
#include "MessageLayout.h"
#include "MessageStyle.h"
#include "media/ThumbnailCache.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

void MessageLayout::paintPlaceholder(QPainter *painter, const QRect &localClip, const MessageStyle &s) const
{
    // Grey bars where the lines will be: only those the clip meets, however tall the guess.
    painter->setFont(s.small);
    painter->setPen(s.muted);
    painter->drawText(m_header, Qt::AlignLeft | Qt::AlignVCenter, m_headerText);
    const int top = m_header.bottom() + 1 + s.gap / 2;
    const int bottom = m_height - s.rowSpacing;
    const int lineHeight = std::max(8, s.lineHeight);
    QColor bar = s.muted;
    bar.setAlphaF(0.18F);
    painter->setPen(Qt::NoPen);
    painter->setBrush(bar);
    const int firstLine = std::max(0, (localClip.top() - top) / lineHeight);
    for (int line = firstLine;; ++line) {
        const int y = top + line * lineHeight;
        if (y + lineHeight > bottom || y > localClip.bottom())
            break;
        // Lines of varying length, the same for a message each time it is painted.
        const int percent = 55 + static_cast<int>((m_messageId * 7 + line * 13) % 45);
        const int width = m_role == Role::User ? m_column.width() * 60 / 100 : m_column.width();
        const int left = m_role == Role::User ? m_column.right() - width : m_column.left();
        painter->drawRoundedRect(QRect(left, y + lineHeight / 4, width * percent / 100, lineHeight / 2), 3,
                                 3);
    }
}

void MessageLayout::paint(QPainter *painter, QPoint origin, const QRect &clip, const LayoutContext &context,
                          const RowState &row) const
{
    const MessageStyle &s = *context.style;
    painter->save();
    painter->translate(origin);
    const QRect localClip = clip.translated(-origin);
    painter->setRenderHint(QPainter::Antialiasing);
    if (m_placeholder) {
        paintPlaceholder(painter, localClip, s);
        painter->restore();
        return;
    }

    // Header.
    painter->setFont(s.small);
    painter->setPen(s.muted);
    painter->drawText(m_header, Qt::AlignLeft | Qt::AlignVCenter, m_headerText);
    if (!m_branchText.isEmpty()) {
        painter->setPen(s.muted);
        painter->drawText(m_branchLabel, Qt::AlignCenter, m_branchText);
    }
    const auto drawButton = [&](const Button &button) {
        const bool hovered = row.hoveredAction == button.action && button.enabled;
        painter->setPen(Qt::NoPen);
        painter->setBrush(hovered ? s.buttonHover : s.buttonBackground);
        painter->drawRoundedRect(button.rect, 4, 4);
        painter->setPen(button.enabled ? s.text : s.muted);
        painter->setFont(s.small);
        painter->drawText(button.rect, Qt::AlignCenter, button.label);
    };
    if (row.hovered) {
        for (const Button &button : m_headerButtons)
            drawButton(button);
    }

    // The find bar's matches in an area; the current one is marked when it is in this row.
    const auto findFor = [&](TextArea area, const BlockStack &stack) -> std::optional<FindMarks> {
        const FindContext *find = context.find;
        if (!find || find->term.isEmpty() || (area == TextArea::Reasoning && !find->includeThinking))
            return std::nullopt;
        FindMarks marks;
        marks.ranges = stack.findAll(find->term);
        if (marks.ranges.empty())
            return std::nullopt;
        if (find->messageId == m_messageId && find->area == area)
            marks.current = find->occurrence;
        return marks;
    };
    const auto selectionFor = [&](TextArea area) -> std::pair<StackPosition, StackPosition> {
        if (row.selectionArea != area)
            return {};
        return row.selectionStart < row.selectionEnd ? std::pair {row.selectionStart, row.selectionEnd}
                                                     : std::pair {row.selectionEnd, row.selectionStart};
    };

    if (m_role == Role::User) {
        paintMedia(painter, context);
        painter->setPen(Qt::NoPen);
        painter->setBrush(s.userBubble);
        painter->drawRoundedRect(m_bubble, s.radius, s.radius);
        const auto [from, to] = selectionFor(TextArea::Content);
        const std::optional<FindMarks> found = findFor(TextArea::Content, m_content);
        m_content.paint(painter, m_contentOrigin, localClip, s, from, to, -1, found ? &*found : nullptr);
    } else {
        if (!m_thinking.isNull()) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(m_role == Role::Tool ? s.codeBackground : s.thinkingBackground);
            painter->drawRoundedRect(m_thinking, s.radius, s.radius);
            painter->setBrush(m_role == Role::Tool ? s.border : s.thinkingAccent);
            painter->drawRoundedRect(
                QRect(m_thinking.left(), m_thinking.top() + 4, 3, m_thinking.height() - 8), 1.5, 1.5);
            painter->setFont(s.small);
            const bool result = m_role == Role::Tool;
            const MessageAction toggle = result ? MessageAction::ToggleResult : MessageAction::ToggleThinking;
            const QColor accent = result ? s.muted : s.thinkingAccent;
            painter->setPen(row.hoveredAction == toggle ? s.text : accent);
            const QString arrow = isFoldOpen() ? u"▾  "_s : u"▸  "_s;
            const QRect label = m_thinkingHeader.adjusted(kThinkingIndent, 0, -8, 0);
            painter->drawText(
                label, Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetrics(s.small).elidedText(arrow + m_thinkingText, Qt::ElideRight, label.width()));
            const auto [from, to] = selectionFor(TextArea::Reasoning);
            const std::optional<FindMarks> found = findFor(TextArea::Reasoning, m_reasoning);
            m_reasoning.paint(painter, m_reasoningOrigin, localClip, s, from, to, -1,
                              found ? &*found : nullptr);
        }
        const auto [from, to] = selectionFor(TextArea::Content);
        const std::optional<FindMarks> found = findFor(TextArea::Content, m_content);
        m_content.paint(painter, m_contentOrigin, localClip, s, from, to, row.hoveredCode,
                        found ? &*found : nullptr);

        for (const auto &[rect, text] : m_toolCalls) {
            painter->setPen(s.border);
            painter->setBrush(s.codeBackground);
            painter->drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
            painter->setFont(s.smallBold);
            painter->setPen(s.muted);
            const QString label = tr("Tool call");
            const int labelWidth = QFontMetrics(s.smallBold).horizontalAdvance(label) + 20;
            painter->drawText(rect.adjusted(10, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, label);
            painter->setFont(s.mono);
            painter->setPen(s.text);
            const QRect textRect = rect.adjusted(labelWidth, 0, -10, 0);
            painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
                              QFontMetrics(s.mono).elidedText(text, Qt::ElideRight, textRect.width()));
        }
        for (const Notice &notice : m_notices) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(notice.error ? s.errorBackground : s.warningBackground);
            painter->drawRoundedRect(notice.rect, s.radius, s.radius);
            const QRect inner =
                notice.rect.adjusted(kNoticePadding, kNoticePadding, -kNoticePadding, -kNoticePadding);
            painter->setFont(s.smallBold);
            painter->setPen(notice.error ? s.errorText : s.text);
            const int titleHeight = wrappedHeight(s.smallBold, inner.width(), notice.title);
            painter->drawText(QRect(inner.left(), inner.top(), inner.width(), titleHeight), Qt::TextWordWrap,
                              notice.title);
            if (!notice.detail.isEmpty()) {
                painter->setFont(s.small);
                painter->setPen(s.text);
                painter->drawText(QRect(inner.left(), inner.top() + titleHeight + 4, inner.width(), 100000),
                                  Qt::TextWordWrap, notice.detail);
            }
        }
        if (!m_meta.isNull()) {
            painter->setFont(s.small);
            painter->setPen(s.muted);
            painter->drawText(m_meta, Qt::AlignLeft | Qt::AlignVCenter, m_metaText);
        }
    }
    for (const Button &button : m_buttons)
        drawButton(button);
    painter->restore();
}

void MessageLayout::paintMedia(QPainter *painter, const LayoutContext &context) const
{
    const MessageStyle &s = *context.style;
    for (const MediaTile &tile : m_media) {
        const QImage image =
            context.thumbnails && !tile.media.isNull() ? context.thumbnails->thumbnail(tile.media) : QImage();
        QPainterPath clip;
        clip.addRoundedRect(tile.rect, s.radius, s.radius);
        painter->save();
        painter->setClipPath(clip);
        if (image.isNull()) {
            painter->fillRect(tile.rect, s.codeBackground);
            painter->setPen(s.muted);
            painter->setFont(s.small);
            const QString kind = tile.video ? tr("Video") : tr("Image");
            painter->drawText(tile.rect.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWrapAnywhere,
                              tile.label.isEmpty() ? kind : u"%1\n%2"_s.arg(kind, tile.label));
        } else {
            // Cropped to the square, as the strip shows it.
            const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
            const QSize box = tile.rect.size() * ratio;
            const QImage fitted = image.scaled(box, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
            const QRect source((fitted.width() - box.width()) / 2, (fitted.height() - box.height()) / 2,
                               box.width(), box.height());
            painter->drawImage(tile.rect, fitted, source);
        }
        painter->restore();
        if (tile.video) { // a play mark, and the length when known
            painter->save();
            painter->setRenderHint(QPainter::Antialiasing);
            painter->setPen(Qt::NoPen);
            painter->setBrush(QColor(0, 0, 0, 140));
            const QPointF c = QRectF(tile.rect).center();
            painter->drawEllipse(c, 16, 16);
            painter->setBrush(Qt::white);
            painter->drawPolygon(QPolygonF({c + QPointF(-5, -8), c + QPointF(-5, 8), c + QPointF(9, 0)}));
            if (tile.media.durationMs >= 0) {
                const qint64 seconds = (tile.media.durationMs + 500) / 1000;
                const QString length = u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0'));
                painter->setFont(s.small);
                const QRect badge(tile.rect.right() - 44, tile.rect.bottom() - 20, 40, 16);
                painter->setBrush(QColor(0, 0, 0, 160));
                painter->drawRoundedRect(badge, 4, 4);
                painter->setPen(Qt::white);
                painter->drawText(badge, Qt::AlignCenter, length);
            }
            painter->restore();
        }
    }
}

} // namespace moonpane
