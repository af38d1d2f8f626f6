#include "MainWindow.h"

#include "Appearance.h"
#include "Composer.h"
#include "ConversationSettingsDialog.h"
#include "ConversationSidebar.h"
#include "ConversationView.h"
#include "SettingsDialog.h"
#include "StatusPanel.h"
#include "WelcomePage.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationListModel.h"
#include "conversation/ConversationModel.h"
#include "storage/Credentials.h"
#include "storage/Settings.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QResizeEvent>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

MainWindow::MainWindow(ConversationLibrary *library, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(new Settings)
    , m_credentials(new Credentials(this))
    , m_library(library ? library : new ConversationLibrary(this))
    , m_listModel(new ConversationListModel(m_library, this))
    , m_model(new ConversationModel(this))
    , m_client(new ChatClient(this))
{
    setWindowTitle(tr("Moonpane"));
    setObjectName(u"mainWindow"_s);

    m_sidebar = new ConversationSidebar(m_listModel, this);
    m_view = new ConversationView(this);
    m_view->setObjectName(u"conversationView"_s);
    m_view->setModel(m_model);
    m_composer = new Composer(this);
    m_welcome = new WelcomePage(m_credentials, this);
    m_status = new StatusPanel(this);

    m_chat = new QWidget(this);
    auto *chatLayout = new QVBoxLayout(m_chat);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->setSpacing(0);
    chatLayout->addWidget(m_view, 1);
    chatLayout->addWidget(m_composer);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_chat);
    m_stack->addWidget(m_welcome);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(u"mainSplitter"_s);
    splitter->addWidget(m_sidebar);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(true);
    splitter->setSizes({230, 800});
    setCentralWidget(splitter);

    // The dock area for inspectors (tool calls, wire traffic).
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    m_inspectorDock = new QDockWidget(tr("Inspector"), this);
    m_inspectorDock->setObjectName(u"inspectorDock"_s);
    auto *placeholder =
        new QLabel(tr("Tool calls and wire traffic will be inspected here."), m_inspectorDock);
    placeholder->setWordWrap(true);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setMargin(16);
    m_inspectorDock->setWidget(placeholder);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    m_inspectorDock->hide();

    statusBar()->addPermanentWidget(m_status, 1);
    statusBar()->setSizeGripEnabled(true);

    createActions();
    createMenus();

    connect(m_sidebar, &ConversationSidebar::newRequested, this, &MainWindow::newConversation);
    connect(m_sidebar, &ConversationSidebar::selected, this, &MainWindow::selectConversation);
    connect(m_sidebar, &ConversationSidebar::deleteRequested, this, &MainWindow::deleteConversation);
    connect(m_sidebar, &ConversationSidebar::undoRequested, this, [this] {
        if (const qint64 id = m_library->undoRemove())
            selectConversation(id);
    });
    connect(m_sidebar, &ConversationSidebar::undoExpired, m_library, &ConversationLibrary::commitRemove);
    connect(m_composer, &Composer::sendRequested, this, &MainWindow::send);
    connect(m_composer, &Composer::stopRequested, this, &MainWindow::stop);
    connect(m_composer, &Composer::thinkingChanged, this, &MainWindow::setThinking);
    connect(m_composer, &Composer::systemPromptRequested, this, [this] { openConversationSettings(true); });
    connect(m_composer, &Composer::parametersRequested, this, [this] { openConversationSettings(false); });
    connect(m_view, &ConversationView::actionRequested, this, &MainWindow::handleAction);
    connect(m_view, &ConversationView::linkActivated, this,
            [](const QUrl &url) { QDesktopServices::openUrl(url); });
    connect(m_view, &ConversationView::linkRefused, this, [this](const QUrl &url) {
        statusBar()->showMessage(
            tr("Not opened: %1 (only http, https and mailto links open)").arg(url.toString()), 6000);
    });
    connect(m_view, &ConversationView::copied, this,
            [this](const QString &what) { statusBar()->showMessage(tr("Copied the %1.").arg(what), 3000); });
    connect(m_model, &ConversationModel::changed, this, &MainWindow::refreshStatus);
    connect(m_credentials, &Credentials::changed, this, &MainWindow::updateStack);
    connect(m_welcome, &WelcomePage::settingsRequested, this, &MainWindow::openSettings);

    applySettings();
    if (!restoreGeometry(m_settings->value(Settings::Key::WindowGeometry).toByteArray()))
        resize(1100, 760);
    restoreState(m_settings->value(Settings::Key::WindowState).toByteArray());
    splitter->restoreState(m_settings->value(Settings::Key::SplitterState).toByteArray());

    const QList<Conversation *> conversations = m_library->conversations();
    if (conversations.isEmpty())
        newConversation();
    else
        selectConversation(conversations.constFirst()->id);
    m_credentials->load();
    updateStack();
}

MainWindow::~MainWindow()
{
    qDeleteAll(m_sessions);
    m_sessions.clear();
    delete m_settings;
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &name, const QString &text, const QKeySequence &shortcut,
                             auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_actions.insert(name, action);
        return action;
    };
    make(u"newChat"_s, tr("&New Chat"), QKeySequence::New, [this] { newConversation(); });
    make(u"settings"_s, tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma), [this] { openSettings(); });
    make(u"quit"_s, tr("&Quit"), QKeySequence::Quit, [this] { close(); })->setMenuRole(QAction::QuitRole);
    make(u"copyLastReply"_s, tr("Copy &Last Reply"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
         [this] { copyLastReply(); });
    make(u"focusComposer"_s, tr("&Focus Composer"), QKeySequence(Qt::CTRL | Qt::Key_L),
         [this] { m_composer->focusInput(); });
    make(u"stop"_s, tr("&Stop Generating"), QKeySequence(Qt::Key_Escape), [this] {
        if (m_composer->editingMessageId())
            m_composer->cancelEditing();
        else
            stop();
    });
    make(u"conversationSettings"_s, tr("&Parameters and System Prompt…"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), [this] { openConversationSettings(false); });
    make(u"renameConversation"_s, tr("&Rename"), QKeySequence(Qt::Key_F2), [this] {
        if (m_current)
            m_sidebar->rename(m_current->id);
    });
    make(u"deleteConversation"_s, tr("&Delete Conversation"), QKeySequence(), [this] {
        if (m_current)
            deleteConversation(m_current->id);
    });
    QAction *thinking = make(u"showThinking"_s, tr("Show &Thinking"),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), [this](bool on) {
                                 m_view->setShowThinking(on);
                                 m_settings->setValue(Settings::Key::ShowThinking, on);
                             });
    thinking->setCheckable(true);
    QAction *sidebar =
        make(u"showSidebar"_s, tr("Show Side&bar"), QKeySequence(Qt::CTRL | Qt::Key_B), [this](bool on) {
            m_sidebarWanted = on;
            m_sidebar->setVisible(on);
        });
    sidebar->setCheckable(true);
    sidebar->setChecked(true);
    QAction *inspector = m_inspectorDock->toggleViewAction();
    inspector->setText(tr("Show &Inspector"));
    inspector->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_actions.insert(u"showInspector"_s, inspector);
    make(u"about"_s, tr("&About Moonpane"), QKeySequence(), [this] {
        QMessageBox::about(
            this, tr("About Moonpane"),
            tr("<b>Moonpane %1</b><p>A native desktop client for Kimi K2.6, with the model's thinking, "
               "tool calls and wire traffic in view.</p>")
                .arg(QApplication::applicationVersion()));
    })->setMenuRole(QAction::AboutRole);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actions.value(u"newChat"_s));
    file->addSeparator();
    file->addAction(m_actions.value(u"settings"_s));
    file->addSeparator();
    file->addAction(m_actions.value(u"quit"_s));
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_actions.value(u"copyLastReply"_s));
    edit->addAction(m_actions.value(u"focusComposer"_s));
    QMenu *conversation = menuBar()->addMenu(tr("&Conversation"));
    conversation->addAction(m_actions.value(u"stop"_s));
    conversation->addSeparator();
    conversation->addAction(m_actions.value(u"conversationSettings"_s));
    conversation->addAction(m_actions.value(u"renameConversation"_s));
    conversation->addAction(m_actions.value(u"deleteConversation"_s));
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_actions.value(u"showThinking"_s));
    view->addAction(m_actions.value(u"showSidebar"_s));
    view->addAction(m_actions.value(u"showInspector"_s));
    QMenu *appearance = view->addMenu(tr("&Appearance"));
    auto *schemes = new QActionGroup(appearance);
    const Appearance::Scheme saved =
        Appearance::fromString(m_settings->value(Settings::Key::Appearance).toString());
    for (const auto &[scheme, label] : {std::pair {Appearance::Scheme::System, tr("&System")},
                                        std::pair {Appearance::Scheme::Light, tr("&Light")},
                                        std::pair {Appearance::Scheme::Dark, tr("&Dark")}}) {
        QAction *item = appearance->addAction(label);
        item->setCheckable(true);
        item->setChecked(scheme == saved);
        item->setObjectName(u"appearance-"_s + Appearance::toString(scheme));
        schemes->addAction(item);
        connect(item, &QAction::triggered, this, [this, scheme = scheme] {
            Appearance::apply(scheme);
            m_settings->setValue(Settings::Key::Appearance, Appearance::toString(scheme));
        });
        m_actions.insert(item->objectName(), item);
    }
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_actions.value(u"about"_s));
}

void MainWindow::applySettings()
{
    m_composer->setSendWithCtrlEnter(m_settings->value(Settings::Key::SendWithCtrlEnter).toBool());
    const bool thinking = m_settings->value(Settings::Key::ShowThinking).toBool();
    m_actions.value(u"showThinking"_s)->setChecked(thinking);
    m_view->setShowThinking(thinking);
    m_status->setPrices({m_settings->value(Settings::Key::PriceInputPerMillion).toDouble(),
                         m_settings->value(Settings::Key::PriceCachedInputPerMillion).toDouble(),
                         m_settings->value(Settings::Key::PriceOutputPerMillion).toDouble()});
    m_status->setContextWindow(m_settings->value(Settings::Key::ContextWindowTokens).toLongLong());
    const ChatParameters defaults = m_settings->defaultParameters();
    for (ChatSession *session : std::as_const(m_sessions))
        session->setDefaults(defaults);
    refreshStatus();
}

void MainWindow::refreshEndpoint()
{
    Endpoint endpoint;
    endpoint.baseUrl = QUrl(m_settings->effectiveBaseUrl().trimmed());
    endpoint.apiKey = m_credentials->key();
    endpoint.connectTimeout =
        std::chrono::seconds(m_settings->value(Settings::Key::ConnectTimeoutSeconds).toInt());
    endpoint.idleTimeout = std::chrono::seconds(m_settings->value(Settings::Key::IdleTimeoutSeconds).toInt());
    m_client->setEndpoint(endpoint);
}

void MainWindow::updateStack()
{
    const bool welcome = m_credentials->isLoaded() && !m_credentials->hasKey();
    m_stack->setCurrentWidget(welcome ? static_cast<QWidget *>(m_welcome) : m_chat);
    if (!welcome)
        m_composer->focusInput();
}

bool MainWindow::isShowingWelcome() const
{
    return m_stack->currentWidget() == m_welcome;
}

ChatSession *MainWindow::session(Conversation *conversation)
{
    if (!conversation)
        return nullptr;
    if (ChatSession *existing = m_sessions.value(conversation->id))
        return existing;
    auto *created = new ChatSession(m_client, conversation, m_model);
    created->setDefaults(m_settings->defaultParameters());
    const qint64 id = conversation->id;
    connect(created, &ChatSession::busyChanged, this, [this, id](bool busy) {
        if (m_current && m_current->id == id)
            m_composer->setBusy(busy);
    });
    connect(created, &ChatSession::replyFinished, this, [this, id] {
        m_library->touch(id);
        refreshStatus();
    });
    m_sessions.insert(id, created);
    return created;
}

void MainWindow::saveDraft()
{
    if (m_current && !m_composer->editingMessageId() && m_current->draft != m_composer->text()) {
        m_current->draft = m_composer->text();
        m_library->metaChanged(m_current);
    }
}

void MainWindow::newConversation()
{
    saveDraft();
    Conversation *conversation = m_library->create();
    selectConversation(conversation->id);
}

void MainWindow::selectConversation(qint64 id)
{
    Conversation *conversation = m_library->conversation(id);
    if (!conversation || conversation == m_current)
        return;
    saveDraft();
    m_composer->cancelEditing();
    m_current = conversation;
    m_model->setConversation(conversation);
    m_view->setPinnedToBottom(true);
    m_sidebar->setCurrent(id);
    m_composer->setText(conversation->draft);
    m_composer->showProblems({});
    ChatSession *current = session(conversation);
    m_composer->setBusy(current->isBusy());
    const ChatParameters parameters = current->parameters();
    m_composer->setThinking(parameters.thinking, parameters.keepThinking);
    setWindowTitle(tr("%1 — Moonpane").arg(conversation->title));
    refreshStatus();
    m_composer->focusInput();
}

void MainWindow::send(const QString &text)
{
    if (!m_current)
        newConversation();
    if (!m_credentials->hasKey()) {
        m_composer->showProblems({tr("no API key is set (Settings → Account)")});
        updateStack();
        return;
    }
    refreshEndpoint();
    ChatSession *current = session(m_current);
    const qint64 editing = m_composer->editingMessageId();
    const QStringList problems = editing ? current->editAndResend(editing, text) : current->send(text);
    m_composer->showProblems(problems);
    if (!problems.isEmpty())
        return;
    if (editing)
        m_composer->cancelEditing();
    m_composer->clear();
    m_current->draft.clear();
    if (m_current->title == "New chat"_L1)
        m_library->rename(m_current->id, m_current->suggestedTitle());
    setWindowTitle(tr("%1 — Moonpane").arg(m_current->title));
    m_library->touch(m_current->id);
    m_view->setPinnedToBottom(true);
}

void MainWindow::stop()
{
    if (ChatSession *current = m_current ? m_sessions.value(m_current->id) : nullptr)
        current->stop();
}

void MainWindow::handleAction(MessageAction action, qint64 messageId)
{
    if (!m_current)
        return;
    ChatSession *current = session(m_current);
    m_current->ensureText({messageId});
    const Message *message = m_current->message(messageId);
    if (!message)
        return;
    QStringList problems;
    switch (action) {
    case MessageAction::Edit:
        m_composer->beginEditing(messageId, message->content);
        return;
    case MessageAction::Regenerate:
        refreshEndpoint();
        problems = current->regenerate(messageId);
        break;
    case MessageAction::Retry:
        refreshEndpoint();
        problems = current->retry(messageId);
        break;
    case MessageAction::Continue:
        refreshEndpoint();
        problems = current->continueReply(messageId);
        break;
    case MessageAction::Delete:
        m_model->removeMessage(messageId);
        return;
    case MessageAction::BranchPrevious:
    case MessageAction::BranchNext: {
        const QList<qint64> siblings = m_current->siblings(messageId);
        const qsizetype at = siblings.indexOf(messageId) + (action == MessageAction::BranchNext ? 1 : -1);
        if (at >= 0 && at < siblings.size())
            m_model->selectBranch(siblings.at(at));
        return;
    }
    default:
        return;
    }
    m_composer->showProblems(problems);
    if (problems.isEmpty())
        m_view->setPinnedToBottom(true);
}

void MainWindow::deleteConversation(qint64 id)
{
    Conversation *conversation = m_library->find(id);
    if (!conversation)
        return;
    if (ChatSession *doomed = m_sessions.take(id)) {
        doomed->stop();
        doomed->deleteLater();
    }
    m_deletedTitle = conversation->title;
    const bool wasCurrent = conversation == m_current;
    if (wasCurrent) {
        m_current = nullptr;
        m_model->setConversation(nullptr);
    }
    m_library->remove(id);
    m_sidebar->showUndo(m_deletedTitle);
    if (wasCurrent) {
        const QList<Conversation *> rest = m_library->conversations();
        if (rest.isEmpty())
            newConversation();
        else
            selectConversation(rest.constFirst()->id);
    }
}

void MainWindow::setThinking(bool enabled, bool keep)
{
    if (!m_current)
        return;
    ChatParameters parameters = session(m_current)->parameters();
    parameters.thinking = enabled ? ThinkingMode::Enabled : ThinkingMode::Disabled;
    parameters.keepThinking = enabled && keep;
    m_current->parameters = parameters;
    m_library->metaChanged(m_current);
    refreshStatus();
}

void MainWindow::openSettings()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        return;
    }
    m_settingsDialog = new SettingsDialog(m_settings, m_credentials, this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_settingsDialog, &SettingsDialog::saved, this, &MainWindow::applySettings);
    connect(m_settingsDialog, &QObject::destroyed, this, [this] { m_settingsDialog = nullptr; });
    m_settingsDialog->open();
}

void MainWindow::openConversationSettings(bool focusPrompt)
{
    if (!m_current)
        return;
    auto *dialog = new ConversationSettingsDialog(m_current->systemPrompt, m_current->parameters,
                                                  m_settings->defaultParameters(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = m_current->id;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        Conversation *conversation = m_library->find(id);
        if (!conversation)
            return;
        conversation->systemPrompt = dialog->systemPrompt();
        conversation->parameters = dialog->parameters();
        m_library->metaChanged(conversation);
        if (conversation == m_current) {
            const ChatParameters parameters = session(conversation)->parameters();
            m_composer->setThinking(parameters.thinking, parameters.keepThinking);
        }
        refreshStatus();
    });
    dialog->open();
    if (focusPrompt)
        dialog->focusSystemPrompt();
}

void MainWindow::refreshStatus()
{
    if (!m_current) {
        m_status->setLastReply(nullptr);
        return;
    }
    m_status->setParameters(session(m_current)->parameters());
    const Message *last = nullptr;
    const QList<qint64> &path = m_current->path();
    for (auto it = path.crbegin(); it != path.crend(); ++it) {
        const Message *message = m_current->message(*it);
        if (message && message->role == Role::Assistant && message->state != MessageState::Streaming) {
            last = message;
            break;
        }
    }
    m_status->setLastReply(last);
}

void MainWindow::copyLastReply()
{
    if (!m_current)
        return;
    const QList<qint64> &path = m_current->path();
    for (auto it = path.crbegin(); it != path.crend(); ++it) {
        m_current->ensureText({*it});
        const Message *message = m_current->message(*it);
        if (message && message->role == Role::Assistant && !message->content.isEmpty()) {
            QGuiApplication::clipboard()->setText(message->content);
            statusBar()->showMessage(tr("Copied the last reply."), 3000);
            return;
        }
    }
    statusBar()->showMessage(tr("There is no reply to copy yet."), 3000);
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    // Below this width the conversation needs all the room; Ctrl+B still brings the list back.
    constexpr int kNarrow = 700;
    const bool narrow = width() < kNarrow;
    const int oldWidth = event->oldSize().width();
    if (oldWidth < 0 || narrow != (oldWidth < kNarrow))
        m_sidebar->setVisible(m_sidebarWanted && !narrow);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveDraft();
    m_library->commitRemove(); // a delete that was not undone is final now
    m_settings->setValue(Settings::Key::WindowGeometry, saveGeometry());
    m_settings->setValue(Settings::Key::WindowState, saveState());
    if (auto *splitter = findChild<QSplitter *>(u"mainSplitter"_s))
        m_settings->setValue(Settings::Key::SplitterState, splitter->saveState());
    m_settings->sync();
    QMainWindow::closeEvent(event);
}

} // namespace moonpane
