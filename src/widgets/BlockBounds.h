// What keeps one block of a reply cheap for Qt to lay out. Qt's Markdown import and table
// layout cost grows faster than the text in a paragraph, a line and a table, so a Markdown
// block beyond these bounds is shown in part (a preview), and plain and code text is laid out
// in slices, a line longer than kMaxLineChars in pieces. Measured costs behind the numbers are
// in docs/PERFORMANCE.md ("Hostile replies").
#pragma once

#include <QString>
#include <QStringView>

#include <vector>

namespace moonpane::BlockBounds {

constexpr qsizetype kMaxMarkdownChars = 12'000;
constexpr qsizetype kMaxLineChars = 2'000;
constexpr qsizetype kMaxParagraphChars = 4'000; // lines Markdown joins into one paragraph
constexpr qsizetype kMaxTableCells = 200;
constexpr int kMaxTableColumns = 40; // a wide table costs more per cell
constexpr qsizetype kSliceChars = 4'096; // plain and code text per document

// What makes a Markdown block costly to lay out, found in one pass.
struct Shape
{
    qsizetype longestLine = 0;
    qsizetype longestParagraph = 0; // counted generously: what Markdown may join into one
    qsizetype lines = 0;
    qsizetype pipes = 0;
    qsizetype tableLines = 0; // lines with a '|' once a delimiter row was seen
    int columns = 0; // of the table's header
    bool table = false;

    qsizetype cells() const { return table ? std::max<qsizetype>(0, pipes - tableLines) : 0; }
};
Shape shapeOf(QStringView text);
bool beyondBounds(QStringView markdown);

// A piece of plain text to lay out on its own: [from, to) of the text, without the line end
// that follows it. `joined`: it continues the line of the slice before it (a long line cut).
struct Slice
{
    qsizetype from = 0;
    qsizetype to = 0;
    bool joined = false;
};
// Greedy from `from`: lines gather into a slice while it stays within kSliceChars; a line
// longer than kMaxLineChars is cut into pieces, each a slice joined to the one before. Starting
// again from any slice's start gives the same slices from there on, which is what lets a
// growing text be sliced again from its last slice only.
std::vector<Slice> slices(QStringView text, qsizetype from, qsizetype to, bool joinedFirst);

// What a block beyond the bounds shows of itself: a table's first rows as a table when they
// fit the bounds, otherwise its first lines as text, each cut to `charsPerLine` (tables) or a
// few lines' worth; and a note that says what was left out.
struct Preview
{
    QString text;
    bool markdown = false; // a table preview; else plain text
    QString note;
};
Preview preview(QStringView markdown, qsizetype charsPerLine);

// Where to cut a line near `at`: never between the two halves of a surrogate pair.
qsizetype cutAt(QStringView text, qsizetype at);

} // namespace moonpane::BlockBounds
