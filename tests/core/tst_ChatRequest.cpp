// ChatRequest: the body for every field of the spec, validation in words a user understands,
// the history rules for reasoning_content and tool calls, and --history import.
#include "api/ChatRequest.h"
#include "api/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

QJsonObject body(const ChatRequest &request)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.toJson(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("body is not JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

ChatRequest hello()
{
    ChatRequest request;
    request.messages = {ChatMessage::user(u"Hello"_s)};
    return request;
}

bool anyContains(const QStringList &problems, const QString &needle)
{
    for (const QString &problem : problems) {
        if (problem.contains(needle))
            return true;
    }
    return false;
}

ChatMessage toolCallMessage(const QString &id, const QString &reasoning = {}, bool hasReasoning = false)
{
    ChatMessage message = ChatMessage::assistant(QString());
    message.toolCalls = {ToolCall {id, u"function"_s, u"get_weather"_s, u"{\"city\":\"Paris\"}"_s}};
    if (hasReasoning)
        message.reasoningContent = reasoning;
    return message;
}

} // namespace

class TestChatRequest : public QObject
{
    Q_OBJECT

private slots:
    void minimalBody();
    void everyParameter();
    void unsetParametersAreNotSent();
    void thinkingShapes();
    void stopIsStringOrArray();
    void responseFormats();
    void multimodalContent();
    void partialPrefix();
    void validationMessages_data();
    void validationMessages();
    void validRequestHasNoProblems();
    void historyRulesWithThinking();
    void historyRulesKeepAll();
    void historyRulesWithoutThinking();
    void toolMessages();
    void historyImport();
    void historyImportErrors_data();
    void historyImportErrors();
    void messageRoundTrip();
    void jsonWriterEscapes();
    void jsonWriterNumbers();
};

void TestChatRequest::minimalBody()
{
    const QJsonObject json = body(hello());
    QCOMPARE(json.value("model"_L1).toString(), u"kimi-k2.6"_s);
    QCOMPARE(json.value("stream"_L1).toBool(), true);
    QCOMPARE(json.value("messages"_L1).toArray(),
             QJsonArray({QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Hello"_s}}}));
    QCOMPARE(json.keys(), QStringList({u"messages"_s, u"model"_s, u"stream"_s}));
}

void TestChatRequest::everyParameter()
{
    ChatRequest request = hello();
    ChatParameters &p = request.parameters;
    p.model = u"kimi-k2-0905-preview"_s;
    p.thinking = ThinkingMode::Enabled;
    p.keepThinking = true;
    p.maxCompletionTokens = 16000;
    p.temperature = 0.6;
    p.topP = 0.95;
    p.frequencyPenalty = -0.5;
    p.presencePenalty = 1.5;
    p.tools =
        QJsonArray {QJsonObject {{u"type"_s, u"function"_s},
                                 {u"function"_s,
                                  QJsonObject {{u"name"_s, u"get_weather"_s},
                                               {u"parameters"_s, QJsonObject {{u"type"_s, u"object"_s}}}}}}};
    p.stream = false;
    QVERIFY2(request.validate().isEmpty(), qPrintable(request.validate().join(u'\n')));
    const QJsonObject json = body(request);
    QCOMPARE(json.value("model"_L1).toString(), u"kimi-k2-0905-preview"_s);
    QCOMPARE(json.value("thinking"_L1).toObject(),
             (QJsonObject {{u"type"_s, u"enabled"_s}, {u"keep"_s, u"all"_s}}));
    QCOMPARE(json.value("max_completion_tokens"_L1).toInteger(), 16000);
    QVERIFY(!json.contains("max_tokens"_L1));
    QCOMPARE(json.value("temperature"_L1).toDouble(), 0.6);
    QCOMPARE(json.value("top_p"_L1).toDouble(), 0.95);
    QCOMPARE(json.value("frequency_penalty"_L1).toDouble(), -0.5);
    QCOMPARE(json.value("presence_penalty"_L1).toDouble(), 1.5);
    QCOMPARE(json.value("tools"_L1).toArray(), p.tools);
    QCOMPARE(json.value("stream"_L1).toBool(true), false);
    // Numbers are written in their shortest exact form.
    QVERIFY(request.toJson().contains("\"temperature\":0.6,"));
}

void TestChatRequest::unsetParametersAreNotSent()
{
    const QJsonObject json = body(hello());
    for (const char *key : {"thinking", "max_completion_tokens", "max_tokens", "temperature", "top_p",
                            "frequency_penalty", "presence_penalty", "response_format", "tools", "stop"})
        QVERIFY2(!json.contains(QLatin1String(key)), key);
}

void TestChatRequest::thinkingShapes()
{
    ChatRequest request = hello();
    request.parameters.thinking = ThinkingMode::Disabled;
    QCOMPARE(body(request).value("thinking"_L1).toObject(), QJsonObject({{u"type"_s, u"disabled"_s}}));
    request.parameters.thinking = ThinkingMode::Enabled;
    QCOMPARE(body(request).value("thinking"_L1).toObject(), QJsonObject({{u"type"_s, u"enabled"_s}}));
    request.parameters.thinking = ThinkingMode::ServerDefault;
    QVERIFY(!body(request).contains("thinking"_L1));
    request.parameters.keepThinking = true; // keep implies the object, with type enabled
    QCOMPARE(body(request).value("thinking"_L1).toObject(),
             (QJsonObject {{u"type"_s, u"enabled"_s}, {u"keep"_s, u"all"_s}}));
}

void TestChatRequest::stopIsStringOrArray()
{
    ChatRequest request = hello();
    request.parameters.stop = {u"END"_s};
    QCOMPARE(body(request).value("stop"_L1), QJsonValue(u"END"_s));
    request.parameters.stop = {u"END"_s, u"\n\n"_s};
    QCOMPARE(body(request).value("stop"_L1), QJsonValue(QJsonArray {u"END"_s, u"\n\n"_s}));
}

void TestChatRequest::responseFormats()
{
    ChatRequest request = hello();
    request.parameters.responseFormat = ResponseFormat::Text;
    QCOMPARE(body(request).value("response_format"_L1).toObject(), QJsonObject({{u"type"_s, u"text"_s}}));
    request.parameters.responseFormat = ResponseFormat::JsonObject;
    QCOMPARE(body(request).value("response_format"_L1).toObject(),
             QJsonObject({{u"type"_s, u"json_object"_s}}));
    request.parameters.responseFormat = ResponseFormat::JsonSchema;
    request.parameters.jsonSchema =
        QJsonObject {{u"name"_s, u"city"_s}, {u"schema"_s, QJsonObject {{u"type"_s, u"object"_s}}}};
    QCOMPARE(
        body(request).value("response_format"_L1).toObject(),
        (QJsonObject {{u"type"_s, u"json_schema"_s}, {u"json_schema"_s, request.parameters.jsonSchema}}));
}

void TestChatRequest::multimodalContent()
{
    ChatRequest request;
    ChatMessage user;
    user.parts = {ContentPart::fromText(u"What is this?"_s),
                  ContentPart::fromImageUrl("data:image/png;base64,iVBORw0KGgo="),
                  ContentPart::fromVideoUrl("ms://file-abc123")};
    request.messages = {user};
    QVERIFY(request.validate().isEmpty());
    const QJsonArray content =
        body(request).value("messages"_L1).toArray().at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(content.size(), 3);
    QCOMPARE(content.at(0).toObject(),
             (QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"What is this?"_s}}));
    QCOMPARE(
        content.at(1).toObject(),
        (QJsonObject {{u"type"_s, u"image_url"_s},
                      {u"image_url"_s, QJsonObject {{u"url"_s, u"data:image/png;base64,iVBORw0KGgo="_s}}}}));
    QCOMPARE(content.at(2).toObject(),
             (QJsonObject {{u"type"_s, u"video_url"_s},
                           {u"video_url"_s, QJsonObject {{u"url"_s, u"ms://file-abc123"_s}}}}));
}

void TestChatRequest::partialPrefix()
{
    ChatRequest request = hello();
    ChatMessage prefix = ChatMessage::assistant(u"Once upon"_s);
    prefix.partial = true;
    request.messages.append(prefix);
    QVERIFY(request.validate().isEmpty());
    const QJsonObject last = body(request).value("messages"_L1).toArray().last().toObject();
    QCOMPARE(
        last,
        (QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, u"Once upon"_s}, {u"partial"_s, true}}));
}

void TestChatRequest::validationMessages_data()
{
    QTest::addColumn<int>("change");
    QTest::addColumn<QString>("needle");
    QTest::newRow("temperature") << 0 << u"temperature must be between 0 and 2 (got 2.5)"_s;
    QTest::newRow("top_p") << 1 << u"top_p must be between 0 and 1"_s;
    QTest::newRow("frequency") << 2 << u"frequency_penalty must be between -2 and 2"_s;
    QTest::newRow("presence") << 3 << u"presence_penalty must be between -2 and 2"_s;
    QTest::newRow("max tokens") << 4 << u"max_completion_tokens must be at least 1"_s;
    QTest::newRow("six stops") << 5 << u"at most 5 stop sequences"_s;
    QTest::newRow("long stop") << 6 << u"longer than 32 bytes"_s;
    QTest::newRow("empty model") << 7 << u"model id is empty"_s;
    QTest::newRow("keep without thinking") << 8 << u"needs thinking enabled"_s;
    QTest::newRow("schema without name") << 9 << u"needs a \"name\""_s;
    QTest::newRow("bad tool name") << 10 << u"function name \"1bad\""_s;
    QTest::newRow("duplicate tool") << 11 << u"used twice"_s;
    QTest::newRow("no messages") << 12 << u"no messages"_s;
    QTest::newRow("http image") << 13 << u"does not fetch images from http(s) URLs"_s;
    QTest::newRow("tool without id") << 14 << u"tool_call_id"_s;
    QTest::newRow("partial not last") << 15 << u"only the last message"_s;
    QTest::newRow("empty user") << 16 << u"is empty"_s;
    QTest::newRow("nan") << 17 << u"temperature must be between"_s;
    QTest::newRow("partial with json_object") << 18 << u"partial mode cannot be combined"_s;
    QTest::newRow("builtin without $") << 19 << u"starts with '$'"_s;
    QTest::newRow("stop of multibyte chars") << 20 << u"longer than 32 bytes"_s;
    QTest::newRow("data uri not base64") << 21 << u"base64"_s;
}

void TestChatRequest::validationMessages()
{
    QFETCH(int, change);
    QFETCH(QString, needle);
    ChatRequest request = hello();
    ChatParameters &p = request.parameters;
    const auto tool = [](const QString &type, const QString &name) {
        return QJsonObject {{u"type"_s, type}, {u"function"_s, QJsonObject {{u"name"_s, name}}}};
    };
    switch (change) {
    case 0:
        p.temperature = 2.5;
        break;
    case 1:
        p.topP = 1.01;
        break;
    case 2:
        p.frequencyPenalty = -2.1;
        break;
    case 3:
        p.presencePenalty = 3;
        break;
    case 4:
        p.maxCompletionTokens = 0;
        break;
    case 5:
        p.stop = {u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s};
        break;
    case 6:
        p.stop = {QString(33, u'x')};
        break;
    case 7:
        p.model = u"  "_s;
        break;
    case 8:
        p.thinking = ThinkingMode::Disabled;
        p.keepThinking = true;
        break;
    case 9:
        p.responseFormat = ResponseFormat::JsonSchema;
        p.jsonSchema = {{u"schema"_s, QJsonObject {}}};
        break;
    case 10:
        p.tools = {tool(u"function"_s, u"1bad"_s)};
        break;
    case 11:
        p.tools = {tool(u"function"_s, u"get_time"_s), tool(u"function"_s, u"get_time"_s)};
        break;
    case 12:
        request.messages.clear();
        break;
    case 13:
        request.messages[0].parts = {ContentPart::fromImageUrl("https://example.com/cat.png")};
        break;
    case 14:
        request.messages.append(ChatMessage::toolResult(QString(), u"f"_s, u"42"_s));
        break;
    case 15: {
        ChatMessage prefix = ChatMessage::assistant(u"x"_s);
        prefix.partial = true;
        request.messages.prepend(prefix);
        break;
    }
    case 16:
        request.messages.append(ChatMessage::user(QString()));
        break;
    case 17:
        p.temperature = std::numeric_limits<double>::quiet_NaN();
        break;
    case 18: {
        ChatMessage prefix = ChatMessage::assistant(u"{"_s);
        prefix.partial = true;
        request.messages.append(prefix);
        p.responseFormat = ResponseFormat::JsonObject;
        break;
    }
    case 19:
        p.tools = {tool(u"builtin_function"_s, u"web_search"_s)};
        break;
    case 20:
        p.stop = {QString(11, QChar(0x4F60))};
        break; // 11 × 3 bytes
    case 21:
        request.messages[0].parts = {ContentPart::fromImageUrl("data:image/png,rawbytes")};
        break;
    }
    const QStringList problems = request.validate();
    QVERIFY2(anyContains(problems, needle), qPrintable(u"got: "_s + problems.join(u" | "_s)));
}

void TestChatRequest::validRequestHasNoProblems()
{
    ChatRequest request = hello();
    request.parameters.stop = {u"a"_s, u"b"_s, u"c"_s, u"d"_s, QString(32, u'x')};
    request.parameters.tools = {QJsonObject {{u"type"_s, u"builtin_function"_s},
                                             {u"function"_s, QJsonObject {{u"name"_s, u"$web_search"_s}}}},
                                QJsonObject {{u"type"_s, u"function"_s},
                                             {u"function"_s, QJsonObject {{u"name"_s, u"get-time_2"_s}}}}};
    request.parameters.temperature = 0;
    request.parameters.topP = 1;
    QCOMPARE(request.validate(), QStringList());
}

void TestChatRequest::historyRulesWithThinking()
{
    ChatRequest request;
    ChatMessage earlierAnswer = ChatMessage::assistant(u"Earlier answer"_s);
    earlierAnswer.reasoningContent = u"earlier thoughts"_s;
    request.messages = {
        ChatMessage::user(u"first question"_s),
        toolCallMessage(u"functions.get_weather:0"_s, u"old tool thinking"_s, true),
        ChatMessage::toolResult(u"functions.get_weather:0"_s, u"get_weather"_s, u"sunny"_s),
        earlierAnswer,
        ChatMessage::user(u"second question"_s),
        toolCallMessage(u"functions.get_weather:0"_s, u"current tool thinking"_s, true), // the same id again
        ChatMessage::toolResult(u"functions.get_weather:0"_s, u"get_weather"_s, u"rainy"_s),
        toolCallMessage(u"functions.get_weather:1"_s), // no reasoning at all
        ChatMessage::toolResult(u"functions.get_weather:1"_s, u"get_weather"_s, u"windy"_s),
    };
    QVERIFY(request.validate().isEmpty());
    const QJsonArray messages = body(request).value("messages"_L1).toArray();
    // Earlier turn: the tool-call message keeps the field but not the text; the answer loses it.
    QCOMPARE(messages.at(1).toObject().value("reasoning_content"_L1), QJsonValue(u""_s));
    QVERIFY(!messages.at(3).toObject().contains("reasoning_content"_L1));
    // Current turn: tool-call reasoning goes back as it was, "" when there was none.
    QCOMPARE(messages.at(5).toObject().value("reasoning_content"_L1), QJsonValue(u"current tool thinking"_s));
    QCOMPARE(messages.at(7).toObject().value("reasoning_content"_L1), QJsonValue(u""_s));
    // No empty content next to tool_calls; ids go back byte for byte.
    QVERIFY(!messages.at(5).toObject().contains("content"_L1));
    QCOMPARE(messages.at(5).toObject().value("tool_calls"_L1).toArray().at(0).toObject().value("id"_L1),
             QJsonValue(u"functions.get_weather:0"_s));
    QVERIFY(!messages.at(0).toObject().contains("reasoning_content"_L1));
}

void TestChatRequest::historyRulesKeepAll()
{
    ChatRequest request;
    request.parameters.thinking = ThinkingMode::Enabled;
    request.parameters.keepThinking = true;
    ChatMessage answer = ChatMessage::assistant(u"answer"_s);
    answer.reasoningContent = u"kept thoughts"_s;
    request.messages = {ChatMessage::user(u"q1"_s), toolCallMessage(u"t:0"_s, u"tool thoughts"_s, true),
                        ChatMessage::toolResult(u"t:0"_s, u"get_weather"_s, u"x"_s), answer,
                        ChatMessage::user(u"q2"_s)};
    const QJsonArray messages = body(request).value("messages"_L1).toArray();
    QCOMPARE(messages.at(1).toObject().value("reasoning_content"_L1), QJsonValue(u"tool thoughts"_s));
    QCOMPARE(messages.at(3).toObject().value("reasoning_content"_L1), QJsonValue(u"kept thoughts"_s));
}

void TestChatRequest::historyRulesWithoutThinking()
{
    ChatRequest request;
    request.parameters.thinking = ThinkingMode::Disabled;
    ChatMessage answer = ChatMessage::assistant(u"answer"_s);
    answer.reasoningContent = u"thoughts"_s;
    request.messages = {ChatMessage::user(u"q1"_s), toolCallMessage(u"t:0"_s, u"tool thoughts"_s, true),
                        ChatMessage::toolResult(u"t:0"_s, u"get_weather"_s, u"x"_s), answer,
                        ChatMessage::user(u"q2"_s)};
    for (const QJsonValue &message : body(request).value("messages"_L1).toArray())
        QVERIFY(!message.toObject().contains("reasoning_content"_L1));
}

void TestChatRequest::toolMessages()
{
    ChatRequest request = hello();
    request.messages.append(toolCallMessage(u"functions.get_weather:0"_s));
    request.messages.append(
        ChatMessage::toolResult(u"functions.get_weather:0"_s, u"get_weather"_s, u"{\"c\":21}"_s));
    const QJsonObject tool = body(request).value("messages"_L1).toArray().last().toObject();
    QCOMPARE(tool,
             (QJsonObject {{u"role"_s, u"tool"_s},
                           {u"content"_s, u"{\"c\":21}"_s},
                           {u"tool_call_id"_s, u"functions.get_weather:0"_s},
                           {u"name"_s, u"get_weather"_s}}));
}

void TestChatRequest::historyImport()
{
    const QByteArray json = R"([
        {"role":"system","content":"Be brief."},
        {"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":"data:image/png;base64,AAAA"}]},
        {"role":"assistant","content":null,"reasoning_content":"","tool_calls":[{"id":"search:0","type":"function","function":{"name":"search","arguments":"{}"}}]},
        {"role":"tool","tool_call_id":"search:0","name":"search","content":"found"},
        {"role":"assistant","content":"Done.","unknown_key":1}
    ])";
    QList<ChatMessage> messages;
    QString error;
    QVERIFY2(ChatMessage::listFromJson(json, &messages, &error), qPrintable(error));
    QCOMPARE(messages.size(), 5);
    QCOMPARE(messages[0].role, Role::System);
    QCOMPARE(messages[1].parts.size(), 2);
    QCOMPARE(messages[1].parts[1].url, "data:image/png;base64,AAAA"_ba);
    QCOMPARE(messages[2].toolCalls.value(0).id, u"search:0"_s);
    QCOMPARE(messages[2].reasoningContent, std::optional<QString>(QString()));
    QVERIFY(messages[2].content.isEmpty());
    QCOMPARE(messages[3].toolCallId, u"search:0"_s);
    QCOMPARE(messages[4].content, u"Done."_s);
}

void TestChatRequest::historyImportErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("needle");
    QTest::newRow("not json") << "[{"_ba << u"not valid JSON"_s;
    QTest::newRow("not an array") << R"({"role":"user"})"_ba << u"expected a JSON array"_s;
    QTest::newRow("bad role") << R"([{"role":"user","content":"a"},{"role":"robot","content":"b"}])"_ba
                              << u"message 2: unknown role \"robot\""_s;
    QTest::newRow("missing role") << R"([{"content":"a"}])"_ba << u"message 1: \"role\" is missing"_s;
    QTest::newRow("content number") << R"([{"role":"user","content":5}])"_ba
                                    << u"\"content\" must be a string"_s;
    QTest::newRow("bad part") << R"([{"role":"user","content":[{"type":"audio"}]}])"_ba
                              << u"content part 1: unknown content part type \"audio\""_s;
    QTest::newRow("text part") << R"([{"role":"user","content":[{"type":"text"}]}])"_ba
                               << u"needs a string \"text\""_s;
    QTest::newRow("tool without id") << R"([{"role":"tool","content":"x"}])"_ba
                                     << u"needs the \"tool_call_id\""_s;
    QTest::newRow("tool call without id")
        << R"([{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}])"_ba
        << u"tool call 1: a tool call needs a non-empty string \"id\""_s;
    QTest::newRow("tool calls on user")
        << R"([{"role":"user","content":"a","tool_calls":[{"id":"x","function":{"name":"f"}}]}])"_ba
        << u"only assistant messages"_s;
    QTest::newRow("reasoning number") << R"([{"role":"assistant","content":"a","reasoning_content":1}])"_ba
                                      << u"\"reasoning_content\" must be a string"_s;
    QTest::newRow("message not object")
        << R"(["hello"])"_ba << u"message 1: a message must be a JSON object"_s;
}

void TestChatRequest::historyImportErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, needle);
    QList<ChatMessage> messages;
    QString error;
    QVERIFY(!ChatMessage::listFromJson(json, &messages, &error));
    QVERIFY2(error.contains(needle), qPrintable(error));
    QVERIFY(messages.isEmpty());
}

void TestChatRequest::messageRoundTrip()
{
    ChatMessage message = toolCallMessage(u"functions.get_weather:0"_s, u"why"_s, true);
    message.content = u"Let me check \"quotes\" and \\ and \u0001"_s;
    QList<ChatMessage> back;
    QString error;
    QVERIFY2(ChatMessage::listFromJson('[' + message.toJson() + ']', &back, &error), qPrintable(error));
    QCOMPARE(back.value(0), message);
}

void TestChatRequest::jsonWriterEscapes()
{
    QByteArray out;
    JsonWriter writer(&out);
    writer.beginArray();
    writer.value(u"\"\\/\n\r\t\b\f\u0001\u001f é 你 👩‍💻"_s);
    writer.endArray();
    QCOMPARE(out, QByteArray("[\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f é 你 👩‍💻\"]"));
    QCOMPARE(QJsonDocument::fromJson(out).array().at(0).toString(),
             u"\"\\/\n\r\t\b\f\u0001\u001f é 你 👩‍💻"_s);
}

void TestChatRequest::jsonWriterNumbers()
{
    QByteArray out;
    JsonWriter writer(&out);
    writer.beginObject();
    writer.field("a", 0.1);
    writer.field("b", qint64(1) << 53);
    writer.field("c", -2.0);
    writer.field("d", true);
    writer.key("e");
    writer.null();
    writer.field("f", QJsonValue(QJsonObject {{u"x"_s, 1.5}}));
    writer.endObject();
    QCOMPARE(out, QByteArray(R"({"a":0.1,"b":9007199254740992,"c":-2,"d":true,"e":null,"f":{"x":1.5}})"));
}

QTEST_GUILESS_MAIN(TestChatRequest)
#include "tst_ChatRequest.moc"
