// MainWindow: tool calls. The app's ToolRegistry, a ToolRunner per session, the approval card
// above the composer and the tool-call tab of the Inspector dock. MainWindow decides nothing
// here: the runner does; this connects what the user sees to it.
#include "ConversationView.h"
#include "MainWindow.h"
#include "ToolApprovalCard.h"
#include "ToolInspector.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"
#include "tools/ToolCallModel.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"

#include <QDockWidget>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>

using namespace Qt::StringLiterals;

namespace moonpane {

void MainWindow::setupTools()
{
    m_tools = new ToolRegistry(this);
    m_toolCalls = new ToolCallModel(this);
    m_approvalCard = new ToolApprovalCard(this);
    connect(m_approvalCard, &ToolApprovalCard::stopRequested, this, &MainWindow::stop);
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
    auto *wire = new QLabel(tr("The requests of this conversation and what came back will be shown here."),
                            m_inspectorTabs);
    wire->setWordWrap(true);
    wire->setAlignment(Qt::AlignCenter);
    wire->setMargin(16);
    m_inspectorTabs->addTab(wire, tr("Wire"));
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
    connect(m_toolInspector, &ToolInspector::messageActivated, this, [this](qint64 messageId) {
        const int row = m_model->rowOf(messageId);
        if (row >= 0)
            m_view->scrollTo(m_model->index(row), QAbstractItemView::PositionAtCenter);
    });
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

void MainWindow::showToolsOf(Conversation *conversation)
{
    ToolRunner *runner = toolRunner(conversation);
    m_toolCalls->setRunner(runner);
    m_approvalCard->setRunner(runner);
}

} // namespace moonpane
