// ToolsSettingsPage: Settings → Tools. Named sets of tool definitions, each switched on or off
// (a JSON editor per set that says what Kimi would refuse, and Import…), the program each one runs (command
// tools), MCP servers (a command line and environment each, with their state, last log lines and Restart),
// Kimi's web search switch, the round limit and the call timeout, and what the user decided for each tool and
// server (ask, always, never).
#pragma once

#include "tools/ToolSettings.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
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
    QComboBox *setChoice() const { return m_setChoice; }
    QCheckBox *setEnabledCheck() const { return m_setEnabled; }
    // The editor shows the set at `index`; what was typed for the set before is kept.
    void showSet(int index);
    void addSet(const QString &name);
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
    QList<ToolSet> pageSets() const;

    QCheckBox *m_webSearch;
    QSpinBox *m_rounds;
    QSpinBox *m_timeout;
    QComboBox *m_setChoice;
    QCheckBox *m_setEnabled;
    QPlainTextEdit *m_definitions;
    // The sets as on the page: names, switches and the editor's text for each.
    struct PageSet
    {
        QString name;
        bool enabled = true;
        QString text;
    };
    QList<PageSet> m_sets;
    int m_currentSet = -1;
    QLabel *m_definitionProblems;
    QTableWidget *m_commands;
    QTableWidget *m_servers;
    QTableWidget *m_approvals;
    QList<QPointer<McpClient>> m_running;
    ToolSettings m_loaded;
    WorkerThread *m_worker = nullptr;
};

} // namespace moonpane
