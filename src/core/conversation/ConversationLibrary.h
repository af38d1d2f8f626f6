// ConversationLibrary owns the user's conversations: creates, renames, deletes (with one level
// of undo) and tells listeners when one changes, so lists can keep them in order of last
// activity. This base keeps them in memory; ConversationStore keeps them in the database through
// the protected hooks, and loads a conversation's messages only when it is opened.
#pragma once

#include "Conversation.h"

#include <QObject>

#include <memory>
#include <unordered_map>

namespace moonpane {

class ConversationLibrary : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationLibrary)

public:
    explicit ConversationLibrary(QObject *parent = nullptr);
    ~ConversationLibrary() override;

    Conversation *create();
    // The conversation with its messages ready (loaded on first use), or null.
    Conversation *conversation(qint64 id);
    // The conversation at once, for a view: its messages, when not in memory yet, are read
    // without blocking the caller (Conversation::isLoading() meanwhile), or null.
    Conversation *conversationLater(qint64 id);
    // The conversation as it is, messages possibly not loaded (titles and times for lists).
    Conversation *find(qint64 id) const;
    // All conversations, most recently active first, the newest first among equals (messages not
    // necessarily loaded).
    QList<Conversation *> conversations() const;

    // The user names a conversation (it keeps that name).
    void rename(qint64 id, const QString &title);
    // A conversation still under its automatic title takes one from its first message; false
    // when it had a title already.
    bool nameFromFirstMessage(qint64 id);
    // Marks a conversation as active now (it moves to the top).
    void touch(qint64 id);
    // The caller changed a conversation's draft, system prompt or parameters.
    void metaChanged(Conversation *conversation);
    // Deletes a conversation; undoRemove() brings the last one back.
    void remove(qint64 id);
    bool canUndoRemove() const { return m_removed != nullptr; }
    qint64 undoRemove();
    // Forgets the conversation kept for undo.
    void commitRemove();
    // The deleted conversation that can still be brought back (0: none).
    qint64 pendingRemoval() const;

signals:
    void added(qint64 id);
    void removed(qint64 id);
    void changed(qint64 id); // title or last activity
    // The messages of a conversation conversationLater() did not wait for are in (after its restored()).
    void opened(qint64 id);

protected:
    // Takes ownership; for loaders (no hook is called).
    Conversation *adopt(std::unique_ptr<Conversation> conversation);
    // Drops a conversation that is gone (deleted elsewhere); no hook is called.
    void forget(qint64 id);
    virtual void created(Conversation *) { }
    virtual void saveMeta(Conversation *) { }
    virtual void load(Conversation *) { }
    // Starts reading the messages in the background; reads them at once unless overridden.
    virtual void loadLater(Conversation *conversation) { load(conversation); }
    virtual void removeCommitted(qint64 /*id*/) { }

private:
    std::unordered_map<qint64, std::unique_ptr<Conversation>> m_conversations; // by id
    std::unique_ptr<Conversation> m_removed;
};

} // namespace moonpane
