// One file going to the server's Files API (POST /v1/files, multipart: purpose and file), the way
// Moonshot's own client sends a video too large for a request: uploaded once, then referred to as
// ms://<id>. The file streams from disk as it is sent (RequestBodyDevice), never whole in memory.
// Ends with exactly one finished(); delete it with deleteLater().
//
// Not every server has the API (Anyfast lists none): ChatClient::probeFilesApi finds out first.
#pragma once

#include "ApiError.h"
#include "MediaRef.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace moonpane {

class FileUpload final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileUpload)

public:
    enum class Outcome { Running, Done, Failed, Cancelled };
    Q_ENUM(Outcome)

    // Starts at once. `request` carries the URL and the key (`secret`, masked in errors).
    FileUpload(QNetworkAccessManager *network, QNetworkRequest request, const MediaRef &media,
               const QString &purpose, std::chrono::milliseconds timeout, const QString &secret,
               QObject *parent = nullptr);
    // An upload refused before anything was sent: it finishes Failed with `error` once the event
    // loop runs.
    FileUpload(const MediaRef &media, const ApiError &error, QObject *parent = nullptr);
    ~FileUpload() override;

    Outcome outcome() const { return m_outcome; }
    const MediaRef &media() const { return m_media; }
    QString fileId() const { return m_fileId; } // when Done
    // What to put in a message: ms://<id>.
    QByteArray reference() const { return "ms://" + m_fileId.toUtf8(); }
    const ApiError &error() const { return m_error; }

    // The multipart body, its boundary given (for tests).
    static QByteArray multipartHead(const QByteArray &boundary, const QString &purpose,
                                    const MediaRef &media);

public slots:
    void cancel();

signals:
    void progressed(qint64 sent, qint64 total);
    void finished();

private:
    void onFinished();
    void finish(Outcome outcome, const ApiError &error = {});

    MediaRef m_media;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QString m_secret;
    QString m_fileId;
    ApiError m_error;
    Outcome m_outcome = Outcome::Running;
    bool m_cancelled = false;
    bool m_timedOut = false;
};

} // namespace moonpane
