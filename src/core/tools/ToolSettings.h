// The app's tool settings, kept in the settings file as one JSON object (Settings::Key::Tools):
// function definitions (the app-wide set), the command bound to each, MCP servers, Kimi's web
// search switch, the round limit, the call timeout and the approvals per tool and per server.
// apply() puts them into a ToolRegistry; the MCP servers are started by whoever owns them.
#pragma once

#include "CommandTool.h"
#include "McpClient.h"
#include "ToolRegistry.h"

#include <QHash>
#include <QJsonArray>
#include <QList>

namespace moonpane {

struct ToolSettings
{
    QJsonArray definitions;
    QHash<QString, CommandSpec> commands; // by function name
    QList<McpServerSpec> servers;
    bool webSearch = false;
    int maxRounds = 10;
    int timeoutSeconds = 60;
    QHash<QString, ToolApproval> toolApprovals;
    QHash<QString, ToolApproval> serverApprovals;

    QJsonObject toJson() const;
    static ToolSettings fromJson(const QJsonObject &object);
    // What is wrong with them (the definitions as Kimi checks them, a command without a program,
    // a server without a name or a program, two servers of one name); empty when nothing is.
    QStringList problems() const;
    // Definitions, commands, approvals, the web search switch and the timeout (not the servers).
    void apply(ToolRegistry &registry) const;

    // The tool definitions in a file's bytes, as `tools` entries: a JSON array of them, one of
    // them, a request body's `tools`, or bare functions ({"name","parameters"} or an MCP
    // tool's {"name","inputSchema"}, wrapped). Anything else is refused whole, saying what it is.
    static QJsonArray importDefinitions(const QByteArray &bytes, QString *error);

    static QString approvalName(ToolApproval approval);
    static ToolApproval approvalFromName(const QString &name);
};

} // namespace moonpane
