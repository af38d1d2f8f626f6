#include "ToolRunner.h"

#include "McpClient.h"
#include "ToolJob.h"
#include "api/JsonSchema.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QString pretty(const QString &arguments)
{
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toUtf8());
    return document.isObject() ? QString::fromUtf8(document.toJson(QJsonDocument::Compact)) : arguments;
}

} // namespace

ToolRunner::ToolRunner(ChatSession *session, ToolRegistry *registry, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_conversation(session->conversation())
    , m_registry(registry)
{
    m_conversation->addObserver(this);
    connect(session, &ChatSession::stateChanged, this, &ToolRunner::onState);
    readHistory();
}

void ToolRunner::textLoaded(const Conversation &, const QList<qint64> &)
{
    readHistory();
}

void ToolRunner::pathChanged(const Conversation &)
{
    readHistory();
}

void ToolRunner::messageAdded(const Conversation &, const Message &)
{
    readHistory(); // a new leaf is a new path (while a turn runs, the rows stay as they are)
}

void ToolRunner::restored(const Conversation &)
{
    readHistory();
}

void ToolRunner::readHistory()
{
    if (!m_conversation || !m_round.isEmpty() || (m_session && m_session->isBusy()))
        return;
    QList<ToolRun> runs;
    int round = 0;
    const QList<qint64> &path = m_conversation->path();
    for (qsizetype i = 0; i < path.size(); ++i) {
        const Message *m = m_conversation->message(path.at(i));
        if (!m)
            continue;
        if (m->role == Role::User) {
            round = 0;
            continue;
        }
        if (m->role != Role::Assistant)
            continue;
        ++round;
        for (qsizetype index = 0; index < m->toolCalls.size(); ++index) {
            if (const int seen = rowOf(m->id, int(index)); seen >= 0) {
                runs.append(m_runs.at(seen)); // what this runner saw: timings, images, edits
                continue;
            }
            ToolRun run;
            run.earlier = true;
            run.round = round;
            run.index = int(index);
            run.messageId = m->id;
            run.id = m->toolCalls.at(index).id;
            run.name = m->toolCalls.at(index).name;
            run.arguments = m->toolCalls.at(index).arguments;
            run.status = ToolStatus::Cancelled; // asked for, never answered
            // Its answer is the index-th tool message after the call.
            const Message *answer = nullptr;
            for (qsizetype j = i + 1, seenTools = 0; j < path.size(); ++j) {
                const Message *next = m_conversation->message(path.at(j));
                if (!next || next->role != Role::Tool)
                    break;
                if (seenTools++ == index) {
                    answer = next;
                    break;
                }
            }
            if (answer) {
                const QString text = answer->content;
                run.result.text = text;
                run.status = text == deniedText()            ? ToolStatus::Denied
                    : text.startsWith(u"error: timed out"_s) ? ToolStatus::TimedOut
                    : text.startsWith(u"error: "_s)          ? ToolStatus::Failed
                    : text.startsWith(u"not run"_s) || text.startsWith(u"stopped while running"_s)
                    ? ToolStatus::Cancelled
                    : ToolStatus::Done;
                run.result.status = run.status;
            }
            if (const std::optional<ToolRegistry::Entry> entry = find(run.name)) {
                run.kind = entry->kind;
                run.server = entry->server ? entry->server->spec().name : QString();
            } else {
                run.defined = false;
            }
            runs.append(run);
        }
    }
    if (runs.size() == m_runs.size()
        && std::equal(runs.cbegin(), runs.cend(), m_runs.cbegin(), [](const ToolRun &a, const ToolRun &b) {
               return a.messageId == b.messageId && a.index == b.index && a.status == b.status
                   && a.arguments == b.arguments && a.result.text == b.result.text;
           }))
        return; // nothing new
    m_runs = runs;
    m_jobs.clear();
    m_clocks.clear();
    emit runsReset();
}

ToolRunner::~ToolRunner()
{
    if (m_conversation)
        m_conversation->removeObserver(this);
    for (const QPointer<ToolJob> &job : std::as_const(m_jobs)) {
        if (job) {
            job->disconnect(this);
            job->cancel();
        }
    }
}

QString ToolRunner::deniedText()
{
    return tr("The user declined to run this tool call.");
}

int ToolRunner::rowOf(qint64 messageId, int index) const
{
    for (qsizetype row = m_runs.size() - 1; row >= 0; --row) {
        if (m_runs.at(row).messageId == messageId && m_runs.at(row).index == index)
            return int(row);
    }
    return -1;
}

QList<int> ToolRunner::waiting() const
{
    QList<int> rows;
    for (int row : m_round) {
        if (m_runs.at(row).status == ToolStatus::AwaitingApproval)
            rows.append(row);
    }
    return rows;
}

int ToolRunner::ensureRun(qint64 messageId, int index)
{
    if (const int row = rowOf(messageId, index); row >= 0)
        return row;
    ToolRun run;
    run.messageId = messageId;
    run.index = index;
    run.round = m_session ? m_session->round() : 0;
    m_runs.append(run);
    const int row = int(m_runs.size() - 1);
    emit runAdded(row);
    return row;
}

void ToolRunner::toolCallAppended(const Conversation &, qint64 id, int index, const QString &)
{
    const Message *m = m_conversation->message(id);
    if (!m || index < 0 || index >= m->toolCalls.size())
        return;
    const int row = ensureRun(id, index);
    ToolRun &run = m_runs[row];
    const ToolCall &call = m->toolCalls.at(index);
    run.id = call.id;
    run.name = call.name;
    run.arguments = call.arguments;
    run.status = ToolStatus::Streaming;
    changed(row);
}

void ToolRunner::messageChanged(const Conversation &, const Message &message, MessageFields fields)
{
    if (!(fields & MessageField::ToolCalls))
        return;
    for (qsizetype i = 0; i < message.toolCalls.size(); ++i) {
        const int row = rowOf(message.id, int(i));
        if (row < 0)
            continue; // not streamed here: begin() adds it if it waits
        ToolRun &run = m_runs[row];
        run.id = message.toolCalls.at(i).id;
        run.name = message.toolCalls.at(i).name;
        run.arguments = message.toolCalls.at(i).arguments;
        changed(row);
    }
}

void ToolRunner::destroyed(const Conversation &)
{
    m_conversation = nullptr;
}

void ToolRunner::onState(ChatSession::TurnState state)
{
    switch (state) {
    case ChatSession::TurnState::AwaitingApproval:
        begin();
        break;
    case ChatSession::TurnState::Stopped:
    case ChatSession::TurnState::Failed:
    case ChatSession::TurnState::Done:
    case ChatSession::TurnState::Idle:
        // The turn ended: whatever is still running or waiting will not be answered now.
        for (int row : std::as_const(m_round)) {
            cancelJob(row);
            ToolRun &run = m_runs[row];
            if (!isFinished(run.status)) {
                run.status = ToolStatus::Cancelled;
                run.result.text = tr("not run: the user stopped the turn");
                changed(row);
            }
        }
        m_round.clear();
        m_messageId = 0;
        // Calls that streamed in a reply that then failed never get a decision.
        for (qsizetype row = 0; row < m_runs.size(); ++row) {
            if (m_runs.at(row).status == ToolStatus::Streaming) {
                m_runs[row].status = ToolStatus::Cancelled;
                changed(int(row));
            }
        }
        break;
    case ChatSession::TurnState::Uploading:
    case ChatSession::TurnState::Streaming:
    case ChatSession::TurnState::RunningTools:
        break;
    }
}

void ToolRunner::begin()
{
    m_messageId = m_session->toolCallMessageId();
    m_round.clear();
    const QList<ToolCall> calls = m_session->pendingToolCalls();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const int row = ensureRun(m_messageId, int(i));
        ToolRun &run = m_runs[row];
        run.id = calls.at(i).id;
        run.name = calls.at(i).name;
        run.arguments = calls.at(i).arguments;
        run.round = m_session->round();
        const std::optional<ToolRegistry::Entry> entry = find(run.name);
        run.kind = entry ? entry->kind : ToolKind::Manual;
        run.server = entry && entry->server ? entry->server->spec().name : QString();
        run.defined = entry.has_value();
        run.problems.clear();
        if (entry && entry->kind != ToolKind::Builtin)
            run.problems = JsonSchema::checkArguments(run.arguments, entry->parameters());
        else if (!entry) // no schema to check against; the JSON itself can still be wrong
            run.problems = JsonSchema::checkArguments(run.arguments, {});
        run.status = ToolStatus::AwaitingApproval;
        m_round.append(row);
        changed(row);
    }
    // Decisions may come at once (a policy, or the CLI asking on the terminal inside
    // approvalNeeded); the answers go back once every call has one.
    m_deciding = true;
    QList<int> cannotRun;
    for (int row : std::as_const(m_round)) {
        const ToolRun &run = m_runs.at(row);
        const std::optional<ToolRegistry::Entry> entry = find(run.name);
        const bool executable = entry && entry->kind != ToolKind::Manual;
        if (!executable && !m_manualAnswers) {
            cannotRun.append(row);
            continue;
        }
        decide(row);
    }
    m_deciding = false;
    if (!cannotRun.isEmpty()) {
        emit unanswerable(cannotRun);
        return;
    }
    maybeSubmit();
}

std::optional<ToolRegistry::Entry> ToolRunner::find(const QString &name) const
{
    if (std::optional<ToolRegistry::Entry> entry = m_registry->find(name))
        return entry;
    // A definition of the conversation's own parameters: a manual tool.
    if (!m_session)
        return std::nullopt;
    for (const QJsonValue &tool : m_session->parameters().tools) {
        const QJsonObject function = tool.toObject().value("function"_L1).toObject();
        if (function.value("name"_L1).toString() != name)
            continue;
        ToolRegistry::Entry entry;
        entry.name = name;
        entry.definition = tool.toObject();
        entry.kind = tool.toObject().value("type"_L1).toString() == "builtin_function"_L1 ? ToolKind::Builtin
                                                                                          : ToolKind::Manual;
        return entry;
    }
    return std::nullopt;
}

void ToolRunner::decide(int row)
{
    ToolRun &run = m_runs[row];
    if (run.kind == ToolKind::Builtin) {
        // Kimi runs its own search: the switch was the user's consent, and the arguments go back
        // unchanged (API-NOTES §7).
        run.status = ToolStatus::Done;
        run.result = {ToolStatus::Done, run.arguments, {}, {}};
        run.ms = 0;
        changed(row);
        return;
    }
    const ToolApproval approval = m_registry->approval(run.name);
    if (approval == ToolApproval::Never) {
        run.status = ToolStatus::Denied;
        run.result = {ToolStatus::Denied, deniedText(), {}, {}};
        changed(row);
        return;
    }
    if (run.kind != ToolKind::Manual && (approval == ToolApproval::Always || m_allowed.contains(run.name))) {
        startRun(row);
        return;
    }
    emit approvalNeeded(row);
}

void ToolRunner::approve(int row, const std::optional<QString> &arguments)
{
    if (row < 0 || row >= m_runs.size() || !m_round.contains(row)
        || m_runs.at(row).status != ToolStatus::AwaitingApproval)
        return;
    if (m_runs.at(row).kind == ToolKind::Manual)
        return; // answered, not run
    if (arguments && *arguments != m_runs.at(row).arguments)
        m_runs[row].ranWith = *arguments;
    startRun(row);
}

void ToolRunner::deny(int row)
{
    if (row < 0 || row >= m_runs.size() || !m_round.contains(row)
        || m_runs.at(row).status != ToolStatus::AwaitingApproval)
        return;
    ToolRun &run = m_runs[row];
    run.status = ToolStatus::Denied;
    run.result = {ToolStatus::Denied, deniedText(), {}, {}};
    changed(row);
    maybeSubmit();
}

void ToolRunner::answer(int row, const QString &text)
{
    if (row < 0 || row >= m_runs.size() || !m_round.contains(row)
        || m_runs.at(row).status != ToolStatus::AwaitingApproval)
        return;
    ToolRun &run = m_runs[row];
    run.status = ToolStatus::Done;
    run.result = {ToolStatus::Done, text, {}, {}};
    run.ms = 0;
    changed(row);
    maybeSubmit();
}

void ToolRunner::approveAll()
{
    m_deciding = true;
    for (int row : waiting())
        approve(row);
    m_deciding = false;
    maybeSubmit();
}

void ToolRunner::denyAll()
{
    m_deciding = true;
    for (int row : waiting()) {
        if (m_runs.at(row).kind != ToolKind::Manual)
            deny(row);
    }
    m_deciding = false;
    maybeSubmit();
}

void ToolRunner::allowForConversation(const QString &name)
{
    m_allowed.insert(name);
}

void ToolRunner::startRun(int row)
{
    ToolRun &run = m_runs[row];
    const std::optional<ToolRegistry::Entry> entry = m_registry->find(run.name);
    ToolJob *job = entry
        ? m_registry->start(*entry, run.ranWith.isEmpty() ? run.arguments : run.ranWith, this)
        : nullptr;
    if (!job) {
        finishRun(row, {ToolStatus::Failed, tr("error: no program runs the tool %1").arg(run.name), {}, {}});
        return;
    }
    if (m_session && m_session->state() == ChatSession::TurnState::AwaitingApproval)
        m_session->beginToolRun();
    run.status = ToolStatus::Running;
    m_jobs.insert(row, job);
    m_clocks[row].start();
    changed(row);
    connect(job, &ToolJob::progressed, this,
            [this, row](double progress, double total, const QString &message) {
                ToolRun &r = m_runs[row];
                r.progress = progress;
                r.total = total;
                r.progressMessage = message;
                changed(row);
            });
    connect(job, &ToolJob::finished, this, [this, row, job](const ToolResult &result) {
        m_jobs.remove(row);
        job->deleteLater();
        finishRun(row, result);
    });
    job->start();
}

void ToolRunner::finishRun(int row, const ToolResult &result)
{
    ToolRun &run = m_runs[row];
    run.result = result;
    run.status = result.status;
    run.ms = m_clocks.contains(row) ? m_clocks.take(row).elapsed() : 0;
    changed(row);
    maybeSubmit();
}

QList<ToolAnswer> ToolRunner::answers() const
{
    QList<ToolAnswer> list;
    for (int row : m_round) {
        const ToolRun &run = m_runs.at(row);
        ToolAnswer answer;
        answer.text = run.result.text;
        if (!run.ranWith.isEmpty() && run.status != ToolStatus::Denied)
            answer.text = tr("[The user edited the arguments before this ran; it ran with %1]\n")
                              .arg(pretty(run.ranWith))
                + answer.text;
        // Images a tool returned go on to the model as parts of the tool message (Kimi K2.6 takes
        // media in tool results).
        for (const ToolImage &image : run.result.images) {
            if (!image.data.isEmpty() && image.mimeType.startsWith("image/"_L1))
                answer.parts.append(ContentPart::fromImageUrl("data:" + image.mimeType.toLatin1() + ";base64,"
                                                              + image.data.toBase64()));
        }
        list.append(answer);
    }
    return list;
}

void ToolRunner::maybeSubmit()
{
    if (m_deciding || m_round.isEmpty() || !m_session)
        return;
    for (int row : std::as_const(m_round)) {
        if (!isFinished(m_runs.at(row).status))
            return;
    }
    const QList<ToolAnswer> list = answers();
    m_round.clear();
    m_messageId = 0;
    m_session->submitToolResults(list);
}

void ToolRunner::cancelJob(int row)
{
    if (QPointer<ToolJob> job = m_jobs.take(row)) {
        job->disconnect(this); // its end is not an answer any more
        job->cancel();
        job->deleteLater();
    }
}

void ToolRunner::stop()
{
    if (!m_session)
        return;
    if (m_round.isEmpty()) {
        m_session->stop();
        return;
    }
    for (int row : std::as_const(m_round)) {
        cancelJob(row);
        ToolRun &run = m_runs[row];
        if (!isFinished(run.status)) {
            const bool wasRunning = run.status == ToolStatus::Running;
            run.status = ToolStatus::Cancelled;
            run.result = {ToolStatus::Cancelled,
                          wasRunning ? tr("stopped while running: the user stopped the turn")
                                     : tr("not run: the user stopped the turn"),
                          {},
                          {}};
            run.ms = m_clocks.contains(row) ? m_clocks.take(row).elapsed() : -1;
            changed(row);
        }
    }
    const QList<ToolAnswer> list = answers();
    m_round.clear();
    m_messageId = 0;
    m_session->stopWithAnswers(list);
}

} // namespace moonpane
