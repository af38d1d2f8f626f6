// moonpane-cli chat with tools: the loop headless, against the fake server. Command tools are
// real programs; --mcp runs the reference MCP server from npm. Each round's request body, the
// JSON output ("messages", "tool_runs", "rounds", "stopped"), the text output's [tool] lines,
// approval (all, none, ask without a terminal) and the usage errors that send nothing.
#include "CliRunner.h"
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "ToolStreams.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace moonpane::test;

namespace {

constexpr auto kKey = "fake-cli-tools-key-0123456789";

QJsonArray weatherTools()
{
    const QJsonObject city {{u"type"_s, u"string"_s}};
    const QJsonObject parameters {{u"type"_s, u"object"_s},
                                  {u"properties"_s, QJsonObject {{u"city"_s, city}}},
                                  {u"required"_s, QJsonArray {u"city"_s}}};
    const auto function = [&](const QString &name) {
        return QJsonObject {{u"type"_s, u"function"_s},
                            {u"function"_s, QJsonObject {{u"name"_s, name}, {u"parameters"_s, parameters}}}};
    };
    return {function(u"get_weather"_s), function(u"get_time"_s), function(u"echo"_s)};
}

} // namespace

class TestCliTools : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void commandToolsRunUntilTheAnswer();
    void textOutputSaysWhatEachCallDid();
    void failuresAndTimeoutsAreResultsNotExitCodes();
    void approveNoneRunsNothing();
    void askWithoutATerminalRefusesToStart();
    void theRoundLimitStopsTheLoop();
    void aCallWithoutAnExecutorEndsTheLoop();
    void mcpServerToolsRun();
    void mcpImagesGoOnToTheModel();
    void anMcpServerThatDoesNotStartSendsNothing();
    void usageErrorsSendNothing_data();
    void usageErrorsSendNothing();
    void saveKeepsEveryRound();

private:
    CliResult run(const QStringList &args);
    QStringList base() const;
    QString program(const QString &name, const QByteArray &script);

    TestEnvironment m_env;
    FakeServer *m_server = nullptr;
    QString m_tools;
};

void TestCliTools::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_tools = m_env.writeFile(u"tools.json"_s, QJsonDocument(weatherTools()).toJson());
}

void TestCliTools::cleanup()
{
    delete m_server;
}

QStringList TestCliTools::base() const
{
    return {u"chat"_s, u"--base-url"_s, m_server->baseUrl().toString(), u"--tools"_s, m_tools};
}

CliResult TestCliTools::run(const QStringList &args)
{
    QProcessEnvironment environment = m_env.processEnvironment();
    environment.insert(u"MOONPANE_API_KEY"_s, QLatin1String(kKey));
    return runCli(environment, args);
}

QString TestCliTools::program(const QString &name, const QByteArray &script)
{
    const QString path = m_env.writeFile(name, "#!/bin/sh\n" + script);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

void TestCliTools::commandToolsRunUntilTheAnswer()
{
    const QString weather =
        program(u"weather"_s,
                "read args\ncase \"$args\" in *Paris*) echo '{\"c\":12}' ;; *) echo '{\"c\":-3}' ;; esac\n");
    const QString time = program(u"time"_s, "cat > /dev/null\nprintf '10:42'\n");
    m_server->enqueue(FakeResponse::sse(
        toolCallStream(u"Two lookups."_s,
                       {{u"functions.get_weather:0"_s, u"get_weather"_s, u"{\"city\":\"Paris\"}"_s},
                        {u"functions.get_time:1"_s, u"get_time"_s, u"{\"city\":\"Paris\"}"_s}},
                       6)));
    m_server->enqueue(FakeResponse::sse(answerStream(u"Now I know."_s, u"12 °C at 10:42 in Paris."_s)));
    const CliResult result =
        run(base() << u"--tool-command"_s << u"get_weather="_s + weather << u"--tool-command"_s
                   << u"get_time="_s + time << u"--approve"_s << u"all"_s << u"--output"_s << u"json"_s
                   << u"Weather and time in Paris?"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonObject out = result.json();
    QCOMPARE(out.value("content"_L1).toString(), u"12 °C at 10:42 in Paris."_s);
    QCOMPARE(out.value("rounds"_L1).toInt(), 2);
    QVERIFY(!out.contains("stopped"_L1));

    const QJsonArray runs = out.value("tool_runs"_L1).toArray();
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs.at(0).toObject().value("round"_L1).toInt(), 1);
    QCOMPARE(runs.at(0).toObject().value("id"_L1).toString(), u"functions.get_weather:0"_s);
    QCOMPARE(runs.at(0).toObject().value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(runs.at(0).toObject().value("arguments"_L1).toString(), u"{\"city\":\"Paris\"}"_s);
    QCOMPARE(runs.at(0).toObject().value("status"_L1).toString(), u"done"_s);
    QCOMPARE(runs.at(0).toObject().value("result"_L1).toString(), u"{\"c\":12}\n"_s);
    QVERIFY(runs.at(0).toObject().value("ms"_L1).toInteger() >= 0);
    QCOMPARE(runs.at(1).toObject().value("result"_L1).toString(), u"10:42"_s);

    // Every message the run added after the user message, in wire format.
    const QJsonArray messages = out.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages.at(0).toObject().value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(messages.at(0).toObject().value("reasoning_content"_L1).toString(), u"Two lookups."_s);
    QCOMPARE(messages.at(0).toObject().value("tool_calls"_L1).toArray().size(), 2);
    QCOMPARE(messages.at(1).toObject().value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(messages.at(1).toObject().value("tool_call_id"_L1).toString(), u"functions.get_weather:0"_s);
    QCOMPARE(messages.at(2).toObject().value("tool_call_id"_L1).toString(), u"functions.get_time:1"_s);
    QCOMPARE(messages.at(3).toObject().value("content"_L1).toString(), u"12 °C at 10:42 in Paris."_s);

    // The second request: the call message with its reasoning, then the results in order.
    QCOMPARE(m_server->requests().size(), 2);
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 4);
    QCOMPARE(sent.at(1).toObject().value("reasoning_content"_L1).toString(), u"Two lookups."_s);
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"{\"c\":12}\n"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), u"10:42"_s);
    QCOMPARE(m_server->lastRequest().json().value("tools"_L1).toArray().size(), 3);
}

void TestCliTools::textOutputSaysWhatEachCallDid()
{
    const QString weather = program(u"weather"_s, "cat > /dev/null\necho sunny\n");
    m_server->enqueue(FakeResponse::sse(
        toolCallStream({}, {{u"functions.get_weather:0"_s, u"get_weather"_s, u"{\"city\":\"Oslo\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Sunny in Oslo."_s)));
    const CliResult result = run(base() << u"--tool-command"_s << u"get_weather="_s + weather
                                        << u"--approve"_s << u"all"_s << u"Oslo?"_s);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, "Sunny in Oslo.\n"_ba);
    QVERIFY2(result.err.contains("[tool] get_weather {\"city\":\"Oslo\"} → done\n"), result.err.constData());
}

void TestCliTools::failuresAndTimeoutsAreResultsNotExitCodes()
{
    const QString failing = program(u"failing"_s, "cat > /dev/null\necho 'no network' >&2\nexit 3\n");
    const QString slow = program(u"slow"_s, "exec sleep 30\n");
    m_server->enqueue(
        FakeResponse::sse(toolCallStream({},
                                         {{u"w:0"_s, u"get_weather"_s, u"{\"city\":\"Rome\"}"_s},
                                          {u"t:1"_s, u"get_time"_s, u"{\"city\":\"Rome\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Neither worked."_s)));
    const CliResult result =
        run(base() << u"--tool-command"_s << u"get_weather="_s + failing << u"--tool-command"_s
                   << u"get_time="_s + slow << u"--approve"_s << u"all"_s << u"--tool-timeout"_s << u"0.3"_s
                   << u"--output"_s << u"json"_s << u"Rome?"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonArray runs = result.json().value("tool_runs"_L1).toArray();
    QCOMPARE(runs.at(0).toObject().value("status"_L1).toString(), u"failed"_s);
    QCOMPARE(runs.at(0).toObject().value("result"_L1).toString(), u"error: exit 3\nno network"_s);
    QCOMPARE(runs.at(1).toObject().value("status"_L1).toString(), u"timeout"_s);
    QCOMPARE(runs.at(1).toObject().value("result"_L1).toString(), u"error: timed out after 1 s"_s);
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"error: exit 3\nno network"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), u"error: timed out after 1 s"_s);
}

void TestCliTools::approveNoneRunsNothing()
{
    const QString marker = m_env.filePath(u"ran"_s);
    const QString marks = program(u"marks"_s, "touch '" + marker.toUtf8() + "'\n");
    m_server->enqueue(
        FakeResponse::sse(toolCallStream({}, {{u"w:0"_s, u"get_weather"_s, u"{\"city\":\"Lima\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"You declined."_s)));
    const CliResult result = run(base() << u"--tool-command"_s << u"get_weather="_s + marks << u"--approve"_s
                                        << u"none"_s << u"--output"_s << u"json"_s << u"Lima?"_s);
    QCOMPARE(result.exitCode, 0);
    QVERIFY(!QFile::exists(marker));
    const QJsonObject run = result.json().value("tool_runs"_L1).toArray().at(0).toObject();
    QCOMPARE(run.value("status"_L1).toString(), u"denied"_s);
    QVERIFY(run.value("result"_L1).toString().contains(u"declined"_s));
}

void TestCliTools::askWithoutATerminalRefusesToStart()
{
    const QString weather = program(u"weather"_s, "echo x\n");
    const CliResult result = run(base() << u"--tool-command"_s << u"get_weather="_s + weather << u"Hi"_s);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains("--approve"), result.err.constData());
    QCOMPARE(m_server->requests().size(), 0);
    // With nothing executable there is nothing to ask about: the calls are printed as before.
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"w:0"_s, u"get_weather"_s, u"{}"_s}})));
    const CliResult plain = run(base() << u"Hi"_s);
    QCOMPARE(plain.exitCode, 0);
    QVERIFY(plain.err.contains("tool call w:0: get_weather {}"));
}

void TestCliTools::theRoundLimitStopsTheLoop()
{
    const QString weather = program(u"weather"_s, "cat > /dev/null\necho again\n");
    for (int i = 0; i < 3; ++i)
        m_server->enqueue(
            FakeResponse::sse(toolCallStream({}, {{u"w:0"_s, u"get_weather"_s, u"{\"city\":\"X\"}"_s}})));
    const CliResult result =
        run(base() << u"--tool-command"_s << u"get_weather="_s + weather << u"--approve"_s << u"all"_s
                   << u"--max-tool-rounds"_s << u"2"_s << u"--output"_s << u"json"_s << u"Loop"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonObject out = result.json();
    QCOMPARE(out.value("stopped"_L1).toString(), u"max_tool_rounds"_s);
    QCOMPARE(out.value("rounds"_L1).toInt(), 2);
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(out.value("tool_runs"_L1).toArray().size(), 2); // the first ran; the last was never run
    QCOMPARE(out.value("tool_runs"_L1).toArray().at(1).toObject().value("status"_L1).toString(),
             u"cancelled"_s);
}

void TestCliTools::aCallWithoutAnExecutorEndsTheLoop()
{
    const QString weather = program(u"weather"_s, "cat > /dev/null\necho sunny\n");
    m_server->enqueue(FakeResponse::sse(toolCallStream(
        {}, {{u"w:0"_s, u"get_weather"_s, u"{\"city\":\"Oslo\"}"_s}, {u"t:1"_s, u"get_time"_s, u"{}"_s}})));
    const CliResult result = run(base() << u"--tool-command"_s << u"get_weather="_s + weather
                                        << u"--approve"_s << u"all"_s << u"Oslo?"_s);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(result.err.contains("tool call w:0: get_weather {\"city\":\"Oslo\"}"));
    QVERIFY(result.err.contains("tool call t:1: get_time {}"));
}

void TestCliTools::mcpServerToolsRun()
{
    const QString node = QStandardPaths::findExecutable(u"node"_s);
    QVERIFY2(!node.isEmpty(), "Node.js is not installed; scripts/test installs it");
    QVERIFY2(QFile::exists(QStringLiteral(MOONPANE_MCP_EVERYTHING)), "scripts/test runs npm ci in tests/mcp");
    m_server->enqueue(FakeResponse::sse(
        toolCallStream(u"Adding."_s, {{u"functions.get-sum:0"_s, u"get-sum"_s, u"{\"a\":19,\"b\":23}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"42."_s)));
    const QString command = u"'%1' '%2' stdio"_s.arg(node, QStringLiteral(MOONPANE_MCP_EVERYTHING));
    const CliResult result = run(base() << u"--mcp"_s << command << u"--approve"_s << u"all"_s
                                        << u"--output"_s << u"json"_s << u"What is 19 + 23?"_s);
    QCOMPARE(result.exitCode, 0);
    // Its tools come after the --tools ones; its "echo" is left out: the file has one.
    const QJsonArray offered = m_server->requests().at(0).json().value("tools"_L1).toArray();
    QStringList names;
    for (const QJsonValue &tool : offered)
        names.append(tool.toObject().value("function"_L1).toObject().value("name"_L1).toString());
    QCOMPARE(names.mid(0, 3), (QStringList {u"get_weather"_s, u"get_time"_s, u"echo"_s}));
    QVERIFY(names.contains(u"get-sum"_s));
    QCOMPARE(names.count(u"echo"_s), 1);
    QVERIFY2(result.err.contains("the tool echo of the MCP server node is left out"), result.err.constData());

    const QJsonObject run = result.json().value("tool_runs"_L1).toArray().at(0).toObject();
    QCOMPARE(run.value("status"_L1).toString(), u"done"_s);
    QVERIFY2(run.value("result"_L1).toString().contains(u"42"_s),
             qPrintable(run.value("result"_L1).toString()));
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.at(2).toObject().value("name"_L1).toString(), u"get-sum"_s);
    QVERIFY(sent.at(2).toObject().value("content"_L1).toString().contains(u"42"_s));
}

void TestCliTools::mcpImagesGoOnToTheModel()
{
    const QString node = QStandardPaths::findExecutable(u"node"_s);
    QVERIFY2(!node.isEmpty() && QFile::exists(QStringLiteral(MOONPANE_MCP_EVERYTHING)),
             "scripts/test installs Node.js and runs npm ci in tests/mcp");
    m_server->enqueue(FakeResponse::sse(
        toolCallStream({}, {{u"functions.get-tiny-image:0"_s, u"get-tiny-image"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"A tiny logo."_s)));
    const QString command = u"'%1' '%2' stdio"_s.arg(node, QStringLiteral(MOONPANE_MCP_EVERYTHING));
    const CliResult result =
        run(base() << u"--mcp"_s << command << u"--approve"_s << u"all"_s << u"What does it show?"_s);
    QCOMPARE(result.exitCode, 0);
    // The tool message carries the text items and the image, as a data URI part.
    const QJsonObject tool = m_server->lastRequest().json().value("messages"_L1).toArray().at(2).toObject();
    const QJsonArray content = tool.value("content"_L1).toArray();
    QCOMPARE(content.size(), 2);
    QCOMPARE(content.at(0).toObject().value("type"_L1).toString(), u"text"_s);
    QCOMPARE(content.at(1).toObject().value("type"_L1).toString(), u"image_url"_s);
    const QString url = content.at(1).toObject().value("image_url"_L1).toObject().value("url"_L1).toString();
    QVERIFY(url.startsWith(u"data:image/png;base64,iVBORw0KGgo"_s));
}

void TestCliTools::anMcpServerThatDoesNotStartSendsNothing()
{
    const QString quits = program(u"quits"_s, "echo 'missing token' >&2\nexit 1\n");
    const CliResult result = run(base() << u"--mcp"_s << quits << u"--approve"_s << u"all"_s << u"Hi"_s);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains("did not start: the server exited with status 1"), result.err.constData());
    QVERIFY(result.err.contains("missing token"));
    QCOMPARE(m_server->requests().size(), 0);
}

void TestCliTools::usageErrorsSendNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    QTest::newRow("not NAME=PROGRAM")
        << QStringList {u"--tool-command"_s, u"get_weather"_s} << u"NAME=PROGRAM"_s;
    QTest::newRow("not a function") << QStringList {u"--tool-command"_s, u"nope=/bin/true"_s}
                                    << u"has no function named nope"_s;
    QTest::newRow("not executable") << QStringList {u"--tool-command"_s,
                                                    u"get_weather=%1"_s.arg(m_env.filePath(u"tools.json"_s))}
                                    << u"is not an executable file"_s;
    QTest::newRow("approve") << QStringList {u"--approve"_s, u"maybe"_s}
                             << u"--approve takes ask, all or none"_s;
    QTest::newRow("rounds") << QStringList {u"--max-tool-rounds"_s, u"0"_s} << u"--max-tool-rounds needs"_s;
    QTest::newRow("timeout") << QStringList {u"--tool-timeout"_s, u"-1"_s} << u"--tool-timeout needs"_s;
    QTest::newRow("quote") << QStringList {u"--mcp"_s, u"node 'x"_s} << u"unclosed quote"_s;
}

void TestCliTools::usageErrorsSendNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    if (!args.contains(u"--approve"_s))
        args << u"--approve"_s << u"all"_s;
    const CliResult result = run(base() << args << u"Hi"_s);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(QString::fromUtf8(result.err).contains(needle), result.err.constData());
    QCOMPARE(m_server->requests().size(), 0);
}

void TestCliTools::saveKeepsEveryRound()
{
    const QString weather = program(u"weather"_s, "cat > /dev/null\necho '{\"c\":20}'\n");
    m_server->enqueue(FakeResponse::sse(
        toolCallStream(u"Look it up."_s, {{u"w:0"_s, u"get_weather"_s, u"{\"city\":\"Nice\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"20 °C in Nice."_s)));
    const CliResult result =
        run(base() << u"--tool-command"_s << u"get_weather="_s + weather << u"--approve"_s << u"all"_s
                   << u"--save"_s << u"--output"_s << u"json"_s << u"Nice?"_s);
    QCOMPARE(result.exitCode, 0);
    const QString id = result.json().value("conversation_id"_L1).toString();
    QVERIFY(!id.isEmpty());
    const CliResult exported = run({u"export"_s, id, u"--format"_s, u"json"_s});
    QCOMPARE(exported.exitCode, 0);
    const QJsonArray messages = QJsonDocument::fromJson(exported.out).array();
    QCOMPARE(messages.size(), 4); // the question, the call, its result, the answer
    QCOMPARE(messages.at(1).toObject().value("tool_calls"_L1).toArray().size(), 1);
    QCOMPARE(messages.at(1).toObject().value("reasoning_content"_L1).toString(), u"Look it up."_s);
    QCOMPARE(messages.at(2).toObject().value("content"_L1).toString(), u"{\"c\":20}\n"_s);
    QCOMPARE(messages.at(3).toObject().value("content"_L1).toString(), u"20 °C in Nice."_s);
}

QTEST_GUILESS_MAIN(TestCliTools)
#include "tst_CliTools.moc"
