// MainWindow's actions and menus, and the file commands (export, import) they run. The window
// itself, and how it wires widgets to the core, is in MainWindow.cpp.
#include "Appearance.h"
#include "Composer.h"
#include "ConversationSettingsDialog.h"
#include "ConversationSidebar.h"
#include "ConversationView.h"
#include "FindBar.h"
#include "MainWindow.h"
#include "NoticeBar.h"
#include "SearchDialog.h"
#include "SettingsDialog.h"
#include "StatusPanel.h"
#include "WelcomePage.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationLibrary.h"
#include "conversation/ConversationListModel.h"
#include "conversation/ConversationModel.h"
#include "conversation/SessionRegistry.h"
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

bool MainWindow::exportConversation(qint64 id, ExportFormat format, const QString &path, QString *error)
{
    Conversation *conversation = m_library->conversation(id);
    if (!conversation) {
        *error = tr("The conversation is gone.");
        return false;
    }
    const QByteArray bytes = format == ExportFormat::Markdown
        ? Exporter::markdown(*conversation).toUtf8()
        : Exporter::wireJson(*conversation, format == ExportFormat::JsonWithMedia);
    QSaveFile file(path);
    if (!PrivateFiles::open(&file) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

bool MainWindow::exportAll(const QString &path, QString *error)
{
    if (!m_store || !m_store->isOpen()) {
        *error = tr("The history is not open.");
        return false;
    }
    saveDraft();
    QSaveFile file(path);
    if (!PrivateFiles::open(&file)) {
        *error = file.errorString();
        return false;
    }
    if (!m_store->exportAll(&file, error))
        return false;
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

int MainWindow::importConversations(const QString &path, QString *error)
{
    if (!m_store || !m_store->isOpen()) {
        *error = tr("The history is not open.");
        return -1;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return -1;
    }
    return m_store->importAll(&file, error);
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
    QString error;
    if (exportConversation(m_current->id, format, path, &error))
        statusBar()->showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(path)), 6000);
    else
        QMessageBox::warning(this, tr("Export Failed"), tr("Could not write %1: %2").arg(path, error));
}

void MainWindow::askExportAll()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export All Conversations"),
        documentsPath(u"moonpane-%1.jsonl"_s.arg(QDate::currentDate().toString(Qt::ISODate))),
        tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportAll(path, &error))
        statusBar()->showMessage(tr("Exported every conversation to %1").arg(QDir::toNativeSeparators(path)),
                                 6000);
    else
        QMessageBox::warning(this, tr("Export Failed"), tr("Could not write %1: %2").arg(path, error));
}

void MainWindow::askImport()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import Conversations"), documentsPath(QString()),
                                     tr("Moonpane export (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    const int count = importConversations(path, &error);
    if (count < 0) {
        QMessageBox::warning(
            this, tr("Import Failed"),
            tr("Nothing was imported from %1.\n\n%2").arg(QDir::toNativeSeparators(path), error));
        return;
    }
    statusBar()->showMessage(tr("Imported %n conversation(s).", nullptr, count), 6000);
}

} // namespace moonpane
