// What Moonpane keeps on disk is for its user alone: the history, its write-ahead log, media,
// lock files, traces and exports. Folders are made 0700 and files 0600 whatever the umask, and
// the modes of existing ones are put right when the store opens (an older Moonpane made them
// world-readable).
#pragma once

#include <QFileDevice>
#include <QString>

namespace moonpane::PrivateFiles {

constexpr QFileDevice::Permissions kFileMode =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser;
constexpr QFileDevice::Permissions kDirMode = kFileMode | QFileDevice::ExeOwner | QFileDevice::ExeUser;

// Makes `dir` (and what is missing above it) and gives `dir` itself mode 0700.
bool makeDir(const QString &dir);
// Gives an existing file mode 0600 (nothing if it does not exist).
bool restrict(const QString &path);
// Opens `file` for writing, created 0600 if new and set to 0600 if it existed. Works for a
// QSaveFile too (its temporary file gets the mode and keeps it when committed).
bool open(QFileDevice *file, QIODevice::OpenMode mode = QIODevice::WriteOnly);
// Writes `bytes` to `path` whole or not at all (QSaveFile), mode 0600. False, saying why, when it
// could not. Blocks on the disk: not for the UI thread.
bool write(const QString &path, const QByteArray &bytes, QString *error);
// The data folder of `databasePath` and everything Moonpane keeps in it: the folder, the
// database with its -wal and -shm, backups, attachments/ and streams/ with their files.
void restrictDataDir(const QString &databasePath);

} // namespace moonpane::PrivateFiles
