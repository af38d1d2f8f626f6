#include "ChatSession.h"

#include "api/ChatCall.h"
#include "api/ChatClient.h"
#include "api/ChatRequest.h"
#include "api/FileUpload.h"
#include "api/MediaPolicy.h"
#include "api/WireRecorder.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <cstring>

using namespace Qt::StringLiterals;

namespace moonpane {

ChatSession::ChatSession(ChatClient *client, Conversation *conversation, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_conversation(conversation)
    , m_wire(new WireRecorder(this))
{
}

ChatSession::~ChatSession()
{
    if (m_upload) {
        m_upload->disconnect(this);
        m_upload->cancel();
        m_upload->deleteLater();
    }
    if (m_call) {
        m_call->disconnect(this);
        m_call->detachWire(); // the recorder goes with this session
        m_call->cancel();
        m_call->deleteLater();
    }
}

ChatParameters ChatSession::parameters() const
{
    if (m_override)
        return *m_override;
    return m_conversation->parameters.value_or(m_defaults);
}

namespace {

// Adds `extra` tools to the parameters' own, skipping names already there. With Kimi's
// $web_search declared, kimi-k2.6 and kimi-k2.5 get thinking turned off: their docs call the two
// incompatible (API-NOTES §7), and a request with both can fail.
void addTools(ChatParameters &parameters, const QJsonArray &extra)
{
    QSet<QString> taken;
    for (const QJsonValue &tool : std::as_const(parameters.tools))
        taken.insert(ChatParameters::toolName(tool));
    for (const QJsonValue &tool : extra) {
        const QString name = ChatParameters::toolName(tool);
        if (!taken.contains(name)) {
            parameters.tools.append(tool);
            taken.insert(name);
        }
    }
    const bool k2 =
        parameters.model.startsWith("kimi-k2.6"_L1) || parameters.model.startsWith("kimi-k2.5"_L1);
    if (k2 && taken.contains(u"$web_search"_s)) {
        parameters.thinking = ThinkingMode::Disabled;
        parameters.keepThinking = false;
    }
}

// What stands for a medium in a request until its upload has given it a file id.
constexpr char kPendingUpload[] = "ms://pending-upload-";

QString busyProblem()
{
    return QCoreApplication::translate(
        "ChatSession", "a turn is under way (a reply streaming, or tool calls waiting); stop it first");
}

} // namespace

void ChatSession::setState(TurnState state)
{
    if (state == m_state)
        return;
    const bool wasBusy = isBusy();
    m_state = state;
    emit stateChanged(state);
    if (wasBusy != isBusy())
        emit busyChanged(isBusy());
}

QList<ToolCall> ChatSession::pendingToolCalls() const
{
    if (m_state != TurnState::AwaitingApproval && m_state != TurnState::RunningTools)
        return {};
    const Message *m = m_conversation->message(m_toolReplyId);
    return m ? m->toolCalls : QList<ToolCall>();
}

bool ChatSession::beginToolRun()
{
    if (m_state != TurnState::AwaitingApproval)
        return false;
    setState(TurnState::RunningTools);
    return true;
}

QStringList ChatSession::submitToolResults(const QStringList &results)
{
    QList<ToolAnswer> answers;
    for (const QString &text : results)
        answers.append({text, {}});
    return submitToolResults(answers);
}

QStringList ChatSession::submitToolResults(const QList<ToolAnswer> &answers)
{
    if (m_state != TurnState::AwaitingApproval && m_state != TurnState::RunningTools)
        return {tr("no tool calls are waiting for results")};
    const qsizetype calls = pendingToolCalls().size();
    if (answers.size() != calls)
        return {tr("%1 tool calls wait for results; %2 were given").arg(calls).arg(answers.size())};
    const QStringList problems = startReply(answerCalls(m_toolReplyId, answers));
    if (!problems.isEmpty()) {
        // The results are kept (they happened); the turn cannot go on.
        setState(TurnState::Failed);
    }
    return problems;
}

qint64 ChatSession::answerCalls(qint64 replyId, const QList<ToolAnswer> &answers)
{
    const Message *reply = m_conversation->message(replyId);
    const QList<ToolCall> calls = reply ? reply->toolCalls : QList<ToolCall>();
    qint64 parent = replyId;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        Message result;
        result.role = Role::Tool;
        result.toolCallId = calls.at(i).id;
        result.name = calls.at(i).name;
        const ToolAnswer answer = answers.size() == 1 ? answers.constFirst() : answers.value(i);
        result.content = answer.text;
        result.parts = answer.parts;
        result.parentId = parent;
        parent = m_conversation->add(result);
    }
    m_toolReplyId = 0;
    return parent;
}

QStringList ChatSession::send(const QString &text, const QList<ContentPart> &parts)
{
    if (isBusy())
        return {busyProblem()};
    if (text.trimmed().isEmpty() && parts.isEmpty())
        return {tr("the message is empty")};
    Message user;
    user.role = Role::User;
    user.content = text;
    user.parts = parts;
    m_conversation->finishLoading(); // the new message goes under what is stored
    user.parentId = m_conversation->nextTurnParent(); // never under an unfinished turn
    user.createdAt = QDateTime::currentDateTimeUtc();
    const qint64 userId = m_conversation->add(user);
    const QStringList problems = startReply(userId);
    if (!problems.isEmpty()) {
        // Nothing was sent: take the message back so the composer keeps it as a draft.
        m_conversation->removeBranch(userId);
    }
    return problems;
}

QStringList ChatSession::regenerate(qint64 assistantId)
{
    m_conversation->ensureText({assistantId});
    const Message *m = m_conversation->message(assistantId);
    if (!m || m->role != Role::Assistant)
        return {tr("only a reply can be regenerated")};
    if (isBusy())
        return {busyProblem()};
    return startReply(m->parentId);
}

QStringList ChatSession::retry(qint64 assistantId)
{
    m_conversation->ensureText({assistantId});
    const Message *m = m_conversation->message(assistantId);
    if (!m || m->role != Role::Assistant)
        return {tr("only a reply can be retried")};
    if (isBusy())
        return {busyProblem()};
    if (!m->actions().retry)
        return {tr("only a reply that failed or was cut off can be retried; regenerate it instead")};
    const qint64 parentId = m->parentId;
    const bool empty = m->content.isEmpty() && m->reasoning.isEmpty() && m->toolCalls.isEmpty();
    const QStringList problems = startReply(parentId);
    // A failed attempt that produced nothing is replaced; one with a partial reply stays as a branch.
    if (problems.isEmpty() && empty) {
        m_conversation->removeBranch(assistantId);
        m_conversation->selectBranch(m_replyId);
    }
    return problems;
}

QStringList ChatSession::editAndResend(qint64 userId, const QString &text)
{
    m_conversation->ensureText({userId});
    const Message *m = m_conversation->message(userId);
    if (!m || m->role != Role::User)
        return {tr("only your own messages can be edited")};
    if (isBusy())
        return {busyProblem()};
    if (text.trimmed().isEmpty() && m->parts.isEmpty())
        return {tr("the message is empty")};
    Message edited;
    edited.role = Role::User;
    edited.content = text;
    edited.parts = m->parts;
    edited.parentId = m->parentId;
    edited.createdAt = QDateTime::currentDateTimeUtc();
    const qint64 editedId = m_conversation->add(edited);
    const QStringList problems = startReply(editedId);
    if (!problems.isEmpty()) {
        m_conversation->removeBranch(editedId);
        m_conversation->selectBranch(userId);
    }
    return problems;
}

QStringList ChatSession::continueReply(qint64 assistantId)
{
    m_conversation->ensureText({assistantId});
    const Message *m = m_conversation->message(assistantId);
    if (!m || m->role != Role::Assistant)
        return {tr("only a reply can be continued")};
    if (isBusy())
        return {busyProblem()};
    if (m->content.isEmpty())
        return {tr("the reply has no text to continue from; regenerate it instead")};
    if (!m->actions().continueReply)
        return {tr("only a reply that was cut off can be continued")};
    return startReply(m->parentId, assistantId);
}

QStringList ChatSession::encode(const ChatRequest &request, RequestBody *body)
{
    if (QStringList problems = request.validate(); !problems.isEmpty())
        return problems;
    // Media stay references: the body's size is known without reading them.
    *body = request.toBody();
    if (body->size() > ChatRequest::kMaxBodyBytes)
        return {tr("the request would be %1 MB; the API accepts at most %2 MB. Send fewer or smaller "
                   "attachments.")
                    .arg(body->size() / 1'000'000)
                    .arg(ChatRequest::kMaxBodyBytes / 1'000'000)};
    return {};
}

ChatRequest ChatSession::makeRequest(qint64 parentId, const ChatMessage *extra, QStringList *leftOut,
                                     QList<MediaRef> *uploads)
{
    ChatRequest request;
    request.parameters = parameters();
    if (parentId != 0)
        request.messages = m_conversation->history(parentId);
    else if (!m_conversation->systemPrompt.trimmed().isEmpty())
        request.messages = {ChatMessage::system(m_conversation->systemPrompt)};
    if (extra)
        request.messages.append(*extra);
    addTools(request.parameters, m_toolSource ? m_toolSource() : QJsonArray());
    referToUploads(request, uploads);
    *leftOut += MediaPolicy::keepTurns(request.messages, m_mediaTurns);
    return request;
}

void ChatSession::referToUploads(ChatRequest &request, QList<MediaRef> *uploads) const
{
    for (ChatMessage &message : request.messages) {
        for (ContentPart &part : message.parts) {
            if (!part.isStoredFile() || part.media.bytes <= ChatRequest::kMaxInlineMediaBytes)
                continue;
            if (const QString id = m_client->uploadedFileId(part.media.hash); !id.isEmpty()) {
                part = ContentPart::fromVideoUrl("ms://" + id.toUtf8()); // uploaded before: referred to
                continue;
            }
            if (m_client->filesApi() != ChatClient::FilesApi::Available)
                continue; // stays a data URI, and the request is refused for its size, saying why
            if (uploads && std::none_of(uploads->cbegin(), uploads->cend(), [&](const MediaRef &m) {
                    return m.hash == part.media.hash;
                }))
                uploads->append(part.media);
            part = ContentPart::fromVideoUrl(kPendingUpload + part.media.hash.toLatin1());
        }
    }
}

QStringList ChatSession::tooLargeToSend(const ChatRequest &request) const
{
    QStringList problems;
    for (const ChatMessage &message : request.messages) {
        for (const ContentPart &part : message.parts) {
            if (part.isStoredFile() && part.media.bytes > ChatRequest::kMaxInlineMediaBytes)
                problems.append(
                    tr("%1 is %2 MB, more than a request can carry (%3 MB once in base64), and %4")
                        .arg(part.media.name)
                        .arg(part.media.bytes / 1'000'000)
                        .arg(ChatRequest::kMaxBodyBytes / 1'000'000)
                        .arg(m_client->filesApi() == ChatClient::FilesApi::Absent
                                 ? tr("this server has no Files API to upload it to")
                                 : tr("whether this server has a Files API to upload it to is not known yet; "
                                      "try "
                                      "again in a moment")));
        }
    }
    return problems;
}

RequestBudget ChatSession::budget(const QString &text, const QList<ContentPart> &parts)
{
    ChatRequest request;
    bool fit = false;
    bool weighable = false;
    RequestBudget budget = prepareBudget(text, parts, &request, &fit, &weighable);
    if (weighable)
        weigh(budget, std::move(request), fit);
    return budget;
}

RequestBudget ChatSession::prepareBudget(const QString &text, const QList<ContentPart> &parts,
                                         ChatRequest *request, bool *fit, bool *weighable)
{
    RequestBudget budget;
    budget.limit = ChatRequest::kMaxBodyBytes;
    *fit = m_fitOnce;
    *weighable = false;
    if (m_conversation->isLoading())
        return budget;
    const qint64 parent = m_conversation->nextTurnParent();
    if (parent != 0 && !m_conversation->isPathLoaded(parent))
        return budget; // reading it here would wait for the disk
    Message user;
    user.role = Role::User;
    user.content = text;
    user.parts = parts;
    const ChatMessage extra = user.toChatMessage();
    *request = makeRequest(parent, &extra, &budget.leftOut, nullptr);
    *weighable = true;
    // The media, largest first, with how many turns ago they were sent (counted from the end).
    int turnsAgo = 0;
    for (qsizetype i = request->messages.size() - 1; i >= 0; --i) {
        const ChatMessage &message = request->messages.at(i);
        if (message.role != Role::User)
            continue;
        for (const ContentPart &part : message.parts) {
            if (part.isText())
                continue;
            RequestBudget::Medium medium;
            medium.name = part.media.name;
            medium.video = part.kind == ContentPart::Kind::Video;
            medium.bytes = part.isStoredFile() ? part.media.dataUriSize() : part.url.size();
            medium.turnsAgo = turnsAgo;
            budget.media.append(medium);
        }
        ++turnsAgo;
    }
    std::stable_sort(
        budget.media.begin(), budget.media.end(),
        [](const RequestBudget::Medium &a, const RequestBudget::Medium &b) { return a.bytes > b.bytes; });
    return budget;
}

void ChatSession::weigh(RequestBudget &budget, ChatRequest request, bool fit)
{
    if (!fit) {
        budget.bytes = request.toBody().size();
        return;
    }
    QStringList leftOut;
    budget.bytes = MediaPolicy::leaveOutToFit(request, budget.limit, &leftOut);
    budget.leftOut += leftOut;
    // What was left out no longer weighs: the oldest media go first.
    for (qsizetype i = 0; i < leftOut.size(); ++i) {
        qsizetype oldest = -1;
        for (qsizetype j = 0; j < budget.media.size(); ++j) {
            if (budget.media.at(j).turnsAgo > 0
                && (oldest < 0 || budget.media.at(j).turnsAgo > budget.media.at(oldest).turnsAgo))
                oldest = j;
        }
        if (oldest >= 0)
            budget.media.removeAt(oldest);
    }
}

QStringList ChatSession::preview(const QString &text, const QList<ContentPart> &parts, QByteArray *body)
{
    if (text.trimmed().isEmpty() && parts.isEmpty())
        return {tr("the message is empty")};
    m_conversation->finishLoading();
    const qint64 parent = m_conversation->nextTurnParent();
    Message user;
    user.role = Role::User;
    user.content = text;
    user.parts = parts;
    const ChatMessage extra = user.toChatMessage();
    QStringList leftOut;
    const ChatRequest request = makeRequest(parent, &extra, &leftOut, nullptr);
    RequestBody encoded;
    if (QStringList problems = encode(request, &encoded); !problems.isEmpty())
        return problems;
    QString error;
    if (!encoded.flatten(body, &error))
        return {error};
    return {};
}

QStringList ChatSession::startReply(qint64 parentId, qint64 continueId)
{
    QStringList leftOut;
    QList<MediaRef> uploads;
    ChatRequest request = makeRequest(parentId, nullptr, &leftOut, &uploads);
    if (continueId) {
        ChatMessage prefix = ChatMessage::assistant(m_conversation->message(continueId)->content);
        prefix.partial = true;
        request.messages.append(prefix);
    }
    if (QStringList problems = tooLargeToSend(request); !problems.isEmpty())
        return problems;
    if (m_fitOnce)
        MediaPolicy::leaveOutToFit(request, ChatRequest::kMaxBodyBytes, &leftOut);
    RequestBody body;
    if (QStringList problems = encode(request, &body); !problems.isEmpty())
        return problems;
    m_fitOnce = false; // it was for this request

    if (continueId) {
        m_replyId = continueId;
        m_prefix = m_conversation->message(continueId)->content;
        m_echo.clear();
        m_echoResolved = false;
        m_continuing = true;
        m_conversation->update(continueId,
                               MessageField::State | MessageField::Error | MessageField::FinishReason,
                               [](Message &m) {
                                   m.state = MessageState::Streaming;
                                   m.error = {};
                                   m.finishReason.clear();
                               });
    } else {
        addReply(parentId, request.parameters.model);
    }
    beginRequest(request.parameters.stream);
    if (!uploads.isEmpty()) {
        // Media too large to go inline go to the Files API first; the request follows.
        m_waiting = std::move(request);
        setState(TurnState::Uploading);
        uploadNext(std::move(uploads));
        return {};
    }
    post(std::move(body), request.parameters.stream);
    return {};
}

void ChatSession::addReply(qint64 parentId, const QString &model)
{
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = parentId;
    reply.state = MessageState::Streaming;
    reply.model = model;
    reply.createdAt = QDateTime::currentDateTimeUtc();
    m_replyId = m_conversation->add(reply);
    m_continuing = false;
    m_echoResolved = true;
}

void ChatSession::beginRequest(bool stream)
{
    m_reasoningStartMs = -1;
    m_contentStartMs = -1;
    m_streamed = stream;
    m_clock.start();

    if (m_state != TurnState::Streaming && m_state != TurnState::RunningTools
        && m_state != TurnState::AwaitingApproval) {
        m_round = 0; // a new turn
        m_roundLimitHit = false;
    }
    ++m_round;
    emit replyStarted(m_replyId);
}

QStringList ChatSession::resend(qint64 assistantId, RequestBody body, bool stream, const QString &model)
{
    m_conversation->ensureText({assistantId});
    const Message *m = m_conversation->message(assistantId);
    if (!m || m->role != Role::Assistant)
        return {tr("the reply that request made is gone")};
    if (isBusy())
        return {busyProblem()};
    if (body.size() > ChatRequest::kMaxBodyBytes)
        return {tr("the request would be %1 MB; the API accepts at most %2 MB")
                    .arg(body.size() / 1'000'000)
                    .arg(ChatRequest::kMaxBodyBytes / 1'000'000)};
    addReply(m->parentId, model.isEmpty() ? m->model : model);
    beginRequest(stream);
    post(std::move(body), stream);
    return {};
}

void ChatSession::uploadNext(QList<MediaRef> uploads)
{
    if (uploads.isEmpty()) {
        // All there: the stand-ins become the files' references, and the request goes out.
        for (ChatMessage &message : m_waiting.messages) {
            for (ContentPart &part : message.parts) {
                if (part.url.startsWith(kPendingUpload))
                    part.url = "ms://"
                        + m_client
                              ->uploadedFileId(
                                  QString::fromLatin1(part.url.mid(int(std::strlen(kPendingUpload)))))
                              .toUtf8();
            }
        }
        RequestBody body;
        if (QStringList problems = encode(m_waiting, &body); !problems.isEmpty())
            return failReply(ApiError::make(ApiError::Kind::Validation, problems.join(u"; "_s)));
        post(std::move(body), m_waiting.parameters.stream);
        m_waiting = {};
        return;
    }
    const MediaRef media = uploads.takeFirst();
    m_upload = m_client->uploadFile(media, media.isVideo() ? u"video"_s : u"image"_s);
    connect(m_upload, &FileUpload::progressed, this, [this, name = media.name](qint64 sent, qint64 total) {
        emit uploadProgressed(name, sent, total);
    });
    connect(m_upload, &FileUpload::finished, this, [this, uploads] {
        FileUpload *upload = m_upload;
        m_upload = nullptr;
        upload->deleteLater();
        if (upload->outcome() != FileUpload::Outcome::Done) {
            m_waiting = {};
            if (upload->outcome() == FileUpload::Outcome::Cancelled) {
                m_conversation->update(m_replyId, MessageField::State,
                                       [](Message &m) { m.state = MessageState::Incomplete; });
                emit replyFinished(m_replyId);
                setState(TurnState::Stopped);
                return;
            }
            return failReply(upload->error());
        }
        m_client->rememberUpload(upload->media().hash, upload->fileId());
        uploadNext(uploads);
    });
}

void ChatSession::failReply(const ApiError &error)
{
    m_conversation->update(m_replyId, MessageField::State | MessageField::Error, [&error](Message &m) {
        m.state = MessageState::Failed;
        m.error = error;
    });
    emit replyFinished(m_replyId);
    setState(TurnState::Failed);
}

void ChatSession::post(RequestBody body, bool stream)
{
    m_call = m_client->sendBody(std::move(body), stream, m_wire, {m_round, m_replyId});
    connect(m_call, &ChatCall::reasoningReceived, this, &ChatSession::onReasoning);
    connect(m_call, &ChatCall::contentReceived, this, &ChatSession::onContent);
    connect(m_call, &ChatCall::toolCallReceived, this,
            [this](int index, const QString &id, const QString &name, const QString &arguments) {
                m_conversation->appendToolCall(m_replyId, index, id, name, arguments);
                emit replyProgressed(m_replyId);
            });
    connect(m_call, &ChatCall::usageReceived, this, [this] {
        const std::optional<Usage> usage = m_call->reply().usage;
        m_conversation->update(m_replyId, MessageField::Usage, [&usage](Message &m) { m.usage = usage; });
    });
    connect(m_call, &ChatCall::finished, this, &ChatSession::onFinished);
    setState(TurnState::Streaming);
}

void ChatSession::appendReasoning(const QString &delta)
{
    m_conversation->appendReasoning(m_replyId, delta);
}

void ChatSession::appendContent(const QString &delta)
{
    m_conversation->appendContent(m_replyId, delta);
}

void ChatSession::onReasoning(const QString &delta)
{
    if (m_reasoningStartMs < 0) {
        m_reasoningStartMs = m_clock.elapsed();
        if (m_continuing)
            appendReasoning(u"\n\n"_s); // a continuation thinks again; keep both apart
    }
    appendReasoning(delta);
    emit replyProgressed(m_replyId);
}

void ChatSession::onContent(const QString &delta)
{
    if (m_contentStartMs < 0) {
        m_contentStartMs = m_clock.elapsed();
        if (m_reasoningStartMs >= 0 && m_streamed) {
            const qint64 thought = m_contentStartMs - m_reasoningStartMs;
            const bool continuing = m_continuing;
            m_conversation->update(m_replyId, MessageField::Timings, [thought, continuing](Message &m) {
                m.thinkingMs = (continuing ? std::max<qint64>(0, m.thinkingMs) : 0) + thought;
            });
        }
    }
    QString text = delta;
    if (!m_echoResolved) {
        // Hold back what could still be the prefix repeated, until it is clear either way.
        m_echo += delta;
        if (m_prefix.startsWith(m_echo) && m_echo.size() < m_prefix.size())
            return;
        m_echoResolved = true;
        text = m_echo.startsWith(m_prefix) ? m_echo.mid(m_prefix.size()) : m_echo;
        m_echo.clear();
    }
    if (!text.isEmpty())
        appendContent(text);
    emit replyProgressed(m_replyId);
}

MessageState ChatSession::stateAfter(ChatCall::Outcome outcome)
{
    switch (outcome) {
    case ChatCall::Outcome::Complete:
        return MessageState::Complete;
    case ChatCall::Outcome::Failed:
        return MessageState::Failed;
    case ChatCall::Outcome::Incomplete:
    case ChatCall::Outcome::Cancelled:
    case ChatCall::Outcome::Running:
        break;
    }
    return MessageState::Incomplete;
}

void ChatSession::onFinished()
{
    ChatCall *call = m_call;
    if (!call)
        return;
    if (!m_echoResolved && !m_echo.isEmpty()) {
        // The stream ended while the text still matched the prefix: it was all a repeat.
        m_echoResolved = true;
        if (!m_prefix.startsWith(m_echo))
            appendContent(m_echo);
    }
    const AssistantReply reply = call->reply();
    const ChatCall::Outcome outcome = call->outcome();
    const ApiError error = call->error();
    const qint64 now = m_clock.elapsed();
    const qint64 firstToken = call->timeToFirstTokenMs();
    // An unstreamed reply arrives at once: how long the model thought and wrote is unknown.
    const qint64 reasoningStart = m_streamed ? m_reasoningStartMs : -1;
    const qint64 contentStart = m_contentStartMs;
    const bool continuing = m_continuing;
    const bool streamed = m_streamed;
    // What the end changes, and only that (the text arrived as appends).
    MessageFields fields = MessageField::State | MessageField::Error | MessageField::Timings;
    if (!reply.finishReason.isEmpty())
        fields |= MessageField::FinishReason;
    if (reply.usage)
        fields |= MessageField::Usage;
    if (!reply.toolCalls.isEmpty())
        fields |= MessageField::ToolCalls; // as assembled: gaps closed, names streamed in pieces joined
    if (reply.hasReasoning)
        fields |= MessageField::Reasoning;
    if (!reply.model.isEmpty())
        fields |= MessageField::Model;
    m_conversation->update(m_replyId, fields, [&](Message &m) {
        m.state = stateAfter(outcome);
        m.error = m.state == MessageState::Complete ? ApiError {} : error;
        if (!reply.finishReason.isEmpty())
            m.finishReason = reply.finishReason;
        if (reply.usage)
            m.usage = reply.usage;
        if (!reply.toolCalls.isEmpty())
            m.toolCalls = reply.toolCalls;
        if (reply.hasReasoning)
            m.hasReasoning = true;
        if (!reply.model.isEmpty())
            m.model = reply.model;
        if (reasoningStart >= 0 && contentStart < 0) // thought until the end (e.g. tool calls)
            m.thinkingMs = (continuing ? std::max<qint64>(0, m.thinkingMs) : 0) + (now - reasoningStart);
        if (firstToken >= 0) {
            if (!continuing)
                m.firstTokenMs = firstToken; // unstreamed: when the whole reply came
            if (streamed)
                m.generationMs = (continuing ? std::max<qint64>(0, m.generationMs) : 0) + (now - firstToken);
        }
    });
    const qint64 id = m_replyId;
    m_call = nullptr;
    m_continuing = false;
    call->deleteLater();
    const bool stopped = outcome == ChatCall::Outcome::Cancelled;
    const bool wantsTools = outcome == ChatCall::Outcome::Complete && reply.finishReason == "tool_calls"_L1
        && !reply.toolCalls.isEmpty();
    emit replyFinished(id);
    if (stopped)
        setState(TurnState::Stopped);
    else if (outcome != ChatCall::Outcome::Complete)
        setState(TurnState::Failed);
    else if (!wantsTools)
        setState(TurnState::Done);
    else if (m_round >= m_maxToolRounds) {
        answerCalls(id,
                    {{tr("not run: this turn reached its limit of %1 requests").arg(m_maxToolRounds), {}}});
        m_roundLimitHit = true;
        setState(TurnState::Stopped);
    } else {
        m_toolReplyId = id;
        setState(TurnState::AwaitingApproval);
    }
}

void ChatSession::stop()
{
    if (m_upload) {
        m_upload->cancel(); // its end ends the turn
        return;
    }
    if (m_call) {
        m_call->cancel(); // onFinished ends the turn
        return;
    }
    if (m_state == TurnState::AwaitingApproval || m_state == TurnState::RunningTools) {
        answerCalls(m_toolReplyId, {{tr("not run: the user stopped the turn"), {}}});
        setState(TurnState::Stopped);
    }
}

void ChatSession::stopWithAnswers(const QList<ToolAnswer> &answers)
{
    if ((m_state != TurnState::AwaitingApproval && m_state != TurnState::RunningTools)
        || answers.size() != pendingToolCalls().size()) {
        stop();
        return;
    }
    answerCalls(m_toolReplyId, answers);
    setState(TurnState::Stopped);
}

} // namespace moonpane
