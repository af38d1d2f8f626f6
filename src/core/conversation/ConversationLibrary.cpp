#include "ConversationLibrary.h"

#include "IdGenerator.h"

#include <QCoreApplication>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

ConversationLibrary::ConversationLibrary(QObject *parent)
    : QObject(parent)
{
}

ConversationLibrary::~ConversationLibrary() = default;

Conversation *ConversationLibrary::adopt(std::unique_ptr<Conversation> conversation)
{
    if (conversation->id == 0)
        conversation->id = IdGenerator::next();
    Conversation *raw = conversation.get();
    m_conversations.insert_or_assign(raw->id, std::move(conversation));
    emit added(raw->id);
    return raw;
}

Conversation *ConversationLibrary::create()
{
    auto conversation = std::make_unique<Conversation>();
    conversation->title = QCoreApplication::translate("ConversationLibrary", "New chat");
    conversation->autoTitle = true;
    conversation->createdAt = conversation->updatedAt = QDateTime::currentDateTimeUtc();
    conversation->id = IdGenerator::next();
    created(conversation.get());
    return adopt(std::move(conversation));
}

Conversation *ConversationLibrary::find(qint64 id) const
{
    const auto it = m_conversations.find(id);
    return it == m_conversations.end() ? nullptr : it->second.get();
}

Conversation *ConversationLibrary::conversation(qint64 id)
{
    Conversation *c = find(id);
    if (c)
        load(c);
    return c;
}

Conversation *ConversationLibrary::conversationLater(qint64 id)
{
    Conversation *c = find(id);
    if (c)
        loadLater(c);
    return c;
}

QList<Conversation *> ConversationLibrary::conversations() const
{
    QList<Conversation *> list;
    list.reserve(static_cast<qsizetype>(m_conversations.size()));
    for (const auto &[id, c] : m_conversations)
        list.append(c.get());
    std::sort(list.begin(), list.end(), [](const Conversation *a, const Conversation *b) {
        return a->updatedAt != b->updatedAt ? a->updatedAt > b->updatedAt : a->id > b->id;
    });
    return list;
}

void ConversationLibrary::rename(qint64 id, const QString &title)
{
    Conversation *c = find(id);
    const QString trimmed = title.simplified();
    if (!c || trimmed.isEmpty() || trimmed == c->title)
        return;
    c->title = trimmed;
    c->autoTitle = false;
    saveMeta(c);
    emit changed(id);
}

bool ConversationLibrary::nameFromFirstMessage(qint64 id)
{
    Conversation *c = find(id);
    if (!c || !c->autoTitle)
        return false;
    const QString title = c->suggestedTitle();
    if (title.isEmpty())
        return false;
    c->title = title;
    c->autoTitle = false;
    saveMeta(c);
    emit changed(id);
    return true;
}

void ConversationLibrary::touch(qint64 id)
{
    if (Conversation *c = find(id)) {
        c->updatedAt = QDateTime::currentDateTimeUtc();
        saveMeta(c);
        emit changed(id);
    }
}

void ConversationLibrary::metaChanged(Conversation *conversation)
{
    if (conversation && find(conversation->id) == conversation)
        saveMeta(conversation);
}

void ConversationLibrary::remove(qint64 id)
{
    const auto it = m_conversations.find(id);
    if (it == m_conversations.end())
        return;
    commitRemove(); // only the last delete can be undone
    m_removed = std::move(it->second);
    m_conversations.erase(it);
    emit removed(id);
}

qint64 ConversationLibrary::undoRemove()
{
    if (!m_removed)
        return 0;
    return adopt(std::move(m_removed))->id;
}

qint64 ConversationLibrary::pendingRemoval() const
{
    return m_removed ? m_removed->id : 0;
}

void ConversationLibrary::forget(qint64 id)
{
    const auto it = m_conversations.find(id);
    if (it == m_conversations.end())
        return;
    const std::unique_ptr<Conversation> gone = std::move(it->second);
    m_conversations.erase(it);
    emit removed(id);
}

void ConversationLibrary::commitRemove()
{
    if (m_removed) {
        const qint64 id = m_removed->id;
        m_removed.reset();
        removeCommitted(id);
    }
}

} // namespace moonpane
