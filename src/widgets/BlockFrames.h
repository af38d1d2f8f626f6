// How a BlockStack block is dressed: the styling Qt's Markdown import leaves out, the panel of a
// code block (its header with the language and Copy), the bar under a block shown in part
// (its note and Show all), and the faint lines that stand for a block not laid out yet.
#pragma once

#include <QRect>
#include <QString>

class QPainter;
class QTextDocument;

namespace moonpane {

struct MessageStyle;

namespace BlockFrames {

constexpr int kCodePadding = 10;

int codeHeaderHeight(const MessageStyle &style);
int footerHeight(const MessageStyle &style); // the Show all bar, before its note wraps
QString showAllLabel();
QString copyLabel(); // a code block's Copy button

// Gives inline code a background and tables some air.
void styleDocument(QTextDocument *document, const MessageStyle &style);

// The part of a code block's panel in `area`: one panel runs across the slices of a block, so
// only the first has the top and header (language, Copy at `button`) and only the last the end.
void paintCodePanel(QPainter *painter, const QRect &area, bool first, bool last, const QString &language,
                    const QRect &button, bool hovered, const MessageStyle &style);
void paintShowAllBar(QPainter *painter, const QRect &bar, const QRect &button, const QString &note,
                     bool hovered, const MessageStyle &style);
// Faint lines over the part of `area` within `clip`, starting at `left`.
void paintPlaceholder(QPainter *painter, const QRect &area, int left, const QRect &clip,
                      const MessageStyle &style);

} // namespace BlockFrames
} // namespace moonpane
