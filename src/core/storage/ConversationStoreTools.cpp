// ConversationStore: the user's tool definitions and the policy for each tool name.
#include "ConversationStore.h"
#include "StoreRows.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSqlError>

using namespace Qt::StringLiterals;

namespace moonpane {

using namespace StoreRows;

namespace {

QString policyName(ToolPolicy policy)
{
    switch (policy) {
    case ToolPolicy::Always:
        return u"always"_s;
    case ToolPolicy::Deny:
        return u"deny"_s;
    case ToolPolicy::Ask:
        break;
    }
    return u"ask"_s;
}

ToolPolicy policyFromName(const QString &name)
{
    if (name == "always"_L1)
        return ToolPolicy::Always;
    if (name == "deny"_L1)
        return ToolPolicy::Deny;
    return ToolPolicy::Ask;
}

} // namespace

QList<StoredTool> ConversationStore::tools()
{
    if (!m_writer)
        return {};
    if (!m_tools) {
        QList<StoredTool> read;
        QHash<QString, ToolPolicy> policies;
        QSqlQuery query(reader());
        query.setForwardOnly(true);
        if (query.exec(u"SELECT name, policy FROM tool_policies"_s)) {
            while (query.next())
                policies.insert(query.value(0).toString(), policyFromName(query.value(1).toString()));
        }
        if (query.exec(u"SELECT name, definition FROM tool_definitions ORDER BY name"_s)) {
            while (query.next()) {
                StoredTool tool;
                tool.name = query.value(0).toString();
                tool.definition = QJsonDocument::fromJson(query.value(1).toByteArray()).object();
                tool.policy = policies.value(tool.name, ToolPolicy::Ask);
                read.append(tool);
            }
        }
        m_tools = read;
        m_toolPolicies = policies;
    }
    return *m_tools;
}

bool ConversationStore::saveTool(const QJsonObject &definition, QString *error)
{
    if (!m_writer) {
        *error = QCoreApplication::translate("ConversationStore", "the conversation database is not open");
        return false;
    }
    ChatParameters check;
    check.tools = QJsonArray {definition};
    if (const QStringList problems = check.validate(); !problems.isEmpty()) {
        *error = problems.join(u"; "_s);
        return false;
    }
    tools(); // the cache is complete before it changes
    StoredTool tool;
    tool.name = definition.value("function"_L1).toObject().value("name"_L1).toString();
    tool.definition = definition;
    tool.policy = m_toolPolicies.value(tool.name, ToolPolicy::Ask);
    const auto at = std::lower_bound(m_tools->begin(), m_tools->end(), tool.name,
                                     [](const StoredTool &t, const QString &name) { return t.name < name; });
    if (at != m_tools->end() && at->name == tool.name)
        *at = tool;
    else
        m_tools->insert(at, tool);
    const QByteArray json = QJsonDocument(definition).toJson(QJsonDocument::Compact);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString name = tool.name;
    m_toolsJob = m_writer->post([name, json, now](QSqlDatabase &database, QString *why) {
        QSqlQuery query(database);
        query.prepare(u"INSERT INTO tool_definitions(name, definition, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET definition = excluded.definition, "
                      "updated_at = excluded.updated_at"_s);
        query.addBindValue(name);
        query.addBindValue(QString::fromUtf8(json));
        query.addBindValue(now);
        query.addBindValue(now);
        return run(query, why);
    });
    return true;
}

void ConversationStore::removeTool(const QString &name)
{
    if (!m_writer)
        return;
    tools();
    m_tools->removeIf([&name](const StoredTool &t) { return t.name == name; });
    m_toolPolicies.remove(name);
    m_toolsJob = m_writer->post([name](QSqlDatabase &database, QString *why) {
        for (const QString &table : {u"tool_definitions"_s, u"tool_policies"_s}) {
            QSqlQuery query(database);
            query.prepare(u"DELETE FROM %1 WHERE name = ?"_s.arg(table));
            query.addBindValue(name);
            if (!run(query, why))
                return false;
        }
        return true;
    });
}

void ConversationStore::setToolPolicy(const QString &name, ToolPolicy policy)
{
    if (!m_writer)
        return;
    tools();
    m_toolPolicies.insert(name, policy);
    for (StoredTool &tool : *m_tools) {
        if (tool.name == name)
            tool.policy = policy;
    }
    const QString value = policyName(policy);
    m_toolsJob = m_writer->post([name, value](QSqlDatabase &database, QString *why) {
        QSqlQuery query(database);
        query.prepare(u"INSERT INTO tool_policies(name, policy) VALUES (?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET policy = excluded.policy"_s);
        query.addBindValue(name);
        query.addBindValue(value);
        return run(query, why);
    });
}

ToolPolicy ConversationStore::toolPolicy(const QString &name)
{
    tools();
    return m_toolPolicies.value(name, ToolPolicy::Ask);
}

} // namespace moonpane
