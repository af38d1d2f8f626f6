// JsonHighlighter: colours JSON as it is typed (keys, strings, numbers, true/false/null) in the
// editors where JSON is written by hand: a tool call's arguments, tool definitions, a request to
// resend. Line by line, as QSyntaxHighlighter works; colours from the palette's lightness, so
// they read in light and dark alike. Not for bodies of megabytes (the first pass is on the UI
// thread): attach() leaves those plain.
#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QPlainTextEdit;

namespace moonpane {

class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    static constexpr qsizetype kMaxChars = 256 * 1024;

    explicit JsonHighlighter(QTextDocument *document, bool dark);
    // Highlights `edit` unless its text is over kMaxChars; the highlighter belongs to its document.
    static JsonHighlighter *attach(QPlainTextEdit *edit);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
};

} // namespace moonpane
