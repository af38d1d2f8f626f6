// ToolRunner follows one ChatSession's tool calls and runs them: it is the loop of a turn between
// a reply that ends with finish_reason "tool_calls" and the next request. For each call it finds
// the tool (ToolRegistry), checks the arguments against the tool's schema, and asks for a
// decision unless one was made: "always" runs it, "never" denies it (the model is told), "ask"
// waits for approve() or deny(), "allow for this conversation" lasts as long as this runner.
// Allowed calls start at once, in parallel; when every call of the round has an answer, the
// answers go back in the calls' order and the session sends the next request. Calls are known
// by their message and index, never by id: Kimi's ids repeat across turns.
//
// A manual tool (a definition with nothing bound to it) waits for answer(). Without manual
// answers (the CLI), a call no executor can run ends the loop: unanswerable() says which.
#pragma once

#include "ToolRegistry.h"
#include "ToolRun.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

namespace moonpane {

class ToolJob;

class ToolRunner final : public QObject, private Conversation::Observer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolRunner)

public:
    ToolRunner(ChatSession *session, ToolRegistry *registry, QObject *parent = nullptr);
    ~ToolRunner() override;

    ChatSession *session() const { return m_session; }
    ToolRegistry *registry() const { return m_registry; }
    // The calls of the conversation's active path, in order (the inspector's rows): those of its
    // history, then those made while this runner watched.
    const QList<ToolRun> &runs() const { return m_runs; }
    int rowOf(qint64 messageId, int index) const;
    // Rows of the round waiting for a decision or an answer.
    QList<int> waiting() const;

    void setManualAnswers(bool on) { m_manualAnswers = on; }

    // Runs the call (with `arguments` instead of the model's, when given).
    void approve(int row, const std::optional<QString> &arguments = std::nullopt);
    void deny(int row);
    // A manual tool's answer, typed by the user.
    void answer(int row, const QString &text);
    void approveAll();
    void denyAll();
    // Calls of this tool run without asking while this runner lives (the conversation is open).
    void allowForConversation(const QString &name);
    bool isAllowedForConversation(const QString &name) const { return m_allowed.contains(name); }
    // Ends the turn: running calls are cancelled; the calls that finished keep their results.
    void stop();

    static QString deniedText();

signals:
    // Every row may have changed (the calls of the conversation's history were read again).
    void runsReset();
    void runAdded(int row);
    void runChanged(int row);
    void approvalNeeded(int row);
    // Calls no executor can run, without manual answers: the loop ends with them unanswered.
    void unanswerable(const QList<int> &rows);

private:
    void messageChanged(const Conversation &, const Message &message, MessageFields fields) override;
    void toolCallAppended(const Conversation &, qint64 id, int index, const QString &arguments) override;
    void destroyed(const Conversation &) override;
    void textLoaded(const Conversation &, const QList<qint64> &ids) override;
    void pathChanged(const Conversation &) override;
    void messageAdded(const Conversation &, const Message &) override;
    void restored(const Conversation &) override;
    // The calls of the active path as the conversation keeps them (with their results), merged
    // with what this runner saw happen; not while a round waits (its rows must stay put).
    void readHistory();
    void onState(ChatSession::TurnState state);
    // The registry's entry, else a definition of the session's parameters (a manual tool).
    std::optional<ToolRegistry::Entry> find(const QString &name) const;
    int ensureRun(qint64 messageId, int index);
    void begin();
    void decide(int row);
    void startRun(int row);
    void finishRun(int row, const ToolResult &result);
    // Stops the row's job, if it runs, without taking its end as the call's answer.
    void cancelJob(int row);
    void maybeSubmit();
    QList<ToolAnswer> answers() const;
    void changed(int row) { emit runChanged(row); }

    QPointer<ChatSession> m_session;
    Conversation *m_conversation;
    ToolRegistry *m_registry;
    QList<ToolRun> m_runs;
    QHash<int, QPointer<ToolJob>> m_jobs;
    QHash<int, QElapsedTimer> m_clocks;
    qint64 m_messageId = 0; // the assistant message whose calls wait
    QList<int> m_round; // its rows, in index order
    QSet<QString> m_allowed;
    bool m_manualAnswers = true;
    bool m_deciding = false;
};

} // namespace moonpane
