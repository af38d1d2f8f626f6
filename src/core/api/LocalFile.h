// Reads a file named by the user (an attachment, a --history or --tools file) without trusting
// what it is: only a regular file is read (a FIFO would block forever, /dev/zero never ends),
// it is opened without blocking, and at most `limit` + 1 bytes are read, so an oversized file
// is refused without being loaded.
#pragma once

#include <QByteArray>
#include <QString>

class QFile;
class QIODevice;

namespace moonpane::LocalFile {

// Opens a file for reading the same way: a regular file only, opened without blocking. *size is
// its size as it was opened. On failure says why in *error, naming the file.
bool open(const QString &path, QFile *file, qint64 *size, QString *error);
// On success *out holds the whole file. On failure says why in *error, naming the file.
bool read(const QString &path, qint64 limit, QByteArray *out, QString *error);
// What `device` holds (standard input, say), if it is at most `limit` bytes: false once it
// has given one byte more, which is all that is ever read.
bool readUpTo(QIODevice *device, qint64 limit, QByteArray *out);

// "12.3 MB", the way limits are told to users.
QString megabytes(qint64 bytes);

} // namespace moonpane::LocalFile
