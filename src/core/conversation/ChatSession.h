// ChatSession is the one place a turn runs, for the app and the CLI alike: send a message,
// regenerate a reply, edit a message and resend (a new branch), retry a failed reply, continue a
// reply cut at the token limit (Kimi's Partial Mode, joined into one message), stop.
//
// A turn runs requests until it ends. When a reply ends asking for tools (finish_reason
// "tool_calls"), the turn waits for approval, then for the calls' results, which go back as
// role "tool" messages (matched by their place, never by id: ids repeat across turns) and the
// next request goes out, up to maxToolRounds() rounds:
//
//   Idle ─send─▶ Streaming ─reply─▶ Done | Failed | Stopped
//                  ▲   └─tool calls─▶ AwaitingApproval ─beginToolRun─▶ RunningTools
//                  └────────────── submitToolResults ◀──────────────────────┘ (or from AwaitingApproval)
//
// stop() ends a turn in any of its states; calls left unanswered get a result saying so, so the
// conversation can go on. Deltas go into the conversation as they stream, and whoever watches it
// (the store, a model showing it, inspectors) follows: a delta touches one message, and a
// tool-call delta appends to one call's arguments.
#pragma once

#include "Conversation.h"
#include "api/ChatCall.h"
#include "api/ChatParameters.h"
#include "api/ChatRequest.h"
#include "api/RequestBudget.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <functional>

namespace moonpane {

class ChatClient;
class FileUpload;
class RequestBody;
class WireRecorder;

// A tool call's answer: the text the model gets, and media (images a tool returned) sent with
// it as parts of the tool message.
struct ToolAnswer
{
    QString text;
    QList<ContentPart> parts;
};

class ChatSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatSession)

public:
    enum class TurnState {
        Idle, // no turn yet
        Uploading, // media too large to go inline go to the Files API; the request follows
        Streaming, // a request is out
        AwaitingApproval, // the reply asked for tools; nothing runs until allowed
        RunningTools, // allowed; the results are awaited
        Done, // the last reply ended normally
        Failed, // a request failed (the reply says why)
        Stopped, // stop(), or the round limit
    };
    Q_ENUM(TurnState)

    static constexpr int kDefaultMaxToolRounds = 10;

    ChatSession(ChatClient *client, Conversation *conversation, QObject *parent = nullptr);
    ~ChatSession() override;

    Conversation *conversation() const { return m_conversation; }
    void setDefaults(const ChatParameters &defaults) { m_defaults = defaults; }
    // Parameters that win over the conversation's own (the CLI's options).
    void setOverride(const std::optional<ChatParameters> &parameters) { m_override = parameters; }
    // The override, else the conversation's own parameters, else the app-wide defaults.
    ChatParameters parameters() const;
    // What went over the wire for this conversation (a bounded ring); attach sinks to it (the
    // CLI's --trace file).
    WireRecorder *wire() const { return m_wire; }

    TurnState state() const { return m_state; }
    // Requests of the current (or last) turn so far.
    int round() const { return m_round; }
    // How many requests a turn may make when the model keeps asking for tools.
    int maxToolRounds() const { return m_maxToolRounds; }
    void setMaxToolRounds(int rounds) { m_maxToolRounds = std::max(1, rounds); }
    // The reply whose tool calls the turn waits on, and those calls (AwaitingApproval, RunningTools).
    qint64 toolCallMessageId() const { return m_toolReplyId; }
    QList<ToolCall> pendingToolCalls() const;

    // AwaitingApproval → RunningTools: the calls were allowed and are running.
    bool beginToolRun();
    // The calls' results, one per pending call in their order, go back as tool messages and the
    // turn goes on with the next request. Returns why not (then nothing changed).
    QStringList submitToolResults(const QStringList &results);
    QStringList submitToolResults(const QList<ToolAnswer> &answers);
    // The last turn stopped because it reached maxToolRounds() with the model still asking.
    bool stoppedAtRoundLimit() const { return m_roundLimitHit; }
    // Tools offered on top of the parameters' own (the app's tool sets, MCP servers, the web
    // search switch), asked for each request; a name the parameters already have is skipped.
    void setToolSource(std::function<QJsonArray()> source) { m_toolSource = std::move(source); }

    // Each returns the problems that kept it from sending (empty when a request started).
    QStringList send(const QString &text, const QList<ContentPart> &parts = {});
    QStringList regenerate(qint64 assistantId);
    QStringList editAndResend(qint64 userId, const QString &text);
    QStringList retry(qint64 assistantId);
    QStringList continueReply(qint64 assistantId);
    // Sends `body` as it is (the wire inspector's Edit & resend) for a new reply beside
    // `assistantId`, a new branch; `model` names the reply's model (empty: the old reply's).
    QStringList resend(qint64 assistantId, RequestBody body, bool stream, const QString &model = {});
    void stop();
    // Ends a turn waiting on tool calls with these answers (one per call, in order: what ran
    // and what did not), sending nothing more. Otherwise as stop().
    void stopWithAnswers(const QList<ToolAnswer> &answers);
    // The body send(text, parts) would post now, changing nothing (the CLI's --dry-run). Media
    // are read and encoded into it: not for the UI thread.
    QStringList preview(const QString &text, const QList<ContentPart> &parts, QByteArray *body);
    // What send(text, parts) would weigh now, reading nothing: not known while the history's text
    // is still on its way (the conversation reads it in the background once opened). Builds the
    // whole body: for a long conversation, call prepareBudget here and weigh() on a worker.
    RequestBudget budget(const QString &text, const QList<ContentPart> &parts);
    // The part of budget() that needs the conversation (cheap: references, no JSON): the media
    // and the request to weigh; isKnown() is false until weigh() ran. `weighable` is false while
    // the history's text is still on its way.
    RequestBudget prepareBudget(const QString &text, const QList<ContentPart> &parts, ChatRequest *request,
                                bool *fit, bool *weighable);
    // The part that builds the body (the cost of a long conversation): runs anywhere.
    static void weigh(RequestBudget &budget, ChatRequest request, bool fit);

    // Media of earlier turns a request sends again: those of the last `turns` user messages (0:
    // all that fit). Older ones go as a line saying what was left out.
    void setMediaTurns(int turns) { m_mediaTurns = std::max(0, turns); }
    int mediaTurns() const { return m_mediaTurns; }
    // For the next request only: media of earlier turns are left out, oldest first, until the
    // request fits the API's limit.
    void leaveOutOldMediaToFit(bool on = true) { m_fitOnce = on; }
    bool leavesOutOldMediaToFit() const { return m_fitOnce; }

    // What a call that ended this way leaves its reply as.
    static MessageState stateAfter(ChatCall::Outcome outcome);

    // A turn is under way: a request is out, or tool calls wait.
    bool isBusy() const
    {
        return m_state == TurnState::Uploading || m_state == TurnState::Streaming
            || m_state == TurnState::AwaitingApproval || m_state == TurnState::RunningTools;
    }
    qint64 streamingMessageId() const { return m_replyId; }

signals:
    void stateChanged(moonpane::ChatSession::TurnState state);
    void busyChanged(bool busy);
    void replyStarted(qint64 messageId);
    void replyFinished(qint64 messageId);
    // Deltas as they are stored (for persistence and inspectors).
    void replyProgressed(qint64 messageId);
    // A medium going to the Files API before the request: `sent` bytes of `total`.
    void uploadProgressed(const QString &name, qint64 sent, qint64 total);

private:
    // Starts a reply under `parentId` (a message on the active path). With `continueId`, the
    // request ends with that assistant message as a partial prefix and the reply extends it.
    QStringList startReply(qint64 parentId, qint64 continueId = 0);
    // Validates and serializes a request, within the API's size limit.
    static QStringList encode(const ChatRequest &request, RequestBody *body);
    // The request for a reply under `parentId` (0: the first message), `extra` (a message not in
    // the conversation) last, with the media policy applied; `leftOut` says what it left out.
    ChatRequest makeRequest(qint64 parentId, const ChatMessage *extra, QStringList *leftOut,
                            QList<MediaRef> *uploads);
    // Media too large to go inline become references to the Files API: uploaded before (by
    // hash) at once; the others, when the server has the API, a stand-in until uploaded (they go
    // in `uploads`, when asked for).
    void referToUploads(ChatRequest &request, QList<MediaRef> *uploads) const;
    // Why a request cannot go: media too large to go inline that cannot be uploaded.
    QStringList tooLargeToSend(const ChatRequest &request) const;
    void uploadNext(QList<MediaRef> uploads);
    void addReply(qint64 parentId, const QString &model); // a new, streaming reply: m_replyId
    void beginRequest(bool stream); // the turn's state for the request about to go out
    void post(RequestBody body, bool stream);
    void failReply(const ApiError &error);
    void setState(TurnState state);
    // Answers the tool calls of `replyId` as tool messages, in their order: with `results`, one per
    // call, or with the one text given for them all. Returns the last one added.
    qint64 answerCalls(qint64 replyId, const QList<ToolAnswer> &answers);
    void onReasoning(const QString &delta);
    void onContent(const QString &delta);
    void onFinished();
    void appendContent(const QString &delta);
    void appendReasoning(const QString &delta);

    ChatClient *m_client;
    Conversation *m_conversation;
    ChatParameters m_defaults;
    std::optional<ChatParameters> m_override;
    WireRecorder *m_wire = nullptr; // a child

    QPointer<ChatCall> m_call;
    QPointer<FileUpload> m_upload; // Uploading: the one going
    ChatRequest m_waiting; // Uploading: the request, sent when the uploads are done
    TurnState m_state = TurnState::Idle;
    int m_round = 0;
    int m_maxToolRounds = kDefaultMaxToolRounds;
    qint64 m_toolReplyId = 0;
    qint64 m_replyId = 0;
    QElapsedTimer m_clock;
    qint64 m_reasoningStartMs = -1;
    qint64 m_contentStartMs = -1;
    // Partial Mode: the server may or may not repeat the prefix; it is held back until known.
    QString m_prefix;
    QString m_echo;
    bool m_echoResolved = true;
    bool m_continuing = false;
    bool m_streamed = true; // whether the reply arrives in pieces, so that its timings mean something
    int m_mediaTurns = 0;
    bool m_fitOnce = false;
    bool m_roundLimitHit = false;
    std::function<QJsonArray()> m_toolSource;
};

} // namespace moonpane
