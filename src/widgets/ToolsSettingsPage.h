// ToolsSettingsPage: Settings → Tools. The app-wide tool definitions (a JSON editor that says
// what Kimi would refuse, and Import…), the program each one runs (command tools), MCP servers
// (a command line and environment each, with their state, last log lines and Restart), Kimi's
// web search switch, the round limit and the call timeout, and what the user decided for each
// tool and server (ask, always, never).
#pragma once

#include "tools/ToolSettings.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace moonpane {

class McpClient;
class WorkerThread;

class ToolsSettingsPage final : public QWidget
{
    Q_OBJECT

public:
    explicit ToolsSettingsPage(QWidget *parent = nullptr);
    ~ToolsSettingsPage() override;
    void load(const ToolSettings &settings);
    // The servers as they run now, for their state and log.
    void setServers(const QList<McpClient *> &servers);
    ToolSettings settings() const;
    QStringList problems() const;
    // Says on the page why the settings cannot be saved as they are.
    void showProblems(const QStringList &problems);

    QPlainTextEdit *definitionsEditor() const { return m_definitions; }
    QTableWidget *commandsTable() const { return m_commands; }
    QTableWidget *serversTable() const { return m_servers; }
    QTableWidget *approvalsTable() const { return m_approvals; }

private:
    void checkDefinitions();
    void refreshApprovals();
    void refreshServerStates();
    void importDefinitions();
    void showProblem(const QString &text);
    QStringList functionNames() const;

    QCheckBox *m_webSearch;
    QSpinBox *m_rounds;
    QSpinBox *m_timeout;
    QPlainTextEdit *m_definitions;
    QLabel *m_definitionProblems;
    QTableWidget *m_commands;
    QTableWidget *m_servers;
    QTableWidget *m_approvals;
    QList<QPointer<McpClient>> m_running;
    ToolSettings m_loaded;
    WorkerThread *m_worker = nullptr;
};

} // namespace moonpane
