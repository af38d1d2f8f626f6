// moonpane-cli on the conversation database: `chat --save` (new and continued conversations,
// --history, usage errors, a cut stream and an interrupt both leave an incomplete reply), list,
// export, import (round trip, malformed files), search, a database from a newer Moonpane, and the
// CLI writing while "the app" (a ConversationStore in this process) writes the same file.
#include "CliRunner.h"
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QTimer>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kKey = "fake-cli-store-test-0123456789";

QJsonObject expected(const QString &fixture)
{
    return QJsonDocument::fromJson(fixtureBytes(fixture + u".expected.json"_s)).object();
}

} // namespace

class TestCliStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void saveKeepsTheExchange();
    void saveContinuesAConversation();
    void saveKeepsTheHistoryFile();
    void saveUsageErrors_data();
    void saveUsageErrors();
    void cutStreamIsSavedIncomplete();
    void interruptKeepsThePartialReply();
    void listExportImportSearch();
    void malformedImportImportsNothing();
    void newerDatabaseIsRefused();
    void cliAndAppWriteAtTheSameTime();
    void twoWritersAtOnceNeverStackUserTurns();

private:
    CliResult run(const QStringList &args, const QByteArray &input = {});
    QStringList chat() const { return {u"chat"_s, u"--base-url"_s, m_server->baseUrl().toString()}; }
    QString dbPath() const { return m_env->filePath(u"data/moonpane/moonpane.db"_s); }
    QProcessEnvironment environment() const;
    std::unique_ptr<ConversationStore> openStore(bool followChanges = false);

    std::unique_ptr<TestEnvironment> m_env;
    FakeServer *m_server = nullptr;
};

void TestCliStore::init()
{
    m_env = std::make_unique<TestEnvironment>();
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
}

void TestCliStore::cleanup()
{
    delete m_server;
    m_env.reset();
}

QProcessEnvironment TestCliStore::environment() const
{
    QProcessEnvironment env = m_env->processEnvironment();
    env.insert(u"MOONPANE_API_KEY"_s, QLatin1String(kKey));
    return env;
}

CliResult TestCliStore::run(const QStringList &args, const QByteArray &input)
{
    return runCli(environment(), args, input);
}

std::unique_ptr<ConversationStore> TestCliStore::openStore(bool followChanges)
{
    auto store = std::make_unique<ConversationStore>();
    QString error;
    if (!store->open(dbPath(), &error, followChanges)) {
        qWarning() << error;
        return nullptr;
    }
    return store;
}

void TestCliStore::saveKeepsTheExchange()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult result = run(chat() << u"--save"_s << u"--output"_s << u"json"_s << u"Hello there"_s);
    QCOMPARE(result.exitCode, 0);
    const QJsonObject reply = result.json();
    const QJsonObject wanted = expected(u"kimi_thinking.sse"_s);
    QCOMPARE(reply.value("content"_L1), wanted.value("content"_L1));
    QVERIFY(reply.value("conversation_id"_L1).isString());
    QVERIFY(reply.value("message_id"_L1).isString());

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(store->conversations().size(), 1);
    Conversation *c = store->conversation(reply.value("conversation_id"_L1).toString().toLongLong());
    QVERIFY(c);
    QCOMPARE(c->title, u"Hello there"_s);
    QCOMPARE(c->path().size(), 2);
    QCOMPARE(c->path().constLast(), reply.value("message_id"_L1).toString().toLongLong());
    c->ensureText(c->path());
    const Message *user = c->message(c->path().constFirst());
    QCOMPARE(user->content, u"Hello there"_s);
    const Message *answer = c->message(c->path().constLast());
    QCOMPARE(answer->content, wanted.value("content"_L1).toString());
    QCOMPARE(answer->reasoning, wanted.value("reasoning_content"_L1).toString());
    QCOMPARE(answer->state, MessageState::Complete);
    QCOMPARE(answer->finishReason, u"stop"_s);
    QVERIFY(answer->usage);
    QVERIFY(answer->firstTokenMs >= 0);
    // The key is not in the database.
    QFile file(dbPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(kKey));
}

void TestCliStore::saveContinuesAConversation()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult first = run(chat() << u"--save"_s << u"--output"_s << u"json"_s << u"Hello there"_s);
    QCOMPARE(first.exitCode, 0);
    const QString id = first.json().value("conversation_id"_L1).toString();

    // Text output, continuing it, with a system prompt from now on.
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult second = run(chat() << u"--save"_s << u"--conversation"_s << id << u"--system"_s
                                        << u"Be terse."_s << u"And then?"_s);
    QCOMPARE(second.exitCode, 0);
    QCOMPARE(QString::fromUtf8(second.out),
             expected(u"kimi_thinking.sse"_s).value("content"_L1).toString() + u'\n');
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 4);
    QCOMPARE(sent.at(0).toObject().value("content"_L1).toString(), u"Be terse."_s);
    QCOMPARE(sent.at(1).toObject().value("content"_L1).toString(), u"Hello there"_s);
    QCOMPARE(sent.at(2).toObject().value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), u"And then?"_s);

    auto store = openStore();
    QCOMPARE(store->conversations().size(), 1);
    Conversation *c = store->conversation(id.toLongLong());
    QCOMPARE(c->path().size(), 4);
    QCOMPARE(c->systemPrompt, u"Be terse."_s);
    QCOMPARE(c->title, u"Hello there"_s); // kept
}

void TestCliStore::saveKeepsTheHistoryFile()
{
    const QString history = m_env->writeFile(
        u"history.json"_s,
        R"([{"role":"user","content":"Name a colour"},{"role":"assistant","content":"Teal"}])");
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const CliResult result = run(chat() << u"--save"_s << u"--history"_s << history << u"Another?"_s);
    QCOMPARE(result.exitCode, 0);
    auto store = openStore();
    Conversation *c = store->conversation(store->conversations().constFirst()->id);
    QCOMPARE(c->path().size(), 4);
    c->ensureText(c->path());
    QCOMPARE(c->message(c->path().at(1))->content, u"Teal"_s);
    QCOMPARE(c->title, u"Name a colour"_s);
}

void TestCliStore::saveUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("complaint");
    QTest::newRow("conversation without save")
        << QStringList {u"--conversation"_s, u"123"_s, u"hi"_s} << 2 << u"add --save"_s;
    QTest::newRow("not an id") << QStringList {u"--save"_s, u"--conversation"_s, u"abc"_s, u"hi"_s} << 2
                               << u"needs a conversation id"_s;
    QTest::newRow("unknown conversation") << QStringList {u"--save"_s, u"--conversation"_s, u"123"_s, u"hi"_s}
                                          << 2 << u"there is no conversation 123"_s;
    QTest::newRow("history and conversation")
        << QStringList {u"--save"_s, u"--conversation"_s, u"12"_s, u"--history"_s, u"h.json"_s, u"hi"_s} << 2
        << u"use one of them"_s;
    QTest::newRow("dry run") << QStringList {u"--save"_s, u"--dry-run"_s, u"hi"_s} << 2
                             << u"leave out --save"_s;
}

void TestCliStore::saveUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, complaint);
    const CliResult result = run(chat() + arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(complaint.toUtf8()), result.err.constData());
    QVERIFY(m_server->requests().isEmpty());
    if (QFile::exists(dbPath())) {
        auto store = openStore();
        QCOMPARE(store->conversations().size(), 0);
    }
}

void TestCliStore::cutStreamIsSavedIncomplete()
{
    FakeResponse response = FakeResponse::counting(200);
    response.dropAfterBytes = response.body.size() / 2;
    m_server->enqueue(response);
    const CliResult result = run(chat() << u"--save"_s << u"--output"_s << u"json"_s << u"Count"_s);
    QCOMPARE(result.exitCode, 4);
    QVERIFY2(result.err.contains("saved as an incomplete reply"), result.err.constData());
    const QJsonObject reply = result.json();
    QCOMPARE(reply.value("incomplete"_L1), QJsonValue(true));
    auto store = openStore();
    Conversation *c = store->conversation(reply.value("conversation_id"_L1).toString().toLongLong());
    c->ensureText(c->path());
    const Message *saved = c->message(reply.value("message_id"_L1).toString().toLongLong());
    QCOMPARE(saved->state, MessageState::Incomplete);
    QVERIFY(saved->content.startsWith(u"w0 w1 w2 "_s));
    QCOMPARE(saved->content, reply.value("content"_L1).toString());
    QVERIFY(!saved->content.contains(u"w199"_s));
}

void TestCliStore::interruptKeepsThePartialReply()
{
    FakeResponse response = FakeResponse::counting(2000);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 64;
    response.dripIntervalMs = 5;
    m_server->enqueue(response);
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(cliPath(), chat() << u"--save"_s << u"Count slowly"_s);
    QVERIFY(process.waitForStarted());
    process.closeWriteChannel();
    // Some text has arrived (and been printed) before the interrupt.
    QVERIFY(QTest::qWaitFor([&] { return m_server->bodyBytesWritten() > 4000; }, 30000));
    process.terminate(); // SIGTERM
    QSignalSpy finished(&process, &QProcess::finished);
    QVERIFY(finished.wait(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    QVERIFY(process.readAllStandardError().contains("interrupted."));
    QVERIFY(m_server->bodyBytesWritten() < response.body.size());

    auto store = openStore();
    Conversation *c = store->conversation(store->conversations().constFirst()->id);
    c->ensureText(c->path());
    const Message *saved = c->message(c->path().constLast());
    QCOMPARE(saved->state, MessageState::Incomplete);
    QVERIFY(saved->content.startsWith(u"w0 w1 "_s));
    QVERIFY(!saved->content.contains(u"w1999"_s));
}

void TestCliStore::listExportImportSearch()
{
    for (const QString &prompt : {u"Apples and pears"_s, u"Bananas"_s}) {
        m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
        QCOMPARE(run(chat() << u"--save"_s << prompt).exitCode, 0);
    }
    // list: newest first.
    const CliResult list = run({u"list"_s, u"--output"_s, u"json"_s});
    QCOMPARE(list.exitCode, 0);
    const QList<QJsonObject> rows = list.jsonLines();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).value("title"_L1).toString(), u"Bananas"_s);
    QCOMPARE(rows.at(1).value("title"_L1).toString(), u"Apples and pears"_s);
    QCOMPARE(rows.at(0).value("messages"_L1).toInt(), 2);
    const QString bananas = rows.at(0).value("id"_L1).toString();
    const CliResult table = run({u"list"_s});
    QVERIFY(table.out.contains("Bananas") && table.out.contains(bananas.toUtf8()));

    // export one: Markdown by default, or the wire messages.
    const CliResult md = run({u"export"_s, bananas});
    QCOMPARE(md.exitCode, 0);
    QVERIFY(md.out.startsWith("# Bananas\n"));
    QVERIFY(md.out.contains("<details>\n<summary>Thinking"));
    const CliResult json = run({u"export"_s, bananas, u"--format"_s, u"json"_s});
    const QJsonArray messages = QJsonDocument::fromJson(json.out).array();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value("content"_L1).toString(), u"Bananas"_s);

    // export everything, import it elsewhere: the same export comes back.
    const QString file = m_env->filePath(u"all.jsonl"_s);
    QCOMPARE(run({u"export"_s, u"--all"_s, u"--output"_s, file}).exitCode, 0);
    QFile exported(file);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QByteArray all = exported.readAll();
    QCOMPARE(all.count('\n'), 2);
    QProcessEnvironment elsewhere = environment();
    elsewhere.insert(u"XDG_DATA_HOME"_s, m_env->filePath(u"elsewhere"_s));
    const CliResult imported = runCli(elsewhere, {u"import"_s, file});
    QCOMPARE(imported.exitCode, 0);
    QCOMPARE(imported.out, QByteArray("Imported 2 conversations.\n"));
    QCOMPARE(runCli(elsewhere, {u"export"_s, u"--all"_s}).out, all);
    // From standard input too.
    QProcessEnvironment third = environment();
    third.insert(u"XDG_DATA_HOME"_s, m_env->filePath(u"third"_s));
    QCOMPARE(runCli(third, {u"import"_s, u"-"_s}, all).exitCode, 0);
    QCOMPARE(runCli(third, {u"list"_s, u"--output"_s, u"json"_s}).jsonLines().size(), 2);

    // search: JSON lines, highlights in code points of the snippet.
    const QList<QJsonObject> hits = run({u"search"_s, u"bananas"_s}).jsonLines();
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.at(0).value("conversation_id"_L1).toString(), bananas);
    QCOMPARE(hits.at(0).value("role"_L1).toString(), u"user"_s);
    QCOMPARE(hits.at(0).value("snippet"_L1).toString(), u"Bananas"_s);
    QCOMPARE(hits.at(0).value("highlights"_L1).toArray(), (QJsonArray {QJsonArray {0, 7}}));
    QCOMPARE(run({u"search"_s, u"greets"_s}).jsonLines().size(), 0); // only in the thinking
    const QList<QJsonObject> thinking = run({u"search"_s, u"--reasoning"_s, u"greets"_s}).jsonLines();
    QCOMPARE(thinking.size(), 2);
    QVERIFY(thinking.at(0).value("in_reasoning"_L1).toBool());
    QCOMPARE(run({u"search"_s, u"--limit"_s, u"1"_s, u"--reasoning"_s, u"greets"_s}).jsonLines().size(), 1);
    // Highlights count code points: an emoji before the match is one, not two UTF-16 units.
    QProcessEnvironment emoji = environment();
    emoji.insert(u"XDG_DATA_HOME"_s, m_env->filePath(u"emoji"_s));
    const QByteArray line = R"({"id":"5","title":"Emoji","created_at":"2026-01-01T00:00:00Z",)"
                            R"("updated_at":"2026-01-01T00:00:00Z","messages":[{"role":"user",)"
                            R"("content":"🍌🍌 ripe bananas","id":"7","state":"complete",)"
                            R"("created_at":"2026-01-01T00:00:00Z"}]})";
    QCOMPARE(runCli(emoji, {u"import"_s, u"-"_s}, line + '\n').exitCode, 0);
    const QList<QJsonObject> ripe = runCli(emoji, {u"search"_s, u"bananas"_s}).jsonLines();
    QCOMPARE(ripe.size(), 1);
    QCOMPARE(ripe.at(0).value("snippet"_L1).toString(), u"🍌🍌 ripe bananas"_s);
    QCOMPARE(ripe.at(0).value("highlights"_L1).toArray(), (QJsonArray {QJsonArray {8, 15}}));

    // Usage errors.
    QCOMPARE(run({u"export"_s}).exitCode, 2);
    QCOMPARE(run({u"export"_s, u"--all"_s, u"--format"_s, u"md"_s}).exitCode, 2);
    const CliResult missing = run({u"export"_s, u"999"_s});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("there is no conversation 999"));
    // Each says what was wrong.
    const auto refused = [this](const QStringList &arguments, const QByteArray &says) {
        const CliResult result = run(arguments);
        return result.exitCode == 2 && result.out.isEmpty()
            && result.err.startsWith(QByteArray("error: ").append(says));
    };
    QVERIFY(refused({u"export"_s}, "give one conversation ID, or --all"));
    QVERIFY(refused({u"export"_s, u"abc"_s}, "\"abc\" is not a conversation id"));
    QVERIFY(refused({u"export"_s, bananas, u"--format"_s, u"pdf"_s}, "--format takes md, json or jsonl"));
    QVERIFY(refused({u"search"_s}, "give the words to search for"));
    QVERIFY(refused({u"search"_s, u"x"_s, u"--limit"_s, u"0"_s}, "--limit needs a positive number"));
    QVERIFY(refused({u"import"_s}, "give the file to import"));
    QVERIFY(refused({u"import"_s, u"/nonexistent/all.jsonl"_s}, "cannot read /nonexistent/all.jsonl"));
    QVERIFY(refused({u"list"_s, u"--output"_s, u"xml"_s}, "--output takes text or json"));
    QVERIFY(run({u"list"_s, u"--help"_s}).out.contains("--output"));
}

void TestCliStore::malformedImportImportsNothing()
{
    const QString file =
        m_env->writeFile(u"bad.jsonl"_s, R"({"title":"fine","messages":[{"role":"user","content":"hi"}]}
{"title":"broken","messages":[{"role":"user","content":"hi"}
)");
    const CliResult result = run({u"import"_s, file});
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains("line 2: not JSON") && result.err.contains("nothing was imported"),
             result.err.constData());
    QCOMPARE(run({u"list"_s, u"--output"_s, u"json"_s}).out, QByteArray());
}

void TestCliStore::newerDatabaseIsRefused()
{
    {
        QString error;
        QSqlDatabase db = Database::open(dbPath(), u"newer"_s, &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QSqlQuery(db).exec(u"PRAGMA user_version = 42"_s);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"newer"_s);
    for (const QStringList &args : {QStringList {u"list"_s}, chat() << u"--save"_s << u"hi"_s}) {
        const CliResult result = run(args);
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains("newer version of Moonpane"), result.err.constData());
    }
    QVERIFY(m_server->requests().isEmpty());
}

// "The app" (a store in this process, following changes) keeps writing while the CLI saves
// exchanges: every write lands, each sees the other's conversations, the file stays sound.
void TestCliStore::cliAndAppWriteAtTheSameTime()
{
    auto app = openStore(true);
    QVERIFY(app);
    QSignalSpy failed(app.get(), &ConversationStore::storageFailed);
    Conversation *busy = app->create();
    qint64 parent = 0;
    int written = 0;
    QTimer writer;
    writer.setInterval(2);
    connect(&writer, &QTimer::timeout, this, [&] {
        Message m;
        m.role = written % 2 ? Role::Assistant : Role::User;
        m.content = u"app message %1"_s.arg(written++);
        m.parentId = parent;
        parent = busy->add(m);
    });
    writer.start();
    QList<qint64> cliConversations;
    for (int i = 0; i < 5; ++i) {
        FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
        response.delivery = FakeResponse::Delivery::RandomSplits;
        response.seed = static_cast<quint32>(i + 1);
        m_server->enqueue(response);
        const CliResult result =
            run(chat() << u"--save"_s << u"--output"_s << u"json"_s << u"From the CLI %1"_s.arg(i));
        QCOMPARE(result.exitCode, 0);
        cliConversations.append(result.json().value("conversation_id"_L1).toString().toLongLong());
    }
    writer.stop();
    app->flush();
    QCOMPARE(failed.count(), 0);
    for (qint64 id : std::as_const(cliConversations))
        QTRY_VERIFY(app->find(id));
    QTRY_COMPARE(app->find(cliConversations.constLast())->title, u"From the CLI 4"_s);

    const CliResult list = run({u"list"_s, u"--output"_s, u"json"_s});
    QCOMPARE(list.jsonLines().size(), 6);
    bool found = false;
    for (const QJsonObject &row : list.jsonLines()) {
        if (row.value("id"_L1).toString().toLongLong() == busy->id) {
            QCOMPARE(row.value("messages"_L1).toInt(), written);
            found = true;
        }
    }
    QVERIFY(found);
    QVERIFY(written > 10);
    QString error;
    QSqlDatabase raw = Database::open(dbPath(), u"check"_s, &error);
    QCOMPARE(Database::integrityCheck(raw), u"ok"_s);
    raw.close();
    raw = {};
    QSqlDatabase::removeDatabase(u"check"_s);
}

void TestCliStore::twoWritersAtOnceNeverStackUserTurns()
{
    // A conversation with one finished exchange.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    const CliResult first = run(chat() << u"--save"_s << u"--output"_s << u"json"_s << u"Start"_s);
    QCOMPARE(first.exitCode, 0);
    const QString id = first.json().value("conversation_id"_L1).toString();

    // Writer A is in the middle of its turn: its question is saved, its reply streams (held
    // by the server before its first word).
    FakeResponse held = FakeResponse::fixture(u"no_done.sse"_s);
    held.pauseAfterBytes = 1;
    m_server->enqueue(held);
    QProcess a;
    a.setProcessEnvironment(environment());
    a.start(cliPath(), chat() << u"--save"_s << u"--conversation"_s << id << u"From A"_s);
    QVERIFY(a.waitForStarted());
    a.closeWriteChannel();
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(paused.wait(30000));
    QVERIFY(QTest::qWaitFor(
        [&] {
            auto store = openStore();
            Conversation *c = store->conversation(id.toLongLong());
            return c && c->size() == 4 && c->message(c->leaf())->state == MessageState::Streaming;
        },
        30000));

    // Writer B sends meanwhile: not under A's question, whose reply is not written yet.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    const CliResult b = run(chat() << u"--save"_s << u"--conversation"_s << id << u"From B"_s);
    QCOMPARE(b.exitCode, 0);
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QStringList roles;
    for (const QJsonValue &m : sent)
        roles.append(m.toObject().value("role"_L1).toString());
    QCOMPARE(roles, (QStringList {u"user"_s, u"assistant"_s, u"user"_s}));
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"From B"_s);

    m_server->resume();
    QSignalSpy finished(&a, &QProcess::finished);
    QVERIFY(a.state() == QProcess::NotRunning || finished.wait(30000));
    QCOMPARE(a.exitCode(), 0);

    // Both exchanges are kept, as two branches after the first reply; no user message has a
    // user message for parent.
    auto store = openStore();
    Conversation *c = store->conversation(id.toLongLong());
    c->ensureText(c->messageIds());
    QCOMPARE(c->size(), 6);
    for (qint64 messageId : c->messageIds()) {
        const Message *m = c->message(messageId);
        const Message *parent = m->parentId ? c->message(m->parentId) : nullptr;
        QVERIFY2(!parent || parent->role != m->role, qPrintable(m->content));
    }
    const qint64 firstReply = c->path().at(1);
    QCOMPARE(c->siblings(c->path().at(2)).size(), 2);
    QCOMPARE(c->message(c->path().at(2))->parentId, firstReply);
}

QTEST_GUILESS_MAIN(TestCliStore)
#include "tst_CliStore.moc"
