#include "ToolRegistry.h"

#include "McpClient.h"
#include "api/ChatParameters.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace moonpane {

QJsonObject ToolRegistry::Entry::parameters() const
{
    return definition.value("function"_L1).toObject().value("parameters"_L1).toObject();
}

ToolRegistry::ToolRegistry(QObject *parent)
    : QObject(parent)
{
}

ToolRegistry::~ToolRegistry() = default;

void ToolRegistry::setDefinitions(const QJsonArray &tools)
{
    m_definitions = tools;
    emit changed();
}

void ToolRegistry::bindCommand(const QString &name, const CommandSpec &command)
{
    m_commands.insert(name, command);
    emit changed();
}

void ToolRegistry::addServer(McpClient *server)
{
    m_servers.append(server);
    connect(server, &McpClient::toolsChanged, this, &ToolRegistry::changed);
    connect(server, &McpClient::stateChanged, this, &ToolRegistry::changed);
    emit changed();
}

void ToolRegistry::removeServer(McpClient *server)
{
    m_servers.removeAll(server);
    disconnect(server, nullptr, this, nullptr);
    emit changed();
}

QList<McpClient *> ToolRegistry::servers() const
{
    QList<McpClient *> list;
    for (const QPointer<McpClient> &server : m_servers) {
        if (server)
            list.append(server);
    }
    return list;
}

void ToolRegistry::setWebSearch(bool on)
{
    if (on == m_webSearch)
        return;
    m_webSearch = on;
    emit changed();
}

QJsonArray ToolRegistry::definitions() const
{
    QJsonArray all;
    QSet<QString> taken;
    for (const QJsonValue &tool : m_definitions) {
        if (m_webSearch && ChatParameters::toolName(tool) == "$web_search"_L1)
            continue; // the switch adds it
        all.append(tool);
        taken.insert(ChatParameters::toolName(tool));
    }
    if (m_webSearch) {
        all.append(QJsonObject {{u"type"_s, u"builtin_function"_s},
                                {u"function"_s, QJsonObject {{u"name"_s, u"$web_search"_s}}}});
        taken.insert(u"$web_search"_s);
    }
    for (const McpClient *server : servers()) {
        if (server->state() != McpClient::State::Ready)
            continue;
        for (const QJsonValue &tool : server->definitions()) {
            const QString name = ChatParameters::toolName(tool);
            if (taken.contains(name)) {
                const QString key = server->spec().name + u'\n' + name;
                if (!m_warned.contains(key)) {
                    m_warned.insert(key);
                    emit const_cast<ToolRegistry *>(this)->warning(
                        QCoreApplication::translate(
                            "ToolRegistry",
                            "the tool %1 of the MCP server %2 is left out: another tool "
                            "has that name")
                            .arg(name, server->spec().name));
                }
                continue;
            }
            taken.insert(name);
            all.append(tool);
        }
    }
    return all;
}

std::optional<ToolRegistry::Entry> ToolRegistry::find(const QString &name) const
{
    if (m_webSearch && name == "$web_search"_L1) {
        Entry entry;
        entry.name = name;
        entry.kind = ToolKind::Builtin;
        return entry;
    }
    for (const QJsonValue &tool : m_definitions) {
        if (ChatParameters::toolName(tool) != name)
            continue;
        Entry entry;
        entry.name = name;
        entry.definition = tool.toObject();
        if (tool.toObject().value("type"_L1).toString() == "builtin_function"_L1) {
            entry.kind = ToolKind::Builtin;
        } else if (m_commands.contains(name)) {
            entry.kind = ToolKind::Command;
            entry.command = m_commands.value(name);
        }
        return entry;
    }
    for (McpClient *server : servers()) {
        if (server->state() != McpClient::State::Ready)
            continue;
        for (const QJsonValue &tool : server->definitions()) {
            if (ChatParameters::toolName(tool) != name)
                continue;
            Entry entry;
            entry.name = name;
            entry.kind = ToolKind::Mcp;
            entry.definition = tool.toObject();
            entry.server = server;
            return entry;
        }
    }
    return std::nullopt;
}

ToolApproval ToolRegistry::approval(const QString &name) const
{
    if (m_forAll)
        return *m_forAll;
    if (const auto it = m_toolApprovals.constFind(name); it != m_toolApprovals.constEnd())
        return *it;
    if (const std::optional<Entry> entry = find(name); entry && entry->server) {
        if (const auto it = m_serverApprovals.constFind(entry->server->spec().name);
            it != m_serverApprovals.constEnd())
            return *it;
    }
    return ToolApproval::Ask;
}

void ToolRegistry::setToolApproval(const QString &name, ToolApproval approval)
{
    m_toolApprovals.insert(name, approval);
    emit changed();
}

void ToolRegistry::setServerApproval(const QString &server, ToolApproval approval)
{
    m_serverApprovals.insert(server, approval);
    emit changed();
}

void ToolRegistry::clearApprovals()
{
    m_toolApprovals.clear();
    m_serverApprovals.clear();
    emit changed();
}

ToolJob *ToolRegistry::start(const Entry &entry, const QString &arguments, QObject *parent) const
{
    switch (entry.kind) {
    case ToolKind::Command: {
        CommandSpec spec = entry.command;
        if (spec.timeoutMs == CommandSpec::kDefaultTimeoutMs)
            spec.timeoutMs = m_timeoutMs;
        return new CommandToolJob(spec, arguments, parent);
    }
    case ToolKind::Mcp:
        if (!entry.server)
            return nullptr;
        return entry.server->call(entry.name, arguments, m_timeoutMs, std::max(m_maxMs, m_timeoutMs), parent);
    case ToolKind::Manual:
    case ToolKind::Builtin:
        break;
    }
    return nullptr;
}

} // namespace moonpane
