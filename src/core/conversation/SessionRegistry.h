// SessionRegistry keeps one ChatSession per conversation, made on first use, for a front end that
// shows many conversations (a turn goes on streaming while another conversation is shown). A
// conversation that goes away (deleted here, or by another process) takes its session with it:
// its request is cancelled. New and existing sessions get the same defaults.
#pragma once

#include "ChatSession.h"

#include <QHash>
#include <QObject>

namespace moonpane {

class ChatClient;
class ConversationLibrary;

class SessionRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionRegistry)

public:
    SessionRegistry(ChatClient *client, ConversationLibrary *library, QObject *parent = nullptr);
    ~SessionRegistry() override;

    // The conversation's session, made now if it has none (null for null).
    ChatSession *session(Conversation *conversation);
    // The session of a conversation, if it has one.
    ChatSession *find(qint64 conversationId) const { return m_sessions.value(conversationId); }
    // Drops the session of a conversation (it is being deleted), cancelling its request.
    void discard(qint64 conversationId);
    void setDefaults(const ChatParameters &defaults);
    // ChatSession::setMediaTurns for every session.
    void setMediaTurns(int turns);
    // ChatSession::setMaxToolRounds for every session.
    void setMaxToolRounds(int rounds);

signals:
    // A session was made: wire it up (its conversation is session->conversation()).
    void sessionCreated(moonpane::ChatSession *session);

private:
    ChatClient *m_client;
    QHash<qint64, ChatSession *> m_sessions; // owned
    ChatParameters m_defaults;
    int m_mediaTurns = 0;
    int m_maxToolRounds = ChatSession::kDefaultMaxToolRounds;
};

} // namespace moonpane
