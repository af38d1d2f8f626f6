// The tool loop of `moonpane-cli chat`: the registry made of --tools, --tool-command and --mcp,
// the approval that --approve asks for (on the terminal, y/n/a), and what the run printed and
// did with its tools. The loop itself is core's ToolRunner, as in the app.
#pragma once

#include "ChatOptions.h"
#include "tools/McpClient.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"

#include <QFile>
#include <QJsonArray>

#include <memory>
#include <vector>

namespace moonpane::cli {

class CliTools final
{
public:
    CliTools() = default;
    ~CliTools();
    CliTools(const CliTools &) = delete;
    CliTools &operator=(const CliTools &) = delete;

    // Checks the options and starts the MCP servers (waiting until each is ready or down). On a
    // problem returns false and says why in *error (exit 2: nothing was sent).
    bool setUp(const ChatOptions &options, const QJsonArray &tools, QString *error);
    // Follows the session's tool calls from now on.
    void attach(ChatSession *session, bool textOutput);
    ToolRunner *runner() const { return m_runner.get(); }
    bool hasExecutableTools() const { return !m_options.toolCommands.isEmpty() || !m_servers.empty(); }

    // --output json's "tool_runs".
    QJsonArray runsJson() const;

private:
    bool startServers(QString *error);
    void ask(int row);
    void printFinished(int row);

    ChatOptions m_options;
    ToolRegistry m_registry;
    std::vector<std::unique_ptr<McpClient>> m_servers;
    std::unique_ptr<ToolRunner> m_runner;
    QFile m_terminal; // --approve ask: where the questions go and the answers come from
    QList<bool> m_printed;
    bool m_text = true;
};

} // namespace moonpane::cli
