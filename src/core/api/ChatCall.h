// ChatCall is one chat-completions request in flight: it owns the network reply, the stream
// decoder, the timeouts and the trace, reports deltas as signals while the reply streams, and
// ends with exactly one finished() signal. Delete it with deleteLater(), never from a slot of
// its own signals.
//
// What a server can do to it is bounded: redirects are followed only to the same origin (see
// Redirect), the reply's size is capped (Limits::maxReplyBytes), the idle timeout counts only
// events (a stream of comments or keep-alives does not keep it alive), and the API key is masked
// in every error text before anyone sees it.
#pragma once

#include "ApiError.h"
#include "AssistantReply.h"
#include "RequestBody.h"
#include "StreamDecoder.h"
#include "WireObserver.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace moonpane {

class ChatCall final : public QObject, private StreamAssembler::Listener
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatCall)

public:
    enum class Outcome {
        Running,
        Complete, // [DONE] seen, or a clean end after a finish_reason
        Incomplete, // cut off (connection lost, timeout, unreadable data): a partial reply may exist
        Failed, // an HTTP error, an error reported in the stream, or no connection at all
        Cancelled,
    };
    Q_ENUM(Outcome)

    struct Limits
    {
        std::chrono::milliseconds connectTimeout {30'000}; // until the response headers arrive
        std::chrono::milliseconds idleTimeout {300'000}; // between two events afterwards
        qint64 maxReplyBytes = qint64(64) << 20; // content, reasoning and tool calls
    };

    // Posts `body` with `request` (which carries the key, if any: `secret` is masked in errors
    // and never reaches `wire`). The wire observer, if any, must outlive the call; `tag` is
    // handed to it with the request. A body with media streams from
    // their files as it is sent (RequestBodyDevice); until the response starts, the connect
    // timeout counts from the last bytes that went out, so a large upload on a slow line is not
    // taken for a server that does not answer.
    ChatCall(QNetworkAccessManager *network, const QNetworkRequest &request, RequestBody body,
             const Limits &limits, const QString &secret, WireObserver *wire, WireObserver::Tag tag = {},
             QObject *parent = nullptr);
    // A call refused before anything was sent: it finishes Failed with `error` once the event
    // loop runs, so that its finished() can still be connected.
    ChatCall(const ApiError &error, QObject *parent = nullptr);
    ~ChatCall() override;

    Outcome outcome() const { return m_outcome; }
    bool isRunning() const { return m_outcome == Outcome::Running; }
    const ApiError &error() const { return m_error; }
    AssistantReply reply() const { return m_decoder.assembler().reply(); }
    int httpStatus() const { return m_status; }
    // Redirects followed so far (each to the same origin).
    int redirects() const { return m_hops; }
    // Milliseconds from send to the first reasoning or content delta; -1 if none came.
    qint64 timeToFirstTokenMs() const { return m_firstTokenMs; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }

    // The wire observer is told nothing more (it is going away).
    void detachWire() { m_wire = nullptr; }

public slots:
    void cancel();

signals:
    // Bytes of the request body sent so far, of `total`.
    void uploadProgressed(qint64 sent, qint64 total);
    void responseStarted(int httpStatus);
    void reasoningReceived(const QString &delta);
    void contentReceived(const QString &delta);
    // Tool call `index` grew by `arguments`; `id` and `name` as far as this piece gave them.
    void toolCallReceived(int index, const QString &id, const QString &name, const QString &arguments);
    void usageReceived();
    void finished();

private:
    enum class BodyKind { Undecided, Stream, Json, Error };

    void post(const QUrl &url);
    void connectReply();
    bool followRedirect(); // true when the response was a redirect (followed or refused)
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void decideBodyKind(const QByteArray &firstBytes);
    void finish(Outcome outcome, const ApiError &error = {});
    void noteFirstToken();

    // StreamAssembler::Listener
    void reasoningDelta(std::string_view utf8) override;
    void contentDelta(std::string_view utf8) override;
    void toolCallDelta(int index, std::string_view id, std::string_view name,
                       std::string_view arguments) override;
    void usageUpdated() override;

    QNetworkAccessManager *m_network = nullptr;
    QNetworkRequest m_request;
    RequestBody m_requestBody;
    QPointer<QNetworkReply> m_reply;
    StreamDecoder m_decoder;
    WireObserver *m_wire = nullptr;
    WireObserver::Tag m_tag;
    QByteArray m_secretBytes; // masked in all the wire observer sees
    bool m_sawFirstByte = false;
    bool m_sawReasoning = false;
    bool m_sawContent = false;
    bool m_sawToolCall = false;
    QByteArray masked(QByteArray text) const;
    void noteMoment(bool *seen, WireObserver::Moment moment);
    QTimer m_timer;
    QElapsedTimer m_clock;
    Limits m_limits;
    QString m_secret;
    int m_hops = 0;
    qint64 m_eventsSeen = 0;
    BodyKind m_bodyKind = BodyKind::Undecided;
    QByteArray m_body; // JSON and error bodies are read whole
    Outcome m_outcome = Outcome::Running;
    ApiError m_error;
    int m_status = 0;
    qint64 m_firstTokenMs = -1;
    qint64 m_receivedBytes = 0;
    bool m_headersSeen = false;
    bool m_cancelled = false;
    bool m_timedOut = false;
};

} // namespace moonpane
