// WireObserver sees what went over the wire for chat requests, as ChatCall sends and reads them:
// each request (method, URL, headers, the body as references to its media), the response's
// status and headers, every received line of a stream (comments and keep-alives included) or a
// body read whole (JSON, an error page), notes (redirects, the end), the moments the first byte
// and the first token of each kind came, and how the request ended.
//
// The API key never reaches an observer: ChatCall gives the Authorization header as
// "Bearer [redacted]" and masks the key wherever else it appears (an error quoting it back).
#pragma once

#include "ApiError.h"
#include "AssistantReply.h"
#include "RequestBody.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <string_view>

namespace moonpane {

class WireObserver
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // Who asked: the request's place in its turn and the message it answers into (0 when the
    // request is not a conversation's, as a probe or an upload).
    struct Tag
    {
        int round = 0;
        qint64 messageId = 0;
    };

    struct Request
    {
        Tag tag;
        QByteArray method;
        QUrl url;
        Headers headers; // the key redacted
        RequestBody body; // media as references: RequestBody::describe() names them
        bool redirectHop = false; // the next hop of a redirect: the same request, going on
    };

    enum class Moment {
        FirstByte, // the response's first byte after its headers
        FirstReasoning,
        FirstContent,
        FirstToolCall,
    };

    struct End
    {
        QString outcome; // Complete, Incomplete, Failed, Cancelled
        ApiError error; // the one-line message the user saw (the key masked)
        AssistantReply reply; // what was assembled from the lines
        qint64 bytesSent = 0;
        qint64 bytesReceived = 0;
        bool streamed = false;
    };

    static const QByteArray &redactedBearer();

    virtual ~WireObserver();
    virtual void requestSent(const Request &request) = 0;
    virtual void responseStarted(int status, const QByteArray &reason, const Headers &headers) = 0;
    virtual void lineReceived(std::string_view line) = 0;
    virtual void bodyReceived(const QByteArray &body) = 0;
    virtual void noted(const QString &text) = 0;
    virtual void moment(Moment moment) { Q_UNUSED(moment); }
    virtual void ended(const End &end) { Q_UNUSED(end); }
};

} // namespace moonpane
