// ChatSession against the loopback fake server: a reply streams into one row; stop keeps the
// partial reply; errors become a failed row that Retry replaces; edit-and-resend and regenerate
// fork; Continue (Partial Mode) joins the pieces; a conversation streams on in the background;
// a turn with tool calls runs its rounds through every state, and stops or fails in each.
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "api/ChatClient.h"
#include "api/ChatRequest.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

using TurnState = ChatSession::TurnState;

// An event stream with the given content pieces and finish reason.
QByteArray stream(const QStringList &pieces, const QString &finish = u"stop"_s)
{
    QByteArray body;
    for (const QString &piece : pieces) {
        const QJsonObject chunk {
            {u"choices"_s,
             QJsonArray {QJsonObject {{u"index"_s, 0}, {u"delta"_s, QJsonObject {{u"content"_s, piece}}}}}}};
        body += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    }
    const QJsonObject last {
        {u"choices"_s,
         QJsonArray {
             QJsonObject {{u"index"_s, 0}, {u"delta"_s, QJsonObject {}}, {u"finish_reason"_s, finish}}}}};
    body += "data: " + QJsonDocument(last).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n";
    return body;
}

QString expected(const QString &fixture, const char *field)
{
    return QJsonDocument::fromJson(fixtureBytes(fixture + u".expected.json"_s))
        .object()
        .value(QLatin1String(field))
        .toString();
}

// A medium of `megabytes` that takes no room: a sparse file (nothing reads it in these tests
// until it is sent, and what is sent of it is what the test looks at).
MediaRef sparseMedia(const TestEnvironment &env, const QString &name, qint64 megabytes, const char *mime)
{
    MediaRef ref;
    ref.path = env.filePath(name);
    QFile file(ref.path);
    if (!file.open(QIODevice::WriteOnly) || !file.resize(megabytes * 1'000'000))
        qFatal("cannot make %s", qPrintable(ref.path));
    ref.mimeType = QLatin1String(mime);
    ref.bytes = megabytes * 1'000'000;
    ref.name = name;
    return ref;
}

// A user message with media and its reply, under `parent`; returns the reply's id.
qint64 exchange(Conversation *c, qint64 parent, const QString &text, const QList<MediaRef> &media)
{
    Message user;
    user.role = Role::User;
    user.content = text;
    for (const MediaRef &ref : media)
        user.parts.append(ContentPart::fromMedia(ref));
    user.parentId = parent;
    const qint64 userId = c->add(user);
    Message reply;
    reply.role = Role::Assistant;
    reply.content = u"Seen."_s;
    reply.parentId = userId;
    return c->add(reply);
}

QJsonArray sentMessages(const FakeServer &server)
{
    return server.lastRequest().json().value("messages"_L1).toArray();
}

} // namespace

class TestChatSession : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void sendStreamsIntoOneRow();
    void stopKeepsThePartialReply();
    void failedReplyThenRetry();
    void sendingOnAfterAFailedOrEmptyReply();
    void retryKeepsAPartialReplyAsABranch();
    void editAndResendForks();
    void regenerateAddsABranch();
    void continueJoinsThePieces_data();
    void continueJoinsThePieces();
    void toolCallRepliesKeepTheirReasoning();
    void aPlainTurnStreamsThenEnds();
    void aToolTurnRunsUntilTheAnswer();
    void stopEndsATurnInEveryState_data();
    void stopEndsATurnInEveryState();
    void failureEndsATurnInEveryRound();
    void toolResultsMustAnswerEveryCall();
    void theRoundLimitEndsATurn();
    void backgroundConversationStreamsOn();
    void invalidParametersSendNothing();
    void nonStreamedReply();
    void refusalsSayWhyAndSendNothing();
    void theBudgetWeighsTheNextRequestWithoutReading();
    void olderMediaCanBeLeftOutToFit();
    void mediaOfOlderTurnsFollowTheSetting();
    void theFilesApiIsAskedForNotAssumed();
    void aVideoTooLargeForARequestIsUploadedOnce();
    void withoutAFilesApiALargeVideoIsRefused();
    void stopCancelsAnUpload();

private:
    void waitIdle(ChatSession *session);

    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
    Conversation *m_conversation = nullptr;
    ConversationModel *m_model = nullptr;
    ChatSession *m_session = nullptr;
};

void TestChatSession::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    endpoint.apiKey = u"fake-session-test"_s;
    m_client->setEndpoint(endpoint);
    m_conversation = new Conversation;
    m_model = new ConversationModel(this);
    m_model->setConversation(m_conversation);
    m_session = new ChatSession(m_client, m_conversation, this);
}

void TestChatSession::cleanup()
{
    delete m_session;
    delete m_model;
    delete m_conversation;
    delete m_client;
    delete m_server;
}

// Until the request out has ended (the turn may go on, waiting for tools).
void TestChatSession::waitIdle(ChatSession *session)
{
    if (session->state() == TurnState::Streaming) {
        QSignalSpy finished(session, &ChatSession::replyFinished);
        QVERIFY(finished.wait(10000));
    }
    QVERIFY(session->state() != TurnState::Streaming);
}

void TestChatSession::sendStreamsIntoOneRow()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    QSignalSpy busy(m_session, &ChatSession::busyChanged);
    QCOMPARE(m_session->send(u"Hello"_s), QStringList());
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Streaming);
    waitIdle(m_session);
    const Message *reply = m_model->messageAt(1);
    QCOMPARE(reply->state, MessageState::Complete);
    QCOMPARE(reply->content, expected(u"kimi_thinking.sse"_s, "content"));
    QCOMPARE(reply->reasoning, expected(u"kimi_thinking.sse"_s, "reasoning_content"));
    QCOMPARE(reply->finishReason, u"stop"_s);
    QCOMPARE(reply->usage->cachedTokens, 16);
    QCOMPARE(reply->model, u"kimi-k2.6"_s);
    QVERIFY(reply->thinkingMs >= 0);
    QVERIFY(reply->firstTokenMs >= 0);
    QVERIFY(reply->generationMs >= 0);
    // Every delta changed the reply's row only.
    QVERIFY(changed.size() >= 16);
    for (const QList<QVariant> &args : changed)
        QCOMPARE(args.at(0).toModelIndex().row(), 1);
    QCOMPARE(busy.size(), 2);
    QCOMPARE(sentMessages(*m_server),
             QJsonArray({QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Hello"_s}}}));
}

void TestChatSession::stopKeepsThePartialReply()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.pauseAfterBytes = response.body.indexOf("| city");
    m_server->enqueue(response);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(m_session->send(u"Hello"_s).isEmpty());
    QVERIFY(paused.wait(10000));
    QTRY_VERIFY(m_model->messageAt(1)->content.endsWith(u"a table:\n\n"_s));
    m_session->stop();
    waitIdle(m_session);
    const Message *reply = m_model->messageAt(1);
    QCOMPARE(reply->state, MessageState::Incomplete);
    QCOMPARE(reply->error.kind, ApiError::Kind::Cancelled);
    QVERIFY(reply->content.endsWith(u"a table:\n\n"_s));
}

void TestChatSession::failedReplyThenRetry()
{
    m_server->enqueue(
        FakeResponse::json(
            429,
            R"({"error":{"message":"The engine is currently overloaded","type":"engine_overloaded_error"}})")
            .withHeader("Retry-After", "5"));
    QVERIFY(m_session->send(u"Hello"_s).isEmpty());
    waitIdle(m_session);
    const qint64 failedId = m_model->messageAt(1)->id;
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Failed);
    QCOMPARE(m_model->messageAt(1)->error.retryAfterSeconds, std::optional<int>(5));
    QCOMPARE(m_model->messageAt(1)->error.httpStatus, 429);

    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(m_session->retry(failedId), QStringList());
    waitIdle(m_session);
    QCOMPARE(m_model->rowCount(), 2);
    QVERIFY(!m_conversation->message(failedId)); // an empty failed attempt is replaced
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Complete);
    QCOMPARE(m_model->messageAt(1)->content, u"Complete without DONE"_s);
    QCOMPARE(m_model->index(1).data(static_cast<int>(ConversationModel::Roles::BranchCount)).toInt(), 1);
    QCOMPARE(sentMessages(*m_server).size(), 1); // the same history again
}

void TestChatSession::sendingOnAfterAFailedOrEmptyReply()
{
    m_server->enqueue(FakeResponse::json(500, R"({"error":{"message":"boom","type":"server_error"}})"));
    QVERIFY(m_session->send(u"First"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Failed);
    // The user writes on instead of retrying: the failed, empty reply is not history to send.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(m_session->send(u"Second"_s), QStringList());
    waitIdle(m_session);
    QCOMPARE(sentMessages(*m_server),
             QJsonArray({QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"First"_s}},
                         QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Second"_s}}}));
}

void TestChatSession::retryKeepsAPartialReplyAsABranch()
{
    m_server->enqueue(FakeResponse::fixture(u"cut_short.sse"_s));
    QVERIFY(m_session->send(u"Hello"_s).isEmpty());
    waitIdle(m_session);
    const qint64 partialId = m_model->messageAt(1)->id;
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Incomplete);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QVERIFY(m_session->retry(partialId).isEmpty());
    waitIdle(m_session);
    QVERIFY(m_conversation->message(partialId));
    QCOMPARE(m_conversation->siblings(partialId).size(), 2);
    QCOMPARE(m_model->messageAt(1)->content, u"Complete without DONE"_s);
}

void TestChatSession::editAndResendForks()
{
    m_server->enqueue(FakeResponse::sse(stream({u"first answer"_s})));
    QVERIFY(m_session->send(u"first question"_s).isEmpty());
    waitIdle(m_session);
    m_server->enqueue(FakeResponse::sse(stream({u"second answer"_s})));
    QVERIFY(m_session->send(u"second question"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_model->rowCount(), 4);
    const qint64 firstQuestion = m_model->messageAt(0)->id;

    m_server->enqueue(FakeResponse::sse(stream({u"answer to the edit"_s})));
    QVERIFY(m_session->editAndResend(firstQuestion, u"first question, edited"_s).isEmpty());
    waitIdle(m_session);
    // The request holds the edited message and nothing of the old branch.
    QCOMPARE(sentMessages(*m_server),
             QJsonArray({QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"first question, edited"_s}}}));
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->messageAt(0)->content, u"first question, edited"_s);
    QCOMPARE(m_model->messageAt(1)->content, u"answer to the edit"_s);
    // The old branch is kept and can be switched back to.
    QCOMPARE(m_conversation->siblings(m_model->messageAt(0)->id).size(), 2);
    m_conversation->selectBranch(firstQuestion);
    QCOMPARE(m_model->rowCount(), 4);
    QCOMPARE(m_model->messageAt(3)->content, u"second answer"_s);
}

void TestChatSession::regenerateAddsABranch()
{
    m_server->enqueue(FakeResponse::sse(stream({u"one"_s})));
    QVERIFY(m_session->send(u"q"_s).isEmpty());
    waitIdle(m_session);
    const qint64 first = m_model->messageAt(1)->id;
    m_server->enqueue(FakeResponse::sse(stream({u"two"_s})));
    QVERIFY(m_session->regenerate(first).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->messageAt(1)->content, u"two"_s);
    QCOMPARE(m_conversation->siblings(first).size(), 2);
    QCOMPARE(sentMessages(*m_server).last().toObject().value("content"_L1).toString(), u"q"_s);
    QVERIFY(!m_session->regenerate(m_model->messageAt(0)->id).isEmpty()); // a user message cannot be
}

void TestChatSession::continueJoinsThePieces_data()
{
    QTest::addColumn<QStringList>("continuation");
    QTest::newRow("continues after the prefix") << QStringList {u" of Gutenberg"_s, u" starts in Mainz."_s};
    QTest::newRow("repeats the prefix first") << QStringList {
        u"The history of the printing"_s, u" press begins"_s, u" of Gutenberg starts in Mainz."_s};
}

void TestChatSession::continueJoinsThePieces()
{
    QFETCH(QStringList, continuation);
    m_server->enqueue(FakeResponse::fixture(u"length_limit.sse"_s));
    QVERIFY(m_session->send(u"Write an essay"_s).isEmpty());
    waitIdle(m_session);
    const Message *reply = m_model->messageAt(1);
    QCOMPARE(reply->finishReason, u"length"_s);
    const QString prefix = reply->content;
    const qint64 id = reply->id;

    m_server->enqueue(FakeResponse::sse(stream(continuation)));
    QCOMPARE(m_session->continueReply(id), QStringList());
    waitIdle(m_session);
    const QJsonObject last = sentMessages(*m_server).last().toObject();
    QCOMPARE(last, (QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, prefix}, {u"partial"_s, true}}));
    QCOMPARE(m_model->rowCount(), 2); // one reply, not two
    QCOMPARE(m_model->messageAt(1)->content, prefix + u" of Gutenberg starts in Mainz."_s);
    QCOMPARE(m_model->messageAt(1)->finishReason, u"stop"_s);
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Complete);
}

void TestChatSession::toolCallRepliesKeepTheirReasoning()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
    const Message *reply = m_model->messageAt(1);
    QCOMPARE(reply->toolCalls.size(), 2);
    QCOMPARE(reply->toolCalls[0].id, u"functions.get_weather:0"_s);
    QCOMPARE(reply->reasoning, expected(u"kimi_tool_calls.sse"_s, "reasoning_content"));
    // The results go back and the turn goes on: the tool-call message goes with its
    // reasoning_content, the results follow it in order, and no user message is made up.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(m_session->submitToolResults({u"{\"c\":12}"_s, u"{\"c\":9}"_s}), QStringList());
    waitIdle(m_session);
    const QJsonArray sent = sentMessages(*m_server);
    QCOMPARE(sent.size(), 4);
    QCOMPARE(sent.at(0).toObject().value("role"_L1).toString(), u"user"_s);
    const QJsonObject toolCall = sent.at(1).toObject();
    QVERIFY(toolCall.contains("reasoning_content"_L1));
    QCOMPARE(toolCall.value("reasoning_content"_L1).toString(),
             expected(u"kimi_tool_calls.sse"_s, "reasoning_content"));
    QCOMPARE(toolCall.value("tool_calls"_L1).toArray().size(), 2);
    QCOMPARE(sent.at(2).toObject().value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(sent.at(2).toObject().value("tool_call_id"_L1).toString(), u"functions.get_weather:0"_s);
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"{\"c\":12}"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), u"{\"c\":9}"_s);
}

void TestChatSession::aPlainTurnStreamsThenEnds()
{
    QCOMPARE(m_session->state(), TurnState::Idle);
    QSignalSpy states(m_session, &ChatSession::stateChanged);
    QSignalSpy busy(m_session, &ChatSession::busyChanged);
    m_server->enqueue(FakeResponse::sse(stream({u"Hel"_s, u"lo"_s})));
    QVERIFY(m_session->send(u"Hi"_s).isEmpty());
    QCOMPARE(m_session->state(), TurnState::Streaming);
    QVERIFY(m_session->isBusy());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Done);
    QCOMPARE(m_session->round(), 1);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<TurnState>(), TurnState::Streaming);
    QCOMPARE(states.at(1).at(0).value<TurnState>(), TurnState::Done);
    QCOMPARE(busy.size(), 2);
    QVERIFY(m_session->pendingToolCalls().isEmpty());
    // The next turn counts its rounds from one again.
    m_server->enqueue(FakeResponse::sse(stream({u"again"_s})));
    QVERIFY(m_session->send(u"And again"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->round(), 1);
}

void TestChatSession::aToolTurnRunsUntilTheAnswer()
{
    QSignalSpy states(m_session, &ChatSession::stateChanged);
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
    QVERIFY(m_session->isBusy()); // the turn is not over
    const qint64 toolReply = m_session->toolCallMessageId();
    QCOMPARE(toolReply, m_model->messageAt(1)->id);
    QCOMPARE(m_session->pendingToolCalls().size(), 2);
    QCOMPARE(m_session->pendingToolCalls().at(1).id, u"functions.get_weather:1"_s);
    // Nothing else may start while the calls wait.
    QVERIFY(!m_session->send(u"never mind"_s).isEmpty());
    QVERIFY(!m_session->regenerate(toolReply).isEmpty());

    QVERIFY(m_session->beginToolRun());
    QCOMPARE(m_session->state(), TurnState::RunningTools);
    QVERIFY(!m_session->beginToolRun()); // once
    m_server->enqueue(FakeResponse::sse(stream({u"Beijing 12 °C, San Francisco 61 °F."_s})));
    QCOMPARE(m_session->submitToolResults({u"12"_s, u"61"_s}), QStringList());
    QCOMPARE(m_session->state(), TurnState::Streaming);
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Done);
    QCOMPARE(m_session->round(), 2);
    QCOMPARE(m_server->requests().size(), 2);
    // One story on the path: question, calls, results, answer.
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_model->messageAt(2)->role, Role::Tool);
    QCOMPARE(m_model->messageAt(2)->toolCallId, u"functions.get_weather:0"_s);
    QCOMPARE(m_model->messageAt(3)->toolCallId, u"functions.get_weather:1"_s);
    QCOMPARE(m_model->messageAt(3)->content, u"61"_s);
    QCOMPARE(m_model->messageAt(4)->content, u"Beijing 12 °C, San Francisco 61 °F."_s);
    QList<TurnState> seen;
    for (const QList<QVariant> &args : std::as_const(states))
        seen.append(args.at(0).value<TurnState>());
    QCOMPARE(seen,
             (QList<TurnState> {TurnState::Streaming, TurnState::AwaitingApproval, TurnState::RunningTools,
                                TurnState::Streaming, TurnState::Done}));
}

void TestChatSession::stopEndsATurnInEveryState_data()
{
    QTest::addColumn<TurnState>("in");
    QTest::newRow("streaming") << TurnState::Streaming;
    QTest::newRow("awaiting approval") << TurnState::AwaitingApproval;
    QTest::newRow("running tools") << TurnState::RunningTools;
}

void TestChatSession::stopEndsATurnInEveryState()
{
    QFETCH(TurnState, in);
    QSignalSpy paused(m_server, &FakeServer::paused);
    if (in == TurnState::Streaming) {
        FakeResponse held = FakeResponse::fixture(u"kimi_tool_calls.sse"_s);
        held.pauseAfterBytes = held.body.size() / 2;
        m_server->enqueue(held);
    } else {
        m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    }
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    if (in == TurnState::Streaming) {
        QVERIFY(paused.wait(10000));
        QCOMPARE(m_session->state(), TurnState::Streaming);
    } else {
        waitIdle(m_session);
        if (in == TurnState::RunningTools)
            QVERIFY(m_session->beginToolRun());
    }
    QCOMPARE(m_session->state(), in);
    m_session->stop();
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Stopped);
    QVERIFY(!m_session->isBusy());
    QVERIFY(m_session->pendingToolCalls().isEmpty());
    QCOMPARE(m_session->submitToolResults({u"late"_s, u"late"_s}),
             QStringList {u"no tool calls are waiting for results"_s});
    if (in == TurnState::Streaming) {
        QCOMPARE(m_model->messageAt(1)->state, MessageState::Incomplete);
    } else {
        // Calls that never ran are answered as such, so the conversation can go on.
        QCOMPARE(m_model->rowCount(), 4);
        QCOMPARE(m_model->messageAt(2)->role, Role::Tool);
        QCOMPARE(m_model->messageAt(2)->content, u"not run: the user stopped the turn"_s);
    }
    m_server->enqueue(FakeResponse::sse(stream({u"ok"_s})));
    QVERIFY(m_session->send(u"Something else, then"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Done);
    const QJsonArray sent = sentMessages(*m_server);
    QCOMPARE(sent.last().toObject().value("content"_L1).toString(), u"Something else, then"_s);
}

void TestChatSession::failureEndsATurnInEveryRound()
{
    // The first request fails.
    m_server->enqueue(FakeResponse::json(500, R"({"error":{"message":"boom"}})"));
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Failed);
    QVERIFY(!m_session->isBusy());
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Failed);

    // A later round fails: the results stay, the turn is over, the reply says why.
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QVERIFY(m_session->retry(m_model->messageAt(1)->id).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
    QVERIFY(m_session->beginToolRun());
    m_server->enqueue(
        FakeResponse::json(429, R"({"error":{"message":"slow down"}})").withHeader("Retry-After", "3"));
    QVERIFY(m_session->submitToolResults({u"sunny"_s, u"noon"_s}).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Failed);
    QCOMPARE(m_session->round(), 2);
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_model->messageAt(3)->content, u"noon"_s);
    QCOMPARE(m_model->messageAt(4)->state, MessageState::Failed);
    QCOMPARE(m_model->messageAt(4)->error.retryAfterSeconds, 3);

    // Cut off mid-stream: failed too (the partial reply is kept, as incomplete).
    m_server->enqueue(FakeResponse::fixture(u"cut_short.sse"_s));
    QVERIFY(m_session->retry(m_model->messageAt(4)->id).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Failed);
    QCOMPARE(m_conversation->message(m_conversation->leaf())->state, MessageState::Incomplete);
}

void TestChatSession::toolResultsMustAnswerEveryCall()
{
    QCOMPARE(m_session->submitToolResults(QStringList()),
             QStringList {u"no tool calls are waiting for results"_s});
    QVERIFY(!m_session->beginToolRun());
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_session->submitToolResults({u"only one"_s}),
             QStringList {u"2 tool calls wait for results; 1 were given"_s});
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
    QCOMPARE(m_model->rowCount(), 2); // nothing added
    QCOMPARE(m_server->requests().size(), 1); // nothing sent
}

void TestChatSession::theRoundLimitEndsATurn()
{
    m_session->setMaxToolRounds(2);
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QVERIFY(m_session->send(u"Weather?"_s).isEmpty());
    waitIdle(m_session);
    QVERIFY(m_session->submitToolResults({u"a"_s, u"b"_s}).isEmpty());
    waitIdle(m_session);
    // The second reply asks for tools again, but the turn has used its two requests.
    QCOMPARE(m_session->state(), TurnState::Stopped);
    QCOMPARE(m_server->requests().size(), 2);
    const Message *last = m_conversation->message(m_conversation->leaf());
    QCOMPARE(last->role, Role::Tool);
    QCOMPARE(last->content, u"not run: this turn reached its limit of 2 requests"_s);
}

void TestChatSession::backgroundConversationStreamsOn()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.pauseAfterBytes = response.body.indexOf("| city");
    m_server->enqueue(response);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(m_session->send(u"Hello"_s).isEmpty());
    QVERIFY(paused.wait(10000));
    QTRY_VERIFY(!m_conversation->message(m_session->streamingMessageId())->content.isEmpty());

    Conversation other;
    m_model->setConversation(&other); // the user switched away
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    m_server->resume();
    waitIdle(m_session);
    QCOMPARE(changed.size(), 0); // nothing leaked into the conversation shown
    QCOMPARE(m_model->rowCount(), 0);
    const Message *reply = m_conversation->message(m_conversation->path().constLast());
    QCOMPARE(reply->content, expected(u"kimi_thinking.sse"_s, "content"));
    QCOMPARE(reply->state, MessageState::Complete);
    m_model->setConversation(m_conversation);
    QCOMPARE(m_model->rowCount(), 2);
}

void TestChatSession::invalidParametersSendNothing()
{
    ChatParameters parameters;
    parameters.temperature = 3;
    m_conversation->parameters = parameters;
    const QStringList problems = m_session->send(u"Hello"_s);
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.constFirst().contains(u"temperature"_s));
    QCOMPARE(m_model->rowCount(), 0); // the message was taken back
    QVERIFY(m_conversation->isEmpty());
    QVERIFY(!m_session->isBusy());
    QCOMPARE(m_server->requests().size(), 0);
    QVERIFY(!m_session->send(u"   "_s).isEmpty());
}

void TestChatSession::nonStreamedReply()
{
    ChatParameters parameters;
    parameters.stream = false;
    m_session->setDefaults(parameters);
    m_server->enqueue(FakeResponse::fixture(u"completion.json"_s));
    QVERIFY(m_session->send(u"Look it up"_s).isEmpty());
    waitIdle(m_session);
    QCOMPARE(m_server->lastRequest().json().value("stream"_L1), QJsonValue(false));
    const Message *reply = m_model->messageAt(1);
    QCOMPARE(reply->content, u"Let me look that up."_s);
    QCOMPARE(reply->reasoning, u"A search will answer this."_s);
    QCOMPARE(reply->toolCalls.size(), 1);
    QCOMPARE(reply->state, MessageState::Complete);
    // It came at once: when is known, but not how long the model thought or wrote.
    QVERIFY(reply->firstTokenMs >= 0);
    QCOMPARE(reply->thinkingMs, -1);
    QCOMPARE(reply->generationMs, -1);
    QVERIFY(!reply->tokensPerSecond());
}

void TestChatSession::refusalsSayWhyAndSendNothing()
{
    QCOMPARE(m_session->send(u"  \n"_s), QStringList {u"the message is empty"_s});
    QCOMPARE(m_model->rowCount(), 0);

    FakeResponse held = FakeResponse::sse(stream({u"partial"_s}));
    held.pauseAfterBytes = 10;
    m_server->enqueue(held);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QCOMPARE(m_session->send(u"first"_s), QStringList());
    const qint64 user = m_model->messageAt(0)->id;
    const qint64 reply = m_model->messageAt(1)->id;
    const QStringList busy {
        u"a turn is under way (a reply streaming, or tool calls waiting); stop it first"_s};
    QCOMPARE(m_session->send(u"second"_s), busy);
    QCOMPARE(m_session->regenerate(reply), busy);
    QCOMPARE(m_session->editAndResend(user, u"edited"_s), busy);
    QVERIFY(paused.wait(10000));
    m_session->stop();
    waitIdle(m_session);

    QCOMPARE(m_session->regenerate(user), QStringList {u"only a reply can be regenerated"_s});
    QCOMPARE(m_session->retry(user), QStringList {u"only a reply can be retried"_s});
    QCOMPARE(m_session->continueReply(user), QStringList {u"only a reply can be continued"_s});
    QCOMPARE(m_session->editAndResend(reply, u"x"_s),
             QStringList {u"only your own messages can be edited"_s});
    QCOMPARE(m_session->editAndResend(user, u" "_s), QStringList {u"the message is empty"_s});
    m_conversation->update(reply, MessageField::Content, [](Message &m) { m.content.clear(); });
    QCOMPARE(m_session->continueReply(reply),
             QStringList {u"the reply has no text to continue from; regenerate it instead"_s});
    // A reply that ended normally is regenerated, not retried or continued.
    m_conversation->update(reply, MessageField::Content | MessageField::State | MessageField::FinishReason,
                           [](Message &m) {
                               m.content = u"done"_s;
                               m.state = MessageState::Complete;
                               m.finishReason = u"stop"_s;
                           });
    QCOMPARE(
        m_session->retry(reply),
        QStringList {u"only a reply that failed or was cut off can be retried; regenerate it instead"_s});
    QCOMPARE(m_session->continueReply(reply),
             QStringList {u"only a reply that was cut off can be continued"_s});
    QCOMPARE(m_server->requests().size(), 1); // only the first was sent
    QCOMPARE(m_model->rowCount(), 2); // and nothing was added

    // Too much to send: two large images make a body over the API's 100 MB.
    const ContentPart large =
        ContentPart::fromImageUrl("data:image/png;base64," + QByteArray(55'000'000, 'A'));
    const QStringList tooLarge = m_session->send(u"two big ones"_s, {large, large});
    QCOMPARE(tooLarge.size(), 1);
    QVERIFY2(tooLarge.at(0).startsWith(u"the request would be 110 MB; the API accepts at most 100 MB"_s),
             qPrintable(tooLarge.at(0)));
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(m_model->rowCount(), 2);
}

void TestChatSession::theBudgetWeighsTheNextRequestWithoutReading()
{
    TestEnvironment env;
    const MediaRef old = sparseMedia(env, u"old.mp4"_s, 40, "video/mp4");
    const MediaRef recent = sparseMedia(env, u"recent.png"_s, 5, "image/png");
    qint64 leaf = exchange(m_conversation, 0, u"one"_s, {old});
    leaf = exchange(m_conversation, leaf, u"two"_s, {recent});
    const MediaRef draft = sparseMedia(env, u"draft.mov"_s, 20, "video/mov");
    // The files go away: the budget never reads them.
    for (const MediaRef &ref : {old, recent, draft})
        QVERIFY(QFile::remove(ref.path));
    const RequestBudget budget = m_session->budget(u"three"_s, {ContentPart::fromMedia(draft)});
    QVERIFY(budget.isKnown());
    QVERIFY(!budget.isOver());
    QCOMPARE(budget.limit, ChatRequest::kMaxBodyBytes);
    QCOMPARE(budget.media.size(), 3);
    QCOMPARE(budget.media.at(0).name, u"old.mp4"_s); // largest first
    QCOMPARE(budget.media.at(0).turnsAgo, 2);
    QCOMPARE(budget.media.at(1).name, u"draft.mov"_s);
    QCOMPARE(budget.media.at(1).turnsAgo, 0);
    QCOMPARE(budget.media.at(2).turnsAgo, 1);
    QCOMPARE(budget.media.at(0).bytes, old.dataUriSize());
    QVERIFY(budget.bytes > budget.mediaBytes());
    QVERIFY(budget.bytes < budget.mediaBytes() + 10'000); // the rest is a little JSON
    QVERIFY(budget.leftOut.isEmpty());
}

void TestChatSession::olderMediaCanBeLeftOutToFit()
{
    TestEnvironment env;
    const MediaRef first = sparseMedia(env, u"first.mp4"_s, 45, "video/mp4");
    const MediaRef second = sparseMedia(env, u"second.mp4"_s, 30, "video/mp4");
    qint64 leaf = exchange(m_conversation, 0, u"one"_s, {first});
    leaf = exchange(m_conversation, leaf, u"two"_s, {second});
    QByteArray smallPng = QByteArray::fromHex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                              "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a6c50000"
                                              "000049454e44ae426082");
    MediaRef now;
    now.path = env.writeFile(u"now.png"_s, smallPng);
    now.mimeType = u"image/png"_s;
    now.bytes = smallPng.size();
    now.name = u"now.png"_s;
    // 75 MB of video as base64 is 100 MB: over, with what makes it so.
    RequestBudget budget = m_session->budget(u"three"_s, {ContentPart::fromMedia(now)});
    QVERIFY(budget.isOver());
    // A request over the limit is refused before anything is sent...
    QVERIFY(!m_session->send(u"three"_s, {ContentPart::fromMedia(now)}).isEmpty());
    QVERIFY(m_server->requests().isEmpty());
    // ...unless older media are left out, oldest first, as far as needed: here the first video.
    m_session->leaveOutOldMediaToFit();
    budget = m_session->budget(u"three"_s, {ContentPart::fromMedia(now)});
    QVERIFY(!budget.isOver());
    QCOMPARE(budget.leftOut, QStringList {u"[video omitted: first.mp4, 45.0 MB]"_s});
    // Sending it sends exactly that: the first video is a line of text, the second the sparse file's bytes.
    QVERIFY(QFile::remove(first.path)); // never read now
    m_server->enqueue(FakeResponse::sse(stream({u"ok"_s})));
    QCOMPARE(m_session->send(u"three"_s, {ContentPart::fromMedia(now)}), QStringList());
    waitIdle(m_session);
    QCOMPARE(m_session->state(), TurnState::Done);
    const QJsonArray messages = sentMessages(*m_server);
    const QJsonArray one = messages.at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(one.at(1).toObject(),
             (QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"[video omitted: first.mp4, 45.0 MB]"_s}}));
    const QJsonArray two = messages.at(2).toObject().value("content"_L1).toArray();
    QCOMPARE(two.at(1).toObject().value("type"_L1).toString(), u"video_url"_s);
    const QJsonArray three = messages.at(4).toObject().value("content"_L1).toArray();
    QCOMPARE(three.at(1).toObject().value("image_url"_L1).toObject().value("url"_L1).toString().toLatin1(),
             "data:image/png;base64," + smallPng.toBase64());
    // It was for that request: the next one is weighed with all media again.
    QVERIFY(!m_session->leavesOutOldMediaToFit());
}

void TestChatSession::mediaOfOlderTurnsFollowTheSetting()
{
    TestEnvironment env;
    QByteArray bytes(300, 'x');
    const auto media = [&](const QString &name) {
        MediaRef ref;
        ref.path = env.writeFile(name, bytes);
        ref.mimeType = u"image/png"_s;
        ref.bytes = bytes.size();
        ref.name = name;
        return ref;
    };
    qint64 leaf = exchange(m_conversation, 0, u"one"_s, {media(u"a.png"_s)});
    leaf = exchange(m_conversation, leaf, u"two"_s, {media(u"b.png"_s)});
    leaf = exchange(m_conversation, leaf, u"three"_s, {media(u"c.png"_s)});
    m_session->setMediaTurns(2); // the message being sent and the one before keep theirs
    const RequestBudget budget = m_session->budget(u"four"_s, {});
    QCOMPARE(budget.leftOut,
             (QStringList {u"[image omitted: a.png, 300 bytes]"_s, u"[image omitted: b.png, 300 bytes]"_s}));
    m_server->enqueue(FakeResponse::sse(stream({u"ok"_s})));
    QCOMPARE(m_session->send(u"four"_s), QStringList());
    waitIdle(m_session);
    const QJsonArray messages = sentMessages(*m_server);
    QCOMPARE(
        messages.at(0).toObject().value("content"_L1).toArray().at(1).toObject().value("text"_L1).toString(),
        u"[image omitted: a.png, 300 bytes]"_s);
    QCOMPARE(
        messages.at(4).toObject().value("content"_L1).toArray().at(1).toObject().value("type"_L1).toString(),
        u"image_url"_s);
}

void TestChatSession::theFilesApiIsAskedForNotAssumed()
{
    QCOMPARE(m_client->filesApi(), ChatClient::FilesApi::Unknown);
    QSignalSpy changed(m_client, &ChatClient::filesApiChanged);
    m_client->probeFilesApi(); // this server has none: 404
    QVERIFY(changed.wait(5000));
    QCOMPARE(m_client->filesApi(), ChatClient::FilesApi::Absent);
    QCOMPARE(m_server->fileRequests().size(), 1);
    QCOMPARE(m_server->fileRequests().at(0).method, QByteArray("GET"));
    QCOMPARE(m_server->fileRequests().at(0).path, QByteArray("/v1/files"));
    QCOMPARE(m_server->fileRequests().at(0).header("authorization"), QByteArray("Bearer fake-session-test"));
    // Another server: asked again.
    m_server->setFilesApi(true);
    Endpoint other = m_client->endpoint();
    other.apiKey = u"another-key"_s;
    m_client->setEndpoint(other);
    QCOMPARE(m_client->filesApi(), ChatClient::FilesApi::Unknown);
    m_client->probeFilesApi();
    QTRY_COMPARE(m_client->filesApi(), ChatClient::FilesApi::Available);
}

void TestChatSession::aVideoTooLargeForARequestIsUploadedOnce()
{
    TestEnvironment env;
    // 80 MB: 107 MB as base64, more than a request may be.
    MediaRef video = sparseMedia(env, u"long.mp4"_s, 80, "video/mp4");
    video.hash = u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"_s;
    m_server->setFilesApi(true);
    m_client->probeFilesApi();
    QTRY_COMPARE(m_client->filesApi(), ChatClient::FilesApi::Available);
    const RequestBudget budget = m_session->budget(u"What happens?"_s, {ContentPart::fromMedia(video)});
    QVERIFY(!budget.isOver()); // it will go as a reference
    m_server->enqueue(FakeResponse::sse(stream({u"A long video."_s})));
    QSignalSpy states(m_session, &ChatSession::stateChanged);
    QSignalSpy progress(m_session, &ChatSession::uploadProgressed);
    QCOMPARE(m_session->send(u"What happens?"_s, {ContentPart::fromMedia(video)}), QStringList());
    QCOMPARE(m_session->state(), TurnState::Uploading);
    QVERIFY(m_session->isBusy());
    QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), TurnState::Done, 30'000);
    QCOMPARE(states.at(0).at(0).value<TurnState>(), TurnState::Uploading);
    QVERIFY(!progress.isEmpty());
    // The upload: multipart, purpose "video", the file's bytes exactly.
    QCOMPARE(m_server->fileRequests().size(), 2); // the probe and the upload
    const RecordedRequest &upload = m_server->fileRequests().at(1);
    QCOMPARE(upload.method, QByteArray("POST"));
    QVERIFY(upload.header("content-type").startsWith("multipart/form-data; boundary="));
    QVERIFY(upload.body.contains("name=\"purpose\"\r\n\r\nvideo\r\n"));
    QVERIFY(upload.body.contains("filename=\"long.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"));
    const qsizetype start = upload.body.indexOf("\r\n\r\n", upload.body.indexOf("filename=")) + 4;
    const qsizetype end = upload.body.lastIndexOf("\r\n--");
    QCOMPARE(end - start, video.bytes);
    QVERIFY(upload.body.mid(start, end - start) == QByteArray(static_cast<qsizetype>(video.bytes), '\0'));
    // The request refers to it.
    QCOMPARE(m_server->requests().size(), 1);
    const QJsonArray content = sentMessages(*m_server).at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(content.at(1).toObject().value("video_url"_L1).toObject().value("url"_L1).toString(),
             u"ms://file-2"_s);
    QCOMPARE(m_client->uploadedFileId(video.hash), u"file-2"_s);
    // The next turn sends it again by reference, without uploading it again.
    m_server->enqueue(FakeResponse::sse(stream({u"Yes."_s})));
    QCOMPARE(m_session->send(u"And the end?"_s), QStringList());
    QCOMPARE(m_session->state(), TurnState::Streaming);
    waitIdle(m_session);
    QCOMPARE(m_server->fileRequests().size(), 2);
    QCOMPARE(sentMessages(*m_server)
                 .at(0)
                 .toObject()
                 .value("content"_L1)
                 .toArray()
                 .at(1)
                 .toObject()
                 .value("video_url"_L1)
                 .toObject()
                 .value("url"_L1)
                 .toString(),
             u"ms://file-2"_s);
    // The message keeps the file itself (exports, another server).
    QVERIFY(m_model->messageAt(0)->parts.at(0).isStoredFile());
}

void TestChatSession::withoutAFilesApiALargeVideoIsRefused()
{
    TestEnvironment env;
    const MediaRef video = sparseMedia(env, u"long.mp4"_s, 80, "video/mp4");
    m_client->probeFilesApi();
    QTRY_COMPARE(m_client->filesApi(), ChatClient::FilesApi::Absent);
    const QStringList problems = m_session->send(u"What happens?"_s, {ContentPart::fromMedia(video)});
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.at(0).contains(u"long.mp4 is 80 MB"_s) && problems.at(0).contains(u"no Files API"_s),
             qPrintable(problems.at(0)));
    QCOMPARE(m_model->rowCount(), 0); // the message was taken back: the composer keeps it
    QVERIFY(m_server->requests().isEmpty());
}

void TestChatSession::stopCancelsAnUpload()
{
    TestEnvironment env;
    const MediaRef video = sparseMedia(env, u"long.mp4"_s, 90, "video/mp4");
    m_server->setFilesApi(true);
    m_client->probeFilesApi();
    QTRY_COMPARE(m_client->filesApi(), ChatClient::FilesApi::Available);
    QSignalSpy progress(m_session, &ChatSession::uploadProgressed);
    QCOMPARE(m_session->send(u"What happens?"_s, {ContentPart::fromMedia(video)}), QStringList());
    QVERIFY(progress.wait(10'000)); // under way
    m_session->stop();
    QTRY_COMPARE(m_session->state(), TurnState::Stopped);
    QVERIFY(!m_session->isBusy());
    QCOMPARE(m_model->messageAt(1)->state, MessageState::Incomplete);
    QVERIFY(m_server->requests().isEmpty()); // no chat request went out
    QVERIFY(m_client->uploadedFileId(video.hash).isEmpty());
}

QTEST_GUILESS_MAIN(TestChatSession)
#include "tst_ChatSession.moc"
