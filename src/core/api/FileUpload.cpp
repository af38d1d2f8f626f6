#include "FileUpload.h"

#include "RequestBody.h"
#include "RequestBodyDevice.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// A file name as a quoted multipart parameter: quotes and line breaks could end it early.
QByteArray quotedName(const QString &name)
{
    QByteArray utf8 = name.isEmpty() ? QByteArrayLiteral("upload") : name.toUtf8();
    utf8.replace('"', '_').replace('\r', '_').replace('\n', '_').replace('\\', '_');
    return '"' + utf8 + '"';
}

} // namespace

QByteArray FileUpload::multipartHead(const QByteArray &boundary, const QString &purpose,
                                     const MediaRef &media)
{
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose.toUtf8()
        + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename="
        + quotedName(media.name) + "\r\nContent-Type: " + media.mimeType.toLatin1() + "\r\n\r\n";
}

FileUpload::FileUpload(QNetworkAccessManager *network, QNetworkRequest request, const MediaRef &media,
                       const QString &purpose, std::chrono::milliseconds timeout, const QString &secret,
                       QObject *parent)
    : QObject(parent)
    , m_media(media)
    , m_secret(secret)
{
    const QByteArray boundary = "moonpane-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    RequestBody body;
    body.appendText(multipartHead(boundary, purpose, media));
    body.appendMedia(media, RequestBody::Encoding::Raw);
    body.appendText("\r\n--" + boundary + "--\r\n");
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArray("multipart/form-data; boundary=" + boundary));
    request.setHeader(QNetworkRequest::ContentLengthHeader, body.size());
    request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    auto *device = new RequestBodyDevice(std::move(body));
    m_reply = network->post(request, device);
    device->setParent(m_reply);
    connect(device, &RequestBodyDevice::failed, this, [this](const QString &why) {
        finish(Outcome::Failed, ApiError::make(ApiError::Kind::Validation, why));
    });
    m_timer.setSingleShot(true);
    m_timer.setInterval(timeout);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        if (m_reply)
            m_reply->abort();
    });
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        m_timer.start(); // the server answers once it has it all: until then, bytes going out are progress
        emit progressed(sent, total);
    });
    connect(m_reply, &QNetworkReply::finished, this, &FileUpload::onFinished);
    m_timer.start();
}

FileUpload::FileUpload(const MediaRef &media, const ApiError &error, QObject *parent)
    : QObject(parent)
    , m_media(media)
{
    QMetaObject::invokeMethod(
        this, [this, error] { finish(Outcome::Failed, error); }, Qt::QueuedConnection);
}

FileUpload::~FileUpload()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void FileUpload::cancel()
{
    if (m_outcome != Outcome::Running || !m_reply)
        return;
    m_cancelled = true;
    m_reply->abort();
}

void FileUpload::onFinished()
{
    if (m_outcome != Outcome::Running || !m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = m_reply->read(1 << 20);
    if (m_cancelled)
        return finish(Outcome::Cancelled, ApiError::make(ApiError::Kind::Cancelled, tr("Stopped.")));
    if (m_timedOut)
        return finish(
            Outcome::Failed,
            ApiError::make(ApiError::Kind::Timeout,
                           tr("The upload of %1 stalled: the server took no data and gave no answer "
                              "for %2 s.")
                               .arg(m_media.name)
                               .arg(m_timer.interval() / 1000)));
    if (status == 0)
        return finish(
            Outcome::Failed,
            ApiError::make(ApiError::Kind::Transport,
                           tr("The upload of %1 failed: %2").arg(m_media.name, m_reply->errorString())));
    if (status < 200 || status >= 300) {
        ApiError error = ApiError::fromHttpResponse(
            status, m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(), body,
            m_reply->rawHeader("Retry-After"));
        return finish(Outcome::Failed, error);
    }
    const QJsonObject file = QJsonDocument::fromJson(body).object();
    m_fileId = file.value("id"_L1).toString();
    if (m_fileId.isEmpty())
        return finish(
            Outcome::Failed,
            ApiError::make(
                ApiError::Kind::Protocol,
                tr("The server took %1 but did not say which file it made (no \"id\").").arg(m_media.name)));
    finish(Outcome::Done);
}

void FileUpload::finish(Outcome outcome, const ApiError &error)
{
    if (m_outcome != Outcome::Running)
        return;
    m_outcome = outcome;
    m_error = error.redacted(m_secret);
    m_timer.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        if (m_reply->isRunning())
            m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    emit finished();
}

} // namespace moonpane
