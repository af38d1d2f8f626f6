// ConversationStore: full-text search, on the reader connection or on a thread of its own.
#include "ConversationStore.h"
#include "StoreRows.h"

#include <QSqlError>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

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
        fail(tr("Search failed: %1").arg(error));
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

// Tells the store's thread that the search thread has a result.
class SearchPoke final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

signals:
    void ready();
};

// A thread with its own read connection, for searches the UI does not wait for. Only the newest
// search matters: asking again replaces the one waiting and interrupts the one running. Work and
// results pass under one std::mutex (which ThreadSanitizer sees); the UI thread is only poked to
// collect a result.
struct ConversationStore::Searcher
{
    struct Request
    {
        qint64 number = 0;
        QString query;
        bool includeReasoning = false;
        int limit = 0;
        std::function<void(const QList<SearchHit> &)> done;
    };
    struct Result
    {
        qint64 number = 0;
        bool found = false;
        QList<SearchHit> hits;
        QString error;
        std::function<void(const QList<SearchHit> &)> done;
    };

    QString path;
    QString connection = u"moonpane-search-%1"_s.arg(reinterpret_cast<quintptr>(this), 0, 16);
    std::atomic<qint64> latest {0}; // the newest search asked for
    std::mutex mutex;
    std::condition_variable wake;
    std::optional<Request> pending; // guarded by `mutex`
    std::optional<Result> result; // guarded by `mutex`
    bool stopping = false; // guarded by `mutex`
    sqlite3 *handle = nullptr; // the open connection's, to interrupt it (guarded by `mutex`)
    std::function<void()> poke; // asks the UI thread to collect the result
    std::thread thread;

    Searcher(const QString &databasePath, std::function<void()> resultReady)
        : path(databasePath)
        , poke(std::move(resultReady))
        , thread([this] { run(); })
    {
    }
    ~Searcher()
    {
        {
            std::lock_guard lock(mutex);
            stopping = true;
            ++latest; // whatever runs now is not wanted
            if (handle)
                sqlite3_interrupt(handle);
        }
        wake.notify_all();
        thread.join();
    }
    void ask(Request request)
    {
        {
            std::lock_guard lock(mutex);
            pending = std::move(request);
            if (handle)
                sqlite3_interrupt(handle); // safe from any thread while the connection is open
        }
        wake.notify_all();
    }
    void run()
    {
        QSqlDatabase database;
        std::unique_lock lock(mutex);
        for (;;) {
            wake.wait(lock, [this] { return pending || stopping; });
            if (stopping)
                break;
            Request request = std::move(*pending);
            pending.reset();
            lock.unlock();
            Result done {request.number, false, {}, {}, std::move(request.done)};
            if (!database.isValid()) {
                database = Database::open(path, connection, &done.error);
                if (!database.isValid()) {
                    database = QSqlDatabase();
                    QSqlDatabase::removeDatabase(connection); // tried again next time
                }
                std::lock_guard guard(mutex);
                handle = database.isValid() ? Database::handle(database) : nullptr;
            }
            if (database.isValid() && latest == request.number)
                done.found = searchMessages(database, request.query, request.includeReasoning, request.limit,
                                            &done.hits, &done.error);
            lock.lock();
            if (latest == request.number && !stopping) { // not interrupted or overtaken
                result = std::move(done);
                poke();
            }
        }
        handle = nullptr;
        lock.unlock();
        if (database.isValid()) {
            database.close();
            database = QSqlDatabase();
            QSqlDatabase::removeDatabase(connection);
        }
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
    if (!m_searcher) {
        // The poke is a signal queued to this thread, connected here once: what crosses the
        // threads is Qt's event, not an object made on the search thread. The store outlives the
        // searcher (it stops the thread before it goes); a poke that arrives after that finds
        // nothing to collect.
        auto *poke = new SearchPoke(this);
        connect(poke, &SearchPoke::ready, this, &ConversationStore::collectSearch, Qt::QueuedConnection);
        m_searcher.reset(new Searcher(m_path, [poke] { emit poke->ready(); }));
    }
    const qint64 number = ++m_searcher->latest;
    m_searcher->ask({number, query, includeReasoning, limit, std::move(done)});
}

void ConversationStore::collectSearch()
{
    if (!m_searcher)
        return;
    std::optional<Searcher::Result> result;
    {
        std::lock_guard lock(m_searcher->mutex);
        result.swap(m_searcher->result);
    }
    if (!result || result->number != m_searcher->latest)
        return;
    if (!result->found) {
        fail(tr("Search failed: %1").arg(result->error));
        result->done({}); // the caller stops waiting
        return;
    }
    nameHits(&result->hits);
    result->done(result->hits);
}

} // namespace moonpane

#include "ConversationStoreSearch.moc"
