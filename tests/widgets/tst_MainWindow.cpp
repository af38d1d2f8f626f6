// The whole window, offscreen, against the loopback fake server and the test keyring: sending
// with the keyboard, stop, shortcuts, drafts per conversation, delete with undo, ordering by
// activity, the status bar, the first-run page and the settings dialog (persisted settings,
// the keychain, the model list, the Test button).
#include "Composer.h"
#include "ComposerEdit.h"
#include "ConversationSidebar.h"
#include "ConversationView.h"
#include "Dialogs.h"
#include "FakeServer.h"
#include "MainWindow.h"
#include "MessageLayout.h"
#include "NoticeBar.h"
#include "SettingsDialog.h"
#include "StatusPanel.h"
#include "TestEnvironment.h"
#include "ThinkingInspector.h"
#include "ToolApprovalCard.h"
#include "ToolInspector.h"
#include "ToolStreams.h"
#include "ToolsSettingsPage.h"
#include "WelcomePage.h"
#include "WireInspector.h"
#include "api/ChatClient.h"
#include "api/ChatParameters.h"
#include "api/WireModels.h"
#include "api/WireRecorder.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationModel.h"
#include "conversation/ThinkingModel.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/PrivateFiles.h"
#include "storage/SecretStore.h"
#include "storage/Settings.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTreeView>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {
constexpr auto kKey = "fake-window-test-key-000111";
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void enterSendsAndTheReplyStreams();
    void toolCallsWaitUntilStopped();
    void theApprovalCardRunsEditedArguments();
    void toolSettingsRunCommandsAndServers();
    void importingToolDefinitions();
    void theWireTabFollowsTheConversationShown();
    void theThinkingTabShowsTheTurn();
    void toolSetsSwitchOnAndOff();
    void shiftEnterAndCtrlEnter();
    void escapeStops();
    void shortcutsAreInTheMenus();
    void newChatKeepsDrafts();
    void copyLastReplyAndFocus();
    void deleteWithUndo();
    void activeConversationsRiseToTheTop();
    void theEnvironmentKeyServesAtOnce();
    void statusBarShowsTheLastReply();
    void editAndResendFromTheView();
    void validationProblemsKeepTheDraft();
    void firstRunStoresTheKeyInTheKeychain();
    void settingsArePersisted();
    void settingsShowEnvironmentOverrides();
    void settingsStoreTheKeyAndListModels();
    void settingsTestButton();
    void outOfRangeSettingsAreClamped();
    void plainHttpNeedsConsent();

private:
    MainWindow *open();
    void typeAndSend(MainWindow *window, const QString &text);
    void waitIdle(MainWindow *window);

    std::unique_ptr<TestEnvironment> m_env;
    FakeServer *m_server = nullptr;
    MainWindow *m_window = nullptr;
};

void TestMainWindow::init()
{
    m_env = std::make_unique<TestEnvironment>();
    // QSettings finds its file once per process: every test here shares it, so each starts
    // from the defaults (one saves "Ctrl+Enter sends", which would change how others type).
    QSettings(Settings().fileName(), QSettings::IniFormat).clear();
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    qputenv("MOONPANE_BASE_URL", m_server->baseUrl().toString().toUtf8());
    qputenv("MOONPANE_API_KEY", kKey);
}

void TestMainWindow::cleanup()
{
    delete m_window;
    m_window = nullptr;
    delete m_server;
    m_env.reset();
    qunsetenv("MOONPANE_BASE_URL");
    qunsetenv("MOONPANE_API_KEY");
}

MainWindow *TestMainWindow::open()
{
    m_window = new MainWindow;
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window))
        qFatal("window not exposed");
    // The keychain answers asynchronously; the window knows which page to show once it has.
    QSignalSpy loaded(m_window->credentials(), &Credentials::changed);
    if (!m_window->credentials()->isLoaded() && !loaded.wait(10000))
        qFatal("the keychain did not answer");
    m_window->activateWindow();
    return m_window;
}

void TestMainWindow::typeAndSend(MainWindow *window, const QString &text)
{
    ComposerEdit *edit = window->composer()->editor();
    edit->setFocus();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

void TestMainWindow::waitIdle(MainWindow *window)
{
    ChatSession *session = window->session(window->currentConversation());
    if (session->isBusy()) {
        QSignalSpy finished(session, &ChatSession::replyFinished);
        QVERIFY(finished.wait(10000));
    }
}

void TestMainWindow::enterSendsAndTheReplyStreams()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    MainWindow *window = open();
    QVERIFY(!window->isShowingWelcome());
    typeAndSend(window, u"Compare the weather"_s);
    QCOMPARE(window->composer()->text(), QString()); // sent: the composer is empty again
    QVERIFY(window->composer()->isBusy());
    waitIdle(window);
    QVERIFY(!window->composer()->isBusy());
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer "_ba + kKey);
    QCOMPARE(m_server->lastRequest()
                 .json()
                 .value("messages"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("content"_L1)
                 .toString(),
             u"Compare the weather"_s);
    ConversationModel *model = window->conversationModel();
    QCOMPARE(model->rowCount(), 2);
    QVERIFY(model->messageAt(1)->content.contains(u"Here is a table"_s));
    // The conversation took its title from the first message.
    QCOMPARE(window->currentConversation()->title, u"Compare the weather"_s);
    QCOMPARE(window->sidebar()->list()->model()->index(0, 0).data().toString(), u"Compare the weather"_s);
}

// A reply that asks for tools leaves the turn waiting (Moonpane runs none yet): the window says
// so, Stop answers the calls as not run, and the conversation can go on.
void TestMainWindow::toolCallsWaitUntilStopped()
{
    // No tool of that name is defined: the calls wait on the approval card, to be answered by
    // hand or denied; the inspector lists them.
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"Weather in two cities?"_s);
    ToolApprovalCard *card = window->approvalCard();
    QTRY_VERIFY(card->isVisible());
    QCOMPARE(card->rows(), (QList<int> {0, 1}));
    QVERIFY(window->composer()->isBusy()); // the turn is not over
    // The card is in the conversation, right after the calls it asks about, and in view.
    {
        ConversationView *view = window->view();
        QCOMPARE(card->parentWidget(), view->viewport());
        QTRY_VERIFY(view->isLayoutSettled());
        const int last = window->conversationModel()->rowCount() - 1;
        const QRect calls = view->visualRect(window->conversationModel()->index(last, 0));
        QTRY_COMPARE(card->geometry().top(), calls.bottom() + 1);
        QVERIFY(view->viewport()->rect().contains(card->geometry().bottomLeft()));
        QVERIFY(calls.left() <= card->geometry().left() && card->geometry().right() <= calls.right());
    }
    QCOMPARE(card->argumentsEditor(0)->toPlainText(),
             u"{\n    \"city\": \"北京\",\n    \"unit\": \"celsius\"\n}"_s);
    QVERIFY(card->answerEditor(0));
    card->answerEditor(0)->setPlainText(u"{\"c\":12}"_s);
    const QList<QPushButton *> answers = card->findChildren<QPushButton *>(u"toolSendAnswer"_s);
    const QList<QPushButton *> denies = card->findChildren<QPushButton *>(u"toolDeny"_s);
    QCOMPARE(answers.size(), 2);
    QCOMPARE(denies.size(), 2);
    QTest::mouseClick(answers.at(0), Qt::LeftButton);
    QCOMPARE(m_server->requests().size(), 1); // one call still waits
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QTest::mouseClick(denies.at(1), Qt::LeftButton);
    waitIdle(window);
    QTRY_VERIFY(!card->isVisible());
    QCOMPARE(m_server->requests().size(), 2);
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"{\"c\":12}"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(), ToolRunner::deniedText());
    QCOMPARE(window->toolInspector()->list()->model()->rowCount(), 2);
    // A click on the second call's card in the conversation opens it in the inspector.
    ConversationView *view = window->view();
    QTRY_VERIFY(view->isLayoutSettled());
    const QModelIndex callRow = window->conversationModel()->index(1, 0);
    const MessageLayout *layout = view->layoutAt(1);
    QVERIFY(layout);
    const QRect rect = view->visualRect(callRow);
    QList<QPoint> cards;
    for (int y = rect.top(); y < rect.bottom(); y += 4) {
        const QPoint at(rect.center().x(), y);
        const MessageHit hit = layout->hitTest(at - rect.topLeft(), {});
        if (hit.action == MessageAction::InspectToolCall && hit.toolCall == int(cards.size()))
            cards.append(at);
    }
    QCOMPARE(cards.size(), 2);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, cards.at(1));
    QVERIFY(window->findChild<QDockWidget *>(u"inspectorDock"_s)->isVisible());
    QCOMPARE(window->toolInspector()->list()->currentIndex().row(), 1);
    QVERIFY(window->toolInspector()->detailText().contains(u"fahrenheit"_s));
    window->toolInspector()->selectRow(0);
    QVERIFY(window->toolInspector()->detailText().contains(u"celsius"_s));

    // Stop while calls wait: they are answered as not run, and the conversation goes on.
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    typeAndSend(window, u"And again?"_s);
    QTRY_VERIFY(card->isVisible());
    emit window->composer()->stopRequested();
    QVERIFY(!window->composer()->isBusy());
    QVERIFY(!card->isVisible());
    ConversationModel *model = window->conversationModel();
    const int rows = model->rowCount();
    QCOMPARE(model->messageAt(rows - 1)->role, Role::Tool);
    QCOMPARE(model->messageAt(rows - 1)->content, u"not run: the user stopped the turn"_s);
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    typeAndSend(window, u"Never mind, compare the weather"_s);
    waitIdle(window);
    QCOMPARE(m_server->requests().size(), 4);
    QCOMPARE(model->rowCount(), rows + 2);
}

void TestMainWindow::theApprovalCardRunsEditedArguments()
{
    // get_weather is a command tool here: Run starts it with the arguments as they stand on the
    // card, and "Allow for this conversation" lets the next call run without asking.
    const QString program = m_env->writeFile(u"weather"_s, "#!/bin/sh\ncat\n");
    QFile::setPermissions(program, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    MainWindow *window = open();
    const QJsonObject parameters {{u"type"_s, u"object"_s},
                                  {u"properties"_s,
                                   QJsonObject {{u"city"_s, QJsonObject {{u"type"_s, u"string"_s}}},
                                                {u"unit"_s, QJsonObject {{u"type"_s, u"string"_s}}}}}};
    window->tools()->setDefinitions({QJsonObject {
        {u"type"_s, u"function"_s},
        {u"function"_s, QJsonObject {{u"name"_s, u"get_weather"_s}, {u"parameters"_s, parameters}}}}});
    CommandSpec spec;
    spec.program = program;
    window->tools()->bindCommand(u"get_weather"_s, spec);
    typeAndSend(window, u"Weather in two cities?"_s);
    ToolApprovalCard *card = window->approvalCard();
    QTRY_VERIFY(card->isVisible());
    QCOMPARE(card->rows().size(), 2);
    QVERIFY(!card->answerEditor(0)); // a tool that runs: no answer field
    card->argumentsEditor(0)->setPlainText(u"{\"city\": \"Beijing\"}"_s);
    const QList<QPushButton *> runs = card->findChildren<QPushButton *>(u"toolRun"_s);
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs.at(0)->text(), u"Edit && run"_s);
    QCOMPARE(runs.at(1)->text(), u"Run"_s);
    const QList<QCheckBox *> allow = card->findChildren<QCheckBox *>(u"toolAllowConversation"_s);
    allow.at(1)->setChecked(true);
    QTest::mouseClick(runs.at(0), Qt::LeftButton);
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s)); // it asks again,
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s)); // then answers
    QTest::mouseClick(runs.at(1), Qt::LeftButton);
    // The second round's calls run without asking: get_weather is allowed in this conversation.
    QTRY_COMPARE(m_server->requests().size(), 3);
    const QJsonArray sent = m_server->requests().at(1).json().value("messages"_L1).toArray();
    const QString first = sent.at(2).toObject().value("content"_L1).toString();
    QVERIFY2(first.contains(u"edited the arguments"_s) && first.endsWith(u"{\"city\": \"Beijing\"}"_s),
             qPrintable(first));
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toString(),
             u"{\"city\": \"San Francisco\", \"unit\": \"fahrenheit\"}"_s);
    waitIdle(window);
    QVERIFY(!card->isVisible());
    QCOMPARE(window->toolRunner(window->conversationModel()->conversation())->runs().at(2).status,
             ToolStatus::Done);
    QCOMPARE(window->toolInspector()->list()->model()->rowCount(), 4);
    QCOMPARE(window->tools()->approval(u"get_weather"_s), ToolApproval::Ask); // only this conversation

    // "Always" is the app's choice, saved: the next conversation runs it without asking.
    m_server->enqueue(FakeResponse::fixture(u"kimi_tool_calls.sse"_s));
    window->newConversation();
    typeAndSend(window, u"Weather, in a new chat?"_s);
    QTRY_VERIFY(card->isVisible());
    card->findChildren<QCheckBox *>(u"toolAlwaysAllow"_s).at(0)->setChecked(true);
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QTest::mouseClick(card->findChild<QPushButton *>(u"toolRunAll"_s), Qt::LeftButton);
    waitIdle(window);
    QCOMPARE(window->tools()->approval(u"get_weather"_s), ToolApproval::Always);
    const QJsonObject saved =
        QJsonDocument::fromJson(Settings().value(Settings::Key::Tools).toString().toUtf8()).object();
    QCOMPARE(saved.value("tool_approvals"_L1).toObject().value("get_weather"_L1).toString(), u"always"_s);
}

// The Wire tab shows the requests of the conversation on screen, and Edit & resend goes
// through the window to that conversation's session.
void TestMainWindow::theWireTabFollowsTheConversationShown()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"First chat"_s);
    waitIdle(window);
    const qint64 first = window->currentConversation()->id;
    WireInspector *wire = window->wireInspector();
    QVERIFY(!wire->isVisible());
    QVERIFY(
        !window->session(window->currentConversation())->wire()->isWatched()); // closed: followed by nobody
    window->action(u"showWire"_s)->trigger(); // View → Show Wire Traffic
    QTRY_VERIFY(wire->isVisible());
    QCOMPARE(window->inspectorTabs()->currentWidget(), wire);
    QCOMPARE(wire->exchangeModel()->rowCount(), 1);

    window->newConversation();
    QCOMPARE(wire->exchangeModel()->rowCount(), 0); // a new conversation has sent nothing
    window->selectConversation(first);
    QTRY_COMPARE(wire->exchangeModel()->rowCount(), 1);

    // Edit & resend: a new branch of this conversation, with the edited body.
    QSignalSpy resend(wire, &WireInspector::resendRequested);
    wire->editAndResend();
    auto *dialog = wire->findChild<QDialog *>(u"wireResendDialog"_s);
    QVERIFY(dialog);
    auto *edit = dialog->findChild<QPlainTextEdit *>(u"wireResendEdit"_s);
    QTRY_VERIFY(edit->isEnabled());
    edit->setPlainText(edit->toPlainText().replace(u"First chat"_s, u"First chat, again"_s));
    auto *send = dialog->findChild<QPushButton *>(u"wireResendSend"_s);
    QTRY_VERIFY(send->isEnabled());
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_COMPARE(m_server->requests().size(), 2);
    QVERIFY(m_server->lastRequest().body.contains("First chat, again"));
    waitIdle(window);
    Conversation *conversation = window->currentConversation();
    QCOMPARE(conversation->siblings(conversation->path().last()).size(), 2);
    QTRY_COMPARE(wire->exchangeModel()->rowCount(), 2);
}

void TestMainWindow::theThinkingTabShowsTheTurn()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"Hello"_s);
    waitIdle(window);
    window->action(u"showThinking"_s)->trigger(); // View → Show Thinking
    ThinkingInspector *thinking = window->thinkingInspector();
    QTRY_VERIFY(thinking->isVisible());
    QCOMPARE(thinking->turns()->count(), 1);
    QCOMPARE(thinking->model()->rowCount(), 2); // its reasoning, its answer
    QCOMPARE(thinking->model()->turn().segments.at(1).messageId,
             window->currentConversation()->path().last());
    // A second turn: shown as it comes.
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    typeAndSend(window, u"Again"_s);
    waitIdle(window);
    QTRY_COMPARE(thinking->turns()->count(), 2);
    QTRY_COMPARE(thinking->turns()->currentIndex(), 1);
    // Search in the reasoning (without a history database: what is in memory; tst_history runs
    // the store's search): this conversation's, both turns; a click shows the turn and its message.
    QSignalSpy activated(thinking, &ThinkingInspector::messageActivated);
    thinking->searchField()->setText(u"greets"_s);
    QTRY_COMPARE(thinking->searchResults()->count(), 2);
    QVERIFY(thinking->searchResults()->item(0)->text().contains(u"«greets»"_s));
    const qint64 hit = thinking->searchResults()->item(1)->data(Qt::UserRole).toLongLong();
    emit thinking->searchResults()->itemActivated(thinking->searchResults()->item(1));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.last().at(0).toLongLong(), hit);
    QCOMPARE(thinking->turns()->currentIndex(),
             thinking->turns()->findData(window->currentConversation()->message(hit)->parentId));
    thinking->searchField()->setText(u"nowhere-to-be-found"_s);
    QTRY_COMPARE(thinking->searchResults()->item(0)->text(),
                 u"No reasoning of this conversation holds that."_s);

    // Another conversation: its own turns.
    window->newConversation();
    QTRY_COMPARE(thinking->turns()->count(), 0);
    QCOMPARE(thinking->model()->rowCount(), 0);
}

void TestMainWindow::importingToolDefinitions()
{
    MainWindow *window = open();
    window->openSettings();
    ToolsSettingsPage *page = window->settingsDialog()->toolsPage();
    auto *problems = page->findChild<QLabel *>(u"toolDefinitionProblems"_s);
    QPushButton *import = [&] {
        for (QPushButton *button : page->findChildren<QPushButton *>()) {
            if (button->text() == u"Import…"_s)
                return button;
        }
        return static_cast<QPushButton *>(nullptr);
    }();
    QVERIFY(import);
    const QString before =
        u"[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]"_s;
    page->definitionsEditor()->setPlainText(before);
    const auto importFile = [&](const QString &name, const QByteArray &bytes) {
        Dialogs::setNextOpenFileNames({m_env->writeFile(name, bytes)});
        problems->clear();
        QTest::mouseClick(import, Qt::LeftButton);
    };

    // Files that hold no definitions are refused whole, saying what they are; nothing changes.
    importFile(u"photo.json"_s, QByteArray("\x89PNG\r\n\x1a\n", 8));
    QTRY_VERIFY(problems->text().contains(u"not JSON"_s));
    importFile(u"conversation.json"_s,
               R"({"title":"Maple season","messages":[{"role":"user","content":"hi"}]})");
    QTRY_VERIFY(problems->text().contains(u"no tool definition"_s));
    importFile(u"mixed.json"_s, R"([{"type":"function","function":{"name":"clock"}}, 42])");
    QTRY_VERIFY(problems->text().contains(u"Entry 2 of that file is not a tool definition"_s));
    importFile(u"empty.json"_s, "[]");
    QTRY_VERIFY(problems->text().contains(u"no tool definitions"_s));
    QCOMPARE(page->definitionsEditor()->toPlainText(), before);

    // A request body's tools, and an MCP server's bare tools (wrapped), are added; a name
    // already there is replaced.
    importFile(u"request.json"_s, R"({"model":"kimi-k2.6","tools":[{"type":"function","function":{
        "name":"get_weather","description":"Weather now","parameters":{"type":"object"}}}]})");
    QTRY_VERIFY(page->definitionsEditor()->toPlainText().contains(u"Weather now"_s));
    importFile(u"mcp.json"_s, R"([{"name":"get-sum","description":"Adds","inputSchema":{"type":"object",
        "properties":{"a":{"type":"number"},"b":{"type":"number"}}}}])");
    QTRY_VERIFY(page->definitionsEditor()->toPlainText().contains(u"get-sum"_s));
    const QJsonArray now = QJsonDocument::fromJson(page->definitionsEditor()->toPlainText().toUtf8()).array();
    QCOMPARE(now.size(), 2);
    QCOMPARE(ChatParameters::toolName(now.at(0)), u"get_weather"_s);
    const QJsonObject sum = now.at(1).toObject();
    QCOMPARE(sum.value("type"_L1).toString(), u"function"_s);
    QCOMPARE(sum.value("function"_L1)
                 .toObject()
                 .value("parameters"_L1)
                 .toObject()
                 .value("properties"_L1)
                 .toObject()
                 .size(),
             2);
    QVERIFY2(problems->text().isEmpty(), qPrintable(problems->text())); // both pass Kimi's checks
}

void TestMainWindow::toolSetsSwitchOnAndOff()
{
    MainWindow *window = open();
    window->openSettings();
    ToolsSettingsPage *page = window->settingsDialog()->toolsPage();
    QCOMPARE(page->setChoice()->count(), 1); // one set to begin with
    page->definitionsEditor()->setPlainText(
        u"[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]"_s);

    // A new set, named in a dialog; the editor now shows it, empty.
    Dialogs::setNextText(u"Files"_s);
    QTest::mouseClick(page->findChild<QPushButton *>(u"toolSetNew"_s), Qt::LeftButton);
    QCOMPARE(page->setChoice()->count(), 2);
    QCOMPARE(page->setChoice()->currentText(), u"Files"_s);
    QVERIFY(page->definitionsEditor()->toPlainText().isEmpty());
    page->definitionsEditor()->setPlainText(
        u"[{\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"parameters\":{\"type\":\"object\"}}}]"_s);
    // The first set, switched off; what was typed into it is still there.
    page->setChoice()->setCurrentIndex(0);
    QVERIFY(page->definitionsEditor()->toPlainText().contains(u"get_weather"_s));
    page->setEnabledCheck()->setChecked(false);
    window->settingsDialog()->accept();
    QTRY_VERIFY(!window->settingsDialog());

    // Only the set that is on is offered to the model.
    QStringList offered;
    for (const QJsonValue &tool : window->tools()->definitions())
        offered.append(ChatParameters::toolName(tool));
    QCOMPARE(offered, QStringList {u"read_file"_s});

    // Opened again: both sets, as they were left.
    window->openSettings();
    page = window->settingsDialog()->toolsPage();
    QCOMPARE(page->setChoice()->count(), 2);
    QVERIFY(!page->setEnabledCheck()->isChecked());
    page->setChoice()->setCurrentIndex(1);
    QVERIFY(page->setEnabledCheck()->isChecked());
    QVERIFY(page->definitionsEditor()->toPlainText().contains(u"read_file"_s));
    // Deleting a set with definitions asks first; No keeps it.
    Dialogs::setNextAnswer(false);
    QTest::mouseClick(page->findChild<QPushButton *>(u"toolSetDelete"_s), Qt::LeftButton);
    QVERIFY(Dialogs::takeAsked());
    QCOMPARE(page->setChoice()->count(), 2);
    Dialogs::setNextAnswer(true);
    QTest::mouseClick(page->findChild<QPushButton *>(u"toolSetDelete"_s), Qt::LeftButton);
    QCOMPARE(page->setChoice()->count(), 1);
    QVERIFY(page->definitionsEditor()->toPlainText().contains(u"get_weather"_s));
    window->settingsDialog()->reject();
}

void TestMainWindow::toolSettingsRunCommandsAndServers()
{
    QVERIFY2(QFile::exists(QStringLiteral(MOONPANE_MCP_EVERYTHING)), "scripts/test runs npm ci in tests/mcp");
    const QString program =
        m_env->writeFile(u"weather"_s, "#!/bin/sh\ncat > /dev/null\necho sunny in $UNITS\n");
    QFile::setPermissions(program, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    MainWindow *window = open();
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    ToolsSettingsPage *page = dialog->toolsPage();

    // A definition Kimi would refuse is flagged as it is typed.
    page->definitionsEditor()->setPlainText(
        u"[{\"type\":\"function\",\"function\":{\"name\":\"x\",\"parameters\":{\"type\":\"object\"}}}]"_s);
    QVERIFY(page->findChild<QLabel *>(u"toolDefinitionProblems"_s)->text().contains(u"must be 3 to 64"_s));
    page->definitionsEditor()->setPlainText(
        u"[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
        "\"properties\":{\"city\":{\"type\":\"string\"}}}}}]"_s);
    QVERIFY(page->findChild<QLabel *>(u"toolDefinitionProblems"_s)->text().isEmpty());

    // get_weather runs a program, always; an MCP server; Kimi's web search.
    QTableWidget *commands = page->commandsTable();
    commands->insertRow(0);
    commands->setItem(0, 0, new QTableWidgetItem(u"get_weather"_s));
    commands->setItem(0, 1, new QTableWidgetItem(program));
    commands->setItem(0, 3, new QTableWidgetItem(u"UNITS=celsius"_s));
    QTableWidget *servers = page->serversTable();
    servers->insertRow(0);
    servers->setItem(0, 0, new QTableWidgetItem(u"everything"_s));
    servers->setItem(0, 1,
                     new QTableWidgetItem(u"node '%1' stdio"_s.arg(QStringLiteral(MOONPANE_MCP_EVERYTHING))));
    servers->setItem(0, 2, new QTableWidgetItem(QString()));
    QTableWidget *approvals = page->approvalsTable();
    int row = -1;
    for (int i = 0; i < approvals->rowCount(); ++i) {
        if (approvals->item(i, 0)->data(Qt::UserRole).toString() == u"get_weather"_s)
            row = i;
    }
    QVERIFY(row >= 0);
    auto *decision = qobject_cast<QComboBox *>(approvals->cellWidget(row, 1));
    decision->setCurrentIndex(decision->findData(u"always"_s));
    for (int i = 0; i < approvals->rowCount(); ++i) { // the server's tools: always too
        if (approvals->item(i, 0)->data(Qt::UserRole).toString() == u"server:everything"_s) {
            auto *server = qobject_cast<QComboBox *>(approvals->cellWidget(i, 1));
            server->setCurrentIndex(server->findData(u"always"_s));
        }
    }
    page->findChild<QCheckBox *>(u"webSearchCheck"_s)->setChecked(true);
    // A program for a tool no definition names: the dialog stays open and says why.
    commands->insertRow(1);
    commands->setItem(1, 0, new QTableWidgetItem(u"get_time"_s));
    commands->setItem(1, 1, new QTableWidgetItem(program));
    dialog->accept();
    QVERIFY(window->settingsDialog());
    QVERIFY(page->findChild<QLabel *>(u"toolDefinitionProblems"_s)
                ->text()
                .contains(u"a program is set for get_time, which no definition names"_s));
    commands->removeRow(1);
    dialog->accept();
    QTRY_VERIFY(!window->settingsDialog());

    QTRY_VERIFY_WITH_TIMEOUT(window->tools()->find(u"get-sum"_s).has_value(), 60'000);
    m_server->enqueue(FakeResponse::sse(
        toolCallStream({},
                       {{u"functions.get_weather:0"_s, u"get_weather"_s, u"{\"city\":\"Oslo\"}"_s},
                        {u"functions.get-tiny-image:1"_s, u"get-tiny-image"_s, u"{}"_s}})));
    m_server->enqueue(FakeResponse::sse(answerStream({}, u"Sunny in Oslo."_s)));
    typeAndSend(window, u"Oslo?"_s);
    QTRY_COMPARE(m_server->requests().size(), 2);
    waitIdle(window);
    QVERIFY(!window->approvalCard()->isVisible()); // "always": nobody was asked
    const QJsonObject first = m_server->requests().at(0).json();
    QStringList offered;
    for (const QJsonValue &tool : first.value("tools"_L1).toArray())
        offered.append(tool.toObject().value("function"_L1).toObject().value("name"_L1).toString());
    QCOMPARE(offered.mid(0, 2), (QStringList {u"get_weather"_s, u"$web_search"_s}));
    QVERIFY(offered.contains(u"get-sum"_s));
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.at(2).toObject().value("content"_L1).toString(), u"sunny in celsius\n"_s);
    QCOMPARE(sent.at(3).toObject().value("content"_L1).toArray().at(1).toObject().value("type"_L1).toString(),
             u"image_url"_s);
    // The inspector shows the image the server returned.
    window->toolInspector()->selectRow(1);
    QVERIFY(window->toolInspector()->detailText().contains(u"Images"_s));
    QTextBrowser *detail = window->toolInspector()->detail();
    detail->resize(400, 400);
    // Decoded on a worker, then shown: the detail names the image and the browser serves it.
    const auto shownImage = [detail] {
        const QString html = detail->toHtml();
        const qsizetype at = html.indexOf(u"tool-image:1/0/"_s);
        if (at < 0)
            return QImage();
        const QUrl name(html.mid(at, html.indexOf(u'"', at) - at));
        return detail->document()->resource(QTextDocument::ImageResource, name).value<QImage>();
    };
    QTRY_VERIFY(!shownImage().isNull());
    QVERIFY(shownImage().width() > 1); // the real picture, not the stand-in for an unreadable one

    // Saved: a new window has them again; the file (environments may hold tokens) is private.
    Settings reread;
    QCOMPARE(QFileInfo(reread.fileName()).permissions() & ~PrivateFiles::kFileMode,
             QFileDevice::Permissions());
    const QJsonObject saved =
        QJsonDocument::fromJson(reread.value(Settings::Key::Tools).toString().toUtf8()).object();
    QCOMPARE(saved.value("commands"_L1)
                 .toObject()
                 .value("get_weather"_L1)
                 .toObject()
                 .value("program"_L1)
                 .toString(),
             program);
    QCOMPARE(saved.value("tool_approvals"_L1).toObject().value("get_weather"_L1).toString(), u"always"_s);
    QCOMPARE(saved.value("mcp_servers"_L1).toArray().size(), 1);
    QVERIFY(saved.value("web_search"_L1).toBool());
}

void TestMainWindow::shiftEnterAndCtrlEnter()
{
    MainWindow *window = open();
    ComposerEdit *edit = window->composer()->editor();
    edit->setFocus();
    QTest::keyClicks(edit, u"line one"_s);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(edit, u"line two"_s);
    QCOMPARE(window->composer()->text(), u"line one\nline two"_s);
    QCOMPARE(m_server->requests().size(), 0);

    window->composer()->setSendWithCtrlEnter(true);
    QTest::keyClick(edit, Qt::Key_Return); // now a new line
    QCOMPARE(window->composer()->text(), u"line one\nline two\n"_s);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    waitIdle(window);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestMainWindow::escapeStops()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.pauseAfterBytes = response.body.indexOf("| city");
    m_server->enqueue(response);
    MainWindow *window = open();
    QSignalSpy paused(m_server, &FakeServer::paused);
    typeAndSend(window, u"Hello"_s);
    QVERIFY(paused.wait(10000));
    QTRY_VERIFY(!window->conversationModel()->messageAt(1)->content.isEmpty());
    window->action(u"stop"_s)->trigger(); // Esc
    waitIdle(window);
    QCOMPARE(window->conversationModel()->rowCount(), 2);
    const Message *reply = window->conversationModel()->messageAt(1);
    QCOMPARE(reply->state, MessageState::Incomplete);
    QVERIFY(reply->content.endsWith(u"a table:\n\n"_s)); // the partial reply is kept
    QVERIFY(!window->composer()->isBusy());
}

void TestMainWindow::shortcutsAreInTheMenus()
{
    MainWindow *window = open();
    const QList<std::pair<QString, QKeySequence>> expected = {
        {u"newChat"_s, QKeySequence(QKeySequence::New)},
        {u"stop"_s, QKeySequence(Qt::Key_Escape)},
        {u"focusComposer"_s, QKeySequence(Qt::CTRL | Qt::Key_L)},
        {u"copyLastReply"_s, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C)},
        {u"settings"_s, QKeySequence(Qt::CTRL | Qt::Key_Comma)},
    };
    QList<QAction *> inMenus;
    for (QAction *menu : window->menuBar()->actions())
        inMenus.append(menu->menu()->actions());
    for (const auto &[name, shortcut] : expected) {
        QAction *action = window->action(name);
        QVERIFY2(action, qPrintable(name));
        QCOMPARE(action->shortcut(), shortcut);
        QVERIFY2(inMenus.contains(action), qPrintable(name + u" is in no menu"_s));
    }
}

void TestMainWindow::newChatKeepsDrafts()
{
    MainWindow *window = open();
    const qint64 first = window->currentConversation()->id;
    QTest::keyClicks(window->composer()->editor(), u"draft one"_s);
    window->action(u"newChat"_s)->trigger();
    const qint64 second = window->currentConversation()->id;
    QVERIFY(second != first);
    QCOMPARE(window->composer()->text(), QString());
    QTest::keyClicks(window->composer()->editor(), u"draft two"_s);
    window->selectConversation(first);
    QCOMPARE(window->composer()->text(), u"draft one"_s);
    window->selectConversation(second);
    QCOMPARE(window->composer()->text(), u"draft two"_s);
    QCOMPARE(window->sidebar()->current(), second);
}

void TestMainWindow::copyLastReplyAndFocus()
{
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"Hi"_s);
    waitIdle(window);
    window->view()->setFocus();
    window->action(u"copyLastReply"_s)->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), u"Complete without DONE"_s);
    window->action(u"focusComposer"_s)->trigger();
    QTRY_VERIFY(window->composer()->editor()->hasFocus());
}

void TestMainWindow::deleteWithUndo()
{
    MainWindow *window = open();
    ConversationLibrary *library = window->library();
    window->currentConversation()->title = u"Doomed"_s;
    const qint64 doomed = window->currentConversation()->id;
    window->newConversation();
    window->selectConversation(doomed);
    QCOMPARE(library->conversations().size(), 2);
    window->action(u"deleteConversation"_s)->trigger();
    QCOMPARE(library->conversations().size(), 1);
    QVERIFY(window->currentConversation()->id != doomed);
    QVERIFY(window->sidebar()->isUndoVisible());
    auto *undo = window->sidebar()->findChild<QPushButton *>(u"undoButton"_s);
    QVERIFY(undo);
    QTest::mouseClick(undo, Qt::LeftButton);
    QCOMPARE(library->conversations().size(), 2);
    QCOMPARE(window->currentConversation()->id, doomed);
    QCOMPARE(window->currentConversation()->title, u"Doomed"_s);
    QVERIFY(!window->sidebar()->isUndoVisible());
}

void TestMainWindow::activeConversationsRiseToTheTop()
{
    MainWindow *window = open();
    const qint64 older = window->currentConversation()->id;
    window->newConversation();
    QAbstractItemModel *list = window->sidebar()->list()->model();
    QCOMPARE(list->index(0, 0).data(Qt::UserRole + 1).toLongLong(), window->currentConversation()->id);
    window->selectConversation(older);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    typeAndSend(window, u"bump"_s);
    waitIdle(window);
    QCOMPARE(list->index(0, 0).data(Qt::UserRole + 1).toLongLong(), older);
    QCOMPARE(window->windowTitle(), u"bump — Moonpane"_s); // titled after its first message
    // Renamed (from the sidebar, or by another process): the window follows.
    window->library()->rename(older, u"Renamed"_s);
    QCOMPARE(window->windowTitle(), u"Renamed — Moonpane"_s);
}

void TestMainWindow::theEnvironmentKeyServesAtOnce()
{
    // Sent before the keychain has answered (it does so asynchronously): MOONPANE_API_KEY is used.
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    m_window = new MainWindow;
    QVERIFY(!m_window->credentials()->isLoaded());
    m_window->show();
    typeAndSend(m_window, u"Hello"_s);
    waitIdle(m_window);
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer "_ba + kKey);
}

void TestMainWindow::statusBarShowsTheLastReply()
{
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"Hello"_s);
    waitIdle(window);
    const QString status = window->statusPanel()->text();
    QVERIFY2(status.contains(u"kimi-k2.6 · thinking on"_s), qPrintable(status));
    QVERIFY2(status.contains(u"19 prompt / 16 cached / 31 completion"_s), qPrintable(status));
    QVERIFY2(status.contains(u"first token"_s), qPrintable(status));
    QVERIFY2(status.contains(u"context 0.0%"_s), qPrintable(status)); // 19 of 262,144
    // (19 - 16) × 0.95 + 16 × 0.16 + 31 × 4.00 per million.
    QCOMPARE(StatusPanel::cost(19, 16, 31, {}), (3 * 0.95 + 16 * 0.16 + 31 * 4.0) / 1e6);
    QVERIFY2(status.contains(u"$0.00013"_s), qPrintable(status));
    // It came in one piece: a rate would be meaningless (and huge), so none is shown.
    QVERIFY2(!status.contains(u"tok/s"_s), qPrintable(status));
    // Streamed over half a second or so, it has one.
    FakeResponse slow = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    slow.delivery = FakeResponse::Delivery::Drip;
    slow.dripBytes = 40;
    slow.dripIntervalMs = 5;
    m_server->enqueue(slow);
    typeAndSend(window, u"Again"_s);
    waitIdle(window);
    QVERIFY2(window->statusPanel()->text().contains(u"tok/s"_s), qPrintable(window->statusPanel()->text()));
    // Unstreamed, it all comes at once: when it came is shown, and no rate.
    ChatParameters unstreamed = window->session(window->currentConversation())->parameters();
    unstreamed.stream = false;
    window->currentConversation()->parameters = unstreamed;
    m_server->enqueue(FakeResponse::fixture(u"completion.json"_s));
    typeAndSend(window, u"Once more"_s);
    waitIdle(window);
    const QString once = window->statusPanel()->text();
    QVERIFY2(once.contains(u"reply in"_s) && !once.contains(u"tok/s"_s), qPrintable(once));
    QVERIFY2(!once.contains(u"first token"_s), qPrintable(once));
    window->composer()->findChild<QCheckBox *>()->click(); // thinking off for this conversation
    QVERIFY(window->statusPanel()->text().contains(u"thinking off"_s));
    QCOMPARE(window->currentConversation()->parameters->thinking, ThinkingMode::Disabled);
}

void TestMainWindow::editAndResendFromTheView()
{
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    MainWindow *window = open();
    typeAndSend(window, u"original"_s);
    waitIdle(window);
    const qint64 original = window->conversationModel()->messageAt(0)->id;
    emit window->view()->actionRequested(MessageAction::Edit, original);
    QCOMPARE(window->composer()->text(), u"original"_s);
    QCOMPARE(window->composer()->editingMessageId(), original);
    window->composer()->setText(u"edited"_s);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    QTest::keyClick(window->composer()->editor(), Qt::Key_Return);
    waitIdle(window);
    QCOMPARE(window->conversationModel()->messageAt(0)->content, u"edited"_s);
    QCOMPARE(window->currentConversation()->siblings(original).size(), 2);
    QCOMPARE(window->composer()->editingMessageId(), 0);
    const QJsonArray sent = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).toObject().value("content"_L1).toString(), u"edited"_s);
    // Esc leaves editing without sending.
    emit window->view()->actionRequested(MessageAction::Edit, window->conversationModel()->messageAt(0)->id);
    window->action(u"stop"_s)->trigger();
    QCOMPARE(window->composer()->editingMessageId(), 0);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestMainWindow::validationProblemsKeepTheDraft()
{
    MainWindow *window = open();
    ChatParameters parameters;
    parameters.stop = {u"1"_s, u"2"_s, u"3"_s, u"4"_s, u"5"_s, u"6"_s};
    window->currentConversation()->parameters = parameters;
    typeAndSend(window, u"keep me"_s);
    QCOMPARE(window->composer()->text(), u"keep me"_s);
    QVERIFY(window->composer()->problemText().contains(u"at most 5 stop sequences"_s));
    QCOMPARE(window->conversationModel()->rowCount(), 0);
    QCOMPARE(m_server->requests().size(), 0);
}

void TestMainWindow::firstRunStoresTheKeyInTheKeychain()
{
    qunsetenv("MOONPANE_API_KEY");
    SecretStore store;
    QVERIFY(store.deleteApiKeySync().ok());
    MainWindow *window = open();
    QVERIFY(window->isShowingWelcome());
    window->welcomePage()->keyEdit()->setText(u"fake-first-run-key"_s);
    QTest::keyClick(window->welcomePage()->keyEdit(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!window->isShowingWelcome(), 10000);
    QCOMPARE(window->credentials()->source(), Credentials::Source::Keychain);
    QCOMPARE(store.readApiKeySync().secret, u"fake-first-run-key"_s);
    m_server->enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    typeAndSend(window, u"Hi"_s);
    waitIdle(window);
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer fake-first-run-key"_ba);
    QVERIFY(store.deleteApiKeySync().ok());
    // The key is in no settings file.
    QFile file(Settings().fileName());
    QVERIFY(!file.open(QIODevice::ReadOnly) || !file.readAll().contains("fake-first-run-key"));
}

void TestMainWindow::settingsArePersisted()
{
    qunsetenv("MOONPANE_BASE_URL");
    MainWindow *window = open();
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(u"baseUrlEdit"_s)->setText(u"https://example.test/v1"_s);
    dialog->findChild<QComboBox *>(u"modelCombo"_s)->setCurrentText(u"kimi-k2-0905-preview"_s);
    dialog->findChild<QComboBox *>(u"sendKeyCombo"_s)->setCurrentIndex(1);
    dialog->findChild<QDoubleSpinBox *>(u"priceOutputSpin"_s)->setValue(2.5);
    dialog->findChild<QCheckBox *>(u"maxTokensCheck"_s)->setChecked(true);
    dialog->findChild<QComboBox *>(u"thinkingCombo"_s)
        ->setCurrentIndex(static_cast<int>(ThinkingMode::Disabled));
    dialog->accept();
    QTRY_VERIFY(!window->settingsDialog());
    Settings reread;
    QCOMPARE(reread.value(Settings::Key::BaseUrl).toString(), u"https://example.test/v1"_s);
    QCOMPARE(reread.value(Settings::Key::SendWithCtrlEnter).toBool(), true);
    QCOMPARE(reread.value(Settings::Key::PriceOutputPerMillion).toDouble(), 2.5);
    const ChatParameters defaults = reread.defaultParameters();
    QCOMPARE(defaults.model, u"kimi-k2-0905-preview"_s);
    QCOMPARE(defaults.thinking, ThinkingMode::Disabled);
    QCOMPARE(defaults.maxCompletionTokens, std::optional<qint64>(32768));
    QVERIFY(window->composer()->editor()->sendsWithCtrlEnter()); // applied at once
}

void TestMainWindow::settingsShowEnvironmentOverrides()
{
    MainWindow *window = open();
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    auto *baseUrl = dialog->findChild<QLineEdit *>(u"baseUrlEdit"_s);
    QCOMPARE(baseUrl->text(), m_server->baseUrl().toString());
    QVERIFY(baseUrl->isReadOnly());
    QVERIFY(dialog->findChild<QLabel *>(u"baseUrlNote"_s)->text().contains(u"MOONPANE_BASE_URL"_s));
    QVERIFY(dialog->findChild<QLabel *>(u"keyStatusLabel"_s)->text().contains(u"MOONPANE_API_KEY"_s));
    QVERIFY(!dialog->findChild<QLineEdit *>(u"apiKeyEdit"_s)->isEnabled());
    dialog->reject();
}

void TestMainWindow::settingsStoreTheKeyAndListModels()
{
    qunsetenv("MOONPANE_API_KEY");
    SecretStore store;
    QVERIFY(store.writeApiKeySync(u"fake-old-key"_s).ok());
    MainWindow *window = open();
    QCOMPARE(window->credentials()->source(), Credentials::Source::Keychain);
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    QVERIFY(dialog->findChild<QLabel *>(u"keyStatusLabel"_s)->text().contains(u"…-key"_s));
    m_server->enqueue(FakeResponse::json(
        200, R"({"object":"list","data":[{"id":"kimi-k2.6"},{"id":"kimi-k2-0905-preview"}]})"));
    dialog->refreshModels();
    auto *models = dialog->findChild<QComboBox *>(u"modelCombo"_s);
    QTRY_COMPARE(models->count(), 2);
    QCOMPARE(m_server->lastRequest().path, "/v1/models"_ba);
    QCOMPARE(m_server->lastRequest().header("authorization"), "Bearer fake-old-key"_ba);
    dialog->findChild<QLineEdit *>(u"apiKeyEdit"_s)->setText(u"fake-new-key"_s);
    dialog->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!window->settingsDialog(), 10000);
    QCOMPARE(store.readApiKeySync().secret, u"fake-new-key"_s);
    QCOMPARE(window->credentials()->key(), u"fake-new-key"_s);
    QVERIFY(store.deleteApiKeySync().ok());
}

void TestMainWindow::settingsTestButton()
{
    MainWindow *window = open();
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    m_server->enqueue(FakeResponse::json(
        200,
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":"OK"},"finish_reason":"stop"}]})"));
    dialog->testConnection();
    QTRY_VERIFY(dialog->testResult().startsWith(u"It works"_s));
    QVERIFY(dialog->testResult().contains(u"“OK”"_s));
    const QJsonObject sent = m_server->lastRequest().json();
    QCOMPARE(sent.value("thinking"_L1).toObject().value("type"_L1).toString(), u"disabled"_s);
    QCOMPARE(sent.value("max_completion_tokens"_L1).toInt(), 16);
    m_server->enqueue(FakeResponse::json(
        401, R"({"error":{"message":"Invalid API key provided.","type":"authentication_error"}})"));
    dialog->testConnection();
    QTRY_VERIFY(dialog->testResult().contains(u"HTTP 401"_s));
    QVERIFY(dialog->testResult().contains(u"MOONPANE_API_KEY"_s)); // what to do about it
    dialog->reject();
}

void TestMainWindow::outOfRangeSettingsAreClamped()
{
    {
        // As someone might edit moonpane.ini: 0 would fail every request, a negative value
        // would turn the timeout off.
        Settings settings;
        settings.setValue(Settings::Key::ConnectTimeoutSeconds, 0);
        settings.setValue(Settings::Key::IdleTimeoutSeconds, -5);
        settings.setValue(Settings::Key::MaxReplyMegabytes, u"lots"_s);
        settings.sync();
    }
    const Settings settings;
    const Endpoint endpoint = settings.endpoint();
    QCOMPARE(endpoint.connectTimeout, std::chrono::milliseconds(1000));
    QCOMPARE(endpoint.idleTimeout, std::chrono::milliseconds(5000));
    QCOMPARE(endpoint.maxReplyBytes, qint64(64) << 20); // unreadable: the default
    MainWindow *window = open();
    QCOMPARE(window->client()->endpoint().idleTimeout, std::chrono::milliseconds(5000));
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    auto *connect = dialog->findChild<QSpinBox *>(u"connectTimeoutSpin"_s);
    QCOMPARE(connect->value(), 1);
    QCOMPARE(connect->minimum(), Settings::range(Settings::Key::ConnectTimeoutSeconds).first);
    QCOMPARE(connect->maximum(), Settings::range(Settings::Key::ConnectTimeoutSeconds).second);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"idleTimeoutSpin"_s)->value(), 5);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"maxReplySpin"_s)->value(), 64);
    const QString note = dialog->findChild<QLabel *>(u"limitsNote"_s)->text();
    QVERIFY2(note.contains(u"from 1 to 600 s"_s) && note.contains(u"clamped"_s), qPrintable(note));
    dialog->reject();
}

void TestMainWindow::plainHttpNeedsConsent()
{
    // Refused before anything is sent, with the reason in the conversation.
    qputenv("MOONPANE_BASE_URL", "http://api.example.com");
    MainWindow *window = open();
    typeAndSend(window, u"Hello"_s);
    waitIdle(window);
    QCOMPARE(window->conversationModel()->rowCount(), 2);
    const Message *reply = window->conversationModel()->messageAt(1);
    QCOMPARE(reply->state, MessageState::Failed);
    QVERIFY2(reply->error.message.contains(u"plain http"_s), qPrintable(reply->error.message));
    QVERIFY(reply->error.advice().contains(u"Settings → Account"_s));

    // Settings asks, for this host only.
    qunsetenv("MOONPANE_BASE_URL");
    window->openSettings();
    SettingsDialog *dialog = window->settingsDialog();
    auto *url = dialog->findChild<QLineEdit *>(u"baseUrlEdit"_s);
    auto *allow = dialog->findChild<QCheckBox *>(u"allowInsecureCheck"_s);
    url->setText(u"https://api.example.com"_s);
    QVERIFY(allow->isHidden());
    url->setText(u"http://127.0.0.1:9"_s); // loopback: nothing to consent to
    QVERIFY(allow->isHidden());
    url->setText(u"http://api.example.com"_s);
    QVERIFY(!allow->isHidden());
    QVERIFY(!allow->isChecked());
    QVERIFY(allow->text().contains(u"api.example.com"_s));
    allow->setChecked(true);
    dialog->accept();
    QTRY_VERIFY(!window->settingsDialog());
    QCOMPARE(Settings().value(Settings::Key::InsecureHost).toString(), u"api.example.com"_s);
    QVERIFY(Settings().endpoint().allowInsecure);
    QVERIFY(window->client()->endpoint().allowInsecure);

    // Another host is not covered by that consent; https takes it back.
    window->openSettings();
    dialog = window->settingsDialog();
    dialog->findChild<QLineEdit *>(u"baseUrlEdit"_s)->setText(u"http://other.example.com"_s);
    QVERIFY(!dialog->findChild<QCheckBox *>(u"allowInsecureCheck"_s)->isChecked());
    dialog->findChild<QLineEdit *>(u"baseUrlEdit"_s)->setText(u"https://api.example.com"_s);
    dialog->accept();
    QTRY_VERIFY(!window->settingsDialog());
    QVERIFY(!Settings().isSet(Settings::Key::InsecureHost));
}

QTEST_MAIN(TestMainWindow)
#include "tst_MainWindow.moc"
