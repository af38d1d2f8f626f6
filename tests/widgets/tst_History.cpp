// The window on a real conversation database: the history survives a restart; a reply cut off by
// a crash comes back incomplete and Continue finishes it; Ctrl+F finds and moves through matches
// (thinking included on request); Ctrl+Shift+F searches everything and opens the conversation at
// the message, on its branch; export and import; a history that cannot be opened is explained;
// a conversation another process (the CLI) changes is shown as it is now; scrolling a long
// stored conversation with images runs no query and opens no file on the UI thread.
#include "Composer.h"
#include "ComposerEdit.h"
#include "ConversationView.h"
#include "FakeServer.h"
#include "FileOpenCounter.h"
#include "FindBar.h"
#include "JobProgress.h"
#include "MainWindow.h"
#include "MessageLayout.h"
#include "NoticeBar.h"
#include "SearchDialog.h"
#include "TestEnvironment.h"
#include "TestMessages.h"
#include "ThinkingInspector.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"
#include "storage/ArchiveJob.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/Database.h"

#include <QAction>
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTest>
#include <QToolButton>

#include <functional>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kKey = "fake-history-test-key-42";

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void historySurvivesARestart();
    void replyCutByACrashOffersContinue();
    void findBarFindsAndMoves();
    void searchAllOpensTheConversationAtTheMessage();
    void thinkingSearchUsesTheStore();
    void exportAndImport();
    void aHistoryThatCannotBeOpenedIsExplained();
    void changesFromAnotherProcessAppear();
    void aChangeElsewhereRereadsOnlyWhatChanged();
    void scrollingTouchesNoDiskOnTheUiThread();
    void aJobShowsProgressAndCanBeCancelled();
    void findSaysSoFarWhileTextArrives();

private:
    void openWindow(const QString &path = {});
    void closeWindow();
    // Selects a conversation and waits for its messages, which the store reads off the UI thread.
    [[nodiscard]] bool selectAndWait(qint64 id);
    [[nodiscard]] bool waitOpened();
    // Writes a conversation of `count` messages as another process would, before the window
    // opens (`make` gives message i, user first, under `parent`); with `newerAfter` an empty one
    // follows, which the window then opens first. Returns its id (0: the file did not open) and
    // fills `ids` with the messages' ids.
    qint64 writeConversation(int count, const std::function<Message(int i, qint64 parent)> &make,
                             bool newerAfter, QList<qint64> *ids = nullptr);
    void waitIdle();
    QString dbPath() const { return m_env->filePath(u"data/moonpane/moonpane.db"_s); }

    std::unique_ptr<TestEnvironment> m_env;
    FakeServer *m_server = nullptr;
    std::unique_ptr<ConversationStore> m_store;
    std::unique_ptr<MainWindow> m_window;
};

void TestHistory::init()
{
    m_env = std::make_unique<TestEnvironment>();
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    qputenv("MOONPANE_BASE_URL", m_server->baseUrl().toString().toUtf8());
    qputenv("MOONPANE_API_KEY", kKey);
}

void TestHistory::cleanup()
{
    closeWindow();
    delete m_server;
    m_env.reset();
    qunsetenv("MOONPANE_BASE_URL");
    qunsetenv("MOONPANE_API_KEY");
}

void TestHistory::openWindow(const QString &path)
{
    m_store = std::make_unique<ConversationStore>();
    QString error;
    const bool opened = m_store->open(path.isEmpty() ? dbPath() : path, &error);
    m_window = std::make_unique<MainWindow>(m_store.get());
    if (!opened)
        m_window->showStorageProblem(error);
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window.get()))
        qFatal("window not exposed");
    QSignalSpy loaded(m_window->credentials(), &Credentials::changed);
    if (!m_window->credentials()->isLoaded() && !loaded.wait(10000))
        qFatal("the keychain did not answer");
    m_window->activateWindow();
    if (!waitOpened()) // the newest conversation, which the window opens first
        qFatal("the first conversation did not open");
}

bool TestHistory::waitOpened()
{
    QDeadlineTimer deadline(10'000);
    while (m_window->currentConversation() && m_window->currentConversation()->isLoading()
           && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    return !m_window->currentConversation() || !m_window->currentConversation()->isLoading();
}

qint64 TestHistory::writeConversation(int count, const std::function<Message(int, qint64)> &make,
                                      bool newerAfter, QList<qint64> *ids)
{
    ConversationStore writer;
    QString error;
    if (!writer.open(dbPath(), &error, false)) {
        qWarning("%s", qPrintable(error));
        return 0;
    }
    Conversation *c = writer.create();
    qint64 parent = 0;
    for (int i = 0; i < count; ++i) {
        parent = c->add(make(i, parent));
        if (ids)
            ids->append(parent);
    }
    const qint64 id = c->id;
    if (newerAfter)
        writer.create();
    return id;
}

bool TestHistory::selectAndWait(qint64 id)
{
    m_window->selectConversation(id);
    return waitOpened();
}

void TestHistory::closeWindow()
{
    if (m_window)
        m_window->close();
    m_window.reset();
    m_store.reset();
}

void TestHistory::waitIdle()
{
    ChatSession *session = m_window->session(m_window->currentConversation());
    if (session->isBusy()) {
        QSignalSpy finished(session, &ChatSession::replyFinished);
        QVERIFY(finished.wait(10000));
    }
}

void TestHistory::historySurvivesARestart()
{
    openWindow();
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    ComposerEdit *edit = m_window->composer()->editor();
    edit->setFocus();
    QTest::keyClicks(edit, u"Remember me"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    waitIdle();
    const QString reply = loadedAt(*m_window->conversationModel(), 1)->content;
    QVERIFY(!reply.isEmpty());
    // A draft is saved a moment after typing stops, without leaving the conversation (a crash
    // right after loses nothing).
    m_window->newConversation();
    QTest::keyClicks(m_window->composer()->editor(), u"half-written"_s);
    const qint64 drafted = m_window->currentConversation()->id;
    {
        QString error;
        QSqlDatabase raw = Database::open(dbPath(), u"draft"_s, &error);
        QTRY_COMPARE_WITH_TIMEOUT(
            [&] {
                QSqlQuery query(raw);
                query.exec(u"SELECT draft FROM conversations WHERE id = %1"_s.arg(drafted));
                return query.next() ? query.value(0).toString() : QString();
            }(),
            u"half-written"_s, 5000);
    }
    QSqlDatabase::removeDatabase(u"draft"_s);
    closeWindow();

    openWindow();
    QCOMPARE(m_store->conversations().size(), 2);
    Conversation *kept = nullptr;
    for (Conversation *c : m_store->conversations()) {
        if (c->title == "Remember me"_L1)
            kept = c;
        else
            QCOMPARE(c->draft, u"half-written"_s);
    }
    QVERIFY(kept);
    QVERIFY(selectAndWait(kept->id));
    ConversationModel *model = m_window->conversationModel();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(loadedAt(*model, 0)->content, u"Remember me"_s);
    QCOMPARE(model->messageAt(1)->content, reply);
    QCOMPARE(model->messageAt(1)->state, MessageState::Complete);
}

void TestHistory::replyCutByACrashOffersContinue()
{
    // As a crashed process leaves it: "streaming", owned by a process that is gone.
    qint64 conversationId = 0;
    qint64 replyId = 0;
    {
        ConversationStore store;
        QString error;
        QVERIFY(store.open(dbPath(), &error));
        Conversation *c = store.create();
        c->title = u"Cut"_s;
        store.metaChanged(c);
        const qint64 user = c->add(message(Role::User, u"Write a haiku"_s, 0));
        replyId = c->add(message(Role::Assistant, u"Autumn moonlight—"_s, user));
        conversationId = c->id;
    }
    {
        QString error;
        QSqlDatabase raw = Database::open(dbPath(), u"raw"_s, &error);
        QVERIFY(QSqlQuery(raw).exec(
            u"UPDATE messages SET state = 'streaming', stream_owner = 'gone' WHERE id = %1"_s.arg(replyId)));
    }
    QSqlDatabase::removeDatabase(u"raw"_s);

    openWindow();
    QVERIFY(selectAndWait(conversationId));
    const Message *cut = loadedAt(*m_window->conversationModel(), 1);
    QCOMPARE(cut->state, MessageState::Incomplete);
    QCOMPARE(cut->content, u"Autumn moonlight—"_s);
    m_window->view()->layoutNow();

    // Continue: Partial Mode from what was saved.
    FakeResponse rest = FakeResponse::sse(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" a worm digs silently\"}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    m_server->enqueue(rest);
    // The notice under the reply has Continue; click it.
    ConversationView *view = m_window->view();
    const QRect button = view->layoutAt(1)->buttonRect(MessageAction::Continue);
    QVERIFY(button.isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->rowRect(1).topLeft() + button.center());
    waitIdle();
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.last().toObject().value("partial"_L1), QJsonValue(true));
    QCOMPARE(sent.last().toObject().value("content"_L1).toString(), u"Autumn moonlight—"_s);
    const Message *finished = m_window->conversationModel()->messageAt(1);
    QCOMPARE(finished->state, MessageState::Complete);
    QCOMPARE(finished->content, u"Autumn moonlight— a worm digs silently"_s);
    m_store->flush();
    closeWindow();
    ConversationStore store;
    QString error;
    QVERIFY(store.open(dbPath(), &error));
    Conversation *c = store.conversation(conversationId);
    c->ensureText({replyId});
    QCOMPARE(c->message(replyId)->content, u"Autumn moonlight— a worm digs silently"_s);
}

void TestHistory::findBarFindsAndMoves()
{
    openWindow();
    qint64 parent = 0;
    QList<qint64> withNeedle;
    qint64 thinker = 0;
    for (int i = 0; i < 60; ++i) {
        Message m = message(
            i % 2 ? Role::Assistant : Role::User,
            i % 10 == 3 ? u"a Needle in row %1, and another needle"_s.arg(i) : u"hay %1"_s.arg(i), parent);
        if (i == 41) {
            m.reasoning = u"thinking about the needle"_s;
            m.hasReasoning = true;
        }
        parent = m_window->currentConversation()->add(m);
        if (i % 10 == 3)
            withNeedle.append(parent);
        if (i == 41)
            thinker = parent;
    }
    m_window->view()->setPinnedToBottom(true);
    m_window->view()->layoutNow();
    // The find starts from what is on screen (the end of the conversation).
    const int top = m_window->view()->indexAt(QPoint(0, 0)).row();
    int firstShown = 0;
    while (m_window->conversationModel()->rowOf(withNeedle.at(firstShown)) < top)
        ++firstShown;

    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    FindBar *bar = m_window->findBar();
    QVERIFY(bar->isVisible());
    auto *field = bar->findChild<QLineEdit *>(u"findField"_s);
    QVERIFY(field->hasFocus());
    QTest::keyClicks(field, u"needle"_s);
    // Six messages with two each; the thinking is not searched yet.
    QVERIFY2(bar->resultText().endsWith(u"of 12"_s), qPrintable(bar->resultText()));
    const FindContext first = m_window->view()->find();
    QCOMPARE(first.term, u"needle"_s);
    QCOMPARE(first.messageId, withNeedle.at(firstShown));
    QCOMPARE(first.occurrence, 0);
    QCOMPARE(bar->resultText(), u"%1 of 12"_s.arg(firstShown * 2 + 1));
    while (bar->resultText() != u"12 of 12"_s)
        QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(m_window->view()->find().messageId, withNeedle.at(5));
    QCOMPARE(m_window->view()->find().occurrence, 1);
    QTest::keyClick(field, Qt::Key_Return); // wraps around
    QCOMPARE(bar->resultText(), u"1 of 12"_s);
    QCOMPARE(m_window->view()->find().messageId, withNeedle.at(0));
    // The view scrolled there: the first match's row is on screen.
    const int row = m_window->conversationModel()->rowOf(withNeedle.at(0));
    QVERIFY(m_window->view()
                ->visualRect(m_window->conversationModel()->index(row))
                .intersects(m_window->view()->viewport()->rect()));
    QTest::keyClick(field, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(bar->resultText(), u"12 of 12"_s);
    QTest::keyClick(m_window.get(), Qt::Key_F3);
    QCOMPARE(bar->resultText(), u"1 of 12"_s);

    // With the thinking: one more, in reading order before its reply's text.
    bar->findChild<QCheckBox *>(u"findInThinking"_s)->setChecked(true);
    QCOMPARE(bar->resultText().section(u' ', 2), u"13"_s);
    for (int i = 0; i < 13 && m_window->view()->find().area != TextArea::Reasoning; ++i)
        QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(m_window->view()->find().area, TextArea::Reasoning);
    QCOMPARE(m_window->view()->find().messageId, thinker);
    QVERIFY(m_window->view()->rowState(m_window->conversationModel()->rowOf(thinker))->thinkingExpanded);

    // Nothing found says so; Escape closes and clears the marks.
    field->setText(u"haystack"_s);
    QCOMPARE(bar->resultText(), u"No matches"_s);
    QTest::keyClick(field, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    QVERIFY(m_window->view()->find().term.isEmpty());
}

// The Thinking tab's search is the history's full-text search, kept to this conversation's
// reasoning: a reply of another branch is found too, another conversation's is not.
void TestHistory::thinkingSearchUsesTheStore()
{
    qint64 offPath = 0;
    {
        ConversationStore store;
        QString error;
        QVERIFY(store.open(dbPath(), &error));
        Conversation *other = store.create();
        other->title = u"Elsewhere"_s;
        store.metaChanged(other);
        const qint64 q = other->add(message(Role::User, u"Kilns?"_s, 0));
        Message elsewhere = message(Role::Assistant, u"Hot."_s, q);
        elsewhere.reasoning = u"stoneware vitrifies around 1280 degrees"_s;
        elsewhere.hasReasoning = true;
        other->add(elsewhere);
        Conversation *c = store.create();
        c->title = u"Pottery"_s;
        store.metaChanged(c);
        const qint64 u = c->add(message(Role::User, u"How hot is a kiln?"_s, 0));
        Message first = message(Role::Assistant, u"About 1280 °C."_s, u);
        first.reasoning = u"Stoneware is fired near 1280 degrees, earthenware lower."_s;
        first.hasReasoning = true;
        offPath = c->add(first);
        Message second = message(Role::Assistant, u"Around 1200 °C."_s, u); // regenerated: now active
        second.reasoning = u"A kiln for stoneware runs hot."_s;
        second.hasReasoning = true;
        c->add(second);
    }
    openWindow();
    QCOMPARE(m_window->currentConversation()->title, u"Pottery"_s);
    m_window->action(u"showThinking"_s)->trigger();
    ThinkingInspector *thinking = m_window->thinkingInspector();
    QTRY_VERIFY(thinking->isVisible());
    thinking->searchField()->setText(u"stoneware"_s);
    QTRY_COMPARE(thinking->searchResults()->count(), 2); // both branches here, none from elsewhere
    QList<qint64> found;
    for (int i = 0; i < thinking->searchResults()->count(); ++i) {
        found.append(thinking->searchResults()->item(i)->data(Qt::UserRole).toLongLong());
        QVERIFY(thinking->searchResults()->item(i)->text().contains(u"«Stoneware»"_s, Qt::CaseInsensitive));
    }
    QVERIFY(found.contains(offPath));
    QVERIFY(!found.contains(0));
}

void TestHistory::searchAllOpensTheConversationAtTheMessage()
{
    qint64 target = 0;
    qint64 conversationId = 0;
    {
        ConversationStore store;
        QString error;
        QVERIFY(store.open(dbPath(), &error));
        Conversation *old = store.create();
        old->title = u"Pottery"_s;
        store.metaChanged(old);
        const qint64 u = old->add(message(Role::User, u"How hot is a kiln?"_s, 0));
        target = old->add(message(Role::Assistant, u"Stoneware is fired near 1280 °C in the kiln."_s, u));
        old->add(message(Role::Assistant, u"About 1200 degrees."_s, u)); // regenerated: now active
        conversationId = old->id;
        Conversation *recent = store.create();
        recent->title = u"Bread"_s;
        store.metaChanged(recent);
        recent->add(message(Role::User, u"Proofing times?"_s, 0));
    }
    openWindow();
    QCOMPARE(m_window->currentConversation()->title, u"Bread"_s);
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    SearchDialog *dialog = m_window->searchDialog();
    QVERIFY(dialog && dialog->isVisible());
    auto *field = dialog->findChild<QLineEdit *>(u"searchField"_s);
    QTest::keyClicks(field, u"stonewar"_s);
    dialog->searchNow(); // runs on the store's search thread
    QTRY_VERIFY(!dialog->isSearching());
    QCOMPARE(dialog->resultCount(), 1);
    // Enter before the matches of what was typed last are in: the first of them opens when they are.
    QTest::keyClick(field, Qt::Key_E);
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(dialog->isVisible());
    QTRY_VERIFY(!dialog->isVisible());
    Conversation *current = m_window->currentConversation();
    QCOMPARE(current->id, conversationId);
    QVERIFY(waitOpened()); // its messages come from the reader thread; the match is shown then
    QVERIFY(current->path().contains(target)); // its branch is the one shown
    QVERIFY(m_window->findBar()->isVisible());
    QCOMPARE(m_window->view()->find().term, u"stoneware"_s);
    // The conversation's text comes from the reader thread; the match is shown when it is in.
    QTRY_COMPARE(m_window->view()->find().messageId, target);
    QCOMPARE(m_window->findBar()->resultText(), u"1 of 1"_s);

    // No store, no search.
    closeWindow();
    m_window = std::make_unique<MainWindow>();
    QVERIFY(!m_window->action(u"searchAll"_s)->isEnabled());
}

void TestHistory::exportAndImport()
{
    openWindow();
    Conversation *c = m_window->currentConversation();
    c->title = u"Exported"_s;
    m_store->metaChanged(c);
    Message answer = message(Role::Assistant, u"Forty-two."_s, 0);
    const qint64 user = m_window->currentConversation()->add(message(Role::User, u"The answer?"_s, 0));
    answer.parentId = user;
    answer.reasoning = u"Deep thought."_s;
    answer.hasReasoning = true;
    m_window->currentConversation()->add(answer);

    // Each runs as a job; the window says how it went when it ends.
    const auto finish = [](ArchiveJob *job) -> QList<QVariant> {
        if (!job)
            return {};
        QSignalSpy finished(job, &ArchiveJob::finished);
        return finished.wait(20'000) ? finished.at(0) : QList<QVariant>();
    };
    const QString md = m_env->filePath(u"out.md"_s);
    QList<QVariant> outcome =
        finish(m_window->exportConversation(c->id, MainWindow::ExportFormat::Markdown, md));
    QVERIFY(!outcome.isEmpty());
    QVERIFY2(outcome.at(0).toBool(), qPrintable(outcome.at(1).toString()));
    QCOMPARE(outcome.at(2).toInt(), 1);
    QFile mdFile(md);
    QVERIFY(mdFile.open(QIODevice::ReadOnly));
    const QByteArray markdown = mdFile.readAll();
    QVERIFY(markdown.startsWith("# Exported\n"));
    QVERIFY(markdown.contains("<details>\n<summary>Thinking</summary>\n\nDeep thought.\n\n</details>"));
    QVERIFY(m_window->statusBar()->currentMessage().startsWith(u"Exported to "_s));
    const QString json = m_env->filePath(u"out.json"_s);
    outcome = finish(m_window->exportConversation(c->id, MainWindow::ExportFormat::Json, json));
    QVERIFY(!outcome.isEmpty() && outcome.at(0).toBool());
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(jsonFile.readAll()).array().size(), 2);
    // A file that cannot be written says why, in the notice bar.
    outcome = finish(m_window->exportConversation(c->id, MainWindow::ExportFormat::Markdown,
                                                  m_env->filePath(u"no/such/dir/x.md"_s)));
    QVERIFY(!outcome.isEmpty() && !outcome.at(0).toBool());
    QVERIFY(!outcome.at(1).toString().isEmpty());
    QVERIFY2(m_window->noticeBar()->isVisible() && m_window->noticeBar()->text().contains(u"x.md"_s),
             qPrintable(m_window->noticeBar()->text()));

    const QString all = m_env->filePath(u"all.jsonl"_s);
    outcome = finish(m_window->exportAll(all));
    QVERIFY(!outcome.isEmpty() && outcome.at(0).toBool());
    QCOMPARE(outcome.at(2).toInt(), 1);
    closeWindow();
    openWindow(m_env->filePath(u"other/moonpane.db"_s));
    const int before = static_cast<int>(m_store->conversations().size());
    outcome = finish(m_window->importConversations(all));
    QVERIFY(!outcome.isEmpty() && outcome.at(0).toBool());
    QCOMPARE(outcome.at(2).toInt(), 1);
    QCOMPARE(static_cast<int>(m_store->conversations().size()), before + 1);
    const QString broken = m_env->writeFile(u"broken.jsonl"_s, "{\"messages\": 5}\n");
    outcome = finish(m_window->importConversations(broken));
    QVERIFY(!outcome.isEmpty() && !outcome.at(0).toBool());
    QVERIFY2(outcome.at(1).toString().contains(u"line 1"_s), qPrintable(outcome.at(1).toString()));
    QCOMPARE(static_cast<int>(m_store->conversations().size()), before + 1);
}

void TestHistory::aJobShowsProgressAndCanBeCancelled()
{
    // Enough conversations that the export is still running when Cancel is clicked.
    {
        ConversationStore writer;
        QString error;
        QVERIFY2(writer.open(dbPath(), &error, false), qPrintable(error));
        for (int i = 0; i < 300; ++i) {
            Conversation *c = writer.create();
            c->title = u"Conversation %1"_s.arg(i);
            writer.metaChanged(c);
            c->add(message(Role::User, u"Question %1 "_s.arg(i).repeated(200), 0));
        }
    }
    openWindow();
    // Another connection holds the write lock, so a change made here waits to be written, and
    // the export (which starts from what this window wrote) waits for it: Cancel comes first.
    QString error;
    QSqlDatabase lock = Database::open(dbPath(), u"lock"_s, &error);
    QVERIFY2(lock.isValid(), qPrintable(error));
    QVERIFY(Database::exec(lock, u"BEGIN IMMEDIATE"_s, &error));
    Conversation *current = m_window->currentConversation();
    current->title = u"Renamed while locked"_s;
    m_store->metaChanged(current);
    const QString path = m_env->filePath(u"cancelled.jsonl"_s);
    ArchiveJob *job = m_window->exportAll(path);
    QVERIFY(job);
    QSignalSpy finished(job, &ArchiveJob::finished);
    JobProgress *progress = m_window->jobProgress();
    QVERIFY(progress->isVisible());
    QVERIFY(!m_window->action(u"exportAll"_s)->isEnabled()); // one at a time
    QVERIFY(!m_window->exportAll(path));
    QTest::mouseClick(progress->findChild<QToolButton *>(u"jobCancel"_s), Qt::LeftButton);
    QVERIFY(job->isCancelled());
    QVERIFY(Database::exec(lock, u"COMMIT"_s, &error));
    lock.close();
    lock = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"lock"_s);
    QVERIFY(finished.wait(20'000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(finished.at(0).at(1).toString(), QString()); // cancelled, not failed
    QVERIFY(!QFile::exists(path)); // nothing half-written is left
    QCOMPARE(m_window->statusBar()->currentMessage(), u"Cancelled; nothing was written."_s);

    // Run again to the end: it reports its progress, and the file holds every conversation.
    ArchiveJob *again = m_window->exportAll(path);
    QVERIFY(again);
    QSignalSpy progressed(again, &ArchiveJob::progressed);
    QSignalSpy done(again, &ArchiveJob::finished);
    QVERIFY(done.wait(20'000));
    QVERIFY(done.at(0).at(0).toBool());
    QCOMPARE(done.at(0).at(2).toInt(), 300);
    QVERIFY(!progressed.isEmpty());
    QCOMPARE(progressed.constLast().at(0).toLongLong(), 300);
    QCOMPARE(progressed.constLast().at(1).toLongLong(), 300);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count('\n'), 300);
    QVERIFY(!progress->isVisible());
    QVERIFY(m_window->action(u"exportAll"_s)->isEnabled());
}

void TestHistory::aHistoryThatCannotBeOpenedIsExplained()
{
    {
        QString error;
        QSqlDatabase raw = Database::open(dbPath(), u"raw"_s, &error);
        QSqlQuery(raw).exec(u"PRAGMA user_version = 77"_s);
    }
    QSqlDatabase::removeDatabase(u"raw"_s);
    openWindow();
    QVERIFY(m_window->noticeBar()->isVisible());
    QVERIFY2(m_window->noticeBar()->text().contains(u"newer version of Moonpane"_s),
             qPrintable(m_window->noticeBar()->text()));
    QVERIFY(!m_window->action(u"searchAll"_s)->isEnabled());
    QVERIFY(!m_window->action(u"exportAll"_s)->isEnabled());
    // The app still works, in memory.
    QVERIFY(m_window->currentConversation());
    m_window->currentConversation()->add(message(Role::User, u"still here"_s, 0));
    QCOMPARE(m_window->conversationModel()->rowCount(), 1);
    // A save failing later shows there too.
    emit m_store->storageFailed(u"Could not save: disk full"_s);
    QCOMPARE(m_window->noticeBar()->text(), u"Could not save: disk full"_s);
}

void TestHistory::changesFromAnotherProcessAppear()
{
    openWindow();
    Conversation *c = m_window->currentConversation();
    const qint64 user = m_window->currentConversation()->add(message(Role::User, u"Shared"_s, 0));
    m_store->flush();

    // The CLI, elsewhere, answers in this conversation and starts another one.
    ConversationStore cli;
    QString error;
    QVERIFY(cli.open(dbPath(), &error, false));
    Conversation *there = cli.conversation(c->id);
    there->add(message(Role::Assistant, u"Answered from the CLI"_s, user));
    Conversation *fresh = cli.create();
    fresh->title = u"Started in the CLI"_s;
    cli.metaChanged(fresh);
    cli.flush();

    QTRY_COMPARE(m_window->conversationModel()->rowCount(), 2);
    QCOMPARE(loadedAt(*m_window->conversationModel(), 1)->content, u"Answered from the CLI"_s);
    QTRY_VERIFY(m_store->find(fresh->id));
    // And deleted there: it goes here, and the window moves on.
    m_window->selectConversation(fresh->id);
    QCOMPARE(m_window->currentConversation()->id, fresh->id);
    const qint64 freshId = fresh->id;
    cli.remove(freshId);
    cli.commitRemove();
    cli.flush();
    QTRY_VERIFY(!m_store->find(freshId));
    QTRY_VERIFY(m_window->currentConversation() && m_window->currentConversation()->id != freshId);
}

void TestHistory::aChangeElsewhereRereadsOnlyWhatChanged()
{
    QList<qint64> ids;
    const qint64 id = writeConversation(
        6,
        [](int i, qint64 parent) {
            return message(i % 2 ? Role::Assistant : Role::User, u"Message %1"_s.arg(i), parent);
        },
        false, &ids);
    QVERIFY(id);
    openWindow();
    QCOMPARE(m_window->currentConversation()->id, id);
    ConversationView *view = m_window->view();
    ConversationModel *model = m_window->conversationModel();
    QTRY_VERIFY(view->isLayoutSettled());
    QCOMPARE(model->rowCount(), 6);
    QList<const MessageLayout *> layouts;
    for (int row = 0; row < 6; ++row) {
        layouts.append(view->layoutAt(row));
        QVERIFY(layouts.constLast() && !layouts.constLast()->isPlaceholder());
    }

    // The CLI answers one message again in place (its text changes) and adds one more.
    ConversationStore cli;
    QString error;
    QVERIFY(cli.open(dbPath(), &error, false));
    Conversation *there = cli.conversation(id);
    there->ensureText(there->path());
    there->update(ids.at(3), MessageField::Content, [](Message &m) { m.content = u"Changed there"_s; });
    there->add(message(Role::User, u"Added there"_s, ids.at(5)));
    cli.flush();
    QSignalSpy reloaded(m_store.get(), &ConversationStore::conversationReloaded);
    QVERIFY(reloaded.wait(10'000));
    QCOMPARE(model->rowCount(), 7);
    // What did not change kept its text and its layout; what changed is read again.
    Conversation *here = m_window->currentConversation();
    for (int row : {0, 1, 2, 4, 5}) {
        QVERIFY2(here->message(ids.at(row))->textLoaded, qPrintable(QString::number(row)));
        QCOMPARE(view->layoutAt(row), layouts.at(row));
    }
    QVERIFY(!here->message(ids.at(3))->textLoaded);
    QTRY_VERIFY(view->isLayoutSettled());
    QCOMPARE(model->messageAt(3)->content, u"Changed there"_s);
    QCOMPARE(model->messageAt(6)->content, u"Added there"_s);
    QCOMPARE(view->layoutAt(0), layouts.at(0));
}

void TestHistory::scrollingTouchesNoDiskOnTheUiThread()
{
    // A long conversation, every question with an image, saved and read back as at launch.
    constexpr int kMessages = 1000;
    const qint64 id = writeConversation(
        kMessages,
        [](int i, qint64 parent) {
            Message m = message(
                i % 2 ? Role::Assistant : Role::User,
                u"Message %1. "_s.arg(i) + u"Some words to wrap over a few lines. "_s.repeated(4), parent);
            if (m.role == Role::User)
                m.parts = {ContentPart::fromImageUrl("data:image/png;base64," + QByteArray(3000, 'A'))};
            return m;
        },
        true);
    QVERIFY(id);
    openWindow();
    ConversationView *view = m_window->view();
    ConversationModel *model = m_window->conversationModel();
    const auto placeholdersInView = [&] {
        const int top = view->indexAt(QPoint(10, 0)).row();
        const int bottom = view->indexAt(QPoint(10, view->viewport()->height() - 1)).row();
        int count = 0;
        for (int row = std::max(0, top); row <= bottom; ++row)
            count += view->layoutAt(row) && view->layoutAt(row)->isPlaceholder() ? 1 : 0;
        return count;
    };
    // The moment the outline is in, the user goes straight to the top. The path's text is read in
    // the background newest first, a batch at a time, each asked for when the one before has
    // arrived here, so the oldest messages are still stubs: they paint as placeholders, and
    // their text comes later from the reader thread. (Checked after the signal: a QVERIFY in a
    // slot would not stop the test.)
    bool topWasStub = false;
    int placeholdersAtTop = -1;
    QMetaObject::Connection jump =
        connect(m_store.get(), &ConversationLibrary::opened, this, [&](qint64 opened) {
            if (opened != id || placeholdersAtTop >= 0)
                return;
            topWasStub = model->rowCount() == kMessages && !model->peekAt(0)->textLoaded;
            view->scrollTo(model->index(0, 0), QAbstractItemView::PositionAtTop);
            view->viewport()->repaint();
            placeholdersAtTop = placeholdersInView();
        });

    // Opening it runs no query and opens no file here: its outline is read on the reader thread.
    const quint64 beforeOpen = Database::statementsOnThisThread();
    FileOpenCounter::start();
    m_window->selectConversation(id);
    view->viewport()->repaint();
    FileOpenCounter::stop();
    QCOMPARE(Database::statementsOnThisThread() - beforeOpen, quint64(0));
    QVERIFY2(FileOpenCounter::count() == 0, qPrintable(FileOpenCounter::paths().join(u", "_s)));
    QVERIFY(m_window->currentConversation()->isLoading());
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(!view->isLayoutSettled());
    QCOMPARE(view->emptyText(), u"Loading messages…"_s); // what that first paint said
    const quint64 statements = Database::statementsOnThisThread();
    FileOpenCounter::start();
    QVERIFY(waitOpened());
    disconnect(jump);
    QCOMPARE(model->rowCount(), kMessages);
    QCOMPARE(view->emptyText(), QString());
    QVERIFY(topWasStub);
    QVERIFY2(placeholdersAtTop > 0, qPrintable(QString::number(placeholdersAtTop)));
    const auto settle = [&] {
        QDeadlineTimer deadline(20'000);
        while (!view->isLayoutSettled() && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        return view->isLayoutSettled();
    };
    QVERIFY(settle());
    QCOMPARE(placeholdersInView(), 0);
    QVERIFY(model->peekAt(0)->textLoaded);

    // Then page by page until the last message is in view, each page painted at once and then
    // settled (the scroll bar's range follows the real heights a moment later).
    const auto lastInView = [&] { return view->indexAt(QPoint(10, view->viewport()->height() - 1)).row(); };
    QScrollBar *bar = view->verticalScrollBar();
    int pages = 0;
    while (lastInView() != kMessages - 1 && pages < 10'000) {
        if (bar->value() == bar->maximum()) {
            const int range = bar->maximum();
            QTRY_VERIFY(bar->maximum() != range);
        }
        bar->setValue(bar->value() + view->viewport()->height());
        view->viewport()->repaint();
        QVERIFY2(settle(), qPrintable(u"page %1 did not settle"_s.arg(pages)));
        ++pages;
    }
    FileOpenCounter::stop();
    QCOMPARE(Database::statementsOnThisThread() - statements, quint64(0));
    QVERIFY2(FileOpenCounter::count() == 0, qPrintable(FileOpenCounter::paths().join(u", "_s)));
    QVERIFY2(pages > 50, qPrintable(QString::number(pages)));
    QVERIFY(view->layoutAt(kMessages - 1));
    QVERIFY(!view->layoutAt(kMessages - 1)->isPlaceholder());

    // The counters see what they count: a file opened here, a query run here.
    FileOpenCounter::start();
    {
        QFile file(dbPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
    }
    FileOpenCounter::stop();
    QCOMPARE(FileOpenCounter::count(), quint64(1));
    const quint64 beforeRefresh = Database::statementsOnThisThread();
    m_store->refresh();
    QVERIFY(Database::statementsOnThisThread() > beforeRefresh);

    // The first message came with its text and its image (a reference, not bytes).
    const Message *first = model->peekAt(0);
    QVERIFY(first->textLoaded);
    QVERIFY(first->content.startsWith(u"Message 0. "_s));
    QCOMPARE(first->parts.size(), 1);
    QVERIFY(first->parts.at(0).isStoredFile());
}

void TestHistory::findSaysSoFarWhileTextArrives()
{
    const qint64 id = writeConversation(
        600,
        [](int i, qint64 parent) {
            return message(i % 2 ? Role::Assistant : Role::User,
                           i % 10 == 0 ? u"a needle at %1"_s.arg(i) : u"hay %1"_s.arg(i), parent);
        },
        true);
    QVERIFY(id);
    openWindow();
    QSignalSpy opened(m_store.get(), &ConversationLibrary::opened);
    m_window->selectConversation(id);
    QVERIFY(opened.wait(10'000)); // the outline is in, and nothing after it yet
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    FindBar *bar = m_window->findBar();
    auto *field = bar->findChild<QLineEdit *>(u"findField"_s);
    QTest::keyClicks(field, u"needle"_s);
    // Most of the text is still on its way from the reader thread (what the view asked for, and
    // the path read in the background for the next send, a batch at a time): the count says so.
    const QString early = bar->resultText();
    QVERIFY2(early == u"Searching…"_s || early.endsWith(u"so far…"_s), qPrintable(early));
    QTRY_COMPARE_WITH_TIMEOUT(bar->resultText().section(u' ', 1), u"of 60"_s, 10'000);
    QVERIFY(m_window->view()->find().messageId != 0);
}

QTEST_MAIN(TestHistory)
#include "tst_History.moc"
