// A wire trace written as text (moonpane-cli --trace FILE): one WireObserver sink. The request
// line, headers (the API key redacted), the body (media named, not written), the response status
// and headers, and every received line, each with a millisecond timestamp. ChatCall masks the
// key before an observer sees anything; the trace masks it again when told it (setSecret), and
// replaces any Authorization header whatever it holds. Base64 in the body's text is elided to
// its first bytes and its length.
#pragma once

#include "WireObserver.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QString>

#include <string_view>

class QIODevice;
class QUrl;

namespace moonpane {

class WireTrace final : public WireObserver
{
public:
    // Writes to `device`, which must stay open while the trace is used. Does not own it.
    explicit WireTrace(QIODevice *device);

    void setSecret(const QString &secret);

    // A redirect's next hop keeps the timeline of the request it continues.
    void requestSent(const Request &request) override;
    void responseStarted(int status, const QByteArray &reason, const Headers &headers) override;
    void lineReceived(std::string_view line) override;
    void bodyReceived(const QByteArray &body) override;
    void noted(const QString &text) override;

    static QByteArray elideBase64(const QByteArray &body);

private:
    void write(char direction, QByteArray text);

    QIODevice *m_device;
    QElapsedTimer m_clock;
    QByteArray m_secret;
};

} // namespace moonpane
