// Fonts, colours and metrics for painting messages, derived from the widget's palette and font
// so that light and dark themes and HiDPI follow the system.
#pragma once

#include <QColor>
#include <QFont>
#include <QFontMetrics>
#include <QPalette>

namespace moonpane {

struct MessageStyle
{
    QPalette palette;
    QFont body;
    QFont small;
    QFont smallBold;
    QFont mono;
    QFont heading;
    QColor text;
    QColor muted;
    QColor accent;
    QColor link;
    QColor thinkingAccent;
    QColor thinkingBackground;
    QColor codeBackground;
    QColor border;
    QColor userBubble;
    QColor errorText;
    QColor errorBackground;
    QColor warningBackground;
    QColor buttonBackground;
    QColor buttonHover;
    QColor selection;
    QColor selectionText;
    QColor findMatch; // every match of the find bar's text
    QColor findCurrent; // the match the find bar is on
    bool dark = false;
    int padding = 16; // left and right of every row
    int gap = 8; // between parts of a row
    int rowSpacing = 14; // between rows
    int radius = 8;
    int lineHeight = 16;
    int smallLineHeight = 14;
    int averageCharWidth = 7;
    int maxBubbleWidth = 720; // user bubbles and readable text stay this narrow on wide windows

    static MessageStyle fromPalette(const QPalette &palette, const QFont &font);
};

} // namespace moonpane
