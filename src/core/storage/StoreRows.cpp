#include "StoreRows.h"

#include "MediaFolder.h"
#include "MessageCodec.h"
#include "PrivateFiles.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>
#include <QSqlError>

namespace moonpane::StoreRows {

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
    r.autoTitle = query.value(7).toBool();
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
    c->draftMedia = r.draftMedia;
    c->autoTitle = r.autoTitle;
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

// A message's media: a data URI (or a stored file this store does not hold) becomes a file named
// by the SHA-256 of its bytes (written once) and a row in `attachments`; anything else (an ms://
// reference) is kept as it is.
bool writeAttachments(QSqlDatabase &database, qint64 messageId, const QList<ContentPart> &parts,
                      const QString &dir, QString *error)
{
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const ContentPart &part = parts.at(i);
        QSqlQuery link(database);
        link.prepare(
            u"INSERT OR REPLACE INTO message_attachments (message_id, position, kind, hash, reference, "
            "name) VALUES (?, ?, ?, ?, ?, ?)"_s);
        link.addBindValue(messageId);
        link.addBindValue(i);
        link.addBindValue(kindName(part.kind));
        QString mime;
        QByteArray bytes;
        if (part.isStoredFile()) {
            // A file of this store's media folder, or one to copy there (moonpane-cli's own
            // files, media read back from another store), checked against its hash.
            const MediaRef media = MediaFolder::adopt(part.media, dir, error);
            if (media.isNull())
                return false;
            if (!insertMediaRow(database, media, error))
                return false;
            link.addBindValue(media.hash);
            link.addBindValue(QVariant(QMetaType::fromType<QString>()));
            link.addBindValue(nullIfEmpty(media.name));
            if (!run(link, error))
                return false;
            continue;
        } else {
            QByteArray base64;
            if (MessageCodec::splitDataUri(part.url, &mime, &base64))
                bytes = QByteArray::fromBase64(base64, QByteArray::AbortOnBase64DecodingErrors);
        }
        if (bytes.isEmpty()) {
            link.addBindValue(QVariant(QMetaType::fromType<QString>()));
            link.addBindValue(QString::fromLatin1(part.url));
            link.addBindValue(QVariant(QMetaType::fromType<QString>()));
            if (!run(link, error))
                return false;
            continue;
        }
        // A data URI (an import, a wire-format history): its bytes become a file of the folder.
        // Written inside the transaction that holds the write lock, so a process removing the
        // same file as unreferenced cannot interleave.
        MediaRef media = MediaFolder::storeBytes(bytes, dir, error);
        if (media.isNull())
            return false;
        media.mimeType = mime;
        if (!insertMediaRow(database, media, error))
            return false;
        const QString hash = media.hash;
        link.addBindValue(hash);
        link.addBindValue(QVariant(QMetaType::fromType<QString>()));
        link.addBindValue(QVariant(QMetaType::fromType<QString>()));
        if (!run(link, error))
            return false;
    }
    return true;
}

bool insertMediaRow(QSqlDatabase &database, const MediaRef &media, QString *error)
{
    QSqlQuery row(database);
    row.prepare(u"INSERT INTO attachments (hash, mime, size, created_at, width, height, duration_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET "
                "width = coalesce(width, excluded.width), height = coalesce(height, excluded.height), "
                "duration_ms = coalesce(duration_ms, excluded.duration_ms)"_s);
    const auto positive = [](qint64 value) {
        return value > 0 ? QVariant(value) : QVariant(QMetaType::fromType<qint64>());
    };
    row.addBindValue(media.hash);
    row.addBindValue(media.mimeType);
    row.addBindValue(media.bytes);
    row.addBindValue(nowMs());
    row.addBindValue(positive(media.width));
    row.addBindValue(positive(media.height));
    row.addBindValue(media.durationMs >= 0 ? QVariant(media.durationMs)
                                           : QVariant(QMetaType::fromType<qint64>()));
    return run(row, error);
}

QList<std::pair<QString, QVariant>> fieldColumns(const Message &m, MessageFields fields)
{
    QList<std::pair<QString, QVariant>> columns;
    if (fields & (MessageField::Content | MessageField::Reasoning)) {
        columns.append({u"content"_s, storedText(m.content)});
        columns.append({u"reasoning"_s, storedText(m.reasoning)});
        columns.append({u"text_length"_s, m.content.size() + m.reasoning.size()});
        columns.append({u"has_reasoning"_s, m.hasReasoning || !m.reasoning.isEmpty()});
    }
    if (fields & MessageField::ToolCalls)
        columns.append({u"tool_calls"_s, nullIfEmpty(MessageCodec::toolCallsToJson(m.toolCalls))});
    if (fields & MessageField::FinishReason)
        columns.append({u"finish_reason"_s, nullIfEmpty(m.finishReason)});
    if (fields & MessageField::Usage)
        columns.append({u"usage"_s, nullIfEmpty(usageJson(m))});
    if (fields & MessageField::Error)
        columns.append({u"error"_s, nullIfEmpty(MessageCodec::errorToJson(m.error))});
    if (fields & MessageField::Model)
        columns.append({u"model"_s, nullIfEmpty(m.model)});
    if (fields & MessageField::Timings) {
        columns.append({u"thinking_ms"_s, optionalMs(m.thinkingMs)});
        columns.append({u"first_token_ms"_s, optionalMs(m.firstTokenMs)});
        columns.append({u"generation_ms"_s, optionalMs(m.generationMs)});
    }
    return columns;
}

bool insertMessage(QSqlDatabase &database, qint64 conversationId, const Message &m, qsizetype position,
                   const QString &attachmentsDir, const QString &streamOwner, QString *error)
{
    // Its place and identity, then every field as fieldColumns() writes it on a change.
    QList<std::pair<QString, QVariant>> columns = {
        {u"id"_s, m.id},
        {u"conversation_id"_s, conversationId},
        {u"parent_id"_s, m.parentId ? QVariant(m.parentId) : QVariant(QMetaType::fromType<qint64>())},
        {u"position"_s, position},
        {u"role"_s, roleName(m.role)},
        {u"created_at"_s, ms(m.createdAt)},
        {u"updated_at"_s, nowMs()},
        {u"state"_s, MessageCodec::stateName(m.state)},
        {u"stream_owner"_s,
         m.state == MessageState::Streaming ? QVariant(streamOwner)
                                            : QVariant(QMetaType::fromType<QString>())},
        {u"tool_call_id"_s, nullIfEmpty(m.toolCallId)},
        {u"name"_s, nullIfEmpty(m.name)},
    };
    columns += fieldColumns(m, kAllMessageFields);
    QStringList names;
    QSqlQuery query(database);
    for (const auto &[name, value] : std::as_const(columns))
        names.append(name);
    query.prepare(u"INSERT INTO messages (%1) VALUES (%2)"_s.arg(
        names.join(u", "_s), QStringList(names.size(), u"?"_s).join(u", "_s)));
    for (const auto &[name, value] : std::as_const(columns))
        query.addBindValue(value);
    if (!run(query, error))
        return false;
    return m.parts.isEmpty() || writeAttachments(database, m.id, m.parts, attachmentsDir, error);
}

bool insertConversation(QSqlDatabase &database, const ConversationRecord &c, QString *error)
{
    QSqlQuery query(database);
    query.prepare(u"INSERT INTO conversations (id, title, created_at, updated_at, system_prompt, parameters, "
                  "draft, active_leaf, auto_title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    query.addBindValue(c.id);
    query.addBindValue(storedText(c.title));
    query.addBindValue(ms(c.createdAt));
    query.addBindValue(ms(c.updatedAt));
    query.addBindValue(storedText(c.systemPrompt));
    query.addBindValue(parametersJson(c.parameters));
    query.addBindValue(storedText(c.draft));
    query.addBindValue(c.activeLeaf ? QVariant(c.activeLeaf) : QVariant(QMetaType::fromType<qint64>()));
    query.addBindValue(c.autoTitle);
    return run(query, error) && writeDraftMedia(database, c.id, c.draftMedia, error);
}

bool writeDraftMedia(QSqlDatabase &database, qint64 conversationId, const QList<AttachedMedia> &media,
                     QString *error)
{
    QSqlQuery clear(database);
    clear.prepare(u"DELETE FROM draft_attachments WHERE conversation_id = ?"_s);
    clear.addBindValue(conversationId);
    if (!run(clear, error))
        return false;
    for (qsizetype i = 0; i < media.size(); ++i) {
        const AttachedMedia &m = media.at(i);
        if (!insertMediaRow(database, m.original, error)
            || (!m.prepared.isNull() && !insertMediaRow(database, m.prepared, error)))
            return false;
        QSqlQuery row(database);
        row.prepare(u"INSERT INTO draft_attachments (conversation_id, position, hash, prepared_hash, "
                    "send_original, name) VALUES (?, ?, ?, ?, ?, ?)"_s);
        row.addBindValue(conversationId);
        row.addBindValue(i);
        row.addBindValue(m.original.hash);
        row.addBindValue(m.prepared.isNull() ? QVariant(QMetaType::fromType<QString>())
                                             : QVariant(m.prepared.hash));
        row.addBindValue(m.sendOriginal);
        row.addBindValue(m.original.name);
        if (!run(row, error))
            return false;
    }
    return true;
}

QHash<qint64, QList<AttachedMedia>> readDraftMedia(const QSqlDatabase &database, const QString &dir)
{
    QHash<qint64, QList<AttachedMedia>> drafts;
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT d.conversation_id, d.name, d.send_original, "
                    "o.hash, o.mime, o.size, o.width, o.height, o.duration_ms, "
                    "p.hash, p.mime, p.size, p.width, p.height "
                    "FROM draft_attachments d JOIN attachments o ON o.hash = d.hash "
                    "LEFT JOIN attachments p ON p.hash = d.prepared_hash "
                    "ORDER BY d.conversation_id, d.position"_s))
        return drafts;
    const QDir files(dir);
    const auto media = [&](int at, const QString &name) {
        MediaRef ref;
        if (query.isNull(at))
            return ref;
        ref.hash = query.value(at).toString();
        ref.path = files.filePath(ref.hash);
        ref.mimeType = query.value(at + 1).toString();
        ref.bytes = query.value(at + 2).toLongLong();
        ref.width = query.value(at + 3).toInt();
        ref.height = query.value(at + 4).toInt();
        ref.name = name;
        return ref;
    };
    while (query.next()) {
        AttachedMedia m;
        const QString name = query.value(1).toString();
        m.sendOriginal = query.value(2).toBool();
        m.original = media(3, name);
        m.original.durationMs = query.isNull(8) ? -1 : query.value(8).toLongLong();
        m.prepared = media(9, name);
        drafts[query.value(0).toLongLong()].append(m);
    }
    return drafts;
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
    record.draftMedia = c.draftMedia;
    record.autoTitle = c.autoTitle;
    record.activeLeaf = c.leaf();
    return record;
}

// Media no longer referenced by any message: their rows go now, their files once that is
// committed (see removeOrphanFiles).
bool removeOrphanRows(QSqlDatabase &database, QStringList *hashes, QString *error)
{
    QSqlQuery query(database);
    if (!query.exec(
            u"DELETE FROM attachments WHERE hash NOT IN "
            "(SELECT hash FROM message_attachments WHERE hash IS NOT NULL) "
            "AND hash NOT IN (SELECT hash FROM draft_attachments) "
            "AND hash NOT IN (SELECT prepared_hash FROM draft_attachments WHERE prepared_hash IS NOT NULL) "
            "RETURNING hash"_s)) {
        *error = Database::describe(query.lastError());
        return false;
    }
    while (query.next())
        hashes->append(query.value(0).toString());
    return true;
}

// Runs in a later transaction than removeOrphanRows, holding the write lock, so a file is
// removed only if no process has referenced it again meanwhile, and only if nobody has wanted
// it since its rows went (an attachment of the same bytes being imported: MediaFolder).
StoreWriter::Job removeOrphanFiles(const QStringList &hashes, const QString &dir)
{
    const QDateTime rowsRemoved = QDateTime::currentDateTimeUtc();
    return [hashes, dir, rowsRemoved](QSqlDatabase &database, QString *error) {
        for (const QString &hash : hashes) {
            QSqlQuery query(database);
            query.prepare(u"SELECT 1 FROM attachments WHERE hash = ?"_s);
            query.addBindValue(hash);
            if (!run(query, error))
                return false;
            const QString path = QDir(dir).filePath(hash);
            if (!query.next() && QFileInfo(path).lastModified() <= rowsRemoved)
                QFile::remove(path);
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
        // What was written or wanted lately may be on its way into a row of another process
        // (an attachment of a draft being imported): left for a later sweep.
        const QDateTime settled = QDateTime::currentDateTimeUtc().addMSecs(-MediaFolder::kGraceMs);
        for (const QFileInfo &file : dir.entryInfoList(QDir::Files | QDir::Hidden)) {
            if (!known.contains(file.fileName()) && file.lastModified() < settled)
                QFile::remove(file.filePath());
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
        QCoreApplication::translate(
            "StoreRows",
            "This message is damaged in the database (its %1 \"%2\" is unknown); it is shown as far as "
            "it could be read.")
            .arg(what, value);
}

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
StoredText readText(const QSqlQuery &q, int at)
{
    StoredText t;
    Message &m = t.text;
    m.id = q.value(at).toLongLong();
    m.content = q.value(at + 1).toString();
    m.reasoning = q.value(at + 2).toString();
    if (!MessageCodec::toolCallsFromJson(q.value(at + 3).toByteArray(), &m.toolCalls))
        t.damaged.append(QCoreApplication::translate("StoreRows", "tool calls"));
    const QByteArray usage = q.value(at + 4).toByteArray();
    if (!usage.isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(usage);
        if (document.isObject())
            m.usage = Usage::fromJson(document.object());
        else
            t.damaged.append(QCoreApplication::translate("StoreRows", "usage"));
    }
    if (!MessageCodec::errorFromJson(q.value(at + 5).toByteArray(), &m.error))
        t.damaged.append(u"error"_s);
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
    return t;
}

void applyText(Message &m, StoredText &&t)
{
    Message &from = t.text;
    m.content = std::move(from.content);
    m.reasoning = std::move(from.reasoning);
    m.toolCalls = std::move(from.toolCalls);
    m.usage = std::move(from.usage);
    if (!m.error.isError())
        m.error = std::move(from.error); // the stub's own complaint comes first
    m.createdAt = from.createdAt;
    m.toolCallId = std::move(from.toolCallId);
    m.name = std::move(from.name);
    m.finishReason = std::move(from.finishReason);
    m.model = std::move(from.model);
    m.thinkingMs = from.thinkingMs;
    m.firstTokenMs = from.firstTokenMs;
    m.generationMs = from.generationMs;
    m.parts = std::move(from.parts);
    m.textLength = m.content.size() + m.reasoning.size();
    if (!t.damaged.isEmpty() && !m.error.isError()) {
        m.state = MessageState::Failed;
        m.error.kind = ApiError::Kind::Protocol;
        m.error.message =
            QCoreApplication::translate(
                "StoreRows", "Part of this message is damaged in the database (%1) and was left out.")
                .arg(t.damaged.join(u", "_s));
    }
}

void fillText(Message &m, const QSqlQuery &q, int at)
{
    applyText(m, readText(q, at));
}

// Media of the given messages, by message id: references to their stored files (path, MIME
// type, size, hash), never their bytes. A file gone from the disk is left out and named in
// *missing (a stat, not a read).
QHash<qint64, QList<ContentPart>> readAttachments(const QSqlDatabase &database, const QString &ids,
                                                  const QString &dir, QStringList *missing)
{
    QHash<qint64, QList<ContentPart>> parts;
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(
            u"SELECT ma.message_id, ma.kind, ma.hash, ma.reference, a.mime, a.size, ma.name, a.width, "
            "a.height, a.duration_ms "
            "FROM message_attachments ma LEFT JOIN attachments a ON a.hash = ma.hash "
            "WHERE ma.message_id IN (%1) ORDER BY ma.message_id, ma.position"_s.arg(ids)))
        return parts;
    const QDir files(dir);
    while (query.next()) {
        const ContentPart::Kind kind =
            query.value(1).toString() == "video"_L1 ? ContentPart::Kind::Video : ContentPart::Kind::Image;
        ContentPart part;
        if (query.isNull(2)) {
            part.kind = kind;
            part.url = query.value(3).toString().toLatin1();
        } else {
            const QString hash = query.value(2).toString();
            const QString path = files.filePath(hash);
            if (query.isNull(4) || !QFileInfo::exists(path)) {
                missing->append(path);
                continue;
            }
            MediaRef media;
            media.path = path;
            media.mimeType = query.value(4).toString();
            media.bytes = query.value(5).toLongLong();
            media.hash = hash;
            media.name = query.value(6).toString();
            media.width = query.value(7).toInt();
            media.height = query.value(8).toInt();
            media.durationMs = query.isNull(9) ? -1 : query.value(9).toLongLong();
            part = ContentPart::fromMedia(media);
            part.kind = kind;
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

} // namespace moonpane::StoreRows
