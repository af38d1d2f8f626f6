#include "PrivateFiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace moonpane::PrivateFiles {

bool makeDir(const QString &dir)
{
    if (!QDir().mkpath(dir))
        return false;
    return QFile::setPermissions(dir, kDirMode);
}

bool restrict(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists() || info.isSymLink())
        return true; // never follow a link to change what it points at
    return QFile::setPermissions(path, info.isDir() ? kDirMode : kFileMode);
}

bool write(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (open(&file) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    *error = file.errorString();
    return false;
}

bool open(QFileDevice *file, QIODevice::OpenMode mode)
{
    bool opened = false;
    if (auto *plain = qobject_cast<QFile *>(file))
        opened = plain->open(mode, kFileMode); // the mode applies when the file is created
    else
        opened = file->open(mode);
    if (!opened)
        return false;
    if (!file->setPermissions(kFileMode)) {
        file->close();
        if (auto *save = qobject_cast<QSaveFile *>(file))
            save->cancelWriting();
        return false;
    }
    return true;
}

void restrictDataDir(const QString &databasePath)
{
    const QFileInfo database(databasePath);
    const QDir dir = database.absoluteDir();
    restrict(dir.absolutePath());
    const QString name = database.fileName();
    // The database, its -wal, -shm and -journal, and the copies made before upgrades.
    for (const QFileInfo &file : dir.entryInfoList({name + u'*'}, QDir::Files | QDir::Hidden))
        restrict(file.absoluteFilePath());
    for (const QString &sub : {u"attachments"_s, u"streams"_s}) {
        const QString path = dir.filePath(sub);
        if (!QFileInfo(path).isDir() || QFileInfo(path).isSymLink())
            continue;
        restrict(path);
        QDirIterator files(path, QDir::Files | QDir::Hidden);
        while (files.hasNext())
            restrict(files.next());
    }
}

} // namespace moonpane::PrivateFiles
