// ConversationModel and ConversationListModel under QAbstractItemModelTester: streaming changes
// one row, branches and removals change rows without resets, the list keeps activity order.
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationListModel.h"
#include "conversation/ConversationModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;
using Roles = ConversationModel::Roles;

class TestConversationModels : public QObject
{
    Q_OBJECT

private slots:
    void rowsFollowThePath();
    void deltasChangeOneRow();
    void branchesChangeRowsWithoutReset();
    void everyObserverHearsEveryChange();
    void rolesReadTheMessage();
    void listOrderFollowsActivity();
    void deleteAndUndo();
    void renameThroughTheModel();
};

void TestConversationModels::rowsFollowThePath()
{
    Conversation conversation;
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConversation(&conversation);
    QCOMPARE(model.rowCount(), 0);
    Message user;
    user.content = u"hi"_s;
    const qint64 u1 = conversation.add(user);
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = u1;
    const qint64 a1 = conversation.add(reply);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(a1), 1);
    QCOMPARE(model.messageAt(0)->content, u"hi"_s);
    QVERIFY(model.messageAt(0)->createdAt.isValid());
    model.setConversation(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestConversationModels::deltasChangeOneRow()
{
    Conversation conversation;
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConversation(&conversation);
    const qint64 u1 = conversation.add(Message {});
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = u1;
    const qint64 a1 = conversation.add(reply);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy structural(&model, &ConversationModel::changed);
    conversation.appendReasoning(a1, u"think"_s);
    conversation.appendContent(a1, u"Hel"_s);
    conversation.appendContent(a1, u"lo"_s);
    QCOMPARE(changed.size(), 3);
    for (const QList<QVariant> &args : changed) {
        QCOMPARE(args.at(0).toModelIndex().row(), 1);
        QCOMPARE(args.at(1).toModelIndex().row(), 1);
    }
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>({static_cast<int>(Roles::Reasoning)}));
    QCOMPARE(changed.at(2).at(2).value<QList<int>>(), QList<int>({static_cast<int>(Roles::Content)}));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(structural.size(), 0); // deltas are not structural changes
    QCOMPARE(model.messageAt(1)->content, u"Hello"_s);
    QVERIFY(model.index(1).data(static_cast<int>(Roles::HasReasoning)).toBool());
}

void TestConversationModels::branchesChangeRowsWithoutReset()
{
    Conversation conversation;
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConversation(&conversation);
    const qint64 u1 = conversation.add(Message {});
    Message a;
    a.role = Role::Assistant;
    a.parentId = u1;
    const qint64 a1 = conversation.add(a);
    Message u;
    u.parentId = a1;
    conversation.add(u);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    const qint64 a2 = conversation.add(a); // a second reply to u1
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::BranchIndex)).toInt(), 1);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::BranchCount)).toInt(), 2);
    conversation.selectBranch(a1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::Id)).toLongLong(), a1);
    conversation.removeOne(a1); // one message: the follow-up stays and moves up
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.messageAt(1)->role, Role::User);
    conversation.selectBranch(a2);
    conversation.removeBranch(a2);
    QCOMPARE(reset.size(), 0);
}

void TestConversationModels::everyObserverHearsEveryChange()
{
    auto conversation = std::make_unique<Conversation>();
    ConversationModel first;
    ConversationModel second;
    QAbstractItemModelTester tester1(&first, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tester2(&second, QAbstractItemModelTester::FailureReportingMode::QtTest);
    first.setConversation(conversation.get());
    second.setConversation(conversation.get());
    const qint64 u1 = conversation->add(Message {});
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = u1;
    reply.state = MessageState::Streaming;
    const qint64 a1 = conversation->add(reply);
    QCOMPARE(first.rowCount(), 2);
    QCOMPARE(second.rowCount(), 2);

    // A change names its fields; each model turns them into the roles that show them, for one row.
    QSignalSpy changed1(&first, &QAbstractItemModel::dataChanged);
    QSignalSpy changed2(&second, &QAbstractItemModel::dataChanged);
    conversation->update(a1, MessageField::State, [](Message &m) { m.state = MessageState::Incomplete; });
    for (QSignalSpy *spy : {&changed1, &changed2}) {
        QCOMPARE(spy->size(), 1);
        QCOMPARE(spy->at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(spy->at(0).at(2).value<QList<int>>(), QList<int>({static_cast<int>(Roles::State)}));
    }
    QCOMPARE(second.index(1).data(static_cast<int>(Roles::State)).toInt(),
             static_cast<int>(MessageState::Incomplete));

    // A tool call streams as pieces of its arguments.
    conversation->appendToolCall(a1, 0, u"functions.f:0"_s, u"f"_s, u"{\"a\""_s);
    conversation->appendToolCall(a1, 0, QString(), QString(), u":1}"_s);
    QCOMPARE(changed1.size(), 3);
    QCOMPARE(changed1.at(2).at(2).value<QList<int>>(), QList<int>({static_cast<int>(Roles::ToolCalls)}));
    const QVariantMap call = first.index(1).data(static_cast<int>(Roles::ToolCalls)).toList().at(0).toMap();
    QCOMPARE(call.value(u"arguments"_s).toString(), u"{\"a\":1}"_s);
    QCOMPARE(call.value(u"name"_s).toString(), u"f"_s);

    // One model moving on leaves the other watching; the conversation going away empties both.
    first.setConversation(nullptr);
    conversation->appendContent(a1, u"more"_s);
    QCOMPARE(changed1.size(), 3);
    QCOMPARE(changed2.size(), 4);
    conversation.reset();
    QCOMPARE(second.rowCount(), 0);
    QVERIFY(!second.conversation());
}

void TestConversationModels::rolesReadTheMessage()
{
    Conversation conversation;
    ConversationModel model;
    model.setConversation(&conversation);
    Message m;
    m.role = Role::Assistant;
    m.content = u"text"_s;
    m.finishReason = u"length"_s;
    m.state = MessageState::Failed;
    m.error = ApiError::fromHttpResponse(
        429, {}, R"({"error":{"type":"engine_overloaded_error","message":"busy"}})", "9");
    m.usage = Usage::fromJson(
        QJsonObject {{u"prompt_tokens"_s, 10}, {u"completion_tokens"_s, 3}, {u"cached_tokens"_s, 8}});
    m.toolCalls = {ToolCall {u"functions.f:0"_s, u"function"_s, u"f"_s, u"{}"_s}};
    conversation.add(m);
    const QModelIndex index = model.index(0);
    QCOMPARE(index.data(static_cast<int>(Roles::State)).toInt(), static_cast<int>(MessageState::Failed));
    QCOMPARE(index.data(static_cast<int>(Roles::RetryAfterSeconds)).toInt(), 9);
    QVERIFY(
        index.data(static_cast<int>(Roles::ErrorSummary)).toString().contains(u"engine_overloaded_error"_s));
    QVERIFY(!index.data(static_cast<int>(Roles::ErrorAdvice)).toString().isEmpty());
    QCOMPARE(index.data(static_cast<int>(Roles::FinishReason)).toString(), u"length"_s);
    QCOMPARE(index.data(static_cast<int>(Roles::CachedTokens)).toLongLong(), 8);
    QCOMPARE(index.data(static_cast<int>(Roles::ToolCalls)).toList().size(), 1);
    QCOMPARE(index.data(Qt::DisplayRole).toString(), u"text"_s);
    QVERIFY(model.roleNames().value(static_cast<int>(Roles::RetryAfterSeconds)) == "retryAfterSeconds");
}

void TestConversationModels::listOrderFollowsActivity()
{
    ConversationLibrary library;
    ConversationListModel list(&library);
    QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A conversation that becomes active goes above any with the same timestamp, so the order
    // is deterministic even within one millisecond.
    Conversation *first = library.create();
    Conversation *second = library.create();
    QCOMPARE(list.idAt(0), second->id);
    library.touch(first->id);
    QCOMPARE(list.idAt(0), first->id);
    QCOMPARE(list.rowCount(), 2);
}

void TestConversationModels::deleteAndUndo()
{
    ConversationLibrary library;
    ConversationListModel list(&library);
    QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Conversation *c = library.create();
    c->title = u"Keep me"_s;
    const qint64 id = c->id;
    library.remove(id);
    QCOMPARE(list.rowCount(), 0);
    QVERIFY(library.canUndoRemove());
    QCOMPARE(library.undoRemove(), id);
    QCOMPARE(list.rowCount(), 1);
    QCOMPARE(library.conversation(id)->title, u"Keep me"_s);
    library.remove(id);
    library.commitRemove();
    QVERIFY(!library.canUndoRemove());
    QCOMPARE(library.undoRemove(), 0);
}

void TestConversationModels::renameThroughTheModel()
{
    ConversationLibrary library;
    ConversationListModel list(&library);
    QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
    library.create();
    QVERIFY(list.setData(list.index(0), u"  Trip   plans "_s));
    QCOMPARE(list.index(0).data().toString(), u"Trip plans"_s);
    QVERIFY(!list.setData(list.index(0), u"   "_s));
    QCOMPARE(list.index(0).data().toString(), u"Trip plans"_s);
}

QTEST_GUILESS_MAIN(TestConversationModels)
#include "tst_ConversationModels.moc"
