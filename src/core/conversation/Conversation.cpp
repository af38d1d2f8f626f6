#include "Conversation.h"

using namespace Qt::StringLiterals;

namespace moonpane {

const Message *Conversation::message(qint64 id) const
{
    const auto it = m_messages.constFind(id);
    return it == m_messages.cend() ? nullptr : &*it;
}

Message *Conversation::message(qint64 id)
{
    const auto it = m_messages.find(id);
    return it == m_messages.end() ? nullptr : &*it;
}

qint64 Conversation::add(Message message)
{
    if (message.id == 0)
        message.id = m_nextId;
    m_nextId = std::max(m_nextId, message.id + 1);
    if (message.parentId != 0 && !m_messages.contains(message.parentId))
        message.parentId = 0; // a parent that is gone: keep the message reachable
    const qint64 id = message.id;
    m_children[message.parentId].append(id);
    m_messages.insert(id, std::move(message));
    rebuildPath(id);
    return id;
}

QList<qint64> Conversation::siblings(qint64 id) const
{
    const Message *m = message(id);
    return m ? m_children.value(m->parentId) : QList<qint64>();
}

qint64 Conversation::newestLeafBelow(qint64 id) const
{
    qint64 leaf = id;
    for (;;) {
        const QList<qint64> children = m_children.value(leaf);
        if (children.isEmpty())
            return leaf;
        leaf = children.constLast();
    }
}

void Conversation::selectBranch(qint64 id)
{
    if (m_messages.contains(id))
        rebuildPath(newestLeafBelow(id));
}

void Conversation::rebuildPath(qint64 leaf)
{
    m_path.clear();
    for (qint64 at = leaf; at != 0;) {
        m_path.prepend(at);
        at = m_messages.value(at).parentId;
    }
}

void Conversation::removeOne(qint64 id)
{
    const Message *m = message(id);
    if (!m)
        return;
    const qint64 parent = m->parentId;
    const qsizetype onPathAt = m_path.indexOf(id);
    const qint64 next = onPathAt >= 0 && onPathAt + 1 < m_path.size() ? m_path.at(onPathAt + 1) : 0;
    const QList<qint64> children = m_children.take(id);
    for (qint64 child : children)
        m_messages[child].parentId = parent;
    QList<qint64> &siblings = m_children[parent];
    const qsizetype at = siblings.indexOf(id);
    siblings.removeAt(at);
    for (qsizetype i = 0; i < children.size(); ++i)
        siblings.insert(at + i, children.at(i));
    if (siblings.isEmpty() && parent != 0)
        m_children.remove(parent);
    m_messages.remove(id);
    if (onPathAt < 0)
        return;
    if (next)
        rebuildPath(m_path.constLast()); // the same leaf, one message shorter
    else if (!m_children.value(parent).isEmpty())
        rebuildPath(newestLeafBelow(m_children.value(parent).constLast()));
    else
        rebuildPath(parent);
}

void Conversation::removeBranch(qint64 id)
{
    const Message *m = message(id);
    if (!m)
        return;
    const qint64 parent = m->parentId;
    const bool onPath = m_path.contains(id);
    QList<qint64> doomed = {id};
    for (qsizetype i = 0; i < doomed.size(); ++i)
        doomed.append(m_children.take(doomed.at(i)));
    for (qint64 gone : doomed)
        m_messages.remove(gone);
    m_children[parent].removeOne(id);
    if (m_children.value(parent).isEmpty() && parent != 0)
        m_children.remove(parent);
    if (!onPath)
        return;
    const QList<qint64> rest = m_children.value(parent);
    if (!rest.isEmpty())
        rebuildPath(newestLeafBelow(rest.constLast()));
    else
        rebuildPath(parent);
}

QList<ChatMessage> Conversation::history(qint64 lastId) const
{
    QList<ChatMessage> messages;
    if (!systemPrompt.trimmed().isEmpty())
        messages.append(ChatMessage::system(systemPrompt));
    for (qint64 id : m_path) {
        messages.append(m_messages.value(id).toChatMessage());
        if (id == lastId)
            break;
    }
    return messages;
}

QString Conversation::suggestedTitle() const
{
    for (qint64 id : m_path) {
        const Message &m = m_messages[id];
        if (m.role != Role::User)
            continue;
        QString text = m.content.simplified();
        if (text.isEmpty())
            return u"Image"_s;
        if (text.size() > 48) {
            text.truncate(48);
            const qsizetype space = text.lastIndexOf(u' ');
            if (space > 24)
                text.truncate(space);
            text += u'…';
        }
        return text;
    }
    return u"New chat"_s;
}

} // namespace moonpane
