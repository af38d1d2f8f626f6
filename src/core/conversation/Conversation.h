// A conversation: its messages as a tree (editing a message or regenerating a reply starts a
// sibling branch, and nothing is thrown away) with one active path from the first message to a
// leaf, plus its title, system prompt, parameters and draft.
#pragma once

#include "Message.h"
#include "api/ChatParameters.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace moonpane {

class Conversation final
{
public:
    qint64 id = 0;
    QString title;
    QDateTime createdAt;
    QDateTime updatedAt;
    QString systemPrompt;
    std::optional<ChatParameters> parameters; // nullopt: the app-wide defaults
    QString draft;

    // The active path, first message first.
    const QList<qint64> &path() const { return m_path; }
    qsizetype size() const { return m_messages.size(); }
    bool isEmpty() const { return m_messages.isEmpty(); }

    const Message *message(qint64 id) const;
    Message *message(qint64 id);

    // Adds a message under `parentId` (0: a first message) and makes it the active leaf.
    // Returns its id (assigned when message.id is 0).
    qint64 add(Message message);
    // Messages with the same parent, oldest first (the branches at this point).
    QList<qint64> siblings(qint64 id) const;
    // Makes the path run through `id`, down to the newest leaf below it.
    void selectBranch(qint64 id);
    // Removes a message and everything below it; the path moves to a sibling or the parent.
    void removeBranch(qint64 id);
    // Removes one message; what followed it now follows its parent, in its place.
    void removeOne(qint64 id);

    // The wire messages of the active path up to and including `lastId` (0: the whole path),
    // preceded by the system prompt.
    QList<ChatMessage> history(qint64 lastId = 0) const;

    // A title from the first user message, for a new conversation.
    QString suggestedTitle() const;

private:
    void rebuildPath(qint64 leaf);
    qint64 newestLeafBelow(qint64 id) const;

    QHash<qint64, Message> m_messages;
    QHash<qint64, QList<qint64>> m_children; // parent id (0 for roots) → children, oldest first
    QList<qint64> m_path;
    qint64 m_nextId = 1;
};

} // namespace moonpane
