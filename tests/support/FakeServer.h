// FakeServer is a real HTTP/1.1 server on the loopback interface (QTcpServer), for tests that
// exercise the real QNetworkAccessManager, chunked transfer, timeouts and dropped connections.
// It answers queued responses in order, recording every request it gets. Requests to the Files
// API (…/files) are answered apart, by a fake of Moonshot's (setFilesApi), or with 404 as a
// server without one does (Anyfast), and recorded apart (fileRequests()). A response can be
// written in one go, split at seeded random points, or dripped a few bytes at a time; it can
// stop mid-body and drop the connection, delay its headers, or never answer.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QQueue>
#include <QUrl>

#include <chrono>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace moonpane::test {

struct RecordedRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;

    QJsonObject json() const; // the body as a JSON object
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

struct FakeResponse
{
    enum class Delivery { OneWrite, RandomSplits, Drip };
    enum class Framing {
        Chunked, // Transfer-Encoding: chunked (what streaming servers send)
        ContentLength,
        CloseDelimited, // no length: the body ends when the connection closes
    };

    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    Delivery delivery = Delivery::OneWrite;
    Framing framing = Framing::Chunked;
    quint32 seed = 1; // RandomSplits
    int dripBytes = 1; // Drip: this many bytes per tick
    int dripIntervalMs = 2;
    qint64 dropAfterBytes = -1; // abort the connection after this many body bytes
    qint64 pauseAfterBytes = -1; // stop after this many body bytes until FakeServer::resume()
    bool holdOpen = false; // after the body, neither end the chunked body nor close
    int headerDelayMs = 0;
    bool silent = false; // accept the request and never answer

    // text/event-stream body
    static FakeResponse sse(const QByteArray &body);
    // A stream whose content counts "w0 w1 w2 …" up to w<count - 1>, then stops.
    static FakeResponse counting(int count);
    // A fixture from tests/support/fixtures, as an event stream (or JSON for *.json).
    static FakeResponse fixture(const QString &name);
    static FakeResponse json(int status, const QByteArray &body);
    static FakeResponse html(int status, const QByteArray &body);
    FakeResponse &withHeader(const QByteArray &name, const QByteArray &value);
};

// The directory of the fixture files, and one file's bytes.
QString fixturesDir();
QByteArray fixtureBytes(const QString &name);

// A loopback port that refuses connections and that no other process can take meanwhile: a TCP
// socket bound to it that never listens.
class RefusingPort final
{
public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort &) = delete;
    RefusingPort &operator=(const RefusingPort &) = delete;
    QUrl baseUrl() const;

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

class FakeServer final : public QObject
{
    Q_OBJECT

public:
    explicit FakeServer(QObject *parent = nullptr);
    ~FakeServer() override;

    // Listens on 127.0.0.1, on `port` or a free one. Returns false if it cannot.
    bool listen(quint16 port = 0);
    QUrl baseUrl() const; // http://127.0.0.1:PORT
    quint16 port() const;

    // Responses are answered in order; a requestReceived() handler may still enqueue the answer
    // to the request it was told about. With none queued, the answer is a 500.
    void enqueue(const FakeResponse &response);
    int pending() const { return m_queue.size(); }
    const QList<RecordedRequest> &requests() const { return m_requests; }
    // The Files API: GET …/files lists {"object":"list","data":[]}, POST …/files takes a
    // multipart upload and answers a FileObject with id "file-N". Off: 404 for both.
    void setFilesApi(bool on) { m_filesApi = on; }
    const QList<RecordedRequest> &fileRequests() const { return m_fileRequests; }
    RecordedRequest lastRequest() const { return m_requests.value(m_requests.size() - 1); }
    // Body bytes written so far for the current response (drip tests).
    qint64 bodyBytesWritten() const { return m_bodyBytesWritten; }
    // When each piece of the current body was handed to the socket, and how many body bytes had
    // been written by then (durability tests: what a client could have had at a given moment).
    using WriteLog = QList<std::pair<std::chrono::steady_clock::time_point, qint64>>;
    const WriteLog &writeLog() const { return m_writeLog; }
    // Closes every open connection abruptly.
    void dropAll();
    // Continues a response held by pauseAfterBytes.
    void resume();

signals:
    void requestReceived();
    void responseWritten(); // the whole body (or up to the drop) was written
    void paused(); // a response stopped at pauseAfterBytes

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const RecordedRequest &request);
    void startBody(QTcpSocket *socket, const FakeResponse &response);
    void writePiece(QTcpSocket *socket, const FakeResponse &response, qint64 offset,
                    const QList<qint64> &cuts, int next);
    void writeBodyBytes(QTcpSocket *socket, const FakeResponse &response, const QByteArray &bytes);
    void endBody(QTcpSocket *socket, const FakeResponse &response);

    QTcpServer *m_server;
    QQueue<FakeResponse> m_queue;
    QList<RecordedRequest> m_requests;
    QList<RecordedRequest> m_fileRequests;
    bool m_filesApi = false;
    void answerFiles(QTcpSocket *socket, const RecordedRequest &request);
    QHash<QTcpSocket *, QByteArray> m_buffers;
    qint64 m_bodyBytesWritten = 0;
    WriteLog m_writeLog;
    std::function<void()> m_resume;
};

} // namespace moonpane::test
