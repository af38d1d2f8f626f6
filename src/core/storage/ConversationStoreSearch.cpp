// ConversationStore: full-text search, on the reader connection or on a thread of its own.
#include "ConversationStore.h"
#include "StoreRows.h"

#include <QMutex>
#include <QSqlError>
#include <QThread>

#include <atomic>

using namespace Qt::StringLiterals;

namespace moonpane {

using namespace StoreRows;

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

void ConversationStore::SearcherDeleter::operator()(Searcher *searcher) const
{
    delete searcher;
}

void ConversationStore::searchInBackground(const QString &query, bool includeReasoning, int limit,
                                           std::function<void(const QList<SearchHit> &hits)> done)
{
    if (!m_writer)
        return;
    if (!m_searcher)
        m_searcher.reset(new Searcher);
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

} // namespace moonpane
