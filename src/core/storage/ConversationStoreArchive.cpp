// ConversationStore: export everything as JSON Lines, and import it back, all or nothing; at once
// (for the CLI) or as an ArchiveJob on a thread of its own (for the window).
#include "ConversationStore.h"
#include "PrivateFiles.h"
#include "StoreRows.h"
#include "conversation/IdGenerator.h"

#include <QCoreApplication>
#include <QFile>
#include <QIODevice>
#include <QJsonDocument>
#include <QSaveFile>
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

namespace {

// A connection of a job's own thread, closed and removed with it.
struct ThreadConnection
{
    QSqlDatabase database;
    QString name;
    ThreadConnection(const QString &path, QString *error)
        : name(u"moonpane-archive-%1"_s.arg(reinterpret_cast<quintptr>(this), 0, 16))
    {
        database = Database::open(path, name, error);
    }
    ~ThreadConnection()
    {
        if (database.isValid())
            database.close();
        database = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    Q_DISABLE_COPY_MOVE(ThreadConnection)
};

// The conversations (every one, or `only` these) as JSON Lines into `out`, one conversation at a
// time; `drafts` are the drafts this process knows (newer than the file's). False on failure
// (*error says why) or when `job` is cancelled (*error stays empty).
bool writeArchive(const QSqlDatabase &database, const QString &dir, QIODevice *out, const QList<qint64> &only,
                  const QHash<qint64, QString> &drafts, ArchiveJob *job, int *count, QStringList *missing,
                  QString *error)
{
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1, active_leaf FROM conversations ORDER BY created_at, id"_s.arg(
            kConversationColumns))) {
        *error = Database::describe(query.lastError());
        return false;
    }
    QList<ConversationRecord> records;
    while (query.next()) {
        if (!only.isEmpty() && !only.contains(query.value(0).toLongLong()))
            continue;
        ConversationRecord record = recordFrom(query);
        record.activeLeaf = query.value(kConversationColumnCount).toLongLong();
        if (const auto draft = drafts.constFind(record.id); draft != drafts.cend())
            record.draft = *draft;
        records.append(std::move(record));
    }
    query.finish();
    if (job)
        job->setTotal(records.size());
    for (ConversationRecord &record : records) {
        if (job && job->isCancelled())
            return false;
        record.messages = readAllMessages(database, record.id, dir, missing);
        const QByteArray line = QJsonDocument(Exporter::toJson(record)).toJson(QJsonDocument::Compact) + '\n';
        record.messages.clear(); // one conversation's messages in memory at a time
        if (out->write(line) != line.size()) {
            *error = out->errorString();
            return false;
        }
        ++*count;
        if (job)
            job->advance();
    }
    return true;
}

// Every conversation of a JSON Lines export, checked; a bad line refuses the whole file.
bool readArchive(QIODevice *device, QList<ConversationRecord> *records, ArchiveJob *job, QString *error)
{
    if (job)
        job->setTotal(device->size());
    for (int number = 1; !device->atEnd(); ++number) {
        if (job && job->isCancelled())
            return false;
        const QByteArray line = device->readLine().trimmed();
        if (job)
            job->setDone(device->pos());
        if (line.isEmpty())
            continue;
        QJsonParseError parse;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parse);
        ConversationRecord record;
        QString why;
        if (document.isNull()) {
            *error = QCoreApplication::translate("ConversationStore",
                                                 "line %1: not JSON (%2 at column %3); nothing was imported")
                         .arg(number)
                         .arg(parse.errorString())
                         .arg(parse.offset + 1);
            return false;
        }
        if (!document.isObject() || !Exporter::fromJson(document.object(), &record, &why)) {
            *error = QCoreApplication::translate("ConversationStore", "line %1: %2; nothing was imported")
                         .arg(number)
                         .arg(document.isObject()
                                  ? why
                                  : QCoreApplication::translate("ConversationStore", "not a JSON object"));
            return false;
        }
        records->append(std::move(record));
    }
    return true;
}

// Gives new ids to those already taken (in the file, in memory here, or earlier in the import),
// consistently within a conversation.
void renumber(const QSqlDatabase &database, const QSet<qint64> &inMemory, QList<ConversationRecord> *records)
{
    QSet<qint64> conversationIds = inMemory;
    QSet<qint64> messageIds;
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (query.exec(u"SELECT id FROM conversations"_s)) {
        while (query.next())
            conversationIds.insert(query.value(0).toLongLong());
    }
    if (query.exec(u"SELECT id FROM messages"_s)) {
        while (query.next())
            messageIds.insert(query.value(0).toLongLong());
    }
    for (ConversationRecord &record : *records) {
        if (record.id <= 0 || conversationIds.contains(record.id))
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
}

// The write of an import: every conversation, or (one failing) none.
StoreWriter::Job insertArchive(std::shared_ptr<const QList<ConversationRecord>> records, const QString &dir,
                               std::shared_ptr<QString> outcome)
{
    return [records, dir, outcome](QSqlDatabase &database, QString *why) {
        for (const ConversationRecord &record : *records) {
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
    };
}

// One conversation as Markdown or wire JSON, read from the file as it is now.
bool writeOne(const QSqlDatabase &database, const QString &dir, qint64 id, ExportFormat format,
              QIODevice *out, QStringList *missing, QString *error)
{
    QSqlQuery query(database);
    query.setForwardOnly(true);
    query.prepare(u"SELECT %1, active_leaf FROM conversations WHERE id = ?"_s.arg(kConversationColumns));
    query.addBindValue(id);
    if (!query.exec() || !query.next()) {
        *error = query.lastError().isValid()
            ? Database::describe(query.lastError())
            : QCoreApplication::translate("ConversationStore", "the conversation is gone");
        return false;
    }
    const ConversationRecord record = recordFrom(query);
    const qint64 leaf = query.value(kConversationColumnCount).toLongLong();
    query.finish();
    QList<Message> messages = readAllMessages(database, id, dir, missing);
    // A conversation of this thread's own, all its text loaded, for the Exporter.
    Conversation conversation;
    conversation.title = record.title;
    conversation.systemPrompt = record.systemPrompt;
    qsizetype next = 0;
    conversation.restore(
        messages.size(),
        [&](Message *m) {
            if (next >= messages.size())
                return false;
            *m = std::move(messages[next++]);
            return true;
        },
        leaf);
    const QByteArray bytes = format == ExportFormat::Markdown
        ? Exporter::markdown(conversation).toUtf8()
        : Exporter::wireJson(conversation, format == ExportFormat::JsonWithMedia);
    if (out->write(bytes) != bytes.size()) {
        *error = out->errorString();
        return false;
    }
    return true;
}

} // namespace

bool ConversationStore::exportAll(QIODevice *device, QString *error, const QList<qint64> &only)
{
    if (!m_writer) {
        *error = QCoreApplication::translate("ConversationStore", "the conversation database is not open");
        return false;
    }
    flush();
    QStringList missing;
    int count = 0;
    const bool ok = writeArchive(reader(), Database::attachmentsDir(m_path), device, only, currentDrafts(),
                                 nullptr, &count, &missing, error);
    reportLeftOut(missing);
    return ok;
}

int ConversationStore::importAll(QIODevice *device, QString *error)
{
    if (!m_writer) {
        *error = QCoreApplication::translate("ConversationStore", "the conversation database is not open");
        return -1;
    }
    // Everything is read and checked first: a bad line means nothing is imported.
    auto records = std::make_shared<QList<ConversationRecord>>();
    if (!readArchive(device, records.get(), nullptr, error))
        return -1;
    renumber(reader(), inMemoryIds(), records.get());
    auto outcome = std::make_shared<QString>();
    m_writer->post(insertArchive(records, Database::attachmentsDir(m_path), outcome));
    m_writer->waitIdle();
    if (!outcome->isEmpty()) {
        *error =
            QCoreApplication::translate(
                "ConversationStore", "could not write the imported conversations; nothing was imported: %1")
                .arg(*outcome);
        return -1;
    }
    for (const ConversationRecord &record : std::as_const(*records))
        adopt(conversationOf(record));
    return static_cast<int>(records->size());
}

QHash<qint64, QString> ConversationStore::currentDrafts() const
{
    QHash<qint64, QString> drafts;
    for (const Conversation *c : conversations())
        drafts.insert(c->id, c->draft);
    return drafts;
}

QSet<qint64> ConversationStore::inMemoryIds() const
{
    QSet<qint64> ids;
    for (const Conversation *c : conversations())
        ids.insert(c->id);
    return ids;
}

void ConversationStore::reportLeftOut(const QStringList &missing)
{
    if (!missing.isEmpty())
        fail(tr("Attachment files are missing and were left out of the export: %1")
                 .arg(missing.join(u", "_s)));
}

ArchiveJob *ConversationStore::startJob(ArchiveJob::Work work,
                                        std::function<void(ArchiveJob::Outcome &)> done)
{
    auto *job = new ArchiveJob(std::move(work), std::move(done), this);
    m_jobs.append(job);
    connect(job, &ArchiveJob::finished, this, [this, job] { m_jobs.removeOne(job); });
    return job;
}

ArchiveJob *ConversationStore::exportInBackground(const QString &path, const QList<qint64> &only)
{
    return exportJob(path,
                     [only, drafts = currentDrafts()](const QSqlDatabase &database, const QString &dir,
                                                      QIODevice *out, ArchiveJob &job,
                                                      ArchiveJob::Outcome &outcome) {
                         return writeArchive(database, dir, out, only, drafts, &job, &outcome.count,
                                             &outcome.missing, &outcome.error);
                     });
}

ArchiveJob *ConversationStore::exportConversationInBackground(qint64 id, ExportFormat format,
                                                              const QString &path)
{
    return exportJob(path,
                     [id, format](const QSqlDatabase &database, const QString &dir, QIODevice *out,
                                  ArchiveJob &job, ArchiveJob::Outcome &outcome) {
                         job.setTotal(1);
                         if (!writeOne(database, dir, id, format, out, &outcome.missing, &outcome.error))
                             return false;
                         job.advance();
                         outcome.count = 1;
                         return true;
                     });
}

ArchiveJob *ConversationStore::exportJob(const QString &path,
                                         std::function<bool(const QSqlDatabase &, const QString &,
                                                            QIODevice *, ArchiveJob &, ArchiveJob::Outcome &)>
                                             write)
{
    if (!m_writer)
        return nullptr;
    // What this process still has to write goes first; the job's thread waits for it, not this one.
    writePendingText();
    const qint64 written = m_writer->posted();
    StoreWriter *writer = m_writer.get();
    const QString database = m_path;
    return startJob(
        [=](ArchiveJob &job) {
            ArchiveJob::Outcome outcome;
            writer->waitFor(written);
            ThreadConnection connection(database, &outcome.error);
            if (!connection.database.isValid())
                return outcome;
            QSaveFile file(path);
            if (!PrivateFiles::open(&file)) {
                outcome.error = file.errorString();
                return outcome;
            }
            if (!write(connection.database, Database::attachmentsDir(database), &file, job, outcome)) {
                file.cancelWriting(); // nothing is left behind, not even part of it
                outcome.cancelled = outcome.error.isEmpty();
                return outcome;
            }
            if (!file.commit()) {
                outcome.error = file.errorString();
                return outcome;
            }
            outcome.ok = true;
            return outcome;
        },
        [this](ArchiveJob::Outcome &outcome) { reportLeftOut(outcome.missing); });
}

ArchiveJob *ConversationStore::importInBackground(const QString &path)
{
    if (!m_writer)
        return nullptr;
    StoreWriter *writer = m_writer.get();
    const QString database = m_path;
    const QSet<qint64> inMemory = inMemoryIds();
    return startJob(
        [=](ArchiveJob &job) {
            ArchiveJob::Outcome outcome;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                outcome.error = file.errorString();
                return outcome;
            }
            auto records = std::make_shared<QList<ConversationRecord>>();
            if (!readArchive(&file, records.get(), &job, &outcome.error)) {
                outcome.cancelled = outcome.error.isEmpty();
                return outcome;
            }
            {
                ThreadConnection connection(database, &outcome.error);
                if (!connection.database.isValid())
                    return outcome;
                renumber(connection.database, inMemory, records.get());
            }
            if (job.isCancelled()) {
                outcome.cancelled = true;
                return outcome;
            }
            // From here on it is written whole, or not at all: it cannot be cancelled half-way.
            auto failure = std::make_shared<QString>();
            writer->waitFor(
                writer->post(insertArchive(records, Database::attachmentsDir(database), failure)));
            if (!failure->isEmpty()) {
                outcome.error = QCoreApplication::translate(
                                    "ConversationStore",
                                    "could not write the imported conversations; nothing was imported: %1")
                                    .arg(*failure);
                return outcome;
            }
            for (const ConversationRecord &record : std::as_const(*records))
                outcome.imported.push_back(conversationOf(record));
            outcome.count = static_cast<int>(records->size());
            outcome.ok = true;
            return outcome;
        },
        [this](ArchiveJob::Outcome &outcome) {
            for (std::unique_ptr<Conversation> &c : outcome.imported) {
                if (!find(c->id))
                    adopt(std::move(c));
            }
        });
}

} // namespace moonpane
