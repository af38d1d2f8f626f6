// MarkdownBlocks splits a Markdown text that grows at its end (a streamed reply) into top-level
// blocks, so that finished blocks are parsed and laid out once and only the open tail block is
// rendered again as text arrives. Each update scans only what was appended.
//
// Blocks end at blank lines, around fenced code and at headings. A list (and whatever is
// indented under it) stays one block across blank lines: Qt renders every list from 1, so a
// split ordered list would renumber.
#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace moonpane {

class MarkdownBlocks final
{
public:
    struct Block
    {
        qsizetype start = 0;
        qsizetype end = 0; // exclusive; text.mid(start, end - start) is the block's source
        bool code = false; // a fenced code block
        QString language; // its info string's first word
    };

    // `text` must extend the text of the previous call (else call reset() first).
    void update(const QString &text);
    void reset();

    const QList<Block> &finished() const { return m_finished; }
    // The open block: from tailStart() to the end of the text.
    qsizetype tailStart() const;
    bool tailIsCode() const { return m_inFence; }
    QString tailLanguage() const { return m_inFence ? m_language : QString(); }
    // For a code tail: where its code starts (after the fence line).
    qsizetype tailCodeStart() const { return m_codeStart; }

    // Code of a finished code block (without its fences), and where it is in the text.
    static QString codeOf(const QString &text, const Block &block);
    static std::pair<qsizetype, qsizetype> codeRange(QStringView text, const Block &block);

private:
    void processLine(const QString &text, qsizetype start, qsizetype end);
    void finish(qsizetype start, qsizetype end, bool code = false);

    QList<Block> m_finished;
    qsizetype m_scanned = 0; // complete lines before this were processed
    qsizetype m_searched = 0; // no line end between m_scanned and here: a long line is not searched again
    qsizetype m_blockStart = -1; // the open block, or -1 between blocks
    qsizetype m_blankAt = -1; // a blank line inside a list: split here unless the list goes on
    bool m_inList = false;
    bool m_inFence = false;
    QChar m_fenceChar;
    int m_fenceLength = 0;
    QString m_language;
    qsizetype m_codeStart = -1;
};

} // namespace moonpane
