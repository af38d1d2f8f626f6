#include "BlockStack.h"

#include "MessageStyle.h"
#include "RenderDocument.h"

#include <QAbstractTextDocumentLayout>
#include <QPainter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QTextFrame>
#include <QTextLayout>
#include <QTextTable>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kCodePadding = 10;

// Gives inline code a background and tables some air: Qt's Markdown import leaves both bare.
void styleDocument(QTextDocument *document, const MessageStyle &style)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!fragment.charFormat().fontFixedPitch())
                continue;
            QTextCursor cursor(document);
            cursor.setPosition(fragment.position());
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            QTextCharFormat format;
            format.setBackground(style.codeBackground);
            format.setFont(style.mono, QTextCharFormat::FontPropertiesSpecifiedOnly);
            cursor.mergeCharFormat(format);
        }
    }
    for (QTextFrame *frame : document->rootFrame()->childFrames()) {
        if (auto *table = qobject_cast<QTextTable *>(frame)) {
            QTextTableFormat format = table->format();
            format.setCellPadding(5);
            format.setCellSpacing(0);
            format.setBorder(1);
            format.setBorderBrush(style.border);
            format.setBorderCollapse(false); // collapsed borders lose the outer left and top lines in Qt 6.4
            table->setFormat(format);
        }
    }
}

} // namespace

BlockStack::BlockStack(Mode mode)
    : m_mode(mode)
{
}

BlockStack::~BlockStack() = default;

void BlockStack::clear()
{
    m_changedTop = 0;
    m_blocks.clear();
    m_splitter.reset();
    m_hasTail = false;
    m_tailStart = -1;
    m_textLength = 0;
    m_height = 0;
}

int BlockStack::codeHeaderHeight(const MessageStyle &style) const
{
    return style.smallLineHeight + 8;
}

void BlockStack::renderInto(Block &block, const QString &source, bool code, const QString &language,
                            const MessageStyle &style) const
{
    // A fresh document every time: importing again into a used one is 10 to 20 times slower
    // once it has held a table (Qt 6.4), and a streamed tail is imported again on every delta.
    block.document = std::make_unique<RenderDocument>();
    block.document->setDocumentMargin(0);
    block.document->setUndoRedoEnabled(false);
    QTextDocument *document = block.document.get();
    if (code || m_mode == Mode::Plain) {
        document->setDefaultFont(code ? style.mono : style.body);
        QTextOption option;
        option.setWrapMode(code ? QTextOption::WrapAtWordBoundaryOrAnywhere : QTextOption::WordWrap);
        document->setDefaultTextOption(option);
        document->setPlainText(source);
    } else {
        document->setDefaultFont(style.body);
        document->setMarkdown(source, QTextDocument::MarkdownDialectGitHub);
        styleDocument(document, style);
    }
    block.code = code;
    block.language = language;
    block.source = source;
}

void BlockStack::layoutBlock(Block &block, const MessageStyle &style) const
{
    const int inner = block.code ? m_width - 2 * kCodePadding : m_width;
    block.document->setTextWidth(std::max(inner, 40));
    int height = static_cast<int>(std::ceil(block.document->size().height()));
    if (block.code) {
        const int header = codeHeaderHeight(style);
        const int buttonWidth = QFontMetrics(style.small).horizontalAdvance(u"Copy"_s) + 16;
        block.copyButton = QRect(m_width - buttonWidth - 4, 3, buttonWidth, header - 4);
        block.documentOffset = QPoint(kCodePadding, header + kCodePadding - 4);
        height += header + 2 * kCodePadding - 4;
    } else {
        block.documentOffset = QPoint();
    }
    block.height = height;
}

void BlockStack::restack()
{
    int y = 0;
    for (Block &block : m_blocks) {
        block.top = y;
        y += block.height + m_spacing;
    }
    m_height = m_blocks.empty() ? 0 : y - m_spacing;
}

void BlockStack::rebuild(const QString &text, const MessageStyle &style)
{
    clear();
    m_spacing = style.gap;
    sync(text, true, style, m_width);
}

void BlockStack::sync(const QString &text, bool appendOnly, const MessageStyle &style, int width)
{
    m_spacing = style.gap;
    m_changedTop = -1;
    if (width != m_width) {
        m_width = width;
        for (Block &block : m_blocks)
            layoutBlock(block, style);
        restack();
        m_changedTop = 0;
    }
    if (!appendOnly || text.size() < m_textLength) {
        rebuild(text, style);
        m_changedTop = 0;
        return;
    }
    if (text.size() == m_textLength && !m_blocks.empty())
        return;
    const auto noteChange = [this](int top) {
        m_changedTop = m_changedTop < 0 ? top : std::min(m_changedTop, top);
    };
    const int oldTailTop = m_hasTail ? m_blocks.back().top : m_height;
    m_textLength = text.size();
    m_splitter.update(text);

    const auto &finished = m_splitter.finished();
    const size_t haveFinished = m_blocks.size() - (m_hasTail ? 1 : 0);
    bool restackAll = false;
    if (finished.size() > static_cast<qsizetype>(haveFinished)) {
        std::optional<Block> oldTail;
        if (m_hasTail) {
            oldTail = std::move(m_blocks.back());
            m_blocks.pop_back();
            m_hasTail = false;
        }
        for (qsizetype i = static_cast<qsizetype>(haveFinished); i < finished.size(); ++i) {
            const MarkdownBlocks::Block &source = finished.at(i);
            const QString blockText = source.code ? MarkdownBlocks::codeOf(text, source)
                                                  : text.mid(source.start, source.end - source.start);
            if (oldTail && oldTail->code == source.code && oldTail->source == blockText) {
                // The tail finished as it was last rendered: keep it, no second parse.
                m_blocks.push_back(std::move(*oldTail));
                oldTail.reset();
                continue;
            }
            oldTail.reset();
            Block block;
            renderInto(block, blockText, source.code, source.language, style);
            layoutBlock(block, style);
            m_blocks.push_back(std::move(block));
        }
        restackAll = true;
        noteChange(oldTailTop);
    }

    // The open tail.
    const qsizetype tailStart = m_splitter.tailStart();
    const bool tailCode = m_splitter.tailIsCode();
    const QString tailText = tailCode ? text.mid(m_splitter.tailCodeStart()) : text.mid(tailStart);
    const bool sameTail = m_hasTail && m_tailStart == tailStart && m_blocks.back().code == tailCode;
    if (!tailCode && tailText.trimmed().isEmpty()) {
        if (m_hasTail) {
            noteChange(m_blocks.back().top);
            m_blocks.pop_back();
            m_hasTail = false;
            restackAll = true;
        }
    } else if (sameTail && tailCode && tailText.startsWith(m_blocks.back().source)) {
        // Code grows at its end: append, no parsing.
        Block &tail = m_blocks.back();
        noteChange(tail.top);
        QTextCursor cursor(tail.document.get());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(tailText.mid(tail.source.size()));
        tail.source = tailText;
        layoutBlock(tail, style);
    } else if (sameTail) {
        Block &tail = m_blocks.back();
        if (tail.source != tailText) {
            noteChange(tail.top);
            renderInto(tail, tailText, tailCode, m_splitter.tailLanguage(), style);
            layoutBlock(tail, style);
        }
    } else {
        noteChange(m_hasTail ? m_blocks.back().top : m_height);
        if (m_hasTail)
            m_blocks.pop_back();
        Block tail;
        renderInto(tail, tailText, tailCode, m_splitter.tailLanguage(), style);
        layoutBlock(tail, style);
        m_blocks.push_back(std::move(tail));
        m_hasTail = true;
        restackAll = true;
    }
    m_tailStart = tailStart;

    if (restackAll) {
        restack();
    } else if (!m_blocks.empty()) {
        const Block &last = m_blocks.back(); // only the tail changed
        m_height = last.top + last.height;
    }
}

int BlockStack::idealWidth() const
{
    int widest = 0;
    for (const Block &block : m_blocks) {
        const int ideal = block.code ? m_width : static_cast<int>(std::ceil(block.document->idealWidth()));
        widest = std::max(widest, ideal);
    }
    return std::min(widest, m_width);
}

int BlockStack::blockAt(int y) const
{
    // The last block whose top is at or above y.
    const auto it = std::upper_bound(m_blocks.begin(), m_blocks.end(), y,
                                     [](int value, const Block &block) { return value < block.top; });
    return it == m_blocks.begin() ? 0 : static_cast<int>(it - m_blocks.begin()) - 1;
}

std::vector<FindMarks::Range> BlockStack::findAll(const QString &term) const
{
    std::vector<FindMarks::Range> ranges;
    if (term.isEmpty())
        return ranges;
    for (int i = 0; i < static_cast<int>(m_blocks.size()); ++i) {
        const QTextDocument *document = m_blocks[static_cast<size_t>(i)].document.get();
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
    const QTextBlock text = block.document->findBlock(position.position);
    int y = block.top + block.documentOffset.y();
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
                       StackPosition selectionStart, StackPosition selectionEnd, int hoveredCopy,
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
        QPoint documentOrigin(origin.x(), top);
        if (block.code) {
            const QRect panel(origin.x(), top, m_width, block.height);
            painter->setPen(style.border);
            painter->setBrush(style.codeBackground);
            painter->setRenderHint(QPainter::Antialiasing);
            painter->drawRoundedRect(QRectF(panel).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
            const int header = codeHeaderHeight(style);
            painter->setPen(style.border);
            painter->drawLine(panel.left() + 1, top + header, panel.right() - 1, top + header);
            painter->setFont(style.small);
            painter->setPen(style.muted);
            painter->drawText(QRect(panel.left() + kCodePadding, top, panel.width() / 2, header),
                              Qt::AlignVCenter | Qt::AlignLeft,
                              block.language.isEmpty() ? u"code"_s : block.language);
            const QRect button = block.copyButton.translated(origin.x(), top);
            painter->setPen(Qt::NoPen);
            painter->setBrush(hoveredCopy == i ? style.buttonHover : style.buttonBackground);
            painter->drawRoundedRect(button, 4, 4);
            painter->setPen(style.text);
            painter->drawText(button, Qt::AlignCenter, u"Copy"_s);
        }
        documentOrigin += block.documentOffset;

        QAbstractTextDocumentLayout::PaintContext context;
        context.palette = style.palette;
        context.palette.setColor(QPalette::Text,
                                 m_mode == Mode::Plain && !block.code ? style.muted : style.text);
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
            const int from = i == selectionStart.block ? selectionStart.position : 0;
            const int to =
                i == selectionEnd.block ? selectionEnd.position : block.document->characterCount() - 1;
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
    if (block.code && block.copyButton.contains(inBlock)) {
        hit.copyCodeBlock = index;
        hit.copyCode = block.source;
        return hit;
    }
    QAbstractTextDocumentLayout *layout = block.document->documentLayout();
    const QPointF point(inBlock - block.documentOffset);
    const int position = layout->hitTest(point, Qt::FuzzyHit);
    hit.position = {index, std::max(0, position)};
    if (!block.code)
        hit.link = layout->anchorAt(point);
    return hit;
}

QString BlockStack::text(StackPosition from, StackPosition to) const
{
    if (!from.isValid() || !to.isValid() || to < from)
        return {};
    QStringList parts;
    for (int i = from.block; i <= to.block && i < static_cast<int>(m_blocks.size()); ++i) {
        const Block &block = m_blocks[static_cast<size_t>(i)];
        QTextCursor cursor(block.document.get());
        cursor.setPosition(i == from.block ? from.position : 0);
        const int last = block.document->characterCount() - 1;
        cursor.setPosition(std::min(i == to.block ? to.position : last, last), QTextCursor::KeepAnchor);
        parts.append(cursor.selection().toPlainText());
    }
    return parts.join(u"\n\n"_s);
}

QString BlockStack::plainText() const
{
    return text(start(), end());
}

StackPosition BlockStack::end() const
{
    if (m_blocks.empty())
        return {};
    return {static_cast<int>(m_blocks.size()) - 1, m_blocks.back().document->characterCount() - 1};
}

std::pair<StackPosition, StackPosition> BlockStack::wordAt(StackPosition at) const
{
    if (!at.isValid() || at.block >= static_cast<int>(m_blocks.size()))
        return {};
    QTextCursor cursor(m_blocks[static_cast<size_t>(at.block)].document.get());
    cursor.setPosition(at.position);
    cursor.select(QTextCursor::WordUnderCursor);
    return {{at.block, cursor.selectionStart()}, {at.block, cursor.selectionEnd()}};
}

} // namespace moonpane
