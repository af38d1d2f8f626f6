// MessageLayout lays out and paints one message row: a header (who, when, branch switcher,
// actions on hover), the thinking block (live while the model reasons, then a one-line summary
// that expands on click), the reply's blocks (a tool's result as one code block, a long one
// folded behind a one-line bar), tool calls, a notice for anything that is not a
// plain stop (length limit, stopped, cut off, failed, with Continue and Retry), and a line of
// token figures. It keeps its blocks between updates: a streamed delta re-renders only the tail.
#pragma once

#include "BlockStack.h"
#include "conversation/Message.h"

#include <QCoreApplication>
#include <QRect>
#include <QRegion>
#include <QSet>
#include <QString>

#include <vector>

class QPainter;

namespace moonpane {

struct MessageStyle;
class ThumbnailCache;

enum class MessageAction {
    None,
    Copy,
    Edit,
    Regenerate,
    Delete,
    Retry,
    Continue,
    BranchPrevious,
    BranchNext,
    ToggleThinking,
    CopyCode,
    OpenLink,
    ShowAll, // a large block shown in part: show all of it
    OpenMedia, // an image or video sent with the message: look at it
    InspectToolCall, // a tool call's card: open it in the inspector
    ToggleResult, // a long tool result's bar: show or fold it
};

enum class TextArea { None, Reasoning, Content };

// What the view knows about a row beyond the message.
struct RowState
{
    bool thinkingExpanded = false;
    bool thinkingToggled = false; // the user chose; otherwise it follows the stream
    bool resultExpanded = false; // a long tool result shown whole (short ones always are)
    bool hovered = false;
    MessageAction hoveredAction = MessageAction::None;
    int hoveredCode = -1;
    qint64 failedAtMs = -1; // when the view first saw the failure (Retry-After countdown)
    // Selection within this row.
    TextArea selectionArea = TextArea::None;
    StackPosition selectionStart;
    StackPosition selectionEnd;
    // Large blocks of the reply the user asked to see whole (BlockStack::Hit::showAllKey).
    QSet<qsizetype> expandedBlocks;
};

// What the find bar looks for, and the match it is on.
struct FindContext
{
    QString term;
    bool includeThinking = false;
    qint64 messageId = 0; // the current match's message (0: none)
    TextArea area = TextArea::None;
    int occurrence = -1; // which match in that area of that message
};

struct LayoutContext
{
    const MessageStyle *style = nullptr;
    int width = 0; // the row's width
    bool showThinking = true;
    qint64 nowMs = 0; // wall clock, for live timers
    int branchIndex = 0;
    int branchCount = 1;
    const FindContext *find = nullptr; // highlights matches when set
    ThumbnailCache *thumbnails = nullptr; // pictures of a message's media (placeholders without)
    // Layout work stops here and goes on in a later sync (MessageLayout::hasPendingWork).
    QDeadlineTimer deadline {QDeadlineTimer::Forever};
    // The part of the row in view, in row coordinates: laid out first.
    int visibleTop = 0;
    int visibleBottom = INT_MAX;
};

struct MessageHit
{
    MessageAction action = MessageAction::None;
    TextArea area = TextArea::None;
    StackPosition position;
    QString link;
    QString code;
    int codeBlock = -1; // the block whose button is under the point (Copy, Show all)
    qsizetype blockKey = -1; // ShowAll: which block
    int media = -1; // OpenMedia: which of the message's parts
    int toolCall = -1; // InspectToolCall: which of the message's calls
};

class MessageLayout final
{
    Q_DECLARE_TR_FUNCTIONS(MessageLayout)

public:
    MessageLayout();
    ~MessageLayout();

    // Brings the layout up to date. `appendOnly`: only the reply's text grew since the last sync.
    void sync(const Message &message, const LayoutContext &context, const RowState &row, bool appendOnly);
    int height() const { return m_height; }
    // Whether this is a placeholder for a message whose text has not arrived.
    bool isPlaceholder() const { return m_placeholder; }
    int width() const { return m_width; }
    // Blocks left for a later sync (the deadline came first); they show as placeholders.
    bool hasPendingWork() const { return m_content.hasPendingWork() || m_reasoning.hasPendingWork(); }
    // How far the last sync moved what was at LayoutContext::visibleTop (what is above it took
    // its real height), so that the view can keep it in place.
    int shiftAboveVisible() const { return m_shiftAbove; }

    void paint(QPainter *painter, QPoint origin, const QRect &clip, const LayoutContext &context,
               const RowState &row) const;
    MessageHit hitTest(QPoint local, const RowState &row) const;

    QString selectedText(const RowState &row) const;
    // Where the `occurrence`-th match of `term` in an area is, relative to the row (-1: none).
    int matchY(TextArea area, const QString &term, int occurrence) const;
    QString plainContent() const { return m_content.plainText(); }
    const BlockStack &stack(TextArea area) const
    {
        return area == TextArea::Reasoning ? m_reasoning : m_content;
    }
    // Where things are, relative to the row (for tests and accessibility): a button's rectangle
    // and label (header buttons count only while the row is hovered), the thinking header.
    QRect buttonRect(MessageAction action) const;
    QString buttonLabel(MessageAction action) const;
    QRect thinkingHeaderRect() const { return m_thinkingHeader; }
    QPoint contentOrigin() const { return m_contentOrigin; }
    QPoint reasoningOrigin() const { return m_reasoningOrigin; }

    // The part of the row (row coordinates) whose picture the last sync changed.
    const QRegion &changedRegion() const { return m_changed; }

    // Whether the row shows a live timer (thinking, or a Retry-After countdown).
    bool needsTicks() const { return m_ticking; }

    // A cheap height guess for a row never laid out (only its text length is looked at).
    static int estimateHeight(const Message &message, const LayoutContext &context);
    static QString thinkingSummary(const Message &message, qint64 nowMs);
    // A tool result too long to show unasked: folded behind a bar saying what it holds.
    static bool isLongResult(const Message &message);
    static constexpr qsizetype kLongResultChars = 600;
    static constexpr int kLongResultLines = 8;
    // Whether the row's foldable part (thinking, or a long tool result) is open now.
    bool isFoldOpen() const { return m_role == Role::Tool ? !m_content.isEmpty() : !m_reasoning.isEmpty(); }
    // "3.4 s", "12 s", "under 0.1 s": how timings read everywhere in the app.
    static QString seconds(qint64 ms);

private:
    static constexpr int kBubblePadding = 10;
    static constexpr int kMediaTile = 112; // a sent image's or video's tile, square
    static constexpr int kMediaGap = 6;
    static constexpr int kThinkingIndent = 14;
    static constexpr int kNoticePadding = 10;
    // The height of `text` wrapped at `width` (0 for none): notices, in layout and paint alike.
    static int wrappedHeight(const QFont &font, int width, const QString &text);

    struct Button
    {
        MessageAction action = MessageAction::None;
        QRect rect;
        QString label;
        bool enabled = true;
    };
    struct Notice
    {
        QRect rect;
        QString title;
        QString detail;
        bool error = false;
    };

    void arrange(const Message &message, const LayoutContext &context, const RowState &row);
    // A stub whose text is on its way: its header and grey lines at the estimated height.
    void syncPlaceholder(const Message &message, const LayoutContext &context);
    void paintPlaceholder(QPainter *painter, const QRect &localClip, const MessageStyle &style) const;
    void paintMedia(QPainter *painter, const LayoutContext &context) const;
    const Button *button(MessageAction action) const; // in the header or below the text
    // Everything but the text and thinking header, to notice when a tick changed it.
    QString otherSignature() const;
    // Places buttons in a row at (x, y), leftwards from x when alignRight; returns their height.
    static int addButtons(std::vector<Button> buttons, int x, int y, const MessageStyle &style,
                          bool alignRight, std::vector<Button> *into);

    BlockStack m_reasoning;
    BlockStack m_content;
    qint64 m_messageId = 0;
    Role m_role = Role::User;
    int m_width = 0;
    int m_height = 0;
    bool m_ticking = false;
    bool m_placeholder = false; // the message's text is not loaded yet

    // Geometry, relative to the row.
    QRect m_column; // the readable column
    QRect m_bubble; // user messages
    QRect m_header;
    QString m_headerText;
    QRect m_thinking; // the whole thinking block
    QRect m_thinkingHeader;
    QString m_thinkingText;
    QPoint m_reasoningOrigin;
    QPoint m_contentOrigin;
    std::vector<std::pair<QRect, QString>> m_toolCalls;
    // A user message's media, as tiles above its text.
    struct MediaTile
    {
        QRect rect;
        int part = 0; // its place in Message::parts
        MediaRef media; // null for a reference the server holds (ms://)
        bool video = false;
        QString label; // what a tile without a picture says
    };
    std::vector<MediaTile> m_media;
    std::vector<Notice> m_notices;
    QRect m_meta;
    QString m_metaText;
    std::vector<Button> m_headerButtons; // shown on hover
    std::vector<Button> m_buttons; // always shown
    QRect m_branchLabel;
    QString m_branchText;
    QRegion m_changed;
    int m_shiftAbove = 0;
};

} // namespace moonpane
