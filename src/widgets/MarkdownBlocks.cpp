#include "MarkdownBlocks.h"

#include <algorithm>

namespace moonpane {

namespace {

int indentOf(QStringView line)
{
    int n = 0;
    while (n < line.size() && line[n] == u' ')
        ++n;
    return n;
}

bool isBlank(QStringView line)
{
    for (QChar c : line) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

// A fence line: up to 3 spaces, then 3+ backticks or tildes. Sets the character and length.
bool isFence(QStringView line, QChar *fenceChar, int *length)
{
    const int indent = indentOf(line);
    if (indent > 3 || indent >= line.size())
        return false;
    const QChar c = line[indent];
    if (c != u'`' && c != u'~')
        return false;
    int n = 0;
    while (indent + n < line.size() && line[indent + n] == c)
        ++n;
    if (n < 3)
        return false;
    if (c == u'`' && line.mid(indent + n).contains(u'`'))
        return false; // backticks in a backtick fence's info string: inline code, not a fence
    *fenceChar = c;
    *length = n;
    return true;
}

bool isHeading(QStringView line)
{
    const int indent = indentOf(line);
    if (indent > 3)
        return false;
    int n = 0;
    while (indent + n < line.size() && line[indent + n] == u'#')
        ++n;
    return n >= 1 && n <= 6
        && (indent + n == line.size() || line[indent + n] == u' ' || line[indent + n] == u'\t');
}

bool isListItem(QStringView line)
{
    const int indent = indentOf(line);
    if (indent > 3 || indent >= line.size())
        return false;
    const QStringView rest = line.mid(indent);
    if ((rest[0] == u'-' || rest[0] == u'*' || rest[0] == u'+') && (rest.size() == 1 || rest[1] == u' '))
        return true;
    int digits = 0;
    while (digits < rest.size() && digits < 9 && rest[digits].isDigit())
        ++digits;
    return digits > 0 && digits < rest.size() && (rest[digits] == u'.' || rest[digits] == u')')
        && (digits + 1 == rest.size() || rest[digits + 1] == u' ');
}

} // namespace

void MarkdownBlocks::reset()
{
    *this = MarkdownBlocks();
}

qsizetype MarkdownBlocks::tailStart() const
{
    if (m_blockStart >= 0)
        return m_blockStart;
    return m_scanned;
}

void MarkdownBlocks::finish(qsizetype start, qsizetype end, bool code)
{
    // Trailing blank lines are not part of the block.
    if (end > start || code)
        m_finished.append({start, end, code, code ? m_language : QString()});
}

void MarkdownBlocks::update(const QString &text)
{
    for (;;) {
        // Only what arrived since the last look: a line that grows without end (a hostile reply)
        // is not searched from its start again for every piece.
        const qsizetype newline = text.indexOf(u'\n', std::max(m_scanned, m_searched));
        if (newline < 0) {
            m_searched = text.size();
            return;
        }
        processLine(text, m_scanned, newline);
        m_scanned = newline + 1;
        m_searched = m_scanned;
    }
}

void MarkdownBlocks::processLine(const QString &text, qsizetype start, qsizetype end)
{
    const QStringView line = QStringView(text).mid(start, end - start);
    const qsizetype next = end + 1;

    if (m_inFence) {
        QChar c;
        int length = 0;
        if (isFence(line, &c, &length) && c == m_fenceChar && length >= m_fenceLength
            && isBlank(line.mid(indentOf(line) + length))) {
            finish(m_blockStart, next, true);
            m_inFence = false;
            m_blockStart = -1;
            m_language.clear();
        }
        return;
    }

    if (isBlank(line)) {
        if (m_blockStart < 0)
            return;
        if (m_inList) {
            if (m_blankAt < 0)
                m_blankAt = start; // decided by the next line that is not blank
            return;
        }
        finish(m_blockStart, start);
        m_blockStart = -1;
        return;
    }

    if (m_inList && m_blankAt >= 0) {
        // After a blank line, the list goes on with another item or indented content.
        if (isListItem(line) || indentOf(line) >= 2) {
            m_blankAt = -1;
            return;
        }
        finish(m_blockStart, m_blankAt);
        m_blockStart = -1;
        m_blankAt = -1;
        m_inList = false;
    }

    QChar fenceChar;
    int fenceLength = 0;
    if (isFence(line, &fenceChar, &fenceLength)) {
        if (m_blockStart >= 0 && !m_inList)
            finish(m_blockStart, start);
        if (m_blockStart < 0 || !m_inList) {
            m_inFence = true;
            m_fenceChar = fenceChar;
            m_fenceLength = fenceLength;
            m_language = line.mid(indentOf(line) + fenceLength).trimmed().toString().section(u' ', 0, 0);
            m_blockStart = start;
            m_codeStart = next;
        }
        return; // a fence inside a list item stays part of the list
    }

    if (isHeading(line) && !m_inList) {
        if (m_blockStart >= 0)
            finish(m_blockStart, start);
        finish(start, next);
        m_blockStart = -1;
        return;
    }

    if (m_blockStart < 0) {
        m_blockStart = start;
        m_inList = isListItem(line);
    }
}

std::pair<qsizetype, qsizetype> MarkdownBlocks::codeRange(QStringView text, const Block &block)
{
    QStringView source = text.mid(block.start, block.end - block.start);
    if (source.endsWith(u'\n'))
        source.chop(1); // the line end after the closing fence
    const qsizetype codeStart = source.indexOf(u'\n') + 1; // after the opening fence line
    const qsizetype closing = source.lastIndexOf(u'\n'); // the line end before the closing fence
    if (codeStart <= 0) // no line after the opening fence
        return {block.start + source.size(), block.start + source.size()};
    if (closing < codeStart) // nothing between the fences: empty, where the code would start
        return {block.start + codeStart, block.start + codeStart};
    return {block.start + codeStart, block.start + closing};
}

QString MarkdownBlocks::codeOf(const QString &text, const Block &block)
{
    const auto [from, to] = codeRange(text, block);
    return text.mid(from, to - from);
}

} // namespace moonpane
