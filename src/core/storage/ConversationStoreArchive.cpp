// ConversationStore: export everything as JSON Lines, and import it back, all or nothing.
#include "ConversationStore.h"
#include "StoreRows.h"
#include "conversation/IdGenerator.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QSqlError>

using namespace Qt::StringLiterals;

namespace moonpane {

using namespace StoreRows;

// --- export and import -----------------------------------------------------------------------

QHash<qint64, qint64> ConversationStore::messageCounts()
{
    QHash<qint64, qint64> counts;
    if (!m_writer)
        return counts;
    flush();
    QSqlQuery query(reader());
    query.setForwardOnly(true);
    if (query.exec(u"SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id"_s)) {
        while (query.next())
            counts.insert(query.value(0).toLongLong(), query.value(1).toLongLong());
    }
    return counts;
}

bool ConversationStore::exportAll(QIODevice *device, QString *error, const QList<qint64> &only)
{
    if (!m_writer) {
        *error = u"the conversation database is not open"_s;
        return false;
    }
    flush();
    QSqlQuery query(reader());
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1, active_leaf FROM conversations ORDER BY created_at, id"_s.arg(
            kConversationColumns))) {
        *error = Database::describe(query.lastError());
        return false;
    }
    QStringList missing;
    const QString dir = Database::attachmentsDir(m_path);
    while (query.next()) {
        if (!only.isEmpty() && !only.contains(query.value(0).toLongLong()))
            continue;
        ConversationRecord record = recordFrom(query);
        record.activeLeaf = query.value(kConversationColumnCount).toLongLong();
        if (const Conversation *c = find(record.id)) // this process may know a newer draft
            record.draft = c->draft;
        record.messages = readAllMessages(reader(), record.id, dir, &missing);
        const QByteArray line = QJsonDocument(Exporter::toJson(record)).toJson(QJsonDocument::Compact) + '\n';
        if (device->write(line) != line.size()) {
            *error = device->errorString();
            return false;
        }
    }
    if (!missing.isEmpty())
        fail(
            u"Attachment files are missing and were left out of the export: %1"_s.arg(missing.join(u", "_s)));
    return true;
}

int ConversationStore::importAll(QIODevice *device, QString *error)
{
    if (!m_writer) {
        *error = u"the conversation database is not open"_s;
        return -1;
    }
    // Everything is read and checked first: a bad line means nothing is imported.
    QList<ConversationRecord> records;
    for (int number = 1; !device->atEnd(); ++number) {
        const QByteArray line = device->readLine().trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError parse;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parse);
        ConversationRecord record;
        QString why;
        if (document.isNull()) {
            *error = u"line %1: not JSON (%2 at column %3); nothing was imported"_s.arg(number)
                         .arg(parse.errorString())
                         .arg(parse.offset + 1);
            return -1;
        }
        if (!document.isObject() || !Exporter::fromJson(document.object(), &record, &why)) {
            *error = u"line %1: %2; nothing was imported"_s.arg(number).arg(
                document.isObject() ? why : u"not a JSON object"_s);
            return -1;
        }
        records.append(std::move(record));
    }
    // Ids already taken (here, or earlier in the file) are replaced, consistently within a conversation.
    QSet<qint64> conversationIds;
    QSet<qint64> messageIds;
    {
        QSqlQuery query(reader());
        query.setForwardOnly(true);
        if (query.exec(u"SELECT id FROM conversations"_s)) {
            while (query.next())
                conversationIds.insert(query.value(0).toLongLong());
        }
        if (query.exec(u"SELECT id FROM messages"_s)) {
            while (query.next())
                messageIds.insert(query.value(0).toLongLong());
        }
    }
    for (ConversationRecord &record : records) {
        if (record.id <= 0 || conversationIds.contains(record.id) || find(record.id))
            record.id = IdGenerator::next();
        conversationIds.insert(record.id);
        QHash<qint64, qint64> renamed;
        for (Message &m : record.messages) {
            const qint64 old = m.id;
            if (m.id <= 0 || messageIds.contains(m.id))
                m.id = IdGenerator::next();
            messageIds.insert(m.id);
            if (old != 0)
                renamed.insert(old, m.id);
            m.parentId = renamed.value(m.parentId, 0);
        }
        record.activeLeaf = renamed.value(record.activeLeaf, 0);
    }
    const QString dir = Database::attachmentsDir(m_path);
    auto outcome = std::make_shared<QString>();
    m_writer->post([records, dir, outcome](QSqlDatabase &database, QString *why) {
        for (const ConversationRecord &record : records) {
            if (!insertConversation(database, record, why))
                break;
            QHash<qint64, qsizetype> childCount;
            for (const Message &m : record.messages) {
                if (!insertMessage(database, record.id, m, childCount[m.parentId]++, dir, QString(), why))
                    break;
            }
            if (!why->isEmpty())
                break;
        }
        if (why->isEmpty())
            return true;
        *outcome = *why;
        return false;
    });
    m_writer->waitIdle();
    if (!outcome->isEmpty()) {
        *error = u"could not write the imported conversations; nothing was imported: %1"_s.arg(*outcome);
        return -1;
    }
    for (const ConversationRecord &record : std::as_const(records))
        adopt(conversationOf(record));
    return static_cast<int>(records.size());
}

} // namespace moonpane
