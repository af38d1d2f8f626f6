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
    const qint64 u1 = model.addMessage(user);
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = u1;
    const qint64 a1 = model.addMessage(reply);
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
    const qint64 u1 = model.addMessage(Message {});
    Message reply;
    reply.role = Role::Assistant;
    reply.parentId = u1;
    const qint64 a1 = model.addMessage(reply);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy structural(&model, &ConversationModel::changed);
    model.appendReasoning(a1, u"think"_s);
    model.appendContent(a1, u"Hel"_s);
    model.appendContent(a1, u"lo"_s);
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
    const qint64 u1 = model.addMessage(Message {});
    Message a;
    a.role = Role::Assistant;
    a.parentId = u1;
    const qint64 a1 = model.addMessage(a);
    Message u;
    u.parentId = a1;
    model.addMessage(u);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    const qint64 a2 = model.addMessage(a); // a second reply to u1
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::BranchIndex)).toInt(), 1);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::BranchCount)).toInt(), 2);
    model.selectBranch(a1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1).data(static_cast<int>(Roles::Id)).toLongLong(), a1);
    model.removeMessage(a1); // one message: the follow-up stays and moves up
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.messageAt(1)->role, Role::User);
    model.selectBranch(a2);
    model.removeBranch(a2);
    QCOMPARE(reset.size(), 0);
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
    model.addMessage(m);
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
