// One message of a conversation as Moonpane keeps it: the wire content plus what the app needs
// around it (its place in the branch tree, state, error, usage, timings).
#pragma once

#include "api/ApiError.h"
#include "api/ChatMessage.h"
#include "api/Usage.h"

#include <QDateTime>
#include <QFlags>
#include <QString>

#include <optional>

namespace moonpane {

enum class MessageState {
    Complete,
    Streaming, // the reply is arriving
    Incomplete, // cut off or stopped; what arrived is kept
    Failed, // the request failed; `error` says why
};

// The parts of a message a change touched, so that each observer does only what that change
// needs: the store writes those columns and no others, the model names those roles.
enum class MessageField : quint16 {
    Content = 1 << 0,
    Reasoning = 1 << 1, // the text and whether there is any
    ToolCalls = 1 << 2,
    State = 1 << 3,
    Error = 1 << 4,
    FinishReason = 1 << 5,
    Usage = 1 << 6,
    Timings = 1 << 7, // thinking, first token, generation
    Model = 1 << 8,
};
Q_DECLARE_FLAGS(MessageFields, MessageField)
Q_DECLARE_OPERATORS_FOR_FLAGS(MessageFields)

// Every field a change can name.
inline constexpr MessageFields kAllMessageFields = MessageField::Content | MessageField::Reasoning
    | MessageField::ToolCalls | MessageField::State | MessageField::Error | MessageField::FinishReason
    | MessageField::Usage | MessageField::Timings | MessageField::Model;

// What the user may do with a message, decided here once for the buttons, the context menu
// and ChatSession alike.
struct MessageActions
{
    bool edit = false; // edit and resend (a user message)
    bool regenerate = false; // a new reply beside this one
    bool retry = false; // again, after a failure or a cut
    bool continueReply = false; // Partial Mode: go on from where a cut-off reply ended
    bool remove = false;
};

struct Message
{
    qint64 id = 0; // unique within its conversation, never reused
    qint64 parentId = 0; // the message it answers or follows; 0 for the first
    Role role = Role::User;
    QString content;
    QList<ContentPart> parts; // media sent with a user message (text lives in `content`)
    QString reasoning;
    bool hasReasoning = false;
    QList<ToolCall> toolCalls;
    QString toolCallId;
    QString name;
    QString finishReason;
    std::optional<Usage> usage;
    MessageState state = MessageState::Complete;
    ApiError error;
    QDateTime createdAt;
    QString model;
    qint64 thinkingMs = -1; // how long the model reasoned
    qint64 firstTokenMs = -1; // from sending to the first reasoning or content token
    qint64 generationMs = -1; // from the first token to the end
    // A message read from the store may be a stub: its structure and sizes, with the text
    // (content, reasoning, tool calls, parts, usage, error) loaded when it is needed.
    bool textLoaded = true;
    qint64 textLength = 0; // characters of content and reasoning, known even for a stub
    // For the store: when its row was last written (it grows with every write), to tell which
    // messages another process changed. 0 for a message not read from the store.
    qint64 storedVersion = 0;

    // The message as it goes into a request (ChatRequest applies the history rules).
    ChatMessage toChatMessage() const;
    // A wire message as Moonpane keeps it: its text in `content` (text parts joined), its media
    // in `parts`.
    static Message fromChatMessage(const ChatMessage &wire);
    // Completion tokens per second while the reply streamed, when that means something: a reply
    // that came at once (not streamed, or a very short one) has no rate worth showing.
    std::optional<double> tokensPerSecond() const;
    static constexpr qint64 kMinRateMs = 250;
    bool isAssistant() const { return role == Role::Assistant; }
    // Whether this reply was cut off (stopped, dropped, or at the token limit) with text to go on from.
    bool canContinue() const;
    MessageActions actions() const;
};

} // namespace moonpane
