#include "ChatCall.h"

#include "WireTrace.h"

#include <QMetaEnum>
#include <QNetworkReply>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// A stream line or event this large is a broken server, not a reply.
constexpr std::size_t kMaxPendingStreamBytes = 64u << 20;
constexpr qsizetype kMaxJsonBodyBytes = 64 << 20;
constexpr qsizetype kMaxErrorBodyBytes = 1 << 20;

QString hostOf(const QNetworkReply *reply)
{
    return reply->url().host();
}

QString transportMessage(QNetworkReply *reply)
{
    const QString host = hostOf(reply);
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return u"Could not connect to %1: the connection was refused."_s.arg(host);
    case QNetworkReply::HostNotFoundError:
        return u"Could not find the server %1."_s.arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return u"%1 closed the connection."_s.arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return u"The secure connection to %1 failed: %2"_s.arg(host, reply->errorString());
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return u"The proxy failed: %1"_s.arg(reply->errorString());
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
        return u"The network is unavailable: %1"_s.arg(reply->errorString());
    default:
        return u"The request to %1 failed: %2"_s.arg(host, reply->errorString());
    }
}

WireTrace::Headers responseHeaders(const QNetworkReply *reply)
{
    WireTrace::Headers headers;
    for (const auto &pair : reply->rawHeaderPairs())
        headers.append(pair);
    return headers;
}

} // namespace

ChatCall::ChatCall(QNetworkReply *reply, std::chrono::milliseconds connectTimeout,
                   std::chrono::milliseconds idleTimeout, WireTrace *trace, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_decoder(this)
    , m_trace(trace)
    , m_connectTimeout(connectTimeout)
    , m_idleTimeout(idleTimeout)
{
    m_clock.start();
    reply->setParent(this);
    if (m_trace)
        m_decoder.setLineObserver([this](std::string_view line) { m_trace->receivedLine(line); });
    connect(reply, &QNetworkReply::metaDataChanged, this, &ChatCall::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ChatCall::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ChatCall::onFinished);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ChatCall::onTimeout);
    m_timer.start(m_connectTimeout);
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
    m_timer.start(m_idleTimeout);
    if (m_trace)
        m_trace->response(m_status,
                          m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(),
                          responseHeaders(m_reply));
    emit responseStarted(m_status);
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
    if (!isRunning() || !m_reply)
        return;
    m_timer.start(m_idleTimeout);
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    m_receivedBytes += bytes.size();
    if (m_bodyKind == BodyKind::Undecided)
        decideBodyKind(bytes);

    switch (m_bodyKind) {
    case BodyKind::Stream:
        m_decoder.feed(bytes.constData(), static_cast<std::size_t>(bytes.size()));
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
                       u"The server sent a stream line of more than %1 MB; the stream was stopped."_s.arg(
                           kMaxPendingStreamBytes >> 20)));
        }
        break;
    case BodyKind::Json:
    case BodyKind::Error:
        m_body += bytes;
        if (m_body.size() > (m_bodyKind == BodyKind::Json ? kMaxJsonBodyBytes : kMaxErrorBodyBytes)) {
            if (m_bodyKind == BodyKind::Error) {
                m_body.truncate(kMaxErrorBodyBytes); // enough to read the error
            } else {
                finish(Outcome::Failed,
                       ApiError::make(
                           ApiError::Kind::Protocol,
                           u"The server's reply is larger than %1 MB."_s.arg(kMaxJsonBodyBytes >> 20)));
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
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (!isRunning())
        return;

    const QNetworkReply::NetworkError networkError = m_reply->error();
    if (m_trace && m_bodyKind != BodyKind::Stream && !m_body.isEmpty())
        m_trace->receivedBody(m_body);
    if (m_bodyKind == BodyKind::Stream)
        m_decoder.finish(); // an event that lacks only its blank line is still whole
    const StreamAssembler &assembler = m_decoder.assembler();

    if (m_cancelled) {
        finish(Outcome::Cancelled, ApiError::make(ApiError::Kind::Cancelled, u"Stopped."_s));
        return;
    }
    if (m_timedOut) {
        const qint64 seconds = (m_headersSeen ? m_idleTimeout : m_connectTimeout).count() / 1000;
        const QString message = m_headersSeen
            ? u"%1 sent nothing for %2 s; the reply was stopped."_s.arg(hostOf(m_reply)).arg(seconds)
            : u"%1 did not answer within %2 s."_s.arg(hostOf(m_reply)).arg(seconds);
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
                                  u"The connection was lost before the reply was complete. "_s + message));
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
                       u"The stream ended before the reply was complete (no finish reason, no [DONE])."_s));
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
               ApiError::make(ApiError::Kind::Protocol, u"The server answered with an empty body."_s));
        return;
    }
}

void ChatCall::finish(Outcome outcome, const ApiError &error)
{
    if (!isRunning())
        return;
    m_outcome = outcome;
    m_error = error;
    m_timer.stop();
    if (m_trace) {
        if (error.isError())
            m_trace->note(
                u"%1: %2"_s.arg(QString::fromLatin1(QMetaEnum::fromType<Outcome>().valueToKey(int(outcome))),
                                error.summary()));
        else
            m_trace->note(u"complete"_s);
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

void ChatCall::noteFirstToken()
{
    if (m_firstTokenMs < 0)
        m_firstTokenMs = m_clock.elapsed();
}

void ChatCall::reasoningDelta(std::string_view utf8)
{
    noteFirstToken();
    emit reasoningReceived(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())));
}

void ChatCall::contentDelta(std::string_view utf8)
{
    noteFirstToken();
    emit contentReceived(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())));
}

void ChatCall::toolCallDelta(int index)
{
    emit toolCallReceived(index);
}

void ChatCall::usageUpdated()
{
    emit usageReceived();
}

} // namespace moonpane
