// ConversationFind finds a term in the active path of a conversation (the find bar, Ctrl+F):
// every match in reading order, a message's thinking before its reply, case-insensitively. It
// watches the conversation (one of its observers), so the matches follow new messages, streamed
// text, branch switches and another process's changes. Text not in memory yet (a stored
// conversation's stubs) is asked for in the background, as a view asks for it: the matches grow
// as it arrives, and isComplete() says when every message has been searched. Nothing here waits
// for the disk.
#pragma once

#include "Conversation.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace moonpane {

class ConversationFind final : public QObject, private Conversation::Observer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationFind)

public:
    enum class Area { Reasoning, Content };
    struct Match
    {
        qint64 messageId = 0;
        Area area = Area::Content;
        int occurrence = 0; // the n-th match in that text (0-based)
        friend bool operator==(const Match &, const Match &) = default;
    };

    explicit ConversationFind(QObject *parent = nullptr);
    ~ConversationFind() override;

    // Finds in `conversation` (not owned; null: nowhere).
    void setConversation(Conversation *conversation);
    // What to find (empty: nothing), and whether in the thinking too.
    void setTerm(const QString &term, bool includeReasoning);
    QString term() const { return m_term; }

    const QList<Match> &matches() const { return m_matches; }
    // Whether every message of the path has been searched (false while text is on its way).
    bool isComplete() const
    {
        return m_waiting.isEmpty() && !(m_conversation && !m_term.isEmpty() && m_conversation->isLoading());
    }
    // The current match (-1: none); kept across changes while it still exists.
    int current() const { return m_current; }
    void setCurrent(int index); // wraps around; ignored without matches
    void step(int step) { setCurrent(m_current + step); }
    // The first match in that message and area, or -1.
    int indexOf(qint64 messageId, Area area) const;
    // The first match in a message at or after `pathIndex` on the path (-1: none).
    int firstFrom(qsizetype pathIndex) const;

signals:
    // The matches, their completeness or the current one changed.
    void changed();

private:
    struct Counts
    {
        int reasoning = 0;
        int content = 0;
    };

    // Conversation::Observer
    void messageAdded(const Conversation &, const Message &message) override;
    void textAppended(const Conversation &, qint64 id, const QString &content,
                      const QString &reasoning) override;
    void messageChanged(const Conversation &, const Message &message, MessageFields fields) override;
    void messagesRemoved(const Conversation &, const QList<qint64> &removed,
                         const QList<qint64> &moved) override;
    void pathChanged(const Conversation &) override;
    void textLoaded(const Conversation &, const QList<qint64> &ids) override;
    void restored(const Conversation &) override;
    void destroyed(const Conversation &) override;

    static int count(const QString &text, const QString &term); // case-insensitive, not overlapping
    void searchAll(); // every message of the path again
    void countOne(qint64 id);
    void rebuild(); // m_matches from m_counts, in path order, keeping the current match
    void recountGrown();

    Conversation *m_conversation = nullptr;
    QString m_term;
    bool m_includeReasoning = false;
    QHash<qint64, Counts> m_counts; // messages searched, by id
    QSet<qint64> m_waiting; // messages of the path whose text is on its way
    QSet<qint64> m_grown; // messages that streamed more text since they were counted
    QTimer m_growTimer; // streamed text is counted again at most this often
    QList<Match> m_matches;
    int m_current = -1;
};

} // namespace moonpane
