// A wire trace of one request: the request line, headers (the API key redacted), the body, the
// response status and headers, and every received line, each with a millisecond timestamp.
// The key never reaches the trace: the Authorization header is replaced and any other
// occurrence of the key (an error message quoting it, say) is masked, whatever its length. Base64 media in
// the request body is elided to its first bytes and its length.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QString>

#include <string_view>

class QIODevice;
class QUrl;

namespace moonpane {

class WireTrace final
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // Writes to `device`, which must stay open while the trace is used. Does not own it.
    explicit WireTrace(QIODevice *device);

    void setSecret(const QString &secret);

    // `restartClock`: a new request; false for a redirect's next hop, which keeps the timeline.
    void request(const QByteArray &method, const QUrl &url, const Headers &headers, const QByteArray &body,
                 bool restartClock = true);
    void response(int status, const QByteArray &reason, const Headers &headers);
    void receivedLine(std::string_view line);
    void receivedBody(const QByteArray &body);
    void note(const QString &text);

    static QByteArray elideBase64(const QByteArray &body);

private:
    void write(char direction, QByteArray text);

    QIODevice *m_device;
    QElapsedTimer m_clock;
    QByteArray m_secret;
};

} // namespace moonpane
