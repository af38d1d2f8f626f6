// MainWindow: tool calls and the Inspector. The app's ToolRegistry, a ToolRunner per session,
// the approval card in the conversation, and the Inspector dock's tabs (tool calls, wire).
// MainWindow decides nothing here: the runner and the session do; this connects what the user
// sees to them.
#include "ConversationView.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "ThinkingInspector.h"
#include "ToolApprovalCard.h"
#include "ToolInspector.h"
#include "WireInspector.h"
#include "api/WireRecorder.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"
#include "conversation/SessionRegistry.h"
#include "storage/ConversationStore.h"
#include "storage/Settings.h"
#include "tools/McpClient.h"
#include "tools/ToolCallModel.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"
#include "tools/ToolSettings.h"

#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStatusBar>
#include <QTabWidget>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {
constexpr int kThinkingSearchLimit = 200; // hits over every conversation, this one's kept
} // namespace

void MainWindow::setupTools()
{
    m_tools = new ToolRegistry(this);
    m_toolCalls = new ToolCallModel(this);
    m_approvalCard = new ToolApprovalCard(this);
    connect(m_approvalCard, &ToolApprovalCard::stopRequested, this, &MainWindow::stop);
    connect(m_approvalCard, &ToolApprovalCard::alwaysAllowRequested, this, [this](const QString &tool) {
        ToolSettings settings = ToolSettings::fromJson(
            QJsonDocument::fromJson(m_settings->value(Settings::Key::Tools).toString().toUtf8()).object());
        settings.toolApprovals.insert(tool, ToolApproval::Always);
        m_settings->setValue(
            Settings::Key::Tools,
            QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact)));
        m_settings->sync();
        m_tools->setToolApproval(tool, ToolApproval::Always);
    });
    connect(m_approvalCard, &ToolApprovalCard::inspectRequested, this, [this](int row) {
        m_inspectorDock->show();
        m_inspectorDock->raise();
        m_inspectorTabs->setCurrentWidget(m_toolInspector);
        m_toolInspector->selectRow(row);
    });

    m_inspectorTabs = new QTabWidget(m_inspectorDock);
    m_inspectorTabs->setObjectName(u"inspectorTabs"_s);
    m_inspectorTabs->setDocumentMode(true);
    m_toolInspector = new ToolInspector(m_toolCalls, m_inspectorTabs);
    m_toolInspector->setObjectName(u"toolInspector"_s);
    m_inspectorTabs->addTab(m_toolInspector, tr("Tool calls"));
    m_wireInspector = new WireInspector(m_inspectorTabs);
    m_wireInspector->setObjectName(u"wireInspector"_s);
    m_inspectorTabs->addTab(m_wireInspector, tr("Wire"));
    connect(m_wireInspector, &WireInspector::status, this,
            [this](const QString &message) { statusBar()->showMessage(message, 6000); });
    connect(m_wireInspector, &WireInspector::messageActivated, this, &MainWindow::revealMessage);
    connect(m_wireInspector, &WireInspector::resendRequested, this,
            [this](qint64 messageId, const RequestBody &body, bool stream, const QString &model) {
                if (!m_current)
                    return;
                const QStringList problems = session(m_current)->resend(messageId, body, stream, model);
                if (!problems.isEmpty())
                    statusBar()->showMessage(tr("Not sent: %1").arg(problems.join(u"; "_s)), 8000);
            });
    m_thinkingInspector = new ThinkingInspector(m_inspectorTabs);
    m_thinkingInspector->setObjectName(u"thinkingInspector"_s);
    m_inspectorTabs->addTab(m_thinkingInspector, tr("Thinking"));
    connect(m_thinkingInspector, &ThinkingInspector::status, this,
            [this](const QString &message) { statusBar()->showMessage(message, 6000); });
    connect(m_thinkingInspector, &ThinkingInspector::messageActivated, this, &MainWindow::revealMessage);
    // Search in reasoning: the store's full-text search, this conversation's reasoning alone.
    m_thinkingInspector->setSearch([this](const QString &query,
                                          std::function<void(const QList<ThinkingInspector::Found> &)> done) {
        const qint64 conversationId = m_current ? m_current->id : 0;
        if (m_store) {
            m_store->searchInBackground(query, true, kThinkingSearchLimit,
                                        [done, conversationId](const QList<SearchHit> &hits) {
                                            QList<ThinkingInspector::Found> found;
                                            for (const SearchHit &hit : hits) {
                                                if (hit.conversationId == conversationId && hit.inReasoning)
                                                    found.append({hit.messageId, hit.snippet});
                                            }
                                            done(found);
                                        });
            return;
        }
        // No history database (it could not be opened): what is in memory.
        QList<ThinkingInspector::Found> found;
        for (const qint64 id : m_current ? m_current->path() : QList<qint64>()) {
            const Message *m = m_current->message(id);
            const qsizetype at = m ? m->reasoning.indexOf(query, 0, Qt::CaseInsensitive) : -1;
            if (at < 0)
                continue;
            const qsizetype from = std::max<qsizetype>(0, at - 40);
            found.append({id,
                          m->reasoning.mid(from, at - from) + SearchHit::kMatchStart
                              + m->reasoning.mid(at, query.size()) + SearchHit::kMatchEnd
                              + m->reasoning.mid(at + query.size(), 60)});
        }
        done(found);
    });
    // A branch switched, a message added or loaded: the turn shown follows.
    const auto follow = [this] { m_thinkingInspector->refreshLater(); };
    connect(m_model, &QAbstractItemModel::modelReset, m_thinkingInspector, follow);
    connect(m_model, &QAbstractItemModel::rowsInserted, m_thinkingInspector, follow);
    connect(m_model, &QAbstractItemModel::rowsRemoved, m_thinkingInspector, follow);
    m_inspectorDock->setWidget(m_inspectorTabs);
    // Wide enough for a call's columns the first time it opens; the user's width after that.
    connect(
        m_inspectorDock, &QDockWidget::visibilityChanged, this,
        [this](bool visible) {
            if (visible && !m_inspectorSized) {
                m_inspectorSized = true;
                resizeDocks({m_inspectorDock}, {std::max(440, width() / 3)}, Qt::Horizontal);
            }
        },
        Qt::QueuedConnection);
    connect(m_view, &ConversationView::toolCallActivated, this, [this](qint64 messageId, int index) {
        ToolRunner *runner = toolRunner(m_current);
        const int row = runner ? runner->rowOf(messageId, index) : -1;
        m_inspectorDock->show();
        m_inspectorDock->raise();
        m_inspectorTabs->setCurrentWidget(m_toolInspector);
        if (row >= 0)
            m_toolInspector->selectRow(row);
        else // a call of an earlier session: what the conversation keeps of it
            statusBar()->showMessage(
                tr("This call was made before Moonpane started; the conversation shows its result"), 5000);
    });
    connect(m_toolInspector, &ToolInspector::messageActivated, this, &MainWindow::revealMessage);
}

void MainWindow::revealMessage(qint64 messageId)
{
    const int row = m_model->rowOf(messageId);
    if (row >= 0)
        m_view->scrollTo(m_model->index(row), QAbstractItemView::PositionAtCenter);
}

void MainWindow::applyToolSettings()
{
    const ToolSettings settings = ToolSettings::fromJson(
        QJsonDocument::fromJson(m_settings->value(Settings::Key::Tools).toString().toUtf8()).object());
    settings.apply(*m_tools);
    m_sessions->setMaxToolRounds(settings.maxRounds);
    // MCP servers: those gone or changed stop; new ones start. A server that runs as it was set
    // keeps running (and keeps its state: a restart is the user's choice).
    QList<McpClient *> kept;
    for (McpClient *server : std::as_const(m_mcpServers)) {
        const auto same =
            std::find_if(settings.servers.cbegin(), settings.servers.cend(), [&](const McpServerSpec &spec) {
                return spec.name == server->spec().name && spec.commandLine() == server->spec().commandLine()
                    && spec.environment == server->spec().environment;
            });
        if (same != settings.servers.cend()) {
            kept.append(server);
            continue;
        }
        m_tools->removeServer(server);
        server->stop();
        connect(server, &McpClient::stateChanged, server, [server](McpClient::State state) {
            if (state == McpClient::State::Stopped || state == McpClient::State::Down)
                server->deleteLater();
        });
        if (server->state() == McpClient::State::Stopped || server->state() == McpClient::State::Down)
            server->deleteLater();
    }
    for (const McpServerSpec &spec : settings.servers) {
        const bool running = std::any_of(kept.cbegin(), kept.cend(), [&](const McpClient *server) {
            return server->spec().name == spec.name;
        });
        if (running || spec.program.isEmpty())
            continue;
        auto *server = new McpClient(spec, this);
        connect(server, &McpClient::stateChanged, this, [this, server](McpClient::State state) {
            if (state == McpClient::State::Down)
                statusBar()->showMessage(tr("The MCP server %1 is down: %2 (Settings → Tools can restart it)")
                                             .arg(server->spec().name, server->error()),
                                         8000);
        });
        m_tools->addServer(server);
        kept.append(server);
        server->start();
    }
    m_mcpServers = kept;
    if (m_settingsDialog)
        m_settingsDialog->setMcpServers(m_mcpServers);
}

ToolRunner *MainWindow::toolRunner(Conversation *conversation)
{
    return conversation ? session(conversation)->findChild<ToolRunner *>() : nullptr;
}

void MainWindow::wireTools(ChatSession *created)
{
    auto *runner = new ToolRunner(created, m_tools, created);
    created->setToolSource([this] { return m_tools->definitions(); });
    connect(runner, &ToolRunner::approvalNeeded, this, [this, created] {
        // The card shows it when this conversation is on screen; elsewhere the sidebar's
        // busy mark says the turn waits.
        if (!m_current || created->conversation() != m_current)
            statusBar()->showMessage(
                tr("A conversation in the background waits for your decision on a tool call"), 5000);
    });
}

void MainWindow::showInspectorsOf(Conversation *conversation)
{
    ToolRunner *runner = toolRunner(conversation);
    m_toolCalls->setRunner(runner);
    m_approvalCard->setRunner(runner);
    m_wireInspector->setRecorder(conversation ? session(conversation)->wire() : nullptr);
    m_thinkingInspector->setSession(conversation ? session(conversation) : nullptr);
}

} // namespace moonpane
