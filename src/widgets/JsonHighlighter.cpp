#include "JsonHighlighter.h"

#include <QPlainTextEdit>

namespace moonpane {

JsonHighlighter::JsonHighlighter(QTextDocument *document, bool dark)
    : QSyntaxHighlighter(document)
{
    m_key.setForeground(dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x1a, 0x4f, 0xa0));
    m_string.setForeground(dark ? QColor(0x9c, 0xd6, 0x8c) : QColor(0x22, 0x78, 0x2a));
    m_number.setForeground(dark ? QColor(0xf2, 0xb0, 0x6b) : QColor(0xa3, 0x4a, 0x00));
    m_literal.setForeground(dark ? QColor(0xd8, 0x9c, 0xf0) : QColor(0x80, 0x2a, 0x9c));
    m_literal.setFontWeight(QFont::DemiBold);
}

JsonHighlighter *JsonHighlighter::attach(QPlainTextEdit *edit)
{
    if (edit->document()->characterCount() > kMaxChars)
        return nullptr;
    const bool dark = edit->palette().color(QPalette::Base).value() < 128;
    return new JsonHighlighter(edit->document(), dark);
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    // A string may go on over lines only in broken JSON: each line starts outside one.
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        if (c == u'"') {
            qsizetype end = i + 1;
            while (end < n && text.at(end) != u'"')
                end += text.at(end) == u'\\' ? 2 : 1;
            end = std::min(end + 1, n);
            // A key is a string followed by a colon.
            qsizetype after = end;
            while (after < n && text.at(after).isSpace())
                ++after;
            setFormat(int(i), int(end - i), after < n && text.at(after) == u':' ? m_key : m_string);
            i = end;
        } else if (c == u'-' || c.isDigit()) {
            qsizetype end = i + 1;
            while (end < n && (text.at(end).isDigit() || QStringView(u".eE+-").contains(text.at(end))))
                ++end;
            setFormat(int(i), int(end - i), m_number);
            i = end;
        } else if (c.isLetter()) {
            qsizetype end = i + 1;
            while (end < n && text.at(end).isLetter())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(int(i), int(end - i), m_literal);
            i = end;
        } else {
            ++i;
        }
    }
}

} // namespace moonpane
