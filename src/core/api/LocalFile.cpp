#include "LocalFile.h"

#include <QCoreApplication>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace moonpane::LocalFile {

QString megabytes(qint64 bytes)
{
    return u"%1 MB"_s.arg(static_cast<double>(bytes) / 1'000'000.0, 0, 'f', 1);
}

bool open(const QString &path, QFile *file, qint64 *size, QString *error)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int code = errno;
        *error = code == ENOENT ? QCoreApplication::translate("LocalFile", "%1: no such file").arg(path)
                                : QCoreApplication::translate("LocalFile", "%1: cannot read it (%2)")
                                      .arg(path, QString::fromLocal8Bit(std::strerror(code)));
        return false;
    }
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        *error = S_ISDIR(info.st_mode)
            ? QCoreApplication::translate("LocalFile", "%1: is a folder, not a file").arg(path)
            : QCoreApplication::translate("LocalFile",
                                          "%1: is not a regular file (a device, pipe or socket); give a file")
                  .arg(path);
        return false;
    }
    // Back to blocking reads: it is a regular file.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (!file->open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        *error = QCoreApplication::translate("LocalFile", "%1: cannot read it (%2)")
                     .arg(path, file->errorString());
        return false;
    }
    *size = info.st_size;
    return true;
}

bool read(const QString &path, qint64 limit, QByteArray *out, QString *error)
{
    QFile file;
    qint64 size = 0;
    if (!open(path, &file, &size, error))
        return false;
    if (size > limit) {
        *error = QCoreApplication::translate("LocalFile", "%1: %2 is too large (at most %3)")
                     .arg(path, megabytes(size), megabytes(limit));
        return false;
    }
    // The size may have changed since fstat: read one byte more than allowed to know.
    QByteArray bytes;
    const bool fits = readUpTo(&file, limit, &bytes);
    if (file.error() != QFileDevice::NoError) {
        *error =
            QCoreApplication::translate("LocalFile", "%1: cannot read it (%2)").arg(path, file.errorString());
        return false;
    }
    if (!fits) {
        *error = QCoreApplication::translate("LocalFile", "%1: it is too large (at most %2)")
                     .arg(path, megabytes(limit));
        return false;
    }
    *out = std::move(bytes);
    return true;
}

bool readUpTo(QIODevice *device, qint64 limit, QByteArray *out)
{
    QByteArray bytes;
    // In pieces, so that a pipe that ends early costs what it held, not the limit.
    while (bytes.size() <= limit) {
        const QByteArray piece = device->read(std::min<qint64>(1 << 20, limit + 1 - bytes.size()));
        if (piece.isEmpty())
            break;
        bytes += piece;
    }
    if (bytes.size() > limit)
        return false;
    *out = std::move(bytes);
    return true;
}

} // namespace moonpane::LocalFile
