#include "AttachmentModel.h"

#include "MediaFormats.h"
#include "ThumbnailCache.h"
#include "WorkerThread.h"
#include "conversation/ConversationLibrary.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QMimeData>
#include <QMimeDatabase>
#include <QTemporaryDir>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace moonpane {

AttachmentModel::AttachmentModel(ConversationLibrary *library, ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent)
    , m_library(library)
    , m_thumbnails(thumbnails)
    , m_worker(new WorkerThread(this))
{
    qRegisterMetaType<moonpane::MediaRef>();
    connect(m_thumbnails, &ThumbnailCache::ready, this, &AttachmentModel::onThumbnail);
    connect(m_library, &ConversationLibrary::removed, this, [this](qint64 id) {
        if (m_conversation && m_conversation->id == id)
            setConversation(nullptr);
    });
    connect(m_worker, &WorkerThread::idle, this, [this] {
        if (m_imports.isEmpty())
            emit idle();
    });
}

AttachmentModel::~AttachmentModel() = default;

void AttachmentModel::setMediaDir(const QString &dir)
{
    m_mediaDir = dir;
}

QString AttachmentModel::mediaDir() const
{
    if (!m_mediaDir.isEmpty())
        return m_mediaDir;
    if (!m_temporary)
        m_temporary = std::make_unique<QTemporaryDir>();
    return m_temporary->isValid() ? m_temporary->path() : QString();
}

void AttachmentModel::setConversation(Conversation *conversation)
{
    if (conversation == m_conversation)
        return;
    beginResetModel();
    m_conversation = conversation;
    endResetModel();
    emit draftChanged();
}

QList<AttachmentModel::Import> AttachmentModel::importsHere() const
{
    QList<Import> here;
    for (const Import &import : m_imports) {
        if (m_conversation && import.conversationId == m_conversation->id)
            here.append(import);
    }
    return here;
}

int AttachmentModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_conversation)
        return 0;
    return static_cast<int>(m_conversation->draftMedia.size() + importsHere().size());
}

QHash<int, QByteArray> AttachmentModel::roleNames() const
{
    return {
        {Qt::DisplayRole, "display"},
        {int(Roles::Name), "name"},
        {int(Roles::IsVideo), "isVideo"},
        {int(Roles::Bytes), "bytes"},
        {int(Roles::OriginalBytes), "originalBytes"},
        {int(Roles::Pixels), "pixels"},
        {int(Roles::DurationMs), "durationMs"},
        {int(Roles::Thumbnail), "thumbnail"},
        {int(Roles::Importing), "importing"},
        {int(Roles::HasPrepared), "hasPrepared"},
        {int(Roles::SendOriginal), "sendOriginal"},
        {int(Roles::Media), "media"},
    };
}

QVariant AttachmentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || !m_conversation)
        return {};
    const qsizetype drafts = m_conversation->draftMedia.size();
    if (index.row() >= drafts) {
        const Import import = importsHere().value(index.row() - drafts);
        switch (role) {
        case Qt::DisplayRole:
        case int(Roles::Name):
            return import.name;
        case int(Roles::IsVideo):
            return import.video;
        case int(Roles::Importing):
            return true;
        case int(Roles::Thumbnail): {
            // Made from the file itself while it is copied in: the picture shows at once.
            if (import.source.isEmpty())
                return QImage();
            MediaRef source;
            source.path = import.source;
            source.mimeType = import.video ? u"video/*"_s : u"image/*"_s;
            return m_thumbnails->thumbnail(source);
        }
        case int(Roles::DurationMs):
        case int(Roles::Bytes):
        case int(Roles::OriginalBytes):
            return qint64(-1);
        default:
            return {};
        }
    }
    const AttachedMedia &media = m_conversation->draftMedia.at(index.row());
    const MediaRef &sent = media.sent();
    switch (role) {
    case Qt::DisplayRole:
    case int(Roles::Name):
        return media.original.name;
    case int(Roles::IsVideo):
        return media.original.isVideo();
    case int(Roles::Bytes):
        return sent.bytes;
    case int(Roles::OriginalBytes):
        return media.original.bytes;
    case int(Roles::Pixels):
        return QSize(sent.width, sent.height);
    case int(Roles::DurationMs):
        return media.original.durationMs;
    case int(Roles::Thumbnail):
        return m_thumbnails->thumbnail(sent);
    case int(Roles::Importing):
        return false;
    case int(Roles::HasPrepared):
        return !media.prepared.isNull();
    case int(Roles::SendOriginal):
        return media.sendOriginal;
    case int(Roles::Media):
        return QVariant::fromValue(sent);
    default:
        return {};
    }
}

void AttachmentModel::startImport(const QString &name, bool video,
                                  std::function<ImportedMedia(const ImportOptions &)> work,
                                  const QString &source)
{
    if (!m_conversation)
        return;
    if (m_imports.isEmpty())
        emit batchStarted();
    Import import;
    import.id = m_nextImport++;
    import.conversationId = m_conversation->id;
    import.name = name;
    import.video = video;
    import.source = source;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_imports.append(import);
    endInsertRows();
    ImportOptions options;
    options.mediaDir = mediaDir();
    options.maxImageEdge = m_maxImageEdge;
    options.maxUploadBytes = m_filesApi == FilesApi::Available ? kMaxUploadBytes : 0;
    options.uploadsUnknown = m_filesApi == FilesApi::Unknown;
    options.cancelled = &m_worker->cancelled();
    m_worker->post([this, id = import.id, options, work = std::move(work)]() -> WorkerThread::Then {
        ImportedMedia result = work(options);
        return [this, id, result] { finishImport(id, result); };
    });
}

void AttachmentModel::attachFiles(const QStringList &paths)
{
    for (const QString &path : paths) {
        const QFileInfo info(path);
        const QString name = info.fileName();
        // A guess from the name, for the chip shown while it imports; the content decides.
        const QString guess = QMimeDatabase().mimeTypeForFile(info, QMimeDatabase::MatchExtension).name();
        const bool video = MediaFormats::classify(guess).handling == MediaFormats::Handling::Video;
        // Only a regular file (a FIFO would block whoever reads it) with a name that says media
        // gets a thumbnail before its content is checked.
        const bool media = video || MediaFormats::classify(guess).handling != MediaFormats::Handling::Refused;
        startImport(
            name, video,
            [path, name](const ImportOptions &options) {
                return MediaImporter::importFile(path, options, name);
            },
            media && info.isFile() ? info.absoluteFilePath() : QString());
    }
}

void AttachmentModel::attachImage(const QImage &image)
{
    const QString name = tr("Pasted image %1").arg(++m_pastes);
    startImport(name, false, [image, name](const ImportOptions &options) {
        return MediaImporter::importImage(image, name, options);
    });
}

void AttachmentModel::attachData(const QByteArray &bytes, const QString &name)
{
    const QString shown = name.isEmpty() ? tr("Pasted image %1").arg(++m_pastes) : name;
    startImport(shown, false, [bytes, shown](const ImportOptions &options) {
        return MediaImporter::importData(bytes, shown, options);
    });
}

void AttachmentModel::listFolder(const QString &path)
{
    m_worker->post([this, path]() -> WorkerThread::Then {
        QStringList files;
        int others = 0;
        QDirIterator it(path, QDir::Files | QDir::Readable);
        while (it.hasNext()) {
            const QFileInfo file(it.next());
            if (MediaFormats::knownSuffixes().contains(file.suffix().toLower()))
                files.append(file.filePath());
            else
                ++others;
        }
        files.sort(Qt::CaseInsensitive);
        return [this, path, files, others] { emit folderListed(path, files, others); };
    });
}

namespace {

// Pictures on the clipboard or in a drop, as their bytes, in the order they are best taken.
const char *const kPictureFormats[] = {"image/png", "image/jpeg", "image/webp",
                                       "image/gif", "image/bmp",  "image/tiff"};

void localPaths(const QMimeData *mime, QStringList *files, QStringList *folders)
{
    if (!mime || !mime->hasUrls())
        return;
    for (const QUrl &url : mime->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        // Looking at what a path is: metadata only, nothing read.
        if (QFileInfo(path).isDir())
            folders->append(path);
        else
            files->append(path);
    }
}

bool hasPicture(const QMimeData *mime)
{
    if (!mime)
        return false;
    for (const char *format : kPictureFormats) {
        if (mime->hasFormat(QLatin1String(format)))
            return true;
    }
    return mime->hasImage();
}

} // namespace

QString AttachmentModel::describe(const QMimeData *mime)
{
    QStringList files;
    QStringList folders;
    localPaths(mime, &files, &folders);
    if (files.isEmpty() && folders.isEmpty())
        return hasPicture(mime) ? tr("Attach the picture") : QString();
    if (folders.isEmpty())
        return files.size() == 1 ? tr("Attach %1").arg(QFileInfo(files.constFirst()).fileName())
                                 : tr("Attach %1 files").arg(files.size());
    if (files.isEmpty() && folders.size() == 1)
        return tr("Attach the images and videos in %1").arg(QFileInfo(folders.constFirst()).fileName());
    return tr("Attach %n files and the images and videos of %1 folders", nullptr,
              static_cast<int>(files.size()))
        .arg(folders.size());
}

bool AttachmentModel::attach(const QMimeData *mime)
{
    QStringList files;
    QStringList folders;
    localPaths(mime, &files, &folders);
    if (!files.isEmpty() || !folders.isEmpty()) {
        for (const QString &folder : std::as_const(folders))
            listFolder(folder);
        attachFiles(files);
        return true;
    }
    if (!hasPicture(mime))
        return false;
    for (const char *format : kPictureFormats) {
        if (mime->hasFormat(QLatin1String(format))) {
            attachData(mime->data(QLatin1String(format)), {});
            return true;
        }
    }
    attachImage(qvariant_cast<QImage>(mime->imageData()));
    return true;
}

void AttachmentModel::finishImport(int id, const ImportedMedia &result)
{
    const auto it =
        std::find_if(m_imports.begin(), m_imports.end(), [id](const Import &i) { return i.id == id; });
    if (it == m_imports.end())
        return;
    const Import import = *it;
    const bool here = m_conversation && import.conversationId == m_conversation->id;
    if (here) {
        const QList<Import> shown = importsHere();
        const auto at =
            std::find_if(shown.cbegin(), shown.cend(), [id](const Import &i) { return i.id == id; });
        const int row = static_cast<int>(m_conversation->draftMedia.size() + (at - shown.cbegin()));
        beginRemoveRows({}, row, row);
        m_imports.erase(it);
        endRemoveRows();
    } else {
        m_imports.erase(it);
    }
    if (!import.source.isEmpty() && result.ok())
        m_thumbnails->alias(import.source, result.media.sent().hash);
    if (!result.ok()) {
        emit refused({result.error});
    } else if (Conversation *c = m_library->find(import.conversationId)) {
        if (here) {
            const int row = static_cast<int>(c->draftMedia.size());
            beginInsertRows({}, row, row);
            c->draftMedia.append(result.media);
            endInsertRows();
            saved();
        } else {
            c->draftMedia.append(result.media);
            m_library->metaChanged(c);
        }
    }
    if (m_imports.isEmpty() && m_worker->pending() == 0)
        emit idle();
}

void AttachmentModel::onThumbnail(const QString &hash)
{
    if (!m_conversation)
        return;
    bool learned = false;
    for (int row = 0; row < m_conversation->draftMedia.size(); ++row) {
        AttachedMedia &media = m_conversation->draftMedia[row];
        if (media.sent().hash != hash && media.original.hash != hash)
            continue;
        if (media.original.isVideo()) {
            // A video's length and size come with its first frame.
            if (const auto info = m_thumbnails->videoInfo(hash); info && media.original.width == 0) {
                media.original.durationMs = info->durationMs;
                media.original.width = info->size.width();
                media.original.height = info->size.height();
                learned = true;
            }
        }
        emit dataChanged(index(row), index(row));
    }
    const QList<Import> imports = importsHere();
    for (int i = 0; i < imports.size(); ++i) {
        if (imports.at(i).source == hash) { // a thumbnail made from a file still being copied in
            const int row = static_cast<int>(m_conversation->draftMedia.size()) + i;
            emit dataChanged(index(row), index(row));
        }
    }
    if (learned)
        m_library->metaChanged(m_conversation);
}

void AttachmentModel::saved()
{
    if (m_conversation)
        m_library->metaChanged(m_conversation);
    emit draftChanged();
}

void AttachmentModel::downscale(int pixels)
{
    if (!m_conversation)
        return;
    const qint64 conversationId = m_conversation->id;
    const QString dir = mediaDir();
    for (const AttachedMedia &media : std::as_const(m_conversation->draftMedia)) {
        if (media.original.isVideo())
            continue;
        m_worker->post(
            [this, conversationId, original = media.original, pixels, dir]() -> WorkerThread::Then {
                QString error;
                const MediaRef prepared = MediaImporter::prepareImage(original, pixels, true, dir, &error);
                return [this, conversationId, original, prepared, error] {
                    Conversation *c = m_library->find(conversationId);
                    if (!c)
                        return;
                    if (!error.isEmpty()) {
                        emit refused({error});
                        return;
                    }
                    for (int row = 0; row < c->draftMedia.size(); ++row) {
                        AttachedMedia &attached = c->draftMedia[row];
                        if (attached.original.hash != original.hash || prepared.isNull())
                            continue;
                        attached.prepared = prepared;
                        attached.sendOriginal = false;
                        if (c == m_conversation)
                            emit dataChanged(index(row), index(row));
                    }
                    if (c == m_conversation)
                        saved();
                    else
                        m_library->metaChanged(c);
                };
            });
    }
}

void AttachmentModel::remove(int row)
{
    if (!m_conversation || row < 0 || row >= m_conversation->draftMedia.size())
        return;
    beginRemoveRows({}, row, row);
    m_conversation->draftMedia.removeAt(row);
    endRemoveRows();
    saved();
}

void AttachmentModel::setSendOriginal(int row, bool original)
{
    if (!m_conversation || row < 0 || row >= m_conversation->draftMedia.size())
        return;
    AttachedMedia &media = m_conversation->draftMedia[row];
    if (media.sendOriginal == original || media.prepared.isNull())
        return;
    media.sendOriginal = original;
    emit dataChanged(index(row), index(row));
    saved();
}

bool AttachmentModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                               const QModelIndex &destinationParent, int destinationChild)
{
    if (!m_conversation || sourceParent.isValid() || destinationParent.isValid() || count != 1)
        return false;
    QList<AttachedMedia> &media = m_conversation->draftMedia;
    const int size = static_cast<int>(media.size()); // imports on their way stay at the end
    if (sourceRow < 0 || sourceRow >= size || destinationChild < 0 || destinationChild > size
        || destinationChild == sourceRow || destinationChild == sourceRow + 1)
        return false;
    if (!beginMoveRows({}, sourceRow, sourceRow, {}, destinationChild))
        return false;
    media.move(sourceRow, destinationChild > sourceRow ? destinationChild - 1 : destinationChild);
    endMoveRows();
    saved();
    return true;
}

QList<ContentPart> AttachmentModel::parts() const
{
    QList<ContentPart> parts;
    if (!m_conversation)
        return parts;
    for (const AttachedMedia &media : m_conversation->draftMedia)
        parts.append(ContentPart::fromMedia(media.sent()));
    return parts;
}

void AttachmentModel::clearDraft()
{
    if (!m_conversation || m_conversation->draftMedia.isEmpty())
        return;
    const int count = static_cast<int>(m_conversation->draftMedia.size());
    beginRemoveRows({}, 0, count - 1);
    m_conversation->draftMedia.clear();
    endRemoveRows();
    saved();
}

int AttachmentModel::importing(bool all) const
{
    return static_cast<int>(all ? m_imports.size() : importsHere().size());
}

qint64 AttachmentModel::requestBytes() const
{
    qint64 bytes = 0;
    if (m_conversation) {
        for (const AttachedMedia &media : m_conversation->draftMedia)
            bytes += media.sent().dataUriSize();
    }
    return bytes;
}

} // namespace moonpane
