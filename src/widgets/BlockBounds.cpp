#include "BlockBounds.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane::BlockBounds {

namespace {

// What a large block shows of itself.
constexpr int kPreviewLines = 12;
constexpr qsizetype kPreviewLineChars = 400; // a table row that still lays out as one
constexpr int kPreviewTableRows = 20;

QString tr(const char *text)
{
    return QCoreApplication::translate("moonpane::BlockStack", text);
}

// A GitHub table's delimiter row: only '|', ':', '-' and spaces, with a '|' and a '-'.
bool isDelimiterRow(QStringView line)
{
    bool pipe = false;
    bool dash = false;
    for (QChar c : line) {
        if (c == u'|')
            pipe = true;
        else if (c == u'-')
            dash = true;
        else if (c != u':' && c != u' ' && c != u'\t')
            return false;
    }
    return pipe && dash;
}

// Whether a line starts a list item (after any indent), and whether it is a bullet or "1."
// (which may interrupt a paragraph; another number only goes on a list already there).
enum class ItemStart { None, Interrupting, InList };
ItemStart listItemStart(QStringView line)
{
    qsizetype i = 0;
    while (i < line.size() && line.at(i) == u' ')
        ++i;
    const QStringView rest = line.mid(i);
    if (rest.size() >= 2 && (rest[0] == u'-' || rest[0] == u'*' || rest[0] == u'+') && rest[1] == u' ')
        return ItemStart::Interrupting;
    qsizetype digits = 0;
    while (digits < rest.size() && digits < 9 && rest[digits].isDigit())
        ++digits;
    if (digits == 0 || digits + 1 >= rest.size() || (rest[digits] != u'.' && rest[digits] != u')')
        || rest[digits + 1] != u' ')
        return ItemStart::None;
    return rest.left(digits) == u"1" ? ItemStart::Interrupting : ItemStart::InList;
}

QString sizeText(qsizetype chars)
{
    const QLocale locale;
    if (chars < 1'000'000)
        return tr("%1 KB").arg(
            locale.toString(static_cast<double>(chars) / 1000.0, 'f', chars < 10'000 ? 1 : 0));
    return tr("%1 MB").arg(locale.toString(static_cast<double>(chars) / 1e6, 'f', 1));
}

// The first `count` lines of `text`, each cut to `maxChars`; says whether any was cut.
QStringList firstLines(QStringView text, int count, qsizetype maxChars, bool *cut)
{
    QStringList lines;
    qsizetype start = 0;
    while (start < text.size() && lines.size() < count) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        const QStringView line = text.mid(start, end - start);
        if (line.size() > maxChars) {
            lines.append(line.left(cutAt(line, maxChars - 1)).toString() + u'…');
            *cut = true;
        } else {
            lines.append(line.toString());
        }
        start = end + 1;
    }
    return lines;
}

} // namespace

qsizetype cutAt(QStringView text, qsizetype at)
{
    return at > 0 && at < text.size() && text.at(at - 1).isHighSurrogate() ? at - 1 : at;
}

Shape shapeOf(QStringView text)
{
    Shape shape;
    qsizetype start = 0;
    qsizetype previousPipes = 0;
    qsizetype paragraph = 0;
    bool inList = false; // the paragraph being counted is a list item's
    while (start <= text.size()) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        const QStringView line = text.mid(start, end - start);
        shape.longestLine = std::max(shape.longestLine, line.size());
        ++shape.lines;
        const qsizetype pipes = line.count(u'|');
        // What Markdown may join into one paragraph, counted generously: everything between
        // blank lines but where a list item surely starts (a table that is not one after all,
        // or a "2." after a paragraph, goes on the paragraph).
        const ItemStart item = listItemStart(line);
        if (line.trimmed().isEmpty()) {
            paragraph = 0;
            inList = false;
        } else if (item == ItemStart::Interrupting || (item == ItemStart::InList && inList)) {
            paragraph = line.size();
            inList = true;
        } else {
            paragraph += line.size() + 1;
        }
        shape.longestParagraph = std::max(shape.longestParagraph, paragraph);
        if (!shape.table && isDelimiterRow(line)) {
            shape.table = true;
            shape.columns = static_cast<int>(std::max<qsizetype>(1, previousPipes - 1));
            shape.pipes = previousPipes; // the header row counts
            shape.tableLines = previousPipes ? 1 : 0;
        } else if (shape.table && pipes > 0) {
            shape.pipes += pipes;
            ++shape.tableLines;
        }
        previousPipes = pipes;
        if (end == text.size())
            break;
        start = end + 1;
    }
    return shape;
}

bool beyondBounds(QStringView markdown)
{
    if (markdown.size() > kMaxMarkdownChars)
        return true;
    const Shape shape = shapeOf(markdown);
    return shape.longestLine > kMaxLineChars || shape.longestParagraph > kMaxParagraphChars
        || shape.cells() > kMaxTableCells || shape.columns > kMaxTableColumns;
}

std::vector<Slice> slices(QStringView text, qsizetype from, qsizetype to, bool joinedFirst)
{
    std::vector<Slice> out;
    Slice open {-1, -1, false}; // the slice gathering lines, while from >= 0
    bool nextJoined = joinedFirst;
    const auto flush = [&] {
        if (open.from >= 0)
            out.push_back(open);
        open.from = -1;
    };
    qsizetype pos = from;
    while (pos < to) {
        qsizetype lineEnd = text.indexOf(u'\n', pos);
        if (lineEnd < 0 || lineEnd > to)
            lineEnd = to;
        if (lineEnd - pos > kMaxLineChars) {
            flush();
            qsizetype piece = pos;
            while (lineEnd - piece > kMaxLineChars) {
                const qsizetype cut = cutAt(text, piece + kMaxLineChars);
                out.push_back({piece, cut, nextJoined});
                nextJoined = true;
                piece = cut;
            }
            open = {piece, lineEnd, true}; // the rest of the line gathers what follows
            nextJoined = false;
        } else if (open.from >= 0 && lineEnd - open.from > kSliceChars) {
            flush();
            open = {pos, lineEnd, false};
        } else {
            if (open.from < 0) {
                open = {pos, lineEnd, nextJoined};
                nextJoined = false;
            }
            open.to = lineEnd;
        }
        pos = lineEnd + 1;
    }
    flush();
    return out;
}

Preview preview(QStringView markdown, qsizetype charsPerLine)
{
    const Shape shape = shapeOf(markdown);
    Preview preview;
    QStringList lines;
    if (shape.table && shape.columns > 0) {
        const int rows =
            static_cast<int>(std::min<qsizetype>(kPreviewTableRows, kMaxTableCells / shape.columns - 1));
        bool cut = false;
        if (rows >= 1)
            lines = firstLines(markdown, rows + 2, kPreviewLineChars, &cut);
        preview.markdown = rows >= 1 && !cut && lines.size() >= 3;
    }
    if (!preview.markdown) {
        // A table's rows one to a line, so that they stay rows; other text a few lines' worth.
        bool cut = false;
        lines = firstLines(markdown, kPreviewLines, shape.table ? charsPerLine : 4 * charsPerLine, &cut);
    }
    preview.text = lines.join(u'\n');
    const QString size = sizeText(markdown.size());
    const QLocale locale;
    if (shape.table) {
        const qsizetype rows = std::max<qsizetype>(0, shape.tableLines - 1);
        preview.note = tr("A table of %1 rows and %2 columns (%3), too large to lay out here: ")
                           .arg(locale.toString(rows), locale.toString(shape.columns), size)
            + (preview.markdown ? tr("the first %1 rows are shown.").arg(lines.size() - 2)
                                : tr("its first lines are shown as text."));
    } else if (shape.longestLine > kMaxLineChars) {
        preview.note = tr("A line of %1 characters (%2): its start is shown.")
                           .arg(locale.toString(shape.longestLine), size);
    } else {
        preview.note =
            tr("%1 of Markdown in one block, too large to lay out here: the first lines are shown.")
                .arg(size);
    }
    return preview;
}

} // namespace moonpane::BlockBounds
