// ConversationStore on real SQLite files: everything a conversation holds survives a reopen;
// messages load lazily; streamed text is saved in batches while it streams; replies cut off by a
// dead process come back incomplete; media are stored once and removed with the last message
// that uses them; damaged rows are shown, not fatal; migrations from every earlier schema (the
// fixtures in tests/support/fixtures/db) and the refusal of a newer one; full-text search;
// export and import; two stores (as two processes would) writing one file.
#include "TestEnvironment.h"
#include "TestMessages.h"
#include "api/JsonWriter.h"
#include "conversation/ConversationModel.h"
#include "media/MediaImporter.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"
#include "storage/Exporter.h"
#include "storage/MediaFolder.h"
#include "storage/MessageCodec.h"
#include "storage/PrivateFiles.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <sys/stat.h>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

using Roles = ConversationModel::Roles;

const QByteArray kPng =
    QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                        "da63f8ffff3f0005fe02fea7d6a6c50000000049454e44ae426082");

ContentPart pngPart()
{
    return ContentPart::fromImageUrl("data:image/png;base64," + kPng.toBase64());
}

// A part as a request carries it (a stored file becomes the data URI of its bytes).
QByteArray asSent(const ContentPart &part)
{
    QByteArray json;
    JsonWriter writer(&json);
    part.write(writer);
    return json;
}

// A separate connection, for checking what is really in the file.
class Raw
{
public:
    explicit Raw(const QString &path)
        : m_name(u"raw-%1"_s.arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
        db.open();
    }
    ~Raw()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QVariant value(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name));
        const bool ok = query.exec(sql);
        if (!ok)
            qWarning() << sql << query.lastError().text();
        return ok;
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name); }

private:
    QString m_name;
    static inline int s_count = 0;
};

// Created at fixed times, so that what is stored can be compared exactly.
Message userMessage(const QString &text, qint64 parent = 0)
{
    return message(Role::User, text, parent, QDateTime::fromMSecsSinceEpoch(1'790'000'000'000, Qt::UTC));
}

Message assistantMessage(const QString &text, qint64 parent)
{
    Message m =
        message(Role::Assistant, text, parent, QDateTime::fromMSecsSinceEpoch(1'790'000'001'000, Qt::UTC));
    m.model = u"kimi-k2.6"_s;
    return m;
}

// Every field that must survive storage, as one comparable JSON value.
QJsonObject snapshot(Conversation *c)
{
    c->ensureText(c->messageIds());
    QList<Message> messages;
    for (qint64 id : c->messageIds())
        messages.append(*c->message(id));
    ConversationRecord record;
    record.id = c->id;
    record.title = c->title;
    record.createdAt = c->createdAt;
    record.updatedAt = c->updatedAt;
    record.systemPrompt = c->systemPrompt;
    record.parameters = c->parameters;
    record.draft = c->draft;
    record.activeLeaf = c->leaf();
    std::sort(messages.begin(), messages.end(),
              [](const Message &a, const Message &b) { return a.id < b.id; });
    record.messages = messages;
    return Exporter::toJson(record);
}

// A question and the reply to it, streaming (as a process writing it leaves it); returns the reply.
qint64 streamingReply(Conversation *c, const QString &question)
{
    const qint64 u = c->add(userMessage(question));
    Message live = assistantMessage(QString(), u);
    live.state = MessageState::Streaming;
    return c->add(live);
}

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestConversationStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void everythingSurvivesReopening();
    void messagesLoadLazily();
    void openReadsTheMessagesInTheBackground();
    void anOpenedPathIsReadForTheNextSend();
    void editsBranchesAndRemovalsPersist();
    void streamedTextIsSavedInBatches();
    void staleStreamingRepliesBecomeIncomplete();
    void aReplyWhoseWriterDiedKeepsWhatItSaved();
    void toolCallsStreamInBatches();
    void mediaAreStoredOnceAndRemovedWithTheirLastMessage();
    void damagedRowsAreShownNotFatal();
    void aFailedWriteIsSaidAndLosesNothingElse();
    void newerDatabaseIsRefusedUntouched();
    void unreadableFileIsRefused();
    void readsEverySchemaVersion_data();
    void readsEverySchemaVersion();
    void aFailedUpgradeLeavesTheFileAsItWas();
    void automaticTitlesAreAFlag();
    void search();
    void searchSkipsStreamingReplies();
    void searchInBackground();
    void markdownAndWireExport();
    void exportImportRoundTrip();
    void importRefusesMalformedFilesAndImportsNothing_data();
    void importRefusesMalformedFilesAndImportsNothing();
    void twoStoresShareOneFile();
    void filesArePrivateWhateverTheUmask();
    void existingModesArePutRightOnOpen();
    void strayMediaFilesAreSweptOnOpen();
    void aDraftKeepsItsMediaAcrossRestarts();
    void removedMediaAreGoneEvenIfTheStoreClosesAtOnce();
    void textAfterANulCanBeFound();

private:
    QString dbPath() const { return m_env->filePath(u"data/moonpane.db"_s); }
    std::unique_ptr<ConversationStore> openStore(const QString &path = {});
    Conversation *richConversation(ConversationStore &store);
    // Saves a conversation of `count` messages, questions and answers in turn, and closes the
    // store; returns its id and fills `ids` with its messages' ids, first first.
    qint64 storedExchanges(int count, QList<qint64> *ids);

    std::unique_ptr<TestEnvironment> m_env;
};

void TestConversationStore::init()
{
    m_env = std::make_unique<TestEnvironment>();
}

void TestConversationStore::cleanup()
{
    m_env.reset();
}

std::unique_ptr<ConversationStore> TestConversationStore::openStore(const QString &path)
{
    auto store = std::make_unique<ConversationStore>();
    QString error;
    if (!store->open(path.isEmpty() ? dbPath() : path, &error)) {
        qWarning() << error;
        return nullptr;
    }
    return store;
}

// A conversation using every field: media, reasoning, tool calls and their result, usage, an
// error, timings, a branch from an edit, a system prompt, parameters and a draft.
Conversation *TestConversationStore::richConversation(ConversationStore &store)
{
    Conversation *c = store.create();
    c->title = u"Kyoto in November"_s;
    c->systemPrompt = u"You are a careful travel planner."_s;
    ChatParameters parameters;
    parameters.temperature = 0.6;
    parameters.maxCompletionTokens = 2048;
    c->parameters = parameters;
    c->draft = u"and what about Nara?"_s;
    store.metaChanged(c);

    Message first = userMessage(u"Where should I see the maples?"_s);
    first.parts = {pngPart()};
    const qint64 u1 = c->add(first);
    Message reply = assistantMessage(u"Tōfuku-ji and Eikan-dō are at their best in late November."_s, u1);
    reply.reasoning = u"The user asks about autumn leaves (紅葉) in Kyoto."_s;
    reply.hasReasoning = true;
    reply.usage = Usage::fromJson(QJsonObject {{u"prompt_tokens"_s, 20},
                                               {u"completion_tokens"_s, 30},
                                               {u"total_tokens"_s, 50},
                                               {u"cached_tokens"_s, 8}});
    reply.finishReason = u"stop"_s;
    reply.thinkingMs = 1200;
    reply.firstTokenMs = 340;
    reply.generationMs = 2100;
    const qint64 a1 = c->add(reply);
    Message ask = userMessage(u"What's the weather there?"_s, a1);
    const qint64 u2 = c->add(ask);
    Message call = assistantMessage(QString(), u2);
    ToolCall weather;
    weather.id = u"get_weather:0"_s;
    weather.name = u"get_weather"_s;
    weather.arguments = uR"({"city":"Kyoto"})"_s;
    call.toolCalls = {weather};
    call.finishReason = u"tool_calls"_s;
    const qint64 a2 = c->add(call);
    Message result;
    result.role = Role::Tool;
    result.toolCallId = u"get_weather:0"_s;
    result.name = u"get_weather"_s;
    result.content = uR"({"temp_c":11})"_s;
    result.parentId = a2;
    const qint64 t1 = c->add(result);
    Message failed = assistantMessage(u"It is 11"_s, t1);
    failed.state = MessageState::Failed;
    failed.error.kind = ApiError::Kind::Http;
    failed.error.httpStatus = 429;
    failed.error.message = u"Rate limited"_s;
    failed.error.retryAfterSeconds = 7;
    c->add(failed);
    // An edit of the second question: a sibling branch, which becomes the active path.
    c->add(userMessage(u"Is it crowded?"_s, a1));
    return c;
}

void TestConversationStore::everythingSurvivesReopening()
{
    QJsonObject before;
    qint64 id = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        Conversation *c = richConversation(*store);
        id = c->id;
        before = snapshot(c);
    }
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(store->conversations().size(), 1);
    Conversation *c = store->conversation(id);
    QVERIFY(c);
    QCOMPARE(c->path().size(), 3); // user, reply, the edited question
    QCOMPARE(snapshot(c), before);
    QCOMPARE(Database::integrityCheck(Raw(dbPath()).db()), u"ok"_s);
    // The media are files beside the database, not base64 in a message.
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM messages WHERE content LIKE '%base64%'"_s).toInt(),
             0);
}

qint64 TestConversationStore::storedExchanges(int count, QList<qint64> *ids)
{
    auto store = openStore();
    Conversation *c = store->create();
    qint64 parent = 0;
    for (int i = 0; i < count; ++i) {
        parent = c->add(i % 2 ? assistantMessage(u"answer %1"_s.arg(i), parent)
                              : userMessage(u"question %1"_s.arg(i), parent));
        ids->append(parent);
    }
    return c->id;
}

void TestConversationStore::messagesLoadLazily()
{
    QList<qint64> ids;
    const qint64 id = storedExchanges(300, &ids);
    auto store = openStore();
    Conversation *c = store->find(id);
    QVERIFY(c);
    QVERIFY(c->isEmpty()); // only titles and times until it is opened
    c = store->conversation(id);
    QCOMPARE(c->size(), 300);
    QCOMPARE(c->path(), ids);
    for (qint64 m : ids) {
        QVERIFY(!c->message(m)->textLoaded);
        QVERIFY(c->message(m)->content.isEmpty());
    }
    QCOMPARE(c->message(ids.at(7))->textLength, u"answer 7"_s.size());

    // A model shows the end of the conversation: the rows around what it shows are read, not all,
    // and not while it waits: the row is a stub until its text comes from the reader thread.
    ConversationModel model;
    model.setConversation(c);
    QSignalSpy arrived(&model, &QAbstractItemModel::dataChanged);
    const quint64 statements = Database::statementsOnThisThread();
    QVERIFY(!model.messageAt(299)->textLoaded);
    QVERIFY(c->isTextRequested(ids.at(299)));
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QVERIFY(arrived.wait(10'000));
    QCOMPARE(arrived.size(), 1); // one run of rows, in one signal
    QCOMPARE(arrived.at(0).at(1).toModelIndex().row(), 299);
    QCOMPARE(arrived.at(0).at(0).toModelIndex().row(), 299 - 40);
    QCOMPARE(model.messageAt(299)->content, u"answer 299"_s);
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QVERIFY(c->message(ids.at(299))->textLoaded);
    QVERIFY(!c->message(ids.at(0))->textLoaded);
    QVERIFY(!c->isTextRequested(ids.at(299)));
    QCOMPARE(c->history().size(), 300); // a request reads everything it sends
    QCOMPARE(c->message(ids.at(0))->content, u"question 0"_s);
}

void TestConversationStore::anOpenedPathIsReadForTheNextSend()
{
    QList<qint64> ids;
    const qint64 id = storedExchanges(700, &ids);
    auto store = openStore();
    QSignalSpy opened(store.get(), &ConversationLibrary::opened);
    const quint64 statements = Database::statementsOnThisThread();
    Conversation *c = store->conversationLater(id);
    QVERIFY(opened.wait(10'000));
    // Once open, its path is read in the background, no view asking, one batch at a time: what
    // a view asks for meanwhile waits behind one batch, not the whole conversation.
    const auto requested = [&] {
        return std::count_if(ids.cbegin(), ids.cend(), [c](qint64 m) { return c->isTextRequested(m); });
    };
    QVERIFY(requested() > 0);
    QVERIFY(requested() <= Conversation::kPathBatch);
    QVERIFY(c->isTextRequested(ids.constLast())); // newest first
    QVERIFY(!c->isTextRequested(ids.constFirst()));
    const auto loaded = [&] {
        return std::count_if(ids.cbegin(), ids.cend(), [c](qint64 m) { return c->message(m)->textLoaded; });
    };
    QTRY_COMPARE_WITH_TIMEOUT(loaded(), ids.size(), 10'000);
    QCOMPARE(requested(), 0);
    // The next send's history is in memory: building it reads nothing on this thread.
    const QList<ChatMessage> history = c->history(c->nextTurnParent());
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QCOMPARE(history.size(), ids.size());
    QCOMPARE(history.constFirst().content, u"question 0"_s);
    QCOMPARE(history.constLast().content, u"answer 699"_s);
}

void TestConversationStore::openReadsTheMessagesInTheBackground()
{
    QList<qint64> ids;
    const qint64 id = storedExchanges(50, &ids);
    const qint64 leaf = ids.constLast();
    auto store = openStore();
    QSignalSpy opened(store.get(), &ConversationLibrary::opened);
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // conversationLater() does not wait: the outline comes from the reader thread, the model resets then.
    const quint64 statements = Database::statementsOnThisThread();
    Conversation *c = store->conversationLater(id);
    QVERIFY(c);
    model.setConversation(c);
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QVERIFY(c->isLoading());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(opened.wait(10'000));
    QCOMPARE(opened.at(0).at(0).toLongLong(), id);
    QCOMPARE(Database::statementsOnThisThread(), statements);
    QVERIFY(!c->isLoading());
    QCOMPARE(model.rowCount(), 50);
    QCOMPARE(c->leaf(), leaf);
    QCOMPARE(store->conversationLater(id), c); // once open, conversationLater() has nothing more to read
    QCOMPARE(Database::statementsOnThisThread(), statements);

    // Something that must act on the messages while they are on their way reads them at once;
    // what the reader thread brings later is not applied over it.
    store.reset();
    store = openStore();
    c = store->conversationLater(id);
    QVERIFY(c->isLoading());
    QSignalSpy restored(store.get(), &ConversationLibrary::opened);
    c->finishLoading(); // as ChatSession::send does
    const qint64 added = c->add(userMessage(u"one more"_s, c->nextTurnParent()));
    QVERIFY(!c->isLoading());
    QCOMPARE(c->size(), 51);
    QCOMPARE(c->message(added)->parentId, leaf); // under what was stored, not a new root
    // The reader thread answers in order: once this text is in, the outline read before it has
    // come back too, and was dropped.
    c->requestText({leaf});
    QTRY_VERIFY(c->message(leaf)->textLoaded);
    QCOMPARE(c->size(), 51);
    QCOMPARE(c->leaf(), added);
    QVERIFY(restored.isEmpty());
    store->flush();
    QCOMPARE(
        Raw(dbPath()).value(u"SELECT count(*) FROM messages WHERE conversation_id = %1"_s.arg(id)).toInt(),
        51);

    // Another process changes it while it opens: what is shown in the end has that change.
    store.reset();
    store = openStore();
    auto other = openStore();
    c = store->conversationLater(id);
    Conversation *theirs = other->conversation(id);
    theirs->add(assistantMessage(u"from elsewhere"_s, theirs->leaf()));
    other->flush();
    store->refresh(); // the listing sees the new revision, whenever the outline was read
    QTRY_COMPARE(c->size(), 52);
    QTRY_VERIFY(!c->isLoading());
}

void TestConversationStore::editsBranchesAndRemovalsPersist()
{
    QJsonObject before;
    qint64 id = 0;
    {
        auto store = openStore();
        Conversation *c = store->create();
        id = c->id;
        const qint64 u1 = c->add(userMessage(u"one"_s));
        const qint64 a1 = c->add(assistantMessage(u"two"_s, u1));
        const qint64 a1b = c->add(assistantMessage(u"two, again"_s, u1)); // regenerated
        const qint64 u2 = c->add(userMessage(u"three"_s, a1b));
        c->add(assistantMessage(u"four"_s, u2));
        c->selectBranch(a1); // back to the first reply
        c->add(userMessage(u"five"_s, a1));
        c->removeOne(u2); // "four" now follows "two, again"
        c->update(a1, MessageField::Content, [](Message &m) { m.content = u"two (edited)"_s; });
        c->draft = u"half a thought"_s;
        store->metaChanged(c);
        store->rename(id, u"Counting"_s);
        before = snapshot(c);
    }
    auto store = openStore();
    Conversation *c = store->conversation(id);
    QCOMPARE(snapshot(c), before);
    QCOMPARE(c->title, u"Counting"_s);
    const Message *last = c->message(c->path().constLast());
    QCOMPARE(last->content, u"five"_s);

    // Removing a branch removes everything below it, also on disk.
    const qint64 regenerated = c->siblings(c->path().at(1)).constLast();
    c->removeBranch(regenerated);
    store->flush();
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM messages"_s).toInt(), 3);
}

void TestConversationStore::streamedTextIsSavedInBatches()
{
    auto store = openStore();
    Conversation *c = store->create();
    const qint64 u = c->add(userMessage(u"Tell me a story"_s));
    Message reply = assistantMessage(QString(), u);
    reply.state = MessageState::Streaming;
    const qint64 r = c->add(reply);
    store->flush();
    Raw raw(dbPath());
    const qint64 revisionBefore = raw.value(u"SELECT revision FROM conversations"_s).toLongLong();
    QString streamed;
    for (int i = 0; i < 200; ++i) {
        const QString piece = u"word%1 "_s.arg(i);
        streamed += piece;
        if (i < 20)
            c->appendReasoning(r, u"t%1 "_s.arg(i));
        c->appendContent(r, piece);
    }
    // Without anyone asking, the text reaches the file within the flush interval.
    QTRY_COMPARE_WITH_TIMEOUT(raw.value(u"SELECT content FROM messages WHERE id = %1"_s.arg(r)).toString(),
                              streamed, ConversationStore::kFlushMs * 10);
    QCOMPARE(raw.value(u"SELECT state FROM messages WHERE id = %1"_s.arg(r)).toString(), u"streaming"_s);
    QVERIFY(raw.value(u"SELECT reasoning FROM messages WHERE id = %1"_s.arg(r))
                .toString()
                .startsWith(u"t0 t1 "_s));
    QCOMPARE(raw.value(u"SELECT text_length FROM messages WHERE id = %1"_s.arg(r)).toLongLong(),
             c->message(r)->content.size() + c->message(r)->reasoning.size());
    // 400 deltas, a handful of writes.
    QVERIFY(raw.value(u"SELECT revision FROM conversations"_s).toLongLong() - revisionBefore < 5);

    c->update(r, MessageField::State | MessageField::FinishReason, [](Message &m) {
        m.state = MessageState::Complete;
        m.finishReason = u"stop"_s;
    });
    store->flush();
    QCOMPARE(raw.value(u"SELECT state FROM messages WHERE id = %1"_s.arg(r)).toString(), u"complete"_s);
    QCOMPARE(raw.value(u"SELECT content FROM messages WHERE id = %1"_s.arg(r)).toString(), streamed);
}

void TestConversationStore::staleStreamingRepliesBecomeIncomplete()
{
    qint64 id = 0;
    qint64 reply = 0;
    {
        auto store = openStore();
        Conversation *c = store->create();
        id = c->id;
        const qint64 u = c->add(userMessage(u"Go on"_s));
        Message m = assistantMessage(u"Once upon a"_s, u);
        m.state = MessageState::Streaming;
        reply = c->add(m);
        store->flush();
        // As if the process died here: the row says "streaming", last written long ago.
        Raw(dbPath()).exec(
            u"UPDATE messages SET state = 'streaming', updated_at = updated_at - 60000 WHERE id = %1"_s.arg(
                reply));
        for (Conversation *each : store->conversations())
            each->removeObserver(store.get()); // nothing more from this "process"
    }
    Raw(dbPath()).exec(u"UPDATE messages SET state = 'streaming' WHERE id = %1"_s.arg(reply));
    auto store = openStore();
    QCOMPARE(Raw(dbPath()).value(u"SELECT state FROM messages WHERE id = %1"_s.arg(reply)).toString(),
             u"incomplete"_s);
    Conversation *c = store->conversation(id);
    c->ensureText({reply});
    QCOMPARE(c->message(reply)->state, MessageState::Incomplete);
    QCOMPARE(c->message(reply)->content, u"Once upon a"_s);
}

void TestConversationStore::aReplyWhoseWriterDiedKeepsWhatItSaved()
{
    // One process streams a reply; another shows it, reading the file only when it opens it.
    auto writer = openStore();
    Conversation *theirs = writer->create();
    const qint64 reply = streamingReply(theirs, u"Tell me a story"_s);
    theirs->appendContent(reply, u"Once upon a time"_s);
    writer->flush();

    ConversationStore viewer;
    QString error;
    QVERIFY2(viewer.open(dbPath(), &error, false), qPrintable(error));
    Conversation *shown = viewer.conversation(theirs->id);
    QVERIFY(shown);
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConversation(shown);
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex row = model.index(1);
    QVERIFY(test::loadedAt(model, 1)->textLoaded);
    QCOMPARE(row.data(static_cast<int>(Roles::Content)).toString(), u"Once upon a time"_s);
    QCOMPARE(row.data(static_cast<int>(Roles::State)).toInt(), static_cast<int>(MessageState::Streaming));

    // The writer goes on, then is killed: it writes nothing more, and its lock is gone.
    theirs->appendContent(reply, u", a kettle learned to sing."_s);
    writer->flush();
    for (Conversation *each : writer->conversations())
        each->removeObserver(writer.get());
    writer.reset();
    // As a kill leaves it: still "streaming", last written a while ago.
    Raw(dbPath()).exec(
        u"UPDATE messages SET state = 'streaming', updated_at = updated_at - 60000 WHERE id = %1"_s.arg(
            reply));

    // The viewer finds the reply orphaned: it shows it as cut off, with what was saved intact
    // (its own copy, older than the file, is not written back).
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QTRY_COMPARE_WITH_TIMEOUT(row.data(static_cast<int>(Roles::State)).toInt(),
                              static_cast<int>(MessageState::Incomplete),
                              4 * ConversationStore::kStaleStreamMs);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(changed.constLast().at(0).toModelIndex().row(), 1);
    QVERIFY(changed.constLast().at(2).value<QList<int>>().contains(static_cast<int>(Roles::State)));
    viewer.flush();
    Raw raw(dbPath());
    QCOMPARE(raw.value(u"SELECT state FROM messages WHERE id = %1"_s.arg(reply)).toString(), u"incomplete"_s);
    QCOMPARE(raw.value(u"SELECT content FROM messages WHERE id = %1"_s.arg(reply)).toString(),
             u"Once upon a time, a kettle learned to sing."_s);
}

void TestConversationStore::toolCallsStreamInBatches()
{
    auto store = openStore();
    Conversation *c = store->create();
    const qint64 reply = streamingReply(c, u"Weather?"_s);
    c->appendToolCall(reply, 0, u"functions.get_weather:0"_s, u"get_weather"_s, u"{\"city\":"_s);
    c->appendToolCall(reply, 0, QString(), QString(), u"\"Kyoto\"}"_s);
    c->appendToolCall(reply, 1, u"functions.get_time:1"_s, u"get_time"_s, u"{}"_s);
    QCOMPARE(c->message(reply)->toolCalls.size(), 2);
    QCOMPARE(c->message(reply)->toolCalls.at(0).arguments, u"{\"city\":\"Kyoto\"}"_s);
    store->flush();
    QList<ToolCall> stored;
    QVERIFY(MessageCodec::toolCallsFromJson(
        Raw(dbPath()).value(u"SELECT tool_calls FROM messages WHERE id = %1"_s.arg(reply)).toByteArray(),
        &stored));
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored.at(0).id, u"functions.get_weather:0"_s);
    QCOMPARE(stored.at(0).name, u"get_weather"_s);
    QCOMPARE(stored.at(0).arguments, u"{\"city\":\"Kyoto\"}"_s);
    QCOMPARE(stored.at(1).name, u"get_time"_s);
}

void TestConversationStore::mediaAreStoredOnceAndRemovedWithTheirLastMessage()
{
    auto store = openStore();
    Conversation *a = store->create();
    Message withImage = userMessage(u"look"_s);
    withImage.parts = {pngPart(), ContentPart::fromVideoUrl("ms://file-abc")};
    a->add(withImage);
    Conversation *b = store->create();
    withImage.parts = {pngPart()};
    b->add(withImage);
    const qint64 bId = b->id;
    store->flush();
    const QString dir = Database::attachmentsDir(dbPath());
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(kPng, QCryptographicHash::Sha256).toHex());
    QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList {hash});
    Raw raw(dbPath());
    QCOMPARE(raw.value(u"SELECT count(*) FROM attachments"_s).toInt(), 1);
    QCOMPARE(raw.value(u"SELECT count(*) FROM message_attachments"_s).toInt(), 3);
    QCOMPARE(raw.value(u"SELECT reference FROM message_attachments WHERE hash IS NULL"_s).toString(),
             u"ms://file-abc"_s);

    // Read back, the parts are what was attached.
    const qint64 aId = a->id;
    store.reset();
    store = openStore();
    a = store->conversation(aId);
    a->ensureText(a->path());
    const Message *m = a->message(a->path().constFirst());
    QCOMPARE(m->parts.size(), 2);
    // A reference to the stored file, not its bytes; a request made from it carries the bytes.
    const ContentPart &image = m->parts.at(0);
    QVERIFY(image.isStoredFile());
    QVERIFY(image.url.isEmpty());
    QCOMPARE(image.kind, ContentPart::Kind::Image);
    QCOMPARE(image.media.path, QDir(dir).filePath(hash));
    QCOMPARE(image.media.mimeType, u"image/png"_s);
    QCOMPARE(image.media.bytes, kPng.size());
    QCOMPARE(image.media.hash, hash);
    QCOMPARE(image.urlProblem(), QString());
    QCOMPARE(
        MessageCodec::describeMedia(image),
        u"image/png, %1"_s.arg(QLocale::c().formattedDataSize(kPng.size(), 1, QLocale::DataSizeSIFormat)));
    QCOMPARE(asSent(image), asSent(pngPart()));
    QCOMPARE(m->parts.at(1).url, QByteArray("ms://file-abc"));
    QCOMPARE(m->parts.at(1).kind, ContentPart::Kind::Video);

    // Sent again (an edit that keeps the image), the reference is linked to the same file.
    Message again = userMessage(u"look again"_s);
    again.parts = {image};
    a->add(again);
    store->flush();
    QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList {hash});
    QCOMPARE(raw.value(u"SELECT count(*) FROM message_attachments WHERE hash = '%1'"_s.arg(hash)).toInt(), 3);

    // A media file gone from the disk: the message is shown without it, its text kept, and the
    // user is told which file is missing.
    {
        // Outside attachments/: a stray file in there would be swept as unreferenced.
        const QString away = QFileInfo(dbPath()).absoluteDir().filePath(hash + u".away"_s);
        QVERIFY(QFile::rename(QDir(dir).filePath(hash), away));
        auto other = openStore();
        QSignalSpy failed(other.get(), &ConversationStore::storageFailed);
        Conversation *c = other->conversation(bId);
        c->ensureText(c->path());
        const Message *shown = c->message(c->path().constFirst());
        QCOMPARE(shown->content, u"look"_s);
        QVERIFY(shown->parts.isEmpty());
        QCOMPARE(failed.size(), 1);
        const QString said = failed.at(0).at(0).toString();
        QVERIFY2(said.startsWith(u"Attachment files are missing: "_s) && said.contains(hash)
                     && said.endsWith(u"The messages are shown without them."_s),
                 qPrintable(said));
        QVERIFY(QFile::rename(away, QDir(dir).filePath(hash)));
    }

    // Deleting one conversation keeps the file the other still uses; deleting both removes it.
    const QList<Conversation *> all = store->conversations();
    store->remove(all.at(0)->id);
    store->commitRemove();
    store->flush(); // waits for the follow-up write that removes the file, too
    QVERIFY(QFile::exists(QDir(dir).filePath(hash)));
    store->remove(all.at(1)->id);
    store->commitRemove();
    store->flush(); // one flush: the writer waits for follow-up jobs too
    QVERIFY(!QFile::exists(QDir(dir).filePath(hash)));
    QCOMPARE(raw.value(u"SELECT count(*) FROM attachments"_s).toInt(), 0);
    QCOMPARE(raw.value(u"SELECT count(*) FROM messages"_s).toInt(), 0);
}

void TestConversationStore::damagedRowsAreShownNotFatal()
{
    qint64 id = 0;
    QList<qint64> path;
    {
        auto store = openStore();
        Conversation *c = store->create();
        id = c->id;
        const qint64 u = c->add(userMessage(u"hello"_s));
        const qint64 a = c->add(assistantMessage(u"hi"_s, u));
        const qint64 u2 = c->add(userMessage(u"again"_s, a));
        c->add(assistantMessage(u"hi again"_s, u2));
        path = c->path();
    }
    {
        Raw raw(dbPath());
        raw.exec(u"UPDATE messages SET tool_calls = '{not json' WHERE id = %1"_s.arg(path.at(1)));
        raw.exec(u"UPDATE messages SET role = 'wizard' WHERE id = %1"_s.arg(path.at(2)));
        raw.exec(u"UPDATE messages SET usage = '[1,2' WHERE id = %1"_s.arg(path.at(3)));
    }
    auto store = openStore();
    Conversation *c = store->conversation(id);
    QCOMPARE(c->path(), path);
    c->ensureText(path);
    QCOMPARE(c->message(path.at(0))->content, u"hello"_s);
    QCOMPARE(c->message(path.at(0))->state, MessageState::Complete);
    const Message *toolCalls = c->message(path.at(1));
    QCOMPARE(toolCalls->content, u"hi"_s);
    QCOMPARE(toolCalls->state, MessageState::Failed);
    QVERIFY2(toolCalls->error.message.contains(u"damaged"_s)
                 && toolCalls->error.message.contains(u"tool calls"_s),
             qPrintable(toolCalls->error.message));
    const Message *role = c->message(path.at(2));
    QCOMPARE(role->content, u"again"_s);
    QVERIFY2(role->error.message.contains(u"wizard"_s), qPrintable(role->error.message));
    QVERIFY(c->message(path.at(3))->error.message.contains(u"usage"_s));
    QCOMPARE(c->message(path.at(3))->content, u"hi again"_s);
}

void TestConversationStore::aFailedWriteIsSaidAndLosesNothingElse()
{
    auto store = openStore();
    QVERIFY(store);
    Conversation *c = store->create();
    store->flush();
    // The database refuses one kind of write (as a full disk or a damaged page would).
    QVERIFY(Raw(dbPath()).exec(u"CREATE TRIGGER refuse_titles BEFORE UPDATE OF title ON conversations "
                               "BEGIN SELECT RAISE(ABORT, 'titles are refused'); END"_s));
    QSignalSpy failed(store.get(), &ConversationStore::storageFailed);
    c->title = u"Renamed"_s;
    store->metaChanged(c);
    c->add(userMessage(u"kept"_s));
    store->flush();
    QTRY_COMPARE(failed.size(), 1);
    // In SQLite's words, without Qt's "Unable to fetch row" after them.
    QCOMPARE(failed.at(0).at(0).toString(), u"Could not save to %1: titles are refused"_s.arg(dbPath()));
    QCOMPARE(c->title, u"Renamed"_s); // still shown as the user wrote it
    // The write beside it went through.
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM messages WHERE content = 'kept'"_s).toInt(), 1);
}

void TestConversationStore::newerDatabaseIsRefusedUntouched()
{
    {
        QString error;
        QSqlDatabase db = Database::open(dbPath(), u"newer"_s, &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QSqlQuery(db).exec(u"PRAGMA user_version = 99"_s);
        QSqlQuery(db).exec(u"PRAGMA journal_mode = DELETE"_s);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"newer"_s);
    const QByteArray before = fileHash(dbPath());
    const QStringList filesBefore = QDir(QFileInfo(dbPath()).absolutePath()).entryList(QDir::Files);
    ConversationStore store;
    QString error;
    QVERIFY(!store.open(dbPath(), &error));
    QVERIFY2(error.contains(u"newer version of Moonpane"_s) && error.contains(u"untouched"_s),
             qPrintable(error));
    QVERIFY(!store.isOpen());
    QVERIFY(store.create()); // still usable, in memory, and writing nothing
    QCOMPARE(fileHash(dbPath()), before);
    QCOMPARE(QDir(QFileInfo(dbPath()).absolutePath()).entryList(QDir::Files), filesBefore);
}

void TestConversationStore::unreadableFileIsRefused()
{
    m_env->writeFile(u"data/moonpane.db"_s, QByteArray("this is not a database, just text\n").repeated(100));
    const QByteArray before = fileHash(dbPath());
    ConversationStore store;
    QString error;
    QVERIFY(!store.open(dbPath(), &error));
    QVERIFY2(error.contains(dbPath()), qPrintable(error));
    QCOMPARE(fileHash(dbPath()), before);
}

void TestConversationStore::readsEverySchemaVersion_data()
{
    QTest::addColumn<int>("version");
    for (int version = 1; version <= Database::kSchemaVersion; ++version)
        QTest::addRow("schema %d", version) << version;
}

// The fixtures were written by the code of each schema version (make_db_fixtures), the newest
// included (it is the next version's "earlier" one): a
// conversation with a branch, reasoning, a tool call, an image, and a reply cut off mid-stream.
void TestConversationStore::readsEverySchemaVersion()
{
    QFETCH(int, version);
    const QString source = u"%1/db/schema%2"_s.arg(QStringLiteral(MOONPANE_FIXTURES_DIR)).arg(version);
    QVERIFY(QFile::exists(source + u"/moonpane.db"_s));
    QDir().mkpath(m_env->filePath(u"data/attachments"_s));
    QVERIFY(QFile::copy(source + u"/moonpane.db"_s, dbPath()));
    for (const QString &file : QDir(source + u"/attachments"_s).entryList(QDir::Files))
        QVERIFY(
            QFile::copy(source + u"/attachments/"_s + file, m_env->filePath(u"data/attachments/"_s + file)));
    QFile::setPermissions(dbPath(), QFile::ReadOwner | QFile::WriteOwner);

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(Database::schemaVersion(Raw(dbPath()).db()), Database::kSchemaVersion);
    // Before an upgrade, the file as it was is kept beside it.
    const QStringList backups =
        QDir(QFileInfo(dbPath()).absolutePath()).entryList({u"moonpane.db.schema*.bak"_s});
    QCOMPARE(backups, version < Database::kSchemaVersion ? QStringList {backups.value(0)} : QStringList());
    if (!backups.isEmpty()) {
        QVERIFY(backups.at(0).startsWith(u"moonpane.db.schema%1-"_s.arg(version)));
        const Raw backup(QFileInfo(dbPath()).absoluteDir().filePath(backups.at(0)));
        QCOMPARE(backup.value(u"PRAGMA user_version"_s).toInt(), version);
        QCOMPARE(backup.value(u"SELECT count(*) FROM messages"_s).toInt(), 7);
    }

    QCOMPARE(store->conversations().size(), 2);
    Conversation *c = nullptr;
    for (Conversation *each : store->conversations()) {
        if (each->title == "Maple season"_L1)
            c = store->conversation(each->id);
    }
    QVERIFY(c);
    QCOMPARE(c->systemPrompt, u"Answer briefly."_s);
    QCOMPARE(c->draft, u"unsent words"_s);
    QVERIFY(c->parameters && c->parameters->temperature == 0.3);
    QCOMPARE(c->size(), 6);
    c->ensureText(c->messageIds());
    QCOMPARE(c->path().size(), 5);
    const Message *first = c->message(c->path().at(0));
    QCOMPARE(first->content, u"Where are the best maples in Kyoto?"_s);
    QCOMPARE(first->parts.size(), 1);
    QVERIFY(first->parts.at(0).isStoredFile());
    QCOMPARE(asSent(first->parts.at(0)), asSent(pngPart()));
    const Message *reply = c->message(c->path().at(1));
    QCOMPARE(reply->reasoning, u"紅葉 season is late November."_s);
    QVERIFY(reply->usage && reply->usage->promptTokens == 12);
    QCOMPARE(reply->textLength, reply->content.size() + reply->reasoning.size());
    const Message *tool = c->message(c->path().at(2));
    QCOMPARE(tool->toolCalls.size(), 1);
    QCOMPARE(tool->toolCalls.at(0).name, u"get_weather"_s);
    QCOMPARE(c->siblings(reply->id).size(), 2); // it was regenerated once
    const Message *cut = c->message(c->path().at(4));
    QCOMPARE(cut->state, MessageState::Incomplete); // it was "streaming" when that process died
    QCOMPARE(cut->content, u"It is cold and"_s);
    // Search works over what was there before the index existed.
    const QList<SearchHit> hits = store->search(u"maples"_s, false);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.at(0).messageId, first->id);
    QCOMPARE(store->search(u"紅葉"_s, true).size(), 1);
    QCOMPARE(Database::integrityCheck(Raw(dbPath()).db()), u"ok"_s);
    // From schema 7 the tool tables no version wrote to are gone (tool settings hold tools).
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM sqlite_master WHERE name LIKE 'tool%'"_s).toInt(), 0);
    // From schema 6 an image knows its size in pixels and a draft keeps its media.
    if (version >= 6) {
        QCOMPARE(QSize(first->parts.at(0).media.width, first->parts.at(0).media.height), QSize(1, 1));
        QCOMPARE(c->draftMedia.size(), 1);
        QCOMPARE(c->draftMedia.at(0).original.name, u"pixel.png"_s);
        QCOMPARE(c->draftMedia.at(0).original.hash, first->parts.at(0).media.hash);
        QVERIFY(QFileInfo::exists(c->draftMedia.at(0).original.path));
    } else {
        QVERIFY(c->draftMedia.isEmpty());
    }
    // And it keeps working: a new message in the migrated file.
    c->add(userMessage(u"thanks"_s, c->path().constLast()));
    store->flush();
    QCOMPARE(store->search(u"thanks"_s, false).size(), 1);
}

void TestConversationStore::automaticTitlesAreAFlag()
{
    // A file from before the flag: a conversation still called "New chat" gets its name later.
    const QString source = u"%1/db/schema4/moonpane.db"_s.arg(QStringLiteral(MOONPANE_FIXTURES_DIR));
    QDir().mkpath(m_env->filePath(u"data"_s));
    QVERIFY(QFile::copy(source, dbPath()));
    QFile::setPermissions(dbPath(), QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(Raw(dbPath()).exec(u"UPDATE conversations SET title = 'New chat' WHERE id = 200"_s));
    qint64 fresh = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->find(200)->autoTitle);
        QVERIFY(!store->find(100)->autoTitle);
        QVERIFY(!store->nameFromFirstMessage(100)); // a title of its own stays
        QCOMPARE(store->find(100)->title, u"Maple season"_s);

        // A new conversation is named by its first message, once; a name the user gives stays.
        Conversation *c = store->create();
        fresh = c->id;
        QVERIFY(c->autoTitle);
        QVERIFY(!store->nameFromFirstMessage(fresh)); // nothing to name it by yet
        QVERIFY(c->autoTitle);
        c->add(userMessage(u"New chat about tea"_s));
        QVERIFY(store->nameFromFirstMessage(fresh));
        QCOMPARE(c->title, u"New chat about tea"_s);
        QVERIFY(!c->autoTitle);
        QVERIFY(!store->nameFromFirstMessage(fresh));
        store->flush();
    }
    auto store = openStore();
    QCOMPARE(store->find(fresh)->title, u"New chat about tea"_s);
    QVERIFY(!store->find(fresh)->autoTitle);
    QVERIFY(store->find(200)->autoTitle);
    store->rename(200, u"Mine"_s);
    QVERIFY(!store->find(200)->autoTitle);
}

void TestConversationStore::aFailedUpgradeLeavesTheFileAsItWas()
{
    // A schema-1 file that the second step cannot upgrade: a table stands where it would create one.
    const QString source = u"%1/db/schema1/moonpane.db"_s.arg(QStringLiteral(MOONPANE_FIXTURES_DIR));
    QDir().mkpath(m_env->filePath(u"data"_s));
    QVERIFY(QFile::copy(source, dbPath()));
    QFile::setPermissions(dbPath(), QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(Raw(dbPath()).exec(u"CREATE TABLE messages_fts (x)"_s));
    ConversationStore store;
    QString error;
    QVERIFY(!store.open(dbPath(), &error));
    QVERIFY2(error.startsWith(u"Upgrading %1 to schema 2 failed; it was left as it was: "_s.arg(dbPath()))
                 && error.contains(u"messages_fts"_s)
                 && error.contains(u"a copy made before the upgrade is"_s),
             qPrintable(error));
    // Untouched: still schema 1, the same conversations; nothing was half done.
    const Raw raw(dbPath());
    QCOMPARE(raw.value(u"PRAGMA user_version"_s).toInt(), 1);
    QCOMPARE(raw.value(u"SELECT count(*) FROM messages"_s).toInt(), 7);
    QVERIFY(!raw.value(u"SELECT count(*) FROM pragma_table_info('messages') WHERE name = 'text_length'"_s)
                 .toBool());
}

void TestConversationStore::search()
{
    auto store = openStore();
    Conversation *c = store->create();
    c->title = u"Sourdough"_s;
    store->metaChanged(c);
    const qint64 u1 = c->add(userMessage(u"How long should sourdough proof?"_s));
    Message reply = assistantMessage(u"Bulk fermentation takes 4 to 6 hours at 24 °C."_s, u1);
    reply.reasoning = u"Consider the starter's vigour and the kitchen temperature."_s;
    reply.hasReasoning = true;
    const qint64 a1 = c->add(reply);
    Conversation *d = store->create();
    const qint64 u2 = d->add(userMessage(u"东京的天气怎么样？"_s));
    d->add(assistantMessage(u"东京今天晴天，气温十二度。"_s, u2));
    Conversation *e = store->create();
    e->add(userMessage(u"Is C# or Go better for a CLI?"_s));
    store->flush();

    // Words in replies, case-insensitive, with the match marked in the snippet.
    QList<SearchHit> hits = store->search(u"FERMENTATION"_s, false);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.at(0).messageId, a1);
    QCOMPARE(hits.at(0).conversationId, c->id);
    QCOMPARE(hits.at(0).title, u"Sourdough"_s);
    QCOMPARE(hits.at(0).role, Role::Assistant);
    QVERIFY2(hits.at(0).snippet.contains(u"\uE000fermentation\uE001"_s, Qt::CaseInsensitive),
             qPrintable(hits.at(0).snippet));
    // Several words: all must match; newest first.
    hits = store->search(u"sourdough proof"_s, false);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.at(0).messageId, u1);
    // Reasoning only when asked.
    QCOMPARE(store->search(u"vigour"_s, false).size(), 0);
    hits = store->search(u"vigour"_s, true);
    QCOMPARE(hits.size(), 1);
    QVERIFY(hits.at(0).inReasoning);
    QVERIFY(hits.at(0).snippet.contains(u"\uE000vigour\uE001"_s));
    // CJK needs no word breaks.
    hits = store->search(u"晴天"_s, false); // two characters: the slower scan
    QCOMPARE(hits.size(), 1);
    QVERIFY2(hits.at(0).snippet.contains(u"\uE000晴天\uE001"_s), qPrintable(hits.at(0).snippet));
    QCOMPARE(store->search(u"东京的天气"_s, false).size(), 1);
    QCOMPARE(store->search(u"东京"_s, false).size(), 2);
    // Short words and punctuation, quotes: no syntax errors, literal matches.
    QCOMPARE(store->search(u"C#"_s, false).size(), 1);
    QCOMPARE(store->search(u"Go CLI"_s, false).size(), 1);
    QCOMPARE(store->search(u"\"sourdough"_s, false).size(), 1);
    QCOMPARE(store->search(u"\"to 6 hours\""_s, false).size(), 1); // a phrase
    QCOMPARE(store->search(u"\"6 to hours\""_s, false).size(), 0);
    QCOMPARE(store->search(u"100%"_s, false).size(), 0);
    QCOMPARE(store->search(u"AND OR NOT"_s, false).size(), 0);
    QCOMPARE(store->search(u"   "_s, false).size(), 0);
    // Limits.
    QCOMPARE(store->search(u"o"_s, true, 2).size(), 2);
    // Deleted messages leave the index.
    c->removeBranch(a1);
    store->flush();
    QCOMPARE(store->search(u"fermentation"_s, true).size(), 0);
}

void TestConversationStore::searchInBackground()
{
    auto store = openStore();
    QVERIFY(store);
    Conversation *c = store->create();
    c->title = u"Kilns"_s;
    store->metaChanged(c);
    const qint64 u = c->add(userMessage(u"How hot does a kiln get?"_s));
    c->add(assistantMessage(u"Stoneware is fired near 1280 °C."_s, u));
    store->flush();

    // The same hits as the search the UI would wait for, titles included.
    QList<QList<SearchHit>> answers;
    store->searchInBackground(u"kiln"_s, false, 50,
                              [&](const QList<SearchHit> &hits) { answers.append(hits); });
    QTRY_COMPARE(answers.size(), 1);
    const QList<SearchHit> direct = store->search(u"kiln"_s, false, 50);
    QCOMPARE(answers.at(0).size(), 1);
    QCOMPARE(answers.at(0).at(0).messageId, direct.at(0).messageId);
    QCOMPARE(answers.at(0).at(0).snippet, direct.at(0).snippet);
    QCOMPARE(answers.at(0).at(0).title, u"Kilns"_s);

    // Asked again before the answer came: only the newest reports.
    answers.clear();
    QStringList asked;
    for (const QString &query : {u"kiln"_s, u"sto"_s, u"°C"_s}) // the last one by a scan
        store->searchInBackground(query, false, 50, [&asked, &answers, query](const QList<SearchHit> &hits) {
            asked.append(query);
            answers.append(hits);
        });
    // Searches run, and report, in order: once the newest has, an older one never will.
    QTRY_COMPARE(asked.size(), 1);
    QCOMPARE(asked, QStringList {u"°C"_s});
    QCOMPARE(answers.at(0).size(), 1);
    QVERIFY(answers.at(0).at(0).snippet.contains(u"\uE000°C\uE001"_s));

    // A failure is said, and the caller stops waiting: here the search thread's connection, opened
    // now, finds the file taken over by a newer Moonpane.
    {
        auto fresh = openStore();
        QVERIFY(fresh);
        QVERIFY(Raw(dbPath()).exec(u"PRAGMA user_version = %1"_s.arg(Database::kSchemaVersion + 1)));
        QSignalSpy failed(fresh.get(), &ConversationStore::storageFailed);
        bool answered = false;
        fresh->searchInBackground(u"kiln"_s, false, 50,
                                  [&answered](const QList<SearchHit> &hits) { answered = hits.isEmpty(); });
        QTRY_VERIFY(answered);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(u"newer version"_s),
                 qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(Raw(dbPath()).exec(u"PRAGMA user_version = %1"_s.arg(Database::kSchemaVersion)));
    }

    // A store going away with a search under way: no answer reaches it, and nothing crashes.
    bool called = false;
    store->searchInBackground(u"kiln"_s, false, 50, [&called](const QList<SearchHit> &) { called = true; });
    store.reset();
    QCoreApplication::processEvents();
    QVERIFY(!called);
}

void TestConversationStore::searchSkipsStreamingReplies()
{
    auto store = openStore();
    Conversation *c = store->create();
    const qint64 r = streamingReply(c, u"write"_s);
    c->appendContent(r, u"a pangolin walks"_s);
    store->flush();
    QCOMPARE(store->search(u"pangolin"_s, false).size(), 0); // indexed once it stops
    c->update(r, MessageField::State, [](Message &msg) { msg.state = MessageState::Incomplete; });
    store->flush();
    QCOMPARE(store->search(u"pangolin"_s, false).size(), 1);
    c->update(r, MessageField::Content | MessageField::State, [](Message &msg) {
        msg.content = u"a pangolin walks home"_s;
        msg.state = MessageState::Complete;
    });
    store->flush();
    QCOMPARE(store->search(u"pangolin home"_s, false).size(), 1);
    QCOMPARE(Database::integrityCheck(Raw(dbPath()).db()), u"ok"_s);
    QVERIFY(Raw(dbPath()).exec(u"INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"_s));
}

void TestConversationStore::markdownAndWireExport()
{
    auto store = openStore();
    Conversation *c = richConversation(*store);
    c->selectBranch(c->siblings(c->path().at(2)).constFirst()); // the path with the tool call
    const QString md = Exporter::markdown(*c);
    QVERIFY(md.startsWith(u"# Kyoto in November\n"_s));
    QVERIFY(md.contains(u"**System prompt**\n\n> You are a careful travel planner."_s));
    QVERIFY(md.contains(
        u"<details>\n<summary>Thinking (1.2 s)</summary>\n\nThe user asks about autumn leaves (紅葉) in Kyoto.\n\n</details>"_s));
    QVERIFY2(md.contains(u"*[Image: image/png, 69 bytes]*"_s), qPrintable(md));
    QVERIFY(md.contains(u"**Tool call** `get_weather` (get_weather:0)"_s));
    QVERIFY(md.contains(u"> *Failed: Rate limited*"_s));
    QVERIFY(!md.contains(u"base64"_s));

    const QJsonArray wire = QJsonDocument::fromJson(Exporter::wireJson(*c, true)).array();
    QJsonArray expected;
    for (const ChatMessage &m : c->history())
        expected.append(QJsonDocument::fromJson(m.toJson()).object());
    QCOMPARE(wire, expected);
    QCOMPARE(wire.at(0).toObject().value("role"_L1).toString(), u"system"_s);
    QVERIFY(QJsonDocument(wire).toJson().contains("data:image/png;base64,"));
    const QByteArray without = Exporter::wireJson(*c, false);
    QVERIFY(!without.contains("base64"));
    QVERIFY(without.contains("[image left out of this export: image/png, 69 bytes]"));
    QList<ChatMessage> back;
    QString error;
    QVERIFY2(ChatMessage::listFromJson(Exporter::wireJson(*c, true), &back, &error), qPrintable(error));
    QCOMPARE(back, c->history());
}

void TestConversationStore::exportImportRoundTrip()
{
    QByteArray first;
    {
        auto store = openStore();
        richConversation(*store);
        Conversation *plain = store->create();
        const qint64 u = plain->add(userMessage(u"Line one\nline \"two\"\t\u2028 and emoji 🌕"_s));
        Message cut = assistantMessage(u"partial"_s, u);
        cut.state = MessageState::Incomplete;
        plain->add(cut);
        store->create(); // empty
        QBuffer out(&first);
        out.open(QIODevice::WriteOnly);
        QString error;
        QVERIFY2(store->exportAll(&out, &error), qPrintable(error));
    }
    QCOMPARE(first.count('\n'), 3);
    // Into an empty database: the same export again, byte for byte.
    const QString other = m_env->filePath(u"other/moonpane.db"_s);
    QByteArray second;
    {
        auto store = openStore(other);
        QBuffer in(&first);
        in.open(QIODevice::ReadOnly);
        QString error;
        QCOMPARE(store->importAll(&in, &error), 3);
        QVERIFY(error.isEmpty());
        QCOMPARE(store->conversations().size(), 3);
        QBuffer out(&second);
        out.open(QIODevice::WriteOnly);
        QVERIFY(store->exportAll(&out, &error));
    }
    QCOMPARE(second, first);
    // Into the database it came from: everything again, under new ids.
    auto store = openStore();
    QBuffer in(&first);
    in.open(QIODevice::ReadOnly);
    QString error;
    QCOMPARE(store->importAll(&in, &error), 3);
    QCOMPARE(store->conversations().size(), 6);
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(DISTINCT id) FROM conversations"_s).toInt(), 6);
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM attachments"_s).toInt(), 1); // still stored once
    for (Conversation *c : store->conversations()) {
        if (c->title == "Kyoto in November"_L1) {
            store->conversation(c->id);
            QCOMPARE(c->size(), 7);
            QCOMPARE(c->path().size(), 3);
        }
    }
}

void TestConversationStore::importRefusesMalformedFilesAndImportsNothing_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("complaint");
    QTest::newRow("not json") << QByteArray("{\"title\": ") << u"line 2: not JSON"_s;
    QTest::newRow("not an object") << QByteArray("[1, 2]") << u"line 2: not a JSON object"_s;
    QTest::newRow("no messages") << QByteArray(R"({"title":"x"})")
                                 << u"line 2: \"messages\" must be an array"_s;
    QTest::newRow("bad role") << QByteArray(R"({"title":"x","messages":[{"role":"robot","content":"hi"}]})")
                              << u"line 2: message 1:"_s;
    QTest::newRow("unknown parent") << QByteArray(
        R"({"messages":[{"id":"5","parent_id":"4","role":"user","content":"hi"}]})")
                                    << u"line 2: message 1: its parent 4 is not an earlier message"_s;
    QTest::newRow("bad state") << QByteArray(
        R"({"messages":[{"role":"user","content":"hi","state":"sleepy"}]})")
                               << u"line 2: message 1: unknown state \"sleepy\""_s;
    QTest::newRow("bad date") << QByteArray(R"({"created_at":"yesterday","messages":[]})")
                              << u"line 2: \"created_at\" is not a date"_s;
}

void TestConversationStore::importRefusesMalformedFilesAndImportsNothing()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, complaint);
    auto store = openStore();
    store->create();
    store->flush();
    const QByteArray good = R"({"title":"fine","messages":[{"role":"user","content":"hello"}]})";
    QByteArray file = good + '\n' + line + '\n' + good + '\n';
    QBuffer in(&file);
    in.open(QIODevice::ReadOnly);
    QString error;
    QCOMPARE(store->importAll(&in, &error), -1);
    QVERIFY2(error.startsWith(complaint), qPrintable(error));
    QVERIFY(error.contains(u"nothing was imported"_s));
    QCOMPARE(store->conversations().size(), 1);
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM conversations"_s).toInt(), 1);
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM messages"_s).toInt(), 0);
}

// Two stores on one file behave as the app and the CLI do: each sees what the other wrote.
void TestConversationStore::twoStoresShareOneFile()
{
    auto app = openStore();
    auto cli = openStore();
    QVERIFY(app && cli);
    Conversation *mine = app->create();
    const qint64 u = mine->add(userMessage(u"shared question"_s));
    app->flush();

    // The other one adds a conversation: it appears here.
    QSignalSpy added(app.get(), &ConversationLibrary::added);
    Conversation *theirs = cli->create();
    theirs->title = u"From the CLI"_s;
    cli->metaChanged(theirs);
    theirs->add(userMessage(u"hello from the command line"_s));
    cli->flush();
    QTRY_VERIFY(app->find(theirs->id));
    QTRY_COMPARE(app->find(theirs->id)->title, u"From the CLI"_s);

    // The other one answers in a conversation this one has open: it is read again.
    QSignalSpy reloaded(app.get(), &ConversationStore::conversationReloaded);
    QTRY_VERIFY(cli->find(mine->id)); // the other one hears of it when it reads the file again
    Conversation *same = cli->conversation(mine->id);
    QCOMPARE(same->size(), 1);
    same->add(assistantMessage(u"answer from the CLI"_s, u));
    cli->flush();
    QTRY_COMPARE(reloaded.count(), 1);
    QCOMPARE(reloaded.at(0).at(0).toLongLong(), mine->id);
    QCOMPARE(mine->size(), 2);
    mine->ensureText(mine->path());
    QCOMPARE(mine->message(mine->path().constLast())->content, u"answer from the CLI"_s);

    // A reply the other one is streaming shows as streaming here (its process is alive), and
    // as it ended once it ends.
    Message live = assistantMessage(QString(), mine->path().constLast());
    live.state = MessageState::Streaming;
    const qint64 liveId = same->add(live);
    same->appendContent(liveId, u"still coming"_s);
    cli->flush();
    QTRY_COMPARE(reloaded.count(), 2);
    QVERIFY(mine->message(liveId));
    QCOMPARE(mine->message(liveId)->state, MessageState::Streaming);
    same->update(liveId, MessageField::State, [](Message &m) { m.state = MessageState::Complete; });
    cli->flush();
    QTRY_COMPARE(reloaded.count(), 3);
    mine->ensureText({liveId});
    QCOMPARE(mine->message(liveId)->state, MessageState::Complete);
    QCOMPARE(mine->message(liveId)->content, u"still coming"_s);

    // Both write at once, interleaved: nothing is lost, nothing is "locked".
    QSignalSpy appFailed(app.get(), &ConversationStore::storageFailed);
    QSignalSpy cliFailed(cli.get(), &ConversationStore::storageFailed);
    qint64 parentHere = mine->path().constLast();
    Conversation *other = cli->create();
    qint64 parentThere = 0;
    for (int i = 0; i < 200; ++i) {
        parentHere = mine->add(userMessage(u"here %1"_s.arg(i), parentHere));
        parentThere = other->add(userMessage(u"there %1"_s.arg(i), parentThere));
    }
    app->flush();
    cli->flush();
    QCOMPARE(appFailed.count(), 0);
    QCOMPARE(cliFailed.count(), 0);
    Raw raw(dbPath());
    QCOMPARE(raw.value(u"SELECT count(*) FROM messages WHERE conversation_id = %1"_s.arg(mine->id)).toInt(),
             203);
    QCOMPARE(raw.value(u"SELECT count(*) FROM messages WHERE conversation_id = %1"_s.arg(other->id)).toInt(),
             200);

    // A deletion there removes it here.
    QSignalSpy removed(app.get(), &ConversationLibrary::removed);
    const qint64 theirsId = theirs->id;
    cli->remove(theirsId);
    cli->commitRemove();
    cli->flush();
    QTRY_COMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(0).toLongLong(), theirsId);
    QVERIFY(!app->find(theirsId));
    QCOMPARE(Database::integrityCheck(raw.db()), u"ok"_s);
}

namespace {

// The permission bits of a path, as `ls -l` shows them in octal.
int modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return static_cast<int>(info.st_mode & 07777);
}

// Sets the process umask for a scope.
class Umask
{
public:
    explicit Umask(mode_t mask)
        : m_old(::umask(mask))
    {
    }
    ~Umask() { ::umask(m_old); }
    Umask(const Umask &) = delete;
    Umask &operator=(const Umask &) = delete;

private:
    mode_t m_old;
};

} // namespace

void TestConversationStore::filesArePrivateWhateverTheUmask()
{
    const Umask loose(022); // files 0644 and folders 0755 unless Moonpane says otherwise
    const QString path = m_env->filePath(u"fresh/moonpane.db"_s);
    auto store = openStore(path);
    Conversation *c = store->create();
    Message withImage = userMessage(u"look"_s);
    withImage.parts = {pngPart()};
    const qint64 user = c->add(withImage);
    Message reply = assistantMessage(u"Once"_s, user);
    reply.state = MessageState::Streaming; // takes the process's lock file in streams/
    c->add(reply);
    store->flush();
    const QDir dir = QFileInfo(path).absoluteDir();
    QCOMPARE(modeOf(dir.absolutePath()), 0700);
    for (const QString &file : {u"moonpane.db"_s, u"moonpane.db-wal"_s, u"moonpane.db-shm"_s}) {
        QVERIFY2(QFileInfo::exists(dir.filePath(file)), qPrintable(file));
        QCOMPARE(modeOf(dir.filePath(file)), 0600);
    }
    for (const QString &sub : {u"attachments"_s, u"streams"_s}) {
        QCOMPARE(modeOf(dir.filePath(sub)), 0700);
        const QStringList files = QDir(dir.filePath(sub)).entryList(QDir::Files);
        QCOMPARE(files.size(), 1);
        QCOMPARE(modeOf(QDir(dir.filePath(sub)).filePath(files.constFirst())), 0600);
    }
    // Exports are the user's too.
    QSaveFile exported(m_env->filePath(u"export.jsonl"_s));
    QVERIFY(PrivateFiles::open(&exported));
    QString error;
    QVERIFY(store->exportAll(&exported, &error));
    QVERIFY(exported.commit());
    QCOMPARE(modeOf(m_env->filePath(u"export.jsonl"_s)), 0600);
}

void TestConversationStore::existingModesArePutRightOnOpen()
{
    {
        const Umask loose(022);
        auto store = openStore();
        Message withImage = userMessage(u"look"_s);
        withImage.parts = {pngPart()};
        store->create()->add(withImage);
        store->flush();
    }
    // As an older Moonpane left them: readable by everyone.
    const QDir dir = QFileInfo(dbPath()).absoluteDir();
    const QString media = Database::attachmentsDir(dbPath());
    const QString file = QDir(media).filePath(QDir(media).entryList(QDir::Files).constFirst());
    for (const QString &path : {dir.absolutePath(), media})
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0755), 0);
    for (const QString &path : {dbPath(), file})
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0644), 0);
    QCOMPARE(modeOf(dbPath()), 0644);

    auto store = openStore();
    store->flush(); // the modes are put right on the writer's thread
    QCOMPARE(modeOf(dir.absolutePath()), 0700);
    QCOMPARE(modeOf(media), 0700);
    QCOMPARE(modeOf(dbPath()), 0600);
    QCOMPARE(modeOf(file), 0600);
}

void TestConversationStore::strayMediaFilesAreSweptOnOpen()
{
    QString kept;
    {
        auto store = openStore();
        Message withImage = userMessage(u"look"_s);
        withImage.parts = {pngPart()};
        store->create()->add(withImage);
        store->flush();
        kept = QDir(Database::attachmentsDir(dbPath())).entryList(QDir::Files).constFirst();
    }
    // Files no row names: a crash between writing one and committing its row, a crash while a
    // file was copied in (an .incoming- name), both long ago; and one written a moment ago, an
    // attachment another process is importing, which must stay.
    const QDir media(Database::attachmentsDir(dbPath()));
    const auto writeFile = [&](const QString &name, qint64 ageMs) {
        QFile file(media.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("orphan");
        QVERIFY(file.flush()); // or closing it would write, and date it now
        QVERIFY(file.setFileTime(QDateTime::currentDateTimeUtc().addMSecs(-ageMs),
                                 QFileDevice::FileModificationTime));
    };
    const QString fresh = u"1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f"_s;
    writeFile(u"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"_s,
              2 * MediaFolder::kGraceMs);
    writeFile(u".incoming-deadbeef"_s, 2 * MediaFolder::kGraceMs);
    writeFile(fresh, 1000);
    auto store = openStore();
    store->flush();
    QStringList expected {kept, fresh};
    expected.sort();
    QCOMPARE(media.entryList(QDir::Files | QDir::Hidden, QDir::Name), expected);
}

void TestConversationStore::aDraftKeepsItsMediaAcrossRestarts()
{
    const QString dir = Database::attachmentsDir(dbPath());
    const QDir media(dir);
    qint64 id = 0;
    AttachedMedia photo;
    {
        auto store = openStore();
        QVERIFY(store);
        Conversation *c = store->create();
        id = c->id;
        // Attached as the app attaches: into the store's media folder, then into the draft.
        ImportOptions options;
        options.mediaDir = dir;
        options.maxImageEdge = 8;
        QImage image(32, 16, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        const ImportedMedia imported = MediaImporter::importImage(image, u"Pasted image 1"_s, options);
        QVERIFY2(imported.ok(), qPrintable(imported.error));
        QVERIFY(!imported.media.prepared.isNull()); // scaled down to 8 px
        photo = imported.media;
        photo.sendOriginal = true;
        c->draft = u"what colour is this?"_s;
        c->draftMedia = {photo, photo}; // the same picture twice: two attachments
        store->metaChanged(c);
        store->flush();
    }
    {
        auto store = openStore();
        Conversation *c = store->find(id);
        QVERIFY(c);
        QCOMPARE(c->draft, u"what colour is this?"_s);
        QCOMPARE(c->draftMedia.size(), 2);
        for (const AttachedMedia &m : std::as_const(c->draftMedia)) {
            QCOMPARE(m.original.hash, photo.original.hash);
            QCOMPARE(m.original.path, photo.original.path);
            QCOMPARE(m.original.name, u"Pasted image 1"_s);
            QCOMPARE(m.original.mimeType, u"image/png"_s);
            QCOMPARE(QSize(m.original.width, m.original.height), QSize(32, 16));
            QCOMPARE(m.prepared.hash, photo.prepared.hash);
            QCOMPARE(QSize(m.prepared.width, m.prepared.height), QSize(8, 4));
            QVERIFY(m.sendOriginal);
            QCOMPARE(m.sent().hash, photo.original.hash);
        }
        // Sent: the draft's media become the message's. Once the message is deleted too, nothing
        // refers to either file (the scaled copy was the draft's alone): rows and files go.
        Message sent = userMessage(c->draft);
        sent.parts = {ContentPart::fromMedia(c->draftMedia.at(0).sent())};
        store->conversation(id)->add(sent);
        c->draft.clear();
        c->draftMedia.clear();
        store->metaChanged(c);
        store->flush();
        const qint64 messageId = c->leaf();
        c->removeBranch(messageId);
        store->flush();
    }
    QCOMPARE(Raw(dbPath()).value(u"SELECT count(*) FROM attachments"_s).toInt(), 0);
    QCOMPARE(media.entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestConversationStore::removedMediaAreGoneEvenIfTheStoreClosesAtOnce()
{
    // The file of a removed message goes in a follow-up write, posted by the write that removed
    // its row; a store destroyed right after the removal (the CLI exiting) must still run it.
    const QDir media(Database::attachmentsDir(dbPath()));
    {
        auto store = openStore();
        Conversation *c = store->create();
        Message withImage = userMessage(u"look"_s);
        withImage.parts = {pngPart()};
        const qint64 id = c->add(withImage);
        store->flush();
        QCOMPARE(media.entryList(QDir::Files).size(), 1);
        c->removeBranch(id);
    }
    QCOMPARE(media.entryList(QDir::Files), QStringList());
}

void TestConversationStore::textAfterANulCanBeFound()
{
    auto store = openStore();
    Conversation *c = store->create();
    const QString withNul = u"before"_s + QChar(u'\0') + u" albatross after"_s;
    const qint64 user = c->add(userMessage(withNul));
    // Streamed text goes another way into the file: appended in batches.
    Message reply = assistantMessage(QString(), user);
    reply.state = MessageState::Streaming;
    const qint64 replyId = c->add(reply);
    c->appendContent(replyId, u"start"_s + QChar(u'\0') + u" pelican end"_s);
    c->update(replyId, MessageField::State, [](Message &m) { m.state = MessageState::Complete; });
    store->flush();
    QCOMPARE(store->search(u"albatross"_s, false).size(), 1);
    QCOMPARE(store->search(u"pelican"_s, false).size(), 1);
    const qint64 id = c->id;
    store.reset();
    store = openStore();
    c = store->conversation(id);
    c->ensureText(c->path());
    QString expected = withNul;
    expected[6] = QChar::ReplacementCharacter; // the NUL, and nothing else
    QCOMPARE(c->message(user)->content, expected);
    QVERIFY(c->message(replyId)->content.endsWith(u" pelican end"_s));
    QVERIFY(!c->message(replyId)->content.contains(QChar(u'\0')));
}

QTEST_GUILESS_MAIN(TestConversationStore)
#include "tst_ConversationStore.moc"
