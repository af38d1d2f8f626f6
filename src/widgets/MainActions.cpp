// MainWindow's actions and menus, and the file commands (export, import) they run. The window
// itself, and how it wires widgets to the core, is in MainWindow.cpp.
#include "Appearance.h"
#include "Composer.h"
#include "ConversationSettingsDialog.h"
#include "ConversationSidebar.h"
#include "ConversationView.h"
#include "FindBar.h"
#include "JobProgress.h"
#include "MainWindow.h"
#include "NoticeBar.h"
#include "SearchDialog.h"
#include "SettingsDialog.h"
#include "StatusPanel.h"
#include "ThinkingInspector.h"
#include "WelcomePage.h"
#include "WireInspector.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationListModel.h"
#include "conversation/ConversationModel.h"
#include "conversation/SessionRegistry.h"
#include "storage/ArchiveJob.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/Exporter.h"
#include "storage/PrivateFiles.h"
#include "storage/Settings.h"

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
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace moonpane {

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
    make(u"showWire"_s, tr("Show &Wire Traffic"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I), [this] {
        m_inspectorDock->show();
        m_inspectorDock->raise();
        m_inspectorTabs->setCurrentWidget(m_wireInspector);
        m_wireInspector->list()->setFocus(); // Up and Down go through the requests
    });
    make(u"showThinking"_s, tr("Show T&hinking"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H), [this] {
        m_inspectorDock->show();
        m_inspectorDock->raise();
        m_inspectorTabs->setCurrentWidget(m_thinkingInspector);
    });
    make(u"find"_s, tr("&Find…"), QKeySequence::Find, [this] { find(); });
    make(u"findNext"_s, tr("Find &Next"), QKeySequence::FindNext, [this] { stepFind(1); });
    make(u"findPrevious"_s, tr("Find Pre&vious"), QKeySequence::FindPrevious, [this] { stepFind(-1); });
    make(u"searchAll"_s, tr("&Search All Conversations…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F),
         [this] { searchAll(); })
        ->setEnabled(m_store && m_store->isOpen());
    make(u"exportMarkdown"_s, tr("As &Markdown…"), QKeySequence(),
         [this] { askExport(ExportFormat::Markdown); });
    make(u"exportJson"_s, tr("As &JSON Messages…"), QKeySequence(),
         [this] { askExport(ExportFormat::Json); });
    make(u"exportJsonMedia"_s, tr("As JSON Messages with &Media Inline…"), QKeySequence(),
         [this] { askExport(ExportFormat::JsonWithMedia); });
    make(u"exportAll"_s, tr("Export &All Conversations…"), QKeySequence(), [this] {
        askExportAll();
    })->setEnabled(m_store && m_store->isOpen());
    make(u"import"_s, tr("&Import Conversations…"), QKeySequence(), [this] {
        askImport();
    })->setEnabled(m_store && m_store->isOpen());
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
    QMenu *exportMenu = file->addMenu(tr("&Export Conversation"));
    exportMenu->setObjectName(u"exportMenu"_s);
    exportMenu->addAction(m_actions.value(u"exportMarkdown"_s));
    exportMenu->addAction(m_actions.value(u"exportJson"_s));
    exportMenu->addAction(m_actions.value(u"exportJsonMedia"_s));
    file->addAction(m_actions.value(u"exportAll"_s));
    file->addAction(m_actions.value(u"import"_s));
    file->addSeparator();
    file->addAction(m_actions.value(u"settings"_s));
    file->addSeparator();
    file->addAction(m_actions.value(u"quit"_s));
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_actions.value(u"copyLastReply"_s));
    edit->addAction(m_actions.value(u"focusComposer"_s));
    edit->addSeparator();
    edit->addAction(m_actions.value(u"find"_s));
    edit->addAction(m_actions.value(u"findNext"_s));
    edit->addAction(m_actions.value(u"findPrevious"_s));
    edit->addAction(m_actions.value(u"searchAll"_s));
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
    view->addAction(m_actions.value(u"showWire"_s));
    view->addAction(m_actions.value(u"showThinking"_s));
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

ArchiveJob *MainWindow::follow(ArchiveJob *job, const QString &what, const QString &unit,
                               std::function<QString(int count)> done, const QString &failure)
{
    if (!job)
        return nullptr;
    for (const QString &name :
         {u"exportAll"_s, u"import"_s, u"exportMarkdown"_s, u"exportJson"_s, u"exportJsonMedia"_s})
        m_actions.value(name)->setEnabled(false); // one at a time
    m_jobProgress->track(job, what, unit);
    connect(job, &ArchiveJob::finished, this,
            [this, job, done, failure](bool ok, const QString &error, int count) {
                const bool open = m_store && m_store->isOpen();
                m_actions.value(u"exportAll"_s)->setEnabled(open);
                m_actions.value(u"import"_s)->setEnabled(open);
                for (const QString &name : {u"exportMarkdown"_s, u"exportJson"_s, u"exportJsonMedia"_s})
                    m_actions.value(name)->setEnabled(true);
                if (ok)
                    statusBar()->showMessage(done(count), 6000);
                else if (error.isEmpty())
                    statusBar()->showMessage(tr("Cancelled; nothing was written."), 6000);
                else
                    m_notice->showNotice(failure.arg(error));
                job->deleteLater();
            });
    return job;
}

ArchiveJob *MainWindow::exportConversation(qint64 id, ExportFormat format, const QString &path)
{
    if (m_jobProgress->isTracking())
        return nullptr;
    const QString where = QDir::toNativeSeparators(path);
    if (!m_store || !m_store->isOpen()) {
        // No history: the conversation lives in memory only, and is written from there.
        Conversation *conversation = m_library->find(id);
        const QByteArray bytes = !conversation ? QByteArray()
            : format == ExportFormat::Markdown
            ? Exporter::markdown(*conversation).toUtf8()
            : Exporter::wireJson(*conversation, format == ExportFormat::JsonWithMedia);
        QSaveFile file(path);
        if (!conversation)
            m_notice->showNotice(tr("Could not export to %1: the conversation is gone.").arg(where));
        else if (PrivateFiles::open(&file) && file.write(bytes) == bytes.size() && file.commit())
            statusBar()->showMessage(tr("Exported to %1").arg(where), 6000);
        else
            m_notice->showNotice(tr("Could not export to %1: %2").arg(where, file.errorString()));
        return nullptr;
    }
    saveDraft();
    return follow(
        m_store->exportConversationInBackground(id, format, path), tr("Exporting"), QString(),
        [where](int) { return tr("Exported to %1").arg(where); },
        tr("Could not export to %1: %2").arg(where, u"%1"_s));
}

ArchiveJob *MainWindow::exportAll(const QString &path)
{
    if (!m_store || !m_store->isOpen() || m_jobProgress->isTracking())
        return nullptr;
    saveDraft();
    const QString where = QDir::toNativeSeparators(path);
    return follow(
        m_store->exportInBackground(path), tr("Exporting"), tr("conversations"),
        [where](int count) { return tr("Exported %n conversation(s) to %1", nullptr, count).arg(where); },
        tr("Could not export to %1: %2").arg(where, u"%1"_s));
}

ArchiveJob *MainWindow::importConversations(const QString &path)
{
    if (!m_store || !m_store->isOpen() || m_jobProgress->isTracking())
        return nullptr;
    const QString where = QDir::toNativeSeparators(path);
    return follow(
        m_store->importInBackground(path), tr("Importing"), QString(),
        [](int count) { return tr("Imported %n conversation(s).", nullptr, count); },
        tr("Nothing was imported from %1: %2").arg(where, u"%1"_s));
}

namespace {

QString documentsPath(const QString &name)
{
    QString safe = name.simplified();
    safe.replace(QRegularExpression(u"[/\\\\:*?\"<>|]"_s), u"-"_s);
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath(safe.left(80));
}

} // namespace

void MainWindow::askExport(ExportFormat format)
{
    if (!m_current)
        return;
    const bool markdown = format == ExportFormat::Markdown;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Conversation"), documentsPath(m_current->title + (markdown ? u".md"_s : u".json"_s)),
        markdown ? tr("Markdown (*.md)") : tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    exportConversation(m_current->id, format, path);
}

void MainWindow::askExportAll()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export All Conversations"),
        documentsPath(u"moonpane-%1.jsonl"_s.arg(QDate::currentDate().toString(Qt::ISODate))),
        tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    exportAll(path);
}

void MainWindow::askImport()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import Conversations"), documentsPath(QString()),
                                     tr("Moonpane export (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    importConversations(path);
}

} // namespace moonpane
