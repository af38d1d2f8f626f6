// ConversationStore: what is read off the UI thread. Message text is read at once (loadText, for
// whoever needs it now) or on a thread of its own (loadTextLater, for a view that must not wait:
// it paints placeholders meanwhile); so are the list of conversations and the messages of one
// another process changed, when the file changes (refreshLater, reloadLater), and whether the
// replies other processes stream still have a living writer (checkForeignStreams).
#include "ConversationStore.h"
#include "StoreRows.h"

#include <QSqlError>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace moonpane {

using namespace StoreRows;

namespace {

// The text of `ids` and their media (references, never bytes), read on `database`.
bool readTexts(const QSqlDatabase &database, const QString &attachmentsDir, const QList<qint64> &ids,
               QHash<qint64, StoredText> *texts, QStringList *missing, QString *error)
{
    const QString list = idList(ids);
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT %1 FROM messages WHERE id IN (%2)"_s.arg(QLatin1String(kTextColumns), list))) {
        *error = Database::describe(query.lastError());
        return false;
    }
    QHash<qint64, QList<ContentPart>> parts = readAttachments(database, list, attachmentsDir, missing);
    while (query.next()) {
        StoredText text = readText(query, 0);
        text.text.parts = parts.take(text.text.id);
        texts->insert(text.text.id, std::move(text));
    }
    return true;
}

} // namespace

// Tells the store's thread that the reader has texts for it.
class ReaderPoke final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

signals:
    void ready();
};

// A thread with its own read connection. Requests queue up; the thread takes all that wait and
// reads them in as few queries as it can. Work and results pass under one std::mutex (which
// ThreadSanitizer sees); the UI thread is only poked to collect them.
struct ConversationStore::Reader
{
    struct Request
    {
        qint64 conversationId = 0;
        quint64 generation = 0;
        QList<qint64> ids;
    };
    struct Result
    {
        Request request;
        QHash<qint64, StoredText> texts;
        QStringList missing;
        QString error;
    };
    // Any other read: it runs here and returns what the UI thread then does with what it read.
    using Task = std::function<std::function<void()>(const QSqlDatabase &database, const QString &openError)>;
    static constexpr qsizetype kMaxIdsPerQuery = 400;

    QString path;
    QString attachmentsDir;
    QString connection = u"moonpane-text-%1"_s.arg(reinterpret_cast<quintptr>(this), 0, 16);
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Request> pending; // guarded by `mutex`
    std::vector<Result> results; // guarded by `mutex`
    std::deque<Task> tasks; // guarded by `mutex`
    std::vector<std::function<void()>> applies; // what the tasks found (guarded by `mutex`)
    bool stopping = false; // guarded by `mutex`
    std::function<void()> poke;
    std::thread thread;

    Reader(const QString &databasePath, std::function<void()> resultsReady)
        : path(databasePath)
        , attachmentsDir(Database::attachmentsDir(databasePath))
        , poke(std::move(resultsReady))
        , thread([this] { run(); })
    {
    }
    ~Reader()
    {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        thread.join();
    }
    void ask(Request request)
    {
        {
            std::lock_guard lock(mutex);
            pending.push_back(std::move(request));
        }
        wake.notify_all();
    }
    void post(Task task)
    {
        {
            std::lock_guard lock(mutex);
            tasks.push_back(std::move(task));
        }
        wake.notify_all();
    }
    // What waits, with requests for the same messages read together (up to kMaxIdsPerQuery ids).
    static std::vector<Request> merged(std::deque<Request> &queue)
    {
        std::vector<Request> batches;
        while (!queue.empty()) {
            Request next = std::move(queue.front());
            queue.pop_front();
            if (!batches.empty() && batches.back().conversationId == next.conversationId
                && batches.back().generation == next.generation
                && batches.back().ids.size() + next.ids.size() <= kMaxIdsPerQuery)
                batches.back().ids += next.ids;
            else
                batches.push_back(std::move(next));
        }
        return batches;
    }
    void run()
    {
        QSqlDatabase database;
        QString openError;
        std::unique_lock lock(mutex);
        for (;;) {
            wake.wait(lock, [this] { return !pending.empty() || !tasks.empty() || stopping; });
            if (stopping)
                break;
            std::vector<Request> batches = merged(pending);
            std::deque<Task> work;
            work.swap(tasks);
            lock.unlock();
            if (!database.isValid()) {
                database = Database::open(path, connection, &openError);
                if (!database.isValid()) {
                    database = QSqlDatabase();
                    QSqlDatabase::removeDatabase(connection); // tried again next time
                }
            }
            std::vector<Result> done;
            for (Request &request : batches) {
                Result result;
                result.request = std::move(request);
                if (!database.isValid())
                    result.error = openError;
                else
                    readTexts(database, attachmentsDir, result.request.ids, &result.texts, &result.missing,
                              &result.error);
                done.push_back(std::move(result));
            }
            std::vector<std::function<void()>> found;
            for (Task &task : work)
                found.push_back(task(database, openError));
            lock.lock();
            if (stopping)
                break;
            for (Result &result : done)
                results.push_back(std::move(result));
            for (std::function<void()> &apply : found)
                applies.push_back(std::move(apply));
            poke();
        }
        lock.unlock();
        if (database.isValid()) {
            database.close();
            database = QSqlDatabase();
            QSqlDatabase::removeDatabase(connection);
        }
    }
};

void ConversationStore::ReaderDeleter::operator()(Reader *reader) const
{
    delete reader;
}

void ConversationStore::loadText(Conversation &conversation, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return;
    QHash<qint64, StoredText> texts;
    QStringList missing;
    QString error;
    if (!readTexts(reader(), Database::attachmentsDir(m_path), ids, &texts, &missing, &error)) {
        fail(tr("Cannot read messages from %1: %2").arg(m_path, error));
        return;
    }
    for (qint64 id : ids) {
        // A row that vanished (deleted elsewhere) stays an empty message rather than loading forever.
        conversation.setText(id, [&](Message &m) {
            if (auto it = texts.find(id); it != texts.end())
                applyText(m, std::move(*it));
        });
    }
    reportMissing(missing);
}

ConversationStore::Reader &ConversationStore::backgroundReader()
{
    if (!m_reader) {
        // As for the searcher: the poke is a signal queued to this thread, connected once; the
        // store stops the thread before it goes, so no poke finds it gone.
        auto *poke = new ReaderPoke(this);
        connect(poke, &ReaderPoke::ready, this, &ConversationStore::collectText, Qt::QueuedConnection);
        m_reader.reset(new Reader(m_path, [poke] { emit poke->ready(); }));
    }
    return *m_reader;
}

void ConversationStore::loadTextLater(Conversation &conversation, const QList<qint64> &ids)
{
    if (!m_writer || ids.isEmpty())
        return;
    backgroundReader().ask({conversation.id, conversation.generation(), ids});
}

void ConversationStore::refreshLater()
{
    if (!m_writer)
        return;
    if (m_refreshing) {
        m_refreshAgain = true; // once this one is back: the file changed again meanwhile
        return;
    }
    m_refreshing = true;
    const qint64 committed = m_writer->committed();
    backgroundReader().post([this, committed](const QSqlDatabase &database, const QString &openError) {
        auto listing = std::make_shared<Listing>();
        if (database.isValid())
            *listing = readListing(database);
        else
            listing->error = openError;
        return [this, listing, committed] {
            m_refreshing = false;
            applyListing(std::move(*listing), committed, true);
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refreshLater();
            }
        };
    });
}

void ConversationStore::loadLater(Conversation *conversation)
{
    const qint64 id = conversation->id;
    if (!m_writer || m_loaded.contains(id) || m_opening.contains(id))
        return;
    m_opening.insert(id, 0);
    conversation->setLoading([this, conversation] { load(conversation); });
    backgroundReader().post([this, id, check = streamCheck()](const QSqlDatabase &database, const QString &) {
        const bool connected = database.isValid();
        auto outline = std::make_shared<Outline>();
        if (connected)
            *outline = readOutline(database, id, check);
        return [this, id, connected, outline] {
            const auto opening = m_opening.constFind(id);
            if (opening == m_opening.cend())
                return; // read at once meanwhile (finishLoading), or deleted
            const qint64 seen = opening.value();
            m_opening.erase(opening);
            Conversation *c = find(id);
            if (!c)
                return;
            if (!connected) {
                load(c); // the thread's connection did not open: read here, as before
            } else {
                m_loaded.insert(id);
                const qint64 revision = outline->revision;
                applyOutline(c, std::move(*outline));
                attach(c);
                if (seen > revision)
                    reloadLater(c); // another process changed it after it was read
                c->readPathLater(); // for the next send, while the user reads
            }
            emit opened(id);
        };
    });
}

void ConversationStore::reloadLater(Conversation *conversation)
{
    const qint64 id = conversation->id;
    if (m_reloading.contains(id))
        return;
    m_reloading.insert(id);
    // What this process still has to write goes first; the read waits for it on the reader
    // thread, not here.
    writePendingText();
    const qint64 written = m_writer->posted();
    StoreWriter *writer = m_writer.get();
    backgroundReader().post(
        [this, id, written, writer, check = streamCheck()](const QSqlDatabase &database, const QString &) {
            writer->waitFor(written);
            const bool opened = database.isValid();
            auto outline = std::make_shared<Outline>();
            if (opened)
                *outline = readOutline(database, id, check);
            return [this, id, written, opened, outline] {
                m_reloading.remove(id);
                Conversation *c = find(id);
                if (!c || !m_loaded.contains(id))
                    return;
                // Nothing read (the thread's connection did not open) is not "no messages".
                if (!opened || m_writer->posted() != written || !m_pending.isEmpty()
                    || !m_pendingToolCalls.isEmpty()) {
                    // This process changed something since the read began (it is busy with this
                    // conversation or another): what was read may lack it. Read again now, after
                    // what it wrote, as before.
                    reload(c);
                    return;
                }
                applyReload(c, std::move(*outline));
            };
        });
}

void ConversationStore::checkForeignStreams()
{
    if (m_foreignStreams.isEmpty() || !m_writer) {
        m_foreignTimer.stop();
        return;
    }
    if (m_checkingForeign)
        return; // the last check is still on the reader thread
    m_checkingForeign = true;
    // The query and the lock files are looked at on the reader thread; what it found is applied
    // here, to the replies still thought foreign by then.
    const QList<qint64> ids = m_foreignStreams.keys();
    backgroundReader().post([this, ids, check = streamCheck()](const QSqlDatabase &database,
                                                               const QString &) {
        struct Found
        {
            bool read = false;
            QSet<qint64> over; // finished (refresh reads the result) or gone
            QSet<qint64> dead; // still "streaming", their writer gone
        };
        auto found = std::make_shared<Found>();
        if (database.isValid()) {
            QSqlQuery query(database);
            query.setForwardOnly(true);
            found->read =
                query.exec(u"SELECT id, state, updated_at, stream_owner FROM messages WHERE id IN (%1)"_s.arg(
                    idList(ids)));
            found->over = QSet<qint64>(ids.cbegin(), ids.cend());
            QHash<QString, bool> owners;
            while (found->read && query.next()) {
                const qint64 id = query.value(0).toLongLong();
                if (query.value(1).toString() != "streaming"_L1)
                    continue;
                found->over.remove(id);
                if (!streamAlive(check, query.value(3).toString(), query.value(2).toLongLong(), &owners))
                    found->dead.insert(id);
            }
        }
        return [this, found] {
            m_checkingForeign = false;
            if (!found->read)
                return; // tried again on the next tick
            for (qint64 id : std::as_const(found->over))
                m_foreignStreams.remove(id);
            for (qint64 id : std::as_const(found->dead)) {
                // Unless this process heard of its end meanwhile.
                if (const qint64 conversationId = m_foreignStreams.take(id)) {
                    if (Conversation *c = find(conversationId))
                        c->update(id, MessageField::State,
                                  [](Message &m) { m.state = MessageState::Incomplete; });
                }
            }
            if (m_foreignStreams.isEmpty())
                m_foreignTimer.stop();
        };
    });
}

void ConversationStore::collectText()
{
    if (!m_reader)
        return;
    std::vector<Reader::Result> results;
    std::vector<std::function<void()>> applies;
    {
        std::lock_guard lock(m_reader->mutex);
        results.swap(m_reader->results);
        applies.swap(m_reader->applies);
    }
    QStringList missing;
    QSet<QString> errors;
    for (Reader::Result &result : results) {
        Conversation *conversation = find(result.request.conversationId);
        if (!conversation || !m_loaded.contains(conversation->id))
            continue; // deleted, or unloaded, since it asked
        if (!result.error.isEmpty()) {
            // The rows stay placeholders (asked for, so no view asks again and again); a reload
            // of the conversation asks anew.
            if (!errors.contains(result.error))
                fail(tr("Cannot read messages from %1: %2").arg(m_path, result.error));
            errors.insert(result.error);
            continue;
        }
        missing += result.missing;
        conversation->textArrived(result.request.generation, result.request.ids, [&](qint64 id, Message &m) {
            if (auto it = result.texts.find(id); it != result.texts.end())
                applyText(m, std::move(*it));
        });
    }
    reportMissing(missing);
    for (const std::function<void()> &apply : applies)
        apply();
}

void ConversationStore::reportMissing(const QStringList &missing)
{
    if (!missing.isEmpty())
        fail(tr("Attachment files are missing: %1. The messages are shown without them.")
                 .arg(missing.join(u", "_s)));
}

} // namespace moonpane

#include "ConversationStoreReader.moc"
