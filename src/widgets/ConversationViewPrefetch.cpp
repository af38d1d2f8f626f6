// ConversationView's layouts of rows out of view: laying out the rows the user is about to
// scroll to while the event loop has nothing else to do, and freeing the layouts of rows far
// away. The rows in view, their layout passes and painting are in ConversationView.cpp.
#include "ConversationView.h"

#include <QScrollBar>

#include <algorithm>

namespace moonpane {

namespace {

// Row layouts kept alive; rows further away keep only their height.
constexpr int kMaxLayouts = 300;

} // namespace

std::vector<int> ConversationView::prefetchRows() const
{
    const int count = static_cast<int>(m_rows.size());
    const int page = viewport()->height();
    const qint64 top = scrollY();
    const int first = rowAtY(top) - 2; // ensureLayout lays out from two above the view
    const int last = rowAtY(top + page);
    const int below = rowAtY(top + page + (m_scrollDirection > 0 ? 2 * page : page / 2));
    const int above = rowAtY(std::max<qint64>(0, top - (m_scrollDirection < 0 ? 2 * page : page / 2)));
    std::vector<int> rows;
    const auto ahead = [&](int direction) {
        if (direction > 0) {
            for (int row = last + 1; row <= below && row < count; ++row)
                rows.push_back(row);
        } else {
            for (int row = first - 1; row >= above && row >= 0; --row)
                rows.push_back(row);
        }
    };
    ahead(m_scrollDirection);
    ahead(-m_scrollDirection);
    return rows;
}

bool ConversationView::needsLayout(int row) const
{
    const Row &r = m_rows[static_cast<size_t>(row)];
    return !r.layout || r.dirty || r.laidOutWidth != viewport()->width() || r.layout->hasPendingWork();
}

bool ConversationView::isPrefetchDone() const
{
    if (!m_conversation || m_rows.empty())
        return true;
    const std::vector<int> rows = prefetchRows();
    return std::none_of(rows.begin(), rows.end(), [this](int row) {
        return needsLayout(row) || m_rows[static_cast<size_t>(row)].layout->isPlaceholder();
    });
}

void ConversationView::schedulePrefetch()
{
    if (m_prefetch.isActive() || !m_conversation)
        return;
    const std::vector<int> rows = prefetchRows();
    if (std::any_of(rows.begin(), rows.end(), [this](int row) { return needsLayout(row); }))
        m_prefetch.start();
}

void ConversationView::prefetch()
{
    if (!m_conversation || m_rows.empty() || m_inLayout)
        return;
    // What is in view comes first: its pass schedules this again when it is done.
    if (m_flushPending || m_progress.isActive())
        return;
    m_passDeadline = QDeadlineTimer(kPrefetchBudget);
    const int firstInView = rowAtY(scrollY());
    qint64 shift = 0; // how much the rows above the view grew
    bool more = false;
    for (int row : prefetchRows()) {
        if (!needsLayout(row))
            continue;
        if (m_passDeadline.hasExpired()) {
            more = true;
            break;
        }
        Row &r = m_rows[static_cast<size_t>(row)];
        if (r.layout && !r.dirty && r.laidOutWidth == viewport()->width()) {
            r.dirty = true; // the same text: its layout goes on where it stopped
            r.appendOnly = true;
        }
        const int before = m_heights.height(row);
        layoutRow(row);
        if (row < firstInView)
            shift += m_heights.height(row) - before;
        more |= needsLayout(row);
    }
    if (shift != 0 || m_pinned) {
        setScrollY(m_pinned ? maximumScroll() : scrollY() + shift);
        syncScrollBar();
    } else if (verticalScrollBar()->maximum() != maximumScroll()) {
        syncScrollBar();
    }
    if (more)
        m_prefetch.start();
}

void ConversationView::evictLayouts(int first, int last)
{
    int alive = laidOutRows();
    // The layouts farthest from the view go first, only as many as are over the bound: freeing
    // a layout costs about as much as making it, so a pass frees about what it made.
    int above = 0;
    int below = static_cast<int>(m_rows.size()) - 1;
    while (alive > kMaxLayouts && (above < first - 50 || below > last + 50)) {
        const bool fromTop = above < first - 50 && (first - above >= below - last || below <= last + 50);
        const int row = fromTop ? above++ : below--;
        Row &r = m_rows[static_cast<size_t>(row)];
        if (r.layout && row != m_selectionRow) {
            r.layout.reset();
            r.dirty = true;
            --alive;
        }
    }
}

} // namespace moonpane
