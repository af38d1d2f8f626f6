#include "ChatCall.h"

#include "Redirect.h"
#include "RequestBodyDevice.h"

#include <QCoreApplication>
#include <QMetaEnum>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// A stream line or event this large is a broken server, not a reply.
constexpr std::size_t kMaxPendingStreamBytes = 64u << 20;
constexpr qsizetype kMaxJsonBodyBytes = 64 << 20;
constexpr qsizetype kMaxErrorBodyBytes = 1 << 20;
constexpr qint64 kReadBufferBytes = 4 << 20;

QString hostOf(const QNetworkReply *reply)
{
    return reply->url().host();
}

QString transportMessage(QNetworkReply *reply)
{
    const QString host = hostOf(reply);
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return QCoreApplication::translate("ChatCall", "Could not connect to %1: the connection was refused.")
            .arg(host);
    case QNetworkReply::HostNotFoundError:
        return QCoreApplication::translate("ChatCall", "Could not find the server %1.").arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return QCoreApplication::translate("ChatCall", "%1 closed the connection.").arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return QCoreApplication::translate("ChatCall", "The secure connection to %1 failed: %2")
            .arg(host, reply->errorString());
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return QCoreApplication::translate("ChatCall", "The proxy failed: %1").arg(reply->errorString());
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
        return QCoreApplication::translate("ChatCall", "The network is unavailable: %1")
            .arg(reply->errorString());
    default:
        return QCoreApplication::translate("ChatCall", "The request to %1 failed: %2")
            .arg(host, reply->errorString());
    }
}

WireObserver::Headers responseHeaders(const QNetworkReply *reply)
{
    WireObserver::Headers headers;
    for (const auto &pair : reply->rawHeaderPairs())
        headers.append(pair);
    return headers;
}

} // namespace

ChatCall::ChatCall(QNetworkAccessManager *network, const QNetworkRequest &request, RequestBody body,
                   const Limits &limits, const QString &secret, WireObserver *wire, WireObserver::Tag tag,
                   QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_request(request)
    , m_requestBody(std::move(body))
    , m_decoder(this)
    , m_wire(wire)
    , m_tag(tag)
    , m_secretBytes(secret.toUtf8())
    , m_limits(limits)
    , m_secret(secret)
{
    m_clock.start();
    m_decoder.assembler().setMaxBytes(static_cast<std::size_t>(std::max<qint64>(0, m_limits.maxReplyBytes)));
    if (m_wire) {
        m_decoder.setLineObserver([this](std::string_view line) {
            if (!m_wire)
                return;
            const std::string_view key(m_secretBytes.constData(), std::size_t(m_secretBytes.size()));
            if (key.empty() || line.find(key) == std::string_view::npos) {
                m_wire->lineReceived(line);
                return;
            }
            const QByteArray safe = masked(QByteArray(line.data(), qsizetype(line.size())));
            m_wire->lineReceived(std::string_view(safe.constData(), std::size_t(safe.size())));
        });
    }
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ChatCall::onTimeout);
    // Redirects are decided here (Redirect), never by Qt: its default follows them to any host.
    m_request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    post(m_request.url());
}

ChatCall::ChatCall(const ApiError &error, QObject *parent)
    : QObject(parent)
    , m_decoder(this)
{
    m_clock.start();
    QMetaObject::invokeMethod(
        this, [this, error] { finish(Outcome::Failed, error); }, Qt::QueuedConnection);
}

void ChatCall::post(const QUrl &url)
{
    m_request.setUrl(url);
    if (m_wire) {
        WireObserver::Request sent;
        sent.tag = m_tag;
        sent.method = "POST";
        sent.url = url;
        for (const QByteArray &name : m_request.rawHeaderList()) {
            const bool key = name.compare("authorization", Qt::CaseInsensitive) == 0;
            sent.headers.append(
                {name, key ? WireObserver::redactedBearer() : masked(m_request.rawHeader(name))});
        }
        sent.body = m_requestBody;
        sent.redirectHop = m_hops > 0;
        m_wire->requestSent(sent);
    }
    if (m_requestBody.hasMedia()) {
        // Each hop reads the body afresh, from the files.
        QNetworkRequest request = m_request;
        request.setHeader(QNetworkRequest::ContentLengthHeader, m_requestBody.size());
        request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *device = new RequestBodyDevice(m_requestBody);
        m_reply = m_network->post(request, device);
        device->setParent(m_reply);
        connect(device, &RequestBodyDevice::failed, this, [this](const QString &why) {
            finish(Outcome::Failed, ApiError::make(ApiError::Kind::Validation, why));
        });
    } else {
        QByteArray text;
        QString unused;
        m_requestBody.flatten(&text, &unused); // text alone: nothing to read
        m_reply = m_network->post(m_request, text);
    }
    m_reply->setParent(this);
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        if (!m_headersSeen && isRunning())
            m_timer.start(m_limits.connectTimeout); // still sending: the server cannot answer yet
        emit uploadProgressed(sent, total);
    });
    // What the server sends waits in the socket rather than in memory until it is read: a
    // server faster than the reader cannot fill memory (Qt's own buffer is unbounded).
    m_reply->setReadBufferSize(kReadBufferBytes);
    connectReply();
    m_timer.start(m_limits.connectTimeout);
}

void ChatCall::connectReply()
{
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &ChatCall::onMetaDataChanged);
    connect(m_reply, &QNetworkReply::readyRead, this, &ChatCall::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &ChatCall::onFinished);
}

bool ChatCall::followRedirect()
{
    if (!Redirect::isRedirect(m_status))
        return false;
    const QUrl from = m_reply->url();
    const Redirect redirect = Redirect::decide(from, m_status, m_reply->rawHeader("Location"), true, m_hops);
    QNetworkReply *old = m_reply;
    old->disconnect(this);
    old->abort();
    old->deleteLater();
    m_reply = nullptr;
    if (!redirect.follow) {
        finish(Outcome::Failed, redirect.error);
        return true;
    }
    ++m_hops;
    if (m_wire)
        m_wire->noted(u"following the redirect (%1) to %2, the same origin"_s.arg(m_status).arg(
            redirect.target.toDisplayString(QUrl::RemoveUserInfo)));
    m_headersSeen = false;
    m_status = 0;
    post(redirect.target);
    return true;
}

ChatCall::~ChatCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void ChatCall::cancel()
{
    if (!isRunning() || !m_reply)
        return;
    m_cancelled = true;
    m_reply->abort(); // finishes through onFinished
}

void ChatCall::onTimeout()
{
    if (!isRunning() || !m_reply)
        return;
    m_timedOut = true;
    m_reply->abort();
}

void ChatCall::onMetaDataChanged()
{
    if (m_headersSeen || !m_reply)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    m_headersSeen = true;
    m_status = status.toInt();
    m_timer.start(m_limits.idleTimeout);
    if (m_wire) {
        WireObserver::Headers headers = responseHeaders(m_reply);
        for (auto &[name, value] : headers)
            value = masked(value);
        m_wire->responseStarted(
            m_status, m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(), headers);
    }
    if (followRedirect())
        return;
    emit responseStarted(m_status);
    if (m_reply && m_reply->bytesAvailable() > 0)
        onReadyRead(); // what came with the headers (reads wait for them: see onReadyRead)
}

void ChatCall::decideBodyKind(const QByteArray &firstBytes)
{
    if (m_status < 200 || m_status >= 300) {
        m_bodyKind = BodyKind::Error;
        return;
    }
    const QByteArray type = m_reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    if (type.contains("text/event-stream")) {
        m_bodyKind = BodyKind::Stream;
    } else if (type.contains("json")) {
        m_bodyKind = BodyKind::Json; // a server may answer a streamed request with one JSON object
    } else {
        // No useful Content-Type: a JSON object starts with '{', an event stream never does.
        m_bodyKind = firstBytes.trimmed().startsWith('{') ? BodyKind::Json : BodyKind::Stream;
    }
}

void ChatCall::onReadyRead()
{
    if (!isRunning() || !m_reply || !m_headersSeen)
        return;
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    m_receivedBytes += bytes.size();
    noteMoment(&m_sawFirstByte, WireObserver::Moment::FirstByte);
    if (m_bodyKind == BodyKind::Undecided)
        decideBodyKind(bytes);

    switch (m_bodyKind) {
    case BodyKind::Stream:
        m_decoder.feed(bytes.constData(), static_cast<std::size_t>(bytes.size()));
        // Only events count as progress: comments and keep-alives alone let the idle timeout run.
        if (m_decoder.eventCount() != m_eventsSeen) {
            m_eventsSeen = m_decoder.eventCount();
            m_timer.start(m_limits.idleTimeout);
        }
        if (m_decoder.isOver()) {
            const StreamAssembler &assembler = m_decoder.assembler();
            if (assembler.hasError())
                finish(assembler.error().kind == ApiError::Kind::Stream ? Outcome::Failed
                                                                        : Outcome::Incomplete,
                       assembler.error());
            else
                finish(Outcome::Complete);
        } else if (m_decoder.pendingBytes() > kMaxPendingStreamBytes) {
            finish(Outcome::Incomplete,
                   ApiError::make(
                       ApiError::Kind::Protocol,
                       QCoreApplication::translate(
                           "ChatCall",
                           "The server sent a stream line of more than %1 MB; the stream was stopped.")
                           .arg(kMaxPendingStreamBytes >> 20)));
        }
        break;
    case BodyKind::Json:
    case BodyKind::Error:
        m_timer.start(m_limits.idleTimeout);
        m_body += bytes;
        if (m_body.size() > (m_bodyKind == BodyKind::Json ? kMaxJsonBodyBytes : kMaxErrorBodyBytes)) {
            if (m_bodyKind == BodyKind::Error) {
                m_body.truncate(kMaxErrorBodyBytes); // enough to read the error
            } else {
                finish(Outcome::Failed,
                       ApiError::make(
                           ApiError::Kind::Protocol,
                           QCoreApplication::translate("ChatCall", "The server's reply is larger than %1 MB.")
                               .arg(kMaxJsonBodyBytes >> 20)));
            }
        }
        break;
    case BodyKind::Undecided:
        break;
    }
}

void ChatCall::onFinished()
{
    if (!isRunning() || !m_reply)
        return;
    onMetaDataChanged(); // a reply can finish without metaDataChanged having been seen
    if (!isRunning() || !m_reply)
        return; // a refused redirect ended it, or a followed one started the next request
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (!isRunning())
        return;

    const QNetworkReply::NetworkError networkError = m_reply->error();
    if (m_wire && m_bodyKind != BodyKind::Stream && !m_body.isEmpty())
        m_wire->bodyReceived(masked(m_body));
    if (m_bodyKind == BodyKind::Stream)
        m_decoder.finish(); // an event that lacks only its blank line is still whole
    const StreamAssembler &assembler = m_decoder.assembler();

    if (m_cancelled) {
        finish(Outcome::Cancelled, ApiError::make(ApiError::Kind::Cancelled, tr("Stopped.")));
        return;
    }
    if (m_timedOut) {
        const qint64 seconds =
            (m_headersSeen ? m_limits.idleTimeout : m_limits.connectTimeout).count() / 1000;
        const QString message = m_headersSeen
            ? QCoreApplication::translate("ChatCall", "%1 sent no event for %2 s; the reply was stopped.")
                  .arg(hostOf(m_reply))
                  .arg(seconds)
            : QCoreApplication::translate("ChatCall", "%1 did not answer within %2 s.")
                  .arg(hostOf(m_reply))
                  .arg(seconds);
        finish(Outcome::Incomplete, ApiError::make(ApiError::Kind::Timeout, message));
        return;
    }
    if (m_headersSeen && (m_status < 200 || m_status >= 300)) {
        ApiError error = ApiError::fromHttpResponse(
            m_status, m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(), m_body,
            m_reply->rawHeader("Retry-After"));
        error.requestId =
            QString::fromLatin1(m_reply->hasRawHeader("x-trace-id") ? m_reply->rawHeader("x-trace-id")
                                                                    : m_reply->rawHeader("x-request-id"));
        finish(Outcome::Failed, error);
        return;
    }
    if (assembler.hasError()) {
        finish(assembler.error().kind == ApiError::Kind::Stream ? Outcome::Failed : Outcome::Incomplete,
               assembler.error());
        return;
    }
    if (networkError != QNetworkReply::NoError) {
        const QString message = transportMessage(m_reply);
        if (m_receivedBytes > 0)
            finish(Outcome::Incomplete,
                   ApiError::make(ApiError::Kind::Transport,
                                  QCoreApplication::translate(
                                      "ChatCall", "The connection was lost before the reply was complete. ")
                                      + message));
        else
            finish(Outcome::Failed, ApiError::make(ApiError::Kind::Transport, message));
        return;
    }

    switch (m_bodyKind) {
    case BodyKind::Stream:
        if (assembler.isDone() || assembler.hasFinishReason())
            finish(Outcome::Complete);
        else
            finish(Outcome::Incomplete,
                   ApiError::make(
                       ApiError::Kind::Transport,
                       QCoreApplication::translate(
                           "ChatCall",
                           "The stream ended before the reply was complete (no finish reason, no [DONE]).")));
        return;
    case BodyKind::Json:
        m_decoder.assembler().addCompletion(
            std::string_view(m_body.constData(), static_cast<std::size_t>(m_body.size())));
        if (assembler.hasError())
            finish(assembler.error().kind == ApiError::Kind::Stream ? Outcome::Failed : Outcome::Incomplete,
                   assembler.error());
        else
            finish(Outcome::Complete);
        return;
    case BodyKind::Undecided:
    case BodyKind::Error:
        finish(Outcome::Incomplete,
               ApiError::make(
                   ApiError::Kind::Protocol,
                   QCoreApplication::translate("ChatCall", "The server answered with an empty body.")));
        return;
    }
}

void ChatCall::finish(Outcome outcome, const ApiError &error)
{
    if (!isRunning())
        return;
    m_outcome = outcome;
    m_error = error.redacted(m_secret); // a server may quote the key back in its error

    m_timer.stop();
    if (m_wire) {
        const QString name = QString::fromLatin1(QMetaEnum::fromType<Outcome>().valueToKey(int(outcome)));
        if (error.isError())
            m_wire->noted(u"%1: %2"_s.arg(name, m_error.summary()));
        else
            m_wire->noted(u"complete"_s);
        WireObserver::End end;
        end.outcome = name;
        end.error = m_error;
        end.reply = m_decoder.assembler().reply();
        end.bytesSent = m_requestBody.size();
        end.bytesReceived = m_receivedBytes;
        end.streamed = m_bodyKind == BodyKind::Stream;
        m_wire->ended(end);
    }
    if (m_reply) {
        // After [DONE] the server may keep the connection open; nothing more is read.
        m_reply->disconnect(this);
        if (m_reply->isRunning())
            m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    emit finished();
}

QByteArray ChatCall::masked(QByteArray text) const
{
    if (!m_secretBytes.isEmpty())
        text.replace(m_secretBytes, "[redacted]");
    return text;
}

void ChatCall::noteFirstToken()
{
    if (m_firstTokenMs < 0)
        m_firstTokenMs = m_clock.elapsed();
}

void ChatCall::noteMoment(bool *seen, WireObserver::Moment moment)
{
    if (*seen || !m_wire)
        return;
    *seen = true;
    m_wire->moment(moment);
}

void ChatCall::reasoningDelta(std::string_view utf8)
{
    noteFirstToken();
    noteMoment(&m_sawReasoning, WireObserver::Moment::FirstReasoning);
    emit reasoningReceived(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())));
}

void ChatCall::contentDelta(std::string_view utf8)
{
    noteFirstToken();
    noteMoment(&m_sawContent, WireObserver::Moment::FirstContent);
    emit contentReceived(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())));
}

void ChatCall::toolCallDelta(int index, std::string_view id, std::string_view name,
                             std::string_view arguments)
{
    noteMoment(&m_sawToolCall, WireObserver::Moment::FirstToolCall);
    const auto text = [](std::string_view utf8) {
        return QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
    };
    emit toolCallReceived(index, text(id), text(name), text(arguments));
}

void ChatCall::usageUpdated()
{
    emit usageReceived();
}

} // namespace moonpane
