#include "BlockStack.h"

#include "BlockBounds.h"
#include "BlockFrames.h"
#include "MessageStyle.h"
#include "RenderDocument.h"

#include <QAbstractTextDocumentLayout>
#include <QPainter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace moonpane {

using BlockFrames::codeHeaderHeight;
using BlockFrames::footerHeight;
using BlockFrames::kCodePadding;

BlockStack::BlockStack(Mode mode)
    : m_mode(mode)
{
}

BlockStack::~BlockStack() = default;

void BlockStack::setMode(Mode mode, const QString &codeLabel)
{
    if (mode == m_mode && codeLabel == m_codeLabel)
        return;
    m_mode = mode;
    m_codeLabel = codeLabel;
    clear();
}

void BlockStack::clear()
{
    m_changedTop = 0;
    m_blocks.clear();
    m_sources.clear();
    m_splitter.reset();
    m_hasTail = false;
    m_textLength = 0;
    m_height = 0;
    m_pending = 0;
    m_expanded.clear();
    m_grownWhole.clear();
}

void BlockStack::noteChange(int top)
{
    m_changedTop = m_changedTop < 0 ? top : std::min(m_changedTop, top);
}

// --- structure -------------------------------------------------------------------------------

std::vector<BlockStack::Block> BlockStack::sliceBlocks(const QString &text, qsizetype from, qsizetype to,
                                                       bool joinedFirst, Kind kind, bool mono) const
{
    std::vector<Block> out;
    for (const BlockBounds::Slice &slice : BlockBounds::slices(text, from, to, joinedFirst)) {
        Block block;
        block.kind = kind;
        block.from = slice.from;
        block.text = text.mid(slice.from, slice.to - slice.from);
        block.joined = slice.joined;
        block.mono = mono;
        out.push_back(std::move(block));
    }
    return out;
}

BlockStack::Block BlockStack::largeBlock(const QString &text, const Source &source) const
{
    const int charWidth = std::max(1, QFontMetrics(m_style->mono).horizontalAdvance(u'0'));
    BlockBounds::Preview preview = BlockBounds::preview(
        QStringView(text).mid(source.from, source.to - source.from), std::max(20, m_width / charWidth - 1));
    Block block;
    block.kind = Kind::Elided;
    block.from = source.from;
    block.mono = !preview.markdown;
    block.text = std::move(preview.text);
    block.note = std::move(preview.note);
    return block;
}

void BlockStack::setBlocks(int sourceIndex, std::vector<Block> blocks, int keepFirst)
{
    Source &source = m_sources[static_cast<size_t>(sourceIndex)];
    const auto begin = m_blocks.begin() + source.firstBlock + keepFirst;
    const auto end = m_blocks.begin() + source.firstBlock + source.blockCount;
    // The old block at the seam may live on in the first new one: same start, its text a
    // prefix of the new text. The new text is appended to its document, no parse again.
    if (begin != end && !blocks.empty()) {
        Block &old = *begin;
        Block &next = blocks.front();
        if (old.document && old.kind == next.kind && old.from == next.from && old.mono == next.mono
            && old.joined == next.joined && next.text.startsWith(old.text)) {
            if (next.text.size() > old.text.size()) {
                QTextCursor cursor(old.document.get());
                cursor.movePosition(QTextCursor::End);
                cursor.insertText(QStringView(next.text).mid(old.text.size()).toString());
                next.stale = true;
            } else {
                next.stale = old.stale;
            }
            next.needsRender = false;
            next.document = std::move(old.document);
            next.top = old.top;
            next.height = old.height;
            next.documentHeight = old.documentHeight;
        }
    }
    const int oldCount = static_cast<int>(end - begin);
    const int seam = begin != end ? begin->top
        : source.firstBlock + keepFirst < static_cast<int>(m_blocks.size())
        ? m_blocks[static_cast<size_t>(source.firstBlock + keepFirst)].top
        : m_height;
    noteChange(seam);
    const int count = static_cast<int>(blocks.size());
    for (Block &block : blocks) {
        block.source = sourceIndex;
        if (!block.document) {
            block.top = seam; // where it goes, until the stack is put together again
            block.height = estimate(block, *m_style); // until it is rendered
        }
    }
    const auto at = m_blocks.erase(begin, end);
    m_blocks.insert(at, std::make_move_iterator(blocks.begin()), std::make_move_iterator(blocks.end()));
    source.blockCount = keepFirst + count;
    if (count != oldCount) {
        for (size_t i = static_cast<size_t>(sourceIndex) + 1; i < m_sources.size(); ++i)
            m_sources[i].firstBlock += count - oldCount;
    }
    for (int i = 0; i < source.blockCount; ++i) {
        Block &block = m_blocks[static_cast<size_t>(source.firstBlock + i)];
        const bool first = i == 0;
        const bool last = i == source.blockCount - 1;
        if (block.first != first || block.last != last) {
            block.first = first;
            block.last = last;
            block.stale = true; // its frame (a code panel's header or end) changes
        }
        block.language = source.language;
    }
}

void BlockStack::addSource()
{
    Source source;
    source.firstBlock = static_cast<int>(m_blocks.size());
    m_sources.push_back(source);
}

void BlockStack::removeSourcesFrom(int index)
{
    if (index >= static_cast<int>(m_sources.size()))
        return;
    const int firstBlock = m_sources[static_cast<size_t>(index)].firstBlock;
    if (firstBlock < static_cast<int>(m_blocks.size()))
        noteChange(m_blocks[static_cast<size_t>(firstBlock)].top);
    m_blocks.erase(m_blocks.begin() + firstBlock, m_blocks.end());
    m_sources.erase(m_sources.begin() + index, m_sources.end());
}

void BlockStack::updateSource(const QString &text, qsizetype key, qsizetype from, qsizetype to, bool code,
                              const QString &language, bool open, const StackBudget &budget)
{
    const int index = static_cast<int>(m_sources.size()) - 1;
    Source &source = m_sources.back();
    source.key = key;
    source.from = from;
    source.to = to;
    source.language = language;

    // Plain and code text, and large blocks shown whole: sliced again from the last slice.
    const auto slice = [&](Kind kind, bool mono) {
        int keep = 0;
        qsizetype restart = from;
        bool joined = false;
        if (source.blockCount > 0) {
            const Block &first = m_blocks[static_cast<size_t>(source.firstBlock)];
            if (first.kind == kind && first.mono == mono) {
                // From the last slice that starts before the end: a block that finished can be
                // shorter than it was as the tail (the blank lines after it are not its own).
                keep = source.blockCount - 1;
                while (keep > 0 && m_blocks[static_cast<size_t>(source.firstBlock + keep)].from >= to)
                    --keep;
                const Block &last = m_blocks[static_cast<size_t>(source.firstBlock + keep)];
                restart = last.from;
                joined = last.joined;
            }
        }
        std::vector<Block> blocks = sliceBlocks(text, restart, to, joined, kind, mono);
        if (blocks.empty() && keep == 0) { // an empty code block still shows its panel
            Block empty;
            empty.kind = kind;
            empty.from = from;
            empty.mono = mono;
            blocks.push_back(std::move(empty));
        }
        setBlocks(index, std::move(blocks), keep);
    };

    if (code) {
        source.kind = SourceKind::Code;
        slice(Kind::Code, true);
        return;
    }
    if (m_mode == Mode::Plain) {
        source.kind = SourceKind::Plain;
        slice(Kind::Plain, false);
        return;
    }
    // Markdown: within the bounds it is one block, rendered again as it grows; beyond them,
    // shown in part, or whole as plain text. Past kMaxMarkdownChars it stays beyond them, so
    // looking again costs at most that much; before, a table can stop being one (a line that
    // looked like its delimiter row goes on with other text).
    const bool large =
        to - from > kMaxMarkdownChars || BlockBounds::beyondBounds(QStringView(text).mid(from, to - from));
    source.kind = large ? SourceKind::Large : SourceKind::Markdown;
    if (!large) {
        const QStringView now = QStringView(text).mid(from, to - from);
        if (source.blockCount == 1
            && m_blocks[static_cast<size_t>(source.firstBlock)].kind == Kind::Markdown) {
            Block &block = m_blocks[static_cast<size_t>(source.firstBlock)];
            if (block.text != now) {
                block.text = now.toString();
                block.needsRender = true;
                block.stale = true;
            }
            return;
        }
        Block block;
        block.kind = Kind::Markdown;
        block.from = from;
        block.text = now.toString();
        std::vector<Block> blocks;
        blocks.push_back(std::move(block));
        setBlocks(index, std::move(blocks), 0);
        return;
    }
    if (open && budget.growing)
        m_grownWhole.insert(key); // watched as it arrived: it stays whole
    source.whole = m_expanded.contains(key) || m_grownWhole.contains(key);
    if (source.whole) {
        slice(Kind::Plain, true);
        return;
    }
    if (source.blockCount == 1 && m_blocks[static_cast<size_t>(source.firstBlock)].kind == Kind::Elided
        && !open)
        return; // a finished large block is summed up once
    std::vector<Block> blocks;
    blocks.push_back(largeBlock(text, source));
    setBlocks(index, std::move(blocks), 0);
}

// --- sync ------------------------------------------------------------------------------------

void BlockStack::sync(const QString &text, bool appendOnly, const MessageStyle &style, int width,
                      const StackBudget &budget)
{
    m_style = &style;
    m_spacing = style.gap;
    m_changedTop = -1;
    m_shiftAbove = 0;
    if (width != m_width) {
        m_width = width;
        for (Block &block : m_blocks)
            block.stale = true; // laid out again, those in view first; the old heights meanwhile
        m_changedTop = 0;
    }
    if (!appendOnly || text.size() < m_textLength) {
        clear();
        m_spacing = style.gap;
    }

    // Large blocks the user asked to see whole.
    const QSet<qsizetype> expanded = budget.expanded ? *budget.expanded : QSet<qsizetype>();
    if (expanded != m_expanded) {
        m_expanded = expanded;
        for (int i = 0; i < static_cast<int>(m_sources.size()); ++i) {
            Source &source = m_sources[static_cast<size_t>(i)];
            if (source.kind != SourceKind::Large || source.whole || !m_expanded.contains(source.key))
                continue;
            source.whole = true;
            setBlocks(i, sliceBlocks(text, source.from, source.to, false, Kind::Plain, true), 0);
        }
    }

    if (m_mode == Mode::Code && text.size() != m_textLength) {
        m_textLength = text.size();
        if (m_sources.empty()) {
            addSource();
            m_hasTail = true;
        }
        updateSource(text, 0, 0, text.size(), true, m_codeLabel, true, budget);
    } else if (text.size() != m_textLength) {
        m_textLength = text.size();
        m_splitter.update(text);
        const QList<MarkdownBlocks::Block> &finished = m_splitter.finished();
        const qsizetype haveFinished = static_cast<qsizetype>(m_sources.size()) - (m_hasTail ? 1 : 0);
        for (qsizetype i = haveFinished; i < finished.size(); ++i) {
            const MarkdownBlocks::Block &block = finished.at(i);
            if (m_hasTail) {
                // The tail finished: it goes on as this source if it is the same block.
                const Source &tail = m_sources.back();
                const bool same = tail.key == block.start && (tail.kind == SourceKind::Code) == block.code;
                if (!same)
                    removeSourcesFrom(static_cast<int>(m_sources.size()) - 1);
                m_hasTail = false;
                if (!same)
                    addSource();
            } else {
                addSource();
            }
            const auto [from, to] =
                block.code ? MarkdownBlocks::codeRange(text, block) : std::pair {block.start, block.end};
            updateSource(text, block.start, from, to, block.code, block.language, false, budget);
        }
        // The open tail.
        const qsizetype tailStart = m_splitter.tailStart();
        const bool tailCode = m_splitter.tailIsCode();
        qsizetype firstInk = tailStart;
        while (firstInk < text.size() && text.at(firstInk).isSpace())
            ++firstInk;
        if (!tailCode && firstInk >= text.size()) {
            if (m_hasTail)
                removeSourcesFrom(static_cast<int>(m_sources.size()) - 1);
            m_hasTail = false;
        } else {
            const bool same = m_hasTail && m_sources.back().key == tailStart
                && (m_sources.back().kind == SourceKind::Code) == tailCode;
            if (!same) {
                if (m_hasTail)
                    removeSourcesFrom(static_cast<int>(m_sources.size()) - 1);
                addSource();
                m_hasTail = true;
            }
            updateSource(text, tailStart, tailCode ? m_splitter.tailCodeStart() : tailStart, text.size(),
                         tailCode, m_splitter.tailLanguage(), true, budget);
        }
    }

    doWork(style, budget);
    restack();
    m_style = nullptr;
}

void BlockStack::doWork(const MessageStyle &style, const StackBudget &budget)
{
    int work = 0;
    for (const Block &block : m_blocks)
        work += block.stale ? 1 : 0;
    if (work == 0)
        return;
    const bool timeLeft = !budget.deadline.hasExpired();
    int done = 0;
    const auto process = [&](int i) {
        Block &block = m_blocks[static_cast<size_t>(i)];
        if (!block.stale)
            return;
        const int oldHeight = block.height;
        if (block.needsRender || !block.document)
            render(block, style);
        layoutBlock(block, style);
        block.stale = false;
        block.needsRender = false;
        noteChange(block.top);
        if (block.top + oldHeight <= budget.focusTop)
            m_shiftAbove += block.height - oldHeight;
        --work;
        ++done;
    };
    // The block that grows is always brought up to date: it is what the user watches.
    if (budget.growing && m_hasTail && !m_blocks.empty())
        process(static_cast<int>(m_blocks.size()) - 1);
    // Then what is in view, then outwards from it, while there is time (at least one block
    // when the sync began with time left, so that every sync makes progress).
    const auto more = [&] { return work > 0 && (!budget.deadline.hasExpired() || (timeLeft && done == 0)); };
    const int count = static_cast<int>(m_blocks.size());
    const int first = blockAt(budget.focusTop);
    const int last = budget.focusBottom == INT_MAX ? count - 1 : blockAt(budget.focusBottom);
    for (int i = first; i <= last && more(); ++i)
        process(i);
    for (int distance = 1; more() && (last + distance < count || first - distance >= 0); ++distance) {
        if (last + distance < count)
            process(last + distance);
        if (first - distance >= 0 && more())
            process(first - distance);
    }
}

void BlockStack::render(Block &block, const MessageStyle &style) const
{
    // A fresh document every time: importing again into a used one is 10 to 20 times slower
    // once it has held a table (Qt 6.4), and a streamed tail is imported again on every delta.
    block.document = std::make_unique<RenderDocument>();
    block.document->setDocumentMargin(0);
    block.document->setUndoRedoEnabled(false);
    QTextDocument *document = block.document.get();
    const bool markdown = block.kind == Kind::Markdown || (block.kind == Kind::Elided && !block.mono);
    if (markdown) {
        document->setDefaultFont(style.body);
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere); // a long word must not run off
        document->setDefaultTextOption(option);
        document->setMarkdown(block.text, QTextDocument::MarkdownDialectGitHub);
        BlockFrames::styleDocument(document, style);
        return;
    }
    document->setDefaultFont(block.kind == Kind::Code || block.mono ? style.mono : style.body);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere); // a long word must not run off
    document->setDefaultTextOption(option);
    document->setPlainText(block.text);
}

void BlockStack::layoutBlock(Block &block, const MessageStyle &style) const
{
    const int inner = block.kind == Kind::Code ? m_width - 2 * kCodePadding : m_width;
    block.document->setTextWidth(std::max(inner, 40));
    block.documentHeight = static_cast<int>(std::ceil(block.document->size().height()));
    const int top = block.kind == Kind::Code && block.first ? codeHeaderHeight(style) + kCodePadding - 4 : 0;
    const int bottom = block.kind == Kind::Code && block.last ? kCodePadding : 0;
    block.documentOffset = QPoint(block.kind == Kind::Code ? kCodePadding : 0, top);
    block.height = block.documentHeight + top + bottom;
    block.button = QRect();
    if (block.kind == Kind::Code && block.first) {
        const int buttonWidth = QFontMetrics(style.small).horizontalAdvance(BlockFrames::copyLabel()) + 16;
        block.button = QRect(m_width - buttonWidth - 4, 3, buttonWidth, codeHeaderHeight(style) - 4);
    } else if (block.kind == Kind::Elided) {
        // The note wraps in a narrow window: the footer grows to hold it.
        const QFontMetrics metrics(style.small);
        const int buttonWidth = metrics.horizontalAdvance(BlockFrames::showAllLabel()) + 20;
        const int noteWidth = std::max(40, m_width - buttonWidth - 34);
        const int noteHeight =
            metrics.boundingRect(QRect(0, 0, noteWidth, 100000), Qt::TextWordWrap, block.note).height();
        block.footer = std::max(footerHeight(style), noteHeight + 12);
        const int buttonHeight = footerHeight(style) - 10;
        block.button =
            QRect(m_width - buttonWidth - 6, block.documentHeight + 6 + (block.footer - buttonHeight) / 2,
                  buttonWidth, buttonHeight);
        block.height += 6 + block.footer;
    }
}

int BlockStack::estimate(const Block &block, const MessageStyle &style) const
{
    const int inner = std::max(40, block.kind == Kind::Code ? m_width - 2 * kCodePadding : m_width);
    const qsizetype perLine = std::max(8, inner / std::max(1, style.averageCharWidth));
    qsizetype rows = 0;
    qsizetype start = 0;
    const QStringView text(block.text);
    while (start <= text.size()) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        rows += std::max<qsizetype>(1, (end - start + perLine - 1) / perLine);
        start = end + 1;
    }
    int height = static_cast<int>(std::min<qsizetype>(rows * style.lineHeight, 50'000'000));
    if (block.kind == Kind::Code)
        height +=
            (block.first ? codeHeaderHeight(style) + kCodePadding - 4 : 0) + (block.last ? kCodePadding : 0);
    else if (block.kind == Kind::Elided)
        height += 6 + footerHeight(style);
    return height;
}

void BlockStack::restack()
{
    int y = 0;
    int pending = 0;
    for (size_t i = 0; i < m_blocks.size(); ++i) {
        Block &block = m_blocks[i];
        if (i > 0 && block.first)
            y += m_spacing;
        block.top = y;
        y += block.height;
        pending += block.stale ? 1 : 0;
    }
    m_height = y;
    m_pending = pending;
}

int BlockStack::idealWidth() const
{
    int widest = 0;
    for (const Block &block : m_blocks) {
        const int ideal = block.kind == Kind::Code || !block.document
            ? m_width
            : static_cast<int>(std::ceil(block.document->idealWidth()));
        widest = std::max(widest, ideal);
    }
    return std::min(widest, m_width);
}

int BlockStack::elidedCount() const
{
    return static_cast<int>(std::count_if(m_blocks.begin(), m_blocks.end(),
                                          [](const Block &b) { return b.kind == Kind::Elided; }));
}

QRect BlockStack::showAllButton() const
{
    for (const Block &block : m_blocks) {
        if (block.kind == Kind::Elided)
            return block.button.translated(0, block.top);
    }
    return {};
}

BlockStack::Extent BlockStack::largestRendered() const
{
    Extent extent;
    for (const Block &block : m_blocks) {
        if (!block.document)
            continue;
        extent.document = std::max<qsizetype>(extent.document, block.document->characterCount());
        for (QTextBlock paragraph = block.document->begin(); paragraph.isValid();
             paragraph = paragraph.next())
            extent.paragraph = std::max<qsizetype>(extent.paragraph, paragraph.length());
    }
    return extent;
}

int BlockStack::blockAt(int y) const
{
    // The last block whose top is at or above y.
    const auto it = std::upper_bound(m_blocks.begin(), m_blocks.end(), y,
                                     [](int value, const Block &block) { return value < block.top; });
    return it == m_blocks.begin() ? 0 : static_cast<int>(it - m_blocks.begin()) - 1;
}

int BlockStack::characterCount(const Block &block) const
{
    return block.document ? block.document->characterCount() : static_cast<int>(block.text.size()) + 1;
}

// --- reading and painting --------------------------------------------------------------------

std::vector<FindMarks::Range> BlockStack::findAll(const QString &term) const
{
    std::vector<FindMarks::Range> ranges;
    if (term.isEmpty())
        return ranges;
    for (int i = 0; i < static_cast<int>(m_blocks.size()); ++i) {
        const QTextDocument *document = m_blocks[static_cast<size_t>(i)].document.get();
        if (!document)
            continue; // found once it is rendered
        for (QTextCursor found = document->find(term, 0); !found.isNull();
             found = document->find(term, found))
            ranges.push_back({{i, found.selectionStart()}, {i, found.selectionEnd()}});
    }
    return ranges;
}

int BlockStack::yOf(StackPosition position) const
{
    if (position.block < 0 || position.block >= static_cast<int>(m_blocks.size()))
        return 0;
    const Block &block = m_blocks[static_cast<size_t>(position.block)];
    int y = block.top + block.documentOffset.y();
    if (!block.document)
        return y;
    const QTextBlock text = block.document->findBlock(position.position);
    if (!text.isValid())
        return y;
    y += qRound(block.document->documentLayout()->blockBoundingRect(text).top());
    if (const QTextLayout *layout = text.layout()) {
        const QTextLine line = layout->lineForTextPosition(position.position - text.position());
        if (line.isValid())
            y += qRound(line.y());
    }
    return y;
}

void BlockStack::paint(QPainter *painter, QPoint origin, const QRect &clip, const MessageStyle &style,
                       StackPosition selectionStart, StackPosition selectionEnd, int hoveredButton,
                       const FindMarks *find) const
{
    if (m_blocks.empty())
        return;
    const int first = blockAt(clip.top() - origin.y());
    for (int i = first; i < static_cast<int>(m_blocks.size()); ++i) {
        const Block &block = m_blocks[static_cast<size_t>(i)];
        const int top = origin.y() + block.top;
        if (top > clip.bottom())
            break;
        if (top + block.height < clip.top())
            continue;
        const QRect area(origin.x(), top, m_width, block.height);
        if (block.kind == Kind::Code)
            BlockFrames::paintCodePanel(painter, area, block.first, block.last, block.language,
                                        block.button.translated(origin.x(), top), hoveredButton == i, style);
        if (block.kind == Kind::Elided && block.document)
            BlockFrames::paintShowAllBar(
                painter, QRect(origin.x(), top + block.documentHeight + 6, m_width, block.footer),
                block.button.translated(origin.x(), top), block.note, hoveredButton == i, style);
        if (!block.document) { // not rendered yet: faint lines where the text will be
            BlockFrames::paintPlaceholder(painter, area, origin.x() + block.documentOffset.x(), clip, style);
            continue;
        }
        const QPoint documentOrigin = QPoint(origin.x(), top) + block.documentOffset;

        QAbstractTextDocumentLayout::PaintContext context;
        context.palette = style.palette;
        context.palette.setColor(
            QPalette::Text, m_mode == Mode::Plain && block.kind == Kind::Plain ? style.muted : style.text);
        context.clip = QRectF(clip.translated(-documentOrigin));
        if (find) {
            for (int m = 0; m < static_cast<int>(find->ranges.size()); ++m) {
                const FindMarks::Range &range = find->ranges[static_cast<size_t>(m)];
                if (range.from.block != i)
                    continue;
                QAbstractTextDocumentLayout::Selection mark;
                mark.cursor = QTextCursor(block.document.get());
                mark.cursor.setPosition(range.from.position);
                mark.cursor.setPosition(range.to.position, QTextCursor::KeepAnchor);
                mark.format.setBackground(m == find->current ? style.findCurrent : style.findMatch);
                mark.format.setForeground(style.dark ? QColor(Qt::white) : QColor(Qt::black));
                context.selections.append(mark);
            }
        }
        if (selectionStart.isValid() && selectionEnd.isValid() && i >= selectionStart.block
            && i <= selectionEnd.block) {
            const int last = block.document->characterCount() - 1;
            const int from = std::min(i == selectionStart.block ? selectionStart.position : 0, last);
            const int to = std::min(i == selectionEnd.block ? selectionEnd.position : last, last);
            if (to > from) {
                QAbstractTextDocumentLayout::Selection selection;
                selection.cursor = QTextCursor(block.document.get());
                selection.cursor.setPosition(from);
                selection.cursor.setPosition(to, QTextCursor::KeepAnchor);
                selection.format.setBackground(style.selection);
                selection.format.setForeground(style.selectionText);
                context.selections.append(selection);
            }
        }
        painter->save();
        painter->translate(documentOrigin);
        block.document->documentLayout()->draw(painter, context);
        painter->restore();
    }
}

BlockStack::Hit BlockStack::hitTest(QPoint local) const
{
    Hit hit;
    if (m_blocks.empty())
        return hit;
    const int index = blockAt(local.y());
    const Block &block = m_blocks[static_cast<size_t>(index)];
    const QPoint inBlock = local - QPoint(0, block.top);
    if (block.kind == Kind::Code && block.first && block.button.contains(inBlock)) {
        hit.copyCodeBlock = index;
        const Source &source = m_sources[static_cast<size_t>(block.source)];
        for (int i = 0; i < source.blockCount; ++i) {
            const Block &slice = m_blocks[static_cast<size_t>(source.firstBlock + i)];
            if (i > 0 && !slice.joined)
                hit.copyCode += u'\n';
            hit.copyCode += slice.text;
        }
        return hit;
    }
    if (block.kind == Kind::Elided && block.button.contains(inBlock)) {
        hit.showAllKey = m_sources[static_cast<size_t>(block.source)].key;
        hit.copyCodeBlock = index; // the button, for hovering
        return hit;
    }
    if (!block.document) {
        hit.position = {index, 0};
        return hit;
    }
    QAbstractTextDocumentLayout *layout = block.document->documentLayout();
    const QPointF point(inBlock - block.documentOffset);
    const int position = layout->hitTest(point, Qt::FuzzyHit);
    hit.position = {index, std::max(0, position)};
    if (block.kind == Kind::Markdown || block.kind == Kind::Elided)
        hit.link = layout->anchorAt(point);
    return hit;
}

QString BlockStack::text(StackPosition from, StackPosition to) const
{
    if (!from.isValid() || !to.isValid() || to < from)
        return {};
    QString out;
    for (int i = from.block; i <= to.block && i < static_cast<int>(m_blocks.size()); ++i) {
        const Block &block = m_blocks[static_cast<size_t>(i)];
        if (i > from.block)
            out += block.joined ? QString() : (block.first ? u"\n\n"_s : u"\n"_s);
        const int last = characterCount(block) - 1;
        const int start = std::min(i == from.block ? from.position : 0, last);
        const int end = std::min(i == to.block ? to.position : last, last);
        if (!block.document) {
            out += QStringView(block.text).mid(start, end - start);
            continue;
        }
        QTextCursor cursor(block.document.get());
        cursor.setPosition(start);
        cursor.setPosition(end, QTextCursor::KeepAnchor);
        out += cursor.selection().toPlainText();
    }
    return out;
}

QString BlockStack::plainText() const
{
    return text(start(), end());
}

StackPosition BlockStack::end() const
{
    if (m_blocks.empty())
        return {};
    return {static_cast<int>(m_blocks.size()) - 1, characterCount(m_blocks.back()) - 1};
}

std::pair<StackPosition, StackPosition> BlockStack::wordAt(StackPosition at) const
{
    if (!at.isValid() || at.block >= static_cast<int>(m_blocks.size()))
        return {};
    const Block &block = m_blocks[static_cast<size_t>(at.block)];
    if (!block.document)
        return {at, at};
    QTextCursor cursor(block.document.get());
    cursor.setPosition(std::min(at.position, block.document->characterCount() - 1));
    cursor.select(QTextCursor::WordUnderCursor);
    return {{at.block, cursor.selectionStart()}, {at.block, cursor.selectionEnd()}};
}

} // namespace moonpane
