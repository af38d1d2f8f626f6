#include "ChatClient.h"

#include "ApiError.h"
#include "ChatCall.h"
#include "ChatRequest.h"
#include "FileUpload.h"
#include "MediaRef.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace moonpane {

ChatClient::ChatClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    // Never Qt's own redirect handling (it follows to any host, key included): see Redirect.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    // Timeouts are the call's own (connect and idle), not a whole-transfer limit.
    m_network->setTransferTimeout(0);
}

ChatClient::~ChatClient() = default;

void ChatClient::setEndpoint(const Endpoint &endpoint)
{
    const bool same = endpoint.baseUrl == m_endpoint.baseUrl && endpoint.apiKey == m_endpoint.apiKey
        && endpoint.allowInsecure == m_endpoint.allowInsecure;
    m_endpoint = endpoint;
    if (same)
        return;
    m_uploads.clear(); // another server (or account) has other files
    if (m_filesApi != FilesApi::Unknown) {
        m_filesApi = FilesApi::Unknown;
        emit filesApiChanged(m_filesApi);
    }
}

QString ChatClient::uploadEndpointKey() const
{
    return m_endpoint.baseUrl.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveUserInfo).toString();
}

void ChatClient::probeFilesApi()
{
    if (m_probing || m_filesApi != FilesApi::Unknown || insecureRefusal(m_endpoint).isError())
        return;
    m_probing = true;
    QNetworkRequest request = makeRequest(m_endpoint.filesUrl(), "application/json");
    request.setTransferTimeout(static_cast<int>(m_endpoint.connectTimeout.count()));
    QNetworkReply *reply = m_network->get(request);
    const QUrl asked = m_endpoint.baseUrl;
    connect(reply, &QNetworkReply::finished, this, [this, reply, asked] {
        reply->deleteLater();
        m_probing = false;
        if (asked != m_endpoint.baseUrl)
            return; // the endpoint changed meanwhile
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0)
            return; // no answer at all: still unknown, asked again later
        // Moonshot answers {"object":"list","data":[…]}; a server without the API 404s, or answers
        // something else entirely (an HTML page, a different JSON).
        const QJsonObject list = QJsonDocument::fromJson(reply->read(1 << 20)).object();
        const bool available = status == 200 && list.value(QLatin1String("data")).isArray();
        m_filesApi = available ? FilesApi::Available : FilesApi::Absent;
        emit filesApiChanged(m_filesApi);
    });
}

FileUpload *ChatClient::uploadFile(const MediaRef &media, const QString &purpose)
{
    if (const ApiError refusal = insecureRefusal(m_endpoint); refusal.isError())
        return new FileUpload(media, refusal, this);
    warnIfInsecure(m_endpoint);
    QNetworkRequest request = makeRequest(m_endpoint.filesUrl(), "application/json");
    return new FileUpload(m_network, request, media, purpose, m_endpoint.connectTimeout, m_endpoint.apiKey,
                          this);
}

void ChatClient::rememberUpload(const QString &hash, const QString &fileId)
{
    if (hash.isEmpty() || fileId.isEmpty())
        return;
    m_uploads.insert(hash, fileId);
    emit uploadRemembered(uploadEndpointKey(), hash, fileId);
}

QNetworkRequest ChatClient::makeRequest(const QUrl &url, const QByteArray &accept) const
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Moonpane/" MOONPANE_VERSION));
    request.setRawHeader("Accept", accept);
    if (!m_endpoint.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_endpoint.apiKey.toUtf8());
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    return request;
}

ChatCall *ChatClient::send(const ChatRequest &request, WireObserver *wire, WireObserver::Tag tag)
{
    return sendBody(request.toBody(), request.parameters.stream, wire, tag);
}

ChatCall *ChatClient::sendBody(RequestBody body, bool stream, WireObserver *wire, WireObserver::Tag tag)
{
    if (const ApiError refusal = insecureRefusal(m_endpoint); refusal.isError())
        return new ChatCall(refusal, this);
    warnIfInsecure(m_endpoint);
    QNetworkRequest request =
        makeRequest(m_endpoint.chatCompletionsUrl(), stream ? "text/event-stream" : "application/json");
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    ChatCall::Limits limits;
    limits.connectTimeout = m_endpoint.connectTimeout;
    // Non-streamed replies can take minutes of silence while the model works.
    limits.idleTimeout = stream ? m_endpoint.idleTimeout
                                : std::max(m_endpoint.idleTimeout, std::chrono::milliseconds(900'000));
    limits.maxReplyBytes = m_endpoint.maxReplyBytes;
    return new ChatCall(m_network, request, std::move(body), limits, m_endpoint.apiKey, wire, tag, this);
}

ApiError ChatClient::insecureRefusal(const Endpoint &endpoint)
{
    const QUrl url = endpoint.chatCompletionsUrl();
    if (!Endpoint::isInsecure(url))
        return {};
    const QString host = url.host();
    if (endpoint.allowInsecure)
        return {};
    ApiError error = ApiError::make(
        ApiError::Kind::Validation,
        tr("The base URL %1 uses plain http: the API key would cross the network to %2 unencrypted, so "
           "nothing was sent.")
            .arg(endpoint.baseUrl.toDisplayString(QUrl::RemoveUserInfo), host));
    error.code = u"insecure_refused"_s;
    return error;
}

void ChatClient::warnIfInsecure(const Endpoint &endpoint)
{
    // Allowed, and still said every time: the key crosses the network unencrypted.
    const QUrl url = endpoint.chatCompletionsUrl();
    if (Endpoint::isInsecure(url) && endpoint.allowInsecure)
        qWarning("warning: sending the API key unencrypted over plain http to %s", qPrintable(url.host()));
}

} // namespace moonpane
