#include "MainWindow.h"

#include "Appearance.h"
#include "Composer.h"
#include "ConversationSettingsDialog.h"
#include "ConversationSidebar.h"
#include "ConversationView.h"
#include "FindBar.h"
#include "JobProgress.h"
#include "NoticeBar.h"
#include "SearchDialog.h"
#include "SettingsDialog.h"
#include "StatusPanel.h"
#include "ToolApprovalCard.h"
#include "WelcomePage.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationFind.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationListModel.h"
#include "conversation/ConversationModel.h"
#include "conversation/SessionRegistry.h"
#include "media/AttachmentModel.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/Exporter.h"
#include "storage/PrivateFiles.h"
#include "storage/Settings.h"
#include "tools/ToolRunner.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

MainWindow::MainWindow(ConversationLibrary *library, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(new Settings)
    , m_credentials(new Credentials(this))
    , m_library(library ? library : new ConversationLibrary(this))
    , m_store(qobject_cast<ConversationStore *>(m_library))
    , m_listModel(new ConversationListModel(m_library, this))
    , m_model(new ConversationModel(this))
    , m_client(new ChatClient(this))
    , m_sessions(new SessionRegistry(m_client, m_library))
{
    m_sessions->setDefaults(m_settings->defaultParameters());
    connect(m_sessions, &SessionRegistry::sessionCreated, this, &MainWindow::wireSession);
    setWindowTitle(tr("Moonpane"));
    setObjectName(u"mainWindow"_s);

    m_sidebar = new ConversationSidebar(m_listModel, this);
    m_view = new ConversationView(this);
    m_view->setObjectName(u"conversationView"_s);
    m_view->setModel(m_model);
    m_composer = new Composer(this);
    m_welcome = new WelcomePage(m_credentials, this);
    m_status = new StatusPanel(this);
    m_findBar = new FindBar(this);
    m_find = new ConversationFind(this);
    m_notice = new NoticeBar(this);

    m_chat = new QWidget(this);
    auto *chatLayout = new QVBoxLayout(m_chat);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->setSpacing(0);
    chatLayout->addWidget(m_notice);
    chatLayout->addWidget(m_findBar);
    chatLayout->addWidget(m_view, 1);
    chatLayout->addWidget(m_composer);

    setupMedia();

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
    setupTools();
    m_view->setFooter(m_approvalCard); // inline, after the calls it asks about
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    m_inspectorDock->hide();

    m_jobProgress = new JobProgress(this);
    statusBar()->addPermanentWidget(m_jobProgress);
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
    m_draftTimer.setSingleShot(true);
    m_draftTimer.setInterval(1000);
    connect(&m_draftTimer, &QTimer::timeout, this, &MainWindow::saveDraft);
    connect(m_composer, &Composer::textEdited, &m_draftTimer, qOverload<>(&QTimer::start));
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
    connect(m_credentials, &Credentials::changed, this, [this] {
        refreshEndpoint();
        updateStack();
    });
    connect(m_welcome, &WelcomePage::settingsRequested, this, &MainWindow::openSettings);
    connect(m_findBar, &FindBar::changed, this, [this] { updateFind(false); });
    connect(m_findBar, &FindBar::next, this, [this] { stepFind(1); });
    connect(m_findBar, &FindBar::previous, this, [this] { stepFind(-1); });
    connect(m_find, &ConversationFind::changed, this, &MainWindow::showFind);
    connect(m_findBar, &FindBar::closed, this, [this] {
        m_find->setTerm({}, false);
        m_findTarget = {};
        m_shownMatch = {};
        m_view->setFind({}, false);
        m_composer->focusInput();
    });
    connect(m_library, &ConversationLibrary::removed, this, &MainWindow::onConversationRemoved);
    connect(m_library, &ConversationLibrary::opened, this, [this](qint64 id) {
        if (!m_current || m_current->id != id)
            return;
        refreshAround(false); // its messages came in after it was selected
        if (const std::function<void()> then = std::exchange(m_whenOpened, {}))
            then();
    });
    connect(m_library, &ConversationLibrary::changed, this, [this](qint64 id) {
        if (m_current && m_current->id == id)
            updateTitle();
    });
    if (m_store) {
        connect(m_store, &ConversationStore::storageFailed, this, &MainWindow::showStorageProblem);
        connect(m_store, &ConversationStore::conversationReloaded, this, &MainWindow::onConversationReloaded);
    }

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
    m_model->setConversation(nullptr); // before the library, which may go after this, ends its conversations
    m_attachments->setConversation(nullptr);
    delete m_sessions; // before the library: the sessions know its conversations
    m_sessions = nullptr;
    delete m_settings;
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::applySettings()
{
    m_composer->setSendWithCtrlEnter(m_settings->value(Settings::Key::SendWithCtrlEnter).toBool());
    m_attachments->setMaxImageEdge(m_settings->number(Settings::Key::ImageMaxEdge));
    m_sessions->setMediaTurns(m_settings->number(Settings::Key::MediaHistoryTurns));
    const bool thinking = m_settings->value(Settings::Key::ShowThinking).toBool();
    m_actions.value(u"showThinking"_s)->setChecked(thinking);
    m_view->setShowThinking(thinking);
    m_status->setPrices({m_settings->value(Settings::Key::PriceInputPerMillion).toDouble(),
                         m_settings->value(Settings::Key::PriceCachedInputPerMillion).toDouble(),
                         m_settings->value(Settings::Key::PriceOutputPerMillion).toDouble()});
    m_status->setContextWindow(m_settings->value(Settings::Key::ContextWindowTokens).toLongLong());
    m_sessions->setDefaults(m_settings->defaultParameters());
    applyToolSettings();
    refreshEndpoint();
    refreshStatus();
}

// Called when the settings or the key change, not per request.
void MainWindow::refreshEndpoint()
{
    Endpoint endpoint = m_settings->endpoint();
    endpoint.apiKey = m_credentials->key();
    m_client->setEndpoint(endpoint);
    refreshFilesApi();
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
    return m_sessions->session(conversation);
}

void MainWindow::wireSession(ChatSession *created)
{
    const qint64 id = created->conversation()->id;
    connect(created, &ChatSession::busyChanged, this, [this, id](bool busy) {
        if (m_current && m_current->id == id)
            m_composer->setBusy(busy);
    });
    connect(created, &ChatSession::replyFinished, this, [this, id] {
        m_library->touch(id);
        refreshStatus();
        m_budgetTimer.start(); // the next request carries this reply too
    });
    connect(created, &ChatSession::uploadProgressed, this,
            [this, id](const QString &name, qint64 sent, qint64 total) {
                if (m_current && m_current->id == id)
                    statusBar()->showMessage(
                        tr("Uploading %1 to the server's Files API: %2 of %3 (Stop cancels)")
                            .arg(name, QLocale().formattedDataSize(sent), QLocale().formattedDataSize(total)),
                        2000);
            });
    wireTools(created);
}

void MainWindow::saveDraft()
{
    if (m_current && !m_composer->editingMessageId() && m_current->draft != m_composer->text()) {
        m_current->draft = m_composer->text();
        m_library->metaChanged(m_current);
    }
}

void MainWindow::setCurrent(Conversation *conversation)
{
    m_current = conversation;
    m_model->setConversation(conversation);
    m_attachments->setConversation(conversation);
    m_budgetTimer.start();
    showInspectorsOf(conversation);
}

void MainWindow::newConversation()
{
    saveDraft();
    Conversation *conversation = m_library->create();
    selectConversation(conversation->id);
}

void MainWindow::selectConversation(qint64 id)
{
    Conversation *conversation = m_library->conversationLater(id); // its messages may follow
    if (!conversation || conversation == m_current)
        return;
    m_whenOpened = {};
    saveDraft();
    m_composer->cancelEditing();
    setCurrent(conversation);
    m_view->setPinnedToBottom(true);
    m_sidebar->setCurrent(id);
    m_composer->setText(conversation->draft);
    m_composer->showProblems({});
    ChatSession *current = session(conversation);
    m_composer->setBusy(current->isBusy());
    const ChatParameters parameters = current->parameters();
    m_composer->setThinking(parameters.thinking, parameters.keepThinking);
    updateTitle();
    refreshStatus();
    if (m_findBar->isVisible())
        updateFind(false);
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
    ChatSession *current = session(m_current);
    const qint64 editing = m_composer->editingMessageId();
    if (!editing && m_attachments->importing() > 0) {
        m_composer->showProblems({tr("attachments are still being imported; send once they are in")});
        return;
    }
    if (!editing) {
        // A request the server must refuse for its size is never sent: the budget line says
        // what makes it too large, and what can be done. (Weighed when the draft last changed;
        // the session refuses a body over the limit in any case.)
        if (m_lastBudget.isOver() && !session(m_current)->leavesOutOldMediaToFit()) {
            m_composer->showProblems({tr("the request would be too large (see above)")});
            return;
        }
    }
    const QStringList problems =
        editing ? current->editAndResend(editing, text) : current->send(text, m_attachments->parts());
    m_composer->showProblems(problems);
    if (!problems.isEmpty())
        return;
    if (editing)
        m_composer->cancelEditing();
    else
        m_attachments->clearDraft();
    m_composer->clear();
    m_current->draft.clear();
    m_library->nameFromFirstMessage(m_current->id); // the window title follows
    m_library->touch(m_current->id);
    m_view->setPinnedToBottom(true);
}

void MainWindow::stop()
{
    // Through the tool runner: calls that finished keep their results, running ones are stopped.
    if (ChatSession *current = m_current ? m_sessions->find(m_current->id) : nullptr) {
        if (ToolRunner *runner = current->findChild<ToolRunner *>())
            runner->stop();
        else
            current->stop();
    }
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
        problems = current->regenerate(messageId);
        break;
    case MessageAction::Retry:
        problems = current->retry(messageId);
        break;
    case MessageAction::Continue:
        problems = current->continueReply(messageId);
        break;
    case MessageAction::Delete:
        m_current->removeOne(messageId);
        return;
    case MessageAction::BranchPrevious:
    case MessageAction::BranchNext:
        m_current->stepBranch(messageId, action == MessageAction::BranchNext ? 1 : -1);
        return;
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
    m_sessions->discard(id);
    m_deletedTitle = conversation->title;
    const bool wasCurrent = conversation == m_current;
    if (wasCurrent)
        setCurrent(nullptr);
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

SettingsDialog *MainWindow::settingsDialog() const
{
    return m_settingsDialog;
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
    m_settingsDialog->setMcpServers(m_mcpServers);
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

void MainWindow::updateTitle()
{
    setWindowTitle(m_current ? tr("%1 — Moonpane").arg(m_current->title) : tr("Moonpane"));
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
        // A stub says its role and size: only a reply with text is read (the last one is in
        // view, so normally read already).
        const Message *stub = m_current->message(*it);
        if (!stub || stub->role != Role::Assistant || (!stub->textLoaded && stub->textLength == 0))
            continue;
        m_current->ensureText({*it});
        const Message *message = m_current->message(*it);
        if (message && !message->content.isEmpty()) {
            QGuiApplication::clipboard()->setText(message->content);
            statusBar()->showMessage(tr("Copied the last reply."), 3000);
            return;
        }
    }
    statusBar()->showMessage(tr("There is no reply to copy yet."), 3000);
}

// --- find ------------------------------------------------------------------------------------

void MainWindow::find()
{
    if (isShowingWelcome())
        return;
    const QString selected = m_view->selectedText();
    m_findBar->activate(selected.contains(u'\n') ? QString() : selected);
    updateFind(true);
}

void MainWindow::updateFind(bool keepPosition)
{
    const QString term = m_findBar->isVisible() ? m_findBar->term() : QString();
    const bool thinking = m_findBar->includeThinking() && m_view->showThinking();
    m_view->setFind(term, thinking);
    if (!keepPosition)
        m_shownMatch = {};
    m_find->setConversation(m_current);
    m_find->setTerm(term, thinking); // the matches come through showFind, now or as text arrives
    showFind();
}

void MainWindow::showFind()
{
    using Area = ConversationFind::Area;
    const QList<ConversationFind::Match> &matches = m_find->matches();
    const bool complete = m_find->isComplete();
    if (m_findTarget.messageId && m_current) {
        // openAt: the match of a search, once its message is searched.
        const int at = m_find->indexOf(m_findTarget.messageId,
                                       m_findTarget.inThinking ? Area::Reasoning : Area::Content);
        if (at >= 0 || complete) {
            const qint64 target = std::exchange(m_findTarget.messageId, 0);
            if (at >= 0) {
                m_find->setCurrent(at); // comes back here
                return;
            }
            // The words are apart in this message (search matches each word anywhere): show it.
            m_view->scrollTo(m_model->index(m_model->rowOf(target)), QAbstractItemView::PositionAtTop);
        }
    }
    if (matches.isEmpty()) {
        m_findBar->setResult(-1, 0, complete);
        return;
    }
    if (m_find->current() < 0) {
        if (!complete) {
            m_findBar->setResult(-1, static_cast<int>(matches.size()), false);
            return; // where to start is chosen once all is searched
        }
        // The first match from what is on screen down, as a browser does.
        const int top = std::max(0, m_view->indexAt(QPoint(0, 0)).row());
        m_find->setCurrent(std::max(0, m_find->firstFrom(top))); // comes back here
        return;
    }
    const ConversationFind::Match &match = matches.at(m_find->current());
    if (match != m_shownMatch) {
        // Only a new current match moves the view: more matches arriving leave it where it is.
        m_shownMatch = match;
        m_view->showMatch(match.messageId,
                          match.area == Area::Reasoning ? TextArea::Reasoning : TextArea::Content,
                          match.occurrence);
    }
    m_findBar->setResult(m_find->current(), static_cast<int>(matches.size()), complete);
}

void MainWindow::stepFind(int step)
{
    if (!m_findBar->isVisible() || m_findBar->term().isEmpty()) {
        find();
        return;
    }
    if (m_find->matches().isEmpty())
        updateFind(true); // the conversation may have grown since
    m_find->step(step);
}

void MainWindow::searchAll()
{
    if (!m_store || !m_store->isOpen())
        return;
    if (!m_searchDialog) {
        m_searchDialog = new SearchDialog(m_store, this);
        connect(m_searchDialog, &SearchDialog::openRequested, this, &MainWindow::openAt);
    }
    m_searchDialog->activate();
}

void MainWindow::openAt(qint64 conversationId, qint64 messageId, const QString &query, bool inThinking)
{
    selectConversation(conversationId);
    if (!m_current || m_current->id != conversationId)
        return;
    if (m_current->isLoading()) { // again once its messages are in
        m_whenOpened = [=, this] { openAt(conversationId, messageId, query, inThinking); };
        return;
    }
    if (!m_current->message(messageId))
        return;
    if (!m_current->path().contains(messageId))
        m_current->selectBranch(messageId); // the match is on another branch: show that one
    if (inThinking && !m_view->showThinking())
        m_actions.value(u"showThinking"_s)->trigger();
    // The find bar looks for one string: the quoted phrase, or else the longest word.
    QString term;
    const QStringList quoted = query.split(u'"');
    if (quoted.size() > 2 && !quoted.at(1).trimmed().isEmpty()) {
        term = quoted.at(1).trimmed();
    } else {
        for (const QString &word : query.simplified().remove(u'"').split(u' ', Qt::SkipEmptyParts)) {
            if (word.size() > term.size())
                term = word;
        }
    }
    m_findBar->setIncludeThinking(inThinking || m_findBar->includeThinking());
    m_findTarget = {messageId, inThinking};
    m_findBar->activate(term);
    updateFind(false);
}

// --- the history ------------------------------------------------------------------------------

void MainWindow::showStorageProblem(const QString &message)
{
    m_notice->showNotice(message);
}

void MainWindow::onConversationReloaded(qint64 id)
{
    if (!m_current || m_current->id != id)
        return;
    // Another process (the CLI) changed the open conversation: the model shows it as it is now
    // (the view keeps its place); what is around it follows.
    refreshAround(true);
}

void MainWindow::refreshAround(bool keepFindPlace)
{
    updateTitle();
    refreshStatus();
    if (m_findBar->isVisible())
        updateFind(keepFindPlace);
}

void MainWindow::onConversationRemoved(qint64 id)
{
    // Deleted here (deleteConversation has moved on already) or by another process.
    if (!m_current || m_current->id != id)
        return;
    setCurrent(nullptr);
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_current)
                return;
            const QList<Conversation *> left = m_library->conversations();
            if (left.isEmpty())
                newConversation();
            else
                selectConversation(left.constFirst()->id);
        },
        Qt::QueuedConnection);
    statusBar()->showMessage(tr("The conversation was deleted elsewhere."), 6000);
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
