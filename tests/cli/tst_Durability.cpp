// Crash safety of a streaming reply, with real processes: 50 times, `moonpane-cli chat --save`
// streams a long reply dripped by the fake server and is killed with SIGKILL at a random moment.
// After each kill the database is reopened and must pass PRAGMA integrity_check; the saved reply
// must be a prefix of what was streamed, hold at least everything the server had sent 250 ms
// before the kill, and show as incomplete (its process is gone).
//
// The moments come from a fixed seed, so the suite cannot flake; MOONPANE_TEST_SEED=N runs with
// seed N and MOONPANE_TEST_SEED=random with a new one (printed, so that it can be replayed).
#include "CliRunner.h"
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRuns = 50;
constexpr auto kMaxLag = std::chrono::milliseconds(250);

// A reply of reasoning then content, and where each event ends in the body, so that what a
// client had after any number of body bytes is known exactly.
struct Stream
{
    QByteArray body;
    struct Event
    {
        qint64 end;
        QString reasoning;
        QString content;
    };
    QList<Event> events;

    void add(const QString &field, const QString &text)
    {
        const QJsonObject chunk {
            {u"choices"_s,
             QJsonArray {QJsonObject {{u"index"_s, 0}, {u"delta"_s, QJsonObject {{field, text}}}}}}};
        body += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
        events.append({body.size(), field == "reasoning_content"_L1 ? text : QString(),
                       field == "content"_L1 ? text : QString()});
    }
    // What a client has once `bytes` of the body arrived.
    std::pair<QString, QString> by(qint64 bytes) const
    {
        QString reasoning;
        QString content;
        for (const Event &e : events) {
            if (e.end > bytes)
                break;
            reasoning += e.reasoning;
            content += e.content;
        }
        return {reasoning, content};
    }
};

Stream makeStream()
{
    Stream s;
    for (int i = 0; i < 40; ++i)
        s.add(u"reasoning_content"_s, u"think %1, "_s.arg(i));
    for (int i = 0; i < 250; ++i)
        s.add(u"content"_s, u"word%1 "_s.arg(i));
    s.body +=
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    return s;
}

// Body bytes the server had written by `moment`.
qint64 writtenBy(const FakeServer::WriteLog &log, Clock::time_point moment)
{
    qint64 bytes = 0;
    for (const auto &[at, total] : log) {
        if (at > moment)
            break;
        bytes = total;
    }
    return bytes;
}

} // namespace

class TestDurability : public QObject
{
    Q_OBJECT

private slots:
    void killedWhileStreamingLosesAtMostAQuarterSecond();
};

void TestDurability::killedWhileStreamingLosesAtMostAQuarterSecond()
{
    TestEnvironment env;
    FakeServer server;
    QVERIFY(server.listen());
    const Stream stream = makeStream();
    const auto [fullReasoning, fullContent] = stream.by(stream.body.size());
    constexpr quint32 kSeed = 20261202;
    const QByteArray asked = qgetenv("MOONPANE_TEST_SEED");
    const quint32 seed = asked.isEmpty() ? kSeed
        : asked == "random"              ? QRandomGenerator::system()->generate()
                                         : asked.toUInt();
    qInfo("seed %u (MOONPANE_TEST_SEED=%u replays this run)", seed, seed);
    QRandomGenerator random(seed);
    QProcessEnvironment environment = env.processEnvironment();
    environment.insert(u"MOONPANE_API_KEY"_s, u"fake-durability"_s);
    const QString dbPath = env.filePath(u"data/moonpane/moonpane.db"_s);

    qint64 worstLagMs = 0;
    int saved = 0;
    for (int run = 0; run < kRuns; ++run) {
        FakeResponse response = FakeResponse::sse(stream.body);
        response.delivery = FakeResponse::Delivery::Drip;
        response.dripBytes = 96;
        response.dripIntervalMs = 4; // the whole reply takes about a second
        if (server.pending() == 0) // a run killed before it asked leaves its answer for the next
            server.enqueue(response);
        const qsizetype requestsBefore = server.requests().size();
        const QString title = u"Run %1"_s.arg(run);
        QProcess cli;
        cli.setProcessEnvironment(environment);
        cli.start(cliPath(), {u"chat"_s, u"--base-url"_s, server.baseUrl().toString(), u"--save"_s, title});
        QVERIFY(cli.waitForStarted());
        cli.closeWriteChannel();
        // A moment anywhere: at once (before the request), at a random byte of the stream, or
        // after the whole reply (the CLI has exited by itself).
        const qint64 target = random.bounded(-2000, static_cast<int>(stream.body.size()) + 2000);
        QSignalSpy finished(&cli, &QProcess::finished);
        if (target >= stream.body.size())
            QVERIFY(finished.wait(30000));
        else if (target >= 0)
            QVERIFY(QTest::qWaitFor(
                [&] {
                    return server.requests().size() > requestsBefore && server.bodyBytesWritten() >= target;
                },
                30000));
        const Clock::time_point killedAt = Clock::now();
        const bool ranToTheEnd = cli.state() == QProcess::NotRunning;
        cli.kill(); // SIGKILL: no handler, no flush
        QVERIFY(finished.count() > 0 || finished.wait(10000));
        const FakeServer::WriteLog log =
            server.requests().size() > requestsBefore ? server.writeLog() : FakeServer::WriteLog();

        // What the server had sent 250 ms before the kill must be on disk.
        const auto [mustReasoning, mustContent] = stream.by(writtenBy(log, killedAt - kMaxLag));
        ConversationStore store;
        QString error;
        QVERIFY2(store.open(dbPath, &error, false), qPrintable(error));
        {
            QSqlDatabase raw = Database::open(dbPath, u"integrity"_s, &error);
            QCOMPARE(Database::integrityCheck(raw), u"ok"_s);
        }
        QSqlDatabase::removeDatabase(u"integrity"_s);
        Conversation *c = nullptr;
        for (Conversation *each : store.conversations()) {
            if (each->title == title)
                c = store.conversation(each->id);
        }
        if (!c || c->path().size() < 2) {
            // Killed before the reply was first written: nothing had arrived a quarter second before.
            QVERIFY2(mustContent.isEmpty() && mustReasoning.isEmpty(),
                     qPrintable(u"run %1: the reply is missing"_s.arg(run)));
            continue;
        }
        ++saved;
        c->ensureText(c->path());
        const Message *reply = c->message(c->path().constLast());
        const QString why = u"run %1 (seed %2, target %3 bytes)"_s.arg(run).arg(seed).arg(target);
        QVERIFY2(fullContent.startsWith(reply->content), qPrintable(why));
        QVERIFY2(fullReasoning.startsWith(reply->reasoning), qPrintable(why));
        QVERIFY2(reply->content.startsWith(mustContent),
                 qPrintable(why
                            + u": saved %1 characters, %2 were sent 250 ms before the kill"_s
                                  .arg(reply->content.size())
                                  .arg(mustContent.size())));
        QVERIFY2(reply->reasoning.startsWith(mustReasoning), qPrintable(why));
        if (reply->state == MessageState::Complete)
            QVERIFY2(reply->content == fullContent, qPrintable(why));
        else
            QVERIFY2(reply->state == MessageState::Incomplete,
                     qPrintable(why + u": the reply is not incomplete"_s));
        QVERIFY2(!ranToTheEnd || reply->state == MessageState::Complete, qPrintable(why));
        // How far behind it was: from the first write that brought more than was saved, to the kill.
        for (const auto &[at, total] : log) {
            const auto [r, text] = stream.by(total);
            if (text.size() > reply->content.size() || r.size() > reply->reasoning.size()) {
                if (at < killedAt)
                    worstLagMs = std::max<qint64>(
                        worstLagMs,
                        std::chrono::duration_cast<std::chrono::milliseconds>(killedAt - at).count());
                break;
            }
        }
    }
    qInfo("%d of %d kills left a saved reply; the most any lagged behind the stream was %lld ms", saved,
          kRuns, static_cast<long long>(worstLagMs));
    QVERIFY(saved > kRuns / 2);
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_Durability.moc"
