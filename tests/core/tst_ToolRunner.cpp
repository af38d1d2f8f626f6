// The tool loop against the fake server: a reply that asks for tools, the calls run (command
// tools: real programs, started without a shell), their results go back in order, and the turn
// goes on until the answer. Parallel calls, a failing tool, a timeout, a denied call, edited
// arguments, arguments streamed in many pieces, ids repeated across rounds, reasoning on every
// round, the round limit, stop, Kimi's $web_search and a manual answer; each round's body is
// checked.
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "ToolStreams.h"
#include "api/ChatClient.h"
#include "api/ChatParameters.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"
#include "tools/CommandTool.h"
#include "tools/ToolCallModel.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"
#include "tools/ToolSettings.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace moonpane;
using namespace moonpane::test;
using TurnState = ChatSession::TurnState;

namespace {

QJsonObject tool(const QString &name, const QJsonObject &properties, const QStringList &required = {})
{
    return {{u"type"_s, u"function"_s},
            {u"function"_s,
             QJsonObject {{u"name"_s, name},
                          {u"description"_s, u"test tool"_s},
                          {u"parameters"_s,
                           QJsonObject {{u"type"_s, u"object"_s},
                                        {u"properties"_s, properties},
                                        {u"required"_s, QJsonArray::fromStringList(required)}}}}}};
}

QJsonObject stringProperty()
{
    return {{u"type"_s, u"string"_s}};
}

QJsonArray messagesOf(const RecordedRequest &request)
{
    return request.json().value("messages"_L1).toArray();
}

} // namespace

class TestToolRunner : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void parallelCallsRunTogetherAndAnswerInOrder();
    void everyRoundKeepsItsReasoningAndIdsRepeat();
    void argumentsStreamedInManyPiecesArriveWhole();
    void aFailingToolTellsTheModel();
    void aToolThatTakesTooLongIsStopped();
    void outputIsCapped();
    void askWaitsForAClickAndDenyTellsTheModel();
    void editedArgumentsRunAndTheModelIsTold();
    void policiesDecideWithoutAsking();
    void invalidArgumentsAreFlaggedButMayStillRun();
    void theRoundLimitEndsTheLoop();
    void stopCancelsRunningCallsAndKeepsFinishedOnes();
    void webSearchGoesBackUnchanged();
    void aManualToolIsAnsweredByHand();
    void definitionsAreCheckedBeforeSending();
    void namedSetsAreOfferedWhileOn();
    void theInspectorModelFollowsEveryCall();
    void callsOfTheHistoryAreListedWithTheirResults();

private:
    // A program at `name` in the temporary folder running `script` under /bin/sh.
    QString program(const QString &name, const QByteArray &script);
    void waitForEnd();

    QTemporaryDir *m_dir = nullptr;
    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
    Conversation *m_conversation = nullptr;
    ChatSession *m_session = nullptr;
    ToolRegistry *m_registry = nullptr;
    ToolRunner *m_runner = nullptr;
};

void TestToolRunner::init()
{
    m_dir = new QTemporaryDir;
    QVERIFY(m_dir->isValid());
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    endpoint.apiKey = u"fake-tool-test"_s;
    m_client->setEndpoint(endpoint);
    m_conversation = new Conversation;
    m_session = new ChatSession(m_client, m_conversation, this);
    m_registry = new ToolRegistry(this);
    m_session->setToolSource([this] { return m_registry->definitions(); });
    m_runner = new ToolRunner(m_session, m_registry, this);
}

void TestToolRunner::cleanup()
{
    delete m_runner;
    delete m_registry;
    delete m_session;
    delete m_conversation;
    delete m_client;
    delete m_server;
    delete m_dir;
}

QString TestToolRunner::program(const QString &name, const QByteArray &script)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write("#!/bin/sh\n" + script);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

void TestToolRunner::waitForEnd()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_session->isBusy(), 20'000);
}

void TestToolRunner::parallelCallsRunTogetherAndAnswerInOrder()
{
    // The first call waits for a file the second one writes: run one after the other, the first
    // would time out.
    const QString flag = m_dir->filePath(u"second-ran"_s);
    CommandSpec waits;
    waits.program = program(u"waits"_s,
                            "i=0\nwhile [ ! -e '" + flag.toUtf8()
                                + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"
                                  "[ -e '"
                                + flag.toUtf8() + "' ] && echo first-saw-second || exit 9\n");
    CommandSpec writes;
    writes.program = program(u"writes"_s, "cat > /dev/null\ntouch '" + flag.toUtf8() + "'\necho second\n");
    m_registry->setDefinitions({tool(u"first"_s, {}), tool(u"second"_s, {})});
    m_registry->bindCommand(u"first"_s, waits);
    m_registry->bindCommand(u"second"_s, writes);
    m_registry->setApprovalForAll(ToolApproval::Always);

    m_server->enqueue(FakeResponse::sse(toolCallStream(
        u"Both at once."_s, {{u"first:0"_s, u"first"_s, u"{}"_s}, {u"second:1"_s, u"second"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream(u"Done."_s, u"Both ran."_s)));
    QVERIFY(m_session->send(u"Run both"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_session->state(), TurnState::Done);
    QCOMPARE(m_runner->runs().size(), 2);
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Done);
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Done);

    QCOMPARE(m_server->requests().size(), 2);
    const QJsonArray sent = messagesOf(m_server->requests().at(1));
    QCOMPARE(sent.size(), 4); // user, assistant with the calls, two results in the calls' order
    QCOMPARE(sent.at(2).toObject().value("tool_call_id"_L1).toString(), u"first:0"_s);
    QCOMPARE(sent.at(2).toObject().value("name"_L1).toString(), u"first"_s);
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"first-saw-second\n"_s);
    QCOMPARE(sent.at(3).toObject().value("tool_call_id"_L1).toString(), u"second:1"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), u"second\n"_s);
}

void TestToolRunner::everyRoundKeepsItsReasoningAndIdsRepeat()
{
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    m_registry->setDefinitions({tool(u"lookup"_s, {{u"q"_s, stringProperty()}}, {u"q"_s})});
    m_registry->bindCommand(u"lookup"_s, echo);
    m_registry->setApprovalForAll(ToolApproval::Always);
    // Kimi numbers calls per reply: the same id comes back in the next round.
    m_server->enqueue(FakeResponse::sse(toolCallStream(
        u"First I look up a."_s, {{u"functions.lookup:0"_s, u"lookup"_s, u"{\"q\":\"a\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(
        toolCallStream(u"Now b."_s, {{u"functions.lookup:0"_s, u"lookup"_s, u"{\"q\":\"b\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream(u"Both known."_s, u"a and b."_s)));
    QVERIFY(m_session->send(u"Look up a, then b"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_session->state(), TurnState::Done);
    QCOMPARE(m_session->round(), 3);
    QCOMPARE(m_server->requests().size(), 3);

    // Two runs, not one: the id is not a key.
    QCOMPARE(m_runner->runs().size(), 2);
    QCOMPARE(m_runner->runs().at(0).round, 1);
    QCOMPARE(m_runner->runs().at(1).round, 2);
    QCOMPARE(m_runner->runs().at(0).result.text, u"{\"q\":\"a\"}"_s);
    QCOMPARE(m_runner->runs().at(1).result.text, u"{\"q\":\"b\"}"_s);

    const QJsonArray third = messagesOf(m_server->requests().at(2));
    QCOMPARE(third.size(), 5); // user, call, result, call, result
    QCOMPARE(third.at(1).toObject().value("reasoning_content"_L1).toString(), u"First I look up a."_s);
    QCOMPARE(third.at(3).toObject().value("reasoning_content"_L1).toString(), u"Now b."_s);
    QVERIFY(!third.at(1).toObject().contains("content"_L1)); // never "" beside tool_calls
    QCOMPARE(third.at(2).toObject().value("tool_call_id"_L1).toString(), u"functions.lookup:0"_s);
    QCOMPARE(third.at(4).toObject().value("tool_call_id"_L1).toString(), u"functions.lookup:0"_s);
    QCOMPARE(third.at(2).toObject().value("content"_L1).toString(), u"{\"q\":\"a\"}"_s);
    QCOMPARE(third.at(4).toObject().value("content"_L1).toString(), u"{\"q\":\"b\"}"_s);
    // Every round offers the tools.
    for (const RecordedRequest &request : m_server->requests())
        QCOMPARE(request.json().value("tools"_L1).toArray().size(), 1);
}

void TestToolRunner::argumentsStreamedInManyPiecesArriveWhole()
{
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    m_registry->setDefinitions({tool(u"write_note"_s, {{u"text"_s, stringProperty()}})});
    m_registry->bindCommand(u"write_note"_s, echo);
    m_registry->setApprovalForAll(ToolApproval::Always);
    const QString arguments =
        u"{\"text\":\"Grüße aus 北京 — a note, \\\"quoted\\\", with 🙂 in it\"}"_s;
    QSignalSpy changed(m_runner, &ToolRunner::runChanged);
    FakeResponse reply =
        FakeResponse::sse(toolCallStream(u"Writing."_s, {{u"w:0"_s, u"write_note"_s, arguments}}, 40));
    reply.delivery = FakeResponse::Delivery::RandomSplits;
    reply.seed = 7;
    m_server->enqueue(reply);
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Noted."_s)));
    QVERIFY(m_session->send(u"Note it"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_runner->runs().size(), 1);
    QCOMPARE(m_runner->runs().at(0).arguments, arguments);
    QCOMPARE(m_runner->runs().at(0).result.text, arguments); // what the program got on stdin
    QVERIFY(m_runner->runs().at(0).problems.isEmpty());
    QVERIFY2(changed.size() > 20, "the run follows the arguments as they stream");
}

void TestToolRunner::aFailingToolTellsTheModel()
{
    CommandSpec failing;
    failing.program =
        program(u"fails"_s, "cat > /dev/null\necho 'partial output'\necho 'disk full' >&2\nexit 3\n");
    m_registry->setDefinitions({tool(u"save"_s, {})});
    m_registry->bindCommand(u"save"_s, failing);
    m_registry->setApprovalForAll(ToolApproval::Always);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"save:0"_s, u"save"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Saving failed: the disk is full."_s)));
    QVERIFY(m_session->send(u"Save"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_session->state(), TurnState::Done); // a failed tool is not a failed turn
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Failed);
    const QString result =
        messagesOf(m_server->lastRequest()).at(2).toObject().value("content"_L1).toString();
    QCOMPARE(result, u"error: exit 3\ndisk full"_s);

    // A program that is not there fails the same way, saying so.
    m_registry->bindCommand(u"save"_s, CommandSpec {m_dir->filePath(u"missing"_s), {}, {}, {}, 60'000, 1024});
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"save:0"_s, u"save"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"It is missing."_s)));
    QVERIFY(m_session->send(u"Save again"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Failed);
    QVERIFY(m_runner->runs().at(1).result.text.startsWith(u"error: could not start "_s));
}

void TestToolRunner::aToolThatTakesTooLongIsStopped()
{
    const QString pidFile = m_dir->filePath(u"pid"_s);
    CommandSpec slow;
    slow.program = program(u"slow"_s, "echo $$ > '" + pidFile.toUtf8() + "'\nexec sleep 30\n");
    slow.timeoutMs = 300;
    m_registry->setDefinitions({tool(u"slow_op"_s, {})});
    m_registry->bindCommand(u"slow_op"_s, slow);
    m_registry->setApprovalForAll(ToolApproval::Always);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"slow:0"_s, u"slow_op"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"It took too long."_s)));
    QVERIFY(m_session->send(u"Go"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::TimedOut);
    QCOMPARE(messagesOf(m_server->lastRequest()).at(2).toObject().value("content"_L1).toString(),
             u"error: timed out after 1 s"_s);
    QVERIFY(m_runner->runs().at(0).ms < 10'000);
    // The program is gone, not left behind.
    QFile pid(pidFile);
    QVERIFY(pid.open(QIODevice::ReadOnly));
    const QString proc = u"/proc/%1"_s.arg(QString::fromLatin1(pid.readAll().trimmed()));
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(proc), 5000);
}

void TestToolRunner::outputIsCapped()
{
    CommandSpec chatty;
    chatty.program = program(u"chatty"_s, "cat > /dev/null\nhead -c 3000000 /dev/zero | tr '\\0' x\n");
    chatty.outputCap = 1000;
    m_registry->setDefinitions({tool(u"chatty"_s, {})});
    m_registry->bindCommand(u"chatty"_s, chatty);
    m_registry->setApprovalForAll(ToolApproval::Always);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"c:0"_s, u"chatty"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Long."_s)));
    QVERIFY(m_session->send(u"Talk"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Done);
    const QString result = m_runner->runs().at(0).result.text;
    QVERIFY(result.startsWith(QString(1000, u'x') + u"\n[output cut at 1000 bytes]"_s));
}

void TestToolRunner::askWaitsForAClickAndDenyTellsTheModel()
{
    const QString ran = m_dir->filePath(u"ran"_s);
    CommandSpec marks;
    marks.program = program(u"marks"_s, "touch '" + ran.toUtf8() + "'\n");
    m_registry->setDefinitions({tool(u"delete_all"_s, {})});
    m_registry->bindCommand(u"delete_all"_s, marks);
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"d:0"_s, u"delete_all"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Understood, nothing deleted."_s)));
    QVERIFY(m_session->send(u"Clean up"_s).isEmpty());
    QVERIFY(asked.wait(10'000));
    QCOMPARE(asked.at(0).at(0).toInt(), 0);
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
    QCOMPARE(m_runner->waiting(), QList<int> {0});
    QCOMPARE(m_server->requests().size(), 1); // nothing goes on without a decision
    QVERIFY(!QFile::exists(ran));

    m_runner->deny(0);
    waitForEnd();
    QVERIFY(!QFile::exists(ran)); // never ran
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Denied);
    QCOMPARE(messagesOf(m_server->lastRequest()).at(2).toObject().value("content"_L1).toString(),
             ToolRunner::deniedText());
    QCOMPARE(m_session->state(), TurnState::Done);
}

void TestToolRunner::editedArgumentsRunAndTheModelIsTold()
{
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    m_registry->setDefinitions({tool(u"remove"_s, {{u"path"_s, stringProperty()}}, {u"path"_s})});
    m_registry->bindCommand(u"remove"_s, echo);
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(
        FakeResponse::sse(toolCallStream({}, {{u"remove:0"_s, u"remove"_s, u"{\"path\":\"/\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Removed the cache."_s)));
    QVERIFY(m_session->send(u"Clean"_s).isEmpty());
    QVERIFY(asked.wait(10'000));
    m_runner->approve(0, u"{\"path\":\"/tmp/cache\"}"_s);
    waitForEnd();
    const ToolRun &run = m_runner->runs().at(0);
    QCOMPARE(run.arguments, u"{\"path\":\"/\"}"_s); // what the model asked stays as it was
    QCOMPARE(run.ranWith, u"{\"path\":\"/tmp/cache\"}"_s);
    QCOMPARE(run.result.text, u"{\"path\":\"/tmp/cache\"}"_s); // what the program got
    const QString told = messagesOf(m_server->lastRequest()).at(2).toObject().value("content"_L1).toString();
    QVERIFY2(told.contains(u"edited the arguments"_s) && told.endsWith(u"{\"path\":\"/tmp/cache\"}"_s),
             qPrintable(told));
    // The assistant message goes back as the model wrote it.
    const QJsonObject call = messagesOf(m_server->lastRequest())
                                 .at(1)
                                 .toObject()
                                 .value("tool_calls"_L1)
                                 .toArray()
                                 .at(0)
                                 .toObject();
    QCOMPARE(call.value("function"_L1).toObject().value("arguments"_L1).toString(), u"{\"path\":\"/\"}"_s);
}

void TestToolRunner::policiesDecideWithoutAsking()
{
    const QString ran = m_dir->filePath(u"ran"_s);
    CommandSpec marks;
    marks.program = program(u"marks"_s, "echo x >> '" + ran.toUtf8() + "'\necho ok\n");
    m_registry->setDefinitions({tool(u"allowed"_s, {}), tool(u"blocked"_s, {}), tool(u"session"_s, {})});
    m_registry->bindCommand(u"allowed"_s, marks);
    m_registry->bindCommand(u"blocked"_s, marks);
    m_registry->bindCommand(u"session"_s, marks);
    m_registry->setToolApproval(u"allowed"_s, ToolApproval::Always);
    m_registry->setToolApproval(u"blocked"_s, ToolApproval::Never);
    m_runner->allowForConversation(u"session"_s);
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(FakeResponse::sse(toolCallStream({},
                                                       {{u"a:0"_s, u"allowed"_s, u"{}"_s},
                                                        {u"b:1"_s, u"blocked"_s, u"{}"_s},
                                                        {u"s:2"_s, u"session"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Two ran."_s)));
    QVERIFY(m_session->send(u"Go"_s).isEmpty());
    waitForEnd();
    QCOMPARE(asked.size(), 0);
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Done);
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Denied);
    QCOMPARE(m_runner->runs().at(2).status, ToolStatus::Done);
    QFile file(ran);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("x\nx\n"));
}

void TestToolRunner::invalidArgumentsAreFlaggedButMayStillRun()
{
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    QJsonObject count {{u"type"_s, u"integer"_s}, {u"minimum"_s, 1}};
    m_registry->setDefinitions(
        {tool(u"repeat"_s, {{u"text"_s, stringProperty()}, {u"count"_s, count}}, {u"text"_s, u"count"_s})});
    m_registry->bindCommand(u"repeat"_s, echo);
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(FakeResponse::sse(toolCallStream(
        {},
        {{u"r:0"_s, u"repeat"_s, u"{\"text\":5,\"count\":0}"_s}, {u"r:1"_s, u"repeat"_s, u"{\"text\":"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"ok"_s)));
    QVERIFY(m_session->send(u"Repeat"_s).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 2, 10'000);
    const QStringList first = m_runner->runs().at(0).problems;
    QCOMPARE(first.size(), 2);
    QVERIFY(first.at(0).startsWith(u"text should be string"_s)
            || first.at(1).startsWith(u"text should be string"_s));
    QVERIFY(first.join(u' ').contains(u"count should be at least 1"_s));
    QCOMPARE(m_runner->runs().at(1).problems.size(), 1);
    QVERIFY(m_runner->runs().at(1).problems.at(0).startsWith(u"the arguments are not valid JSON"_s));
    m_runner->approveAll(); // the user may still run them
    waitForEnd();
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Done);
    QCOMPARE(m_runner->runs().at(1).result.text, u"{\"text\":"_s);
}

void TestToolRunner::theRoundLimitEndsTheLoop()
{
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    m_registry->setDefinitions({tool(u"again"_s, {})});
    m_registry->bindCommand(u"again"_s, echo);
    m_registry->setApprovalForAll(ToolApproval::Always);
    m_session->setMaxToolRounds(2);
    for (int i = 0; i < 3; ++i)
        m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"again:0"_s, u"again"_s, u"{}"_s}})));
    QVERIFY(m_session->send(u"Loop"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_session->state(), TurnState::Stopped);
    QVERIFY(m_session->stoppedAtRoundLimit());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_runner->runs().size(), 2);
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::Done);
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Cancelled); // asked for, never run
}

void TestToolRunner::stopCancelsRunningCallsAndKeepsFinishedOnes()
{
    CommandSpec quick;
    quick.program = program(u"quick"_s, "echo quick\n");
    CommandSpec slow;
    slow.program = program(u"slow"_s, "exec sleep 30\n");
    m_registry->setDefinitions({tool(u"quick"_s, {}), tool(u"slow"_s, {})});
    m_registry->bindCommand(u"quick"_s, quick);
    m_registry->bindCommand(u"slow"_s, slow);
    m_registry->setApprovalForAll(ToolApproval::Always);
    m_server->enqueue(FakeResponse::sse(
        toolCallStream({}, {{u"q:0"_s, u"quick"_s, u"{}"_s}, {u"s:1"_s, u"slow"_s, u"{}"_s}})));
    QVERIFY(m_session->send(u"Go"_s).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_runner->runs().value(0).status, ToolStatus::Done, 10'000);
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Running);
    QCOMPARE(m_session->state(), TurnState::RunningTools);
    m_runner->stop();
    QCOMPARE(m_session->state(), TurnState::Stopped);
    QCOMPARE(m_runner->runs().at(1).status, ToolStatus::Cancelled);
    QCOMPARE(m_server->requests().size(), 1); // nothing more was sent
    // The conversation keeps what happened: the quick result, and why the other has none.
    const QList<ChatMessage> history = m_conversation->history();
    QCOMPARE(history.size(), 4);
    QCOMPARE(history.at(2).content, u"quick\n"_s);
    QVERIFY(history.at(3).content.contains(u"stopped"_s));
}

void TestToolRunner::webSearchGoesBackUnchanged()
{
    m_registry->setWebSearch(true);
    const QString arguments =
        u"{\"search_result\":{\"search_id\":\"s-1\"},\"usage\":{\"total_tokens\":812}}"_s;
    m_server->enqueue(
        FakeResponse::sse(toolCallStream({}, {{u"$web_search:0"_s, u"$web_search"_s, arguments}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"It is sunny in Beijing."_s)));
    QVERIFY(m_session->send(u"Weather in Beijing today?"_s).isEmpty());
    waitForEnd();
    QCOMPARE(m_session->state(), TurnState::Done);
    const QJsonObject first = m_server->requests().at(0).json();
    const QJsonObject declared = first.value("tools"_L1).toArray().at(0).toObject();
    QCOMPARE(declared.value("type"_L1).toString(), u"builtin_function"_s);
    QCOMPARE(declared.value("function"_L1).toObject().value("name"_L1).toString(), u"$web_search"_s);
    // kimi-k2.6 with $web_search: thinking off (the docs call the two incompatible).
    QCOMPARE(first.value("thinking"_L1).toObject().value("type"_L1).toString(), u"disabled"_s);
    const QJsonObject result = messagesOf(m_server->lastRequest()).at(2).toObject();
    QCOMPARE(result.value("name"_L1).toString(), u"$web_search"_s);
    QCOMPARE(result.value("content"_L1).toString(), arguments);
}

void TestToolRunner::aManualToolIsAnsweredByHand()
{
    m_registry->setDefinitions({tool(u"ask_user"_s, {{u"question"_s, stringProperty()}})});
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(FakeResponse::sse(
        toolCallStream({}, {{u"ask:0"_s, u"ask_user"_s, u"{\"question\":\"Which city?\"}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Paris it is."_s)));
    QVERIFY(m_session->send(u"Plan a trip"_s).isEmpty());
    QVERIFY(asked.wait(10'000));
    QCOMPARE(m_runner->runs().at(0).kind, ToolKind::Manual);
    m_runner->approve(0); // a manual tool does not run: it is answered
    QCOMPARE(m_runner->runs().at(0).status, ToolStatus::AwaitingApproval);
    m_runner->answer(0, u"Paris"_s);
    waitForEnd();
    QCOMPARE(messagesOf(m_server->lastRequest()).at(2).toObject().value("content"_L1).toString(), u"Paris"_s);

    // Without manual answers (the CLI), such a call ends the loop, unanswered.
    m_runner->setManualAnswers(false);
    QSignalSpy unanswerable(m_runner, &ToolRunner::unanswerable);
    m_server->enqueue(FakeResponse::sse(toolCallStream({}, {{u"ask:0"_s, u"ask_user"_s, u"{}"_s}})));
    QVERIFY(m_session->send(u"And then?"_s).isEmpty());
    QVERIFY(unanswerable.wait(10'000));
    QCOMPARE(unanswerable.at(0).at(0).value<QList<int>>(), QList<int> {1});
    QCOMPARE(m_session->state(), TurnState::AwaitingApproval);
}

void TestToolRunner::definitionsAreCheckedBeforeSending()
{
    QJsonObject untyped =
        tool(u"untyped"_s, {{u"mode"_s, QJsonObject {{u"enum"_s, QJsonArray {u"a"_s, u"b"_s}}}}});
    m_registry->setDefinitions({untyped});
    QStringList problems = m_session->send(u"Hi"_s);
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.at(0).contains(u"mode has no \"type\""_s), qPrintable(problems.at(0)));

    QJsonArray many;
    for (int i = 0; i < 129; ++i)
        many.append(tool(u"tool_%1"_s.arg(i), {}));
    m_registry->setDefinitions(many);
    problems = m_session->send(u"Hi"_s);
    QVERIFY(problems.contains(u"at most 128 tools can be sent (got 129)"_s));

    m_registry->setDefinitions({tool(u"x"_s, {})});
    problems = m_session->send(u"Hi"_s);
    QVERIFY(!problems.isEmpty() && problems.at(0).contains(u"must be 3 to 64"_s));
    QCOMPARE(m_server->requests().size(), 0);
}

void TestToolRunner::namedSetsAreOfferedWhileOn()
{
    // Settings from before sets: their one list is the first set.
    const QJsonObject old {{u"definitions"_s, QJsonArray {tool(u"get_weather"_s, {})}}, {u"max_rounds"_s, 4}};
    ToolSettings settings = ToolSettings::fromJson(old);
    QCOMPARE(settings.sets.size(), 1);
    QCOMPARE(settings.sets.at(0).name, ToolSettings::defaultSetName());
    QVERIFY(settings.sets.at(0).enabled);

    // A second set, off: its tools are not offered, and may share a name with one that is on.
    settings.sets.append(
        {u"Files"_s, QJsonArray {tool(u"read_file"_s, {}), tool(u"get_weather"_s, {})}, false});
    QCOMPARE(settings.definitions().size(), 1);
    QCOMPARE(settings.functionNames(), (QStringList {u"get_weather"_s, u"read_file"_s}));
    QVERIFY2(settings.problems().isEmpty(), qPrintable(settings.problems().join(u"; "_s)));
    // Both on: the name is in two sets, which Kimi would refuse.
    settings.sets[1].enabled = true;
    QVERIFY(settings.problems().join(u"; "_s).contains(u"\"get_weather\" is used twice"_s));
    settings.sets[1].definitions.removeAt(1);
    settings.sets.append({u"Files"_s, {}, true});
    QVERIFY(settings.problems().contains(u"two tool sets are called Files"_s));
    settings.sets.removeLast();

    // Kept as they are; what the registry offers is the sets that are on.
    const ToolSettings reread = ToolSettings::fromJson(settings.toJson());
    QCOMPARE(reread.sets.size(), 2);
    QCOMPARE(reread.sets.at(1).name, u"Files"_s);
    QCOMPARE(reread.maxRounds, 4);
    reread.apply(*m_registry);
    QCOMPARE(m_registry->definitions().size(), 2);
    ToolSettings off = reread;
    off.sets[0].enabled = false;
    off.apply(*m_registry);
    QCOMPARE(m_registry->definitions().size(), 1);
    QCOMPARE(ChatParameters::toolName(m_registry->definitions().at(0)), u"read_file"_s);
}

void TestToolRunner::theInspectorModelFollowsEveryCall()
{
    ToolCallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRunner(m_runner);
    CommandSpec echo;
    echo.program = program(u"echo"_s, "cat\n");
    CommandSpec fails;
    fails.program = program(u"fails"_s, "exit 2\n");
    m_registry->setDefinitions({tool(u"echo_it"_s, {{u"text"_s, stringProperty()}}), tool(u"fail_it"_s, {})});
    m_registry->bindCommand(u"echo_it"_s, echo);
    m_registry->bindCommand(u"fail_it"_s, fails);
    m_registry->setToolApproval(u"echo_it"_s, ToolApproval::Always);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy asked(m_runner, &ToolRunner::approvalNeeded);
    m_server->enqueue(FakeResponse::sse(toolCallStream(
        u"Two."_s, {{u"e:0"_s, u"echo_it"_s, u"{\"text\":\"hi\"}"_s}, {u"f:1"_s, u"fail_it"_s, u"{}"_s}},
        5)));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"One failed."_s)));
    QVERIFY(m_session->send(u"Go"_s).isEmpty());
    QVERIFY(asked.wait(10'000));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 2); // a row each, as each call began to stream
    const QModelIndex second = model.index(1, ToolCallModel::Status);
    QCOMPARE(second.data().toString(), u"waiting for approval"_s);
    QCOMPARE(model.index(1, ToolCallModel::Tool).data().toString(), u"fail_it"_s);
    QCOMPARE(model.index(0, ToolCallModel::Round).data().toInt(), 1);
    QCOMPARE(model.index(0, 0).data(ToolCallModel::PrettyArgumentsRole).toString(),
             u"{\n    \"text\": \"hi\"\n}"_s);
    QCOMPARE(model.index(0, 0).data(ToolCallModel::MessageIdRole).toLongLong(),
             m_runner->runs().at(0).messageId);
    m_runner->approve(1);
    waitForEnd();
    QCOMPARE(model.index(0, ToolCallModel::Status).data().toString(), u"done"_s);
    QCOMPARE(model.index(1, ToolCallModel::Status).data().toString(), u"failed"_s);
    QCOMPARE(model.index(1, 0).data(ToolCallModel::ResultRole).toString(), u"error: exit 2"_s);
    QVERIFY(!model.index(1, ToolCallModel::Duration).data().toString().isEmpty());
    model.setRunner(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestToolRunner::callsOfTheHistoryAreListedWithTheirResults()
{
    // A conversation as it comes back from the history: two rounds of calls and their answers.
    const auto add = [this](Role role, const QString &content, qint64 parent,
                            const QList<ToolCall> &calls = {}, const QString &name = {}) {
        Message m;
        m.role = role;
        m.content = content;
        m.parentId = parent;
        m.toolCalls = calls;
        m.name = name;
        m.toolCallId = role == Role::Tool ? u"x:0"_s : QString();
        return m_conversation->add(m);
    };
    const qint64 user = add(Role::User, u"Weather?"_s, 0);
    const qint64 first =
        add(Role::Assistant, {}, user,
            {ToolCall {u"w:0"_s, u"function"_s, u"get_weather"_s, u"{\"city\":\"Oslo\"}"_s},
             ToolCall {u"w:1"_s, u"function"_s, u"get_weather"_s, u"{\"city\":\"Rome\"}"_s}});
    const qint64 r1 = add(Role::Tool, u"{\"c\":3}"_s, first, {}, u"get_weather"_s);
    const qint64 r2 = add(Role::Tool, ToolRunner::deniedText(), r1, {}, u"get_weather"_s);
    const qint64 second =
        add(Role::Assistant, {}, r2,
            {ToolCall {u"w:0"_s, u"function"_s, u"get_weather"_s, u"{\"city\":\"Nice\"}"_s}});
    const qint64 r3 = add(Role::Tool, u"error: exit 1"_s, second, {}, u"get_weather"_s);
    add(Role::Assistant, u"Oslo is cold."_s, r3);

    ToolRunner runner(m_session, m_registry);
    ToolCallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRunner(&runner);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(runner.runs().at(0).status, ToolStatus::Done);
    QCOMPARE(runner.runs().at(0).result.text, u"{\"c\":3}"_s);
    QCOMPARE(runner.runs().at(1).status, ToolStatus::Denied);
    QCOMPARE(runner.runs().at(2).status, ToolStatus::Failed);
    QCOMPARE(runner.runs().at(2).round, 2);
    QCOMPARE(runner.runs().at(2).arguments, u"{\"city\":\"Nice\"}"_s);
    QVERIFY(runner.runs().at(0).earlier);
    QCOMPARE(model.index(2, ToolCallModel::Status).data().toString(), u"failed"_s);

    // Another branch: the list follows the active path.
    m_conversation->selectBranch(user);
    const qint64 other = add(Role::Assistant, u"No tools this time."_s, user);
    QCOMPARE(m_conversation->leaf(), other);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestToolRunner)
#include "tst_ToolRunner.moc"
