// Conversation: the branch tree behind edit-and-resend and regenerate, the active path, and
// removing one message or a whole branch.
#include "TestMessages.h"
#include "conversation/Conversation.h"

#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

class TestConversation : public QObject
{
    Q_OBJECT

private slots:
    void pathFollowsNewMessages();
    void branchesAndSwitching();
    void removeOneKeepsWhatFollows();
    void removeBranchTakesEverythingBelow();
    void historyStartsWithTheSystemPrompt();
    void suggestedTitle();
    void tokensPerSecond();
    void aNewTurnNeverGoesUnderAnUnfinishedOne();
    void actionsFollowTheMessage_data();
    void actionsFollowTheMessage();
    void stepBranchMovesAmongSiblings();
    void textArrivesForStubsOnly();
};

void TestConversation::actionsFollowTheMessage_data()
{
    QTest::addColumn<int>("role");
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("finish");
    QTest::addColumn<QString>("expected"); // e(dit) r(egenerate) t(retry) c(ontinue) d(elete)
    const int user = static_cast<int>(Role::User);
    const int assistant = static_cast<int>(Role::Assistant);
    const auto state = [](MessageState s) { return static_cast<int>(s); };
    QTest::newRow("user") << user << state(MessageState::Complete) << u"hi"_s << QString() << u"ed"_s;
    QTest::newRow("complete") << assistant << state(MessageState::Complete) << u"hello"_s << u"stop"_s
                              << u"rd"_s;
    QTest::newRow("at the limit") << assistant << state(MessageState::Complete) << u"hel"_s << u"length"_s
                                  << u"rcd"_s;
    QTest::newRow("limit, empty") << assistant << state(MessageState::Complete) << QString() << u"length"_s
                                  << u"rd"_s;
    QTest::newRow("cut off") << assistant << state(MessageState::Incomplete) << u"hel"_s << QString()
                             << u"rtcd"_s;
    QTest::newRow("cut off, empty") << assistant << state(MessageState::Incomplete) << QString() << QString()
                                    << u"rtd"_s;
    QTest::newRow("failed") << assistant << state(MessageState::Failed) << QString() << QString() << u"rtd"_s;
    QTest::newRow("streaming") << assistant << state(MessageState::Streaming) << u"hel"_s << QString()
                               << QString();
}

void TestConversation::actionsFollowTheMessage()
{
    QFETCH(int, role);
    QFETCH(int, state);
    QFETCH(QString, content);
    QFETCH(QString, finish);
    QFETCH(QString, expected);
    Message m = message(static_cast<Role>(role), content, 0);
    m.state = static_cast<MessageState>(state);
    m.finishReason = finish;
    const MessageActions a = m.actions();
    QString actual;
    if (a.edit)
        actual += u'e';
    if (a.regenerate)
        actual += u'r';
    if (a.retry)
        actual += u't';
    if (a.continueReply)
        actual += u'c';
    if (a.remove)
        actual += u'd';
    QCOMPARE(actual, expected);
    QCOMPARE(m.canContinue(), a.continueReply);
}

void TestConversation::stepBranchMovesAmongSiblings()
{
    Conversation c;
    const qint64 u1 = c.add(message(Role::User, u"hi"_s, 0));
    const qint64 a1 = c.add(message(Role::Assistant, u"one"_s, u1));
    const qint64 a2 = c.add(message(Role::Assistant, u"two"_s, u1));
    QCOMPARE(c.leaf(), a2);
    QVERIFY(!c.stepBranch(a2, 1)); // none after the last
    QVERIFY(c.stepBranch(a2, -1));
    QCOMPARE(c.leaf(), a1);
    QVERIFY(!c.stepBranch(a1, -1));
    QVERIFY(c.stepBranch(a1, 1));
    QCOMPARE(c.leaf(), a2);
    QVERIFY(!c.stepBranch(u1, 1)); // an only child
}

void TestConversation::pathFollowsNewMessages()
{
    Conversation c;
    const qint64 u1 = c.add(message(Role::User, u"hi"_s, 0));
    const qint64 a1 = c.add(message(Role::Assistant, u"hello"_s, u1));
    const qint64 u2 = c.add(message(Role::User, u"more"_s, a1));
    QCOMPARE(c.path(), (QList<qint64> {u1, a1, u2}));
    QCOMPARE(c.size(), 3);
    QVERIFY(u1 != a1 && a1 != u2);
}

void TestConversation::branchesAndSwitching()
{
    Conversation c;
    const qint64 u1 = c.add(message(Role::User, u"q"_s, 0));
    const qint64 a1 = c.add(message(Role::Assistant, u"first answer"_s, u1));
    const qint64 u2 = c.add(message(Role::User, u"follow-up"_s, a1));
    const qint64 a2 = c.add(message(Role::Assistant, u"second answer"_s, u1)); // regenerate a1
    QCOMPARE(c.siblings(a1), (QList<qint64> {a1, a2}));
    QCOMPARE(c.path(), (QList<qint64> {u1, a2}));
    c.selectBranch(a1); // back to the first branch, down to its newest leaf
    QCOMPARE(c.path(), (QList<qint64> {u1, a1, u2}));
    c.selectBranch(a2);
    QCOMPARE(c.path(), (QList<qint64> {u1, a2}));
    c.selectBranch(999); // unknown: nothing changes
    QCOMPARE(c.path(), (QList<qint64> {u1, a2}));
}

void TestConversation::removeOneKeepsWhatFollows()
{
    Conversation c;
    const qint64 u1 = c.add(message(Role::User, u"a"_s, 0));
    const qint64 a1 = c.add(message(Role::Assistant, u"b"_s, u1));
    const qint64 u2 = c.add(message(Role::User, u"c"_s, a1));
    const qint64 a2 = c.add(message(Role::Assistant, u"d"_s, u2));
    c.removeOne(a1);
    QCOMPARE(c.path(), (QList<qint64> {u1, u2, a2}));
    QCOMPARE(c.message(u2)->parentId, u1);
    QVERIFY(!c.message(a1));
    c.removeOne(u1); // the first message: what followed becomes first
    QCOMPARE(c.path(), (QList<qint64> {u2, a2}));
    QCOMPARE(c.message(u2)->parentId, 0);
    c.removeOne(a2); // the leaf
    QCOMPARE(c.path(), (QList<qint64> {u2}));
}

void TestConversation::removeBranchTakesEverythingBelow()
{
    Conversation c;
    const qint64 u1 = c.add(message(Role::User, u"a"_s, 0));
    const qint64 a1 = c.add(message(Role::Assistant, u"b"_s, u1));
    const qint64 u2 = c.add(message(Role::User, u"c"_s, a1));
    const qint64 a2 = c.add(message(Role::Assistant, u"b2"_s, u1));
    c.selectBranch(a1);
    c.removeBranch(a1);
    QVERIFY(!c.message(a1));
    QVERIFY(!c.message(u2));
    QCOMPARE(c.path(), (QList<qint64> {u1, a2})); // the sibling takes over
    c.removeBranch(a2);
    QCOMPARE(c.path(), (QList<qint64> {u1}));
    QCOMPARE(c.size(), 1);
    // Ids are never reused.
    QVERIFY(c.add(message(Role::Assistant, u"x"_s, u1)) > a2);
}

void TestConversation::historyStartsWithTheSystemPrompt()
{
    Conversation c;
    c.systemPrompt = u"Be brief."_s;
    const qint64 u1 = c.add(message(Role::User, u"a"_s, 0));
    Message reply = message(Role::Assistant, u"b"_s, u1);
    reply.reasoning = u"why"_s;
    const qint64 a1 = c.add(reply);
    c.add(message(Role::User, u"c"_s, a1));
    const QList<ChatMessage> all = c.history();
    QCOMPARE(all.size(), 4);
    QCOMPARE(all[0].role, Role::System);
    QCOMPARE(all[2].reasoningContent, std::optional<QString>(u"why"_s));
    QCOMPARE(c.history(u1).size(), 2);
    c.systemPrompt = u"   "_s;
    QCOMPARE(c.history().constFirst().role, Role::User);
}

void TestConversation::suggestedTitle()
{
    Conversation c;
    QCOMPARE(c.suggestedTitle(), QString());
    c.add(message(Role::User,
                  u"  How do   I parse server-sent events in C++ without copying every chunk twice?"_s, 0));
    const QString title = c.suggestedTitle();
    QVERIFY(title.startsWith(u"How do I parse server-sent events"_s));
    QVERIFY(title.endsWith(u'…'));
    QVERIFY(title.size() <= 49);
}

void TestConversation::tokensPerSecond()
{
    Message m;
    m.role = Role::Assistant;
    m.generationMs = 2000;
    QVERIFY(!m.tokensPerSecond()); // no usage
    m.usage = Usage {};
    m.usage->completionTokens = 100;
    QCOMPARE(m.tokensPerSecond().value_or(0), 50.0);
    m.generationMs = Message::kMinRateMs - 1; // arrived at once: not streamed, or a tiny reply
    QVERIFY(!m.tokensPerSecond());
    m.generationMs = Message::kMinRateMs;
    QCOMPARE(m.tokensPerSecond().value_or(0), 400.0);
    m.usage->completionTokens = 0;
    QVERIFY(!m.tokensPerSecond());
}

void TestConversation::aNewTurnNeverGoesUnderAnUnfinishedOne()
{
    Conversation c;
    QCOMPARE(c.nextTurnParent(), 0);
    const qint64 u1 = c.add(message(Role::User, u"hi"_s, 0));
    QCOMPARE(c.nextTurnParent(), 0); // its reply is not there yet: beside it, not under it
    Message streaming = message(Role::Assistant, u"hel"_s, u1);
    streaming.state = MessageState::Streaming; // another process is writing it
    const qint64 a1 = c.add(streaming);
    QCOMPARE(c.nextTurnParent(), 0);
    c.update(a1, MessageField::State, [](Message &m) { m.state = MessageState::Complete; });
    QCOMPARE(c.nextTurnParent(), a1);
    const qint64 u2 = c.add(message(Role::User, u"more"_s, a1));
    QCOMPARE(c.nextTurnParent(), a1);
    // A reply that ended, even failed and empty, is the user's to write on from.
    Message failed = message(Role::Assistant, QString(), u2);
    failed.state = MessageState::Failed;
    const qint64 a2 = c.add(failed);
    QCOMPARE(c.nextTurnParent(), a2);
}

namespace {

// Hears textLoaded.
struct TextWatcher final : Conversation::Observer
{
    QList<QList<qint64>> loaded;
    void textLoaded(const Conversation &, const QList<qint64> &ids) override { loaded.append(ids); }
};

// Two stubs, as a store hands them over.
void restoreStubs(Conversation &c, qint64 first, qint64 second)
{
    QList<qint64> ids {first, second};
    c.restore(
        2,
        [&](Message *m) {
            if (ids.isEmpty())
                return false;
            m->id = ids.takeFirst();
            m->parentId = m->id == second ? first : 0;
            m->role = m->id == second ? Role::Assistant : Role::User;
            m->textLoaded = false;
            return true;
        },
        0);
}

} // namespace

void TestConversation::textArrivesForStubsOnly()
{
    TextWatcher watcher; // outlives the conversation, which tells it when it goes
    Conversation c;
    c.addObserver(&watcher);
    QList<QList<qint64>> asked;
    c.setTextLoaders(
        [](Conversation &conversation, const QList<qint64> &ids) {
            for (qint64 id : ids)
                conversation.setText(id, [](Message &m) { m.content = u"read now"_s; });
        },
        [&](Conversation &, const QList<qint64> &ids) { asked.append(ids); });
    restoreStubs(c, 1, 2);

    // Asked for once, however often a view asks.
    c.requestText({1, 2});
    c.requestText({1});
    QCOMPARE(asked, (QList<QList<qint64>> {{1, 2}}));
    QVERIFY(c.isTextRequested(1));
    QVERIFY(!c.message(1)->textLoaded);

    // A restore in between: what was read before it is not taken, and the stubs may ask again.
    const quint64 before = c.generation();
    restoreStubs(c, 1, 2);
    QCOMPARE(c.generation(), before + 1);
    QVERIFY(!c.isTextRequested(1));
    const auto fill = [](qint64, Message &m) { m.content = u"read later"_s; };
    c.textArrived(before, {1, 2}, fill);
    QVERIFY(!c.message(1)->textLoaded);
    QVERIFY(watcher.loaded.isEmpty());

    // A message loaded at once meanwhile (and changed since) keeps what it has.
    c.requestText({1, 2});
    c.ensureText({2});
    QCOMPARE(watcher.loaded, (QList<QList<qint64>> {{2}}));
    c.appendContent(2, u" and more"_s);
    c.textArrived(c.generation(), {1, 2}, fill);
    QCOMPARE(c.message(1)->content, u"read later"_s);
    QCOMPARE(c.message(2)->content, u"read now and more"_s);
    QCOMPARE(watcher.loaded, (QList<QList<qint64>> {{2}, {1}}));
    QVERIFY(!c.isTextRequested(1));
    QVERIFY(!c.isTextRequested(2));
}

QTEST_GUILESS_MAIN(TestConversation)
#include "tst_Conversation.moc"
