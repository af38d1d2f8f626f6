#include "ToolSettings.h"

#include "api/ChatParameters.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace moonpane {

QString ToolSettings::defaultSetName()
{
    return QCoreApplication::translate("ToolSettings", "My tools");
}

QString ToolSettings::approvalName(ToolApproval approval)
{
    switch (approval) {
    case ToolApproval::Always:
        return u"always"_s;
    case ToolApproval::Never:
        return u"never"_s;
    case ToolApproval::Ask:
        break;
    }
    return u"ask"_s;
}

ToolApproval ToolSettings::approvalFromName(const QString &name)
{
    if (name == "always"_L1)
        return ToolApproval::Always;
    if (name == "never"_L1)
        return ToolApproval::Never;
    return ToolApproval::Ask;
}

QJsonArray ToolSettings::definitions() const
{
    QJsonArray all;
    for (const ToolSet &set : sets) {
        if (!set.enabled)
            continue;
        for (const QJsonValue &tool : set.definitions)
            all.append(tool);
    }
    return all;
}

QStringList ToolSettings::functionNames() const
{
    QStringList names;
    for (const ToolSet &set : sets) {
        for (const QJsonValue &tool : set.definitions) {
            const QString name = ChatParameters::toolName(tool);
            if (!name.isEmpty() && !names.contains(name))
                names.append(name);
        }
    }
    return names;
}

QJsonObject ToolSettings::toJson() const
{
    QJsonArray setsArray;
    for (const ToolSet &set : sets)
        setsArray.append(QJsonObject {
            {u"name"_s, set.name}, {u"enabled"_s, set.enabled}, {u"definitions"_s, set.definitions}});
    QJsonObject commandsObject;
    for (auto it = commands.cbegin(); it != commands.cend(); ++it)
        commandsObject.insert(it.key(), it.value().toJson());
    QJsonArray serversArray;
    for (const McpServerSpec &server : servers)
        serversArray.append(server.toJson());
    QJsonObject tools;
    for (auto it = toolApprovals.cbegin(); it != toolApprovals.cend(); ++it)
        tools.insert(it.key(), approvalName(it.value()));
    QJsonObject serverApprovalsObject;
    for (auto it = serverApprovals.cbegin(); it != serverApprovals.cend(); ++it)
        serverApprovalsObject.insert(it.key(), approvalName(it.value()));
    return {
        {u"sets"_s, setsArray},           {u"commands"_s, commandsObject},
        {u"mcp_servers"_s, serversArray}, {u"web_search"_s, webSearch},
        {u"max_rounds"_s, maxRounds},     {u"timeout_s"_s, timeoutSeconds},
        {u"tool_approvals"_s, tools},     {u"server_approvals"_s, serverApprovalsObject},
    };
}

ToolSettings ToolSettings::fromJson(const QJsonObject &object)
{
    ToolSettings s;
    for (const QJsonValue &value : object.value("sets"_L1).toArray()) {
        const QJsonObject set = value.toObject();
        s.sets.append({set.value("name"_L1).toString(), set.value("definitions"_L1).toArray(),
                       set.value("enabled"_L1).toBool(true)});
    }
    // Before sets, one list: it becomes the first set.
    if (!object.contains("sets"_L1) && object.value("definitions"_L1).isArray())
        s.sets.append({defaultSetName(), object.value("definitions"_L1).toArray(), true});
    const QJsonObject commandsObject = object.value("commands"_L1).toObject();
    for (auto it = commandsObject.constBegin(); it != commandsObject.constEnd(); ++it)
        s.commands.insert(it.key(), CommandSpec::fromJson(it.value().toObject()));
    for (const QJsonValue &server : object.value("mcp_servers"_L1).toArray())
        s.servers.append(McpServerSpec::fromJson(server.toObject()));
    s.webSearch = object.value("web_search"_L1).toBool();
    s.maxRounds = std::clamp(object.value("max_rounds"_L1).toInt(10), 1, 100);
    s.timeoutSeconds = std::clamp(object.value("timeout_s"_L1).toInt(60), 1, 3600);
    const QJsonObject tools = object.value("tool_approvals"_L1).toObject();
    for (auto it = tools.constBegin(); it != tools.constEnd(); ++it)
        s.toolApprovals.insert(it.key(), approvalFromName(it.value().toString()));
    const QJsonObject serverApprovalsObject = object.value("server_approvals"_L1).toObject();
    for (auto it = serverApprovalsObject.constBegin(); it != serverApprovalsObject.constEnd(); ++it)
        s.serverApprovals.insert(it.key(), approvalFromName(it.value().toString()));
    return s;
}

QStringList ToolSettings::problems() const
{
    ChatParameters check;
    check.tools = definitions();
    QStringList list;
    QSet<QString> setNames;
    for (const ToolSet &set : sets) {
        if (set.name.trimmed().isEmpty())
            list.append(QCoreApplication::translate("ToolSettings", "a tool set needs a name"));
        else if (setNames.contains(set.name))
            list.append(
                QCoreApplication::translate("ToolSettings", "two tool sets are called %1").arg(set.name));
        setNames.insert(set.name);
    }
    for (const QString &problem : check.validate()) {
        if (problem.contains(u"tool"_s) || problem.contains(u"function"_s)
            || problem.contains(u"parameters"_s))
            list.append(problem);
    }
    for (auto it = commands.cbegin(); it != commands.cend(); ++it) {
        if (it.value().program.trimmed().isEmpty())
            list.append(QCoreApplication::translate("ToolSettings", "the command of %1 has no program")
                            .arg(it.key()));
    }
    QSet<QString> names;
    for (const McpServerSpec &server : servers) {
        if (server.name.trimmed().isEmpty() || server.program.trimmed().isEmpty())
            list.append(
                QCoreApplication::translate("ToolSettings", "an MCP server needs a name and a command line"));
        else if (names.contains(server.name))
            list.append(QCoreApplication::translate("ToolSettings", "two MCP servers are called %1")
                            .arg(server.name));
        names.insert(server.name);
    }
    return list;
}

void ToolSettings::apply(ToolRegistry &registry) const
{
    registry.setDefinitions(definitions());
    registry.setCommands(commands);
    registry.clearApprovals();
    for (auto it = toolApprovals.cbegin(); it != toolApprovals.cend(); ++it)
        registry.setToolApproval(it.key(), it.value());
    for (auto it = serverApprovals.cbegin(); it != serverApprovals.cend(); ++it)
        registry.setServerApproval(it.key(), it.value());
    registry.setWebSearch(webSearch);
    registry.setTimeoutMs(timeoutSeconds * 1000);
}

QJsonArray ToolSettings::importDefinitions(const QByteArray &bytes, QString *error)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("ToolSettings", text); };
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error = tr("That file is not JSON (%1 at byte %2); tool definitions are a JSON array.")
                     .arg(parse.errorString())
                     .arg(parse.offset);
        return {};
    }
    QJsonArray items;
    if (document.isArray()) {
        items = document.array();
    } else {
        const QJsonObject object = document.object();
        if (object.value("tools"_L1).isArray())
            items = object.value("tools"_L1).toArray(); // a request body, or {"tools": [...]}
        else
            items.append(object);
    }
    if (items.isEmpty()) {
        *error = tr("That file holds no tool definitions.");
        return {};
    }
    QJsonArray definitions;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        if (!ChatParameters::toolName(item).isEmpty()) {
            definitions.append(item);
            continue;
        }
        // A bare function, as other apps and MCP servers list them.
        const QJsonValue schema =
            item.contains("parameters"_L1) ? item.value("parameters"_L1) : item.value("inputSchema"_L1);
        if (item.value("name"_L1).isString() && schema.isObject() && !item.contains("type"_L1)) {
            QJsonObject function {{u"name"_s, item.value("name"_L1)}, {u"parameters"_s, schema}};
            if (item.value("description"_L1).isString())
                function.insert(u"description"_s, item.value("description"_L1));
            definitions.append(QJsonObject {{u"type"_s, u"function"_s}, {u"function"_s, function}});
            continue;
        }
        *error = items.size() == 1
            ? tr("That file holds no tool definition: a definition is "
                 "{\"type\": \"function\", \"function\": {\"name\": …, \"parameters\": …}}.")
            : tr("Entry %1 of that file is not a tool definition: a definition is "
                 "{\"type\": \"function\", \"function\": {\"name\": …, \"parameters\": …}}.")
                  .arg(i + 1);
        return {};
    }
    return definitions;
}

} // namespace moonpane
