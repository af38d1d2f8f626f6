// The thinking inspector: ThinkingTurn over hand-built conversations (rounds, tool steps, the
// answer; reported tokens against estimates; a turn's bounds; Preserved Thinking's cost) and
// over a real multi-round tool turn streamed from the fake server through ChatSession; the
// steps model under QAbstractItemModelTester; the tab's figures, clicks, Markdown copy and export.
#include "Dialogs.h"
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "TestMessages.h"
#include "ThinkingInspector.h"
#include "ToolStreams.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"
#include "conversation/TextDiff.h"
#include "conversation/ThinkingModel.h"
#include "conversation/ThinkingTurn.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

using Kind = ThinkingSegment::Kind;

namespace {

Usage usage(qint64 completion, std::optional<qint64> reasoning)
{
    Usage u;
    u.promptTokens = 10;
    u.completionTokens = completion;
    u.totalTokens = completion + 10;
    u.reasoningTokens = reasoning;
    return u;
}

// A conversation with a session talking to the fake server on loopback, and the tab following it.
struct Live
{
    FakeServer server;
    ChatClient client;
    Conversation conversation;
    ChatSession session {&client, &conversation};
    ChatParameters parameters;
    ThinkingInspector inspector;

    bool start(ThinkingMode thinking)
    {
        if (!server.listen())
            return false;
        Endpoint endpoint;
        endpoint.baseUrl = server.baseUrl();
        client.setEndpoint(endpoint);
        parameters.model = u"kimi-k2.6"_s;
        parameters.thinking = thinking;
        session.setDefaults(parameters);
        inspector.setSession(&session);
        inspector.resize(600, 500);
        inspector.show();
        return QTest::qWaitForWindowExposed(&inspector);
    }
};

} // namespace

class TestThinkingInspector : public QObject
{
    Q_OBJECT

private slots:
    void aTurnIsItsRoundsToolStepsAndAnswer();
    void preservedThinkingCountsWhatGoesBack();
    void theModelFollowsATurn();
    void aStreamedToolTurnReadsAsOneStory();
    void diffsMarkWhatChanged();
    void twoBranchesSideBySide();

private:
    // user → reasoning + two calls → two results → reasoning + answer → user → answer
    void buildTwoTurns(Conversation *conversation);
    qint64 m_user1 = 0, m_reply1 = 0, m_result1 = 0, m_result2 = 0, m_reply2 = 0, m_user2 = 0, m_reply3 = 0;
};

void TestThinkingInspector::buildTwoTurns(Conversation *c)
{
    m_user1 = c->add(message(Role::User, u"Weather in two cities?"_s));
    Message calls = message(Role::Assistant, u"\n"_s, m_user1); // a stray blank beside the calls: no answer
    calls.reasoning = u"I need the weather for both."_s; // 28 characters
    calls.hasReasoning = true;
    calls.thinkingMs = 2000;
    calls.generationMs = 2500;
    calls.usage = usage(60, 40); // the server counted 40 reasoning tokens
    calls.toolCalls = {
        {u"functions.get_weather:0"_s, u"function"_s, u"get_weather"_s, u"{\"city\":\"Oslo\"}"_s},
        {u"functions.get_weather:1"_s, u"function"_s, u"get_weather"_s, u"{\"city\":\"Rome\"}"_s}};
    m_reply1 = c->add(calls);
    Message result = message(Role::Tool, u"sunny"_s, m_reply1);
    result.name = u"get_weather"_s;
    result.toolCallId = u"functions.get_weather:0"_s;
    m_result1 = c->add(result);
    result.content = u"rain"_s;
    result.toolCallId = u"functions.get_weather:1"_s;
    result.parentId = m_result1;
    m_result2 = c->add(result);
    Message answer = message(Role::Assistant, u"Oslo is sunny; Rome has rain."_s, m_result2); // 29 characters
    answer.reasoning = QString(400, u'r'); // no count from the server: ≈100 tokens
    answer.hasReasoning = true;
    answer.thinkingMs = 1000;
    answer.generationMs = 1500;
    m_reply2 = c->add(answer);
    m_user2 = c->add(message(Role::User, u"Thanks"_s, m_reply2));
    m_reply3 = c->add(message(Role::Assistant, u"You're welcome."_s, m_user2));
}

void TestThinkingInspector::aTurnIsItsRoundsToolStepsAndAnswer()
{
    Conversation c;
    buildTwoTurns(&c);
    QCOMPARE(ThinkingTurn::turnStarts(c), (QList<qint64> {m_user1, m_user2}));

    // Any message of the turn gives the turn.
    for (const qint64 id : {m_user1, m_reply1, m_result2, m_reply2}) {
        const ThinkingTurn turn = ThinkingTurn::of(c, id);
        QCOMPARE(turn.userId, m_user1);
        QCOMPARE(turn.rounds, 2);
        QList<Kind> kinds;
        for (const ThinkingSegment &segment : turn.segments)
            kinds.append(segment.kind);
        QCOMPARE(kinds,
                 (QList<Kind> {Kind::Reasoning, Kind::ToolCall, Kind::ToolCall, Kind::ToolResult,
                               Kind::ToolResult, Kind::Reasoning, Kind::Answer}));
    }
    const ThinkingTurn turn = ThinkingTurn::of(c, m_reply2);
    // Reported where the server counted, estimated where it did not.
    QCOMPARE(turn.segments.at(0).tokens, 40);
    QVERIFY(!turn.segments.at(0).estimated);
    QCOMPARE(turn.segments.at(5).tokens, 100);
    QVERIFY(turn.segments.at(5).estimated);
    QCOMPARE(turn.reasoningTokens, 140);
    QVERIFY(turn.reasoningEstimated);
    QCOMPARE(turn.thinkingMs, 3000);
    QCOMPARE(turn.answeringMs, 500); // generation less thinking, for the round that answered
    QCOMPARE(turn.segments.at(6).tokens, 7); // 29 characters, estimated
    QVERIFY(turn.answerEstimated);
    QCOMPARE(turn.segments.at(1).label, u"get_weather"_s);
    QCOMPARE(turn.segments.at(2).toolIndex, 1);
    QCOMPARE(turn.segments.at(3).round, 1);
    QVERIFY(turn.thinkingRate().has_value());
    QCOMPARE(*turn.thinkingRate(), 140.0 * 1000.0 / 3000.0);
    QVERIFY(turn.answeringRate().has_value());

    // The next turn, and a message not on the path.
    const ThinkingTurn second = ThinkingTurn::of(c, m_reply3);
    QCOMPARE(second.userId, m_user2);
    QCOMPARE(second.segments.size(), 1);
    QCOMPARE(second.segments.at(0).kind, Kind::Answer);
    QCOMPARE(ThinkingTurn::of(c, 987654).segments.size(), 0);

    // As Markdown: the question, each round's reasoning quoted with its figures, the calls, the
    // results, the answer.
    const QString markdown = turn.markdown(c);
    QVERIFY(markdown.startsWith(u"# Thinking\n\n> Weather in two cities?"_s));
    QVERIFY(
        markdown.contains(u"## Round 1: reasoning (2.0 s, 40 tokens)\n\n> I need the weather for both."_s));
    QVERIFY(markdown.contains(u"## Round 2: reasoning (1.0 s, ≈100 tokens (estimated))"_s));
    QVERIFY(markdown.contains(u"- Calls `get_weather` with `{\"city\":\"Rome\"}`"_s));
    QVERIFY(markdown.contains(u"- `get_weather` returned: rain"_s));
    QVERIFY(markdown.endsWith(u"## Answer\n\nOslo is sunny; Rome has rain.\n"_s));

    // Other branches: none yet; an edited question with its own reply makes one (the path
    // follows the edit, so the first version is then the other branch).
    QVERIFY(!ThinkingBranch::hasAlternatives(c, m_user1));
    const qint64 edited = c.add(message(Role::User, u"Weather in Oslo?"_s));
    c.add(message(Role::Assistant, u"Sunny."_s, edited));
    QVERIFY(ThinkingBranch::hasAlternatives(c, edited));
    const QList<ThinkingBranch> others = ThinkingBranch::alternatives(c, edited);
    QCOMPARE(others.size(), 1);
    QCOMPARE(others.at(0).replyId, m_reply1);
    QCOMPARE(others.at(0).label, u"Reply to version 1 of 2 of the question"_s);
    QCOMPARE(others.at(0).answer, u"Oslo is sunny; Rome has rain."_s); // read down to its last reply
    QVERIFY(others.at(0).reasoning.startsWith(u"I need the weather for both.\n\n"_s));
}

void TestThinkingInspector::preservedThinkingCountsWhatGoesBack()
{
    Conversation c;
    buildTwoTurns(&c);
    ChatParameters parameters;
    parameters.thinking = ThinkingMode::Enabled;
    PreservedThinking off = PreservedThinking::of(c, parameters);
    QVERIFY(!off.enabled);
    QVERIFY(off.messageIds.isEmpty());
    parameters.keepThinking = true;
    const PreservedThinking on = PreservedThinking::of(c, parameters);
    QVERIFY(on.enabled);
    QCOMPARE(on.messageIds, (QList<qint64> {m_reply1, m_reply2})); // the replies that thought
    QCOMPARE(on.tokens, 140); // 40 reported + 400 characters estimated
    QVERIFY(on.estimated);
    QCOMPARE(on.characters, 428);
    // Thinking off: keep has nothing to keep.
    parameters.thinking = ThinkingMode::Disabled;
    QVERIFY(!PreservedThinking::of(c, parameters).enabled);
}

void TestThinkingInspector::theModelFollowsATurn()
{
    Conversation c;
    buildTwoTurns(&c);
    ThinkingModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setTurn(ThinkingTurn::of(c, m_reply2));
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.index(0, ThinkingModel::Step).data().toString(), u"Reasoning"_s);
    QCOMPARE(model.index(0, ThinkingModel::Tokens).data().toString(), u"40"_s);
    QCOMPARE(model.index(5, ThinkingModel::Tokens).data().toString(), u"≈100"_s);
    QCOMPARE(model.index(1, ThinkingModel::Step).data().toString(), u"Calls get_weather"_s);
    QCOMPARE(model.index(3, ThinkingModel::Step).data().toString(), u"Result of get_weather"_s);
    QCOMPARE(model.index(0, ThinkingModel::Time).data().toString(), u"2.0 s"_s);
    QCOMPARE(model.index(6, 0).data(ThinkingModel::MessageIdRole).toLongLong(), m_reply2);
    // The same steps with new figures (a reply streaming): rows change in place.
    c.update(m_reply2, MessageField::Timings, [](Message &m) { m.thinkingMs = 1200; });
    model.setTurn(ThinkingTurn::of(c, m_reply2));
    QCOMPARE(reset.size(), 1);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(model.index(5, ThinkingModel::Time).data().toString(), u"1.2 s"_s);
    // Another turn: reset.
    model.setTurn(ThinkingTurn::of(c, m_reply3));
    QCOMPARE(reset.size(), 2);
    QCOMPARE(model.rowCount(), 1);
    model.setTurn({});
    QCOMPARE(model.rowCount(), 0);
}

void TestThinkingInspector::aStreamedToolTurnReadsAsOneStory()
{
    TestEnvironment env;
    Live live;
    QVERIFY(live.start(ThinkingMode::Enabled));
    FakeServer &server = live.server;
    Conversation &conversation = live.conversation;
    ChatSession &session = live.session;
    ChatParameters &parameters = live.parameters;
    ThinkingInspector &inspector = live.inspector;
    QAbstractItemModelTester tester(inspector.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Round 1 thinks and asks for a tool; it is answered by hand; round 2 thinks and answers.
    server.enqueue(FakeResponse::sse(toolCallStream(
        u"Which city? Oslo."_s, {{u"functions.clock:0"_s, u"clock"_s, u"{\"city\":\"Oslo\"}"_s}})));
    server.enqueue(
        FakeResponse::sse(answerStream(u"It is noon there, so say so."_s, u"It is noon in Oslo."_s)));
    QCOMPARE(session.send(u"What time is it in Oslo?"_s), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::AwaitingApproval);
    QVERIFY(session.beginToolRun());
    QCOMPARE(session.submitToolResults(QStringList {u"12:00"_s}), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::Done);
    inspector.refresh();

    QList<Kind> kinds;
    for (const ThinkingSegment &segment : inspector.model()->turn().segments)
        kinds.append(segment.kind);
    QCOMPARE(
        kinds,
        (QList<Kind> {Kind::Reasoning, Kind::ToolCall, Kind::ToolResult, Kind::Reasoning, Kind::Answer}));
    const ThinkingTurn &turn = inspector.model()->turn();
    QCOMPARE(turn.rounds, 2);
    QCOMPARE(turn.segments.at(0).characters, 17);
    QCOMPARE(turn.segments.at(3).characters, 28);
    QVERIFY(turn.segments.at(0).ms >= 0); // the session timed the thinking
    QCOMPARE(inspector.turns()->count(), 1);
    QVERIFY(inspector.statsLabel()->text().contains(u"over 2 rounds"_s));
    QVERIFY(inspector.preservedLabel()->text().startsWith(u"Preserved Thinking is off"_s));

    // A click on a step of the strip names its message; on a row too.
    QSignalSpy activated(&inspector, &ThinkingInspector::messageActivated);
    const QList<QRect> steps = inspector.strip()->stepRects();
    QCOMPARE(steps.size(), 5);
    QTest::mouseClick(inspector.strip(), Qt::LeftButton, {}, steps.at(2).center());
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.last().at(0).toLongLong(), turn.segments.at(2).messageId);
    QCOMPARE(conversation.message(turn.segments.at(2).messageId)->role, Role::Tool);

    // Copied and exported as Markdown.
    inspector.copyMarkdown();
    const QString copied = QApplication::clipboard()->text();
    QVERIFY(copied.contains(u"> Which city? Oslo."_s));
    QVERIFY(copied.contains(u"- `clock` returned: 12:00"_s));
    QVERIFY(copied.contains(u"It is noon in Oslo."_s));
    const QString path = env.filePath(u"thinking.md"_s);
    Dialogs::setNextSaveFileName(path);
    QTest::mouseClick(inspector.findChild<QPushButton *>(u"thinkingExport"_s), Qt::LeftButton);
    QTRY_VERIFY(QFile::exists(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), copied);

    // Preserved Thinking on: both replies' reasoning goes back with the next request.
    parameters.keepThinking = true;
    session.setDefaults(parameters);
    inspector.refresh();
    QVERIFY2(inspector.preservedLabel()->text().contains(u"the reasoning of 2 earlier replies"_s),
             qPrintable(inspector.preservedLabel()->text()));
    QVERIFY2(inspector.preservedLabel()->text().contains(u"≈11 tokens"_s),
             qPrintable(inspector.preservedLabel()->text()));
    // Which replies: links that show them.
    const QString which = inspector.preservedLabel()->text();
    QVERIFY2(
        which.contains(u"<a href=\"message:%1\">turn 1, round 1</a>"_s.arg(turn.segments.at(0).messageId)),
        qPrintable(which));
    QVERIFY(
        which.contains(u"<a href=\"message:%1\">turn 1, round 2</a>"_s.arg(turn.segments.at(4).messageId)));
    activated.clear();
    emit inspector.preservedLabel()->linkActivated(u"message:%1"_s.arg(turn.segments.at(4).messageId));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.last().at(0).toLongLong(), turn.segments.at(4).messageId); // 17 / 4 + 28 / 4
}

void TestThinkingInspector::diffsMarkWhatChanged()
{
    using Op = DiffPiece::Op;
    QCOMPARE(TextDiff::diff(u"same"_s, u"same"_s), (QList<DiffPiece> {{Op::Same, u"same"_s}}));
    QCOMPARE(TextDiff::diff(u"It is sunny in Oslo."_s, u"It is rainy in Oslo."_s),
             (QList<DiffPiece> {{Op::Same, u"It is "_s},
                                {Op::Removed, u"sunny"_s},
                                {Op::Added, u"rainy"_s},
                                {Op::Same, u" in Oslo."_s}}));
    // Lines first: an unchanged line stays whole; CJK characters are words of their own.
    const QList<DiffPiece> lines =
        TextDiff::diff(u"first line\n北京很冷\nlast\n"_s, u"first line\n北京很热\nlast\n"_s);
    QCOMPARE(lines.first(), (DiffPiece {Op::Same, u"first line\n北京很"_s}));
    QVERIFY(lines.contains(DiffPiece {Op::Removed, u"冷"_s}));
    QVERIFY(lines.contains(DiffPiece {Op::Added, u"热"_s}));
    QCOMPARE(lines.last(), (DiffPiece {Op::Same, u"\nlast\n"_s}));
    // Put together, each side is its text again.
    const QString before = u"Alpha beta\ngamma delta\nepsilon"_s;
    const QString after = u"Alpha beta\ngamma DELTA zeta\n"_s;
    QString left;
    QString right;
    for (const DiffPiece &piece : TextDiff::diff(before, after)) {
        if (piece.op != Op::Added)
            left += piece.text;
        if (piece.op != Op::Removed)
            right += piece.text;
    }
    QCOMPARE(left, before);
    QCOMPARE(right, after);
    // Too large a block to compare word by word: replaced whole, still exact.
    QString x;
    QString y;
    QStringList wordsA;
    QStringList wordsB;
    for (int i = 0; i < 600; ++i) {
        wordsA << u"w%1"_s.arg(i);
        wordsB << u"v%1"_s.arg(i);
    }
    const QList<DiffPiece> whole = TextDiff::diff(wordsA.join(u' '), wordsB.join(u' '));
    for (const DiffPiece &piece : whole) {
        if (piece.op != Op::Added)
            x += piece.text;
        if (piece.op != Op::Removed)
            y += piece.text;
    }
    QCOMPARE(x, wordsA.join(u' '));
    QCOMPARE(y, wordsB.join(u' '));
}

void TestThinkingInspector::twoBranchesSideBySide()
{
    Live live;
    QVERIFY(live.start(ThinkingMode::ServerDefault));
    FakeServer &server = live.server;
    Conversation &conversation = live.conversation;
    ChatSession &session = live.session;
    ThinkingInspector &inspector = live.inspector;

    server.enqueue(FakeResponse::sse(answerStream(u"Cold place, keep it short."_s, u"Oslo is cold."_s)));
    QCOMPARE(session.send(u"Oslo?"_s), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::Done);
    inspector.refresh();
    QVERIFY(!inspector.findChild<QPushButton *>(u"thinkingCompare"_s)->isEnabled()); // one branch only
    const qint64 first = conversation.path().last();
    server.enqueue(FakeResponse::sse(answerStream(u"Cold place, say more."_s, u"Oslo is cold and dark."_s)));
    QCOMPARE(session.regenerate(first), QStringList());
    QTRY_COMPARE(session.state(), ChatSession::TurnState::Done);
    inspector.refresh();
    auto *button = inspector.findChild<QPushButton *>(u"thinkingCompare"_s);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QDialog *dialog = inspector.compareDialog();
    QVERIFY(dialog);
    auto *choice = dialog->findChild<QComboBox *>(u"thinkingCompareChoice"_s);
    QCOMPARE(choice->count(), 1);
    QCOMPARE(choice->currentData().toLongLong(), first);
    QCOMPARE(choice->currentText(), u"Reply 1 of 2 to this question"_s);
    auto *otherView = dialog->findChild<QTextBrowser *>(u"thinkingCompareOther"_s);
    QTRY_VERIFY(otherView->toPlainText().startsWith(u"Reasoning"_s)); // compared on a worker
    auto *mineView = dialog->findChild<QTextBrowser *>(u"thinkingCompareThis"_s);
    // Each side its own words.
    QCOMPARE(otherView->toPlainText(), u"Reasoning\nCold place, keep it short.\nAnswer\nOslo is cold."_s);
    QCOMPARE(mineView->toPlainText(), u"Reasoning\nCold place, say more.\nAnswer\nOslo is cold and dark."_s);
    // What the other lacks is marked: one change each, the words together.
    const QString other = otherView->toHtml();
    const QString mine = mineView->toHtml();
    QVERIFY2(other.contains(u"background-color:#f5c6c0;\">keep it short</span>"_s), qPrintable(other));
    QVERIFY2(mine.contains(u"background-color:#c8ecc8;\">say more</span>"_s), qPrintable(mine));
    QVERIFY2(mine.contains(u"background-color:#c8ecc8;\"> and dark</span>"_s), qPrintable(mine));
    QVERIFY(!mine.contains(u"#f5c6c0"_s));
    QVERIFY(!other.contains(u"#c8ecc8"_s));
    dialog->close();
}

QTEST_MAIN(TestThinkingInspector)
#include "tst_ThinkingInspector.moc"
