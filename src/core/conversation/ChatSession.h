// ChatSession runs the requests of one conversation: send a message, regenerate a reply, edit a
// message and resend (a new branch), retry a failed reply, continue a reply cut at the token
// limit (Kimi's Partial Mode, joined into one message), stop. Deltas go into the conversation as
// they stream, and whoever watches it (the store, a model showing it, inspectors) follows: a
// delta touches one message, and a tool-call delta appends to one call's arguments.
#pragma once

#include "Conversation.h"
#include "api/ChatCall.h"
#include "api/ChatParameters.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

namespace moonpane {

class ChatClient;
class WireTrace;

class ChatSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatSession)

public:
    ChatSession(ChatClient *client, Conversation *conversation, QObject *parent = nullptr);
    ~ChatSession() override;

    Conversation *conversation() const { return m_conversation; }
    void setDefaults(const ChatParameters &defaults) { m_defaults = defaults; }
    // Parameters that win over the conversation's own (the CLI's options).
    void setOverride(const std::optional<ChatParameters> &parameters) { m_override = parameters; }
    // The override, else the conversation's own parameters, else the app-wide defaults.
    ChatParameters parameters() const;
    void setTrace(WireTrace *trace) { m_trace = trace; }

    // Each returns the problems that kept it from sending (empty when a request started).
    QStringList send(const QString &text, const QList<ContentPart> &parts = {});
    QStringList regenerate(qint64 assistantId);
    QStringList editAndResend(qint64 userId, const QString &text);
    QStringList retry(qint64 assistantId);
    QStringList continueReply(qint64 assistantId);
    void stop();

    // What a call that ended this way leaves its reply as.
    static MessageState stateAfter(ChatCall::Outcome outcome);

    bool isBusy() const { return m_call != nullptr; }
    qint64 streamingMessageId() const { return m_replyId; }

signals:
    void busyChanged(bool busy);
    void replyStarted(qint64 messageId);
    void replyFinished(qint64 messageId);
    // Deltas as they are stored (for persistence and inspectors).
    void replyProgressed(qint64 messageId);

private:
    // Starts a reply under `parentId` (a message on the active path). With `continueId`, the
    // request ends with that assistant message as a partial prefix and the reply extends it.
    QStringList startReply(qint64 parentId, qint64 continueId = 0);
    void onReasoning(const QString &delta);
    void onContent(const QString &delta);
    void onFinished();
    void change(qint64 id, MessageFields fields, const std::function<void(Message &)> &fn);
    qint64 add(const Message &message);
    void removeBranch(qint64 id);
    void selectBranch(qint64 id);
    void appendContent(const QString &delta);
    void appendReasoning(const QString &delta);

    ChatClient *m_client;
    Conversation *m_conversation;
    ChatParameters m_defaults;
    std::optional<ChatParameters> m_override;
    WireTrace *m_trace = nullptr;

    QPointer<ChatCall> m_call;
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
};

} // namespace moonpane
