// The MCP client against the reference server from npm (@modelcontextprotocol/server-everything,
// installed by scripts/test with npm ci) and against small scripted servers for what the
// reference server does not do on demand (an older protocol, pagination, list_changed, a
// version Moonpane does not know). Real processes over stdio, nothing mocked.
#include "TestEnvironment.h"
#include "tools/McpClient.h"
#include "tools/ToolRegistry.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace moonpane;
using State = McpClient::State;

namespace {

McpServerSpec everything()
{
    McpServerSpec spec;
    spec.name = u"everything"_s;
    spec.program = QStandardPaths::findExecutable(u"node"_s);
    spec.arguments = {QStringLiteral(MOONPANE_MCP_EVERYTHING), u"stdio"_s};
    return spec;
}

// Runs a job to its end.
ToolResult run(ToolJob *job)
{
    QSignalSpy finished(job, &ToolJob::finished);
    job->start();
    if (finished.isEmpty() && !finished.wait(30'000))
        qFatal("the call did not end");
    return finished.at(0).at(0).value<ToolResult>();
}

} // namespace

class TestMcp : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void initializeListAndCall();
    void imagesAndStructuredContentComeBack();
    void progressKeepsACallAliveUpToItsMaximum();
    void anErrorResultIsAFailedCall();
    void aCrashedServerIsDownAndCanBeRestarted();
    void stoppingClosesItsInput();
    void olderProtocolsPagesAndListChanges();
    void anUnknownProtocolOrAMissingProgramIsDown();
    void commandLinesSplitWithoutAShell();

private:
    bool waitFor(McpClient &client, State state);
    QString script(const QString &name, const QByteArray &body);
    QTemporaryDir m_dir;
};

void TestMcp::initTestCase()
{
    QVERIFY2(!QStandardPaths::findExecutable(u"node"_s).isEmpty(),
             "Node.js is not installed; scripts/test installs it");
    QVERIFY2(QFile::exists(QStringLiteral(MOONPANE_MCP_EVERYTHING)),
             "the reference MCP server is not installed; scripts/test runs npm ci in tests/mcp");
    QVERIFY(m_dir.isValid());
}

bool TestMcp::waitFor(McpClient &client, State state)
{
    QSignalSpy changed(&client, &McpClient::stateChanged);
    while (client.state() != state) {
        if (!changed.wait(60'000))
            return false;
    }
    return true;
}

QString TestMcp::script(const QString &name, const QByteArray &body)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write("#!/bin/sh\n" + body);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

void TestMcp::initializeListAndCall()
{
    McpClient client(everything());
    client.start();
    QCOMPARE(client.state(), State::Starting);
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    QCOMPARE(client.protocolVersion(), u"2025-11-25"_s);
    QCOMPARE(client.serverInfo().value("name"_L1).toString(), u"mcp-servers/everything"_s);
    QStringList names;
    for (const McpClient::Tool &tool : client.tools())
        names.append(tool.name);
    QVERIFY(names.contains(u"echo"_s));
    QVERIFY(names.contains(u"get-sum"_s));
    // Offered as functions Kimi takes: an object schema, no draft URL.
    const QJsonArray definitions = client.definitions();
    QCOMPARE(definitions.size(), names.size());
    const QJsonObject function =
        definitions.at(names.indexOf(u"echo"_s)).toObject().value("function"_L1).toObject();
    QCOMPARE(function.value("parameters"_L1).toObject().value("type"_L1).toString(), u"object"_s);
    QVERIFY(!function.value("parameters"_L1).toObject().contains("$schema"_L1));
    // Its stderr is its log, not an error.
    QTRY_VERIFY_WITH_TIMEOUT(!client.log().isEmpty(), 5000);
    QCOMPARE(client.state(), State::Ready);

    std::unique_ptr<ToolJob> echo(
        client.call(u"echo"_s, u"{\"message\":\"hello 北京\"}"_s, 10'000, 60'000, nullptr));
    ToolResult result = run(echo.get());
    QCOMPARE(result.status, ToolStatus::Done);
    QCOMPARE(result.text, u"Echo: hello 北京"_s);

    std::unique_ptr<ToolJob> sum(client.call(u"get-sum"_s, u"{\"a\":2,\"b\":40}"_s, 10'000, 60'000, nullptr));
    result = run(sum.get());
    QCOMPARE(result.status, ToolStatus::Done);
    QVERIFY2(result.text.contains(u"42"_s), qPrintable(result.text));

    // The registry offers its tools while it is ready, under their own names.
    ToolRegistry registry;
    registry.addServer(&client);
    const std::optional<ToolRegistry::Entry> entry = registry.find(u"get-sum"_s);
    QVERIFY(entry);
    QCOMPARE(entry->kind, ToolKind::Mcp);
    QCOMPARE(registry.definitions().size(), names.size());
}

void TestMcp::imagesAndStructuredContentComeBack()
{
    McpClient client(everything());
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    std::unique_ptr<ToolJob> image(client.call(u"get-tiny-image"_s, u"{}"_s, 10'000, 60'000, nullptr));
    ToolResult result = run(image.get());
    QCOMPARE(result.status, ToolStatus::Done);
    QVERIFY(!result.images.isEmpty());
    QCOMPARE(result.images.at(0).mimeType, u"image/png"_s);
    QVERIFY(result.images.at(0).data.startsWith("\x89PNG\r\n\x1a\n"));
    QVERIFY(!result.text.isEmpty()); // its text items go to the model

    std::unique_ptr<ToolJob> structured(
        client.call(u"get-structured-content"_s, u"{\"location\":\"Chicago\"}"_s, 10'000, 60'000, nullptr));
    result = run(structured.get());
    QCOMPARE(result.status, ToolStatus::Done);
    QVERIFY(result.structured.isObject());
    QVERIFY(result.structured.toObject().contains("temperature"_L1));
}

void TestMcp::progressKeepsACallAliveUpToItsMaximum()
{
    McpClient client(everything());
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    // Two seconds in eight steps: longer than the timeout, but never without progress that long.
    std::unique_ptr<ToolJob> alive(client.call(u"trigger-long-running-operation"_s,
                                               u"{\"duration\":2,\"steps\":8}"_s, 1200, 60'000, nullptr));
    QSignalSpy progress(alive.get(), &ToolJob::progressed);
    ToolResult result = run(alive.get());
    QCOMPARE(result.status, ToolStatus::Done);
    QVERIFY2(progress.size() >= 7, qPrintable(QString::number(progress.size())));
    QCOMPARE(progress.last().at(1).toDouble(), 8.0); // the total

    // The hard maximum holds even with progress; the server is told the call is cancelled.
    std::unique_ptr<ToolJob> bounded(client.call(u"trigger-long-running-operation"_s,
                                                 u"{\"duration\":5,\"steps\":20}"_s, 1200, 1500, nullptr));
    result = run(bounded.get());
    QCOMPARE(result.status, ToolStatus::TimedOut);
    QCOMPARE(result.text, u"error: timed out after 2 s"_s);
    // Still usable afterwards.
    std::unique_ptr<ToolJob> echo(
        client.call(u"echo"_s, u"{\"message\":\"still here\"}"_s, 10'000, 60'000, nullptr));
    QCOMPARE(run(echo.get()).text, u"Echo: still here"_s);
}

void TestMcp::anErrorResultIsAFailedCall()
{
    McpClient client(everything());
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    std::unique_ptr<ToolJob> bad(client.call(u"get-sum"_s, u"{\"a\":\"two\"}"_s, 10'000, 60'000, nullptr));
    const ToolResult result = run(bad.get());
    QCOMPARE(result.status, ToolStatus::Failed);
    QVERIFY(!result.text.isEmpty());
    std::unique_ptr<ToolJob> unknown(client.call(u"no-such-tool"_s, u"{}"_s, 10'000, 60'000, nullptr));
    QCOMPARE(run(unknown.get()).status, ToolStatus::Failed);
}

void TestMcp::aCrashedServerIsDownAndCanBeRestarted()
{
    McpClient client(everything());
    ToolRegistry registry;
    registry.addServer(&client);
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    QVERIFY(!registry.definitions().isEmpty());
    const qint64 pid = client.processId();
    QVERIFY(pid > 0);
    ::kill(pid_t(pid), SIGKILL);
    QVERIFY(waitFor(client, State::Down));
    QCOMPARE(client.error(), u"the server crashed"_s);
    QVERIFY(!client.log().isEmpty()); // its last words stay
    QVERIFY(registry.definitions().isEmpty()); // its tools are not offered while it is down
    QVERIFY(!registry.find(u"echo"_s));
    std::unique_ptr<ToolJob> call(client.call(u"echo"_s, u"{\"message\":\"x\"}"_s, 1000, 1000, nullptr));
    const ToolResult result = run(call.get());
    QCOMPARE(result.status, ToolStatus::Failed);
    QVERIFY(result.text.contains(u"not running"_s));

    client.restart();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    QVERIFY(client.processId() != pid);
    QVERIFY(registry.find(u"echo"_s));
}

void TestMcp::stoppingClosesItsInput()
{
    McpClient client(everything());
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    const qint64 pid = client.processId();
    QElapsedTimer clock;
    clock.start();
    client.stop();
    QVERIFY(waitFor(client, State::Stopped));
    // It left on closed input, before SIGTERM would have been sent.
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!QFile::exists(u"/proc/%1/status"_s.arg(pid)) || client.processId() == 0);

    // A server that ignores closed input and SIGTERM is killed.
    McpServerSpec stubborn;
    stubborn.name = u"stubborn"_s;
    stubborn.program =
        script(u"stubborn"_s,
               "trap '' TERM\n"
               "read line\n"
               "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\","
               "\"capabilities\":{},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}}'\n"
               "read line\nread line\n"
               "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}'\n"
               "while true; do sleep 1; done\n");
    McpClient hard(stubborn);
    hard.start();
    QVERIFY2(waitFor(hard, State::Ready), qPrintable(hard.error()));
    hard.stop();
    QVERIFY(waitFor(hard, State::Stopped));
}

void TestMcp::olderProtocolsPagesAndListChanges()
{
    McpServerSpec old;
    old.name = u"old"_s;
    old.program = script(
        u"old"_s,
        "echo 'old server starting' >&2\n"
        "read line\n"
        "printf '%s\\n' "
        "'{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2024-11-05\",\"capabilities\":{"
        "\"tools\":{\"listChanged\":true}},\"serverInfo\":{\"name\":\"old\",\"version\":\"1\"}}}'\n"
        "read line\n" // notifications/initialized
        "read line\n" // tools/list, id 2
        "printf '%s\\n' "
        "'{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"one\",\"inputSchema\":{"
        "\"type\":\"object\"}}],\"nextCursor\":\"page-2\"}}'\n"
        "read line\n" // tools/list, id 3, cursor page-2
        "case \"$line\" in *page-2*) ;; *) exit 7 ;; esac\n"
        "printf '%s\\n' "
        "'{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":[{\"name\":\"two\",\"inputSchema\":{"
        "\"type\":\"object\"}}]}}'\n"
        "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}'\n"
        "read line\n" // tools/list, id 4
        "printf '%s\\n' "
        "'{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"tools\":[{\"name\":\"one\",\"inputSchema\":{"
        "\"type\":\"object\"}},{\"name\":\"two\",\"inputSchema\":{}},{\"name\":\"three\",\"inputSchema\":{"
        "\"type\":\"object\"}}]}}'\n"
        "cat > /dev/null\n");
    McpClient client(old);
    QSignalSpy toolsChanged(&client, &McpClient::toolsChanged);
    client.start();
    QVERIFY2(waitFor(client, State::Ready), qPrintable(client.error()));
    QCOMPARE(client.protocolVersion(), u"2024-11-05"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.tools().size(), 3, 10'000);
    QCOMPARE(client.tools().at(2).name, u"three"_s);
    QCOMPARE(client.state(), State::Ready);
    QVERIFY(toolsChanged.size() >= 2);
    QVERIFY(client.log().contains(u"old server starting"_s));
}

void TestMcp::anUnknownProtocolOrAMissingProgramIsDown()
{
    McpServerSpec future;
    future.name = u"future"_s;
    future.program =
        script(u"future"_s,
               "read line\n"
               "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2031-01-01\","
               "\"capabilities\":{},\"serverInfo\":{\"name\":\"f\",\"version\":\"9\"}}}'\n"
               "cat > /dev/null\n");
    McpClient client(future);
    client.start();
    QVERIFY(waitFor(client, State::Down));
    QVERIFY2(client.error().contains(u"2031-01-01"_s), qPrintable(client.error()));

    McpServerSpec missing;
    missing.name = u"missing"_s;
    missing.program = m_dir.filePath(u"not-there"_s);
    McpClient absent(missing);
    absent.start();
    QVERIFY(waitFor(absent, State::Down));
    QVERIFY2(absent.error().startsWith(u"could not start"_s), qPrintable(absent.error()));

    // A server that starts but never answers initialize is stopped and shown as down.
    McpServerSpec silent;
    silent.name = u"silent"_s;
    silent.program = script(u"silent"_s, "cat > /dev/null\n");
    McpClient mute(silent);
    mute.setStartTimeout(300);
    mute.start();
    QVERIFY(waitFor(mute, State::Down));
    QCOMPARE(mute.error(), u"it did not answer initialize within 0.3 s"_s);
    QTRY_COMPARE_WITH_TIMEOUT(mute.processId(), 0, 10'000); // it was stopped, not left running

    McpServerSpec quits;
    quits.name = u"quits"_s;
    quits.program = script(u"quits"_s, "echo 'missing API token' >&2\nexit 4\n");
    McpClient early(quits);
    early.start();
    QVERIFY(waitFor(early, State::Down));
    QCOMPARE(early.error(), u"the server exited with status 4"_s);
    QCOMPARE(early.log(), QStringList {u"missing API token"_s});
}

void TestMcp::commandLinesSplitWithoutAShell()
{
    McpServerSpec spec;
    QString error;
    QVERIFY(McpServerSpec::fromCommandLine(u"npx -y '@scope/pkg' --root \"/a b/c\" x\\ y $HOME"_s, &spec,
                                           &error));
    QCOMPARE(spec.program, u"npx"_s);
    QCOMPARE(spec.arguments,
             (QStringList {u"-y"_s, u"@scope/pkg"_s, u"--root"_s, u"/a b/c"_s, u"x y"_s, u"$HOME"_s}));
    QCOMPARE(spec.commandLine(), u"npx -y @scope/pkg --root '/a b/c' 'x y' '$HOME'"_s);
    QVERIFY(!McpServerSpec::fromCommandLine(u"node 'unclosed"_s, &spec, &error));
    QVERIFY(!McpServerSpec::fromCommandLine(u"   "_s, &spec, &error));
}

QTEST_GUILESS_MAIN(TestMcp)
#include "tst_Mcp.moc"
