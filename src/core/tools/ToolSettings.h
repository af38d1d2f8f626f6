// The app's tool settings, kept in the settings file as one JSON object (Settings::Key::Tools):
// named sets of function definitions (each offered in every conversation while it is on), the
// command bound to each function, MCP servers, Kimi's web
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

// A named group of tool definitions the user switches on and off as one.
struct ToolSet
{
    QString name;
    QJsonArray definitions;
    bool enabled = true;
};

struct ToolSettings
{
    QList<ToolSet> sets;
    QHash<QString, CommandSpec> commands; // by function name
    QList<McpServerSpec> servers;
    bool webSearch = false;
    int maxRounds = 10;
    int timeoutSeconds = 60;
    QHash<QString, ToolApproval> toolApprovals;
    QHash<QString, ToolApproval> serverApprovals;

    // What is offered: the definitions of the sets that are on, in order.
    QJsonArray definitions() const;
    // Every function name of every set, on or off (a set switched off keeps its programs and
    // decisions).
    QStringList functionNames() const;

    QJsonObject toJson() const;
    static ToolSettings fromJson(const QJsonObject &object);
    // What is wrong with them (the definitions as Kimi checks them, a name in two sets that are
    // on, two sets of one name, a command without a program,
    // a server without a name or a program, two servers of one name); empty when nothing is.
    QStringList problems() const;
    // Definitions, commands, approvals, the web search switch and the timeout (not the servers).
    void apply(ToolRegistry &registry) const;

    // The tool definitions in a file's bytes, as `tools` entries: a JSON array of them, one of
    // them, a request body's `tools`, or bare functions ({"name","parameters"} or an MCP
    // tool's {"name","inputSchema"}, wrapped). Anything else is refused whole, saying what it is.
    static QJsonArray importDefinitions(const QByteArray &bytes, QString *error);

    static QString defaultSetName(); // the first set's name, and the name of a list from before sets

    static QString approvalName(ToolApproval approval);
    static ToolApproval approvalFromName(const QString &name);
};

} // namespace moonpane
