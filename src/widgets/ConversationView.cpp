#include "ConversationView.h"

#include "conversation/ConversationModel.h"
#include "media/ThumbnailCache.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

using Roles = ConversationModel::Roles;

bool onlyTextGrew(const QList<int> &roles)
{
    if (roles.isEmpty())
        return false;
    return std::all_of(roles.begin(), roles.end(), [](int role) {
        return role == static_cast<int>(Roles::Content) || role == static_cast<int>(Roles::Reasoning);
    });
}

} // namespace

ConversationView::ConversationView(QWidget *parent)
    : QAbstractItemView(parent)
{
    setSelectionMode(NoSelection);
    setEditTriggers(NoEditTriggers);
    setVerticalScrollMode(ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    m_scrollBarSync.setSingleShot(true);
    m_scrollBarSync.setInterval(50);
    connect(&m_scrollBarSync, &QTimer::timeout, this, &ConversationView::syncScrollBar);
    m_progress.setSingleShot(true);
    m_progress.setInterval(0);
    connect(&m_progress, &QTimer::timeout, this, &ConversationView::continueLayout);
    m_prefetch.setSingleShot(true);
    m_prefetch.setInterval(0);
    connect(&m_prefetch, &QTimer::timeout, this, &ConversationView::prefetch);
    m_ticker.setInterval(250);
    connect(&m_ticker, &QTimer::timeout, this, [this] {
        // Live timers (thinking seconds, Retry-After countdowns) of the rows in view.
        const int first = rowAtY(scrollY());
        const int last = rowAtY(scrollY() + viewport()->height());
        for (int row = std::max(first, 0); row <= last && row < static_cast<int>(m_rows.size()); ++row) {
            if (m_rows[static_cast<size_t>(row)].layout
                && m_rows[static_cast<size_t>(row)].layout->needsTicks())
                markDirty(row, false);
        }
    });
    restyle();
}

ConversationView::~ConversationView() = default;

void ConversationView::setModel(QAbstractItemModel *model)
{
    m_conversation = qobject_cast<ConversationModel *>(model);
    Q_ASSERT_X(!model || m_conversation, "ConversationView::setModel", "needs a ConversationModel");
    QAbstractItemView::setModel(model);
    if (m_conversation) {
        // What is in view before a reset, to stay there when the same conversation comes back
        // (read again after another process changed it).
        connect(m_conversation, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
            m_beforeReset.conversation = m_conversation->conversation();
            m_beforeReset.pinned = m_pinned;
            const Message *top = m_conversation->peekAt(rowAtY(scrollY()));
            m_beforeReset.topId = top ? top->id : 0;
            m_beforeReset.rows.clear();
            for (int row = 0; row < static_cast<int>(m_rows.size()); ++row) {
                const Message *message = m_conversation->peekAt(row);
                if (message && m_rows[static_cast<size_t>(row)].layout)
                    m_beforeReset.rows.emplace(message->id, std::move(m_rows[static_cast<size_t>(row)]));
            }
        });
    }
    rebuildRows();
}

void ConversationView::restyle()
{
    m_style = MessageStyle::fromPalette(palette(), font());
    for (Row &row : m_rows) {
        row.layout.reset();
        row.dirty = true;
    }
    rebuildRows();
}

void ConversationView::setThumbnails(ThumbnailCache *thumbnails)
{
    m_thumbnails = thumbnails;
    // A picture came: what shows it is repainted (tiles keep their size, nothing moves).
    connect(thumbnails, &ThumbnailCache::ready, viewport(), qOverload<>(&QWidget::update));
}

LayoutContext ConversationView::context(int row) const
{
    LayoutContext context;
    context.style = &m_style;
    context.width = viewport()->width();
    context.showThinking = m_showThinking;
    context.nowMs = QDateTime::currentMSecsSinceEpoch();
    context.find = m_find.term.isEmpty() ? nullptr : &m_find;
    context.thumbnails = m_thumbnails;
    context.deadline = m_passDeadline;
    if (row >= 0 && row < m_heights.size()) {
        const qint64 top = m_heights.offset(row);
        context.visibleTop = static_cast<int>(std::clamp<qint64>(scrollY() - top, INT_MIN / 2, INT_MAX / 2));
        context.visibleBottom = static_cast<int>(
            std::clamp<qint64>(scrollY() + viewport()->height() - top, INT_MIN / 2, INT_MAX / 2));
    }
    if (m_conversation && row >= 0) {
        const QModelIndex index = m_conversation->index(row);
        context.branchIndex = index.data(static_cast<int>(Roles::BranchIndex)).toInt();
        context.branchCount = index.data(static_cast<int>(Roles::BranchCount)).toInt();
    }
    return context;
}

int ConversationView::estimate(int row) const
{
    const Message *message = m_conversation->peekAt(row); // never loads text just to guess a size
    return message ? MessageLayout::estimateHeight(*message, context(-1)) : 0;
}

void ConversationView::rebuildRows()
{
    const int count = m_conversation ? m_conversation->rowCount() : 0;
    m_rows.clear();
    m_rows.resize(static_cast<size_t>(count));
    std::vector<int> heights(static_cast<size_t>(count));
    for (int row = 0; row < count; ++row)
        heights[static_cast<size_t>(row)] = estimate(row);
    m_heights.reset(std::move(heights));
    m_hoveredRow = -1;
    m_selectionRow = -1;
    m_pinned = true;
    updateGeometries();
    viewport()->update();
}

void ConversationView::reset()
{
    QAbstractItemView::reset();
    rebuildRows();
    ResetAnchor anchor = std::exchange(m_beforeReset, {});
    if (!m_conversation || !anchor.conversation || anchor.conversation != m_conversation->conversation())
        return;
    reuseRows(anchor.rows);
    if (anchor.pinned)
        setPinnedToBottom(true);
    else if (const int row = m_conversation->rowOf(anchor.topId); row >= 0)
        scrollTo(m_conversation->index(row), PositionAtTop);
}

void ConversationView::reuseRows(std::unordered_map<qint64, Row> &kept)
{
    if (kept.empty())
        return;
    const int width = viewport()->width();
    std::vector<int> heights(m_rows.size());
    for (int row = 0; row < static_cast<int>(m_rows.size()); ++row) {
        heights[static_cast<size_t>(row)] = m_heights.height(row);
        const Message *message = m_conversation->peekAt(row);
        const auto it = message ? kept.find(message->id) : kept.end();
        // Every write gives a stored message a new version: the same one is the same message.
        if (it == kept.end() || !message->textLoaded || it->second.version == 0
            || it->second.version != message->storedVersion || it->second.dirty)
            continue;
        Row &r = m_rows[static_cast<size_t>(row)];
        r = std::move(it->second);
        // Synced again when next in view (its branch count may have changed); with the same
        // text nothing is parsed or laid out again (BlockStack sees no new text).
        r.dirty = true;
        r.appendOnly = true;
        if (r.laidOutWidth == width)
            heights[static_cast<size_t>(row)] = r.layout->height();
    }
    m_heights.reset(std::move(heights));
    updateGeometries();
}

void ConversationView::rowsInserted(const QModelIndex &parent, int start, int end)
{
    QAbstractItemView::rowsInserted(parent, start, end);
    if (parent.isValid())
        return;
    std::vector<Row> inserted(static_cast<size_t>(end - start + 1));
    m_rows.insert(m_rows.begin() + start, std::make_move_iterator(inserted.begin()),
                  std::make_move_iterator(inserted.end()));
    std::vector<int> heights;
    heights.reserve(m_rows.size());
    for (int row = 0; row < static_cast<int>(m_rows.size()); ++row)
        heights.push_back(row >= start && row <= end
                              ? estimate(row)
                              : m_heights.height(row < start ? row : row - (end - start + 1)));
    m_heights.reset(std::move(heights));
    if (m_hoveredRow >= start)
        m_hoveredRow += end - start + 1;
    if (m_selectionRow >= start)
        m_selectionRow += end - start + 1;
    updateGeometries();
    viewport()->update();
}

void ConversationView::rowsAboutToBeRemoved(const QModelIndex &parent, int start, int end)
{
    QAbstractItemView::rowsAboutToBeRemoved(parent, start, end);
    if (parent.isValid())
        return;
    std::vector<int> heights;
    for (int row = 0; row < static_cast<int>(m_rows.size()); ++row) {
        if (row < start || row > end)
            heights.push_back(m_heights.height(row));
    }
    m_rows.erase(m_rows.begin() + start, m_rows.begin() + end + 1);
    m_heights.reset(std::move(heights));
    m_hoveredRow = -1;
    if (m_selectionRow >= start)
        m_selectionRow = -1;
    updateGeometries();
    viewport()->update();
}

void ConversationView::markDirty(int row, bool appendOnly)
{
    Row &r = m_rows[static_cast<size_t>(row)];
    r.appendOnly = r.dirty ? (r.appendOnly && appendOnly) : appendOnly;
    r.dirty = true;
    // Many deltas can arrive between two frames: they are laid out and painted once.
    if (!m_flushPending) {
        m_flushPending = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_flushPending)
                    flushPendingLayout();
            },
            Qt::QueuedConnection);
    }
}

void ConversationView::flushPendingLayout()
{
    m_flushPending = false;
    if (!m_conversation || m_rows.empty())
        return;
    // The rows waiting to be laid out that are in view (others wait until they are).
    const qint64 before = scrollY();
    std::vector<int> changed;
    const int first = rowAtY(before);
    const int last = rowAtY(before + viewport()->height());
    for (int row = std::max(0, first); row <= last && row < static_cast<int>(m_rows.size()); ++row) {
        if (m_rows[static_cast<size_t>(row)].dirty && m_rows[static_cast<size_t>(row)].layout)
            changed.push_back(row);
    }
    m_othersMoved = false;
    ensureLayout();
    if (m_othersMoved) {
        viewport()->update();
        return;
    }
    // The common case, a reply growing at the bottom: what is above it only moves up. Move the
    // pixels, then repaint what the rows report as changed.
    const qint64 dy = scrollY() - before;
    if (dy != 0)
        viewport()->scroll(0, static_cast<int>(-dy));
    for (int row : changed) {
        if (const MessageLayout *layout = m_rows[static_cast<size_t>(row)].layout.get())
            viewport()->update(layout->changedRegion().translated(rowRect(row).topLeft()));
    }
}

void ConversationView::dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                   const QList<int> &roles)
{
    // Not QAbstractItemView::dataChanged: it would repaint the whole row, which for a long
    // streaming reply is the whole viewport. The layout pass repaints what changed.
    const bool grew = onlyTextGrew(roles);
    for (int row = topLeft.row(); row <= bottomRight.row() && row < static_cast<int>(m_rows.size()); ++row) {
        markDirty(row, grew);
        if (!grew && row == m_selectionRow)
            clearSelection();
    }
}

qint64 ConversationView::scrollY() const
{
    return m_scrollY;
}

qint64 ConversationView::maximumScroll() const
{
    return std::max<qint64>(0, m_heights.total() + footerHeight() - viewport()->height());
}

QRect ConversationView::footerRect() const
{
    // The readable column, as MessageLayout places a message's text.
    const int column =
        std::max(120, std::min(viewport()->width() - 2 * m_style.padding, m_style.maxBubbleWidth));
    const int height =
        m_footer->hasHeightForWidth() ? m_footer->heightForWidth(column) : m_footer->sizeHint().height();
    return QRect((viewport()->width() - column) / 2, static_cast<int>(m_heights.total() - m_scrollY), column,
                 std::max(height, m_footer->minimumSizeHint().height()));
}

int ConversationView::footerHeight() const
{
    if (!m_footer || m_footer->isHidden())
        return 0;
    return footerRect().height() + m_style.gap;
}

void ConversationView::placeFooter()
{
    if (!m_footer || m_footer->isHidden())
        return;
    const QRect place = footerRect();
    if (m_footer->geometry() != place)
        m_footer->setGeometry(place);
}

void ConversationView::setFooter(QWidget *footer)
{
    if (m_footer)
        m_footer->removeEventFilter(this);
    m_footer = footer;
    if (!footer)
        return;
    footer->setParent(viewport());
    footer->installEventFilter(this);
    placeFooter();
}

bool ConversationView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_footer) {
        switch (event->type()) {
        case QEvent::Show:
            m_pinned = true; // it asks for the user: in view, at the end
            [[fallthrough]];
        case QEvent::Hide:
        case QEvent::LayoutRequest:
            // Its room changed: the end of the conversation moved.
            if (m_pinned)
                setScrollY(maximumScroll());
            else
                setScrollY(m_scrollY);
            syncScrollBar();
            placeFooter();
            viewport()->update();
            break;
        default:
            break;
        }
    }
    return QAbstractItemView::eventFilter(watched, event);
}

void ConversationView::setScrollY(qint64 y)
{
    const qint64 clamped = std::clamp<qint64>(y, 0, maximumScroll());
    placeFooter();
    if (clamped == m_scrollY && verticalScrollBar()->maximum() == maximumScroll())
        return;
    m_scrollY = clamped;
    placeFooter();
    if (!m_scrollBarSync.isActive())
        m_scrollBarSync.start();
}

void ConversationView::syncScrollBar()
{
    m_scrollBarSync.stop();
    QScrollBar *bar = verticalScrollBar();
    const bool guard = m_syncingBar;
    m_syncingBar = true;
    bar->setRange(0, static_cast<int>(maximumScroll()));
    bar->setPageStep(viewport()->height());
    bar->setSingleStep(m_style.lineHeight * 3);
    bar->setValue(static_cast<int>(m_scrollY));
    m_syncingBar = guard;
}

int ConversationView::verticalOffset() const
{
    return static_cast<int>(m_scrollY);
}

int ConversationView::rowAtY(qint64 y) const
{
    return m_heights.rowAt(y);
}

void ConversationView::updateGeometries()
{
    if (m_pinned)
        m_scrollY = maximumScroll();
    m_scrollY = std::clamp<qint64>(m_scrollY, 0, maximumScroll());
    syncScrollBar();
    QAbstractItemView::updateGeometries();
}

void ConversationView::scrollContentsBy(int, int)
{
    if (m_syncingBar)
        return;
    // The user moved the scroll bar (or the wheel, or a key did).
    const qint64 value = verticalScrollBar()->value();
    const qint64 dy = m_scrollY - value;
    if (dy != 0)
        m_scrollDirection = dy > 0 ? -1 : 1;
    m_scrollY = value;
    m_pinned = value >= maximumScroll() - 4;
    viewport()->scroll(0, static_cast<int>(dy)); // the exposed strip is painted; rows there are laid out then
}

void ConversationView::wheelEvent(QWheelEvent *event)
{
    syncScrollBar(); // scroll from where the view is, not from a scroll bar that lags behind
    QAbstractItemView::wheelEvent(event);
}

void ConversationView::setPinnedToBottom(bool pinned)
{
    m_pinned = pinned;
    if (pinned) {
        layoutNow();
        viewport()->update();
    }
}

bool ConversationView::layoutRow(int row)
{
    Row &r = m_rows[static_cast<size_t>(row)];
    const int width = viewport()->width();
    if (r.layout && !r.dirty && r.laidOutWidth == width)
        return false;
    const Message *message = m_conversation->messageAt(row);
    if (!message)
        return false;
    if (message->state == MessageState::Failed && r.state.failedAtMs < 0)
        r.state.failedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (message->state != MessageState::Failed)
        r.state.failedAtMs = -1;
    const bool appendOnly = r.layout && r.appendOnly;
    const bool growing = r.layout && r.dirty && r.appendOnly; // a streaming reply, expected to grow
    if (!r.layout)
        r.layout = std::make_unique<MessageLayout>();
    r.layout->sync(*message, context(row), r.state, appendOnly);
    if (row == m_anchorRow)
        m_anchorShift += r.layout->shiftAboveVisible();
    r.dirty = false;
    r.appendOnly = true;
    r.laidOutWidth = width;
    r.version = message->textLoaded ? message->storedVersion : 0;
    const int height = r.layout->height();
    if (height == m_heights.height(row))
        return false;
    if (!growing)
        m_othersMoved = true;
    m_heights.set(row, height);
    return true;
}

bool ConversationView::ensureLayout()
{
    if (!m_conversation || m_rows.empty() || m_inLayout)
        return false;
    m_inLayout = true;
    m_passDeadline = QDeadlineTimer(kLayoutBudget);
    const qint64 startY = scrollY();
    bool anyChanged = false;
    const int page = viewport()->height();
    // Keep the first visible row where it is while heights above it change, and what is in
    // view of it in place while its blocks above take their real heights.
    const int anchorRow = rowAtY(scrollY());
    const qint64 anchorOffset = scrollY() - m_heights.offset(anchorRow);
    m_anchorRow = m_pinned ? -1 : anchorRow;
    m_anchorShift = 0;
    int first = 0;
    int last = 0;
    // Laying out a row replaces its estimated height, which moves the rows below it; repeat
    // until the rows in view (and two above, so a small scroll does not jump) stop changing.
    for (int pass = 0; pass < 8; ++pass) {
        qint64 top = m_pinned ? std::max<qint64>(0, m_heights.total() + footerHeight() - page)
                              : m_heights.offset(anchorRow) + anchorOffset + m_anchorShift;
        first = rowAtY(top);
        last = rowAtY(top + page);
        bool changed = false;
        for (int row = std::max(0, first - 2); row <= last; ++row)
            changed |= layoutRow(row);
        top = m_pinned ? maximumScroll() : m_heights.offset(anchorRow) + anchorOffset + m_anchorShift;
        setScrollY(top);
        anyChanged |= changed;
        if (!changed)
            break;
    }
    m_inLayout = false;
    m_anchorRow = -1;
    evictLayouts(first, last);
    updateTicker(first, last);
    scheduleProgress(std::max(0, first - 2), last);
    schedulePrefetch();
    return anyChanged || scrollY() != startY;
}

void ConversationView::scheduleProgress(int first, int last)
{
    for (int row = first; row <= last && row < static_cast<int>(m_rows.size()); ++row) {
        const Row &r = m_rows[static_cast<size_t>(row)];
        if (r.layout && r.layout->hasPendingWork()) {
            if (!m_progress.isActive())
                m_progress.start();
            return;
        }
    }
}

void ConversationView::continueLayout()
{
    if (!m_conversation || m_rows.empty())
        return;
    const int first = std::max(0, rowAtY(scrollY()) - 2);
    const int last = rowAtY(scrollY() + viewport()->height());
    for (int row = first; row <= last && row < static_cast<int>(m_rows.size()); ++row) {
        Row &r = m_rows[static_cast<size_t>(row)];
        if (r.layout && r.layout->hasPendingWork())
            markDirty(row, true); // the same text: the layout goes on where it stopped
    }
}

QString ConversationView::emptyText() const
{
    if (m_conversation && !m_rows.empty())
        return {};
    return isLoading() ? tr("Loading messages…") : tr("Ask Kimi anything.");
}

bool ConversationView::isLoading() const
{
    return m_conversation && m_conversation->conversation() && m_conversation->conversation()->isLoading();
}

bool ConversationView::isLayoutSettled() const
{
    if (!m_conversation || m_rows.empty())
        return !isLoading();
    if (m_flushPending || m_progress.isActive())
        return false;
    const int first = std::max(0, rowAtY(scrollY()));
    const int last = rowAtY(scrollY() + viewport()->height());
    for (int row = first; row <= last && row < static_cast<int>(m_rows.size()); ++row) {
        const Row &r = m_rows[static_cast<size_t>(row)];
        if (!r.layout || r.dirty || r.layout->hasPendingWork() || r.layout->isPlaceholder())
            return false;
    }
    return true;
}

void ConversationView::updateTicker(int first, int last)
{
    bool ticking = false;
    for (int row = first; row <= last && row < static_cast<int>(m_rows.size()); ++row) {
        const Row &r = m_rows[static_cast<size_t>(row)];
        ticking |= r.layout && r.layout->needsTicks();
    }
    if (ticking && !m_ticker.isActive())
        m_ticker.start();
    else if (!ticking && m_ticker.isActive())
        m_ticker.stop();
}

void ConversationView::layoutNow()
{
    if (ensureLayout())
        viewport()->update();
    syncScrollBar();
}

int ConversationView::laidOutRows() const
{
    return static_cast<int>(
        std::count_if(m_rows.begin(), m_rows.end(), [](const Row &row) { return row.layout != nullptr; }));
}

const MessageLayout *ConversationView::layoutAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? m_rows[static_cast<size_t>(row)].layout.get()
                                                             : nullptr;
}

const RowState *ConversationView::rowState(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<size_t>(row)].state
                                                             : nullptr;
}

QRect ConversationView::rowRect(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return {};
    return QRect(0, static_cast<int>(m_heights.offset(row) - scrollY()), viewport()->width(),
                 m_heights.height(row));
}

QRect ConversationView::visualRect(const QModelIndex &index) const
{
    return index.isValid() ? rowRect(index.row()) : QRect();
}

void ConversationView::scrollTo(const QModelIndex &index, ScrollHint hint)
{
    if (!index.isValid())
        return;
    const qint64 top = m_heights.offset(index.row());
    const qint64 bottom = top + m_heights.height(index.row());
    const int page = viewport()->height();
    m_pinned = false;
    if (hint == PositionAtTop || (hint == EnsureVisible && top < scrollY()))
        setScrollY(top);
    else if (hint == PositionAtBottom || (hint == EnsureVisible && bottom > scrollY() + page))
        setScrollY(bottom - page);
    else if (hint == PositionAtCenter)
        setScrollY(top - (page - (bottom - top)) / 2);
    syncScrollBar();
    viewport()->update();
}

QModelIndex ConversationView::indexAt(const QPoint &point) const
{
    if (!m_conversation || m_rows.empty())
        return {};
    const int row = rowAtY(scrollY() + point.y());
    return rowRect(row).contains(point) ? m_conversation->index(row) : QModelIndex();
}

QModelIndex ConversationView::moveCursor(CursorAction, Qt::KeyboardModifiers)
{
    return currentIndex();
}

void ConversationView::paintEvent(QPaintEvent *event)
{
    // Rows that scrolled into view get their real heights now; if that moved anything, this
    // paint is followed by a full one.
    if (ensureLayout())
        viewport()->update();
    QPainter painter(viewport());
    painter.fillRect(event->rect(), m_style.palette.color(QPalette::Base));
    if (const QString empty = emptyText(); !empty.isEmpty()) {
        painter.setPen(m_style.muted);
        painter.setFont(m_style.body);
        painter.drawText(viewport()->rect(), Qt::AlignCenter, empty);
        return;
    }
    const QRect clip = event->rect();
    const qint64 y0 = scrollY();
    for (int row = rowAtY(y0 + clip.top()); row < static_cast<int>(m_rows.size()); ++row) {
        const qint64 top = m_heights.offset(row) - y0;
        if (top > clip.bottom())
            break;
        Row &r = m_rows[static_cast<size_t>(row)];
        if (!r.layout || r.dirty) {
            layoutRow(row); // a row scrolled in between layout passes (what the pass left of its time)
            scheduleProgress(row, row);
        }
        r.layout->paint(&painter, QPoint(0, static_cast<int>(top)), clip, context(row), r.state);
    }
}

void ConversationView::resizeEvent(QResizeEvent *event)
{
    QAbstractItemView::resizeEvent(event);
    if (viewport()->width() != m_width) {
        m_width = viewport()->width();
        for (Row &row : m_rows)
            row.dirty = true; // keeps its height as the estimate until it is in view again
    }
    updateGeometries();
    placeFooter();
}

void ConversationView::setFind(const QString &term, bool includeThinking)
{
    if (term == m_find.term && includeThinking == m_find.includeThinking)
        return;
    m_find = FindContext();
    m_find.term = term;
    m_find.includeThinking = includeThinking;
    viewport()->update();
}

void ConversationView::showMatch(qint64 messageId, TextArea area, int occurrence)
{
    m_find.messageId = messageId;
    m_find.area = area;
    m_find.occurrence = occurrence;
    const int row = m_conversation ? m_conversation->rowOf(messageId) : -1;
    if (row < 0) {
        viewport()->update();
        return;
    }
    Row &r = m_rows[static_cast<size_t>(row)];
    if (area == TextArea::Reasoning && !r.state.thinkingExpanded) {
        r.state.thinkingExpanded = true;
        r.state.thinkingToggled = true;
        markDirty(row, false);
    }
    if (area == TextArea::Content && !r.state.resultExpanded) {
        const Message *message = m_conversation->messageAt(row);
        if (message && MessageLayout::isLongResult(*message)) {
            r.state.resultExpanded = true; // a match in a folded result opens it
            markDirty(row, false);
        }
    }
    m_passDeadline = QDeadlineTimer(kLayoutBudget); // a pass of its own, for the row to show
    layoutRow(row);
    const int inRow = r.layout ? r.layout->matchY(area, m_find.term, occurrence) : -1;
    // The match a third of the way down, where the eye looks first.
    m_pinned = false;
    setScrollY(m_heights.offset(row) + std::max(0, inRow) - viewport()->height() / 3);
    syncScrollBar();
    viewport()->update();
}

void ConversationView::setShowThinking(bool show)
{
    if (show == m_showThinking)
        return;
    m_showThinking = show;
    for (Row &row : m_rows) {
        row.dirty = true;
        row.appendOnly = false;
    }
    clearSelection();
    viewport()->update();
}

void ConversationView::changeEvent(QEvent *event)
{
    QAbstractItemView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange
        || event->type() == QEvent::StyleChange)
        restyle();
}

bool ConversationView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAtY(scrollY() + help->pos().y());
        if (row >= 0 && m_rows[static_cast<size_t>(row)].layout) {
            const MessageHit hit = m_rows[static_cast<size_t>(row)].layout->hitTest(
                help->pos() - rowRect(row).topLeft(), m_rows[static_cast<size_t>(row)].state);
            if (!hit.link.isEmpty()) {
                QToolTip::showText(
                    help->globalPos(),
                    isOpenableLink(QUrl(hit.link))
                        ? openableForm(QUrl(hit.link)).toString()
                        : tr("%1\n(not opened: only http, https and mailto links open)").arg(hit.link),
                    viewport());
                return true;
            }
        }
        QToolTip::hideText();
        return true;
    }
    return QAbstractItemView::viewportEvent(event);
}

} // namespace moonpane
