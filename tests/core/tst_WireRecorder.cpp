// WireRecorder against the fake server on loopback: a recorded stream comes back as exactly its
// lines, in order, with growing timestamps, however the bytes were split; comments and
// keep-alives are kept and named; the moments of the first byte and tokens; an HTML error page
// kept as it came next to the one-line message; the key nowhere; unreadable data flagged; the
// ring's bound; a turn's rounds tagged; and sinks see what the recorder sees.
#include "FakeServer.h"
#include "ToolStreams.h"
#include "api/ChatCall.h"
#include "api/ChatClient.h"
#include "api/ChatRequest.h"
#include "api/WireRecorder.h"
#include "api/WireTrace.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"

#include <QBuffer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kKey = "fake-wire-key-6c1f0e2d9b";

ChatRequest hello()
{
    ChatRequest request;
    request.parameters.model = u"kimi-k2.6"_s;
    ChatMessage user;
    user.role = Role::User;
    user.content = u"Hello"_s;
    request.messages.append(user);
    return request;
}

// The lines of a fixture as an event-stream reader splits them (LF or CRLF; a byte-order mark
// at the start is no part of the first line), without the empty piece after the last line break.
QList<QByteArray> linesOf(const QByteArray &body)
{
    QList<QByteArray> lines = (body.startsWith("\xEF\xBB\xBF") ? body.mid(3) : body).split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    return lines;
}

QByteArray everythingIn(const WireExchange &exchange)
{
    QByteArray all = exchange.url.toEncoded() + exchange.requestBody.describe() + exchange.body;
    for (const auto &[name, value] : exchange.requestHeaders + exchange.responseHeaders)
        all += name + value;
    for (const WireLine &line : exchange.lines)
        all += line.text;
    for (const WireNote &note : exchange.notes)
        all += note.text.toUtf8();
    if (exchange.end)
        all += exchange.end->error.message.toUtf8() + exchange.end->error.summary().toUtf8();
    return all;
}

} // namespace

class TestWireRecorder : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void aReplayedStreamComesBackLineForLine_data();
    void aReplayedStreamComesBackLineForLine();
    void momentsComeInOrder();
    void anErrorPageIsKeptAsItCame();
    void theKeyIsNowhere();
    void unreadableDataIsFlagged();
    void theRingKeepsItsBound();
    void aTurnsRoundsAreTagged();
    void sinksSeeWhatTheRecorderSees();

private:
    ChatCall *start(WireRecorder *recorder, const ChatRequest &request = hello());
    void waitForFinish(ChatCall *call);

    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
};

void TestWireRecorder::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    endpoint.apiKey = QString::fromLatin1(kKey);
    m_client->setEndpoint(endpoint);
}

void TestWireRecorder::cleanup()
{
    delete m_client;
    delete m_server;
}

ChatCall *TestWireRecorder::start(WireRecorder *recorder, const ChatRequest &request)
{
    return m_client->send(request, recorder);
}

void TestWireRecorder::waitForFinish(ChatCall *call)
{
    QSignalSpy finished(call, &ChatCall::finished);
    QVERIFY(finished.wait(10'000));
}

void TestWireRecorder::aReplayedStreamComesBackLineForLine_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<quint32>("seed");
    for (const char *name : {"kimi_thinking.sse", "kimi_tool_calls.sse", "gateway_openrouter.sse",
                             "crlf_framing.sse", "openai_include_usage.sse"}) {
        for (quint32 seed : {1U, 7U, 42U})
            QTest::addRow("%s, split %u", name, seed) << QString::fromLatin1(name) << seed;
    }
}

void TestWireRecorder::aReplayedStreamComesBackLineForLine()
{
    QFETCH(QString, fixture);
    QFETCH(quint32, seed);
    FakeResponse response = FakeResponse::fixture(fixture);
    response.delivery = FakeResponse::Delivery::RandomSplits;
    response.seed = seed;
    m_server->enqueue(response);
    WireRecorder recorder;
    QSignalSpy added(&recorder, &WireRecorder::linesAdded);
    ChatCall *call = start(&recorder);
    waitForFinish(call);
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);

    QCOMPARE(recorder.exchanges().size(), 1);
    const WireExchange &exchange = recorder.exchanges().first();
    QList<QByteArray> got;
    for (const WireLine &line : exchange.lines)
        got.append(line.text);
    QCOMPARE(got, linesOf(response.body));
    QCOMPARE(added.size(), exchange.lines.size()); // one signal per line, as it came
    for (qsizetype i = 1; i < exchange.lines.size(); ++i)
        QVERIFY(exchange.lines.at(i - 1).ms <= exchange.lines.at(i).ms);
    QVERIFY(exchange.lines.first().ms >= exchange.headersMs);
    QVERIFY(exchange.endMs >= exchange.lines.last().ms);
    // Saved as .sse, it is the stream again (LF line ends).
    QCOMPARE(linesOf(exchange.rawStream()), linesOf(response.body));
    // What each line is, by its form.
    QCOMPARE(WireExchange::kindOf(exchange.lines.last()), WireLineKind::Blank);
    bool sawDone = false;
    for (const WireLine &line : exchange.lines)
        sawDone |= WireExchange::kindOf(line) == WireLineKind::Done;
    QCOMPARE(sawDone, response.body.contains("data: [DONE]") || response.body.contains("data:[DONE]"));
    if (fixture == "gateway_openrouter.sse"_L1)
        QCOMPARE(WireExchange::kindOf(exchange.lines.first()), WireLineKind::Comment); // a keep-alive

    QCOMPARE(exchange.status, 200);
    QCOMPARE(exchange.method, "POST"_ba);
    QCOMPARE(exchange.model, u"kimi-k2.6"_s);
    QVERIFY(exchange.end);
    QCOMPARE(exchange.end->outcome, u"Complete"_s);
    QVERIFY(exchange.end->streamed);
    QCOMPARE(exchange.end->reply.content, call->reply().content);
    QCOMPARE(exchange.end->bytesReceived, response.body.size());
    QCOMPARE(exchange.bytesReceived, response.body.size());
    QCOMPARE(exchange.end->bytesSent, hello().toJson().size());
}

void TestWireRecorder::momentsComeInOrder()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    WireRecorder recorder;
    waitForFinish(start(&recorder));
    waitForFinish(start(&recorder));
    QCOMPARE(recorder.exchanges().size(), 2);
    const WireExchange &thinking = recorder.exchanges().at(0);
    QVERIFY(thinking.headersMs >= 0);
    QVERIFY(thinking.firstByteMs >= thinking.headersMs);
    QVERIFY(thinking.firstReasoningMs >= thinking.firstByteMs);
    QVERIFY(thinking.firstContentMs >= thinking.firstReasoningMs);
    QCOMPARE(thinking.firstToolCallMs, -1);
    QVERIFY(thinking.endMs >= thinking.firstContentMs);
    const WireExchange &tools = recorder.exchanges().at(1);
    QVERIFY(tools.firstToolCallMs >= tools.firstByteMs);
    QCOMPARE(tools.end->reply.toolCalls.size(), 2);
    QCOMPARE(tools.end->reply.finishReason, u"tool_calls"_s);
    QVERIFY(tools.id > thinking.id);
    QCOMPARE(recorder.indexOf(tools.id), 1);
}

void TestWireRecorder::anErrorPageIsKeptAsItCame()
{
    const QByteArray page = "<html><head><title>504 Gateway Time-out</title></head>\r\n"
                            "<body><center><h1>504 Gateway Time-out</h1></center></body></html>\r\n";
    m_server->enqueue(FakeResponse::html(504, page));
    WireRecorder recorder;
    ChatCall *call = start(&recorder);
    waitForFinish(call);
    const WireExchange &exchange = recorder.exchanges().first();
    QCOMPARE(exchange.status, 504);
    QCOMPARE(exchange.body, page); // as received, not parsed
    QVERIFY(exchange.lines.isEmpty());
    QVERIFY(exchange.end);
    QCOMPARE(exchange.end->outcome, u"Failed"_s);
    QVERIFY(!exchange.end->streamed);
    QCOMPARE(exchange.end->error.message, call->error().message); // the one-line message beside it
    QVERIFY(!exchange.end->error.message.contains(u"<html>"_s));
}

void TestWireRecorder::theKeyIsNowhere()
{
    // A server that quotes the key back: in its error, in a header, and in a stream.
    m_server->enqueue(
        FakeResponse::json(401, R"({"error":{"message":"Incorrect API key provided: )"_ba + kKey + "\"}}")
            .withHeader("x-request-id", kKey));
    m_server->enqueue(FakeResponse::sse(": echo "_ba + kKey
                                        + "\n\ndata: {\"choices\":[{\"index\":0,\"delta\":"
                                          "{\"content\":\""_ba
                                        + kKey + "\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
    WireRecorder recorder;
    waitForFinish(start(&recorder));
    waitForFinish(start(&recorder));
    QCOMPARE(recorder.exchanges().size(), 2);
    for (const WireExchange &exchange : recorder.exchanges()) {
        const QByteArray all = everythingIn(exchange);
        QVERIFY2(!all.contains(kKey), all.constData());
        bool redacted = false;
        for (const auto &[name, value] : exchange.requestHeaders)
            redacted |=
                name.compare("authorization", Qt::CaseInsensitive) == 0 && value == "Bearer [redacted]";
        QVERIFY(redacted);
    }
    QVERIFY(recorder.exchanges().at(0).body.contains("Incorrect API key provided: [redacted]"));
    QCOMPARE(recorder.exchanges().at(1).lines.first().text, ": echo [redacted]"_ba);
}

void TestWireRecorder::unreadableDataIsFlagged()
{
    m_server->enqueue(
        FakeResponse::sse(": keep-alive\n\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\n\n"
                          "data: [DONE]\n\n"));
    WireRecorder recorder;
    ChatCall *call = start(&recorder);
    waitForFinish(call);
    QCOMPARE(call->error().kind, ApiError::Kind::Protocol);
    const WireExchange &exchange = recorder.exchanges().first();
    QList<WireLineKind> kinds;
    for (const WireLine &line : exchange.lines)
        kinds.append(WireExchange::kindOf(line));
    QCOMPARE(kinds.at(0), WireLineKind::Comment);
    QCOMPARE(kinds.at(2), WireLineKind::Data);
    QCOMPARE(kinds.at(4), WireLineKind::Malformed); // the line the decoder could not read
    QCOMPARE(kinds.count(WireLineKind::Malformed), 1);
    // Lines that are no part of an event stream are flagged by their form alone.
    QCOMPARE(WireExchange::kindOf({0, "<html>", false}), WireLineKind::Malformed);
    QCOMPARE(WireExchange::kindOf({0, "event: message", false}), WireLineKind::Field);
    QCOMPARE(WireExchange::kindOf({0, "data:[DONE]", false}), WireLineKind::Done);
}

void TestWireRecorder::theRingKeepsItsBound()
{
    // Requests of about 1 MB each: the oldest go, the newest stays, the total stays bounded.
    ChatRequest big = hello();
    big.messages.first().content = QString(1 << 20, u'x');
    WireRecorder recorder;
    QSignalSpy dropped(&recorder, &WireRecorder::exchangesDropped);
    for (int i = 0; i < 12; ++i) {
        m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
        waitForFinish(start(&recorder, big));
    }
    QVERIFY(!dropped.isEmpty());
    QVERIFY2(recorder.bytes() <= WireRecorder::kMaxBytes, qPrintable(QString::number(recorder.bytes())));
    QVERIFY(recorder.exchanges().size() < 12);
    QVERIFY(recorder.exchanges().size() >= 4);
    qint64 kept = 0;
    for (const WireExchange &exchange : recorder.exchanges())
        kept += exchange.keptBytes;
    QCOMPARE(kept, recorder.bytes());
    QCOMPARE(recorder.exchanges().last().id, 12); // the newest, whole
    QVERIFY(recorder.exchanges().last().end);

    // One exchange larger than the bound is still kept (its lines past the per-exchange bound
    // are counted, not kept).
    QByteArray stream;
    const QByteArray event =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + QByteArray(2000, 'y') + "\"}}]}\n\n";
    while (stream.size() < WireRecorder::kMaxExchangeBytes + (1 << 20))
        stream += event;
    stream += "data: [DONE]\n\n";
    m_server->enqueue(FakeResponse::sse(stream));
    waitForFinish(start(&recorder));
    const WireExchange &huge = recorder.exchanges().last();
    QVERIFY(huge.linesDropped > 0);
    QCOMPARE(huge.bytesReceived, stream.size());
    QVERIFY(huge.replyCut);
    QCOMPARE(huge.end->reply.content.size(), WireRecorder::kMaxReplyChars);
    QVERIFY(huge.keptBytes < WireRecorder::kMaxExchangeBytes + 4 * WireRecorder::kMaxReplyChars + 64 * 1024);
    recorder.clear();
    QCOMPARE(recorder.bytes(), 0);
}

void TestWireRecorder::aTurnsRoundsAreTagged()
{
    // A turn of two requests: a reply asking for a tool, answered by hand, then the answer.
    Conversation conversation;
    ChatSession session(m_client, &conversation);
    ChatParameters parameters;
    parameters.model = u"kimi-k2.6"_s;
    session.setDefaults(parameters);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"functions.clock:0"_s, u"clock"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"It is noon."_s)));
    QCOMPARE(session.send(u"What time is it?"_s), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::AwaitingApproval);
    const qint64 firstReply = session.toolCallMessageId();
    QVERIFY(session.beginToolRun());
    QCOMPARE(session.submitToolResults(QStringList {u"12:00"_s}), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::Done);

    const QList<WireExchange> &exchanges = session.wire()->exchanges();
    QCOMPARE(exchanges.size(), 2);
    QCOMPARE(exchanges.at(0).tag.round, 1);
    QCOMPARE(exchanges.at(0).tag.messageId, firstReply);
    QCOMPARE(exchanges.at(1).tag.round, 2);
    QCOMPARE(exchanges.at(1).tag.messageId, conversation.path().last());
    QVERIFY(exchanges.at(1).tag.messageId != firstReply);
    QVERIFY(exchanges.at(1).requestBody.describe().contains("12:00"));
}

void TestWireRecorder::sinksSeeWhatTheRecorderSees()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    WireRecorder recorder;
    recorder.addSink(&trace);
    recorder.addSink(&trace); // once only
    waitForFinish(start(&recorder));
    const QByteArray text = buffer.data();
    QCOMPARE(text.count("> POST "), 1);
    QVERIFY(text.contains("> Authorization: Bearer [redacted]"));
    int lines = 0;
    for (const QByteArray &line : text.split('\n'))
        lines += line.contains(" < ") && !line.contains("HTTP ") ? 1 : 0;
    // Every received line is in the trace too (plus the response's header lines and the blank after them).
    QVERIFY(lines >= recorder.exchanges().first().lines.size());
    QVERIFY(text.contains("# complete"));
    recorder.removeSink(&trace);
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    waitForFinish(start(&recorder));
    QCOMPARE(buffer.data().count("> POST "), 1); // removed: told nothing more
    QCOMPARE(recorder.exchanges().size(), 2);
}

QTEST_GUILESS_MAIN(TestWireRecorder)
#include "tst_WireRecorder.moc"
