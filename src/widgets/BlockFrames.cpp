#include "BlockFrames.h"

#include "MessageStyle.h"

#include <QCoreApplication>
#include <QPainter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane::BlockFrames {

int codeHeaderHeight(const MessageStyle &style)
{
    return style.smallLineHeight + 8;
}

int footerHeight(const MessageStyle &style)
{
    return style.smallLineHeight + 14;
}

QString showAllLabel()
{
    return QCoreApplication::translate("moonpane::BlockStack", "Show all");
}

QString copyLabel()
{
    return QCoreApplication::translate("moonpane::BlockStack", "Copy");
}

void styleDocument(QTextDocument *document, const MessageStyle &style)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!fragment.charFormat().fontFixedPitch())
                continue;
            QTextCursor cursor(document);
            cursor.setPosition(fragment.position());
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            QTextCharFormat format;
            format.setBackground(style.codeBackground);
            format.setFont(style.mono, QTextCharFormat::FontPropertiesSpecifiedOnly);
            cursor.mergeCharFormat(format);
        }
    }
    for (QTextFrame *frame : document->rootFrame()->childFrames()) {
        if (auto *table = qobject_cast<QTextTable *>(frame)) {
            QTextTableFormat format = table->format();
            format.setCellPadding(5);
            format.setCellSpacing(0);
            format.setBorder(1);
            format.setBorderBrush(style.border);
            format.setBorderCollapse(false); // collapsed borders lose the outer left and top lines in Qt 6.4
            table->setFormat(format);
        }
    }
}

void paintCodePanel(QPainter *painter, const QRect &area, bool first, bool last, const QString &language,
                    const QRect &button, bool hovered, const MessageStyle &style)
{
    painter->save();
    painter->setClipRect(area, Qt::IntersectClip);
    const QRect panel = area.adjusted(0, first ? 0 : -20, 0, last ? 0 : 20);
    painter->setPen(style.border);
    painter->setBrush(style.codeBackground);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->drawRoundedRect(QRectF(panel).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    painter->restore();
    if (!first)
        return;
    const int header = codeHeaderHeight(style);
    painter->setPen(style.border);
    painter->drawLine(area.left() + 1, area.top() + header, area.right() - 1, area.top() + header);
    painter->setFont(style.small);
    painter->setPen(style.muted);
    painter->drawText(QRect(area.left() + kCodePadding, area.top(), area.width() / 2, header),
                      Qt::AlignVCenter | Qt::AlignLeft, language.isEmpty() ? u"code"_s : language);
    painter->setPen(Qt::NoPen);
    painter->setBrush(hovered ? style.buttonHover : style.buttonBackground);
    painter->drawRoundedRect(button, 4, 4);
    painter->setPen(style.text);
    painter->drawText(button, Qt::AlignCenter, copyLabel());
}

void paintShowAllBar(QPainter *painter, const QRect &bar, const QRect &button, const QString &note,
                     bool hovered, const MessageStyle &style)
{
    painter->setPen(style.border);
    painter->setBrush(style.codeBackground);
    painter->drawRoundedRect(QRectF(bar).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    painter->setFont(style.small);
    painter->setPen(style.muted);
    const QRect noteRect(bar.left() + 10, bar.top(), bar.width() - button.width() - 34, bar.height());
    painter->drawText(noteRect, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap, note);
    painter->setPen(Qt::NoPen);
    painter->setBrush(hovered ? style.buttonHover : style.buttonBackground);
    painter->drawRoundedRect(button, 4, 4);
    painter->setPen(style.text);
    painter->drawText(button, Qt::AlignCenter, showAllLabel());
}

void paintPlaceholder(QPainter *painter, const QRect &area, int left, const QRect &clip,
                      const MessageStyle &style)
{
    painter->save();
    painter->setPen(Qt::NoPen);
    QColor faint = style.muted;
    faint.setAlphaF(0.15f);
    painter->setBrush(faint);
    const int step = style.lineHeight + 4;
    const int top = area.top();
    const int from = std::max(top, clip.top() - step);
    const int to = std::min(area.bottom() + 1, clip.bottom() + step);
    for (int y = top + ((from - top) / step) * step; y + style.lineHeight / 2 < to; y += step) {
        const int width = area.width() * (70 + (y / step) % 3 * 10) / 100;
        painter->drawRoundedRect(QRect(left, y + 4, width, style.lineHeight / 2), 3, 3);
    }
    painter->restore();
}

} // namespace moonpane::BlockFrames
