// ChatClient sends chat-completions requests to an OpenAI-compatible server over Qt Network
// (HTTP/1.1 or HTTP/2, the system proxy, bearer auth) and hands back one ChatCall per request.
#pragma once

#include "Endpoint.h"

#include <QObject>

class QNetworkAccessManager;
class QNetworkRequest;

namespace moonpane {

struct ApiError;
class ChatCall;
struct ChatRequest;
class RequestBody;
class WireTrace;

class ChatClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatClient)

public:
    explicit ChatClient(QObject *parent = nullptr);
    ~ChatClient() override;

    void setEndpoint(const Endpoint &endpoint) { m_endpoint = endpoint; }
    const Endpoint &endpoint() const { return m_endpoint; }

    // Starts the request; the call is a child of the client. The request should have been
    // validated (ChatRequest::validate); the trace, if any, must outlive the call. A request the
    // endpoint refuses (insecureRefusal) comes back as a call that fails without sending.
    ChatCall *send(const ChatRequest &request, WireTrace *trace = nullptr);
    ChatCall *sendBody(RequestBody body, bool stream, WireTrace *trace = nullptr);

    QNetworkAccessManager *network() const { return m_network; }

    // Why a request to `endpoint` must not be sent (plain http beyond loopback without the
    // user's consent, Endpoint::allowInsecure), or no error.
    static ApiError insecureRefusal(const Endpoint &endpoint);
    // Says on stderr that the key goes out unencrypted, when it does (every request).
    static void warnIfInsecure(const Endpoint &endpoint);

private:
    QNetworkRequest makeRequest(const QUrl &url, const QByteArray &accept) const;

    QNetworkAccessManager *m_network;
    Endpoint m_endpoint;
};

} // namespace moonpane
