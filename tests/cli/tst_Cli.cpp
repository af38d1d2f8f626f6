// moonpane-cli, the real executable, against the loopback fake server: options, exit codes,
// output formats, key lookup (environment and the test keyring), traces.
#include "CliRunner.h"
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "storage/SecretStore.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kKey = "fake-cli-test-key-0123456789abcdef";
const QByteArray kPng =
    QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                        "da63f8ffff3f0005fe02fea7d6a6c50000000049454e44ae426082");
const QByteArray kMp4 =
    QByteArray::fromHex("0000001c667479706d703432000000016d703432697336366d703431") + QByteArray(64, '\0');

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void streamsContentToStdoutAndReasoningToStderr();
    void jsonOutput();
    void promptFromStdin();
    void dryRunPrintsTheBodyWithoutConnecting();
    void optionsReachTheBody();
    void historyAndSystem();
    void oneEngineSendsTheSameBodyEveryWay();
    void attachments();
    void maxImageEdgeScalesAttachedImages();
    void toolsAndSchemaFiles();
    void noStream();
    void usageErrorsSendNothing_data();
    void usageErrorsSendNothing();
    void httpErrorExitsThree();
    void inBandErrorExitsThreeWithThePartialReply();
    void cutStreamExitsFour();
    void connectionRefusedExitsFour();
    void baseUrlRules();
    void keyFromTheKeychain();
    void noKeyExitsTwo();
    void noKeychainExitsTwo();
    void traceRedactsTheKey();
    void interruptPrintsThePartialReply_data();
    void interruptPrintsThePartialReply();
    void plainHttpNeedsConsent();
    void echoedKeyIsNeverPrinted();
    void endlessStandardInputIsRefused();
    void helpAndUnknownCommand();

private:
    CliResult run(const QStringList &args, const QByteArray &input = {}, bool withKey = true,
                  const QProcessEnvironment &extra = {});
    QStringList base() const { return {u"chat"_s, u"--base-url"_s, m_server->baseUrl().toString()}; }

    TestEnvironment m_env;
    FakeServer *m_server = nullptr;
};

void TestCli::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
}

void TestCli::cleanup()
{
    delete m_server;
}

CliResult TestCli::run(const QStringList &args, const QByteArray &input, bool withKey,
                       const QProcessEnvironment &extra)
{
    QProcessEnvironment environment = m_env.processEnvironment();
    if (withKey)
        environment.insert(u"MOONPANE_API_KEY"_s, QLatin1String(kKey));
    for (const QString &name : extra.keys())
        environment.insert(name, extra.value(name));
    return runCli(environment, args, input);
}

void TestCli::streamsContentToStdoutAndReasoningToStderr()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult result = run(base() << u"Hello"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonObject expected =
        QJsonDocument::fromJson(fixtureBytes(u"kimi_thinking.sse.expected.json"_s)).object();
    QCOMPARE(QString::fromUtf8(result.out), expected.value("content"_L1).toString() + u'\n');
    QVERIFY(QString::fromUtf8(result.err).startsWith(expected.value("reasoning_content"_L1).toString()));
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer "_ba + kKey);
    QVERIFY(!result.out.contains(kKey) && !result.err.contains(kKey));
}

void TestCli::jsonOutput()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    const CliResult result = run(base() << u"--output"_s << u"json"_s << u"Weather?"_s);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out.count('\n'), 1);
    const QJsonObject reply = result.json();
    const QJsonObject expected =
        QJsonDocument::fromJson(fixtureBytes(u"kimi_tool_calls.sse.expected.json"_s)).object();
    QCOMPARE(reply.value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(reply.value("content"_L1), expected.value("content"_L1));
    QCOMPARE(reply.value("reasoning_content"_L1), expected.value("reasoning_content"_L1));
    QCOMPARE(reply.value("tool_calls"_L1), expected.value("tool_calls"_L1));
    QCOMPARE(reply.value("finish_reason"_L1).toString(), u"tool_calls"_s);
    QCOMPARE(reply.value("usage"_L1), expected.value("usage"_L1));
    QCOMPARE(reply.value("incomplete"_L1), QJsonValue(false));
    QVERIFY(!reply.contains("error"_L1));
}

void TestCli::promptFromStdin()
{
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(run(base(), "from stdin ✓").exitCode, 0);
    QCOMPARE(
        m_server->lastRequest().json().value("messages"_L1).toArray().last().toObject().value("content"_L1),
        QJsonValue(u"from stdin ✓"_s));
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(run(base() << u"-"_s, "dash too").exitCode, 0);
    QCOMPARE(
        m_server->lastRequest().json().value("messages"_L1).toArray().last().toObject().value("content"_L1),
        QJsonValue(u"dash too"_s));
}

void TestCli::dryRunPrintsTheBodyWithoutConnecting()
{
    const CliResult result = run({u"chat"_s, u"--dry-run"_s, u"Hi"_s}, {}, false);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.json(),
             (QJsonObject {
                 {u"model"_s, u"kimi-k2.6"_s},
                 {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Hi"_s}}}},
                 {u"stream"_s, true}}));
    QVERIFY(m_server->requests().isEmpty());
}

void TestCli::optionsReachTheBody()
{
    const CliResult result = run({u"chat"_s,
                                  u"--dry-run"_s,
                                  u"--model"_s,
                                  u"kimi-k2-0905-preview"_s,
                                  u"--thinking"_s,
                                  u"disabled"_s,
                                  u"--max-completion-tokens"_s,
                                  u"100"_s,
                                  u"--temperature"_s,
                                  u"0.6"_s,
                                  u"--top-p"_s,
                                  u"0.95"_s,
                                  u"--frequency-penalty"_s,
                                  u"-1.5"_s,
                                  u"--presence-penalty"_s,
                                  u"2"_s,
                                  u"--stop"_s,
                                  u"END"_s,
                                  u"--response-format"_s,
                                  u"json_object"_s,
                                  u"Hi"_s});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject body = result.json();
    QCOMPARE(body.value("model"_L1).toString(), u"kimi-k2-0905-preview"_s);
    QCOMPARE(body.value("thinking"_L1).toObject(), QJsonObject({{u"type"_s, u"disabled"_s}}));
    QCOMPARE(body.value("max_completion_tokens"_L1).toInt(), 100);
    QCOMPARE(body.value("temperature"_L1).toDouble(), 0.6);
    QCOMPARE(body.value("top_p"_L1).toDouble(), 0.95);
    QCOMPARE(body.value("frequency_penalty"_L1).toDouble(), -1.5);
    QCOMPARE(body.value("presence_penalty"_L1).toDouble(), 2.0);
    QCOMPARE(body.value("stop"_L1), QJsonValue(u"END"_s));
    QCOMPARE(body.value("response_format"_L1).toObject(), QJsonObject({{u"type"_s, u"json_object"_s}}));

    const QJsonObject two = run({u"chat"_s, u"--dry-run"_s, u"--stop"_s, u"a"_s, u"--stop"_s, u"b"_s,
                                 u"--keep-thinking"_s, u"Hi"_s})
                                .json();
    QCOMPARE(two.value("stop"_L1), QJsonValue(QJsonArray {u"a"_s, u"b"_s}));
    QCOMPARE(two.value("thinking"_L1).toObject(),
             (QJsonObject {{u"type"_s, u"enabled"_s}, {u"keep"_s, u"all"_s}}));
}

void TestCli::historyAndSystem()
{
    const QString history = m_env.writeFile(u"history.json"_s, R"([
        {"role":"user","content":"What is the weather in Paris?"},
        {"role":"assistant","content":"","tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"functions.get_weather:0","name":"get_weather","content":"{\"c\":12}"}
    ])");
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult result =
        run(base() << u"--system"_s << u"Be brief."_s << u"--history"_s << history << u"And tomorrow?"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonArray messages = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 5);
    QCOMPARE(messages.at(0).toObject(),
             (QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, u"Be brief."_s}}));
    // Thinking counts as on (the server default): the tool-call message carries reasoning_content
    // "" and no empty content.
    const QJsonObject toolCall = messages.at(2).toObject();
    QCOMPARE(toolCall.value("reasoning_content"_L1), QJsonValue(u""_s));
    QVERIFY(!toolCall.contains("content"_L1));
    QCOMPARE(messages.at(3).toObject().value("tool_call_id"_L1).toString(), u"functions.get_weather:0"_s);
    QCOMPARE(messages.at(4).toObject().value("content"_L1).toString(), u"And tomorrow?"_s);

    // With thinking off, nothing about reasoning is sent.
    const QJsonArray off =
        run({u"chat"_s, u"--dry-run"_s, u"--thinking"_s, u"disabled"_s, u"--history"_s, history, u"x"_s})
            .json()
            .value("messages"_L1)
            .toArray();
    QVERIFY(!off.at(1).toObject().contains("reasoning_content"_L1));
}

// Dry run, a send kept in memory and a saved send all go through the app's engine: the same
// options make the same request body, a system message inside the history included.
void TestCli::oneEngineSendsTheSameBodyEveryWay()
{
    const QString history = m_env.writeFile(u"history.json"_s, R"([
        {"role":"system","content":"Units: metric."},
        {"role":"user","content":"Weather in Paris?"},
        {"role":"assistant","content":"","tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"functions.get_weather:0","name":"get_weather","content":"{\"c\":12}"}
    ])");
    const QStringList options = {u"--system"_s,  u"Be brief."_s, u"--temperature"_s, u"0.4"_s,
                                 u"--history"_s, history,        u"And tomorrow?"_s};
    const CliResult dry = run(QStringList {u"chat"_s, u"--dry-run"_s} + options, {}, false);
    QCOMPARE(dry.exitCode, 0);
    const QJsonObject planned = dry.json();
    QCOMPARE(planned.value("messages"_L1).toArray().size(), 6);
    QCOMPARE(planned.value("messages"_L1).toArray().at(1).toObject(),
             (QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, u"Units: metric."_s}}));

    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QCOMPARE(run(base() + options).exitCode, 0);
    QCOMPARE(m_server->lastRequest().json(), planned);

    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QCOMPARE(run(base() + QStringList {u"--save"_s} + options).exitCode, 0);
    QCOMPARE(m_server->lastRequest().json(), planned);
}

void TestCli::attachments()
{
    const QString png = m_env.writeFile(u"shot.dat"_s, kPng); // the name does not matter, the content does
    const QString mp4 = m_env.writeFile(u"clip.mp4"_s, kMp4);
    const CliResult result =
        run({u"chat"_s, u"--dry-run"_s, u"--attach"_s, png, u"--attach"_s, mp4, u"--attach"_s,
             u"ms://file-42"_s, u"--attach"_s, u"video:ms://file-43"_s, u"What is shown?"_s});
    QCOMPARE(result.exitCode, 0);
    const QJsonArray content =
        result.json().value("messages"_L1).toArray().at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(content.size(), 5);
    QCOMPARE(content.at(0).toObject(),
             (QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"What is shown?"_s}}));
    QCOMPARE(content.at(1).toObject().value("image_url"_L1).toObject().value("url"_L1).toString(),
             u"data:image/png;base64,"_s + QString::fromLatin1(kPng.toBase64()));
    QVERIFY(content.at(2)
                .toObject()
                .value("video_url"_L1)
                .toObject()
                .value("url"_L1)
                .toString()
                .startsWith(u"data:video/mp4;base64,"_s));
    QCOMPARE(content.at(3).toObject().value("image_url"_L1).toObject().value("url"_L1).toString(),
             u"ms://file-42"_s);
    QCOMPARE(content.at(4).toObject().value("video_url"_L1).toObject().value("url"_L1).toString(),
             u"ms://file-43"_s);
}

void TestCli::maxImageEdgeScalesAttachedImages()
{
    QImage wide(800, 400, QImage::Format_RGB32);
    wide.fill(Qt::darkYellow);
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(wide.save(&buffer, "jpeg"));
    const QString path = m_env.writeFile(u"wide.jpg"_s, jpeg);
    const auto sentImage = [&](const QStringList &extra) {
        const CliResult result =
            run(QStringList {u"chat"_s, u"--dry-run"_s, u"--attach"_s, path} + extra + QStringList {u"x"_s});
        const QString url = result.json()
                                .value("messages"_L1)
                                .toArray()
                                .at(0)
                                .toObject()
                                .value("content"_L1)
                                .toArray()
                                .at(1)
                                .toObject()
                                .value("image_url"_L1)
                                .toObject()
                                .value("url"_L1)
                                .toString();
        return url.startsWith(u"data:image/jpeg;base64,"_s) ? QByteArray::fromBase64(url.mid(23).toLatin1())
                                                            : QByteArray();
    };
    QCOMPARE(sentImage({}), jpeg); // the exact bytes by default
    const QByteArray scaled = sentImage({u"--max-image-edge"_s, u"200"_s});
    QCOMPARE(QImage::fromData(scaled).size(), QSize(200, 100));
}

void TestCli::toolsAndSchemaFiles()
{
    const QString tools = m_env.writeFile(
        u"tools.json"_s,
        R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])");
    const QString schema = m_env.writeFile(
        u"schema.json"_s,
        R"({"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}}})");
    const QJsonObject body = run({u"chat"_s, u"--dry-run"_s, u"--tools"_s, tools, u"--response-format"_s,
                                  u"json_schema="_s + schema, u"x"_s})
                                 .json();
    QCOMPARE(body.value("tools"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("function"_L1)
                 .toObject()
                 .value("name"_L1)
                 .toString(),
             u"get_weather"_s);
    QCOMPARE(body.value("response_format"_L1).toObject().value("type"_L1).toString(), u"json_schema"_s);
    QCOMPARE(body.value("response_format"_L1)
                 .toObject()
                 .value("json_schema"_L1)
                 .toObject()
                 .value("name"_L1)
                 .toString(),
             u"city"_s);
}

void TestCli::noStream()
{
    m_server->enqueue(FakeResponse::fixture(u"completion.json"_s));
    const CliResult result = run(base() << u"--no-stream"_s << u"Look it up"_s);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(m_server->lastRequest().json().value("stream"_L1), QJsonValue(false));
    QCOMPARE(result.out, "Let me look that up.\n"_ba);
    QVERIFY(result.err.contains("A search will answer this."));
    QVERIFY(result.err.contains("tool call search:0: search {\"query\":\"moon phase\"}"));
}

void TestCli::usageErrorsSendNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    QTest::newRow("temperature range")
        << QStringList {u"--temperature"_s, u"2.5"_s, u"x"_s} << u"temperature must be between 0 and 2"_s;
    QTest::newRow("top_p range") << QStringList {u"--top-p"_s, u"-0.1"_s, u"x"_s}
                                 << u"top_p must be between 0 and 1"_s;
    QTest::newRow("penalty range") << QStringList {u"--presence-penalty"_s, u"9"_s, u"x"_s}
                                   << u"presence_penalty"_s;
    QTest::newRow("not a number") << QStringList {u"--temperature"_s, u"warm"_s, u"x"_s}
                                  << u"--temperature needs a number"_s;
    QTest::newRow("max tokens zero") << QStringList {u"--max-completion-tokens"_s, u"0"_s, u"x"_s}
                                     << u"at least 1"_s;
    QTest::newRow("max tokens text") << QStringList {u"--max-completion-tokens"_s, u"many"_s, u"x"_s}
                                     << u"whole number"_s;
    QTest::newRow("thinking value") << QStringList {u"--thinking"_s, u"maybe"_s, u"x"_s}
                                    << u"enabled or disabled"_s;
    QTest::newRow("keep without thinking")
        << QStringList {u"--thinking"_s, u"disabled"_s, u"--keep-thinking"_s, u"x"_s}
        << u"--keep-thinking needs thinking on"_s;
    QTest::newRow("six stops") << QStringList {u"--stop"_s, u"1"_s, u"--stop"_s, u"2"_s, u"--stop"_s, u"3"_s,
                                               u"--stop"_s, u"4"_s, u"--stop"_s, u"5"_s, u"--stop"_s, u"6"_s,
                                               u"x"_s}
                               << u"at most 5 stop sequences"_s;
    QTest::newRow("text attachment") << QStringList {u"--attach"_s, u"@notes"_s, u"x"_s}
                                     << u"not an image or a video"_s;
    QTest::newRow("missing attachment")
        << QStringList {u"--attach"_s, u"/nonexistent/cat.png"_s, u"x"_s} << u"no such file"_s;
    QTest::newRow("empty attachment") << QStringList {u"--attach"_s, u"@empty"_s, u"x"_s} << u"is empty"_s;
    QTest::newRow("video too large to send")
        << QStringList {u"--attach"_s, u"@longvideo"_s, u"x"_s} << u"a request carries at most"_s;
    QTest::newRow("max image edge") << QStringList {u"--max-image-edge"_s, u"big"_s, u"x"_s}
                                    << u"--max-image-edge needs a number of pixels"_s;
    QTest::newRow("bad history") << QStringList {u"--history"_s, u"@badhistory"_s, u"x"_s}
                                 << u"message 1: unknown role"_s;
    QTest::newRow("missing history") << QStringList {u"--history"_s, u"/nonexistent/h.json"_s, u"x"_s}
                                     << u"no such file"_s;
    // Not regular files: each would block forever (a FIFO) or never end (/dev/zero).
    QTest::newRow("device as history")
        << QStringList {u"--history"_s, u"/dev/zero"_s, u"x"_s} << u"/dev/zero: is not a regular file"_s;
    QTest::newRow("device as attachment")
        << QStringList {u"--attach"_s, u"/dev/zero"_s, u"x"_s} << u"/dev/zero: is not a regular file"_s;
    QTest::newRow("fifo as tools") << QStringList {u"--tools"_s, u"@fifo"_s, u"x"_s}
                                   << u"is not a regular file"_s;
    QTest::newRow("fifo as attachment")
        << QStringList {u"--attach"_s, u"@fifo"_s, u"x"_s} << u"is not a regular file"_s;
    QTest::newRow("folder as history")
        << QStringList {u"--history"_s, u"@dir"_s, u"x"_s} << u"is a folder, not a file"_s;
    QTest::newRow("tools not array") << QStringList {u"--tools"_s, u"@badtools"_s, u"x"_s}
                                     << u"must hold a JSON array"_s;
    QTest::newRow("response format") << QStringList {u"--response-format"_s, u"yaml"_s, u"x"_s}
                                     << u"--response-format takes"_s;
    QTest::newRow("output") << QStringList {u"--output"_s, u"xml"_s, u"x"_s}
                            << u"--output takes text or json"_s;
    QTest::newRow("unknown option") << QStringList {u"--temprature"_s, u"1"_s, u"x"_s} << u"Unknown option"_s;
    QTest::newRow("empty prompt") << QStringList {u""_s} << u"the prompt is empty"_s;
    QTest::newRow("two prompts") << QStringList {u"a"_s, u"b"_s} << u"give the prompt as one argument"_s;
    QTest::newRow("bad base url") << QStringList {u"--base-url"_s, u"ftp://example.com"_s, u"x"_s}
                                  << u"not an http(s) URL"_s;
}

void TestCli::usageErrorsSendNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    const QHash<QString, QString> files = {
        {u"@notes"_s, m_env.writeFile(u"notes.txt"_s, "plain text\n")},
        {u"@badhistory"_s, m_env.writeFile(u"bad-history.json"_s, R"([{"role":"robot","content":"x"}])")},
        {u"@badtools"_s, m_env.writeFile(u"bad-tools.json"_s, R"({"type":"function"})")},
        {u"@fifo"_s, m_env.filePath(u"fifo"_s)},
        {u"@dir"_s, m_env.filePath(QString())},
        {u"@empty"_s, m_env.writeFile(u"empty.png"_s, {})},
        {u"@longvideo"_s, m_env.filePath(u"long.mp4"_s)},
    };
    { // 120 MB that takes no room: an MP4's first bytes, then a hole
        QFile video(files.value(u"@longvideo"_s));
        QVERIFY(video.open(QIODevice::WriteOnly));
        video.write(kMp4);
        QVERIFY(video.resize(120'000'000));
    }
    if (!QFileInfo::exists(files.value(u"@fifo"_s)))
        QCOMPARE(::mkfifo(QFile::encodeName(files.value(u"@fifo"_s)).constData(), 0600), 0);
    for (QString &arg : args)
        arg = files.value(arg, arg);
    QStringList full = {u"chat"_s};
    if (!args.contains(u"--base-url"_s))
        full << u"--base-url"_s << m_server->baseUrl().toString();
    const CliResult result = run(full + args);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(QString::fromUtf8(result.err).contains(needle), result.err.constData());
    QVERIFY(result.err.startsWith("error: "));
    QVERIFY(m_server->requests().isEmpty());
}

void TestCli::httpErrorExitsThree()
{
    m_server->enqueue(
        FakeResponse::json(
            429,
            R"({"error":{"message":"Your account reached its RPM limit","type":"rate_limit_reached_error"}})")
            .withHeader("Retry-After", "7"));
    const CliResult result = run(base() << u"x"_s);
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(
        result.err.contains(
            "error: HTTP 429 rate_limit_reached_error: Your account reached its RPM limit (retry after 7 s)"),
        result.err.constData());
    QCOMPARE(m_server->requests().size(), 1); // never retried by itself

    m_server->enqueue(FakeResponse::html(
        504, "<html><head><title>504 Gateway Time-out</title></head><body>nginx</body></html>"));
    const CliResult html = run(base() << u"--output"_s << u"json"_s << u"x"_s);
    QCOMPARE(html.exitCode, 3);
    QVERIFY(html.err.contains("error: HTTP 504: 504 Gateway Time-out (HTML error page)"));
    QCOMPARE(html.json().value("error"_L1).toObject().value("status"_L1).toInt(), 504);
    QCOMPARE(html.json().value("incomplete"_L1), QJsonValue(true));

    m_server->enqueue(FakeResponse::json(
        401,
        R"({"error":{"message":"Invalid API key provided.","type":"authentication_error","code":"invalid_api_key"}})"));
    const CliResult unauthorized = run(base() << u"x"_s);
    QCOMPARE(unauthorized.exitCode, 3);
    QVERIFY(unauthorized.err.contains("error: HTTP 401 invalid_api_key: Invalid API key provided."));
    QVERIFY(unauthorized.err.contains("MOONPANE_API_KEY"));
}

void TestCli::inBandErrorExitsThreeWithThePartialReply()
{
    m_server->enqueue(FakeResponse::fixture(u"inband_error.sse"_s));
    const CliResult result = run(base() << u"x"_s);
    QCOMPARE(result.exitCode, 3);
    QCOMPARE(result.out, "Partial answer\n"_ba);
    QVERIFY(result.err.contains("error: stream 502: Upstream provider returned error"));
}

void TestCli::cutStreamExitsFour()
{
    const QByteArray body = fixtureBytes(u"kimi_thinking.sse"_s);
    FakeResponse response = FakeResponse::sse(body);
    response.dropAfterBytes = body.indexOf("| city");
    m_server->enqueue(response);
    const CliResult result = run(base() << u"--output"_s << u"json"_s << u"x"_s);
    QCOMPARE(result.exitCode, 4);
    QCOMPARE(result.json().value("incomplete"_L1), QJsonValue(true));
    QVERIFY(result.json().value("content"_L1).toString().endsWith(u"a table:\n\n"_s));
    QVERIFY(result.err.contains("The reply is incomplete."));

    m_server->enqueue(FakeResponse::fixture(u"cut_short.sse"_s));
    const CliResult text = run(base() << u"x"_s);
    QCOMPARE(text.exitCode, 4);
    QCOMPARE(text.out, "The answer is\n"_ba);
}

void TestCli::connectionRefusedExitsFour()
{
    const RefusingPort refusing;
    const CliResult result = run({u"chat"_s, u"--base-url"_s, refusing.baseUrl().toString(), u"x"_s});
    QCOMPARE(result.exitCode, 4);
    QVERIFY(result.err.contains("refused"));
}

void TestCli::baseUrlRules()
{
    const QString root = m_server->baseUrl().toString();
    for (const QString &url : QStringList {root + u'/', root + u"/v1"_s, root + u"/v1/"_s}) {
        m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
        QCOMPARE(run({u"chat"_s, u"--base-url"_s, url, u"x"_s}).exitCode, 0);
        QCOMPARE(m_server->lastRequest().path, "/v1/chat/completions"_ba);
    }
    // MOONPANE_BASE_URL when no --base-url is given.
    QProcessEnvironment environment;
    environment.insert(u"MOONPANE_BASE_URL"_s, root);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QCOMPARE(run({u"chat"_s, u"x"_s}, {}, true, environment).exitCode, 0);
    QCOMPARE(m_server->requests().size(), 4);
}

void TestCli::keyFromTheKeychain()
{
    SecretStore store;
    const SecretStore::Result written = store.writeApiKeySync(u"fake-from-the-keychain"_s);
    QVERIFY2(written.ok(), qPrintable(written.message()));
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    const CliResult result = run(base() << u"x"_s, {}, false);
    QVERIFY(store.deleteApiKeySync().ok());
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer fake-from-the-keychain"_ba);
}

void TestCli::noKeyExitsTwo()
{
    SecretStore store;
    QVERIFY(store.deleteApiKeySync().ok());
    const CliResult result = run(base() << u"x"_s, {}, false);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("error: no API key. Set the MOONPANE_API_KEY environment variable"));
    QVERIFY(m_server->requests().isEmpty());
}

void TestCli::noKeychainExitsTwo()
{
    QProcessEnvironment environment;
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/moonpane-bus"_s);
    const CliResult result = run(base() << u"x"_s, {}, false, environment);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("No system keychain is available"));
    QVERIFY(m_server->requests().isEmpty());
}

void TestCli::traceRedactsTheKey()
{
    const QString tracePath = m_env.filePath(u"trace.txt"_s);
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QCOMPARE(run(base() << u"--trace"_s << tracePath << u"x"_s).exitCode, 0);
    QFile file(tracePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray trace = file.readAll();
    QVERIFY(!trace.contains(kKey));
    QVERIFY(trace.contains("Authorization: Bearer [redacted]"));
    QVERIFY(trace.contains("< data: [DONE]"));
    QVERIFY(trace.contains("\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]"));
}

void TestCli::interruptPrintsThePartialReply_data()
{
    QTest::addColumn<bool>("json");
    QTest::addColumn<bool>("sigint");
    QTest::addRow("text, SIGTERM") << false << false;
    QTest::addRow("json, SIGINT") << true << true;
}

void TestCli::interruptPrintsThePartialReply()
{
    QFETCH(bool, json);
    QFETCH(bool, sigint);
    FakeResponse response = FakeResponse::counting(2000);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 64;
    response.dripIntervalMs = 5;
    m_server->enqueue(response);
    QProcessEnvironment environment = m_env.processEnvironment();
    environment.insert(u"MOONPANE_API_KEY"_s, QLatin1String(kKey));
    QProcess process;
    process.setProcessEnvironment(environment);
    QStringList args = base();
    if (json)
        args << u"--output"_s << u"json"_s;
    process.start(cliPath(), args << u"Count slowly"_s);
    QVERIFY(process.waitForStarted());
    process.closeWriteChannel();
    QVERIFY(QTest::qWaitFor([&] { return m_server->bodyBytesWritten() > 4000; }, 30000));
    if (sigint)
        QCOMPARE(::kill(static_cast<pid_t>(process.processId()), SIGINT), 0);
    else
        process.terminate();
    QSignalSpy finished(&process, &QProcess::finished);
    QVERIFY(finished.wait(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(err.contains("interrupted. The reply is incomplete; what arrived is printed."), err.constData());
    QVERIFY(m_server->bodyBytesWritten() < response.body.size());
    QString content = QString::fromUtf8(out);
    if (json) {
        const QJsonObject reply = QJsonDocument::fromJson(out).object();
        QCOMPARE(reply.value("incomplete"_L1), QJsonValue(true));
        content = reply.value("content"_L1).toString();
    }
    QVERIFY2(content.startsWith(u"w0 w1 w2 "_s), qPrintable(content.left(80)));
    QVERIFY(!content.contains(u"w1999"_s));
}

void TestCli::plainHttpNeedsConsent()
{
    // The fake server stands in for the network as an HTTP proxy: a request for a host beyond
    // loopback reaches it only if the CLI sends one.
    QProcessEnvironment proxy;
    proxy.insert(u"http_proxy"_s, m_server->baseUrl().toString());
    const QStringList args = {u"chat"_s, u"--base-url"_s, u"http://api.example.com"_s};
    const CliResult refused = run(args + QStringList {u"x"_s}, {}, true, proxy);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains("uses plain http"), refused.err.constData());
    QVERIFY(refused.err.contains("--allow-insecure"));
    QVERIFY(m_server->requests().isEmpty());

    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    const CliResult allowed = run(args + QStringList {u"--allow-insecure"_s, u"x"_s}, {}, true, proxy);
    QCOMPARE(allowed.exitCode, 0);
    QVERIFY2(
        allowed.err.contains("warning: sending the API key unencrypted over plain http to api.example.com"),
        allowed.err.constData());
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(m_server->lastRequest().path.contains("api.example.com"));

    // Loopback needs no consent.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    const CliResult loopback = run(base() << u"x"_s);
    QCOMPARE(loopback.exitCode, 0);
    QVERIFY(!loopback.err.contains("warning"));
}

void TestCli::echoedKeyIsNeverPrinted()
{
    m_server->enqueue(
        FakeResponse::json(401, R"({"error":{"message":"Incorrect API key provided: )"_ba + kKey + "\"}}"));
    const CliResult text = run(base() << u"x"_s);
    QCOMPARE(text.exitCode, 3);
    QVERIFY(text.err.contains("Incorrect API key provided: [redacted]"));
    QVERIFY(!text.err.contains(kKey) && !text.out.contains(kKey));
    m_server->enqueue(
        FakeResponse::json(401, R"({"error":{"message":"Incorrect API key provided: )"_ba + kKey + "\"}}"));
    const CliResult json = run(base() << u"--output"_s << u"json"_s << u"x"_s);
    QVERIFY(!json.out.contains(kKey) && !json.err.contains(kKey));
    QVERIFY(json.out.contains("[redacted]"));
}

void TestCli::endlessStandardInputIsRefused()
{
    // /dev/zero as the prompt: read up to the most a request can hold, and one byte more.
    QProcessEnvironment environment = m_env.processEnvironment();
    environment.insert(u"MOONPANE_API_KEY"_s, QLatin1String(kKey));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setStandardInputFile(u"/dev/zero"_s);
    process.start(cliPath(), base());
    QVERIFY(process.waitForStarted());
    QSignalSpy finished(&process, &QProcess::finished);
    QVERIFY(process.state() == QProcess::NotRunning || finished.wait(60000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(err.contains("the prompt on standard input is larger than 100.0 MB"), err.constData());
    QVERIFY(m_server->requests().isEmpty());
}

void TestCli::helpAndUnknownCommand()
{
    const CliResult help = run({u"chat"_s, u"--help"_s});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--max-completion-tokens"));
    QVERIFY(help.out.contains("Exit codes"));
    const CliResult unknown = run({u"talk"_s});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("unknown command \"talk\""));
    QCOMPARE(run({u"--version"_s}).exitCode, 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_Cli.moc"
