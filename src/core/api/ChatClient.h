// ChatClient sends chat-completions requests to an OpenAI-compatible server over Qt Network
// (HTTP/1.1 or HTTP/2, the system proxy, bearer auth) and hands back one ChatCall per request.
#pragma once

#include "Endpoint.h"

#include <QObject>

class QNetworkAccessManager;
class QNetworkRequest;

namespace moonpane {

class ChatCall;
struct ChatRequest;
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
    // validated (ChatRequest::validate); the trace, if any, must outlive the call.
    ChatCall *send(const ChatRequest &request, WireTrace *trace = nullptr);
    ChatCall *sendBody(const QByteArray &body, bool stream, WireTrace *trace = nullptr);

    QNetworkAccessManager *network() const { return m_network; }

private:
    QNetworkRequest makeRequest(const QUrl &url, const QByteArray &accept) const;

    QNetworkAccessManager *m_network;
    Endpoint m_endpoint;
};

} // namespace moonpane
