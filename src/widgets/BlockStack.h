// BlockStack renders one growing text (a reply's Markdown, or its reasoning as plain text) as a
// vertical stack of blocks. Finished blocks are parsed and laid out once per width; only the
// open tail block is rendered again when text arrives (plain and code text just gets the new
// text appended). Fenced code blocks are drawn as monospace panels with a language label and a
// copy button.
//
// No text of any size or shape may hold up a frame, so the work is bounded twice over:
// - per block (BlockBounds): a Markdown block too large to lay out quickly is shown in part,
//   with what is left out and a "Show all" button, which shows all of it as plain text; plain
//   and code text is cut into slices, a long line into pieces, each its own document;
// - per sync: blocks are rendered until the budget's deadline, those in view first; the rest
//   keep an estimated height and are rendered by later syncs (hasPendingWork).
#pragma once

#include "BlockBounds.h"
#include "MarkdownBlocks.h"

#include <QDeadlineTimer>
#include <QRect>
#include <QSet>
#include <QString>
#include <QTextDocument>

#include <climits>
#include <memory>
#include <vector>

class QPainter;

namespace moonpane {

struct MessageStyle;

// A position in the stack: a block and a character position in its document.
struct StackPosition
{
    int block = -1;
    int position = 0;
    bool isValid() const { return block >= 0; }
    friend bool operator==(const StackPosition &, const StackPosition &) = default;
    friend bool operator<(const StackPosition &a, const StackPosition &b)
    {
        return a.block != b.block ? a.block < b.block : a.position < b.position;
    }
};

// Text found in a stack (the find bar): ranges within one block each, and which one is current.
struct FindMarks
{
    struct Range
    {
        StackPosition from;
        StackPosition to;
    };
    std::vector<Range> ranges;
    int current = -1;
};

// How much work a sync of a BlockStack may do, and what comes first.
struct StackBudget
{
    // Rendering stops here; what is left waits for the next sync.
    QDeadlineTimer deadline {QDeadlineTimer::Forever};
    // The part of the stack in view (stack coordinates): rendered first.
    int focusTop = 0;
    int focusBottom = INT_MAX;
    // The text may still grow (a reply streaming): its last block is rendered whatever the
    // deadline, and a large block at its end is shown whole as it arrives.
    bool growing = false;
    // Large blocks to show whole (their keys, see BlockStack::Hit::showAllKey).
    const QSet<qsizetype> *expanded = nullptr;
};

class BlockStack final
{
public:
    // Markdown: a reply. Plain: thinking. Code: the whole text as one code block (a tool's
    // result), labelled with codeLabel().
    enum class Mode { Markdown, Plain, Code };

    // The bounds of one block (BlockBounds).
    static constexpr qsizetype kMaxMarkdownChars = BlockBounds::kMaxMarkdownChars;
    static constexpr qsizetype kMaxLineChars = BlockBounds::kMaxLineChars;
    static constexpr qsizetype kMaxParagraphChars = BlockBounds::kMaxParagraphChars;
    static constexpr qsizetype kSliceChars = BlockBounds::kSliceChars;

    struct Hit
    {
        StackPosition position; // where the text is (for selection)
        QString link; // an anchor under the point
        int copyCodeBlock = -1; // a code block's copy button under the point
        QString copyCode; // its code
        qsizetype showAllKey = -1; // a "Show all" button under the point: the block's key
    };

    explicit BlockStack(Mode mode);
    ~BlockStack();
    Mode mode() const { return m_mode; }
    // A different mode (or label) starts the stack over.
    void setMode(Mode mode, const QString &codeLabel = {});

    // Brings the stack up to `text`. When `appendOnly`, the caller promises the text only grew
    // since the last sync, and only the new part is looked at.
    void sync(const QString &text, bool appendOnly, const MessageStyle &style, int width,
              const StackBudget &budget = {});
    void clear();

    // Blocks not rendered yet (they show as placeholders with an estimated height).
    bool hasPendingWork() const { return m_pending > 0; }
    int height() const { return m_height; }
    // Where the last sync changed something (a block's top), or -1 if it changed nothing.
    int changedTop() const { return m_changedTop; }
    // How much the last sync moved what was at the budget's focusTop (blocks above it took
    // their real heights), so that a view can keep what the user looks at in place.
    int shiftAboveFocus() const { return m_shiftAbove; }
    int width() const { return m_width; }
    // The width the text needs, at most width() (for bubbles that hug short text).
    int idealWidth() const;
    bool isEmpty() const { return m_blocks.empty(); }
    int blockCount() const { return static_cast<int>(m_blocks.size()); }
    // How many blocks show only a part of their text (with "Show all").
    int elidedCount() const;
    // For tests: the first "Show all" button (stack coordinates), and the most characters in
    // one rendered document and in one of its paragraphs (what bounds the cost of a layout).
    QRect showAllButton() const;
    struct Extent
    {
        qsizetype document = 0;
        qsizetype paragraph = 0;
    };
    Extent largestRendered() const;

    // Paints at `origin`; only blocks meeting `clip` (in the painter's coordinates) are drawn.
    void paint(QPainter *painter, QPoint origin, const QRect &clip, const MessageStyle &style,
               StackPosition selectionStart = {}, StackPosition selectionEnd = {}, int hoveredButton = -1,
               const FindMarks *find = nullptr) const;
    // Every case-insensitive occurrence of `term` in the rendered text, in reading order.
    std::vector<FindMarks::Range> findAll(const QString &term) const;
    // The top of the line holding `position`, relative to the stack.
    int yOf(StackPosition position) const;
    Hit hitTest(QPoint local) const;
    // The rendered text between two positions (blocks joined by blank lines).
    QString text(StackPosition from, StackPosition to) const;
    QString plainText() const;
    StackPosition start() const { return {m_blocks.empty() ? -1 : 0, 0}; }
    StackPosition end() const;
    // The word or block around a position (double and triple click).
    std::pair<StackPosition, StackPosition> wordAt(StackPosition at) const;

private:
    enum class Kind {
        Markdown, // a Markdown block within the bounds
        Code, // a slice of a fenced code block
        Plain, // a slice of plain text (reasoning, or a large block shown whole)
        Elided, // a large Markdown block shown in part, with "Show all"
    };
    struct Block
    {
        Kind kind = Kind::Markdown;
        int source = 0; // index into m_sources
        qsizetype from = 0; // where its text starts in the whole text
        QString text; // what is rendered (Markdown source, code, plain text, or the preview)
        QString language; // code
        QString note; // elided: what is left out
        bool joined = false; // continues the previous block's line: no gap, no line break between
        bool first = true; // the first and last block of its source (code panels)
        bool last = true;
        bool mono = false; // plain slices of a large block shown whole
        std::unique_ptr<QTextDocument> document; // null while pending
        bool needsRender = true; // the text changed since the document was made (if there is one)
        bool stale = true; // to be rendered, or laid out at the current width
        int top = 0;
        int height = 0;
        int documentHeight = 0;
        int footer = 0; // elided: the height of the bar with the note and Show all
        QRect button; // Copy (a code block's first slice) or Show all (elided), relative to the block
        QPoint documentOffset; // where the document is drawn, relative to the block
    };
    enum class SourceKind { Markdown, Code, Plain, Large };
    struct Source
    {
        SourceKind kind = SourceKind::Markdown;
        qsizetype key = 0; // where the block starts in the text: stable while the text grows
        qsizetype from = 0; // the range rendered (code: the code without its fences)
        qsizetype to = 0;
        QString language;
        int firstBlock = 0;
        int blockCount = 0;
        bool whole = false; // a Large block shown whole, as plain text
    };

    // Creates or brings up to date the source for a splitter block; `open` for the tail.
    void updateSource(const QString &text, qsizetype key, qsizetype from, qsizetype to, bool code,
                      const QString &language, bool open, const StackBudget &budget);
    void addSource();
    void removeSourcesFrom(int index);
    void setBlocks(int sourceIndex, std::vector<Block> blocks, int keepFirst);
    std::vector<Block> sliceBlocks(const QString &text, qsizetype from, qsizetype to, bool joinedFirst,
                                   Kind kind, bool mono) const;
    Block largeBlock(const QString &text, const Source &source) const;
    void render(Block &block, const MessageStyle &style) const;
    void layoutBlock(Block &block, const MessageStyle &style) const;
    int estimate(const Block &block, const MessageStyle &style) const;
    void doWork(const MessageStyle &style, const StackBudget &budget);
    void restack();
    int blockAt(int y) const;
    int characterCount(const Block &block) const;
    void noteChange(int top);

    Mode m_mode;
    QString m_codeLabel;
    MarkdownBlocks m_splitter;
    std::vector<Source> m_sources; // the splitter's finished blocks, then the tail (if any)
    std::vector<Block> m_blocks;
    bool m_hasTail = false;
    qsizetype m_textLength = 0;
    QSet<qsizetype> m_expanded; // what the budget asked to show whole, as last applied
    QSet<qsizetype> m_grownWhole; // large blocks that streamed in whole: they stay so
    int m_width = 0;
    int m_height = 0;
    int m_spacing = 8;
    int m_changedTop = -1;
    int m_shiftAbove = 0;
    int m_pending = 0; // blocks with stale set
    const MessageStyle *m_style = nullptr; // during a sync
};

} // namespace moonpane
