#include "WireTrace.h"

#include <QDateTime>
#include <QIODevice>
#include <QUrl>

namespace moonpane {

namespace {
constexpr qsizetype kKeptBase64 = 48;
const QByteArray kRedacted = QByteArrayLiteral("[redacted]");
} // namespace

WireTrace::WireTrace(QIODevice *device)
    : m_device(device)
{
    m_clock.start();
}

void WireTrace::setSecret(const QString &secret)
{
    m_secret = secret.toUtf8();
}

void WireTrace::write(char direction, QByteArray text)
{
    if (!m_device)
        return;
    if (!m_secret.isEmpty())
        text.replace(m_secret, kRedacted);
    QByteArray line = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz")).toLatin1();
    line += " +" + QByteArray::number(m_clock.elapsed()).rightJustified(6) + "ms " + direction + ' ';
    line += text;
    line += '\n';
    m_device->write(line);
}

void WireTrace::requestSent(const Request &request)
{
    if (!request.redirectHop)
        m_clock.restart();
    write('>', request.method + ' ' + request.url.toEncoded(QUrl::RemoveUserInfo));
    for (const auto &[name, value] : request.headers) {
        const bool secret = name.compare("authorization", Qt::CaseInsensitive) == 0;
        write('>', name + ": " + (secret ? redactedBearer() : value));
    }
    write('>', QByteArray());
    write('>', elideBase64(request.body.describe()));
}

void WireTrace::responseStarted(int status, const QByteArray &reason, const Headers &headers)
{
    write('<', "HTTP " + QByteArray::number(status) + ' ' + reason);
    for (const auto &[name, value] : headers)
        write('<', name + ": " + value);
    write('<', QByteArray());
}

void WireTrace::lineReceived(std::string_view line)
{
    write('<', QByteArray(line.data(), static_cast<qsizetype>(line.size())));
}

void WireTrace::bodyReceived(const QByteArray &body)
{
    for (const QByteArray &line : body.split('\n'))
        write('<', line.endsWith('\r') ? line.chopped(1) : line);
}

void WireTrace::noted(const QString &text)
{
    write('#', text.toUtf8());
}

QByteArray WireTrace::elideBase64(const QByteArray &body)
{
    static const QByteArray marker = QByteArrayLiteral(";base64,");
    QByteArray out;
    qsizetype from = 0;
    for (qsizetype at = body.indexOf(marker); at >= 0; at = body.indexOf(marker, from)) {
        const qsizetype start = at + marker.size();
        qsizetype end = start;
        while (end < body.size() && body.at(end) != '"')
            ++end;
        const qsizetype length = end - start;
        if (length <= kKeptBase64 * 2) {
            out += body.mid(from, end - from);
        } else {
            out += body.mid(from, start + kKeptBase64 - from);
            out += "...[" + QByteArray::number(length) + " base64 chars]";
        }
        from = end;
    }
    out += body.mid(from);
    return out;
}

} // namespace moonpane
