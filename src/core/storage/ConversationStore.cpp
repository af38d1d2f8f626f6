#include "ConversationStore.h"

#include "Database.h"
#include "Exporter.h"
#include "MessageCodec.h"
#include "PrivateFiles.h"
#include "StoreWriter.h"
#include "conversation/IdGenerator.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QMutex>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace moonpane {

// What write jobs (on the writer thread) tell the UI thread: the revision of each loaded
// conversation as this process knows it, and which ones another process wrote in between.
struct ConversationStore::Shared
{
    QMutex mutex;
    QHash<qint64, qint64> known;
    QSet<qint64> stale;
};

namespace {

// Columns of a message stub: enough to lay out the conversation and estimate heights.
constexpr auto kStubColumns =
    "id, parent_id, role, state, has_reasoning, text_length, updated_at, stream_owner";
// The rest, read when a message is shown or sent.
constexpr auto kTextColumns =
    "id, content, reasoning, tool_calls, usage, error, created_at, tool_call_id, name, "
    "finish_reason, model, thinking_ms, first_token_ms, generation_ms";
constexpr int kStubCount = 8;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 ms(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : nowMs();
}

QDateTime fromMs(const QVariant &value)
{
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

// A conversation's own columns, in the order recordFrom() reads them.
const QString kConversationColumns = u"id, title, created_at, updated_at, system_prompt, parameters, draft"_s;

std::optional<ChatParameters> parametersFrom(const QVariant &json)
{
    if (json.isNull())
        return std::nullopt;
    return ChatParameters::fromJson(QJsonDocument::fromJson(json.toByteArray()).object());
}

ConversationRecord recordFrom(const QSqlQuery &query)
{
    ConversationRecord r;
    r.id = query.value(0).toLongLong();
    r.title = query.value(1).toString();
    r.createdAt = fromMs(query.value(2));
    r.updatedAt = fromMs(query.value(3));
    r.systemPrompt = query.value(4).toString();
    r.parameters = parametersFrom(query.value(5));
    r.draft = query.value(6).toString();
    return r;
}

// A conversation as the library holds it before its messages are read.
std::unique_ptr<Conversation> conversationOf(const ConversationRecord &r)
{
    auto c = std::make_unique<Conversation>();
    c->id = r.id;
    c->title = r.title;
    c->createdAt = r.createdAt;
    c->updatedAt = r.updatedAt;
    c->systemPrompt = r.systemPrompt;
    c->parameters = r.parameters;
    c->draft = r.draft;
    return c;
}

std::unique_ptr<Conversation> conversationFrom(const QSqlQuery &query)
{
    return conversationOf(recordFrom(query));
}

QVariant nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QVariant nullIfEmpty(const QByteArray &json)
{
    return json.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(QString::fromUtf8(json));
}

// The parameters column: the conversation's own parameters as JSON, or NULL for the app's defaults.
QVariant parametersJson(const std::optional<ChatParameters> &parameters)
{
    return parameters
        ? QVariant(QString::fromUtf8(QJsonDocument(parameters->toJson()).toJson(QJsonDocument::Compact)))
        : QVariant(QMetaType::fromType<QString>());
}

// Qt binds a null QString as SQL NULL; text columns want "".
// Text as it is stored and indexed: never NULL, and no NUL characters, which SQLite's text
// functions and the search index treat as the end of the text (what follows could not be
// found). Each becomes U+FFFD, so lengths and offsets stay as they are.
QString storedText(const QString &text)
{
    if (text.isNull())
        return u""_s;
    if (!text.contains(QChar(u'\0')))
        return text;
    QString clean = text;
    clean.replace(QChar(u'\0'), QChar::ReplacementCharacter);
    return clean;
}

QVariant optionalMs(qint64 value)
{
    return value >= 0 ? QVariant(value) : QVariant(QMetaType::fromType<qint64>());
}

QString idList(const QList<qint64> &ids)
{
    QStringList list;
    list.reserve(ids.size());
    for (qint64 id : ids)
        list.append(QString::number(id));
    return list.join(u',');
}

bool run(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = Database::describe(query.lastError());
    return false;
}

QByteArray usageJson(const Message &m)
{
    return m.usage ? QJsonDocument(m.usage->raw).toJson(QJsonDocument::Compact) : QByteArray();
}

QString kindName(ContentPart::Kind kind)
{
    return kind == ContentPart::Kind::Video ? u"video"_s : u"image"_s;
}

// A message's media: a data URI becomes a file named by the SHA-256 of its bytes (written once)
// and a row in `attachments`; anything else (an ms:// reference) is kept as it is.
bool writeAttachments(QSqlDatabase &database, qint64 messageId, const QList<ContentPart> &parts,
                      const QString &dir, QString *error)
{
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const ContentPart &part = parts.at(i);
        QSqlQuery link(database);
        link.prepare(
            u"INSERT OR REPLACE INTO message_attachments (message_id, position, kind, hash, reference) "
            "VALUES (?, ?, ?, ?, ?)"_s);
        link.addBindValue(messageId);
        link.addBindValue(i);
        link.addBindValue(kindName(part.kind));
        QString mime;
        QByteArray base64;
        const QByteArray bytes = MessageCodec::splitDataUri(part.url, &mime, &base64)
            ? QByteArray::fromBase64(base64, QByteArray::AbortOnBase64DecodingErrors)
            : QByteArray();
        if (bytes.isEmpty()) {
            link.addBindValue(QVariant(QMetaType::fromType<QString>()));
            link.addBindValue(QString::fromLatin1(part.url));
            if (!run(link, error))
                return false;
            continue;
        }
        const QString hash =
            QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        const QString file = QDir(dir).filePath(hash);
        QSqlQuery known(database);
        known.prepare(u"SELECT 1 FROM attachments WHERE hash = ?"_s);
        known.addBindValue(hash);
        if (!run(known, error))
            return false;
        // Written inside the transaction that holds the write lock, so a process removing the
        // same file as unreferenced cannot interleave.
        if (!known.next() || !QFileInfo::exists(file)) {
            PrivateFiles::makeDir(dir);
            QSaveFile out(file);
            if (!PrivateFiles::open(&out) || out.write(bytes) != bytes.size() || !out.commit()) {
                *error = u"cannot write the attachment %1: %2"_s.arg(file, out.errorString());
                return false;
            }
        }
        QSqlQuery row(database);
        row.prepare(
            u"INSERT OR IGNORE INTO attachments (hash, mime, size, created_at) VALUES (?, ?, ?, ?)"_s);
        row.addBindValue(hash);
        row.addBindValue(mime);
        row.addBindValue(bytes.size());
        row.addBindValue(nowMs());
        if (!run(row, error))
            return false;
        link.addBindValue(hash);
        link.addBindValue(QVariant(QMetaType::fromType<QString>()));
        if (!run(link, error))
            return false;
    }
    return true;
}

// A message's columns besides its place, its text and its state, in the order bindDetails binds them.
const QStringList kDetailColumns = {u"has_reasoning"_s, u"tool_calls"_s,     u"tool_call_id"_s, u"name"_s,
                                    u"finish_reason"_s, u"usage"_s,          u"error"_s,        u"model"_s,
                                    u"thinking_ms"_s,   u"first_token_ms"_s, u"generation_ms"_s};

void bindDetails(QSqlQuery &query, const Message &m)
{
    query.addBindValue(m.hasReasoning || !m.reasoning.isEmpty());
    query.addBindValue(nullIfEmpty(MessageCodec::toolCallsToJson(m.toolCalls)));
    query.addBindValue(nullIfEmpty(m.toolCallId));
    query.addBindValue(nullIfEmpty(m.name));
    query.addBindValue(nullIfEmpty(m.finishReason));
    query.addBindValue(nullIfEmpty(usageJson(m)));
    query.addBindValue(nullIfEmpty(MessageCodec::errorToJson(m.error)));
    query.addBindValue(nullIfEmpty(m.model));
    query.addBindValue(optionalMs(m.thinkingMs));
    query.addBindValue(optionalMs(m.firstTokenMs));
    query.addBindValue(optionalMs(m.generationMs));
}

// state, updated_at
void bindState(QSqlQuery &query, const Message &m)
{
    query.addBindValue(MessageCodec::stateName(m.state));
    query.addBindValue(nowMs());
}

// content, reasoning, text_length
void bindText(QSqlQuery &query, const Message &m)
{
    query.addBindValue(storedText(m.content));
    query.addBindValue(storedText(m.reasoning));
    query.addBindValue(m.content.size() + m.reasoning.size());
}

bool insertMessage(QSqlDatabase &database, qint64 conversationId, const Message &m, qsizetype position,
                   const QString &attachmentsDir, const QString &streamOwner, QString *error)
{
    static const QString sql =
        u"INSERT INTO messages (id, conversation_id, parent_id, position, role, created_at, stream_owner, "
        "state, updated_at, %1, content, reasoning, text_length) VALUES (?, ?, ?, ?, ?, ?, ?, %2)"_s.arg(
            kDetailColumns.join(u", "_s),
            QStringList(2 + kDetailColumns.size() + 3, u"?"_s).join(u", "_s)); // state, details, text
    QSqlQuery query(database);
    query.prepare(sql);
    query.addBindValue(m.id);
    query.addBindValue(conversationId);
    query.addBindValue(m.parentId ? QVariant(m.parentId) : QVariant(QMetaType::fromType<qint64>()));
    query.addBindValue(position);
    query.addBindValue(roleName(m.role));
    query.addBindValue(ms(m.createdAt));
    query.addBindValue(m.state == MessageState::Streaming ? QVariant(streamOwner)
                                                          : QVariant(QMetaType::fromType<QString>()));
    bindState(query, m);
    bindDetails(query, m);
    bindText(query, m);
    if (!run(query, error))
        return false;
    return m.parts.isEmpty() || writeAttachments(database, m.id, m.parts, attachmentsDir, error);
}

bool insertConversation(QSqlDatabase &database, const ConversationRecord &c, QString *error)
{
    QSqlQuery query(database);
    query.prepare(u"INSERT INTO conversations (id, title, created_at, updated_at, system_prompt, parameters, "
                  "draft, active_leaf) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s);
    query.addBindValue(c.id);
    query.addBindValue(storedText(c.title));
    query.addBindValue(ms(c.createdAt));
    query.addBindValue(ms(c.updatedAt));
    query.addBindValue(storedText(c.systemPrompt));
    query.addBindValue(parametersJson(c.parameters));
    query.addBindValue(storedText(c.draft));
    query.addBindValue(c.activeLeaf ? QVariant(c.activeLeaf) : QVariant(QMetaType::fromType<qint64>()));
    return run(query, error);
}

ConversationRecord metaOf(const Conversation &c)
{
    ConversationRecord record;
    record.id = c.id;
    record.title = c.title;
    record.createdAt = c.createdAt;
    record.updatedAt = c.updatedAt;
    record.systemPrompt = c.systemPrompt;
    record.parameters = c.parameters;
    record.draft = c.draft;
    record.activeLeaf = c.leaf();
    return record;
}

// Media no longer referenced by any message: their rows go now, their files once that is
// committed (see removeOrphanFiles).
bool removeOrphanRows(QSqlDatabase &database, QStringList *hashes, QString *error)
{
    QSqlQuery query(database);
    if (!query.exec(u"DELETE FROM attachments WHERE hash NOT IN "
                    "(SELECT hash FROM message_attachments WHERE hash IS NOT NULL) RETURNING hash"_s)) {
        *error = Database::describe(query.lastError());
        return false;
    }
    while (query.next())
        hashes->append(query.value(0).toString());
    return true;
}

// Runs in a later transaction than removeOrphanRows, holding the write lock, so a file is
// removed only if no process has referenced it again meanwhile.
StoreWriter::Job removeOrphanFiles(const QStringList &hashes, const QString &dir)
{
    return [hashes, dir](QSqlDatabase &database, QString *error) {
        for (const QString &hash : hashes) {
            QSqlQuery query(database);
            query.prepare(u"SELECT 1 FROM attachments WHERE hash = ?"_s);
            query.addBindValue(hash);
            if (!run(query, error))
                return false;
            if (!query.next())
                QFile::remove(QDir(dir).filePath(hash));
        }
        return true;
    };
}

// Files in attachments/ that no row names (a crash between writing a file and committing its
// row, or a removal that never ran), removed when the store opens. Like removeOrphanFiles it
// runs holding the write lock, and writeAttachments writes a file only while holding it, so no
// other process can be between writing a file and committing its row meanwhile. Also puts the
// modes of the data folder right (PrivateFiles), off the UI thread.
StoreWriter::Job sweepDataDir(const QString &databasePath)
{
    return [databasePath](QSqlDatabase &database, QString *error) {
        PrivateFiles::restrictDataDir(databasePath);
        const QDir dir(Database::attachmentsDir(databasePath));
        if (!dir.exists())
            return true;
        QSqlQuery query(database);
        query.setForwardOnly(true);
        if (!query.exec(u"SELECT hash FROM attachments"_s)) {
            *error = Database::describe(query.lastError());
            return false;
        }
        QSet<QString> known;
        while (query.next())
            known.insert(query.value(0).toString());
        for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
            if (!known.contains(name))
                QFile::remove(dir.filePath(name));
        }
        return true;
    };
}

// Replies found, or left, "streaming" with no process writing them any more: incomplete now.
StoreWriter::Job markIncomplete(const QList<qint64> &ids)
{
    return [list = idList(ids)](QSqlDatabase &database, QString *error) {
        return Database::exec(database,
                              u"UPDATE messages SET state = 'incomplete', stream_owner = NULL "
                              "WHERE state = 'streaming' AND id IN (%1)"_s.arg(list),
                              error);
    };
}

// A stored role or state this version does not know: the message is shown, saying so.
void markDamaged(Message &m, const QString &what, const QString &value)
{
    m.state = MessageState::Failed;
    m.error.kind = ApiError::Kind::Protocol;
    m.error.message =
        u"This message is damaged in the database (its %1 \"%2\" is unknown); it is shown as far as "
        "it could be read."_s.arg(what, value);
}

// A prepared statement on the SQLite connection under a Qt one (Database::handle).
class Statement
{
public:
    Statement(const QSqlDatabase &database, const char *sql)
        : m_db(Database::handle(database))
    {
        if (!m_db || sqlite3_prepare_v2(m_db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
            m_error = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : u"not an SQLite connection"_s;
    }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, qint64 value)
    {
        if (m_statement)
            sqlite3_bind_int64(m_statement, index, value);
        return *this;
    }
    // The next row; false at the end or on an error (see error()).
    bool step()
    {
        if (!m_statement)
            return false;
        const int result = sqlite3_step(m_statement);
        if (result != SQLITE_ROW && result != SQLITE_DONE)
            m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return result == SQLITE_ROW;
    }
    qint64 int64(int column) const { return sqlite3_column_int64(m_statement, column); }
    QString text(int column) const
    {
        const auto *utf8 = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
        return utf8 ? QString::fromUtf8(utf8, sqlite3_column_bytes(m_statement, column)) : QString();
    }
    QString error() const { return m_error; }

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_error;
};

// A message's structure, without its text; an unknown role or state marks it damaged.
Message stub(qint64 id, qint64 parentId, const QString &roleText, const QString &stateText, bool hasReasoning,
             qint64 textLength)
{
    Message m;
    m.id = id;
    m.parentId = parentId;
    const std::optional<Role> role = roleFromName(roleText);
    const std::optional<MessageState> state = MessageCodec::stateFromName(stateText);
    m.role = role.value_or(Role::Assistant);
    m.state = state.value_or(MessageState::Failed);
    m.hasReasoning = hasReasoning;
    m.textLength = textLength;
    m.textLoaded = false;
    if (!role || !state)
        markDamaged(m, role ? u"state"_s : u"role"_s, role ? stateText : roleText);
    return m;
}

Message stubFromRow(const QSqlQuery &q)
{
    return stub(q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(),
                q.value(3).toString(), q.value(4).toBool(), q.value(5).toLongLong());
}

// Fills the text columns (kTextColumns, from `at`) into a message; damaged JSON is reported
// on the message instead of failing the whole read.
void fillText(Message &m, const QSqlQuery &q, int at)
{
    QStringList damaged;
    m.content = q.value(at + 1).toString();
    m.reasoning = q.value(at + 2).toString();
    if (!MessageCodec::toolCallsFromJson(q.value(at + 3).toByteArray(), &m.toolCalls))
        damaged.append(u"tool calls"_s);
    const QByteArray usage = q.value(at + 4).toByteArray();
    if (!usage.isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(usage);
        if (document.isObject())
            m.usage = Usage::fromJson(document.object());
        else
            damaged.append(u"usage"_s);
    }
    const ApiError kept = m.error;
    if (!MessageCodec::errorFromJson(q.value(at + 5).toByteArray(), &m.error))
        damaged.append(u"error"_s);
    if (kept.isError())
        m.error = kept; // the stub's own complaint comes first
    m.createdAt = fromMs(q.value(at + 6));
    m.toolCallId = q.value(at + 7).toString();
    m.name = q.value(at + 8).toString();
    m.finishReason = q.value(at + 9).toString();
    m.model = q.value(at + 10).toString();
    const auto optional = [&](int column) {
        return q.isNull(column) ? qint64(-1) : q.value(column).toLongLong();
    };
    m.thinkingMs = optional(at + 11);
    m.firstTokenMs = optional(at + 12);
    m.generationMs = optional(at + 13);
    m.textLength = m.content.size() + m.reasoning.size();
    if (!damaged.isEmpty() && !m.error.isError()) {
        m.state = MessageState::Failed;
        m.error.kind = ApiError::Kind::Protocol;
        m.error.message = u"Part of this message is damaged in the database (%1) and was left out."_s.arg(
            damaged.join(u", "_s));
    }
}

// Media of the given messages, by message id, as data URIs made from the stored files.
QHash<qint64, QList<ContentPart>> readAttachments(const QSqlDatabase &database, const QString &ids,
                                                  const QString &dir, QStringList *missing)
{
    QHash<qint64, QList<ContentPart>> parts;
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(
            u"SELECT ma.message_id, ma.kind, ma.hash, ma.reference, a.mime FROM message_attachments ma "
            "LEFT JOIN attachments a ON a.hash = ma.hash WHERE ma.message_id IN (%1) "
            "ORDER BY ma.message_id, ma.position"_s.arg(ids)))
        return parts;
    while (query.next()) {
        const ContentPart::Kind kind =
            query.value(1).toString() == "video"_L1 ? ContentPart::Kind::Video : ContentPart::Kind::Image;
        ContentPart part;
        part.kind = kind;
        if (query.isNull(2)) {
            part.url = query.value(3).toString().toLatin1();
        } else {
            QFile file(QDir(dir).filePath(query.value(2).toString()));
            if (!file.open(QIODevice::ReadOnly)) {
                missing->append(file.fileName());
                continue;
            }
            part.url =
                "data:" + query.value(4).toString().toLatin1() + ";base64," + file.readAll().toBase64();
        }
        parts[query.value(0).toLongLong()].append(part);
    }
    return parts;
}

// All messages of a conversation, text included (exports).
QList<Message> readAllMessages(const QSqlDatabase &database, qint64 conversationId, const QString &dir,
                               QStringList *missing)
{
    QSqlQuery query(database);
    query.setForwardOnly(true);
    query.prepare(u"SELECT %1, %2 FROM messages WHERE conversation_id = ? ORDER BY position, id"_s.arg(
        QLatin1String(kStubColumns), QLatin1String(kTextColumns)));
    query.addBindValue(conversationId);
    QList<Message> messages;
    QList<qint64> ids;
    if (!query.exec())
        return messages;
    while (query.next()) {
        Message m = stubFromRow(query);
        fillText(m, query, kStubCount);
        m.textLoaded = true;
        if (m.state == MessageState::Streaming)
            m.state = MessageState::Incomplete; // exported as what it is now: cut short
        ids.append(m.id);
        messages.append(std::move(m));
    }
    if (!ids.isEmpty()) {
        const QHash<qint64, QList<ContentPart>> parts = readAttachments(database, idList(ids), dir, missing);
        for (Message &m : messages)
            m.parts = parts.value(m.id);
    }
    return messages;
}

} // namespace

ConversationStore::ConversationStore(QObject *parent)
    : ConversationLibrary(parent)
    , m_connection(u"moonpane-reader-%1"_s.arg(reinterpret_cast<quintptr>(this)))
    , m_shared(std::make_shared<Shared>())
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ConversationStore::writePendingText);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(200);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ConversationStore::refresh);
    m_foreignTimer.setInterval(kStaleStreamMs / 4);
    connect(&m_foreignTimer, &QTimer::timeout, this, &ConversationStore::checkForeignStreams);
}

ConversationStore::~ConversationStore()
{
    m_searcher.reset(); // first: nothing it finds may reach a store going away
    if (!m_writer)
        return;
    commitRemove();
    writePendingText();
    // Replies this process was streaming and never finished are incomplete now.
    if (!m_ownStreams.isEmpty())
        m_writer->post(markIncomplete(m_ownStreams.values()));
    for (Conversation *c : conversations())
        c->setObserver(nullptr);
    m_writer.reset(); // waits for the queue
    m_streamLock.reset(); // only now: until here, those replies were still ours
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

QSqlDatabase ConversationStore::reader() const
{
    return QSqlDatabase::database(m_connection, false);
}

void ConversationStore::fail(const QString &message)
{
    qWarning("moonpane: %s", qPrintable(message));
    emit storageFailed(message);
}

bool ConversationStore::open(const QString &path, QString *error, bool followChanges)
{
    m_path = QFileInfo(path.isEmpty() ? Database::defaultPath() : path).absoluteFilePath();
    auto writer = std::make_unique<StoreWriter>(m_path);
    if (!writer->start(error)) // opens the file and brings its schema up to date
        return false;
    const QSqlDatabase database = Database::open(m_path, m_connection, error);
    if (!database.isValid()) {
        QSqlDatabase::removeDatabase(m_connection);
        return false;
    }
    m_writer = std::move(writer);
    connect(
        m_writer.get(), &StoreWriter::failed, this,
        [this](const QString &why) { fail(u"Could not save to %1: %2"_s.arg(m_path, why)); },
        Qt::QueuedConnection);

    // Replies that were streaming when their process died are incomplete.
    QSqlQuery streams(database);
    streams.setForwardOnly(true);
    QList<qint64> cut;
    QHash<QString, bool> owners;
    if (streams.exec(u"SELECT id, stream_owner, updated_at FROM messages WHERE state = 'streaming'"_s)) {
        while (streams.next()) {
            if (!streamAlive(streams.value(1).toString(), streams.value(2).toLongLong(), &owners))
                cut.append(streams.value(0).toLongLong());
        }
    }
    if (!cut.isEmpty()) {
        m_writer->post(markIncomplete(cut));
        m_writer->waitIdle();
    }
    m_writer->post(sweepDataDir(m_path));

    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1 FROM conversations ORDER BY updated_at"_s.arg(kConversationColumns))) {
        *error =
            u"Cannot read the conversations in %1: %2"_s.arg(m_path, Database::describe(query.lastError()));
        m_writer.reset();
        QSqlDatabase::removeDatabase(m_connection);
        return false;
    }
    while (query.next())
        adopt(conversationFrom(query));
    if (followChanges) {
        const QFileInfo info(m_path);
        m_watcher.addPath(info.absolutePath()); // the -wal file appears and goes
        m_watcher.addPath(m_path);
        if (QFileInfo::exists(m_path + u"-wal"_s))
            m_watcher.addPath(m_path + u"-wal"_s);
        const auto changed = [this] { m_refreshTimer.start(); };
        connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, changed);
        connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
            if (QFileInfo::exists(m_path + u"-wal"_s) && !m_watcher.files().contains(m_path + u"-wal"_s))
                m_watcher.addPath(m_path + u"-wal"_s);
            m_refreshTimer.start();
        });
    }
    return true;
}

void ConversationStore::flush()
{
    if (!m_writer)
        return;
    writePendingText();
    m_writer->waitIdle();
}

// --- conversations ---------------------------------------------------------------------------

void ConversationStore::created(Conversation *conversation)
{
    m_loaded.insert(conversation->id);
    {
        QMutexLocker locker(&m_shared->mutex);
        m_shared->known.insert(conversation->id, 0);
    }
    attach(conversation);
    if (!m_writer)
        return;
    const ConversationRecord record = metaOf(*conversation);
    m_unsaved.insert(record.id, m_writer->post([record](QSqlDatabase &database, QString *error) {
        return insertConversation(database, record, error);
    }));
}

void ConversationStore::saveMeta(Conversation *conversation)
{
    if (!m_writer)
        return;
    const ConversationRecord r = metaOf(*conversation);
    m_writer->post([r](QSqlDatabase &database, QString *error) {
        QSqlQuery query(database);
        query.prepare(
            u"UPDATE conversations SET title = ?, updated_at = ?, system_prompt = ?, parameters = ?, "
            "draft = ? WHERE id = ?"_s);
        query.addBindValue(storedText(r.title));
        query.addBindValue(ms(r.updatedAt));
        query.addBindValue(storedText(r.systemPrompt));
        query.addBindValue(parametersJson(r.parameters));
        query.addBindValue(storedText(r.draft));
        query.addBindValue(r.id);
        return run(query, error);
    });
}

void ConversationStore::removeCommitted(qint64 id)
{
    m_loaded.remove(id);
    for (auto it = m_pending.begin(); it != m_pending.end();)
        it = it->conversationId == id ? m_pending.erase(it) : std::next(it);
    {
        QMutexLocker locker(&m_shared->mutex);
        m_shared->known.remove(id);
        m_shared->stale.remove(id);
    }
    if (!m_writer)
        return;
    const QString dir = Database::attachmentsDir(m_path);
    StoreWriter *writer = m_writer.get();
    m_deleting.insert(id, m_writer->post([id, dir, writer](QSqlDatabase &database, QString *error) {
        QSqlQuery query(database);
        query.prepare(u"DELETE FROM conversations WHERE id = ?"_s);
        query.addBindValue(id);
        QStringList orphans;
        if (!run(query, error) || !removeOrphanRows(database, &orphans, error))
            return false;
        if (!orphans.isEmpty())
            writer->post(removeOrphanFiles(orphans, dir));
        return true;
    }));
}

void ConversationStore::load(Conversation *conversation)
{
    if (!m_writer || m_loaded.contains(conversation->id))
        return;
    m_loaded.insert(conversation->id);
    readMessages(conversation);
    attach(conversation);
}

void ConversationStore::attach(Conversation *conversation)
{
    conversation->setObserver(this);
    conversation->setTextLoader([this](Conversation &c, const QList<qint64> &ids) { loadText(c, ids); });
}

// Reads the structure of a conversation's messages (stubs) in one snapshot with its revision.
void ConversationStore::readMessages(Conversation *conversation)
{
    QSqlDatabase database = reader();
    Database::exec(database, u"BEGIN"_s); // one snapshot (a reader: nothing to fail that matters)
    QSqlQuery meta(database);
    meta.prepare(u"SELECT active_leaf, revision FROM conversations WHERE id = ?"_s);
    meta.addBindValue(conversation->id);
    qint64 leaf = 0;
    qint64 revision = 0;
    if (meta.exec() && meta.next()) {
        leaf = meta.value(0).toLongLong();
        revision = meta.value(1).toLongLong();
    }
    // The outline comes from one index (see Database, schema 4). It is read through SQLite's own
    // API: QSqlQuery's cost per value would be most of the time it takes to open a conversation of
    // ten thousand messages.
    Statement count(database, "SELECT count(*) FROM messages WHERE conversation_id = ?");
    const qsizetype expected = count.bind(1, conversation->id).step() ? count.int64(0) : 0;
    Statement rows(database,
                   "SELECT id, parent_id, role, state, has_reasoning, text_length, updated_at, "
                   "stream_owner FROM messages WHERE conversation_id = ? ORDER BY position, id");
    rows.bind(1, conversation->id);
    QList<qint64> cut;
    QHash<QString, bool> owners;
    conversation->restore(
        expected,
        [&](Message *m) {
            if (!rows.step())
                return false;
            *m = stub(rows.int64(0), rows.int64(1), rows.text(2), rows.text(3), rows.int64(4) != 0,
                      rows.int64(5));
            if (m->state == MessageState::Streaming && !m_ownStreams.contains(m->id)) {
                if (!streamAlive(rows.text(7), rows.int64(6), &owners)) {
                    m->state = MessageState::Incomplete; // its process died while it streamed
                    cut.append(m->id);
                } else {
                    m_foreignStreams.insert(m->id, conversation->id);
                }
            }
            return true;
        },
        leaf);
    if (!rows.error().isEmpty())
        fail(u"Cannot read the messages of \"%1\" from %2: %3"_s.arg(conversation->title, m_path,
                                                                     rows.error()));
    Database::exec(database, u"COMMIT"_s);
    {
        QMutexLocker locker(&m_shared->mutex);
        m_shared->known.insert(conversation->id, revision);
        m_shared->stale.remove(conversation->id);
    }
    if (!cut.isEmpty())
        m_writer->post(markIncomplete(cut));
    if (!m_foreignStreams.isEmpty() && !m_foreignTimer.isActive())
        m_foreignTimer.start();
}

void ConversationStore::loadText(Conversation &conversation, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return;
    const QString list = idList(ids);
    QSqlQuery query(reader());
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1 FROM messages WHERE id IN (%2)"_s.arg(QLatin1String(kTextColumns), list))) {
        fail(u"Cannot read messages from %1: %2"_s.arg(m_path, Database::describe(query.lastError())));
        return;
    }
    QStringList missing;
    const QHash<qint64, QList<ContentPart>> parts =
        readAttachments(reader(), list, Database::attachmentsDir(m_path), &missing);
    while (query.next()) {
        const qint64 id = query.value(0).toLongLong();
        conversation.setText(id, [&](Message &m) {
            fillText(m, query, 0);
            m.parts = parts.value(id);
        });
    }
    for (qint64 id : ids) {
        // A row that vanished (deleted elsewhere) stays an empty message rather than loading forever.
        if (const Message *m = conversation.message(id); m && !m->textLoaded)
            conversation.setText(id, [](Message &) {});
    }
    if (!missing.isEmpty())
        fail(u"Attachment files are missing: %1. The messages are shown without them."_s.arg(
            missing.join(u", "_s)));
}

// --- writes from the observer ------------------------------------------------------------------

namespace {

// Counts a write to a conversation (and sets its active leaf, when given); if another process
// wrote in between (the revision is not the one this process knew), the conversation is marked
// to be read again.
template<typename SharedT>
bool bump(QSqlDatabase &database, SharedT &shared, qint64 conversationId, QString *error,
          std::optional<qint64> leaf = std::nullopt)
{
    QSqlQuery query(database);
    if (leaf) {
        query.prepare(u"UPDATE conversations SET revision = revision + 1, active_leaf = ? WHERE id = ? "
                      "RETURNING revision"_s);
        query.addBindValue(*leaf ? QVariant(*leaf) : QVariant(QMetaType::fromType<qint64>()));
    } else {
        query.prepare(u"UPDATE conversations SET revision = revision + 1 WHERE id = ? RETURNING revision"_s);
    }
    query.addBindValue(conversationId);
    if (!run(query, error))
        return false;
    if (!query.next())
        return true; // deleted meanwhile
    const qint64 revision = query.value(0).toLongLong();
    QMutexLocker locker(&shared.mutex);
    const auto it = shared.known.find(conversationId);
    if (it == shared.known.end())
        return true;
    if (*it != revision - 1)
        shared.stale.insert(conversationId);
    *it = revision;
    return true;
}

} // namespace

void ConversationStore::messageAdded(const Conversation &conversation, const Message &message)
{
    if (message.state == MessageState::Streaming)
        m_ownStreams.insert(message.id);
    if (!m_writer)
        return;
    const QString owner = message.state == MessageState::Streaming ? streamOwner() : QString();
    const qint64 conversationId = conversation.id;
    const qsizetype position = conversation.siblings(message.id).indexOf(message.id);
    const qint64 leaf = conversation.leaf();
    const QString dir = Database::attachmentsDir(m_path);
    const std::shared_ptr<Shared> shared = m_shared;
    m_writer->post([=, m = message](QSqlDatabase &database, QString *error) {
        return insertMessage(database, conversationId, m, position, dir, owner, error)
            && bump(database, *shared, conversationId, error, leaf);
    });
}

void ConversationStore::textAppended(const Conversation &conversation, qint64 id, const QString &content,
                                     const QString &reasoning)
{
    PendingText &pending = m_pending[id];
    pending.conversationId = conversation.id;
    pending.content += content;
    pending.reasoning += reasoning;
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ConversationStore::writePendingText()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty() || !m_writer) {
        m_pending.clear();
        return;
    }
    const QHash<qint64, PendingText> pending = std::exchange(m_pending, {});
    const std::shared_ptr<Shared> shared = m_shared;
    m_writer->post([pending, shared](QSqlDatabase &database, QString *error) {
        QSet<qint64> conversations;
        for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
            QSqlQuery query(database);
            query.prepare(u"UPDATE messages SET content = content || ?, reasoning = reasoning || ?, "
                          "has_reasoning = has_reasoning OR ?, text_length = text_length + ?, updated_at = ? "
                          "WHERE id = ?"_s);
            query.addBindValue(storedText(it->content));
            query.addBindValue(storedText(it->reasoning));
            query.addBindValue(!it->reasoning.isEmpty());
            query.addBindValue(it->content.size() + it->reasoning.size());
            query.addBindValue(nowMs());
            query.addBindValue(it.key());
            if (!run(query, error))
                return false;
            conversations.insert(it->conversationId);
        }
        for (qint64 c : std::as_const(conversations)) {
            if (!bump(database, *shared, c, error))
                return false;
        }
        return true;
    });
}

void ConversationStore::messageChanged(const Conversation &conversation, const Message &message)
{
    const bool streaming = message.state == MessageState::Streaming;
    if (streaming)
        m_ownStreams.insert(message.id);
    else
        m_ownStreams.remove(message.id);
    m_foreignStreams.remove(message.id);
    if (!m_writer)
        return;
    // While it streams, the text is kept up by appends; afterwards it is written whole, which
    // includes anything still held back.
    const bool withText = message.textLoaded && !streaming;
    if (withText)
        m_pending.remove(message.id);
    const qint64 conversationId = conversation.id;
    const std::shared_ptr<Shared> shared = m_shared;
    const QVariant owner = streaming ? QVariant(streamOwner()) : QVariant(QMetaType::fromType<QString>());
    m_writer->post([=, m = message](QSqlDatabase &database, QString *error) {
        // A stub (text not loaded) changes its state only; its text and details stay as stored.
        QString sql = u"UPDATE messages SET stream_owner = ?, state = ?, updated_at = ?"_s;
        if (m.textLoaded)
            sql += u", %1 = ?"_s.arg(kDetailColumns.join(u" = ?, "_s));
        if (withText)
            sql += u", content = ?, reasoning = ?, text_length = ?"_s;
        QSqlQuery query(database);
        query.prepare(sql + u" WHERE id = ?"_s);
        query.addBindValue(owner);
        bindState(query, m);
        if (m.textLoaded)
            bindDetails(query, m);
        if (withText)
            bindText(query, m);
        query.addBindValue(m.id);
        return run(query, error) && bump(database, *shared, conversationId, error);
    });
}

void ConversationStore::messagesRemoved(const Conversation &conversation, const QList<qint64> &removed,
                                        const QList<qint64> &moved)
{
    for (qint64 id : removed) {
        m_pending.remove(id);
        m_ownStreams.remove(id);
        m_foreignStreams.remove(id);
    }
    if (!m_writer)
        return;
    // What now sits where the removed message was: its children, renumbered among their new siblings.
    QList<std::pair<qint64, qint64>> positions; // id → position
    qint64 newParent = 0;
    if (!moved.isEmpty()) {
        newParent = conversation.message(moved.constFirst())->parentId;
        const QList<qint64> siblings = conversation.siblings(moved.constFirst());
        for (qsizetype i = 0; i < siblings.size(); ++i)
            positions.append({siblings.at(i), i});
    }
    const QString removedList = idList(removed);
    const QString movedList = idList(moved);
    const qint64 conversationId = conversation.id;
    const qint64 leaf = conversation.leaf();
    const QString dir = Database::attachmentsDir(m_path);
    const std::shared_ptr<Shared> shared = m_shared;
    StoreWriter *writer = m_writer.get();
    m_writer->post([=](QSqlDatabase &database, QString *error) {
        if (!movedList.isEmpty()
            && !Database::exec(database,
                               u"UPDATE messages SET parent_id = %1 WHERE id IN (%2)"_s.arg(
                                   newParent ? QString::number(newParent) : u"NULL"_s, movedList),
                               error))
            return false;
        for (const auto &[id, position] : positions) {
            QSqlQuery query(database);
            query.prepare(u"UPDATE messages SET position = ? WHERE id = ?"_s);
            query.addBindValue(position);
            query.addBindValue(id);
            if (!run(query, error))
                return false;
        }
        QStringList orphans;
        if (!Database::exec(database, u"DELETE FROM messages WHERE id IN (%1)"_s.arg(removedList), error)
            || !removeOrphanRows(database, &orphans, error)
            || !bump(database, *shared, conversationId, error, leaf))
            return false;
        if (!orphans.isEmpty())
            writer->post(removeOrphanFiles(orphans, dir));
        return true;
    });
}

void ConversationStore::pathChanged(const Conversation &conversation)
{
    if (!m_writer)
        return;
    const qint64 conversationId = conversation.id;
    const qint64 leaf = conversation.leaf();
    const std::shared_ptr<Shared> shared = m_shared;
    m_writer->post([=](QSqlDatabase &database, QString *error) {
        return bump(database, *shared, conversationId, error, leaf);
    });
}

// --- other processes ---------------------------------------------------------------------------

void ConversationStore::refresh()
{
    if (!m_writer)
        return;
    const qint64 committed = m_writer->committed();
    if (m_toolsJob <= committed)
        m_tools.reset(); // read again when next asked: another process may have changed them
    QSqlQuery query(reader());
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1, revision FROM conversations"_s.arg(kConversationColumns)))
        return;
    QSet<qint64> present;
    QList<Conversation *> toReload;
    while (query.next()) {
        const qint64 id = query.value(0).toLongLong();
        present.insert(id);
        if (id == pendingRemoval() || m_deleting.value(id) > committed)
            continue;
        Conversation *c = find(id);
        if (!c) { // another process started it
            adopt(conversationFrom(query));
            continue;
        }
        const QString title = query.value(1).toString();
        const QDateTime updated = fromMs(query.value(3));
        bool stale = false;
        if (m_loaded.contains(id)) {
            QMutexLocker locker(&m_shared->mutex);
            stale = query.value(7).toLongLong() > m_shared->known.value(id) || m_shared->stale.contains(id);
        }
        if (stale)
            toReload.append(c);
        if (title != c->title || updated > c->updatedAt) {
            c->title = title;
            c->updatedAt = std::max(updated, c->updatedAt);
            emit changed(id);
        }
    }
    for (auto it = m_deleting.begin(); it != m_deleting.end();)
        it = it.value() <= committed ? m_deleting.erase(it) : std::next(it);
    for (auto it = m_unsaved.begin(); it != m_unsaved.end();)
        it = it.value() <= committed ? m_unsaved.erase(it) : std::next(it);
    const QList<Conversation *> all = conversations();
    for (Conversation *c : all) {
        if (!present.contains(c->id) && !m_unsaved.contains(c->id)) { // another process deleted it
            m_loaded.remove(c->id);
            forget(c->id);
        }
    }
    for (Conversation *c : std::as_const(toReload))
        reload(c);
}

void ConversationStore::reload(Conversation *conversation)
{
    // What this process still has to write goes first, so that what is read back includes it.
    writePendingText();
    m_writer->waitIdle();
    QSqlQuery meta(reader());
    meta.prepare(u"SELECT title, system_prompt, parameters FROM conversations WHERE id = ?"_s);
    meta.addBindValue(conversation->id);
    if (meta.exec() && meta.next()) {
        conversation->title = meta.value(0).toString();
        conversation->systemPrompt = meta.value(1).toString();
        conversation->parameters = parametersFrom(meta.value(2));
        // The draft stays: the user may be typing it here.
    }
    readMessages(conversation);
    // Replies this process is streaming go on from their full text.
    QList<qint64> own;
    for (qint64 id : std::as_const(m_ownStreams)) {
        if (conversation->message(id))
            own.append(id);
    }
    conversation->ensureText(own);
    emit changed(conversation->id);
    emit conversationReloaded(conversation->id);
}

void ConversationStore::checkForeignStreams()
{
    if (m_foreignStreams.isEmpty() || !m_writer) {
        m_foreignTimer.stop();
        return;
    }
    QSqlQuery query(reader());
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT id, state, updated_at, stream_owner FROM messages WHERE id IN (%1)"_s.arg(
            idList(m_foreignStreams.keys()))))
        return;
    QHash<qint64, qint64> dead;
    QSet<qint64> seen;
    QHash<QString, bool> owners;
    while (query.next()) {
        const qint64 id = query.value(0).toLongLong();
        seen.insert(id);
        if (query.value(1).toString() != "streaming"_L1)
            m_foreignStreams.remove(id); // finished; refresh reads the result
        else if (!streamAlive(query.value(3).toString(), query.value(2).toLongLong(), &owners))
            dead.insert(id, m_foreignStreams.value(id));
    }
    for (auto it = m_foreignStreams.begin(); it != m_foreignStreams.end();)
        it = seen.contains(it.key()) ? std::next(it) : m_foreignStreams.erase(it);
    for (auto it = dead.cbegin(); it != dead.cend(); ++it) {
        m_foreignStreams.remove(it.key());
        if (Conversation *c = find(it.value()))
            c->update(it.key(), [](Message &m) { m.state = MessageState::Incomplete; });
    }
    if (m_foreignStreams.isEmpty())
        m_foreignTimer.stop();
}

QString ConversationStore::streamOwner()
{
    if (!m_streamLock) {
        // A random token rather than the pid: pids are reused, and two machines may share a file.
        m_streamToken = QString::number(QRandomGenerator::system()->generate64(), 36);
        const QString dir = QFileInfo(m_path).absoluteDir().filePath(u"streams"_s);
        PrivateFiles::makeDir(dir);
        m_streamLock = std::make_unique<QLockFile>(QDir(dir).filePath(m_streamToken + u".lock"_s));
        m_streamLock->setStaleLockTime(0); // held for as long as the process runs
        if (!m_streamLock->tryLock(0))
            qWarning("moonpane: cannot create the lock file %s", qPrintable(m_streamLock->fileName()));
        else
            PrivateFiles::restrict(m_streamLock->fileName());
    }
    return m_streamToken;
}

std::optional<bool> ConversationStore::ownerAlive(const QString &owner) const
{
    if (owner == m_streamToken)
        return true;
    const QString path = QFileInfo(m_path).absoluteDir().filePath(u"streams/%1.lock"_s.arg(owner));
    if (!QFileInfo::exists(path))
        return false; // its process ended and removed it (or never got to make it)
    QLockFile lock(path);
    lock.setStaleLockTime(0);
    if (lock.tryLock(0)) {
        lock.unlock(); // it was stale (or gone): its process is dead; this removes the file
        return false;
    }
    if (lock.error() == QLockFile::LockFailedError)
        return true;
    return std::nullopt;
}

bool ConversationStore::streamAlive(const QString &owner, qint64 updatedAtMs,
                                    QHash<QString, bool> *cache) const
{
    if (!owner.isEmpty()) {
        if (const auto known = cache->constFind(owner); known != cache->cend())
            return *known;
        if (const std::optional<bool> alive = ownerAlive(owner)) {
            cache->insert(owner, *alive);
            return *alive;
        }
    }
    // No owner (an older Moonpane wrote it), or no way to ask: go by its last write.
    return updatedAtMs >= nowMs() - kStaleStreamMs;
}

// --- search ----------------------------------------------------------------------------------

QString SearchHit::unmark(const QString &marked, QList<Range> *matches)
{
    QString plain;
    plain.reserve(marked.size());
    qsizetype start = -1;
    for (const QChar c : marked) {
        if (c == kMatchStart) {
            start = plain.size();
        } else if (c == kMatchEnd) {
            if (start >= 0 && matches)
                matches->append({start, plain.size()});
            start = -1;
        } else {
            plain += c;
        }
    }
    return plain;
}

namespace {

// Wraps each case-insensitive occurrence of the terms in the match markers, around the first one.
QString likeSnippet(const QString &text, const QStringList &terms, int around = 60)
{
    qsizetype first = -1;
    for (const QString &term : terms) {
        const qsizetype at = text.indexOf(term, 0, Qt::CaseInsensitive);
        if (at >= 0 && (first < 0 || at < first))
            first = at;
    }
    if (first < 0)
        return {};
    const qsizetype start = std::max<qsizetype>(0, first - around);
    const qsizetype end = std::min<qsizetype>(text.size(), first + around * 2);
    QString piece = text.mid(start, end - start);
    for (const QString &term : terms) {
        for (qsizetype at = piece.indexOf(term, 0, Qt::CaseInsensitive); at >= 0;
             at = piece.indexOf(term, at + term.size() + 2, Qt::CaseInsensitive)) {
            piece.insert(at + term.size(), SearchHit::kMatchEnd);
            piece.insert(at, SearchHit::kMatchStart);
        }
    }
    return (start > 0 ? u"…"_s : QString()) + piece.simplified() + (end < text.size() ? u"…"_s : QString());
}

QString escapeLike(QString term)
{
    term.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    return u'%' + term + u'%';
}

} // namespace

namespace {

// The search itself, on any connection; titles are left for the caller. Returns false, saying
// why, if the query failed (or was interrupted).
bool searchMessages(const QSqlDatabase &database, const QString &query, bool includeReasoning, int limit,
                    QList<SearchHit> *hits, QString *error)
{
    // Words, and "quoted phrases" kept whole.
    QStringList terms;
    const QStringList pieces = query.simplified().split(u'"');
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        if (i % 2)
            terms.append(pieces.at(i).trimmed());
        else
            terms.append(pieces.at(i).split(u' ', Qt::SkipEmptyParts));
    }
    terms.removeAll(QString());
    if (terms.isEmpty())
        return true;
    // The trigram index finds terms of three characters or more; shorter ones are checked with LIKE.
    QStringList phrases;
    QStringList shortTerms;
    for (const QString &term : terms) {
        if (term.size() >= 3)
            phrases.append(u'"' + term + u'"'); // no quotes left inside
        else
            shortTerms.append(term);
    }
    // Newest first is highest id first (ids follow creation time), which the index yields in
    // order: a query stops after `limit` matches instead of sorting all of them.
    QString sql;
    QVariantList binds;
    QString shortConditions;
    for (qsizetype i = 0; i < shortTerms.size(); ++i) {
        shortConditions += includeReasoning
            ? u" AND (m.content LIKE ? ESCAPE '\\' OR m.reasoning LIKE ? ESCAPE '\\')"_s
            : u" AND m.content LIKE ? ESCAPE '\\'"_s;
    }
    if (!phrases.isEmpty()) {
        const QString expression = phrases.join(u" AND "_s);
        binds.append(includeReasoning ? expression : u"content : (%1)"_s.arg(expression));
        sql = shortTerms.isEmpty()
            ? u"SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT %1"_s
            : u"SELECT f.rowid FROM messages_fts f JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ?"_s
                + shortConditions + u" ORDER BY f.rowid DESC LIMIT %1"_s;
    } else {
        sql = u"SELECT m.id FROM messages m WHERE m.state != 'streaming'"_s + shortConditions
            + u" ORDER BY m.id DESC LIMIT %1"_s;
    }
    for (const QString &term : std::as_const(shortTerms)) {
        binds.append(escapeLike(term));
        if (includeReasoning)
            binds.append(escapeLike(term));
    }
    QSqlQuery select(database);
    select.setForwardOnly(true);
    select.prepare(sql.arg(limit));
    for (const QVariant &bind : std::as_const(binds))
        select.addBindValue(bind);
    if (!select.exec()) {
        *error = Database::describe(select.lastError());
        return false;
    }
    QList<qint64> ids;
    while (select.next())
        ids.append(select.value(0).toLongLong());
    if (ids.isEmpty())
        return true;
    QHash<qint64, SearchHit> found;
    // Snippets for the hits only, made here: the trigram index's own are a few characters long.
    QSqlQuery rows(database);
    rows.setForwardOnly(true);
    if (rows.exec(
            u"SELECT id, conversation_id, role, created_at, content, reasoning FROM messages WHERE id IN (%1)"_s
                .arg(idList(ids)))) {
        while (rows.next()) {
            SearchHit hit;
            hit.messageId = rows.value(0).toLongLong();
            hit.conversationId = rows.value(1).toLongLong();
            hit.role = roleFromName(rows.value(2).toString()).value_or(Role::Assistant);
            hit.createdAt = fromMs(rows.value(3));
            const QString content = likeSnippet(rows.value(4).toString(), terms);
            const QString reasoning = likeSnippet(rows.value(5).toString(), terms);
            hit.inReasoning = content.isEmpty() && includeReasoning && !reasoning.isEmpty();
            hit.snippet = hit.inReasoning ? reasoning : content;
            found.insert(hit.messageId, hit);
        }
    }
    for (qint64 id : std::as_const(ids)) {
        if (found.contains(id))
            hits->append(found.value(id));
    }
    return true;
}

} // namespace

QList<SearchHit> ConversationStore::search(const QString &query, bool includeReasoning, int limit)
{
    QList<SearchHit> hits;
    if (!m_writer)
        return hits;
    QString error;
    if (!searchMessages(reader(), query, includeReasoning, limit, &hits, &error)) {
        fail(u"Search failed: %1"_s.arg(error));
        return {};
    }
    nameHits(&hits);
    return hits;
}

void ConversationStore::nameHits(QList<SearchHit> *hits) const
{
    for (SearchHit &hit : *hits) {
        if (const Conversation *c = find(hit.conversationId))
            hit.title = c->title;
    }
}

// A thread with its own read connection, for searches the UI does not wait for.
struct ConversationStore::Searcher
{
    QThread thread;
    QObject *context = new QObject; // lives on `thread`; searches run in its context
    QString connection = u"moonpane-search-%1"_s.arg(reinterpret_cast<quintptr>(this), 0, 16);
    std::atomic<qint64> latest {0}; // the newest search asked for
    QMutex mutex;
    sqlite3 *handle = nullptr; // the open connection's, to interrupt it (guarded by `mutex`)

    Searcher()
    {
        thread.setObjectName(u"moonpane-search"_s);
        context->moveToThread(&thread);
        thread.start();
    }
    ~Searcher()
    {
        ++latest; // whatever runs now is not wanted
        interrupt();
        QMetaObject::invokeMethod(
            context,
            [this] {
                {
                    QMutexLocker locker(&mutex);
                    handle = nullptr;
                }
                if (QSqlDatabase::contains(connection)) {
                    QSqlDatabase::database(connection, false).close();
                    QSqlDatabase::removeDatabase(connection);
                }
            },
            Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
        delete context;
    }
    void interrupt()
    {
        QMutexLocker locker(&mutex);
        if (handle)
            sqlite3_interrupt(handle); // safe from any thread while the connection is open
    }
};

void ConversationStore::searchInBackground(const QString &query, bool includeReasoning, int limit,
                                           std::function<void(const QList<SearchHit> &hits)> done)
{
    if (!m_writer)
        return;
    if (!m_searcher)
        m_searcher = std::make_unique<Searcher>();
    Searcher *searcher = m_searcher.get();
    const qint64 number = ++searcher->latest;
    searcher->interrupt(); // an older search still running is not wanted any more
    const QString path = m_path;
    QMetaObject::invokeMethod(
        searcher->context,
        [this, searcher, number, path, query, includeReasoning, limit, done = std::move(done)] {
            if (searcher->latest != number)
                return; // a newer one is queued behind
            QString error;
            QSqlDatabase database;
            if (QSqlDatabase::contains(searcher->connection))
                database = QSqlDatabase::database(searcher->connection, false);
            else {
                database = Database::open(path, searcher->connection, &error);
                if (!database.isValid())
                    QSqlDatabase::removeDatabase(searcher->connection); // tried again next time
                QMutexLocker locker(&searcher->mutex);
                searcher->handle = database.isValid() ? Database::handle(database) : nullptr;
            }
            QList<SearchHit> hits;
            const bool found =
                database.isValid() && searchMessages(database, query, includeReasoning, limit, &hits, &error);
            if (searcher->latest != number)
                return; // interrupted or overtaken
            // The store outlives this call: it stops the thread before it goes.
            QMetaObject::invokeMethod(this, [this, searcher, number, found, hits, error, done] {
                if (searcher->latest != number)
                    return;
                if (!found) {
                    fail(u"Search failed: %1"_s.arg(error));
                    done({}); // the caller stops waiting
                    return;
                }
                QList<SearchHit> named = hits;
                nameHits(&named);
                done(named);
            });
        });
}

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
        record.activeLeaf = query.value(7).toLongLong();
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
        *error = u"the conversation database is not open"_s;
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
