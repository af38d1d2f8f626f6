// ThinkingTurn: one turn of a conversation as the thinking inspector shows it. A turn runs from
// a user message along the active path to the next one: each round's reasoning (how long, how
// many tokens), the tool calls and their results between rounds, and the answer. With the
// figures of the turn: time thinking and answering, tokens of each (the server's
// `completion_tokens_details.reasoning_tokens` when it reported them, else an estimate of four
// characters a token, marked as one) and the rate of each.
//
// Also: what Preserved Thinking (keep: "all") sends back with the next request, and the turn's
// reasoning as Markdown. Reads only what is in memory (a message whose text is not loaded yet
// counts as unknown): no query, fit for the UI thread for turns of ordinary size.
#pragma once

#include "Conversation.h"
#include "api/ChatParameters.h"

#include <QList>
#include <QString>

#include <optional>

namespace moonpane {

struct ThinkingSegment
{
    enum class Kind { Reasoning, ToolCall, ToolResult, Answer };
    Kind kind = Kind::Reasoning;
    qint64 messageId = 0;
    int round = 0; // which request of the turn (1-based)
    int toolIndex = -1; // ToolCall: its place in the message
    QString label; // a tool's name; empty otherwise
    qint64 ms = -1; // how long (reasoning, answer), when known
    qint64 tokens = -1; // -1: unknown
    bool estimated = false; // tokens guessed from characters
    qint64 characters = 0;
};

struct ThinkingTurn
{
    static constexpr qint64 kCharsPerToken = 4; // the estimate, when the server says nothing

    qint64 userId = 0; // the message that began the turn (0: none found)
    QList<ThinkingSegment> segments;
    int rounds = 0;
    qint64 thinkingMs = 0;
    qint64 answeringMs = 0;
    qint64 reasoningTokens = 0;
    bool reasoningEstimated = false;
    qint64 answerTokens = 0;
    bool answerEstimated = false;
    bool incomplete = false; // a message's text was not loaded: figures are partial

    // Tokens per second while it thought and while it answered (none without a duration).
    std::optional<double> thinkingRate() const;
    std::optional<double> answeringRate() const;

    // The turn that `messageId` belongs to, on the active path (empty when it is not on it).
    static ThinkingTurn of(const Conversation &conversation, qint64 messageId);
    // The user messages that begin turns, on the active path, in order.
    static QList<qint64> turnStarts(const Conversation &conversation);
    // The turn's reasoning as Markdown: each round's reasoning quoted, with its figures, the
    // tool calls and their results between, and the answer.
    QString markdown(const Conversation &conversation) const;
};

// Another branch of a turn, to compare with: a reply regenerated beside the turn's first reply,
// or the reply to an edited version of its question. Its reasoning (every round's, in order)
// and its answer, read down that branch (the newest message at each step) to the next question.
struct ThinkingBranch
{
    qint64 replyId = 0; // the branch's first reply
    QString label;
    QList<qint64> messageIds; // the branch's messages of the turn, in order
    QString reasoning;
    QString answer;
    bool loaded = true; // false: some of their text is not read yet (see messageIds)

    // The turn of `userId` as it is on the active path, and the other branches of it.
    static ThinkingBranch shown(const Conversation &conversation, qint64 userId);
    static QList<ThinkingBranch> alternatives(const Conversation &conversation, qint64 userId);
    // Whether there is any, without reading them (what enables Compare while a reply streams).
    static bool hasAlternatives(const Conversation &conversation, qint64 userId);
    // The branch from `replyId` down (the newest child at each step) to the next question.
    static ThinkingBranch from(const Conversation &conversation, qint64 replyId, const QString &label);
};

// What the next request sends back of earlier reasoning. Without keep: "all" the server is sent
// none (a tool-call message of an earlier turn keeps an empty reasoning_content); with it, the
// reasoning of every earlier reply on the path goes back.
struct PreservedThinking
{
    bool enabled = false; // thinking on and keep: "all"
    QList<qint64> messageIds; // the replies whose reasoning goes back
    qint64 characters = 0;
    qint64 tokens = 0;
    bool estimated = false;

    static PreservedThinking of(const Conversation &conversation, const ChatParameters &parameters);
};

} // namespace moonpane
