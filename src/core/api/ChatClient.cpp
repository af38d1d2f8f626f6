#include "ChatClient.h"

#include "ChatCall.h"
#include "ChatRequest.h"
#include "WireTrace.h"

#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace moonpane {

ChatClient::ChatClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    // Timeouts are the call's own (connect and idle), not a whole-transfer limit.
    m_network->setTransferTimeout(0);
}

ChatClient::~ChatClient() = default;

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

ChatCall *ChatClient::send(const ChatRequest &request, WireTrace *trace)
{
    return sendBody(request.toJson(), request.parameters.stream, trace);
}

ChatCall *ChatClient::sendBody(const QByteArray &body, bool stream, WireTrace *trace)
{
    QNetworkRequest request =
        makeRequest(m_endpoint.chatCompletionsUrl(), stream ? "text/event-stream" : "application/json");
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (trace) {
        trace->setSecret(m_endpoint.apiKey);
        WireTrace::Headers headers;
        for (const QByteArray &name : request.rawHeaderList())
            headers.append({name, request.rawHeader(name)});
        trace->request("POST", request.url(), headers, body);
    }
    // Non-streamed replies can take minutes of silence while the model works.
    const auto idle = stream ? m_endpoint.idleTimeout
                             : std::max(m_endpoint.idleTimeout, std::chrono::milliseconds(900'000));
    return new ChatCall(m_network->post(request, body), m_endpoint.connectTimeout, idle, trace, this);
}

} // namespace moonpane
