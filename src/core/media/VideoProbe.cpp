#include "VideoProbe.h"

#include <QCoreApplication>
#include <QMediaPlayer>
#include <QPointer>
#include <QQueue>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QVideoFrame>
#include <QVideoSink>

namespace moonpane {

// Lives in the probe's thread: one QMediaPlayer at a time, played until its first frame.
class VideoProbe::Worker final : public QObject
{
    Q_OBJECT

public:
    void enqueue(const QString &key, const QString &path)
    {
        m_queue.enqueue({key, path});
        if (!m_player)
            next();
    }

signals:
    void done(const moonpane::VideoProbe::Result &result);

private:
    void next()
    {
        if (m_queue.isEmpty())
            return;
        const auto [key, path] = m_queue.dequeue();
        m_result = Result {};
        m_result.key = key;
        m_player = new QMediaPlayer(this);
        m_sink = new QVideoSink(this);
        m_player->setVideoSink(m_sink);
        m_player->setAudioOutput(nullptr); // nothing is heard
        connect(m_player, &QMediaPlayer::errorOccurred, this,
                [this](QMediaPlayer::Error, const QString &message) { finish(message); });
        connect(m_player, &QMediaPlayer::mediaStatusChanged, this, [this](QMediaPlayer::MediaStatus status) {
            if (status == QMediaPlayer::InvalidMedia)
                finish(QCoreApplication::translate("VideoProbe", "the video cannot be decoded"));
            else if (status == QMediaPlayer::EndOfMedia)
                finish(QCoreApplication::translate("VideoProbe", "the video has no picture"));
        });
        connect(m_sink, &QVideoSink::videoFrameChanged, this, [this](const QVideoFrame &frame) {
            if (!m_player || !frame.isValid())
                return;
            m_result.firstFrame = frame.toImage();
            m_result.size = frame.size();
            finish({});
        });
        QTimer::singleShot(kTimeoutMs, m_player, [this] {
            finish(QCoreApplication::translate("VideoProbe", "the video took too long to decode"));
        });
        m_player->setSource(QUrl::fromLocalFile(path));
        m_player->play();
    }

    void finish(const QString &error)
    {
        if (!m_player)
            return;
        const qint64 duration = m_player->duration();
        m_result.durationMs = duration > 0 ? duration : -1;
        m_result.error = error;
        // Not stopped from within its own signals: it goes once they have returned.
        QMediaPlayer *player = std::exchange(m_player, nullptr);
        QVideoSink *sink = std::exchange(m_sink, nullptr);
        player->disconnect(this);
        sink->disconnect(this);
        QTimer::singleShot(0, this, [this, player, sink] {
            player->stop();
            player->deleteLater();
            sink->deleteLater();
            next();
        });
        emit done(m_result);
    }

    QQueue<std::pair<QString, QString>> m_queue;
    QPointer<QMediaPlayer> m_player;
    QPointer<QVideoSink> m_sink;
    Result m_result;
};

void VideoProbe::chooseBackend()
{
    if (!qEnvironmentVariableIsSet("QT_MEDIA_BACKEND"))
        qputenv("QT_MEDIA_BACKEND", "ffmpeg");
}

VideoProbe::VideoProbe(QObject *parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new Worker)
{
    chooseBackend();
    qRegisterMetaType<moonpane::VideoProbe::Result>();
    m_thread->setObjectName(QStringLiteral("moonpane-video-probe"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &Worker::done, this, &VideoProbe::probed, Qt::QueuedConnection);
    m_thread->start();
}

VideoProbe::~VideoProbe()
{
    m_thread->quit();
    m_thread->wait();
}

void VideoProbe::probe(const QString &key, const QString &path)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, key, path] { worker->enqueue(key, path); });
}

} // namespace moonpane

#include "VideoProbe.moc"
