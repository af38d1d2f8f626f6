// ChatClient sends chat-completions requests to an OpenAI-compatible server over Qt Network
// (HTTP/1.1 or HTTP/2, the system proxy, bearer auth) and hands back one ChatCall per request.
#pragma once

#include "Endpoint.h"
#include "WireObserver.h"

#include <QHash>
#include <QObject>

class QNetworkAccessManager;
class QNetworkRequest;

namespace moonpane {

struct ApiError;
class ChatCall;
class FileUpload;
struct MediaRef;
struct ChatRequest;
class RequestBody;

class ChatClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatClient)

public:
    explicit ChatClient(QObject *parent = nullptr);
    ~ChatClient() override;

    // A new base URL or key forgets what was known about the Files API.
    void setEndpoint(const Endpoint &endpoint);
    const Endpoint &endpoint() const { return m_endpoint; }

    // Starts the request; the call is a child of the client. The request should have been
    // validated (ChatRequest::validate); the wire observer, if any, must outlive the call. A request the
    // endpoint refuses (insecureRefusal) comes back as a call that fails without sending.
    ChatCall *send(const ChatRequest &request, WireObserver *wire = nullptr, WireObserver::Tag tag = {});
    ChatCall *sendBody(RequestBody body, bool stream, WireObserver *wire = nullptr,
                       WireObserver::Tag tag = {});

    QNetworkAccessManager *network() const { return m_network; }

    // Whether the server has a Files API (POST /v1/files: Moonshot's does, Anyfast lists none),
    // for media too large to go inline. Not assumed: probeFilesApi() asks (GET /v1/files).
    enum class FilesApi { Unknown, Available, Absent };
    Q_ENUM(FilesApi)
    FilesApi filesApi() const { return m_filesApi; }
    void probeFilesApi();
    // Uploads a medium (the call is a child of the client); purpose "video" or "image".
    FileUpload *uploadFile(const MediaRef &media, const QString &purpose);
    // Files this endpoint has already, by the hash of their bytes (a medium is uploaded once).
    QString uploadedFileId(const QString &hash) const { return m_uploads.value(hash); }
    void rememberUpload(const QString &hash, const QString &fileId);
    // What is known from earlier runs (the store keeps it), for this endpoint.
    void setKnownUploads(const QHash<QString, QString> &byHash) { m_uploads = byHash; }
    // The key under which uploads are remembered: the base URL.
    QString uploadEndpointKey() const;

    // Why a request to `endpoint` must not be sent (plain http beyond loopback without the
    // user's consent, Endpoint::allowInsecure), or no error.
    static ApiError insecureRefusal(const Endpoint &endpoint);
    // Says on stderr that the key goes out unencrypted, when it does (every request).
    static void warnIfInsecure(const Endpoint &endpoint);

signals:
    void filesApiChanged(moonpane::ChatClient::FilesApi filesApi);
    // A file was uploaded: for the store, which remembers it between runs.
    void uploadRemembered(const QString &endpoint, const QString &hash, const QString &fileId);

private:
    QNetworkRequest makeRequest(const QUrl &url, const QByteArray &accept) const;

    QNetworkAccessManager *m_network;
    Endpoint m_endpoint;
    FilesApi m_filesApi = FilesApi::Unknown;
    bool m_probing = false;
    QHash<QString, QString> m_uploads; // hash → file id, on this endpoint
};

} // namespace moonpane
