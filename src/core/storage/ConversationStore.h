// ConversationStore is the ConversationLibrary kept in the SQLite database (Database), shared by
// the app and the CLI, which may run at the same time:
//   - opening reads only the conversations' titles and times; a conversation's messages are
//     read when it is opened, as stubs (structure and sizes), and their text when they are
//     shown (on a reader thread: the view paints placeholders until it arrives) or sent;
//   - every change to a conversation (it is one of the conversation's observers) becomes a write
//     on the StoreWriter thread, of the columns that changed and no others; the UI thread never
//     waits on the disk;
//   - streamed text is written in batches, at most kFlushMs apart, by appending the new text,
//     so a crash or kill -9 loses at most that much of a reply; a reply found "streaming" whose
//     process is gone (its lock file is stale) is shown, and saved, as incomplete;
//   - attachments are stored once, as files named by their SHA-256 beside the database; a
//     message read back refers to its files (ContentPart::fromMedia), which are read only
//     when a request or an export is written;
//   - full-text search over content and, optionally, reasoning;
//   - conversations another process adds, changes or deletes follow when the file changes.
#pragma once

#include "ArchiveJob.h"
#include "Exporter.h"
#include "conversation/ConversationLibrary.h"

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QIODevice;
class QLockFile;
class QSqlDatabase;
class QSqlQuery;

namespace moonpane {

class StoreWriter;

struct SearchHit
{
    qint64 conversationId = 0;
    qint64 messageId = 0;
    QString title;
    Role role = Role::User;
    QString snippet; // the matches wrapped in kMatchStart ... kMatchEnd
    bool inReasoning = false; // the match is in the thinking, not the reply
    QDateTime createdAt;

    static constexpr char16_t kMatchStart = u'\uE000';
    static constexpr char16_t kMatchEnd = u'\uE001';

    using Range = std::pair<qsizetype, qsizetype>; // [start, end), in UTF-16 units
    // A marked snippet without its markers, and where the matches are in what is left.
    static QString unmark(const QString &marked, QList<Range> *matches = nullptr);
};

class ConversationStore final : public ConversationLibrary, public Conversation::Observer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationStore)

public:
    static constexpr int kFlushMs = 150; // streamed text reaches the disk this often (at most 250)
    // A "streaming" reply without an owner (see streamOwner) untouched this long was cut.
    static constexpr int kStaleStreamMs = 10'000;

    explicit ConversationStore(QObject *parent = nullptr);
    ~ConversationStore() override; // writes everything pending first

    // Opens the database at `path` (empty: Database::defaultPath()). With `followChanges`,
    // changes other processes make to the file show up here. On failure says why, and the
    // store stays empty and writes nothing.
    bool open(const QString &path, QString *error, bool followChanges = true);
    bool isOpen() const { return m_writer != nullptr; }
    QString path() const { return m_path; }
    // Files uploaded to a server's Files API (`endpoint`: its base URL), by the hash of their
    // bytes: what the file ids are, read when the store opened.
    QHash<QString, QString> uploads(const QString &endpoint) const { return m_uploads.value(endpoint); }
    // Keeps an upload for later runs (ChatClient::uploadRemembered).
    void rememberUpload(const QString &endpoint, const QString &hash, const QString &fileId);

    // Writes the streamed text held back so far, and waits until everything is committed.
    void flush();
    // Reads what other processes added, changed or deleted, now. (When the file changes, the
    // store reads it by itself, on its reader thread.)
    void refresh();

    // How many messages each conversation has (every branch counted), by conversation id.
    QHash<qint64, qint64> messageCounts();

    // Full-text search: messages holding every word (case-insensitive, anywhere in a word;
    // "quoted words" as one phrase), newest first (ids follow creation time). With
    // `includeReasoning` the thinking counts too. Words shorter than three characters are
    // matched by a scan, which can be slower.
    QList<SearchHit> search(const QString &query, bool includeReasoning, int limit = 50);
    // The same search on a thread of its own, for a UI that must not wait (a short word is found
    // by a scan). `done` gets the hits here, on this object's thread. A newer search interrupts
    // one still running; only the newest reports. A failure goes to storageFailed (and `done`
    // gets no hits).
    void searchInBackground(const QString &query, bool includeReasoning, int limit,
                            std::function<void(const QList<SearchHit> &hits)> done);

    // Conversations as JSON Lines (see Exporter), attachments inline: all of them, or `only` these.
    bool exportAll(QIODevice *device, QString *error, const QList<qint64> &only = {});
    // Imports every conversation of a JSON Lines file, or none: a malformed line is refused
    // with its number. Ids already in use get new ones. Returns how many were imported, or -1.
    int importAll(QIODevice *device, QString *error);
    // The same as jobs on a thread of their own (see ArchiveJob), writing or reading the file at
    // `path`: what is in the file once this process's pending writes are in. The store owns the
    // job (it goes when it has finished and is deleted, or with the store); null when not open.
    ArchiveJob *exportInBackground(const QString &path, const QList<qint64> &only = {});
    ArchiveJob *exportConversationInBackground(qint64 id, ExportFormat format, const QString &path);
    ArchiveJob *importInBackground(const QString &path);

signals:
    void storageFailed(const QString &message);
    // Another process changed a conversation whose messages are loaded: they were read again.
    void conversationReloaded(qint64 id);

protected:
    void created(Conversation *conversation) override;
    void saveMeta(Conversation *conversation) override;
    void load(Conversation *conversation) override;
    void loadLater(Conversation *conversation) override;
    void removeCommitted(qint64 id) override;

private:
    struct Shared;
    // What decides whether a reply found "streaming" still streams, for any thread to use.
    struct StreamCheck
    {
        QString databasePath;
        QString ownToken; // this process's (empty until it streams)
        QSet<qint64> ownStreams; // replies this process streams
    };
    // A conversation's messages as stubs, and its title, prompt and parameters, in one snapshot.
    struct Outline
    {
        qint64 conversationId = 0;
        bool found = false;
        QString title;
        QString systemPrompt;
        std::optional<ChatParameters> parameters;
        qint64 leaf = 0;
        qint64 revision = 0;
        QList<Message> stubs;
        QList<qint64> cut; // found streaming, their process gone: incomplete now
        QList<qint64> foreign; // streaming in another process that lives
        QString error;
    };
    // The conversations as stored (titles, times, revisions).
    struct Listing
    {
        struct Row
        {
            std::unique_ptr<Conversation> conversation;
            qint64 revision = 0;
        };
        std::vector<Row> rows;
        QString error;
    };
    struct PendingText
    {
        qint64 conversationId = 0;
        QString content;
        QString reasoning;
    };

    // Conversation::Observer
    void messageAdded(const Conversation &conversation, const Message &message) override;
    void textAppended(const Conversation &conversation, qint64 id, const QString &content,
                      const QString &reasoning) override;
    void toolCallAppended(const Conversation &conversation, qint64 id, int index,
                          const QString &arguments) override;
    void messageChanged(const Conversation &conversation, const Message &message,
                        MessageFields fields) override;
    void messagesRemoved(const Conversation &conversation, const QList<qint64> &removed,
                         const QList<qint64> &moved) override;
    void pathChanged(const Conversation &conversation) override;

    struct Searcher; // ConversationStoreSearch.cpp
    struct SearcherDeleter
    {
        void operator()(Searcher *searcher) const;
    };
    struct Reader; // ConversationStoreReader.cpp
    struct ReaderDeleter
    {
        void operator()(Reader *reader) const;
    };

    void collectSearch(); // a background search has a result
    void collectText(); // the reader thread has texts
    QSqlDatabase reader() const;
    void nameHits(QList<SearchHit> *hits) const; // fills in their conversations' titles
    void attach(Conversation *conversation);
    static Outline readOutline(const QSqlDatabase &database, qint64 id, const StreamCheck &check);
    void applyOutline(Conversation *conversation, Outline &&outline);
    StreamCheck streamCheck() const;
    void loadText(Conversation &conversation, const QList<qint64> &ids);
    void loadTextLater(Conversation &conversation, const QList<qint64> &ids);
    void reportMissing(const QStringList &missing);
    Reader &backgroundReader(); // started on first use
    static Listing readListing(const QSqlDatabase &database);
    // `committed`: the writer's count when the listing was read (what it may already hold).
    void applyListing(Listing &&listing, qint64 committed, bool inBackground);
    void refreshLater();
    void reload(Conversation *conversation);
    void reloadLater(Conversation *conversation);
    void applyReload(Conversation *conversation, Outline &&outline);
    void writePendingText();
    void checkForeignStreams();
    // The token this process writes into the replies it streams; its lock file, held while the
    // process lives, tells other processes that those replies are still coming.
    QString streamOwner();
    // Whether the process that wrote `owner` still runs (nullopt: cannot tell).
    static std::optional<bool> ownerAlive(const StreamCheck &check, const QString &owner);
    // Whether a reply found "streaming" is still being written by a live process.
    static bool streamAlive(const StreamCheck &check, const QString &owner, qint64 updatedAtMs,
                            QHash<QString, bool> *cache);
    void fail(const QString &message);
    QHash<qint64, QString> currentDrafts() const;
    QSet<qint64> inMemoryIds() const;
    void reportLeftOut(const QStringList &missing);
    ArchiveJob *startJob(ArchiveJob::Work work, std::function<void(ArchiveJob::Outcome &)> done);
    ArchiveJob *exportJob(const QString &path,
                          std::function<bool(const QSqlDatabase &, const QString &, QIODevice *, ArchiveJob &,
                                             ArchiveJob::Outcome &)>
                              write);

    QString m_path;
    QString m_connection;
    std::unique_ptr<StoreWriter> m_writer;
    std::unique_ptr<Searcher, SearcherDeleter> m_searcher; // started by the first background search
    QHash<QString, QHash<QString, QString>> m_uploads; // endpoint → hash → file id
    std::unique_ptr<Reader, ReaderDeleter> m_reader; // started by the first background read
    bool m_refreshing = false; // a listing is being read on the reader thread...
    bool m_refreshAgain = false; // ...and the file changed again since
    QSet<qint64> m_reloading; // conversations whose messages the reader thread reads again
    bool m_checkingForeign = false; // the reader thread looks at other processes' streams
    QList<ArchiveJob *> m_jobs; // exports and imports running (children of the store)
    std::shared_ptr<Shared> m_shared; // what the writer thread tells the UI thread
    QSet<qint64> m_loaded; // conversations whose messages are in memory
    // Conversations whose messages the reader thread reads to open them → the newest revision a
    // listing saw meanwhile (newer than what was read: it is read again once it is open).
    QHash<qint64, qint64> m_opening;
    QHash<qint64, PendingText> m_pending; // streamed text not yet handed to the writer, by message
    QHash<qint64, qint64> m_pendingToolCalls; // messages whose tool calls grew since: → conversation
    QSet<qint64> m_ownStreams; // replies this process is streaming
    QHash<qint64, qint64> m_foreignStreams; // replies another process streams: message → conversation
    QHash<qint64, qint64> m_unsaved; // conversations created here → the job that saves them
    QHash<qint64, qint64> m_deleting; // conversations deleted here → the job that deletes them
    QTimer m_flushTimer;
    QFileSystemWatcher m_watcher;
    QTimer m_refreshTimer;
    QTimer m_foreignTimer;
    QString m_streamToken;
    std::unique_ptr<QLockFile> m_streamLock;
};

} // namespace moonpane
