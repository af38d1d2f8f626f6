// The main window: conversations in a sidebar, the conversation and the composer in the middle
// (or the first-run page while there is no API key), a dock area for inspectors, menus with
// every shortcut, and the status bar's figures. It wires the widgets to the core: one
// ChatSession per conversation, all sharing one ChatClient and one ConversationModel.
#pragma once

#include "MessageLayout.h"
#include "api/RequestBudget.h"
#include "conversation/ConversationFind.h"
#include "storage/Exporter.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>

class QAction;
class QDockWidget;
class QStackedWidget;
class QTabWidget;

namespace moonpane {

class ChatClient;
class ChatSession;
class Composer;
class Conversation;
class ConversationLibrary;
class ConversationListModel;
class ConversationModel;
class ConversationSidebar;
class ConversationStore;
class ConversationView;
class SessionRegistry;
class ToolApprovalCard;
class ToolCallModel;
class ToolInspector;
class WireInspector;
class ThinkingInspector;
class ToolRegistry;
class ToolRunner;
class Credentials;
class ArchiveJob;
class FindBar;
class JobProgress;
class NoticeBar;
class SearchDialog;
class Settings;
class StatusPanel;
class WelcomePage;
class SettingsDialog;
class AttachmentModel;
class DropOverlay;
class ThumbnailCache;
struct MediaRef;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    // Uses the library given (not owned; a ConversationStore keeps the history), or an in-memory
    // one of its own.
    explicit MainWindow(ConversationLibrary *library = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests and benchmarks.
    ConversationView *view() const { return m_view; }
    Composer *composer() const { return m_composer; }
    ConversationSidebar *sidebar() const { return m_sidebar; }
    ConversationModel *conversationModel() const { return m_model; }
    ConversationLibrary *library() const { return m_library; }
    Credentials *credentials() const { return m_credentials; }
    ChatClient *client() const { return m_client; }
    StatusPanel *statusPanel() const { return m_status; }
    WelcomePage *welcomePage() const { return m_welcome; }
    Conversation *currentConversation() const { return m_current; }
    ChatSession *session(Conversation *conversation);
    // The tool runner of a conversation's session (tests, screenshots).
    ToolRunner *toolRunner(Conversation *conversation);
    ToolRegistry *tools() const { return m_tools; }
    ToolApprovalCard *approvalCard() const { return m_approvalCard; }
    ToolInspector *toolInspector() const { return m_toolInspector; }
    WireInspector *wireInspector() const { return m_wireInspector; }
    ThinkingInspector *thinkingInspector() const { return m_thinkingInspector; }
    QTabWidget *inspectorTabs() const { return m_inspectorTabs; }
    void wireSession(ChatSession *session);
    QAction *action(const QString &name) const;
    bool isShowingWelcome() const;
    SettingsDialog *settingsDialog() const;
    FindBar *findBar() const { return m_findBar; }
    NoticeBar *noticeBar() const { return m_notice; }
    SearchDialog *searchDialog() const { return m_searchDialog; }
    AttachmentModel *attachments() const { return m_attachments; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    DropOverlay *dropOverlay() const { return m_dropOverlay; }

    using ExportFormat = moonpane::ExportFormat;
    // What File → Export and Import do once they have a file name: a job on a thread of its
    // own, shown in the status bar with its progress and Cancel, its outcome said there (or in
    // the notice bar when it failed). Null when it could not start (no history; another job is
    // running); a conversation of a window without a history is exported at once.
    ArchiveJob *exportConversation(qint64 id, ExportFormat format, const QString &path);
    ArchiveJob *exportAll(const QString &path);
    ArchiveJob *importConversations(const QString &path);
    JobProgress *jobProgress() const { return m_jobProgress; }
    // Something about the history the user must know (it could not be opened, a save failed).
    void showStorageProblem(const QString &message);

public slots:
    void newConversation();
    void selectConversation(qint64 id);
    void send(const QString &text);
    void stop();
    void openSettings();
    void openConversationSettings(bool focusPrompt = false);
    void copyLastReply();
    void find(); // Ctrl+F
    void stepFind(int step); // to the next (1) or previous (-1) match
    void updateTitle(); // the window's: the current conversation's title
    void searchAll(); // Ctrl+Shift+F
    // Opens a conversation at a message, with `query` found and marked there.
    void openAt(qint64 conversationId, qint64 messageId, const QString &query, bool inThinking);
    // Attaching media (MainMedia.cpp).
    void pickAttachments(); // the Attach button
    void previewMedia(const moonpane::MediaRef &media);

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void createActions();
    void createMenus();
    void applySettings();
    void refreshEndpoint();
    void refreshStatus();
    void updateStack();
    void handleAction(MessageAction action, qint64 messageId);
    void deleteConversation(qint64 id);
    void setThinking(bool enabled, bool keep);
    void saveDraft();
    void updateFind(bool keepPosition);
    void showFind(); // the find bar and the view follow the matches
    void onConversationReloaded(qint64 id);
    // What shows the current conversation's title, status and find matches, after its messages
    // changed under it (read again, or in after it was opened).
    void refreshAround(bool keepFindPlace);
    void onConversationRemoved(qint64 id);
    void askExport(ExportFormat format);
    // Shows a job in the status bar and says how it ended; `done` says what succeeded.
    ArchiveJob *follow(ArchiveJob *job, const QString &what, const QString &unit,
                       std::function<QString(int count)> done, const QString &failure);
    void askExportAll();
    void askImport();
    void setupMedia();
    // Tool calls (MainTools.cpp): the registry, a runner per session, the approval card and the
    // inspector's tool-call tab, following the conversation on screen.
    void setupTools();
    void wireTools(ChatSession *created);
    // An inspector's step or call: its message in the middle of the view.
    void revealMessage(qint64 messageId);
    // The approval card and the Inspector's tabs follow this conversation.
    void showInspectorsOf(Conversation *conversation);
    // Settings → Tools into the registry; MCP servers started, stopped or kept as they are.
    void applyToolSettings();
    // A folder's files: attached, after asking when there are many.
    void attachFolder(const QString &path, const QStringList &files, int others);
    void setCurrent(Conversation *conversation); // the model, the attachments
    // What the next request would weigh, and the composer's line saying so (MainMedia.cpp).
    // Weighs the next request (on a worker) and shows it; send() refuses by the last weighing.
    void updateBudget();
    void showBudget(const RequestBudget &budget);
    // Whether the server takes uploads (its Files API), and which files it has from earlier.
    void refreshFilesApi();

    Settings *m_settings;
    Credentials *m_credentials;
    ConversationLibrary *m_library;
    ConversationStore *m_store; // m_library, when it is kept in the database
    ConversationListModel *m_listModel;
    ConversationModel *m_model;
    ChatClient *m_client;
    SessionRegistry *m_sessions; // owned; goes before the library
    Conversation *m_current = nullptr;
    std::function<void()> m_whenOpened; // what waits for the current conversation's messages

    ConversationSidebar *m_sidebar;
    QStackedWidget *m_stack;
    WelcomePage *m_welcome;
    QWidget *m_chat;
    ConversationView *m_view;
    Composer *m_composer;
    StatusPanel *m_status;
    QDockWidget *m_inspectorDock;
    QPointer<SettingsDialog> m_settingsDialog; // cleared when it closes (or goes with the window)
    FindBar *m_findBar;
    NoticeBar *m_notice;
    JobProgress *m_jobProgress;
    SearchDialog *m_searchDialog = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    AttachmentModel *m_attachments = nullptr;
    DropOverlay *m_dropOverlay = nullptr;
    QStringList m_refusals; // what the last batch of attachments could not attach
    QTimer m_budgetTimer;
    class WorkerThread *m_budgetWorker = nullptr;
    quint64 m_budgetGeneration = 0; // a weighing still on its way is dropped when a newer one starts
    bool m_budgetWaitsForText = false; // the history's text is on its way: weigh again as it comes
    RequestBudget m_lastBudget;
    ConversationFind *m_find; // the find bar's matches
    ToolRegistry *m_tools = nullptr;
    ToolCallModel *m_toolCalls = nullptr;
    ToolApprovalCard *m_approvalCard = nullptr;
    ToolInspector *m_toolInspector = nullptr;
    WireInspector *m_wireInspector = nullptr;
    ThinkingInspector *m_thinkingInspector = nullptr;
    QTabWidget *m_inspectorTabs = nullptr;
    bool m_inspectorSized = false;
    QList<class McpClient *> m_mcpServers; // owned (children)
    ConversationFind::Match m_shownMatch; // the one the view was last moved to
    struct FindTarget
    {
        qint64 messageId = 0; // openAt: the message whose match to show once it is found
        bool inThinking = false;
    } m_findTarget;
    QHash<QString, QAction *> m_actions;
    QString m_deletedTitle;
    QTimer m_draftTimer; // a draft is saved a moment after typing stops, not only on leaving
    bool m_sidebarWanted = true; // what View → Show Sidebar says; a narrow window hides it anyway
};

} // namespace moonpane
