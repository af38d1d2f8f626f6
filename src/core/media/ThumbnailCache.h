// Small pictures of media for the attachment strip and the conversation, made off the UI thread
// and never by decoding a whole file where a row is painted: an image is decoded at the size
// it is shown (JPEG decodes scaled), a video's first frame comes from VideoProbe. Kept in
// memory by the media's hash (bounded) and on disk in the cache folder, as PNG files that also
// remember a video's length and size, so a restart does not decode them again.
//
// thumbnail() answers at once: the picture, or nothing yet (ready() follows when it is made).
#pragma once

#include "api/MediaRef.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>

#include <optional>

namespace moonpane {

class VideoProbe;
class WorkerThread;

class ThumbnailCache final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThumbnailCache)

public:
    // Thumbnails fit a square of this many pixels (twice what the strip shows, for HiDPI).
    static constexpr int kEdge = 240;

    struct VideoInfo
    {
        qint64 durationMs = -1;
        QSize size;
    };

    // `diskDir`: where thumbnails are kept between runs (empty: memory only).
    explicit ThumbnailCache(const QString &diskDir, QObject *parent = nullptr);
    ~ThumbnailCache() override;

    // The thumbnail, or a null image while it is made (ready(hash) follows) or when the medium
    // cannot be shown (failed(hash) is then true).
    QImage thumbnail(const MediaRef &media);
    bool failed(const QString &hash) const { return m_failed.contains(hash); }
    // A video's length and size, once its thumbnail was made.
    std::optional<VideoInfo> videoInfo(const QString &hash) const;
    // A picture to look at (the preview): fitting `edge` pixels, made on the worker; previewReady
    // follows (a null image when it cannot be made).
    void requestPreview(const MediaRef &media, int edge);
    // Tasks still on their way (for tests and benchmarks).
    bool isBusy() const;
    // The thumbnail made (or being made) for `from` (a file being imported, by its path) is also
    // the one of `to` (the hash it was stored under), made once.
    void alias(const QString &from, const QString &to);

signals:
    void ready(const QString &hash);
    void previewReady(const QString &hash, const QImage &image);

private:
    void store(const QString &hash, const QImage &image);
    void probeVideo(const MediaRef &media);
    void ensureProbe();

    QString m_diskDir;
    WorkerThread *m_worker;
    VideoProbe *m_videos = nullptr; // made when the first video needs it
    QCache<QString, QImage> m_images; // cost: kilobytes
    QHash<QString, VideoInfo> m_videoInfo;
    QSet<QString> m_requested;
    QSet<QString> m_failed;
    QHash<QString, QString> m_aliases; // from → to, until `from` is made
    int m_probing = 0;
};

} // namespace moonpane
