// ChatClient and ChatCall over real HTTP on loopback: streams in one write, in random splits and
// dripped; dropped connections; HTTP errors; in-band errors; timeouts; cancel; traces.
#include "FakeServer.h"
#include "api/ChatCall.h"
#include "api/ChatClient.h"
#include "api/ChatRequest.h"
#include "api/Redirect.h"
#include "api/ServiceProbe.h"
#include "api/WireTrace.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <functional>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr auto kKey = "fake-test-key-for-the-fake-server-0001";

ChatRequest hello(bool stream = true)
{
    ChatRequest request;
    request.messages = {ChatMessage::user(u"Hello"_s)};
    request.parameters.stream = stream;
    return request;
}

QString expectedContent(const QString &fixture)
{
    return QJsonDocument::fromJson(fixtureBytes(fixture + u".expected.json"_s))
        .object()
        .value("content"_L1)
        .toString();
}

} // namespace

class TestChatClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void streamsAFixture();
    void sendsTheRequestAsBuilt();
    void randomSplitsAndFramings_data();
    void randomSplitsAndFramings();
    void dripDeliversDeltasAsTheyCome();
    void doneEndsTheCallWithoutWaitingForClose();
    void cleanEndAfterFinishReasonIsComplete();
    void cutStreamIsIncomplete();
    void droppedConnectionKeepsThePartialReply();
    void httpErrors_data();
    void httpErrors();
    void inBandErrorFails();
    void jsonAnswerToAStreamedRequest();
    void nonStreamed();
    void connectTimeout();
    void idleTimeout();
    void cancelKeepsThePartialReply();
    void connectionRefused();
    void emptyBodyIsAnError();
    void traceHasLinesButNoKey();
    void errorTextsNeverCarryTheKey();
    void traceRedactsAShortKey();
    void redirectToAnotherOriginSendsNothingThere_data();
    void redirectToAnotherOriginSendsNothingThere();
    void sameOriginRedirectIsFollowedAndTraced();
    void sameOriginRedirectThatDropsTheBodyIsRefused();
    void endlessRedirectsStop();
    void redirectWithoutAUsableLocationFails_data();
    void redirectWithoutAUsableLocationFails();
    void modelListRedirects();
    void plainHttpBeyondLoopbackIsRefused();
    void loopbackAndHttpsAreNotInsecure();
    void replyGrowingPastTheCapEndsIncomplete();
    void keepAlivesDoNotHoldTheIdleTimeout();

private:
    ChatCall *start(const ChatRequest &request = hello(), WireTrace *trace = nullptr);
    void changeEndpoint(const std::function<void(Endpoint &)> &change);
    void waitForFinish(ChatCall *call, int timeoutMs = 10000);

    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
};

void TestChatClient::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    endpoint.apiKey = QLatin1String(kKey);
    m_client->setEndpoint(endpoint);
}

void TestChatClient::cleanup()
{
    delete m_client;
    delete m_server;
}

ChatCall *TestChatClient::start(const ChatRequest &request, WireTrace *trace)
{
    return m_client->send(request, trace);
}

void TestChatClient::changeEndpoint(const std::function<void(Endpoint &)> &change)
{
    Endpoint endpoint = m_client->endpoint();
    change(endpoint);
    m_client->setEndpoint(endpoint);
}

void TestChatClient::waitForFinish(ChatCall *call, int timeoutMs)
{
    if (call->isRunning()) {
        QSignalSpy finished(call, &ChatCall::finished);
        QVERIFY(finished.wait(timeoutMs));
    }
    QVERIFY(!call->isRunning());
}

void TestChatClient::streamsAFixture()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    ChatCall *call = start();
    QSignalSpy started(call, &ChatCall::responseStarted);
    QSignalSpy reasoning(call, &ChatCall::reasoningReceived);
    QSignalSpy content(call, &ChatCall::contentReceived);
    QSignalSpy usage(call, &ChatCall::usageReceived);
    QSignalSpy finished(call, &ChatCall::finished);
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(started.value(0).value(0).toInt(), 200);
    QCOMPARE(reasoning.size(), 7);
    QString streamed;
    for (const QList<QVariant> &args : content)
        streamed += args.at(0).toString();
    QCOMPARE(streamed, expectedContent(u"kimi_thinking.sse"_s));
    QCOMPARE(call->reply().content, streamed);
    QCOMPARE(usage.size(), 1);
    QCOMPARE(call->reply().usage->cachedTokens, 16);
    QVERIFY(call->timeToFirstTokenMs() >= 0);
}

void TestChatClient::sendsTheRequestAsBuilt()
{
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    ChatRequest request = hello();
    request.parameters.thinking = ThinkingMode::Disabled;
    ChatCall *call = start(request);
    waitForFinish(call);
    QCOMPARE(m_server->requests().size(), 1);
    const RecordedRequest &got = m_server->lastRequest();
    QCOMPARE(got.method, "POST"_ba);
    QCOMPARE(got.path, "/v1/chat/completions"_ba);
    QCOMPARE(got.header("authorization"), "Bearer "_ba + kKey);
    QCOMPARE(got.header("content-type"), "application/json"_ba);
    QCOMPARE(got.header("accept"), "text/event-stream"_ba);
    QVERIFY(got.header("user-agent").startsWith("Moonpane/"));
    QCOMPARE(got.body, request.toJson());
}

void TestChatClient::randomSplitsAndFramings_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("framing");
    QTest::addColumn<quint32>("seed");
    const QStringList fixtures = {u"kimi_thinking.sse"_s, u"kimi_tool_calls.sse"_s,
                                  u"gateway_openrouter.sse"_s, u"crlf_framing.sse"_s,
                                  u"openai_include_usage.sse"_s};
    for (const QString &fixture : fixtures) {
        for (quint32 seed : {1u, 2u, 3u}) {
            QTest::addRow("%s chunked seed %u", qPrintable(fixture), seed)
                << fixture << int(FakeResponse::Framing::Chunked) << seed;
        }
        QTest::addRow("%s close-delimited", qPrintable(fixture))
            << fixture << int(FakeResponse::Framing::CloseDelimited) << 9u;
    }
}

void TestChatClient::randomSplitsAndFramings()
{
    QFETCH(QString, fixture);
    QFETCH(int, framing);
    QFETCH(quint32, seed);
    FakeResponse response = FakeResponse::fixture(fixture);
    response.delivery = FakeResponse::Delivery::RandomSplits;
    response.framing = FakeResponse::Framing(framing);
    response.seed = seed;
    m_server->enqueue(response);
    ChatCall *call = start();
    QString streamed;
    connect(call, &ChatCall::contentReceived, this, [&streamed](const QString &delta) { streamed += delta; });
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    const QJsonObject expected =
        QJsonDocument::fromJson(fixtureBytes(fixture + u".expected.json"_s)).object();
    QCOMPARE(streamed, expected.value("content"_L1).toString());
    QCOMPARE(call->reply().reasoningContent, expected.value("reasoning_content"_L1).toString());
    QCOMPARE(call->reply().toolCalls.size(), expected.value("tool_calls"_L1).toArray().size());
    QCOMPARE(call->reply().finishReason, expected.value("finish_reason"_L1).toString());
}

void TestChatClient::dripDeliversDeltasAsTheyCome()
{
    // The server writes part of the body and stops: deltas must arrive before the rest exists.
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 16;
    response.dripIntervalMs = 1;
    response.pauseAfterBytes = response.body.indexOf("| city");
    m_server->enqueue(response);
    ChatCall *call = start();
    QSignalSpy content(call, &ChatCall::contentReceived);
    QSignalSpy reasoning(call, &ChatCall::reasoningReceived);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(paused.wait(10000));
    QTRY_COMPARE(content.size(), 4); // every whole content event before the pause, and no more
    QCOMPARE(reasoning.size(), 7);
    QVERIFY(call->isRunning());
    m_server->resume();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(content.size(), 9);
    QCOMPARE(call->reply().content, expectedContent(u"kimi_thinking.sse"_s));
}

void TestChatClient::doneEndsTheCallWithoutWaitingForClose()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.holdOpen = true; // the server never ends the body
    m_server->enqueue(response);
    changeEndpoint([&](Endpoint &e) { e.idleTimeout = 60s; });
    ChatCall *call = start();
    waitForFinish(call, 5000);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
}

void TestChatClient::cleanEndAfterFinishReasonIsComplete()
{
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(call->reply().content, u"Complete without DONE"_s);
}

void TestChatClient::cutStreamIsIncomplete()
{
    m_server->enqueue(FakeResponse::fixture(u"cut_short.sse"_s));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QCOMPARE(call->error().kind, ApiError::Kind::Transport);
    QVERIFY(call->error().message.contains(u"ended before the reply was complete"_s));
    QCOMPARE(call->reply().content, u"The answer is"_s);
    QCOMPARE(call->reply().reasoningContent, u"Let me think"_s);
}

void TestChatClient::droppedConnectionKeepsThePartialReply()
{
    const QByteArray body = fixtureBytes(u"kimi_thinking.sse"_s);
    const qsizetype cut = body.indexOf("| city"); // mid-content, mid-event
    QVERIFY(cut > 0);
    for (auto framing : {FakeResponse::Framing::Chunked, FakeResponse::Framing::CloseDelimited}) {
        FakeResponse response = FakeResponse::sse(body);
        response.framing = framing;
        response.dropAfterBytes = cut;
        m_server->enqueue(response);
        ChatCall *call = start();
        waitForFinish(call);
        QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
        QVERIFY(call->error().isRetryable());
        // Everything up to the last whole event before the cut is kept.
        const QString expected = expectedContent(u"kimi_thinking.sse"_s);
        const QString got = call->reply().content;
        QVERIFY2(!got.isEmpty() && expected.startsWith(got), qPrintable(got));
        QVERIFY(got.endsWith(u"a table:\n\n"_s));
    }
}

void TestChatClient::httpErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("html");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<QString>("summary");
    QTest::newRow("400")
        << 400
        << R"({"error":{"type":"invalid_request_error","message":"thinking is enabled but reasoning_content is missing in assistant tool call message at index 3"}})"_ba
        << false << QByteArray()
        << u"HTTP 400 invalid_request_error: thinking is enabled but reasoning_content is missing in assistant tool call message at index 3"_s;
    QTest::newRow("401")
        << 401 << R"({"error":{"message":"Invalid Authentication","type":"invalid_authentication_error"}})"_ba
        << false << QByteArray() << u"HTTP 401 invalid_authentication_error: Invalid Authentication"_s;
    QTest::newRow("429")
        << 429
        << R"({"error":{"message":"The engine is currently overloaded, please try again later","type":"engine_overloaded_error"}})"_ba
        << false << "7"_ba
        << u"HTTP 429 engine_overloaded_error: The engine is currently overloaded, please try again later (retry after 7 s)"_s;
    QTest::newRow("500") << 500 << R"({"error":{"message":"oops","type":"server_error"}})"_ba << false
                         << QByteArray() << u"HTTP 500 server_error: oops"_s;
    QTest::newRow("504 html")
        << 504
        << "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"_ba
        << true << QByteArray() << u"HTTP 504: 504 Gateway Time-out (HTML error page)"_s;
}

void TestChatClient::httpErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, html);
    QFETCH(QByteArray, retryAfter);
    QFETCH(QString, summary);
    FakeResponse response = html ? FakeResponse::html(status, body) : FakeResponse::json(status, body);
    if (!retryAfter.isEmpty())
        response.withHeader("Retry-After", retryAfter);
    response.withHeader("x-trace-id", "trace-123");
    m_server->enqueue(response);
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().kind, ApiError::Kind::Http);
    QCOMPARE(call->httpStatus(), status);
    QCOMPARE(call->error().summary(), summary);
    QCOMPARE(call->error().requestId, u"trace-123"_s);
    QVERIFY(call->reply().content.isEmpty());
}

void TestChatClient::inBandErrorFails()
{
    m_server->enqueue(FakeResponse::fixture(u"inband_error.sse"_s));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().kind, ApiError::Kind::Stream);
    QCOMPARE(call->error().summary(), u"stream 502: Upstream provider returned error"_s);
    QCOMPARE(call->reply().content, u"Partial answer"_s);
}

void TestChatClient::jsonAnswerToAStreamedRequest()
{
    m_server->enqueue(FakeResponse::fixture(u"completion.json"_s));
    ChatCall *call = start(hello(true));
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(call->reply().content, u"Let me look that up."_s);
    QCOMPARE(call->reply().toolCalls.value(0).id, u"search:0"_s);
}

void TestChatClient::nonStreamed()
{
    FakeResponse response = FakeResponse::fixture(u"completion.json"_s);
    response.delivery = FakeResponse::Delivery::RandomSplits;
    m_server->enqueue(response);
    ChatCall *call = start(hello(false));
    waitForFinish(call);
    QCOMPARE(m_server->lastRequest().header("accept"), "application/json"_ba);
    QCOMPARE(m_server->lastRequest().json().value("stream"_L1).toBool(true), false);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(call->reply().reasoningContent, u"A search will answer this."_s);
    QCOMPARE(call->reply().finishReason, u"tool_calls"_s);
    QCOMPARE(call->reply().usage->totalTokens, 61);
}

void TestChatClient::connectTimeout()
{
    FakeResponse response;
    response.silent = true;
    m_server->enqueue(response);
    changeEndpoint([&](Endpoint &e) { e.connectTimeout = 300ms; });
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QCOMPARE(call->error().kind, ApiError::Kind::Timeout);
    QVERIFY(call->error().message.contains(u"did not answer within"_s));
}

void TestChatClient::idleTimeout()
{
    const QByteArray body = fixtureBytes(u"kimi_thinking.sse"_s);
    FakeResponse response = FakeResponse::sse(body.left(body.indexOf("| city")));
    response.holdOpen = true; // then silence
    m_server->enqueue(response);
    changeEndpoint([&](Endpoint &e) { e.idleTimeout = 400ms; });
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QCOMPARE(call->error().kind, ApiError::Kind::Timeout);
    QVERIFY(call->error().message.contains(u"sent no event for"_s));
    QVERIFY(call->reply().content.endsWith(u"a table:\n\n"_s));
}

void TestChatClient::cancelKeepsThePartialReply()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 32;
    response.dripIntervalMs = 5;
    m_server->enqueue(response);
    ChatCall *call = start();
    QSignalSpy content(call, &ChatCall::contentReceived);
    QVERIFY(content.wait(10000));
    call->cancel();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Cancelled);
    QCOMPARE(call->error().kind, ApiError::Kind::Cancelled);
    QVERIFY(!call->reply().content.isEmpty());
    QVERIFY(expectedContent(u"kimi_thinking.sse"_s).startsWith(call->reply().content));
    call->cancel(); // harmless once finished
}

void TestChatClient::connectionRefused()
{
    const RefusingPort refusing;
    changeEndpoint([&](Endpoint &e) { e.baseUrl = refusing.baseUrl(); });
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().kind, ApiError::Kind::Transport);
    QVERIFY2(call->error().message.contains(u"refused"_s), qPrintable(call->error().message));
}

void TestChatClient::emptyBodyIsAnError()
{
    m_server->enqueue(FakeResponse::json(200, {}));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QCOMPARE(call->error().kind, ApiError::Kind::Protocol);
}

void TestChatClient::traceHasLinesButNoKey()
{
    FakeResponse error =
        FakeResponse::json(401, R"({"error":{"message":"Incorrect API key provided: )"_ba + kKey + "\"}}");
    m_server->enqueue(error);
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    for (int i = 0; i < 2; ++i) {
        ChatCall *call = start(hello(), &trace);
        waitForFinish(call);
    }
    const QByteArray text = buffer.data();
    QVERIFY(!text.contains(kKey));
    QVERIFY(text.contains("> POST http://127.0.0.1:"));
    QVERIFY(text.contains("> Authorization: Bearer [redacted]"));
    QVERIFY(text.contains("< HTTP 401 Unauthorized"));
    QVERIFY(text.contains("Incorrect API key provided: [redacted]"));
    QVERIFY(text.contains("< data: [DONE]"));
    QVERIFY(text.contains("functions.get_weather:1"));
    QVERIFY(text.contains("# complete"));
}

void TestChatClient::errorTextsNeverCarryTheKey()
{
    // A server that quotes the key back, in the message, the code and a request id.
    m_server->enqueue(FakeResponse::json(401,
                                         R"({"error":{"message":"Incorrect API key provided: )"_ba + kKey
                                             + R"(","code":")" + kKey + R"("}})")
                          .withHeader("x-request-id", kKey));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    const ApiError &error = call->error();
    for (const QString &text : {error.message, error.code, error.requestId, error.summary()})
        QVERIFY2(!text.contains(QLatin1String(kKey)), qPrintable(text));
    QVERIFY(error.message.contains(u"Incorrect API key provided: [redacted]"_s));
}

void TestChatClient::traceRedactsAShortKey()
{
    Endpoint endpoint = m_client->endpoint();
    endpoint.apiKey = u"k9z"_s; // short keys are masked too
    m_client->setEndpoint(endpoint);
    m_server->enqueue(FakeResponse::json(401, R"({"error":{"message":"bad key k9z"}})"));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    ChatCall *call = start(hello(), &trace);
    waitForFinish(call);
    QVERIFY(!buffer.data().contains("k9z"));
    QVERIFY(buffer.data().contains("bad key [redacted]"));
    QCOMPARE(call->error().message, u"bad key [redacted]"_s);
}

void TestChatClient::redirectToAnotherOriginSendsNothingThere_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("otherPort"); // else the other host name for the same port
    for (int status : {301, 302, 303, 307, 308}) {
        QTest::addRow("%d to another port", status) << status << true;
        QTest::addRow("%d to another host", status) << status << false;
    }
}

void TestChatClient::redirectToAnotherOriginSendsNothingThere()
{
    QFETCH(int, status);
    QFETCH(bool, otherPort);
    FakeServer other;
    QVERIFY(other.listen());
    other.enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    // "localhost" reaches the same server, yet is another origin than 127.0.0.1.
    const QByteArray location = otherPort
        ? QByteArray(other.baseUrl().toEncoded() + "/v1/chat/completions")
        : QByteArray("http://localhost:" + QByteArray::number(m_server->port()) + "/v1/chat/completions");
    m_server->enqueue(FakeResponse::json(status, {}).withHeader("Location", location));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    ChatCall *call = start(hello(), &trace);
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().httpStatus, status);
    QCOMPARE(call->error().code, u"redirect_refused"_s);
    QVERIFY2(call->error().message.contains(QString::fromLatin1(location)),
             qPrintable(call->error().message));
    QVERIFY(call->error().message.contains(u"nothing was sent there"_s));
    QVERIFY(!call->error().advice().isEmpty());
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(other.requests().size(), 0);
    QCOMPARE(call->redirects(), 0);
    const QByteArray text = buffer.data();
    QVERIFY(text.contains(QByteArray("< HTTP " + QByteArray::number(status))));
    QCOMPARE(text.count("> POST "), 1);
}

void TestChatClient::sameOriginRedirectIsFollowedAndTraced()
{
    // A relative Location, then an absolute one: both the same origin.
    m_server->enqueue(FakeResponse::json(307, {}).withHeader("Location", "/v2/chat/completions"));
    m_server->enqueue(FakeResponse::json(308, {}).withHeader(
        "Location", m_server->baseUrl().toEncoded() + "/v3/chat/completions"));
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    const ChatRequest request = hello();
    ChatCall *call = start(request, &trace);
    QSignalSpy started(call, &ChatCall::responseStarted);
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(call->httpStatus(), 200); // the last hop's status, not the first
    QCOMPARE(call->redirects(), 2);
    QCOMPARE(started.size(), 1);
    QCOMPARE(call->reply().content, expectedContent(u"kimi_thinking.sse"_s));
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->requests().at(1).path, "/v2/chat/completions"_ba);
    QCOMPARE(m_server->requests().at(2).path, "/v3/chat/completions"_ba);
    for (const RecordedRequest &got : m_server->requests()) {
        QCOMPARE(got.method, "POST"_ba);
        QCOMPARE(got.body, request.toJson());
        QCOMPARE(got.header("authorization"), "Bearer "_ba + kKey);
    }
    const QByteArray text = buffer.data();
    QCOMPARE(text.count("> POST "), 3);
    QVERIFY(text.contains("/v2/chat/completions"));
    QVERIFY(text.contains("< HTTP 307"));
    QVERIFY(text.contains("following the redirect"));
    QVERIFY(!text.contains(kKey));
}

void TestChatClient::sameOriginRedirectThatDropsTheBodyIsRefused()
{
    m_server->enqueue(FakeResponse::json(302, {}).withHeader("Location", "/elsewhere"));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QVERIFY(call->error().message.contains(u"GET"_s));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestChatClient::endlessRedirectsStop()
{
    for (int i = 0; i <= Redirect::kMaxHops; ++i)
        m_server->enqueue(FakeResponse::json(307, {}).withHeader("Location", "/v1/chat/completions"));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QVERIFY(call->error().message.contains(u"more than"_s));
    QCOMPARE(m_server->requests().size(), Redirect::kMaxHops + 1);
}

void TestChatClient::redirectWithoutAUsableLocationFails_data()
{
    QTest::addColumn<QByteArray>("location"); // empty: no Location header at all
    QTest::addColumn<QString>("said");
    QTest::newRow("none") << QByteArray() << u"without saying where to"_s;
    QTest::newRow("blank") << QByteArray("   ") << u"without saying where to"_s;
    QTest::newRow("no host") << QByteArray("http:///v1/chat/completions") << u"not a valid address"_s;
}

void TestChatClient::redirectWithoutAUsableLocationFails()
{
    QFETCH(QByteArray, location);
    QFETCH(QString, said);
    FakeResponse response = FakeResponse::json(307, {});
    if (!location.isNull())
        response.withHeader("Location", location);
    m_server->enqueue(response);
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().code, u"redirect_refused"_s);
    QVERIFY2(call->error().message.contains(said), qPrintable(call->error().message));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestChatClient::modelListRedirects()
{
    FakeServer other;
    QVERIFY(other.listen());
    other.enqueue(FakeResponse::json(200, R"({"data":[{"id":"stolen"}]})"));
    ServiceProbe probe;
    // Same origin: followed, with GET.
    m_server->enqueue(FakeResponse::json(302, {}).withHeader("Location", "/v2/models"));
    m_server->enqueue(FakeResponse::json(200, R"({"data":[{"id":"kimi-k2.6"}]})"));
    QStringList models;
    ApiError error;
    bool done = false;
    probe.listModels(m_client->endpoint(), [&](const QStringList &m, const ApiError &e) {
        models = m;
        error = e;
        done = true;
    });
    QTRY_VERIFY(done);
    QCOMPARE(models, QStringList {u"kimi-k2.6"_s});
    QCOMPARE(m_server->lastRequest().path, "/v2/models"_ba);
    // Another origin: refused, and the other server never hears of it.
    m_server->enqueue(
        FakeResponse::json(301, {}).withHeader("Location", other.baseUrl().toEncoded() + "/v1/models"));
    done = false;
    probe.listModels(m_client->endpoint(), [&](const QStringList &m, const ApiError &e) {
        models = m;
        error = e;
        done = true;
    });
    QTRY_VERIFY(done);
    QVERIFY(models.isEmpty());
    QCOMPARE(error.code, u"redirect_refused"_s);
    QCOMPARE(other.requests().size(), 0);
}

void TestChatClient::plainHttpBeyondLoopbackIsRefused()
{
    Endpoint endpoint = m_client->endpoint();
    endpoint.baseUrl = QUrl(u"http://api.example.com"_s);
    m_client->setEndpoint(endpoint);
    ChatCall *call = start();
    QVERIFY(call->isRunning()); // fails once the event loop runs, so finished() can be connected
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QCOMPARE(call->error().code, u"insecure_refused"_s);
    QVERIFY(call->error().message.contains(u"api.example.com"_s));
    QVERIFY(call->error().advice().contains(u"--allow-insecure"_s));
    QCOMPARE(m_server->requests().size(), 0);

    ServiceProbe probe;
    bool done = false;
    ApiError error;
    probe.listModels(endpoint, [&](const QStringList &, const ApiError &e) {
        error = e;
        done = true;
    });
    QTRY_VERIFY(done);
    QCOMPARE(error.code, u"insecure_refused"_s);

    endpoint.allowInsecure = true; // the user's consent: the request goes out (and fails to resolve)
    QVERIFY(!ChatClient::insecureRefusal(endpoint).isError());
}

void TestChatClient::loopbackAndHttpsAreNotInsecure()
{
    for (const char *url :
         {"http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:9000", "http://localhost",
          "http://LocalHost:1", "http://dev.localhost", "https://api.example.com", "https://10.0.0.1"})
        QVERIFY2(!Endpoint::isInsecure(QUrl(QLatin1String(url))), url);
    for (const char *url :
         {"http://api.example.com", "http://10.0.0.1", "http://[fe80::1]", "HTTP://example.org",
          "http://localhost.example.com", "http://127.0.0.1.example.com"})
        QVERIFY2(Endpoint::isInsecure(QUrl(QLatin1String(url))), url);
    // The fake server by name rather than by address: still loopback, still sent.
    changeEndpoint([&](Endpoint &e) { e.baseUrl = QUrl(u"http://localhost:%1"_s.arg(m_server->port())); });
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    ChatCall *call = start();
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
}

void TestChatClient::replyGrowingPastTheCapEndsIncomplete()
{
    // 200 events of 1 KB of content against a 64 KB cap.
    QByteArray body;
    const QByteArray piece(1000, 'a');
    for (int i = 0; i < 200; ++i)
        body += R"(data: {"choices":[{"index":0,"delta":{"content":")" + piece + "\"}}]}\n\n";
    body += "data: [DONE]\n\n";
    FakeResponse response = FakeResponse::sse(body);
    response.delivery = FakeResponse::Delivery::RandomSplits;
    m_server->enqueue(response);
    changeEndpoint([&](Endpoint &e) { e.maxReplyBytes = 64 << 10; });
    ChatCall *call = start();
    qsizetype streamed = 0;
    connect(call, &ChatCall::contentReceived, this,
            [&streamed](const QString &delta) { streamed += delta.size(); });
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QVERIFY2(call->error().message.contains(u"grew past"_s), qPrintable(call->error().message));
    QCOMPARE(call->reply().content.size(), 65 * 1000); // every whole event that fit in 65,536 bytes
    QCOMPARE(streamed, call->reply().content.size()); // what was shown is what is kept
}

void TestChatClient::keepAlivesDoNotHoldTheIdleTimeout()
{
    // One event, then comments every few milliseconds for far longer than the idle timeout.
    QByteArray body = R"(data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]})"
                      "\n\n";
    for (int i = 0; i < 2000; ++i)
        body += ": keep-alive\n\n";
    FakeResponse response = FakeResponse::sse(body);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 14;
    response.dripIntervalMs = 5; // 2,000 comments: 10 s of keep-alives
    m_server->enqueue(response);
    changeEndpoint([&](Endpoint &e) { e.idleTimeout = 400ms; });
    ChatCall *call = start();
    waitForFinish(call, 5000);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Incomplete);
    QCOMPARE(call->error().kind, ApiError::Kind::Timeout);
    QVERIFY(call->error().message.contains(u"sent no event"_s));
    QCOMPARE(call->reply().content, u"Hi"_s);
    QVERIFY(m_server->bodyBytesWritten() < body.size()); // the comments were still coming
}

QTEST_GUILESS_MAIN(TestChatClient)
#include "tst_ChatClient.moc"
