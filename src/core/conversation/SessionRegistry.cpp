#include "SessionRegistry.h"

#include "ConversationLibrary.h"

namespace moonpane {

SessionRegistry::SessionRegistry(ChatClient *client, ConversationLibrary *library, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    connect(library, &ConversationLibrary::removed, this, &SessionRegistry::discard);
}

SessionRegistry::~SessionRegistry()
{
    qDeleteAll(m_sessions);
}

ChatSession *SessionRegistry::session(Conversation *conversation)
{
    if (!conversation)
        return nullptr;
    if (ChatSession *existing = m_sessions.value(conversation->id))
        return existing;
    auto *created = new ChatSession(m_client, conversation);
    created->setDefaults(m_defaults);
    created->setMediaTurns(m_mediaTurns);
    created->setMaxToolRounds(m_maxToolRounds);
    m_sessions.insert(conversation->id, created);
    emit sessionCreated(created);
    return created;
}

void SessionRegistry::discard(qint64 conversationId)
{
    // Its request is cancelled and nothing more reaches the conversation (which may be kept
    // for an undo): the session goes now.
    delete m_sessions.take(conversationId);
}

void SessionRegistry::setMaxToolRounds(int rounds)
{
    m_maxToolRounds = rounds;
    for (ChatSession *session : std::as_const(m_sessions))
        session->setMaxToolRounds(rounds);
}

void SessionRegistry::setMediaTurns(int turns)
{
    m_mediaTurns = turns;
    for (ChatSession *session : std::as_const(m_sessions))
        session->setMediaTurns(turns);
}

void SessionRegistry::setDefaults(const ChatParameters &defaults)
{
    m_defaults = defaults;
    for (ChatSession *session : std::as_const(m_sessions))
        session->setDefaults(defaults);
}

} // namespace moonpane
