// StreamAssembler (through StreamDecoder, the path ChatClient uses): every fixture assembles to
// its expected reply however the bytes are split, plus the rules of usage, finish_reason,
// reasoning fields, tool-call indexes and in-band errors.
#include "FakeServer.h"
#include "api/StreamDecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <random>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

QJsonObject replyJson(const AssistantReply &reply)
{
    QJsonArray calls;
    for (const ToolCall &call : reply.toolCalls)
        calls.append(call.toJson());
    return {
        {u"content"_s, reply.content},
        {u"reasoning_content"_s, reply.reasoningContent},
        {u"tool_calls"_s, calls},
        {u"finish_reason"_s, reply.finishReason.isEmpty() ? QJsonValue() : QJsonValue(reply.finishReason)},
        {u"usage"_s, reply.usage ? QJsonValue(reply.usage->raw) : QJsonValue()},
    };
}

class Recorder final : public StreamAssembler::Listener
{
public:
    std::string content;
    std::string reasoning;
    int contentDeltas = 0;
    int toolDeltas = 0;
    int usages = 0;
    void reasoningDelta(std::string_view utf8) override { reasoning.append(utf8); }
    void contentDelta(std::string_view utf8) override
    {
        content.append(utf8);
        ++contentDeltas;
    }
    void toolCallDelta(int, std::string_view, std::string_view, std::string_view) override { ++toolDeltas; }
    void usageUpdated() override { ++usages; }
};

// Feeds `events` (already-framed data payloads) straight to an assembler.
AssistantReply assemble(StreamAssembler &assembler, std::initializer_list<const char *> events)
{
    for (const char *event : events)
        assembler.addEvent("message", event);
    return assembler.reply();
}

} // namespace

class TestStreamAssembler : public QObject
{
    Q_OBJECT

private slots:
    void fixtures_data();
    void fixtures();
    void listenerSeesEveryDelta();
    void usageLastWinsNeverSummed();
    void cachedTokensFromEitherPlace();
    void finishReasonFirstNonEmptyWins();
    void reasoningAliasOnlyWithoutReasoningContent();
    void emptyReasoningStillCounts();
    void toolCallsWithoutIndex();
    void toolCallNameRepeatedNotDoubled();
    void absurdToolIndexIsAnError();
    void inBandErrorObject();
    void errorEventType();
    void nullErrorIsNoError();
    void malformedJsonKeepsWhatCameBefore();
    void invalidUtf8BecomesReplacementCharacters();
    void eventsAfterDoneAreIgnored();
    void nonStreamedCompletion();
    void notAnObjectIsAnError();
};

void TestStreamAssembler::fixtures_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("done");
    QTest::newRow("kimi thinking") << u"kimi_thinking.sse"_s << true;
    QTest::newRow("kimi tool calls") << u"kimi_tool_calls.sse"_s << true;
    QTest::newRow("openrouter gateway") << u"gateway_openrouter.sse"_s << true;
    QTest::newRow("reasoning in both fields") << u"reasoning_both_fields.sse"_s << true;
    QTest::newRow("crlf framing") << u"crlf_framing.sse"_s << true;
    QTest::newRow("length limit") << u"length_limit.sse"_s << true;
    QTest::newRow("no [DONE]") << u"no_done.sse"_s << false;
    QTest::newRow("cut short") << u"cut_short.sse"_s << false;
    QTest::newRow("openai include_usage") << u"openai_include_usage.sse"_s << true;
    QTest::newRow("demo reply") << u"demo_weather.sse"_s << true;
}

void TestStreamAssembler::fixtures()
{
    QFETCH(QString, name);
    QFETCH(bool, done);
    const QByteArray input = test::fixtureBytes(name);
    const QJsonObject expected =
        QJsonDocument::fromJson(test::fixtureBytes(name + u".expected.json"_s)).object();
    QVERIFY(!expected.isEmpty());

    std::mt19937 random(7);
    for (int round = 0; round < 50; ++round) {
        StreamDecoder decoder;
        if (round == 0) {
            decoder.feed(input.constData(), static_cast<size_t>(input.size()));
        } else {
            std::uniform_int_distribution<qsizetype> step(1, round < 25 ? 3 : 500);
            for (qsizetype at = 0; at < input.size();) {
                const qsizetype n = std::min(step(random), input.size() - at);
                decoder.feed(input.constData() + at, static_cast<size_t>(n));
                at += n;
            }
        }
        decoder.finish();
        QVERIFY2(!decoder.assembler().hasError(), qPrintable(decoder.assembler().error().summary()));
        QCOMPARE(decoder.assembler().isDone(), done);
        QCOMPARE(replyJson(decoder.assembler().reply()), expected);
    }
}

void TestStreamAssembler::listenerSeesEveryDelta()
{
    Recorder recorder;
    StreamDecoder decoder(&recorder);
    const QByteArray input = test::fixtureBytes(u"kimi_thinking.sse"_s);
    decoder.feed(input.constData(), static_cast<size_t>(input.size()));
    QCOMPARE(recorder.content, std::string(decoder.assembler().content()));
    QCOMPARE(recorder.reasoning, std::string(decoder.assembler().reasoningContent()));
    QCOMPARE(recorder.contentDeltas, 9); // the role chunk's "" is not a delta
    QCOMPARE(recorder.usages, 1);

    Recorder tools;
    StreamDecoder toolDecoder(&tools);
    const QByteArray toolInput = test::fixtureBytes(u"kimi_tool_calls.sse"_s);
    toolDecoder.feed(toolInput.constData(), static_cast<size_t>(toolInput.size()));
    QVERIFY(tools.toolDeltas > 10);
    QCOMPARE(tools.usages, 2); // in choices[0], then the identical top-level copy
}

void TestStreamAssembler::usageLastWinsNeverSummed()
{
    StreamAssembler assembler;
    const AssistantReply reply = assemble(
        assembler,
        {R"({"choices":[{"delta":{"content":"a"},"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}]})",
         R"({"choices":[{"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}]})",
         R"({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}})"});
    QVERIFY(reply.usage);
    QCOMPARE(reply.usage->promptTokens, 10);
    QCOMPARE(reply.usage->completionTokens, 5);
    QCOMPARE(reply.usage->totalTokens, 15);
}

void TestStreamAssembler::cachedTokensFromEitherPlace()
{
    StreamAssembler top;
    QCOMPARE(assemble(top, {R"({"usage":{"prompt_tokens":9,"completion_tokens":1,"cached_tokens":8}})"})
                 .usage->cachedTokens,
             8);
    StreamAssembler nested;
    const auto usage =
        assemble(
            nested,
            {R"({"usage":{"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3}}})"})
            .usage;
    QCOMPARE(usage->cachedTokens, 4);
    QCOMPARE(usage->reasoningTokens, 3);
    QCOMPARE(usage->totalTokens, 9); // derived when total_tokens is missing
    StreamAssembler none;
    QVERIFY(!assemble(none, {R"({"usage":{"prompt_tokens":9}})"}).usage->cachedTokens);
}

void TestStreamAssembler::finishReasonFirstNonEmptyWins()
{
    StreamAssembler assembler;
    const AssistantReply reply = assemble(assembler,
                                          {R"({"choices":[{"delta":{"content":"x"},"finish_reason":""}]})",
                                           R"({"choices":[{"delta":{},"finish_reason":"length"}]})",
                                           R"({"choices":[{"delta":{},"finish_reason":"stop"}]})",
                                           R"({"choices":[{"delta":{},"finish_reason":null}]})"});
    QCOMPARE(reply.finishReason, u"length"_s);
    QVERIFY(assembler.hasFinishReason());
}

void TestStreamAssembler::reasoningAliasOnlyWithoutReasoningContent()
{
    StreamAssembler assembler;
    const AssistantReply reply =
        assemble(assembler,
                 {R"({"choices":[{"delta":{"reasoning":"a"}}]})",
                  R"({"choices":[{"delta":{"reasoning_content":"b","reasoning":"b"}}]})",
                  R"({"choices":[{"delta":{"reasoning":"c","reasoning_content":"c"}}]})",
                  R"({"choices":[{"delta":{"reasoning_content":"d","reasoning":"other"}}]})"});
    QCOMPARE(reply.reasoningContent, u"abcd"_s);
}

void TestStreamAssembler::emptyReasoningStillCounts()
{
    StreamAssembler assembler;
    const AssistantReply reply = assemble(assembler, {R"({"choices":[{"delta":{"reasoning_content":""}}]})"});
    QVERIFY(reply.hasReasoning);
    QVERIFY(reply.reasoningContent.isEmpty());
    QCOMPARE(reply.toMessage().reasoningContent, std::optional<QString>(QString()));

    StreamAssembler without;
    QVERIFY(!assemble(without, {R"({"choices":[{"delta":{"content":"x"}}]})"}).hasReasoning);
}

void TestStreamAssembler::toolCallsWithoutIndex()
{
    StreamAssembler assembler;
    const AssistantReply reply = assemble(
        assembler,
        {R"({"choices":[{"delta":{"tool_calls":[{"id":"add:0","type":"function","function":{"name":"add","arguments":"{\"a\":"}}]}}]})",
         R"({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]})",
         R"({"choices":[{"delta":{"tool_calls":[{"id":"multiply:1","type":"function","function":{"name":"multiply","arguments":"{}"}}]}}]})",
         R"({"choices":[{"delta":{"tool_calls":[{"id":"add:0","function":{"arguments":""}}]}}]})"});
    QCOMPARE(reply.toolCalls.size(), 2);
    QCOMPARE(reply.toolCalls[0].id, u"add:0"_s);
    QCOMPARE(reply.toolCalls[0].arguments, u"{\"a\":1}"_s);
    QCOMPARE(reply.toolCalls[1].name, u"multiply"_s);
}

void TestStreamAssembler::toolCallNameRepeatedNotDoubled()
{
    StreamAssembler assembler;
    const AssistantReply reply = assemble(
        assembler,
        {R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{"}}]}}]})",
         R"({"choices":[{"delta":{"tool_calls":[{"index":0,"type":"function","function":{"name":"get_weather","arguments":"}"}}]}}]})"});
    QCOMPARE(reply.toolCalls.size(), 1);
    QCOMPARE(reply.toolCalls[0].name, u"get_weather"_s);
    QCOMPARE(reply.toolCalls[0].arguments, u"{}"_s);
}

void TestStreamAssembler::absurdToolIndexIsAnError()
{
    StreamAssembler assembler;
    assemble(assembler,
             {R"({"choices":[{"delta":{"tool_calls":[{"index":99999999,"function":{"arguments":"x"}}]}}]})"});
    QVERIFY(assembler.hasError());
    QCOMPARE(assembler.error().kind, ApiError::Kind::Protocol);
}

void TestStreamAssembler::inBandErrorObject()
{
    StreamDecoder decoder;
    const QByteArray input = test::fixtureBytes(u"inband_error.sse"_s);
    decoder.feed(input.constData(), static_cast<size_t>(input.size()));
    QVERIFY(decoder.isOver());
    const ApiError &error = decoder.assembler().error();
    QCOMPARE(error.kind, ApiError::Kind::Stream);
    QCOMPARE(error.code, u"502"_s);
    QCOMPARE(error.message, u"Upstream provider returned error"_s);
    QCOMPARE(error.summary(), u"stream 502: Upstream provider returned error"_s);
    QCOMPARE(decoder.assembler().reply().content, u"Partial answer"_s);
    QVERIFY(!decoder.assembler().isDone()); // [DONE] after the error is not a success
}

void TestStreamAssembler::errorEventType()
{
    StreamAssembler assembler;
    assembler.addEvent("error", R"({"error":{"type":"rate_limit_reached_error","message":"slow down"}})");
    QCOMPARE(assembler.error().code, u"rate_limit_reached_error"_s);
    QCOMPARE(assembler.error().message, u"slow down"_s);

    StreamAssembler text;
    text.addEvent("error", "upstream went away");
    QCOMPARE(text.error().kind, ApiError::Kind::Stream);
    QCOMPARE(text.error().message, u"upstream went away"_s);
}

void TestStreamAssembler::nullErrorIsNoError()
{
    StreamAssembler assembler;
    assemble(assembler, {R"({"error":null,"choices":[{"delta":{"content":"ok"}}]})", R"({"error":false})"});
    QVERIFY(!assembler.hasError());
    QCOMPARE(assembler.reply().content, u"ok"_s);
    StreamAssembler message;
    assemble(message, {R"({"error":"quota exceeded"})"});
    QCOMPARE(message.error().message, u"quota exceeded"_s);
}

void TestStreamAssembler::malformedJsonKeepsWhatCameBefore()
{
    StreamAssembler assembler;
    assemble(assembler,
             {R"({"choices":[{"delta":{"content":"kept"}}]})", R"({"choices":[{"delta":{"content":"bro)",
              R"({"choices":[{"delta":{"content":" ignored"}}]})"});
    QVERIFY(assembler.hasError());
    QCOMPARE(assembler.error().kind, ApiError::Kind::Protocol);
    QVERIFY(assembler.error().message.contains(u"not valid JSON"_s));
    QCOMPARE(assembler.reply().content, u"kept"_s);
}

void TestStreamAssembler::invalidUtf8BecomesReplacementCharacters()
{
    StreamAssembler assembler;
    assembler.addEvent("message",
                       "{\"choices\":[{\"delta\":{\"content\":\"a\xff\xfe"
                       "b\"}}]}");
    QVERIFY(!assembler.hasError());
    const QString content = assembler.reply().content;
    QVERIFY(content.startsWith(u'a'));
    QVERIFY(content.endsWith(u'b'));
    QVERIFY(content.contains(QChar::ReplacementCharacter));
}

void TestStreamAssembler::eventsAfterDoneAreIgnored()
{
    StreamAssembler assembler;
    assemble(assembler,
             {R"({"choices":[{"delta":{"content":"a"}}]})", "[DONE]",
              R"({"choices":[{"delta":{"content":"b"}}]})", "not json"});
    QVERIFY(assembler.isDone());
    QVERIFY(!assembler.hasError());
    QCOMPARE(assembler.reply().content, u"a"_s);
}

void TestStreamAssembler::nonStreamedCompletion()
{
    StreamAssembler assembler;
    const QByteArray body = test::fixtureBytes(u"completion.json"_s);
    assembler.addCompletion(std::string_view(body.constData(), static_cast<size_t>(body.size())));
    QVERIFY(!assembler.hasError());
    QCOMPARE(replyJson(assembler.reply()),
             QJsonDocument::fromJson(test::fixtureBytes(u"completion.json.expected.json"_s)).object());

    StreamAssembler objectArguments;
    objectArguments.addCompletion(
        R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"a:0","type":"function","function":{"name":"a","arguments":{"x":[1,2]}}}]}}]})");
    QCOMPARE(objectArguments.reply().toolCalls.value(0).arguments, u"{\"x\":[1,2]}"_s);
}

void TestStreamAssembler::notAnObjectIsAnError()
{
    StreamAssembler assembler;
    assembler.addEvent("message", "[1,2,3]");
    QVERIFY(assembler.hasError());
    StreamAssembler blank;
    blank.addEvent("message", "   ");
    QVERIFY(!blank.hasError()); // an empty keep-alive event
}

QTEST_GUILESS_MAIN(TestStreamAssembler)
#include "tst_StreamAssembler.moc"
