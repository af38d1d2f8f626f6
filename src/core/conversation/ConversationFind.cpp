#include "ConversationFind.h"

#include <utility>

namespace moonpane {

ConversationFind::ConversationFind(QObject *parent)
    : QObject(parent)
{
    m_growTimer.setSingleShot(true);
    m_growTimer.setInterval(200);
    connect(&m_growTimer, &QTimer::timeout, this, &ConversationFind::recountGrown);
}

ConversationFind::~ConversationFind()
{
    if (m_conversation)
        m_conversation->removeObserver(this);
}

int ConversationFind::count(const QString &text, const QString &term)
{
    if (term.isEmpty())
        return 0;
    int n = 0;
    for (qsizetype at = text.indexOf(term, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(term, at + term.size(), Qt::CaseInsensitive))
        ++n;
    return n;
}

void ConversationFind::setConversation(Conversation *conversation)
{
    if (conversation == m_conversation)
        return;
    if (m_conversation)
        m_conversation->removeObserver(this);
    m_conversation = conversation;
    if (m_conversation)
        m_conversation->addObserver(this);
    m_current = -1;
    searchAll();
}

void ConversationFind::setTerm(const QString &term, bool includeReasoning)
{
    if (term == m_term && includeReasoning == m_includeReasoning)
        return;
    m_term = term;
    m_includeReasoning = includeReasoning;
    m_current = -1;
    searchAll();
}

void ConversationFind::searchAll()
{
    m_counts.clear();
    m_waiting.clear();
    m_grown.clear();
    if (m_conversation && !m_term.isEmpty()) {
        QList<qint64> missing;
        for (qint64 id : m_conversation->path()) {
            const Message *m = m_conversation->message(id);
            if (m && !m->textLoaded) {
                missing.append(id);
                m_waiting.insert(id);
            } else {
                countOne(id);
            }
        }
        if (!missing.isEmpty())
            m_conversation->requestText(missing); // arrives through textLoaded
    }
    rebuild();
}

void ConversationFind::countOne(qint64 id)
{
    const Message *m = m_conversation ? m_conversation->message(id) : nullptr;
    if (!m || !m->textLoaded)
        return;
    Counts counts;
    if (m_includeReasoning && m->isAssistant())
        counts.reasoning = count(m->reasoning, m_term);
    counts.content = count(m->content, m_term);
    m_counts.insert(id, counts);
    m_waiting.remove(id);
}

void ConversationFind::rebuild()
{
    const Match previous = m_current >= 0 && m_current < m_matches.size() ? m_matches.at(m_current) : Match();
    m_matches.clear();
    if (m_conversation && !m_term.isEmpty()) {
        for (qint64 id : m_conversation->path()) {
            const auto it = m_counts.constFind(id);
            if (it == m_counts.cend())
                continue;
            for (int i = 0; i < it->reasoning; ++i)
                m_matches.append({id, Area::Reasoning, i});
            for (int i = 0; i < it->content; ++i)
                m_matches.append({id, Area::Content, i});
        }
    }
    const int kept = previous.messageId ? static_cast<int>(m_matches.indexOf(previous)) : -1;
    m_current = kept >= 0 ? kept : (m_current >= m_matches.size() ? -1 : m_current);
    emit changed();
}

void ConversationFind::setCurrent(int index)
{
    if (m_matches.isEmpty())
        return;
    const int n = static_cast<int>(m_matches.size());
    m_current = (index % n + n) % n;
    emit changed();
}

int ConversationFind::indexOf(qint64 messageId, Area area) const
{
    for (qsizetype i = 0; i < m_matches.size(); ++i) {
        if (m_matches.at(i).messageId == messageId && m_matches.at(i).area == area)
            return static_cast<int>(i);
    }
    return -1;
}

int ConversationFind::firstFrom(qsizetype pathIndex) const
{
    if (!m_conversation)
        return -1;
    const QList<qint64> &path = m_conversation->path();
    QHash<qint64, qsizetype> where;
    for (qsizetype i = std::max<qsizetype>(0, pathIndex); i < path.size(); ++i)
        where.insert(path.at(i), i);
    for (qsizetype i = 0; i < m_matches.size(); ++i) {
        if (where.contains(m_matches.at(i).messageId))
            return static_cast<int>(i);
    }
    return -1;
}

void ConversationFind::recountGrown()
{
    const QSet<qint64> grown = std::exchange(m_grown, {});
    for (qint64 id : grown)
        countOne(id);
    rebuild();
}

void ConversationFind::messageAdded(const Conversation &, const Message &message)
{
    if (m_term.isEmpty())
        return;
    countOne(message.id);
    rebuild();
}

void ConversationFind::textAppended(const Conversation &, qint64 id, const QString &, const QString &)
{
    // A streaming reply is counted again at most five times a second, not for every delta.
    if (m_term.isEmpty())
        return;
    m_grown.insert(id);
    if (!m_growTimer.isActive())
        m_growTimer.start();
}

void ConversationFind::messageChanged(const Conversation &, const Message &message, MessageFields fields)
{
    if (m_term.isEmpty() || !(fields & (MessageField::Content | MessageField::Reasoning)))
        return;
    countOne(message.id);
    rebuild();
}

void ConversationFind::messagesRemoved(const Conversation &, const QList<qint64> &removed,
                                       const QList<qint64> &)
{
    for (qint64 id : removed) {
        m_counts.remove(id);
        m_waiting.remove(id);
    }
    if (!m_term.isEmpty())
        rebuild();
}

void ConversationFind::pathChanged(const Conversation &)
{
    if (!m_term.isEmpty())
        searchAll(); // counts of messages already searched are cheap to redo; new ones are asked for
}

void ConversationFind::textLoaded(const Conversation &, const QList<qint64> &ids)
{
    if (m_term.isEmpty())
        return;
    bool any = false;
    for (qint64 id : ids) {
        if (m_waiting.contains(id)) {
            countOne(id);
            any = true;
        }
    }
    if (any)
        rebuild();
}

void ConversationFind::restored(const Conversation &)
{
    if (!m_term.isEmpty())
        searchAll();
}

void ConversationFind::destroyed(const Conversation &)
{
    m_conversation = nullptr;
    searchAll();
}

} // namespace moonpane
