#include "MessageStyle.h"

#include <QFontDatabase>

namespace moonpane {

namespace {
QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}
} // namespace

MessageStyle MessageStyle::fromPalette(const QPalette &palette, const QFont &font)
{
    MessageStyle s;
    s.palette = palette;
    const QColor base = palette.color(QPalette::Base);
    s.dark = base.lightnessF() < 0.5;
    s.body = font;
    s.small = font;
    s.small.setPointSizeF(font.pointSizeF() * 0.88);
    s.smallBold = s.small;
    s.smallBold.setWeight(QFont::DemiBold);
    s.heading = font;
    s.heading.setWeight(QFont::DemiBold);
    s.mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    s.mono.setPointSizeF(font.pointSizeF() * 0.95);

    s.text = palette.color(QPalette::Text);
    s.muted = mix(s.text, base, 0.45);
    s.accent = palette.color(QPalette::Highlight);
    s.link = palette.color(QPalette::Link);
    if (s.dark && s.link.lightnessF() < 0.5)
        s.link = QColor(0x7f, 0xb0, 0xff);
    s.thinkingAccent = s.dark ? QColor(0xb3, 0x9d, 0xdb) : QColor(0x7e, 0x57, 0xc2);
    s.thinkingBackground = mix(base, s.thinkingAccent, s.dark ? 0.10 : 0.06);
    s.codeBackground = mix(base, s.text, s.dark ? 0.08 : 0.05);
    s.border = mix(base, s.text, 0.18);
    s.userBubble = mix(base, s.accent, s.dark ? 0.22 : 0.12);
    s.errorText = s.dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x1c, 0x1c);
    s.errorBackground = mix(base, QColor(0xe5, 0x39, 0x35), s.dark ? 0.16 : 0.08);
    s.warningBackground = mix(base, QColor(0xf9, 0xa8, 0x25), s.dark ? 0.16 : 0.12);
    s.buttonBackground = mix(base, s.text, s.dark ? 0.12 : 0.07);
    s.buttonHover = mix(base, s.text, s.dark ? 0.22 : 0.14);
    s.selection = palette.color(QPalette::Highlight);
    s.selectionText = palette.color(QPalette::HighlightedText);
    // A marker pen's yellow for matches and orange for the current one, as browsers do; toned
    // down on dark backgrounds so the text on them stays readable.
    s.findMatch = s.dark ? QColor(0x6b, 0x5a, 0x12) : QColor(0xff, 0xe5, 0x6b);
    s.findCurrent = s.dark ? QColor(0xb0, 0x5a, 0x10) : QColor(0xff, 0x9e, 0x3d);

    const QFontMetrics metrics(s.body);
    s.lineHeight = metrics.lineSpacing();
    s.smallLineHeight = QFontMetrics(s.small).lineSpacing();
    s.averageCharWidth = std::max(4, metrics.averageCharWidth());
    s.padding = qMax(12, metrics.height());
    s.gap = qMax(6, metrics.height() / 2);
    s.rowSpacing = qMax(10, metrics.height());
    s.radius = qMax(6, metrics.height() / 2);
    s.maxBubbleWidth = metrics.averageCharWidth() * 112; // a readable line length on wide windows
    return s;
}

} // namespace moonpane
