#include "ThumbnailCache.h"

#include "VideoProbe.h"
#include "WorkerThread.h"
#include "storage/PrivateFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kMemoryKilobytes = 48 * 1024; // about 200 thumbnails

// An image decoded at the size it will be shown (JPEG and others decode scaled), upright.
QImage decodeScaled(const QString &path, int edge)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize stored = reader.size();
    if (stored.isValid() && (stored.width() > edge || stored.height() > edge))
        reader.setScaledSize(stored.scaled(edge, edge, Qt::KeepAspectRatio));
    QImage image = reader.read();
    if (!image.isNull() && (image.width() > edge || image.height() > edge))
        image = image.scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

QImage fit(const QImage &image, int edge)
{
    if (image.isNull() || (image.width() <= edge && image.height() <= edge))
        return image;
    return image.scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

QString diskPath(const QString &dir, const QString &hash)
{
    return dir.isEmpty() || hash.isEmpty() ? QString() : QDir(dir).filePath(hash + u".png"_s);
}

void saveToDisk(const QString &path, QImage image, const ThumbnailCache::VideoInfo *video)
{
    if (path.isEmpty() || image.isNull())
        return;
    if (video) {
        image.setText(u"moonpane-duration-ms"_s, QString::number(video->durationMs));
        image.setText(u"moonpane-size"_s, u"%1x%2"_s.arg(video->size.width()).arg(video->size.height()));
    }
    PrivateFiles::makeDir(QFileInfo(path).absolutePath());
    const QString temporary = path + u".part"_s;
    QImageWriter writer(temporary, "png");
    if (writer.write(image))
        QFile::rename(temporary, path);
    else
        QFile::remove(temporary);
}

} // namespace

ThumbnailCache::ThumbnailCache(const QString &diskDir, QObject *parent)
    : QObject(parent)
    , m_diskDir(diskDir)
    , m_worker(new WorkerThread(this))
    , m_images(kMemoryKilobytes)
{
}

ThumbnailCache::~ThumbnailCache() = default;

bool ThumbnailCache::isBusy() const
{
    return m_worker->pending() > 0 || m_probing > 0;
}

std::optional<ThumbnailCache::VideoInfo> ThumbnailCache::videoInfo(const QString &hash) const
{
    const auto it = m_videoInfo.constFind(hash);
    return it == m_videoInfo.cend() ? std::nullopt : std::optional<VideoInfo>(*it);
}

void ThumbnailCache::store(const QString &hash, const QImage &image)
{
    m_requested.remove(hash);
    if (image.isNull()) {
        m_failed.insert(hash);
    } else {
        m_images.insert(hash, new QImage(image), std::max<qsizetype>(1, image.sizeInBytes() / 1024));
    }
    emit ready(hash);
    if (const QString to = m_aliases.take(hash); !to.isEmpty())
        alias(hash, to);
}

void ThumbnailCache::alias(const QString &from, const QString &to)
{
    if (from == to || m_images.contains(to))
        return;
    if (m_requested.contains(from)) {
        m_aliases.insert(from, to); // when it is made
        return;
    }
    const QImage *image = m_images.object(from);
    if (!image)
        return;
    const QImage copy = *image;
    const bool video = m_videoInfo.contains(from);
    const VideoInfo info = m_videoInfo.value(from);
    if (video)
        m_videoInfo.insert(to, info);
    m_images.insert(to, new QImage(copy), std::max<qsizetype>(1, copy.sizeInBytes() / 1024));
    m_worker->post([copy, video, info, disk = diskPath(m_diskDir, to)]() -> WorkerThread::Then {
        saveToDisk(disk, copy, video ? &info : nullptr);
        return {};
    });
    emit ready(to);
}

QImage ThumbnailCache::thumbnail(const MediaRef &media)
{
    const QString key = media.hash.isEmpty() ? media.path : media.hash;
    if (const QImage *image = m_images.object(key))
        return *image;
    if (m_failed.contains(key) || m_requested.contains(key) || media.isNull())
        return {};
    m_requested.insert(key);
    const QString disk = diskPath(m_diskDir, media.hash);
    m_worker->post([this, key, media, disk]() -> WorkerThread::Then {
        if (QFileInfo::exists(disk)) { // made in an earlier run
            QImage image(disk);
            if (!image.isNull()) {
                VideoInfo info;
                const bool video = media.isVideo();
                if (video) {
                    info.durationMs = image.text(u"moonpane-duration-ms"_s).toLongLong();
                    const QStringList size = image.text(u"moonpane-size"_s).split(u'x');
                    info.size = QSize(size.value(0).toInt(), size.value(1).toInt());
                }
                return [this, key, image, video, info] {
                    if (video)
                        m_videoInfo.insert(key, info);
                    store(key, image);
                };
            }
        }
        if (media.isVideo())
            return [this, media] { probeVideo(media); };
        const QImage image = decodeScaled(media.path, kEdge);
        saveToDisk(disk, image, nullptr);
        return [this, key, image] { store(key, image); };
    });
    return {};
}

void ThumbnailCache::probeVideo(const MediaRef &media)
{
    ensureProbe();
    ++m_probing;
    m_videos->probe(u"t:"_s + (media.hash.isEmpty() ? media.path : media.hash), media.path);
}

void ThumbnailCache::ensureProbe()
{
    if (!m_videos) {
        m_videos = new VideoProbe(this);
        connect(m_videos, &VideoProbe::probed, this, [this](const VideoProbe::Result &result) {
            // Keys: "t:<hash>" for a thumbnail, "p<edge>:<hash>" for a preview.
            const qsizetype colon = result.key.indexOf(u':');
            const QString kind = result.key.left(colon);
            const QString hash = result.key.mid(colon + 1);
            const QImage frame = result.firstFrame;
            const VideoInfo info {result.durationMs, result.size};
            m_worker->post(
                [this, kind, hash, frame, info, disk = diskPath(m_diskDir, hash)]() -> WorkerThread::Then {
                    if (kind != "t"_L1) {
                        const QImage preview = fit(frame, kind.mid(1).toInt());
                        return [this, hash, preview] {
                            --m_probing;
                            emit previewReady(hash, preview);
                        };
                    }
                    const QImage thumbnail = fit(frame, kEdge);
                    saveToDisk(disk, thumbnail, &info);
                    return [this, hash, thumbnail, info] {
                        --m_probing;
                        m_videoInfo.insert(hash, info);
                        store(hash, thumbnail);
                    };
                });
        });
    }
}

void ThumbnailCache::requestPreview(const MediaRef &media, int edge)
{
    const QString key = media.hash.isEmpty() ? media.path : media.hash;
    if (media.isVideo()) {
        ensureProbe();
        ++m_probing;
        m_videos->probe(u"p%1:"_s.arg(edge) + key, media.path);
        return;
    }
    m_worker->post([this, key, path = media.path, edge]() -> WorkerThread::Then {
        const QImage image = decodeScaled(path, edge);
        return [this, key, image] { emit previewReady(key, image); };
    });
}

} // namespace moonpane
