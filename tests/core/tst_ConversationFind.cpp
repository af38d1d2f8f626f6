// ConversationFind (the find bar's matches): reading order with the thinking first, case
// folding, matches that follow new messages, streamed text and branch switches while the current
// one is kept; and on a stored conversation, text that arrives from the store's reader thread
// while the UI thread runs no query.
#include "TestMessages.h"
#include "conversation/ConversationFind.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;
using Area = ConversationFind::Area;
using Match = ConversationFind::Match;

class TestConversationFind : public QObject
{
    Q_OBJECT

private slots:
    void findsInReadingOrder();
    void followsTheConversation();
    void storedTextArrivesInTheBackground();
};

void TestConversationFind::findsInReadingOrder()
{
    Conversation c;
    const qint64 u = c.add(message(Role::User, u"Where is the NEEDLE?"_s));
    Message reply = message(Role::Assistant, u"The needle is here, and a needle there."_s, u);
    reply.reasoning = u"Look for the needle first."_s;
    reply.hasReasoning = true;
    const qint64 a = c.add(reply);
    ConversationFind find;
    find.setConversation(&c);
    find.setTerm(u"needle"_s, false);
    QVERIFY(find.isComplete());
    QCOMPARE(find.matches(),
             (QList<Match> {{u, Area::Content, 0}, {a, Area::Content, 0}, {a, Area::Content, 1}}));
    QCOMPARE(find.current(), -1); // the caller chooses where to start
    find.setTerm(u"needle"_s, true);
    QCOMPARE(
        find.matches(),
        (QList<Match> {
            {u, Area::Content, 0}, {a, Area::Reasoning, 0}, {a, Area::Content, 0}, {a, Area::Content, 1}}));
    QCOMPARE(find.indexOf(a, Area::Content), 2);
    QCOMPARE(find.firstFrom(1), 1);
    find.setCurrent(3);
    find.step(1); // wraps around
    QCOMPARE(find.current(), 0);
    find.step(-1);
    QCOMPARE(find.current(), 3);
    find.setTerm(u"haystack"_s, true);
    QVERIFY(find.matches().isEmpty());
    QCOMPARE(find.current(), -1);
    find.setTerm(QString(), true);
    QVERIFY(find.matches().isEmpty());
}

void TestConversationFind::followsTheConversation()
{
    Conversation c;
    const qint64 u = c.add(message(Role::User, u"one needle"_s));
    ConversationFind find;
    QSignalSpy changed(&find, &ConversationFind::changed);
    find.setConversation(&c);
    find.setTerm(u"needle"_s, false);
    find.setCurrent(0);
    QCOMPARE(find.matches().size(), 1);

    // A reply streams in: counted again a few times a second, not per delta; the current match stays.
    Message streaming = message(Role::Assistant, QString(), u);
    streaming.state = MessageState::Streaming;
    const qint64 a = c.add(streaming);
    changed.clear();
    c.appendContent(a, u"a needle, "_s);
    c.appendContent(a, u"another needle"_s);
    QVERIFY(changed.isEmpty());
    QVERIFY(changed.wait(5000));
    QCOMPARE(find.matches().size(), 3);
    QCOMPARE(find.current(), 0);
    QCOMPARE(find.matches().at(find.current()).messageId, u);

    // Another branch: its matches, not the old one's.
    const qint64 other = c.add(message(Role::Assistant, u"no match here"_s, u));
    QCOMPARE(c.path().constLast(), other);
    QCOMPARE(find.matches().size(), 1);
    c.selectBranch(a);
    QCOMPARE(find.matches().size(), 3);
    c.removeBranch(a);
    QCOMPARE(find.matches(), (QList<Match> {{u, Area::Content, 0}}));
}

void TestConversationFind::storedTextArrivesInTheBackground()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"moonpane.db"_s);
    qint64 id = 0;
    QList<qint64> withNeedle;
    {
        ConversationStore store;
        QString error;
        QVERIFY2(store.open(path, &error, false), qPrintable(error));
        Conversation *c = store.create();
        id = c->id;
        qint64 parent = 0;
        for (int i = 0; i < 500; ++i) {
            parent = c->add(message(i % 2 ? Role::Assistant : Role::User,
                                    i % 50 == 7 ? u"a needle in %1"_s.arg(i) : u"hay %1"_s.arg(i), parent));
            if (i % 50 == 7)
                withNeedle.append(parent);
        }
    }
    ConversationStore store;
    QString error;
    QVERIFY2(store.open(path, &error, false), qPrintable(error));
    Conversation *c = store.conversation(id);
    QVERIFY(c && !c->message(c->leaf())->textLoaded);
    ConversationFind find;
    QSignalSpy changed(&find, &ConversationFind::changed);
    const quint64 statements = Database::statementsOnThisThread();
    find.setConversation(c);
    find.setTerm(u"needle"_s, true);
    QVERIFY(!find.isComplete());
    QVERIFY(find.matches().isEmpty());
    while (!find.isComplete())
        QVERIFY(changed.wait(10'000));
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QCOMPARE(find.matches().size(), withNeedle.size());
    for (qsizetype i = 0; i < withNeedle.size(); ++i)
        QCOMPARE(find.matches().at(i).messageId, withNeedle.at(i));
}

QTEST_MAIN(TestConversationFind)
#include "tst_ConversationFind.moc"
