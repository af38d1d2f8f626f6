// What a video is, from the video itself: its length, its size in pixels and its first frame,
// decoded by QtMultimedia's FFmpeg backend on a thread of its own (a QMediaPlayer there, with
// its own event loop), one video at a time. Needs a QGuiApplication.
//
// The FFmpeg backend is chosen unless QT_MEDIA_BACKEND says otherwise: Debian's GStreamer
// backend crashes where its plugins are missing.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>

#include <memory>

class QThread;

namespace moonpane {

class VideoProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VideoProbe)

public:
    struct Result
    {
        QString key; // as asked
        qint64 durationMs = -1; // -1: not known
        QSize size;
        QImage firstFrame; // null when no frame could be decoded
        QString error;
    };

    // How long one video may take before it is given up.
    static constexpr int kTimeoutMs = 8000;

    explicit VideoProbe(QObject *parent = nullptr);
    ~VideoProbe() override;

    // Probes the video at `path`; probed() says what it found, `key` telling which it was.
    void probe(const QString &key, const QString &path);

    // Selects the FFmpeg backend for QtMultimedia, unless the environment chose one; call before
    // QtMultimedia is first used.
    static void chooseBackend();

signals:
    void probed(const moonpane::VideoProbe::Result &result);

private:
    class Worker;
    QThread *m_thread;
    Worker *m_worker; // lives in m_thread
};

} // namespace moonpane

Q_DECLARE_METATYPE(moonpane::VideoProbe::Result)
