#include "MediaFolder.h"

#include "PrivateFiles.h"
#include "api/LocalFile.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUuid>

#include <utime.h>

using namespace Qt::StringLiterals;

namespace moonpane::MediaFolder {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MediaFolder", text);
}

QString incomingName(const QString &dir)
{
    return QDir(dir).filePath(QLatin1String(kIncomingPrefix) + QUuid::createUuid().toString(QUuid::Id128));
}

// `incoming`, complete, becomes the file named `hash`, or goes when the folder has those bytes
// already; either way the file's time says it was just wanted.
QString settle(const QString &dir, const QString &incoming, const QString &hash, QString *error)
{
    const QString path = QDir(dir).filePath(hash);
    if (QFileInfo::exists(path)) {
        QFile::remove(incoming);
        ::utime(QFile::encodeName(path).constData(), nullptr);
        return path;
    }
    if (!QFile::rename(incoming, path)) {
        QFile::remove(incoming);
        *error = tr("cannot write to the media folder %1").arg(dir);
        return {};
    }
    return path;
}

} // namespace

MediaRef storeBytes(const QByteArray &bytes, const QString &dir, QString *error)
{
    if (!PrivateFiles::makeDir(dir)) {
        *error = tr("cannot make the media folder %1").arg(dir);
        return {};
    }
    const QString incoming = incomingName(dir);
    QFile out(incoming);
    if (!PrivateFiles::open(&out) || out.write(bytes) != bytes.size() || !out.flush()) {
        *error = tr("cannot write to the media folder %1: %2").arg(dir, out.errorString());
        out.close();
        QFile::remove(incoming);
        return {};
    }
    out.close();
    MediaRef ref;
    ref.hash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    ref.path = settle(dir, incoming, ref.hash, error);
    if (ref.path.isEmpty())
        return {};
    ref.bytes = bytes.size();
    return ref;
}

MediaRef copyIn(QFile &file, const QString &path, const QString &dir, qint64 maxBytes,
                const std::atomic_bool *cancelled, QString *error)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QFile out;
    QString incoming;
    if (!dir.isEmpty()) {
        if (!PrivateFiles::makeDir(dir)) {
            *error = tr("cannot make the media folder %1").arg(dir);
            return {};
        }
        incoming = incomingName(dir);
        out.setFileName(incoming);
        if (!PrivateFiles::open(&out)) {
            *error = tr("cannot write to the media folder %1: %2").arg(dir, out.errorString());
            return {};
        }
    }
    const auto fail = [&](const QString &why) {
        *error = why;
        if (!incoming.isEmpty()) {
            out.close();
            QFile::remove(incoming);
        }
        return MediaRef {};
    };
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        if (cancelled && cancelled->load())
            return fail(tr("cancelled"));
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(tr("%1: cannot read it (%2)").arg(path, file.errorString()));
        if (n == 0)
            break;
        total += n;
        if (total > maxBytes)
            return fail(tr("%1 grew while it was read; attach it again once it is complete").arg(path));
        hash.addData(QByteArrayView(buffer.constData(), n));
        if (!incoming.isEmpty() && out.write(buffer.constData(), n) != n)
            return fail(tr("cannot write to the media folder %1: %2").arg(dir, out.errorString()));
    }
    MediaRef ref;
    ref.bytes = total;
    ref.hash = QString::fromLatin1(hash.result().toHex());
    if (incoming.isEmpty()) {
        ref.path = QFileInfo(path).absoluteFilePath();
        return ref;
    }
    if (!out.flush())
        return fail(tr("cannot write to the media folder %1: %2").arg(dir, out.errorString()));
    out.close();
    ref.path = settle(dir, incoming, ref.hash, error);
    return ref.path.isEmpty() ? MediaRef {} : ref;
}

MediaRef adopt(const MediaRef &media, const QString &dir, QString *error)
{
    MediaRef adopted = media;
    if (!media.hash.isEmpty()) {
        const QString path = QDir(dir).filePath(media.hash);
        if (QFileInfo(path).size() == media.bytes) {
            ::utime(QFile::encodeName(path).constData(), nullptr);
            adopted.path = path;
            return adopted;
        }
    }
    QFile file;
    qint64 size = 0;
    if (!LocalFile::open(media.path, &file, &size, error))
        return {};
    const MediaRef copied = copyIn(file, media.path, dir, std::max(media.bytes, size), nullptr, error);
    if (copied.isNull())
        return {};
    if (!media.hash.isEmpty() && copied.hash != media.hash) {
        *error = tr("%1 changed after it was attached; attach it again")
                     .arg(media.name.isEmpty() ? media.path : media.name);
        return {};
    }
    adopted.path = copied.path;
    adopted.hash = copied.hash;
    adopted.bytes = copied.bytes;
    return adopted;
}

} // namespace moonpane::MediaFolder
