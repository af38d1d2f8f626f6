// Database opens Moonpane's SQLite file: WAL mode (the app and the CLI read and write it at the
// same time), foreign keys on, and versioned migrations. Each migration runs in a transaction
// after a backup copy of the file is made; a file written by a newer Moonpane is refused with a
// clear message and never touched.
//
// Schema (PRAGMA user_version):
//   1  conversations, messages (a tree per conversation), content-addressed attachments
//   2  text_length on messages, and full-text search (FTS5, trigram: words and CJK alike)
//   3  tool definitions and per-tool policies
//   4  an index holding each conversation's outline (opening reads only the index)
#pragma once

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>

struct sqlite3;

namespace moonpane {

class Database final
{
    Q_DECLARE_TR_FUNCTIONS(Database)

public:
    static constexpr int kSchemaVersion = 7;

    // The database of this user: <AppDataLocation>/moonpane.db (follows XDG_DATA_HOME).
    static QString defaultPath();
    // Where attachment files of the database at `path` live (named by their SHA-256).
    static QString attachmentsDir(const QString &path);

    // Opens `path` as connection `name` (creating the file if needed) and migrates it up to
    // `version`. On failure returns an invalid database and says why in *error.
    static QSqlDatabase open(const QString &path, const QString &name, QString *error,
                             int version = kSchemaVersion);
    static int schemaVersion(const QSqlDatabase &database);
    // What went wrong, in SQLite's words ("database or disk is full"), without Qt's own
    // "Unable to fetch row" after it.
    static QString describe(const QSqlError &error);
    // Runs one SQL statement; on failure says why in *error (when given).
    static bool exec(QSqlDatabase &database, const QString &sql, QString *error = nullptr);
    // The SQLite connection under a Qt one (the same library: Qt's driver links the system SQLite),
    // for the few reads where QSqlQuery's cost per value matters.
    static sqlite3 *handle(const QSqlDatabase &database);
    // How many SQL statements this thread has started on connections opened here: a check that
    // the UI thread runs none while it paints (tests and moonpane-bench scroll).
    static quint64 statementsOnThisThread();
    // PRAGMA integrity_check: "ok", or what is wrong.
    static QString integrityCheck(const QSqlDatabase &database);

private:
    static void refuse(const QSqlDatabase &database, const QString &path, int version, QString *error);
    static bool migrate(QSqlDatabase &database, const QString &path, int target, QString *error);
};

} // namespace moonpane
