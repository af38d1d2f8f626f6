// ConversationView shows a ConversationModel. It paints its own rows (MessageLayout) instead of
// asking a delegate for every row: only rows in view are laid out and painted, every other row
// has an estimated height in a prefix-sum index, refined when it is laid out, and a streamed
// delta re-lays out only the tail of one row. While the event loop is idle the rows a page or
// two ahead of the view are laid out, so scrolling there only paints. Scrolling stays pinned to
// the bottom while a reply streams unless the user scrolls up. Text is selectable within a
// message's reply or its thinking; links open only on a click, and only http, https and mailto.
#pragma once

#include "HeightIndex.h"
#include "MessageLayout.h"
#include "MessageStyle.h"

#include <QAbstractItemView>
#include <QDeadlineTimer>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

namespace moonpane {

class Conversation;
class ConversationModel;
class ThumbnailCache;
struct MediaRef;

class ConversationView final : public QAbstractItemView
{
    Q_OBJECT

public:
    explicit ConversationView(QWidget *parent = nullptr);
    ~ConversationView() override;

    void setModel(QAbstractItemModel *model) override;

    bool showThinking() const { return m_showThinking; }
    void setShowThinking(bool show);
    // Where the pictures of sent media come from (without: placeholders).
    void setThumbnails(ThumbnailCache *thumbnails);
    // The find bar: highlights every match of `term` (case-insensitive, in the rendered text;
    // in the thinking too when asked), or none when it is empty.
    void setFind(const QString &term, bool includeThinking);
    // Marks a match as the current one and scrolls it into view (opening the thinking if it is there).
    void showMatch(qint64 messageId, TextArea area, int occurrence);
    const FindContext &find() const { return m_find; }
    // Whether the view follows the end of the conversation. A reset that brings back the same
    // conversation keeps the view where it was (pinned, or the same message at the top).
    bool isPinnedToBottom() const { return m_pinned; }
    // A widget that sits after the last message, in the readable column, and scrolls with the
    // conversation (the tool approval card); it takes room only while it is shown, and the view
    // scrolls to it when it appears. The view does not own it.
    void setFooter(QWidget *footer);
    QWidget *footer() const { return m_footer; }
    void setPinnedToBottom(bool pinned);

    // The selected text (within one message), or empty.
    QString selectedText() const;
    void copySelection() const;

    // Links a click may open.
    static bool isOpenableLink(const QUrl &url);
    // What a click on an openable link opens: a mailto: link loses its query (?attach=, ?body=,
    // ?cc= could make a mail program attach a file or send more than the user saw).
    static QUrl openableForm(const QUrl &url);

    // For tests and benchmarks.
    int laidOutRows() const;
    const MessageLayout *layoutAt(int row) const;
    const RowState *rowState(int row) const;
    QRect rowRect(int row) const; // in viewport coordinates
    void layoutNow(); // lays out what is in view, as a paint would, and updates the scroll bar
    // Whether the rows in view are wholly laid out (no block waits for a later pass, the
    // conversation's messages are not still being read).
    bool isLayoutSettled() const;
    // The conversation shown is still being read (it paints "Loading messages…").
    bool isLoading() const;
    // What the view says when it has no rows to show ("Loading messages…" while the
    // conversation is read, an invitation when it is empty), or nothing when it shows rows.
    QString emptyText() const;
    // Layout work per pass; the rest waits for the next turn of the event loop.
    static constexpr std::chrono::milliseconds kLayoutBudget {5};
    // Layout work per turn of the event loop on rows just out of view (see prefetch()).
    static constexpr std::chrono::milliseconds kPrefetchBudget {3};
    // Whether the rows two pages ahead of the view (in the direction it last scrolled) and half
    // a page behind are laid out, so that scrolling there only paints.
    bool isPrefetchDone() const;
    // Applies the changes that arrived since the last call: lays out the changed rows in view,
    // scrolls, and asks to repaint only what changed. Runs by itself once per event loop turn.
    void flushPendingLayout();

    QRect visualRect(const QModelIndex &index) const override;
    void scrollTo(const QModelIndex &index, ScrollHint hint = EnsureVisible) override;
    QModelIndex indexAt(const QPoint &point) const override;

signals:
    // Edit, Regenerate, Delete, Retry, Continue, BranchPrevious, BranchNext on a message.
    void actionRequested(moonpane::MessageAction action, qint64 messageId);
    void linkActivated(const QUrl &url);
    void linkRefused(const QUrl &url);
    void copied(const QString &what); // for a status message
    // An image or video of a sent message was clicked: look at it.
    void mediaActivated(const moonpane::MediaRef &media);
    // A tool call's card was clicked: call `index` of the message `messageId`.
    void toolCallActivated(qint64 messageId, int index);

protected:
    QModelIndex moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers) override;
    int horizontalOffset() const override { return 0; }
    int verticalOffset() const override;
    bool isIndexHidden(const QModelIndex &) const override { return false; }
    void setSelection(const QRect &, QItemSelectionModel::SelectionFlags) override { }
    QRegion visualRegionForSelection(const QItemSelection &) const override { return {}; }
    void updateGeometries() override;
    void scrollContentsBy(int dx, int dy) override;
    void wheelEvent(QWheelEvent *event) override;

    void dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                     const QList<int> &roles = {}) override;
    void rowsInserted(const QModelIndex &parent, int start, int end) override;
    void rowsAboutToBeRemoved(const QModelIndex &parent, int start, int end) override;
    void reset() override;

    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Row
    {
        std::unique_ptr<MessageLayout> layout;
        RowState state;
        bool dirty = true; // the message changed since it was laid out
        bool appendOnly = true; // ...and only its text grew
        int laidOutWidth = 0;
        qint64 version = 0; // the stored version of the message it was laid out from (0: none)
    };

    LayoutContext context(int row) const;
    void restyle();
    void rebuildRows();
    int estimate(int row) const;
    bool layoutRow(int row); // returns whether its height changed
    bool ensureLayout(); // returns whether heights or the scroll position changed
    void evictLayouts(int first, int last);
    void updateTicker(int first, int last);
    void scheduleProgress(int first, int last); // more layout work waits in view
    void continueLayout();
    std::vector<int> prefetchRows() const; // nearest first
    bool needsLayout(int row) const;
    void schedulePrefetch();
    void prefetch();
    qint64 scrollY() const;
    void setScrollY(qint64 y);
    int rowAtY(qint64 y) const;
    void activate(const MessageHit &hit, int row);
    void clearSelection();
    void markDirty(int row, bool appendOnly);
    void copyText(const QString &text, const QString &what) const;
    qint64 maximumScroll() const;
    void syncScrollBar(); // the scroll bar shows m_scrollY and the content height

    ConversationModel *m_conversation = nullptr;
    MessageStyle m_style;
    std::vector<Row> m_rows;
    HeightIndex m_heights;
    QTimer m_ticker;
    // The scroll position is the view's own; the scroll bar follows it at most 20 times a
    // second, since repainting it on every streamed line costs more than the line itself.
    qint64 m_scrollY = 0;
    QTimer m_scrollBarSync;
    bool m_syncingBar = false;
    int m_width = 0;
    bool m_showThinking = true;
    ThumbnailCache *m_thumbnails = nullptr;
    FindContext m_find;
    bool m_pinned = true;
    QPointer<QWidget> m_footer;
    QRect footerRect() const; // in the viewport
    int footerHeight() const; // with the gap below it; 0 while it is hidden
    void placeFooter();
    struct ResetAnchor
    {
        const Conversation *conversation = nullptr;
        bool pinned = true;
        qint64 topId = 0;
        // The rows laid out before, by message id: the same conversation read again keeps the
        // layouts of the messages whose stored version did not change.
        std::unordered_map<qint64, Row> rows;
    };
    void reuseRows(std::unordered_map<qint64, Row> &kept);
    ResetAnchor m_beforeReset;
    bool m_inLayout = false;
    bool m_flushPending = false;
    bool m_othersMoved = false; // a layout changed the height of a row that was not just growing
    // Layout work of one pass stops here (kLayoutBudget); rows in view with work left go on
    // in the next turn of the event loop (m_progress), so no frame waits for a long reply.
    // Outside a pass (its time is over) a sync does only what must not wait.
    QDeadlineTimer m_passDeadline {0};
    QTimer m_progress;
    // Rows out of view are laid out while the event loop has nothing else to do, a budget at a
    // time, so a page of scrolling finds them ready. Rows above the view that change height
    // move the scroll position by as much, so what is on screen stays where it is.
    QTimer m_prefetch;
    int m_scrollDirection = -1; // -1: last scrolled up (a conversation opens at its end), 1: down
    int m_anchorRow = -1; // the row kept in place while a pass lays out...
    qint64 m_anchorShift = 0; // ...and how far what is in view of it moved meanwhile
    int m_hoveredRow = -1;
    int m_selectionRow = -1;
    bool m_selecting = false;
    MessageHit m_pressHit;
    int m_pressRow = -1;
    QPoint m_pressPos;
};

} // namespace moonpane
