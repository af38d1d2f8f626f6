// ToolRegistry: the tools a conversation offers and what runs each one. Function definitions
// (the app's sets, a conversation's own, a CLI --tools file) are manual tools unless a command
// is bound to them; MCP servers add their tools under their own names (a name already taken is
// left out, with a warning); Kimi's $web_search is a switch. It says, for each name, who runs it
// and what the user decided about it: per tool and per server, ask (the default), always or
// never; "allow for this conversation" is the runner's, since it lasts as long as one.
#pragma once

#include "CommandTool.h"
#include "ToolRun.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

namespace moonpane {

class McpClient;
class ToolJob;

enum class ToolApproval { Ask, Always, Never };

class ToolRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolRegistry)

public:
    static constexpr int kDefaultMaxMs = 10 * 60'000; // an MCP call that keeps reporting progress

    struct Entry
    {
        QString name;
        ToolKind kind = ToolKind::Manual;
        QJsonObject definition; // the `tools` entry
        CommandSpec command; // kind Command
        QPointer<McpClient> server; // kind Mcp
        QJsonObject parameters() const;
    };

    explicit ToolRegistry(QObject *parent = nullptr);
    ~ToolRegistry() override;

    // Function definitions, in order; each is manual until a command is bound to its name.
    void setDefinitions(const QJsonArray &tools);
    QJsonArray ownDefinitions() const { return m_definitions; }
    void bindCommand(const QString &name, const CommandSpec &command);
    // Every binding at once (the app's settings): names not in `commands` are manual again.
    void setCommands(const QHash<QString, CommandSpec> &commands)
    {
        m_commands = commands;
        emit changed();
    }
    void unbindCommand(const QString &name)
    {
        m_commands.remove(name);
        emit changed();
    }
    // A server whose tools are offered while it is ready. Not owned.
    void addServer(McpClient *server);
    void removeServer(McpClient *server);
    QList<McpClient *> servers() const;
    void setWebSearch(bool on);
    bool webSearch() const { return m_webSearch; }

    // The `tools` array of a request: the definitions, $web_search, then the ready servers'
    // tools whose names are free.
    QJsonArray definitions() const;
    std::optional<Entry> find(const QString &name) const;

    // The user's decision for a tool (its own, else its server's, else Ask).
    ToolApproval approval(const QString &name) const;
    void setToolApproval(const QString &name, ToolApproval approval);
    void setServerApproval(const QString &server, ToolApproval approval);
    void clearApprovals();
    // Every call of every tool: the CLI's --approve all / none. Unset with nullopt.
    void setApprovalForAll(std::optional<ToolApproval> approval) { m_forAll = approval; }

    int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int ms) { m_timeoutMs = std::max(1, ms); }
    int maxMs() const { return m_maxMs; }
    void setMaxMs(int ms) { m_maxMs = std::max(1, ms); }

    // A job running `arguments` through the tool's executor, or nullptr for a manual or builtin tool.
    ToolJob *start(const Entry &entry, const QString &arguments, QObject *parent) const;

signals:
    void changed();
    // A server tool left out because its name is taken (said once per server and name).
    void warning(const QString &message);

private:
    QJsonArray m_definitions;
    QHash<QString, CommandSpec> m_commands;
    QList<QPointer<McpClient>> m_servers;
    bool m_webSearch = false;
    QHash<QString, ToolApproval> m_toolApprovals;
    QHash<QString, ToolApproval> m_serverApprovals;
    std::optional<ToolApproval> m_forAll;
    int m_timeoutMs = CommandSpec::kDefaultTimeoutMs;
    int m_maxMs = kDefaultMaxMs;
    mutable QSet<QString> m_warned;
};

} // namespace moonpane
