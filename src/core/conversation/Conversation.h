// A conversation: its messages as a tree (editing a message or regenerating a reply starts a
// sibling branch, and nothing is thrown away) with one active path from the first message to a
// leaf, plus its title, system prompt, parameters and draft.
//
// Every change to the messages goes through this class, which tells its Observer (the store
// persists from there, whoever made the change: the model, a ChatSession, the CLI). A stored
// conversation can arrive as stubs: structure and sizes first, text loaded on demand through
// its loaders, so a conversation of ten thousand messages opens as fast as a short one. A view
// asks for text in the background (requestText: the store reads it on a thread of its own) and
// shows what is not there yet as a placeholder; whoever needs it now (a send, an export) loads
// it at once (ensureText).
#pragma once

#include "Message.h"
#include "api/ChatParameters.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace moonpane {

class Conversation final
{
public:
    // Told of every change, by whoever made it (the model, a ChatSession, the CLI, the store
    // reading what another process wrote). Any number may watch one conversation: the store
    // persists, the model shows, inspectors follow; each does only what the change needs.
    class Observer
    {
    public:
        virtual ~Observer() = default;
        virtual void messageAdded(const Conversation &, const Message &) { }
        // Text streamed onto the end of a message (either may be empty).
        virtual void textAppended(const Conversation &, qint64 /*id*/, const QString & /*content*/,
                                  const QString & /*reasoning*/)
        {
        }
        // Tool call `index` of a message grew by `arguments` (its id and name may be new too).
        virtual void toolCallAppended(const Conversation &, qint64 /*id*/, int /*index*/,
                                      const QString & /*arguments*/)
        {
        }
        // `fields` say what changed; nothing else about the message did.
        virtual void messageChanged(const Conversation &, const Message &, MessageFields /*fields*/) { }
        // `removed` are gone; `moved` now have new parents (removeOne).
        virtual void messagesRemoved(const Conversation &, const QList<qint64> & /*removed*/,
                                     const QList<qint64> & /*moved*/)
        {
        }
        virtual void pathChanged(const Conversation &) { }
        // The text of these stubs is here now (nothing about them changed: it was read).
        virtual void textLoaded(const Conversation &, const QList<qint64> & /*ids*/) { }
        // Every message was read again (restore): whatever was known about them may have changed,
        // except for messages whose Message::storedVersion is what it was (the store keeps those
        // as they were, text included).
        virtual void restored(const Conversation &) { }
        // The conversation is going away; it must not be used after this.
        virtual void destroyed(const Conversation &) { }
    };
    // Fills in the text of the given stub messages: at once (through setText), or, for a loader
    // in the background, later (through textArrived).
    using TextLoader = std::function<void(Conversation &, const QList<qint64> &ids)>;

    qint64 id = 0;
    QString title;
    QDateTime createdAt;
    QDateTime updatedAt;
    QString systemPrompt;
    std::optional<ChatParameters> parameters; // nullopt: the app-wide defaults
    QString draft;
    QList<AttachedMedia> draftMedia; // what the draft will send along, in order
    // The title is Moonpane's own ("New chat"), to be taken from the first message; false once
    // it was, or once the user chose one.
    bool autoTitle = false;

    Conversation() = default;
    ~Conversation();
    Q_DISABLE_COPY_MOVE(Conversation)

    // Observers are told in the order they were added; one added twice is told once.
    void addObserver(Observer *observer);
    void removeObserver(Observer *observer);
    // `now` loads at once; `later`, when given, reads in the background for requestText.
    void setTextLoaders(TextLoader now, TextLoader later = {})
    {
        m_loader = std::move(now);
        m_backgroundLoader = std::move(later);
    }

    // A stored conversation opened without waiting (ConversationLibrary::conversationLater) has
    // no messages until its loader has read them (observers hear restored()); meanwhile it is
    // loading. finishLoading() reads them now, for whoever must act on them: call it before
    // working out where a message goes (nextTurnParent). add() finishes loading first too, so
    // nothing added is lost under what is read.
    bool isLoading() const { return static_cast<bool>(m_finishLoading); }
    // For loaders: `finish` reads the messages at once; restore() ends the loading.
    void setLoading(std::function<void()> finish) { m_finishLoading = std::move(finish); }
    void finishLoading();

    // The active path, first message first.
    const QList<qint64> &path() const { return m_path; }
    // The last message of the path (0 while there is none).
    qint64 leaf() const { return m_path.isEmpty() ? 0 : m_path.constLast(); }
    qsizetype size() const { return m_messages.size(); }
    bool isEmpty() const { return m_messages.isEmpty(); }
    QList<qint64> messageIds() const { return m_messages.keys(); }

    // The message, possibly a stub whose text is not loaded yet (Message::textLoaded).
    const Message *message(qint64 id) const;
    // Loads the text of those of `ids` that are stubs, now.
    void ensureText(const QList<qint64> &ids);
    // Asks for the text of those of `ids` that are stubs and not asked for yet, without waiting
    // for it (at once when there is no background loader). Observers hear textLoaded.
    void requestText(const QList<qint64> &ids);
    bool isTextRequested(qint64 id) const { return m_requested.contains(id); }
    // Reads the text of the whole active path in the background, newest first, a batch at a
    // time (the next batch is asked for when the one before has arrived, so what a view asks for
    // meanwhile waits for one batch at most): a send then finds its history in memory instead
    // of reading it where it is made. Does nothing without a background loader.
    void readPathLater();
    static constexpr qsizetype kPathBatch = 256;
    bool isReadingPath() const { return m_readingPath; }
    // For loaders: the text fields of a stub (content, reasoning, tool calls, parts, usage, error).
    void setText(qint64 id, const std::function<void(Message &)> &fill);
    // For background loaders: texts read since generation() was `generation`, by message id.
    // Those still stubs take them (through `fill`), unless the conversation was restored since.
    void textArrived(quint64 generation, const QList<qint64> &ids,
                     const std::function<void(qint64 id, Message &)> &fill);
    // Counts restores: text read before one may not fit the messages after it.
    quint64 generation() const { return m_generation; }

    // Adds a message under its parentId (0: a first message) and makes it the active leaf.
    // Returns its id (a new one when message.id is 0).
    qint64 add(Message message);
    void appendContent(qint64 id, const QString &delta);
    void appendReasoning(qint64 id, const QString &delta);
    // Changes the `fields` of a message; observers are told that those changed, and only those.
    void update(qint64 id, MessageFields fields, const std::function<void(Message &)> &change);
    // Streams onto tool call `index` of a message (made when new): its id and name, when they
    // come, and a piece of its arguments. Nothing else of the message is copied or rewritten.
    void appendToolCall(qint64 id, int index, const QString &callId, const QString &name,
                        const QString &arguments);
    // Messages with the same parent, oldest first (the branches at this point).
    QList<qint64> siblings(qint64 id) const;
    // The messages that follow `id` (0: the first messages), oldest first, on every branch.
    QList<qint64> children(qint64 id) const { return m_children.value(id); }
    // Makes the path run through `id`, down to the newest leaf below it.
    void selectBranch(qint64 id);
    // Shows the sibling `step` places after `id` (negative: before); false when there is none.
    bool stepBranch(qint64 id, int step);
    // Removes a message and everything below it; the path moves to a sibling or the parent.
    void removeBranch(qint64 id);
    // Removes one message; what followed it now follows its parent, in its place.
    void removeOne(qint64 id);

    // Rebuilds the conversation from stored messages, which `next` fills in one by one (in
    // their order among siblings) until it returns false; `expected` is how many there are
    // likely to be. The path ends at `leaf` (0: the newest). Observers are told restored().
    void restore(qsizetype expected, const std::function<bool(Message *)> &next, qint64 leaf);

    // The wire messages of the active path up to and including `lastId` (0: the whole path),
    // preceded by the system prompt, leaving out replies with nothing to send (failed, or
    // stopped before their first word). Loads the text it needs.
    QList<ChatMessage> history(qint64 lastId = 0);

    // Whether the text of the active path up to `lastId` (0: all of it) is in memory: history()
    // would then read nothing.
    bool isPathLoaded(qint64 lastId = 0) const;

    // Where a new user message goes: under the last message of the active path that ended an
    // exchange. When the path ends in a user message or a reply still streaming (another
    // process, such as a second moonpane-cli, is in the middle of its turn), the new message
    // starts a branch beside that exchange instead of going under it, so two turns written at
    // once never become two user messages in a row.
    qint64 nextTurnParent() const;

    // A title from the first user message, for a new conversation (empty while there is none).
    QString suggestedTitle();

private:
    void rebuildPath(qint64 leaf);
    qint64 newestLeafBelow(qint64 id) const;

    QHash<qint64, Message> m_messages;
    QHash<qint64, QList<qint64>> m_children; // parent id (0 for roots) → children, oldest first
    QList<qint64> m_path;
    template<typename F> void tell(F &&f) const;

    QList<Observer *> m_observers;
    TextLoader m_loader;
    TextLoader m_backgroundLoader;
    std::function<void()> m_finishLoading; // set while the messages are on their way
    QSet<qint64> m_requested; // stubs whose text the background loader reads
    bool m_readingPath = false; // readPathLater() is under way...
    QList<qint64> m_pathBatch; // ...and this batch of it on its way
    void askNextPathBatch();
    quint64 m_generation = 0;
};

} // namespace moonpane
