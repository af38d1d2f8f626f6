// Rows of the conversation database and the Moonpane values they hold: reading a conversation,
// a message stub or its text, binding a message's columns, writing media, and the write jobs
// that more than one part of the store posts. Internal to the storage layer: ConversationStore
// and its search, archive and tools files share it.
#pragma once

#include "ConversationStore.h"
#include "Database.h"
#include "Exporter.h"
#include "StoreWriter.h"
#include "conversation/Conversation.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace moonpane::StoreRows {

// Columns of a message stub: enough to lay out the conversation and estimate heights.
constexpr auto kStubColumns =
    "id, parent_id, role, state, has_reasoning, text_length, updated_at, stream_owner";

// The rest, read when a message is shown or sent.
constexpr auto kTextColumns =
    "id, content, reasoning, tool_calls, usage, error, created_at, tool_call_id, name, "
    "finish_reason, model, thinking_ms, first_token_ms, generation_ms";

constexpr int kStubCount = 8;

qint64 nowMs();

qint64 ms(const QDateTime &time);

QDateTime fromMs(const QVariant &value);

// A conversation's own columns, in the order recordFrom() reads them.
inline const QString kConversationColumns =
    u"id, title, created_at, updated_at, system_prompt, parameters, draft, auto_title"_s;
constexpr int kConversationColumnCount = 8;

std::optional<ChatParameters> parametersFrom(const QVariant &json);

ConversationRecord recordFrom(const QSqlQuery &query);

// A conversation as the library holds it before its messages are read.
std::unique_ptr<Conversation> conversationOf(const ConversationRecord &r);

std::unique_ptr<Conversation> conversationFrom(const QSqlQuery &query);

QVariant nullIfEmpty(const QString &text);

QVariant nullIfEmpty(const QByteArray &json);

// The parameters column: the conversation's own parameters as JSON, or NULL for the app's defaults.
QVariant parametersJson(const std::optional<ChatParameters> &parameters);

// Qt binds a null QString as SQL NULL; text columns want "".
// Text as it is stored and indexed: never NULL, and no NUL characters, which SQLite's text
// functions and the search index treat as the end of the text (what follows could not be
// found). Each becomes U+FFFD, so lengths and offsets stay as they are.
QString storedText(const QString &text);

QVariant optionalMs(qint64 value);

QString idList(const QList<qint64> &ids);

bool run(QSqlQuery &query, QString *error);

QByteArray usageJson(const Message &m);

QString kindName(ContentPart::Kind kind);

// A message's media: a file (of the media folder already, or copied there) or a data URI is
// kept as a file named by the SHA-256 of its bytes (written once) with a row in `attachments`;
// anything else (an ms:// reference) is kept as it is.
bool writeAttachments(QSqlDatabase &database, qint64 messageId, const QList<ContentPart> &parts,
                      const QString &dir, QString *error);
// The row of a file of the media folder (kept once per hash; what it says about the medium's
// pixels and length is filled in when first known).
bool insertMediaRow(QSqlDatabase &database, const MediaRef &media, QString *error);

// The columns that hold these fields of a message (State aside: the store writes it with its
// stream owner), with their values.
QList<std::pair<QString, QVariant>> fieldColumns(const Message &m, MessageFields fields);

bool insertMessage(QSqlDatabase &database, qint64 conversationId, const Message &m, qsizetype position,
                   const QString &attachmentsDir, const QString &streamOwner, QString *error);

bool insertConversation(QSqlDatabase &database, const ConversationRecord &c, QString *error);
// A draft's media, replacing what the conversation's draft held (with rows for its files).
bool writeDraftMedia(QSqlDatabase &database, qint64 conversationId, const QList<AttachedMedia> &media,
                     QString *error);
// Every draft's media, by conversation, as files of `dir`.
QHash<qint64, QList<AttachedMedia>> readDraftMedia(const QSqlDatabase &database, const QString &dir);

ConversationRecord metaOf(const Conversation &c);

// Media no longer referenced by any message: their rows go now, their files once that is
// committed (see removeOrphanFiles).
bool removeOrphanRows(QSqlDatabase &database, QStringList *hashes, QString *error);

// Runs in a later transaction than removeOrphanRows, holding the write lock, so a file is
// removed only if no process has referenced it again meanwhile.
StoreWriter::Job removeOrphanFiles(const QStringList &hashes, const QString &dir);

// Files in attachments/ that no row names (a crash between writing a file and committing its
// row, or a removal that never ran), removed when the store opens. Like removeOrphanFiles it
// runs holding the write lock, and writeAttachments writes a file only while holding it, so no
// other process can be between writing a file and committing its row meanwhile. Also puts the
// modes of the data folder right (PrivateFiles), off the UI thread.
StoreWriter::Job sweepDataDir(const QString &databasePath);

// Replies found, or left, "streaming" with no process writing them any more: incomplete now.
StoreWriter::Job markIncomplete(const QList<qint64> &ids);

// A stored role or state this version does not know: the message is shown, saying so.
void markDamaged(Message &m, const QString &what, const QString &value);

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
             qint64 textLength);

Message stubFromRow(const QSqlQuery &q);

// The text columns of a row (kTextColumns, from `at`) as a message that holds only them, and
// what of them is damaged. Read on any thread; applied to the stub on its own (applyText).
struct StoredText
{
    Message text;
    QStringList damaged;
};
StoredText readText(const QSqlQuery &q, int at);
// Puts read text (and text.parts) into a stub; damaged JSON is reported on the message instead
// of failing the whole read.
void applyText(Message &m, StoredText &&text);
// readText and applyText in one.
void fillText(Message &m, const QSqlQuery &q, int at);

// Media of the given messages, by message id: references to their stored files, never their bytes.
QHash<qint64, QList<ContentPart>> readAttachments(const QSqlDatabase &database, const QString &ids,
                                                  const QString &dir, QStringList *missing);

// All messages of a conversation, text included (exports).
QList<Message> readAllMessages(const QSqlDatabase &database, qint64 conversationId, const QString &dir,
                               QStringList *missing);

} // namespace moonpane::StoreRows
