#include "Database.h"

#include "PrivateFiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// Each step takes the schema from the version before it to its own number.
const char *const kMigrations[] = {
    // 1: conversations and their messages; attachments stored once, by hash.
    R"sql(
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        system_prompt TEXT NOT NULL DEFAULT '',
        parameters TEXT,
        draft TEXT NOT NULL DEFAULT '',
        active_leaf INTEGER,
        revision INTEGER NOT NULL DEFAULT 0 -- counts writes, so a process sees another's
    );
    CREATE INDEX conversations_by_activity ON conversations(updated_at DESC);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        parent_id INTEGER,
        position INTEGER NOT NULL DEFAULT 0,
        role TEXT NOT NULL,
        content TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        has_reasoning INTEGER NOT NULL DEFAULT 0,
        tool_calls TEXT,
        tool_call_id TEXT,
        name TEXT,
        finish_reason TEXT,
        usage TEXT,
        state TEXT NOT NULL DEFAULT 'complete',
        error TEXT,
        model TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        thinking_ms INTEGER,
        first_token_ms INTEGER,
        generation_ms INTEGER,
        stream_owner TEXT -- while "streaming": the lock file of the process writing it
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, parent_id, position);
    CREATE TABLE attachments (
        hash TEXT PRIMARY KEY,
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        hash TEXT REFERENCES attachments(hash),
        reference TEXT,
        name TEXT,
        PRIMARY KEY (message_id, position)
    );
    CREATE INDEX message_attachments_by_hash ON message_attachments(hash);
    )sql",
    // 2: sizes known without reading the text, and full-text search. Replies are indexed once
    // they stop streaming, so a long reply is not indexed again for every saved batch.
    R"sql(
    ALTER TABLE messages ADD COLUMN text_length INTEGER NOT NULL DEFAULT 0;
    UPDATE messages SET text_length = length(content) + length(reasoning);
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, reasoning, content='messages', content_rowid='id', tokenize='trigram');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.state != 'streaming' BEGIN
        INSERT INTO messages_fts(rowid, content, reasoning) VALUES (new.id, new.content, new.reasoning);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.state != 'streaming' BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
            VALUES ('delete', old.id, old.content, old.reasoning);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, state ON messages
        WHEN old.state != 'streaming' OR new.state != 'streaming' BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
            SELECT 'delete', old.id, old.content, old.reasoning WHERE old.state != 'streaming';
        INSERT INTO messages_fts(rowid, content, reasoning)
            SELECT new.id, new.content, new.reasoning WHERE new.state != 'streaming';
    END;
    INSERT INTO messages_fts(rowid, content, reasoning)
        SELECT id, content, reasoning FROM messages WHERE state != 'streaming';
    )sql",
    // 3: tools the user defines, and how each may run (ask, always, deny).
    R"sql(
    CREATE TABLE tool_definitions (
        name TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE tool_policies (
        name TEXT PRIMARY KEY,
        policy TEXT NOT NULL CHECK (policy IN ('ask', 'always', 'deny'))
    );
    )sql",
    // 4: a conversation's outline (what opening it reads) from an index alone, in order, without
    // touching the rows and their text: a long conversation opens as fast as a short one.
    R"sql(
    CREATE INDEX messages_outline ON messages(conversation_id, position, id, parent_id, role, state,
        has_reasoning, text_length, updated_at, stream_owner);
    DROP INDEX messages_by_conversation;
    )sql",
    // 5: whether a conversation's title is still Moonpane's own, to be taken from its first
    // message, rather than a title the user chose. Earlier versions knew it by the title alone.
    R"sql(
    ALTER TABLE conversations ADD COLUMN auto_title INTEGER NOT NULL DEFAULT 0;
    UPDATE conversations SET auto_title = 1 WHERE title = 'New chat';
    )sql",
    // 6: media as the app attaches them. An image's or video's size in pixels and a video's
    // length, for thumbnails and the request budget without reading the file; the media of a
    // draft (its own rows, so that a draft's pictures survive a restart and are not swept as
    // unreferenced; `prepared_hash` is the downscaled copy sent unless `send_original`); and the
    // files uploaded to a server's Files API, so that a video goes there once.
    R"sql(
    ALTER TABLE attachments ADD COLUMN width INTEGER;
    ALTER TABLE attachments ADD COLUMN height INTEGER;
    ALTER TABLE attachments ADD COLUMN duration_ms INTEGER;
    CREATE TABLE draft_attachments (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        hash TEXT NOT NULL,
        prepared_hash TEXT,
        send_original INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (conversation_id, position)
    );
    CREATE TABLE remote_files (
        hash TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        file_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (hash, endpoint)
    );
    )sql",
    // 7: tool definitions and their approvals moved to the tool settings (docs/TOOLS.md), which
    // also hold the programs and MCP servers behind them; no version wrote rows to these tables.
    R"sql(
    DROP TABLE tool_definitions;
    DROP TABLE tool_policies;
    )sql",
};
static_assert(std::size(kMigrations) == Database::kSchemaVersion);

} // namespace

QString Database::describe(const QSqlError &error)
{
    return error.databaseText().isEmpty() ? error.text() : error.databaseText();
}

bool Database::exec(QSqlDatabase &database, const QString &sql, QString *error)
{
    QSqlQuery query(database);
    if (query.exec(sql))
        return true;
    if (error)
        *error = Database::describe(query.lastError());
    return false;
}

namespace {

// Runs the statements of a script one by one (QSqlQuery takes one statement at a time);
// statements split at ';' outside BEGIN ... END blocks.
bool execScript(QSqlDatabase &database, const QString &script, QString *error)
{
    QString statement;
    int depth = 0;
    for (const QString &line : script.split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty())
            continue;
        statement += line + u'\n';
        if (trimmed.endsWith(u"BEGIN"_s))
            ++depth;
        if (trimmed == u"END;"_s)
            --depth;
        if (depth == 0 && trimmed.endsWith(u';')) {
            if (!Database::exec(database, statement, error)) {
                *error = u"%1 (in: %2)"_s.arg(*error, statement.simplified().left(80));
                return false;
            }
            statement.clear();
        }
    }
    return true;
}

} // namespace

void Database::refuse(const QSqlDatabase &database, const QString &path, int version, QString *error)
{
    if (version < 0) {
        QSqlQuery query(database);
        query.exec(u"PRAGMA user_version"_s);
        *error =
            tr("%1 is not a database Moonpane can read (%2). It has been left untouched; move it away to "
               "start afresh.")
                .arg(path, Database::describe(query.lastError()));
        return;
    }
    *error =
        tr("%1 was written by a newer version of Moonpane (database schema %2; this version reads up to %3). "
           "It has been left untouched. Update Moonpane, or use another data directory (XDG_DATA_HOME).")
            .arg(path)
            .arg(version)
            .arg(kSchemaVersion);
}

QString Database::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(u"moonpane.db"_s);
}

QString Database::attachmentsDir(const QString &path)
{
    return QFileInfo(path).absoluteDir().filePath(u"attachments"_s);
}

sqlite3 *Database::handle(const QSqlDatabase &database)
{
    const QVariant handle = database.driver() ? database.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

int Database::schemaVersion(const QSqlDatabase &database)
{
    QSqlQuery query(database);
    return query.exec(u"PRAGMA user_version"_s) && query.next() ? query.value(0).toInt() : -1;
}

QString Database::integrityCheck(const QSqlDatabase &database)
{
    QSqlQuery query(database);
    if (!query.exec(u"PRAGMA integrity_check"_s))
        return Database::describe(query.lastError());
    QStringList problems;
    while (query.next())
        problems.append(query.value(0).toString());
    return problems.join(u"; "_s);
}

namespace {

thread_local quint64 statementsHere = 0;

int countStatement(unsigned, void *, void *, void *)
{
    ++statementsHere;
    return 0;
}

} // namespace

quint64 Database::statementsOnThisThread()
{
    return statementsHere;
}

QSqlDatabase Database::open(const QString &path, const QString &name, QString *error, int version)
{
    PrivateFiles::makeDir(QFileInfo(path).absolutePath());
    if (!QFileInfo::exists(path)) {
        // Created 0600 before SQLite sees it: SQLite gives the -wal and -shm files its mode.
        QFile file(path);
        if (file.open(QIODevice::WriteOnly | QIODevice::NewOnly, PrivateFiles::kFileMode))
            file.close();
    }
    PrivateFiles::restrict(path);
    PrivateFiles::restrict(path + u"-wal"_s);
    PrivateFiles::restrict(path + u"-shm"_s);
    QSqlDatabase database = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    database.setDatabaseName(path);
    // Another process (the CLI, the app) may hold the write lock for a moment.
    database.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    if (!database.open()) {
        *error = tr("Cannot open the conversation database %1: %2")
                     .arg(path, Database::describe(database.lastError()));
        return {};
    }
    if (sqlite3 *db = handle(database))
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT, countStatement, nullptr);
    // Nothing is changed (not even the journal mode) before the version is known to be ours.
    const int current = schemaVersion(database);
    if (current < 0 || current > kSchemaVersion) {
        refuse(database, path, current, error);
        database.close();
        return {};
    }
    for (const char *pragma :
         {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"}) {
        if (!exec(database, QLatin1String(pragma), error)) {
            *error = tr("Cannot set up the conversation database %1: %2").arg(path, *error);
            database.close();
            return {};
        }
    }
    if (!migrate(database, path, version, error)) {
        database.close();
        return {};
    }
    return database;
}

bool Database::migrate(QSqlDatabase &database, const QString &path, int target, QString *error)
{
    const int current = schemaVersion(database);
    if (current < 0 || current > kSchemaVersion) {
        refuse(database, path, current, error);
        return false;
    }
    if (current >= target)
        return true;
    QString backup;
    if (current > 0) {
        // A copy of what was there, before anything changes (consistent even in WAL mode).
        backup = u"%1.schema%2-%3.bak"_s.arg(path).arg(current).arg(
            QDateTime::currentDateTimeUtc().toString(u"yyyyMMddHHmmss"_s));
        QString quoted = backup;
        quoted.replace(u'\'', u"''"_s);
        if (!exec(database, u"VACUUM INTO '%1'"_s.arg(quoted), error)) {
            *error =
                tr("Could not back up %1 before upgrading it; nothing was changed: %2").arg(path, *error);
            return false;
        }
        PrivateFiles::restrict(backup);
    }
    // BEGIN IMMEDIATE takes the write lock: another process upgrading at the same time waits,
    // then finds the work done.
    if (!exec(database, u"BEGIN IMMEDIATE"_s, error)) {
        *error = tr("Could not upgrade %1 (another program may hold it); nothing was changed: %2")
                     .arg(path, *error);
        return false;
    }
    int version = schemaVersion(database);
    for (; version < target; ++version) {
        if (!execScript(database, QLatin1String(kMigrations[version]), error)
            || !exec(database, u"PRAGMA user_version = %1"_s.arg(version + 1), error)) {
            exec(database, u"ROLLBACK"_s);
            *error = tr("Upgrading %1 to schema %2 failed; it was left as it was: %3. This version of "
                        "Moonpane cannot use it: keep the file%4 and report the problem.")
                         .arg(path)
                         .arg(version + 1)
                         .arg(*error,
                              backup.isEmpty() ? QString()
                                               : tr(" (a copy made before the upgrade is %1)").arg(backup));
            return false;
        }
    }
    if (!exec(database, u"COMMIT"_s, error)) {
        exec(database, u"ROLLBACK"_s);
        *error = tr("Could not finish upgrading %1; it was left as it was: %2").arg(path, *error);
        return false;
    }
    return true;
}

} // namespace moonpane
