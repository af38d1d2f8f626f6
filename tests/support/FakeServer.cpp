#include "FakeServer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace moonpane::test {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Time-out";
    default:
        return "Status";
    }
}

} // namespace

QString fixturesDir()
{
    return QStringLiteral(MOONPANE_FIXTURES_DIR);
}

QByteArray fixtureBytes(const QString &name)
{
    QFile file(QDir::isAbsolutePath(name) ? name : fixturesDir() + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

QJsonObject RecordedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FakeResponse FakeResponse::sse(const QByteArray &body)
{
    FakeResponse response;
    response.body = body;
    response.headers = {{"Content-Type", "text/event-stream; charset=utf-8"}, {"Cache-Control", "no-cache"}};
    return response;
}

FakeResponse FakeResponse::counting(int count)
{
    QByteArray body;
    for (int i = 0; i < count; ++i)
        body += R"(data: {"choices":[{"index":0,"delta":{"content":"w)" + QByteArray::number(i)
            + R"( "}}]})"
              "\n\n";
    return sse(body
               + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                 "data: [DONE]\n\n");
}

FakeResponse FakeResponse::fixture(const QString &name)
{
    if (name.endsWith(".json"_L1))
        return json(200, fixtureBytes(name));
    return sse(fixtureBytes(name));
}

FakeResponse FakeResponse::json(int status, const QByteArray &body)
{
    FakeResponse response;
    response.status = status;
    response.body = body;
    response.framing = Framing::ContentLength;
    response.headers = {{"Content-Type", "application/json"}};
    return response;
}

FakeResponse FakeResponse::html(int status, const QByteArray &body)
{
    FakeResponse response = json(status, body);
    response.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    return response;
}

FakeResponse &FakeResponse::withHeader(const QByteArray &name, const QByteArray &value)
{
    headers.append({name, value});
    return *this;
}

RefusingPort::RefusingPort()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        qFatal("cannot reserve a loopback port");
    m_port = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort()
{
    ::close(m_fd);
}

QUrl RefusingPort::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_port));
}

FakeServer::FakeServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FakeServer::onNewConnection);
}

FakeServer::~FakeServer()
{
    dropAll();
}

bool FakeServer::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 FakeServer::port() const
{
    return m_server->serverPort();
}

QUrl FakeServer::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(port()));
}

void FakeServer::enqueue(const FakeResponse &response)
{
    m_queue.enqueue(response);
}

void FakeServer::dropAll()
{
    const auto sockets = m_buffers.keys();
    for (QTcpSocket *socket : sockets)
        socket->abort();
}

void FakeServer::resume()
{
    if (auto resume = std::exchange(m_resume, nullptr))
        resume();
}

void FakeServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        RecordedRequest request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.path = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                       lines.at(i).mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length", "0").toLongLong();
        if (buffer.size() < headerEnd + 4 + length)
            return; // the body is still coming
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);
        if (request.path.endsWith("/files")) {
            m_fileRequests.append(request);
            answerFiles(socket, request);
            continue;
        }
        m_requests.append(request);
        emit requestReceived();
        answer(socket, request);
    }
}

void FakeServer::answerFiles(QTcpSocket *socket, const RecordedRequest &request)
{
    QByteArray body;
    int status = 404;
    if (!m_filesApi) {
        body =
            R"json({"error":{"message":"Invalid URL (GET /v1/files)","type":"invalid_request_error"}})json";
    } else if (request.method == "GET") {
        status = 200;
        body = R"({"object":"list","data":[]})";
    } else {
        status = 200;
        body = R"({"id":"file-)" + QByteArray::number(m_fileRequests.size()) + R"(","object":"file","bytes":)"
            + QByteArray::number(request.body.size()) + R"(,"purpose":"video","status":"ok"})";
    }
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                  + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                  + "\r\n\r\n" + body);
}

void FakeServer::answer(QTcpSocket *socket, const RecordedRequest &)
{
    FakeResponse response;
    if (m_queue.isEmpty()) {
        response =
            FakeResponse::json(500, R"({"error":{"type":"fake_server","message":"no response queued"}})");
    } else {
        response = m_queue.dequeue();
    }
    if (response.silent)
        return;
    QPointer<QTcpSocket> guard(socket);
    auto send = [this, guard, response] {
        if (!guard)
            return;
        QByteArray head =
            "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
        for (const auto &[name, value] : response.headers)
            head += name + ": " + value + "\r\n";
        switch (response.framing) {
        case FakeResponse::Framing::Chunked:
            head += "Transfer-Encoding: chunked\r\n";
            break;
        case FakeResponse::Framing::ContentLength:
            head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
            break;
        case FakeResponse::Framing::CloseDelimited:
            head += "Connection: close\r\n";
            break;
        }
        head += "\r\n";
        guard->write(head);
        m_bodyBytesWritten = 0;
        m_writeLog.clear();
        startBody(guard, response);
    };
    if (response.headerDelayMs > 0)
        QTimer::singleShot(response.headerDelayMs, socket, send);
    else
        send();
}

void FakeServer::startBody(QTcpSocket *socket, const FakeResponse &response)
{
    QList<qint64> cuts; // piece ends, for RandomSplits
    if (response.delivery == FakeResponse::Delivery::RandomSplits) {
        std::mt19937 random(response.seed);
        std::uniform_int_distribution<qint64> size(1, 97);
        for (qint64 at = 0; at < response.body.size();) {
            at = std::min<qint64>(response.body.size(), at + size(random));
            cuts.append(at);
        }
    }
    writePiece(socket, response, 0, cuts, 0);
}

void FakeServer::writePiece(QTcpSocket *socket, const FakeResponse &response, qint64 offset,
                            const QList<qint64> &cuts, int next)
{
    const qint64 total = response.body.size();
    qint64 end = total;
    switch (response.delivery) {
    case FakeResponse::Delivery::OneWrite:
        break;
    case FakeResponse::Delivery::RandomSplits:
        end = cuts.value(next, total);
        break;
    case FakeResponse::Delivery::Drip:
        end = std::min(total, offset + response.dripBytes);
        break;
    }
    if (response.pauseAfterBytes > offset && end >= response.pauseAfterBytes) {
        writeBodyBytes(socket, response, response.body.mid(offset, response.pauseAfterBytes - offset));
        QPointer<QTcpSocket> guard(socket);
        FakeResponse rest = response;
        rest.pauseAfterBytes = -1;
        const qint64 from = response.pauseAfterBytes;
        m_resume = [this, guard, rest, from, cuts, next] {
            if (guard)
                writePiece(guard, rest, from, cuts, next);
        };
        emit paused();
        return;
    }
    const bool dropping = response.dropAfterBytes >= 0 && end >= response.dropAfterBytes;
    if (dropping)
        end = response.dropAfterBytes;
    if (end > offset)
        writeBodyBytes(socket, response, response.body.mid(offset, end - offset));
    if (dropping) {
        // Gone mid-body: the queued bytes are sent, then the connection closes without ending
        // the body properly.
        emit responseWritten();
        socket->disconnectFromHost();
        return;
    }
    if (end >= total) {
        endBody(socket, response);
        return;
    }
    QPointer<QTcpSocket> guard(socket);
    const int delay = response.delivery == FakeResponse::Delivery::Drip ? response.dripIntervalMs : 0;
    QTimer::singleShot(delay, socket, [this, guard, response, end, cuts, next] {
        if (guard)
            writePiece(guard, response, end, cuts, next + 1);
    });
}

void FakeServer::writeBodyBytes(QTcpSocket *socket, const FakeResponse &response, const QByteArray &bytes)
{
    if (response.framing == FakeResponse::Framing::Chunked)
        socket->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
    else
        socket->write(bytes);
    socket->flush();
    m_bodyBytesWritten += bytes.size();
    m_writeLog.append({std::chrono::steady_clock::now(), m_bodyBytesWritten});
}

void FakeServer::endBody(QTcpSocket *socket, const FakeResponse &response)
{
    emit responseWritten();
    if (response.holdOpen)
        return;
    switch (response.framing) {
    case FakeResponse::Framing::Chunked:
        socket->write("0\r\n\r\n");
        break;
    case FakeResponse::Framing::ContentLength:
        break;
    case FakeResponse::Framing::CloseDelimited:
        socket->disconnectFromHost();
        break;
    }
}

} // namespace moonpane::test
