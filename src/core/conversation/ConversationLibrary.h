// ConversationLibrary owns the user's conversations: creates, renames, deletes (with one level
// of undo) and tells listeners when one changes, so lists can keep them in order of last
// activity.
#pragma once

#include "Conversation.h"

#include <QObject>

#include <memory>
#include <vector>

namespace moonpane {

class ConversationLibrary : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationLibrary)

public:
    explicit ConversationLibrary(QObject *parent = nullptr);
    ~ConversationLibrary() override;

    Conversation *create();
    Conversation *conversation(qint64 id) const;
    // All conversations, most recently active first.
    QList<Conversation *> conversations() const;

    void rename(qint64 id, const QString &title);
    // Marks a conversation as active now (it moves to the top).
    void touch(qint64 id);
    // Deletes a conversation; undoRemove() brings the last one back.
    void remove(qint64 id);
    bool canUndoRemove() const { return m_removed != nullptr; }
    qint64 undoRemove();
    // Forgets the conversation kept for undo.
    void commitRemove();

signals:
    void added(qint64 id);
    void removed(qint64 id);
    void changed(qint64 id); // title or last activity

protected:
    // Takes ownership; for loaders.
    Conversation *adopt(std::unique_ptr<Conversation> conversation);

private:
    std::vector<std::unique_ptr<Conversation>> m_conversations;
    std::unique_ptr<Conversation> m_removed;
    qint64 m_nextId = 1;
};

} // namespace moonpane
