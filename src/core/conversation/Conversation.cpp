#include "Conversation.h"

#include "IdGenerator.h"

#include <QCoreApplication>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace moonpane {

Conversation::~Conversation()
{
    tell([this](Observer *o) { o->destroyed(*this); });
}

void Conversation::addObserver(Observer *observer)
{
    if (observer && !m_observers.contains(observer))
        m_observers.append(observer);
}

void Conversation::removeObserver(Observer *observer)
{
    m_observers.removeOne(observer);
}

template<typename F> void Conversation::tell(F &&f) const
{
    // A copy: an observer may add or remove observers while it is told.
    const QList<Observer *> observers = m_observers;
    for (Observer *o : observers) {
        if (m_observers.contains(o))
            f(o);
    }
}

const Message *Conversation::message(qint64 id) const
{
    const auto it = m_messages.constFind(id);
    return it == m_messages.cend() ? nullptr : &*it;
}

void Conversation::ensureText(const QList<qint64> &ids)
{
    QList<qint64> missing;
    for (qint64 id : ids) {
        const auto it = m_messages.constFind(id);
        if (it != m_messages.cend() && !it->textLoaded)
            missing.append(id);
    }
    if (missing.isEmpty() || !m_loader)
        return;
    m_loader(*this, missing);
    QList<qint64> loaded;
    for (qint64 id : std::as_const(missing)) {
        if (const Message *m = message(id); m && m->textLoaded)
            loaded.append(id);
    }
    if (!loaded.isEmpty())
        tell([&](Observer *o) { o->textLoaded(*this, loaded); });
}

void Conversation::requestText(const QList<qint64> &ids)
{
    if (!m_backgroundLoader) {
        ensureText(ids);
        return;
    }
    QList<qint64> wanted;
    for (qint64 id : ids) {
        const auto it = m_messages.constFind(id);
        if (it != m_messages.cend() && !it->textLoaded && !m_requested.contains(id))
            wanted.append(id);
    }
    if (wanted.isEmpty())
        return;
    for (qint64 id : std::as_const(wanted))
        m_requested.insert(id);
    m_backgroundLoader(*this, wanted);
}

void Conversation::readPathLater()
{
    if (!m_backgroundLoader)
        return;
    m_readingPath = true;
    askNextPathBatch();
}

void Conversation::askNextPathBatch()
{
    if (!m_readingPath)
        return;
    if (std::any_of(m_pathBatch.cbegin(), m_pathBatch.cend(),
                    [this](qint64 id) { return m_requested.contains(id); }))
        return; // still on its way
    m_pathBatch.clear();
    for (qsizetype i = m_path.size() - 1; i >= 0 && m_pathBatch.size() < kPathBatch; --i) {
        const qint64 id = m_path.at(i);
        const auto it = m_messages.constFind(id);
        if (it != m_messages.cend() && !it->textLoaded && !m_requested.contains(id))
            m_pathBatch.append(id);
    }
    if (m_pathBatch.isEmpty()) {
        m_readingPath = false; // all of it is in (or on its way for someone else)
        return;
    }
    requestText(m_pathBatch);
}

void Conversation::setText(qint64 id, const std::function<void(Message &)> &fill)
{
    const auto it = m_messages.find(id);
    if (it == m_messages.end())
        return;
    fill(*it);
    it->textLoaded = true;
    m_requested.remove(id);
}

void Conversation::textArrived(quint64 generation, const QList<qint64> &ids,
                               const std::function<void(qint64 id, Message &)> &fill)
{
    if (generation != m_generation) {
        askNextPathBatch(); // the path a restore made, if it was being read
        return; // read for messages a restore has replaced; their stubs ask again
    }
    QList<qint64> loaded;
    for (qint64 id : ids) {
        m_requested.remove(id);
        const auto it = m_messages.find(id);
        if (it == m_messages.end() || it->textLoaded)
            continue; // gone, or loaded at once meanwhile (and perhaps changed since)
        fill(id, *it);
        it->textLoaded = true;
        loaded.append(id);
    }
    if (!loaded.isEmpty())
        tell([&](Observer *o) { o->textLoaded(*this, loaded); });
    askNextPathBatch();
}

void Conversation::finishLoading()
{
    if (const std::function<void()> finish = std::exchange(m_finishLoading, {}))
        finish();
}

qint64 Conversation::add(Message message)
{
    finishLoading();
    if (message.id == 0)
        message.id = IdGenerator::next();
    if (!message.createdAt.isValid())
        message.createdAt = QDateTime::currentDateTimeUtc();
    if (message.parentId != 0 && !m_messages.contains(message.parentId))
        message.parentId = 0; // a parent that is gone: keep the message reachable
    const qint64 id = message.id;
    m_children[message.parentId].append(id);
    const qint64 parent = message.parentId;
    const Message &stored = *m_messages.insert(id, std::move(message));
    if (parent != 0 && !m_path.isEmpty() && m_path.constLast() == parent)
        m_path.append(id); // the usual case, answering the end of the path: no walk to the root
    else
        rebuildPath(id);
    tell([&](Observer *o) { o->messageAdded(*this, stored); });
    return id;
}

void Conversation::appendContent(qint64 id, const QString &delta)
{
    const auto it = m_messages.find(id);
    if (it == m_messages.end() || delta.isEmpty())
        return;
    it->content += delta;
    tell([&](Observer *o) { o->textAppended(*this, id, delta, QString()); });
}

void Conversation::appendReasoning(qint64 id, const QString &delta)
{
    const auto it = m_messages.find(id);
    if (it == m_messages.end())
        return;
    it->reasoning += delta;
    it->hasReasoning = true;
    if (!delta.isEmpty())
        tell([&](Observer *o) { o->textAppended(*this, id, QString(), delta); });
}

void Conversation::update(qint64 id, MessageFields fields, const std::function<void(Message &)> &change)
{
    const auto it = m_messages.find(id);
    if (it == m_messages.end())
        return;
    change(*it);
    const Message &m = *it;
    tell([&](Observer *o) { o->messageChanged(*this, m, fields); });
}

void Conversation::appendToolCall(qint64 id, int index, const QString &callId, const QString &name,
                                  const QString &arguments)
{
    const auto it = m_messages.find(id);
    if (it == m_messages.end() || index < 0)
        return;
    QList<ToolCall> &calls = it->toolCalls;
    if (index >= calls.size())
        calls.resize(index + 1);
    ToolCall &call = calls[index];
    if (call.id.isEmpty())
        call.id = callId;
    if (call.name.isEmpty())
        call.name = name;
    call.arguments += arguments;
    tell([&](Observer *o) { o->toolCallAppended(*this, id, index, arguments); });
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
    if (!m_messages.contains(id))
        return;
    rebuildPath(newestLeafBelow(id));
    tell([&](Observer *o) { o->pathChanged(*this); });
}

bool Conversation::stepBranch(qint64 id, int step)
{
    const QList<qint64> all = siblings(id);
    const qsizetype at = all.indexOf(id);
    if (at < 0 || at + step < 0 || at + step >= all.size())
        return false;
    selectBranch(all.at(at + step));
    return true;
}

void Conversation::rebuildPath(qint64 leaf)
{
    m_path.clear();
    for (qint64 at = leaf; at != 0;) {
        const auto it = m_messages.constFind(at);
        if (it == m_messages.cend())
            break;
        m_path.append(at);
        at = it->parentId;
    }
    std::reverse(m_path.begin(), m_path.end());
}

void Conversation::removeOne(qint64 id)
{
    const Message *m = message(id);
    if (!m)
        return;
    const qint64 parent = m->parentId;
    const qsizetype onPathAt = m_path.indexOf(id);
    const bool followedOnPath = onPathAt >= 0 && onPathAt + 1 < m_path.size();
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
    if (onPathAt >= 0) {
        if (followedOnPath)
            rebuildPath(m_path.constLast()); // the same leaf, one message shorter
        else if (!m_children.value(parent).isEmpty())
            rebuildPath(newestLeafBelow(m_children.value(parent).constLast()));
        else
            rebuildPath(parent);
    }
    tell([&](Observer *o) { o->messagesRemoved(*this, {id}, children); });
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
    if (onPath) {
        const QList<qint64> rest = m_children.value(parent);
        if (!rest.isEmpty())
            rebuildPath(newestLeafBelow(rest.constLast()));
        else
            rebuildPath(parent);
    }
    tell([&](Observer *o) { o->messagesRemoved(*this, doomed, {}); });
}

void Conversation::restore(qsizetype expected, const std::function<bool(Message *)> &next, qint64 leaf)
{
    m_finishLoading = {};
    m_messages.clear();
    m_children.clear();
    m_requested.clear();
    ++m_generation;
    m_messages.reserve(expected);
    QList<std::pair<qint64, qint64>> order; // id, parent: the stored sibling order
    order.reserve(expected);
    for (Message m; next(&m); m = Message()) {
        order.append({m.id, m.parentId});
        const qint64 messageId = m.id;
        m_messages.insert(messageId, std::move(m));
    }
    // Children in the order given, parents that are missing at the root.
    for (const auto &[id, parentId] : std::as_const(order)) {
        const qint64 parent = m_messages.contains(parentId) ? parentId : 0;
        m_children[parent].append(id);
    }
    if (leaf == 0 || !m_messages.contains(leaf)) {
        const QList<qint64> roots = m_children.value(0);
        leaf = roots.isEmpty() ? 0 : newestLeafBelow(roots.constLast());
    }
    rebuildPath(leaf);
    tell([this](Observer *o) { o->restored(*this); });
}

QList<ChatMessage> Conversation::history(qint64 lastId)
{
    QList<qint64> ids;
    for (qint64 id : m_path) {
        ids.append(id);
        if (id == lastId)
            break;
    }
    ensureText(ids);
    QList<ChatMessage> messages;
    if (!systemPrompt.trimmed().isEmpty())
        messages.append(ChatMessage::system(systemPrompt));
    for (qint64 id : std::as_const(ids)) {
        ChatMessage message = m_messages.value(id).toChatMessage();
        // A reply that brought nothing to send (it failed, or was stopped before its first word)
        // is shown, but is not history: the API refuses an assistant message without text or calls.
        if (message.role == Role::Assistant && !message.hasContent() && message.toolCalls.isEmpty())
            continue;
        messages.append(std::move(message));
    }
    return messages;
}

bool Conversation::isPathLoaded(qint64 lastId) const
{
    for (qint64 id : m_path) {
        const auto it = m_messages.constFind(id);
        if (it != m_messages.cend() && !it->textLoaded)
            return false;
        if (id == lastId)
            break;
    }
    return true;
}

qint64 Conversation::nextTurnParent() const
{
    // From the leaf back past an exchange that is not over: a user message (its reply is not
    // there yet: another process may be about to write it) and a reply still streaming (in
    // another process: this one sends nothing while it streams). A reply that ended, even
    // failed and empty, is the user's to write on from.
    for (qsizetype i = m_path.size() - 1; i >= 0; --i) {
        const auto it = m_messages.constFind(m_path.at(i));
        if (it == m_messages.cend())
            continue;
        const Message &m = *it;
        if (m.role == Role::User || (m.role == Role::Assistant && m.state == MessageState::Streaming))
            continue;
        return m.id;
    }
    return 0;
}

QString Conversation::suggestedTitle()
{
    for (qint64 id : std::as_const(m_path)) {
        if (m_messages.value(id).role != Role::User)
            continue;
        ensureText({id});
        QString text = m_messages.value(id).content.simplified();
        if (text.isEmpty())
            return QCoreApplication::translate("Conversation", "Image");
        if (text.size() > 48) {
            text.truncate(48);
            const qsizetype space = text.lastIndexOf(u' ');
            if (space > 24)
                text.truncate(space);
            text += u'…';
        }
        return text;
    }
    return {};
}

} // namespace moonpane
