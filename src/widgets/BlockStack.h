// BlockStack renders one growing text (a reply's Markdown, or its reasoning as plain text) as a
// vertical stack of blocks. Finished blocks are parsed and laid out once per width; only the
// open tail block is rendered again when text arrives (a fenced code tail just gets the new
// text appended). Fenced code blocks are drawn as monospace panels with a language label and a
// copy button.
#pragma once

#include "MarkdownBlocks.h"

#include <QRect>
#include <QString>
#include <QTextDocument>

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

class BlockStack final
{
public:
    enum class Mode { Markdown, Plain };

    struct Hit
    {
        StackPosition position; // where the text is (for selection)
        QString link; // an anchor under the point
        int copyCodeBlock = -1; // a code block's copy button under the point
        QString copyCode; // its code
    };

    explicit BlockStack(Mode mode);
    ~BlockStack();

    // Brings the stack up to `text`. When `appendOnly`, the caller promises the text only grew
    // since the last sync, and only the new part is looked at.
    void sync(const QString &text, bool appendOnly, const MessageStyle &style, int width);
    void clear();

    int height() const { return m_height; }
    // Where the last sync changed something (a block's top), or -1 if it changed nothing.
    int changedTop() const { return m_changedTop; }
    int width() const { return m_width; }
    // The width the text needs, at most width() (for bubbles that hug short text).
    int idealWidth() const;
    bool isEmpty() const { return m_blocks.empty(); }
    int blockCount() const { return static_cast<int>(m_blocks.size()); }

    // Paints at `origin`; only blocks meeting `clip` (in the painter's coordinates) are drawn.
    void paint(QPainter *painter, QPoint origin, const QRect &clip, const MessageStyle &style,
               StackPosition selectionStart = {}, StackPosition selectionEnd = {}, int hoveredCopy = -1,
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
    struct Block
    {
        std::unique_ptr<QTextDocument> document;
        bool code = false;
        QString language;
        QString source; // what was rendered (Markdown source, or the code)
        int top = 0;
        int height = 0;
        QRect copyButton; // code blocks, relative to the block
        QPoint documentOffset; // where the document is drawn, relative to the block
    };

    void rebuild(const QString &text, const MessageStyle &style);
    void renderInto(Block &block, const QString &source, bool code, const QString &language,
                    const MessageStyle &style) const;
    void layoutBlock(Block &block, const MessageStyle &style) const;
    void restack();
    int codeHeaderHeight(const MessageStyle &style) const;
    int blockAt(int y) const;

    Mode m_mode;
    MarkdownBlocks m_splitter;
    std::vector<Block> m_blocks; // finished blocks, then the tail (if any)
    bool m_hasTail = false;
    qsizetype m_tailStart = -1;
    qsizetype m_textLength = 0;
    int m_width = 0;
    int m_height = 0;
    int m_spacing = 8;
    int m_changedTop = -1;
};

} // namespace moonpane
