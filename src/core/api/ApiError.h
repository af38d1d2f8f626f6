// Everything that can go wrong with a request, in one value: what kind of failure, the server's
// own words (status, error.code or error.type, message, Retry-After), and a sentence that tells a
// user what to do about it.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

#include <optional>

class QJsonObject;

namespace moonpane {

struct ApiError
{
    Q_DECLARE_TR_FUNCTIONS(ApiError)

public:
    enum class Kind {
        None,
        Validation, // refused before sending
        Http, // an HTTP error status
        Stream, // an in-band `error` object in a 200 stream
        Protocol, // the server sent something that is not a valid reply
        Transport, // connection refused, reset, TLS, DNS...
        Timeout, // no response, or silence for too long
        Cancelled, // the user stopped it
    };

    Kind kind = Kind::None;
    int httpStatus = 0;
    QString code; // error.code, else error.type
    QString type; // error.type when present
    QString message; // the server's message, one line
    std::optional<int> retryAfterSeconds;
    QString requestId; // x-trace-id / x-request-id, for reports

    bool isError() const { return kind != Kind::None; }
    // Retrying the same request can help (429, 5xx, timeouts, cut connections).
    bool isRetryable() const;

    // One line for logs and the CLI: "HTTP 429 engine_overloaded_error: The engine is overloaded".
    QString summary() const;
    // What to do about it, for a user: "Anyfast rejected the API key (401). Open Settings → ...".
    QString advice() const;

    // Builds the error for an HTTP error response. `body` may be JSON, an HTML page or empty.
    static ApiError fromHttpResponse(int status, const QByteArray &reasonPhrase, const QByteArray &body,
                                     const QByteArray &retryAfterHeader);
    // Reads an error object ({"code","type","message"} or a bare string) from a stream chunk.
    static ApiError fromStreamError(const QByteArray &errorJson);
    static ApiError make(Kind kind, const QString &message);

    // This error with `secret` (the API key) masked wherever the server's words quote it, so
    // that no message shown, printed, stored or exported carries it. Any non-empty secret counts.
    ApiError redacted(const QString &secret) const;
    static QString redact(QString text, const QString &secret);

    // A Retry-After value as seconds: delay-seconds or an HTTP-date; nullopt if unreadable.
    static std::optional<int> parseRetryAfter(const QByteArray &header);
    // The readable gist of an HTML error page: its title or first text, on one short line.
    static QString htmlGist(const QByteArray &html);

private:
    void readErrorObject(const QJsonObject &error);
};

} // namespace moonpane
