#include "ConversationStore.h"

#include "Database.h"
#include "Exporter.h"
#include "MessageCodec.h"
#include "PrivateFiles.h"
#include "StoreRows.h"
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
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace moonpane {

// What write jobs (on the writer thread) tell the UI thread: the revision of each loaded
// conversation as this process knows it, and which ones another process wrote in between.
struct ConversationStore::Shared
{
    std::mutex mutex;
    QHash<qint64, qint64> known;
    QSet<qint64> stale;
};

using namespace StoreRows;

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
    connect(&m_refreshTimer, &QTimer::timeout, this, &ConversationStore::refreshLater);
    m_foreignTimer.setInterval(kStaleStreamMs / 4);
    connect(&m_foreignTimer, &QTimer::timeout, this, &ConversationStore::checkForeignStreams);
}

ConversationStore::~ConversationStore()
{
    m_searcher.reset(); // first: nothing it finds or reads may reach a store going away
    m_reader.reset();
    qDeleteAll(std::exchange(m_jobs, {})); // each waits for its thread, which may wait for the writer
    if (!m_writer) {
        // Not open (it failed): the conversations kept in memory must not tell a store that is
        // gone when the library ends them.
        commitRemove();
        for (Conversation *c : conversations())
            c->removeObserver(this);
        return;
    }
    commitRemove();
    writePendingText();
    // Replies this process was streaming and never finished are incomplete now.
    if (!m_ownStreams.isEmpty())
        m_writer->post(markIncomplete(m_ownStreams.values()));
    for (Conversation *c : conversations())
        c->removeObserver(this);
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
        [this](const QString &why) { fail(tr("Could not save to %1: %2").arg(m_path, why)); },
        Qt::QueuedConnection);

    // Replies that were streaming when their process died are incomplete.
    QSqlQuery streams(database);
    streams.setForwardOnly(true);
    QList<qint64> cut;
    QHash<QString, bool> owners;
    const StreamCheck check = streamCheck();
    if (streams.exec(u"SELECT id, stream_owner, updated_at FROM messages WHERE state = 'streaming'"_s)) {
        while (streams.next()) {
            if (!streamAlive(check, streams.value(1).toString(), streams.value(2).toLongLong(), &owners))
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
            tr("Cannot read the conversations in %1: %2").arg(m_path, Database::describe(query.lastError()));
        m_writer.reset();
        QSqlDatabase::removeDatabase(m_connection);
        return false;
    }
    while (query.next())
        adopt(conversationFrom(query));
    const QHash<qint64, QList<AttachedMedia>> drafts =
        readDraftMedia(database, Database::attachmentsDir(m_path));
    for (auto it = drafts.cbegin(); it != drafts.cend(); ++it) {
        if (Conversation *c = find(it.key()))
            c->draftMedia = it.value();
    }
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
        std::lock_guard locker(m_shared->mutex);
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

void ConversationStore::rememberUpload(const QString &endpoint, const QString &hash, const QString &fileId)
{
    m_uploads[endpoint].insert(hash, fileId);
    if (!m_writer)
        return;
    m_writer->post([endpoint, hash, fileId](QSqlDatabase &database, QString *error) {
        QSqlQuery query(database);
        query.prepare(u"INSERT OR REPLACE INTO remote_files (hash, endpoint, file_id, created_at) "
                      "VALUES (?, ?, ?, ?)"_s);
        query.addBindValue(hash);
        query.addBindValue(endpoint);
        query.addBindValue(fileId);
        query.addBindValue(nowMs());
        return run(query, error);
    });
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
            "draft = ?, auto_title = ? WHERE id = ?"_s);
        query.addBindValue(storedText(r.title));
        query.addBindValue(ms(r.updatedAt));
        query.addBindValue(storedText(r.systemPrompt));
        query.addBindValue(parametersJson(r.parameters));
        query.addBindValue(storedText(r.draft));
        query.addBindValue(r.autoTitle);
        query.addBindValue(r.id);
        return run(query, error) && writeDraftMedia(database, r.id, r.draftMedia, error);
    });
}

void ConversationStore::removeCommitted(qint64 id)
{
    m_loaded.remove(id);
    m_opening.remove(id);
    for (auto it = m_pending.begin(); it != m_pending.end();)
        it = it->conversationId == id ? m_pending.erase(it) : std::next(it);
    for (auto it = m_pendingToolCalls.begin(); it != m_pendingToolCalls.end();)
        it = it.value() == id ? m_pendingToolCalls.erase(it) : std::next(it);
    {
        std::lock_guard locker(m_shared->mutex);
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
    m_opening.remove(conversation->id); // what the reader thread brings is not wanted now
    m_loaded.insert(conversation->id);
    applyOutline(conversation, readOutline(reader(), conversation->id, streamCheck()));
    attach(conversation);
}

void ConversationStore::attach(Conversation *conversation)
{
    conversation->addObserver(this);
    conversation->setTextLoaders(
        [this](Conversation &c, const QList<qint64> &ids) { loadText(c, ids); },
        [this](Conversation &c, const QList<qint64> &ids) { loadTextLater(c, ids); });
}

// Reads the structure of a conversation's messages (stubs) in one snapshot with its revision,
// and its title, system prompt and parameters. Runs on any thread.
ConversationStore::Outline ConversationStore::readOutline(const QSqlDatabase &database, qint64 id,
                                                          const StreamCheck &check)
{
    Outline outline;
    outline.conversationId = id;
    QSqlDatabase connection = database;
    Database::exec(connection, u"BEGIN"_s); // one snapshot (a reader: nothing to fail that matters)
    QSqlQuery meta(database);
    meta.prepare(
        u"SELECT active_leaf, revision, title, system_prompt, parameters FROM conversations WHERE id = ?"_s);
    meta.addBindValue(id);
    if (meta.exec() && meta.next()) {
        outline.found = true;
        outline.leaf = meta.value(0).toLongLong();
        outline.revision = meta.value(1).toLongLong();
        outline.title = meta.value(2).toString();
        outline.systemPrompt = meta.value(3).toString();
        outline.parameters = parametersFrom(meta.value(4));
    }
    // The outline comes from one index (see Database, schema 4). It is read through SQLite's own
    // API: QSqlQuery's cost per value would be most of the time it takes to open a conversation of
    // ten thousand messages.
    Statement count(database, "SELECT count(*) FROM messages WHERE conversation_id = ?");
    outline.stubs.reserve(count.bind(1, id).step() ? count.int64(0) : 0);
    Statement rows(database,
                   "SELECT id, parent_id, role, state, has_reasoning, text_length, updated_at, "
                   "stream_owner FROM messages WHERE conversation_id = ? ORDER BY position, id");
    rows.bind(1, id);
    QHash<QString, bool> owners;
    while (rows.step()) {
        Message m =
            stub(rows.int64(0), rows.int64(1), rows.text(2), rows.text(3), rows.int64(4) != 0, rows.int64(5));
        m.storedVersion = rows.int64(6);
        if (m.state == MessageState::Streaming && !check.ownStreams.contains(m.id)) {
            if (!streamAlive(check, rows.text(7), rows.int64(6), &owners)) {
                m.state = MessageState::Incomplete; // its process died while it streamed
                outline.cut.append(m.id);
            } else {
                outline.foreign.append(m.id);
            }
        }
        outline.stubs.append(std::move(m));
    }
    outline.error = rows.error();
    Database::exec(connection, u"COMMIT"_s);
    return outline;
}

void ConversationStore::applyOutline(Conversation *conversation, Outline &&outline)
{
    if (!outline.error.isEmpty())
        fail(tr("Cannot read the messages of \"%1\" from %2: %3")
                 .arg(conversation->title, m_path, outline.error));
    qsizetype next = 0;
    conversation->restore(
        outline.stubs.size(),
        [&](Message *m) {
            if (next >= outline.stubs.size())
                return false;
            *m = std::move(outline.stubs[next++]);
            return true;
        },
        outline.leaf);
    {
        std::lock_guard locker(m_shared->mutex);
        m_shared->known.insert(conversation->id, outline.revision);
        m_shared->stale.remove(conversation->id);
    }
    for (qint64 id : std::as_const(outline.foreign))
        m_foreignStreams.insert(id, conversation->id);
    if (!outline.cut.isEmpty())
        m_writer->post(markIncomplete(outline.cut));
    if (!m_foreignStreams.isEmpty() && !m_foreignTimer.isActive())
        m_foreignTimer.start();
}

ConversationStore::StreamCheck ConversationStore::streamCheck() const
{
    return {m_path, m_streamToken, m_ownStreams};
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
    std::lock_guard locker(shared.mutex);
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
    if ((m_pending.isEmpty() && m_pendingToolCalls.isEmpty()) || !m_writer) {
        m_pending.clear();
        m_pendingToolCalls.clear();
        return;
    }
    const QHash<qint64, PendingText> pending = std::exchange(m_pending, {});
    // Tool calls streamed since the last batch: written as they are now, once per batch.
    QHash<qint64, std::pair<qint64, QByteArray>> toolCalls; // message → conversation, calls
    for (auto it = m_pendingToolCalls.cbegin(); it != m_pendingToolCalls.cend(); ++it) {
        const Conversation *c = find(it.value());
        if (const Message *m = c ? c->message(it.key()) : nullptr)
            toolCalls.insert(it.key(), {it.value(), MessageCodec::toolCallsToJson(m->toolCalls)});
    }
    m_pendingToolCalls.clear();
    const std::shared_ptr<Shared> shared = m_shared;
    m_writer->post([pending, toolCalls, shared](QSqlDatabase &database, QString *error) {
        QSet<qint64> conversations;
        for (auto it = toolCalls.cbegin(); it != toolCalls.cend(); ++it) {
            QSqlQuery query(database);
            query.prepare(
                u"UPDATE messages SET tool_calls = ?, updated_at = max(?, updated_at + 1) WHERE id = ?"_s);
            query.addBindValue(nullIfEmpty(it->second));
            query.addBindValue(nowMs());
            query.addBindValue(it.key());
            if (!run(query, error))
                return false;
            conversations.insert(it->first);
        }
        for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
            QSqlQuery query(database);
            query.prepare(u"UPDATE messages SET content = content || ?, reasoning = reasoning || ?, "
                          "has_reasoning = has_reasoning OR ?, text_length = text_length + ?, "
                          "updated_at = max(?, updated_at + 1) "
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

void ConversationStore::toolCallAppended(const Conversation &conversation, qint64 id, int, const QString &)
{
    // Like streamed text: written with the next batch, the calls as they are by then.
    m_pendingToolCalls.insert(id, conversation.id);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ConversationStore::messageChanged(const Conversation &conversation, const Message &message,
                                       MessageFields fields)
{
    const bool streaming = message.state == MessageState::Streaming;
    if (fields & MessageField::State) {
        if (streaming)
            m_ownStreams.insert(message.id);
        else
            m_ownStreams.remove(message.id);
        m_foreignStreams.remove(message.id);
    }
    if (!m_writer)
        return;
    // Text streamed before this change goes first (one append, never a rewrite of the whole).
    if (m_pending.contains(message.id) || m_pendingToolCalls.contains(message.id))
        writePendingText();
    if (fields & MessageField::ToolCalls)
        m_pendingToolCalls.remove(message.id); // written whole now
    // Only what changed is written: a change to a reply another process wrote (it was cut off)
    // writes its state, never this process's copy of its text, which may be older than the file.
    // A stub (text not loaded) has nothing else to write.
    QList<std::pair<QString, QVariant>> columns;
    if (message.textLoaded)
        columns = fieldColumns(message, fields);
    const bool withState = fields & MessageField::State;
    if (columns.isEmpty() && !withState)
        return;
    const qint64 conversationId = conversation.id;
    const std::shared_ptr<Shared> shared = m_shared;
    const QVariant owner = streaming ? QVariant(streamOwner()) : QVariant(QMetaType::fromType<QString>());
    const MessageState state = message.state;
    const qint64 id = message.id;
    m_writer->post([=](QSqlDatabase &database, QString *error) {
        QStringList set = {u"updated_at = max(?, updated_at + 1)"_s}; // a new version each write
        QVariantList values = {nowMs()};
        if (withState) {
            set << u"stream_owner = ?"_s << u"state = ?"_s;
            values << owner << MessageCodec::stateName(state);
        }
        for (const auto &[column, value] : columns) {
            set << column + u" = ?"_s;
            values << value;
        }
        QSqlQuery query(database);
        query.prepare(u"UPDATE messages SET %1 WHERE id = ?"_s.arg(set.join(u", "_s)));
        for (const QVariant &value : std::as_const(values))
            query.addBindValue(value);
        query.addBindValue(id);
        return run(query, error) && bump(database, *shared, conversationId, error);
    });
}

void ConversationStore::messagesRemoved(const Conversation &conversation, const QList<qint64> &removed,
                                        const QList<qint64> &moved)
{
    for (qint64 id : removed) {
        m_pending.remove(id);
        m_pendingToolCalls.remove(id);
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
    applyListing(readListing(reader()), committed, false);
}

ConversationStore::Listing ConversationStore::readListing(const QSqlDatabase &database)
{
    Listing listing;
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1, revision FROM conversations"_s.arg(kConversationColumns))) {
        listing.error = Database::describe(query.lastError());
        return listing;
    }
    while (query.next())
        listing.rows.push_back({conversationFrom(query), query.value(kConversationColumnCount).toLongLong()});
    return listing;
}

void ConversationStore::applyListing(Listing &&listing, qint64 committed, bool inBackground)
{
    if (!listing.error.isEmpty())
        return; // read again at the next change
    QSet<qint64> present;
    QList<Conversation *> toReload;
    for (Listing::Row &row : listing.rows) {
        const qint64 id = row.conversation->id;
        present.insert(id);
        if (id == pendingRemoval() || m_deleting.value(id) > committed)
            continue;
        Conversation *c = find(id);
        if (!c) { // another process started it
            adopt(std::move(row.conversation));
            continue;
        }
        bool stale = false;
        if (auto opening = m_opening.find(id); opening != m_opening.end())
            *opening = std::max(*opening, row.revision); // its outline may have been read before
        if (m_loaded.contains(id)) {
            std::lock_guard locker(m_shared->mutex);
            stale = row.revision > m_shared->known.value(id) || m_shared->stale.contains(id);
        }
        if (stale)
            toReload.append(c);
        const QString &title = row.conversation->title;
        const QDateTime &updated = row.conversation->updatedAt;
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
    for (Conversation *c : std::as_const(toReload)) {
        if (inBackground)
            reloadLater(c);
        else
            reload(c);
    }
}

void ConversationStore::reload(Conversation *conversation)
{
    // What this process still has to write goes first, so that what is read back includes it.
    writePendingText();
    m_writer->waitIdle();
    applyReload(conversation, readOutline(reader(), conversation->id, streamCheck()));
}

void ConversationStore::applyReload(Conversation *conversation, Outline &&outline)
{
    if (outline.found) {
        conversation->title = outline.title;
        conversation->systemPrompt = outline.systemPrompt;
        conversation->parameters = outline.parameters;
        // The draft stays: the user may be typing it here.
    }
    // Replies this process is streaming go on from the text it has (it alone writes them).
    QHash<qint64, Message> own;
    for (qint64 id : std::as_const(m_ownStreams)) {
        if (const Message *m = conversation->message(id); m && m->textLoaded)
            own.insert(id, *m);
    }
    // What another process did not change keeps the text already read: only what changed is
    // read again (and shown as a placeholder until it is).
    for (Message &stub : outline.stubs) {
        const Message *known = conversation->message(stub.id);
        if (known && known->textLoaded && known->storedVersion == stub.storedVersion
            && known->state == stub.state && known->parentId == stub.parentId && !own.contains(stub.id))
            stub = *known;
    }
    applyOutline(conversation, std::move(outline));
    for (auto it = own.cbegin(); it != own.cend(); ++it) {
        if (conversation->message(it.key()))
            conversation->setText(it.key(), [&](Message &m) {
                const qint64 parent = m.parentId; // where the file has it now
                m = it.value();
                m.parentId = parent;
            });
    }
    emit changed(conversation->id);
    emit conversationReloaded(conversation->id);
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

std::optional<bool> ConversationStore::ownerAlive(const StreamCheck &check, const QString &owner)
{
    if (owner == check.ownToken)
        return true;
    const QString path =
        QFileInfo(check.databasePath).absoluteDir().filePath(u"streams/%1.lock"_s.arg(owner));
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

bool ConversationStore::streamAlive(const StreamCheck &check, const QString &owner, qint64 updatedAtMs,
                                    QHash<QString, bool> *cache)
{
    if (!owner.isEmpty()) {
        if (const auto known = cache->constFind(owner); known != cache->cend())
            return *known;
        if (const std::optional<bool> alive = ownerAlive(check, owner)) {
            cache->insert(owner, *alive);
            return *alive;
        }
    }
    // No owner (an older Moonpane wrote it), or no way to ask: go by its last write.
    return updatedAtMs >= nowMs() - kStaleStreamMs;
}

} // namespace moonpane
