// moonpane-bench attach --input FILE: attaches FILE to the real composer (the main window,
// offscreen, keeping its history in a temporary folder), sends it with a question to a loopback
// server that reads the whole request and answers a short stream, and prints
// {"time_to_thumbnail_ms","max_ui_stall_ms","peak_rss_mb"} and the times of each step. The
// server runs on a thread of its own, so that the UI thread does only what the app does.
// Targets (a 100 MB video): the thumbnail within 500 ms, no stall of the UI thread over 16 ms.
#include "BenchCommon.h"
#include "Composer.h"
#include "MainWindow.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"
#include "media/AttachmentModel.h"
#include "storage/ConversationStore.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>

namespace moonpane::bench {

namespace {

// Reads each request whole, throws it away, and answers as Moonshot's API would: a Files API
// (GET …/files lists, POST …/files takes an upload) and a short event stream for a chat request.
class Sink final : public QObject
{
public:
    std::atomic<qint64> received {0};
    std::atomic<quint16> port {0};

    void listen()
    {
        m_server = new QTcpServer(this);
        m_server->listen(QHostAddress::LocalHost);
        port = m_server->serverPort();
        connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                serve(socket);
        });
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto header = std::make_shared<QByteArray>();
        auto left = std::make_shared<qint64>(-1);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, header, left] {
            while (socket->bytesAvailable() > 0) {
                if (*left < 0) {
                    header->append(socket->read(4096));
                    const qsizetype end = header->indexOf("\r\n\r\n");
                    if (end < 0)
                        continue;
                    const qsizetype at = header->toLower().indexOf("content-length:");
                    const qint64 length = at < 0 || at > end
                        ? 0
                        : header->mid(at + 15, header->indexOf('\r', at) - at - 15).trimmed().toLongLong();
                    *left = length - (header->size() - end - 4);
                    received += header->size() - end - 4;
                } else {
                    const QByteArray piece = socket->read(std::min<qint64>(*left, 1 << 20));
                    *left -= piece.size();
                    received += piece.size();
                }
                if (*left == 0) {
                    const QByteArray line = header->left(header->indexOf('\r'));
                    QByteArray type = "text/event-stream";
                    QByteArray body =
                        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A test pattern.\"}}]}\n\n"
                        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                        "data: [DONE]\n\n";
                    if (line.contains("/files ")) {
                        type = "application/json";
                        body = line.startsWith("GET")
                            ? QByteArray("{\"object\":\"list\",\"data\":[]}")
                            : QByteArray("{\"id\":\"file-bench\",\"object\":\"file\"}");
                    }
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: "
                                  + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                    socket->disconnectFromHost();
                    *left = -1;
                    header->clear();
                    return;
                }
            }
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    QTcpServer *m_server = nullptr;
};

} // namespace

int runAttach(const QStringList &args)
{
    const QString input = option(args, QStringLiteral("--input"));
    if (input.isEmpty() || !QFileInfo(input).isFile()) {
        std::fprintf(stderr, "usage: moonpane-bench attach --input FILE\n");
        return 2;
    }
    QTemporaryDir home;
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CACHE_HOME", home.filePath(QStringLiteral("cache")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("MOONPANE_API_KEY", "bench-key");

    QThread sinkThread;
    Sink sink;
    sink.moveToThread(&sinkThread);
    sinkThread.start();
    QMetaObject::invokeMethod(
        &sink, [&sink] { sink.listen(); }, Qt::BlockingQueuedConnection);
    qputenv("MOONPANE_BASE_URL", "http://127.0.0.1:" + QByteArray::number(sink.port.load()));

    ConversationStore store;
    QString error;
    if (!store.open({}, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    int status = 0;
    {
        MainWindow window(&store);
        window.resize(1100, 760);
        window.show();
        // Settle (fonts, the first paints) and learn whether the server takes uploads.
        runUntil([&window] { return window.client()->filesApi() != ChatClient::FilesApi::Unknown; }, 5000);
        runUntil([] { return false; }, 300);

        AttachmentModel *attachments = window.attachments();
        StallWatch stalls;
        stalls.start();
        QElapsedTimer clock;
        clock.start();
        attachments->attachFiles({input});
        // The strip asks for the thumbnail when it paints; the bench asks the model the same way.
        const auto thumbnail = [&] {
            return attachments->rowCount() > 0
                && !attachments->index(0)
                        .data(int(AttachmentModel::Roles::Thumbnail))
                        .value<QImage>()
                        .isNull();
        };
        const bool thumbnailShown = runUntil(thumbnail, 30'000);
        const double thumbnailMs = static_cast<double>(clock.elapsed());
        const bool imported = runUntil([&] { return attachments->importing(true) == 0; }, 120'000);
        const double importedMs = static_cast<double>(clock.elapsed());
        const double attachStall = stalls.maxStallMs();
        StallWatch sendStalls;
        sendStalls.start();
        if (!imported || attachments->rowCount() != 1) {
            std::fprintf(stderr, "the file was not attached: %s (files API %d)\n",
                         qPrintable(window.composer()->problemText()), int(window.client()->filesApi()));
            status = 1;
        } else {
            QElapsedTimer sendCall;
            sendCall.start();
            window.send(QStringLiteral("What is in this?"));
            const double sendCallMs = static_cast<double>(sendCall.nsecsElapsed()) / 1e6;
            ChatSession *session = window.session(window.currentConversation());
            const bool answered = runUntil([&] { return !session->isBusy(); }, 300'000);
            const double sentMs = static_cast<double>(clock.elapsed());
            stalls.stop();
            sendStalls.stop();
            if (!answered || session->state() != ChatSession::TurnState::Done) {
                std::fprintf(stderr, "the request did not complete\n");
                status = 1;
            }
            printJson({
                {QStringLiteral("file_mb"), static_cast<double>(QFileInfo(input).size()) / 1e6},
                {QStringLiteral("time_to_thumbnail_ms"), thumbnailShown ? thumbnailMs : -1.0},
                {QStringLiteral("imported_ms"), importedMs},
                {QStringLiteral("sent_and_answered_ms"), sentMs},
                {QStringLiteral("request_mb"), static_cast<double>(sink.received.load()) / 1e6},
                {QStringLiteral("max_ui_stall_ms"), stalls.maxStallMs()},
                {QStringLiteral("max_ui_stall_attaching_ms"), attachStall},
                {QStringLiteral("max_ui_stall_sending_ms"), sendStalls.maxStallMs()},
                {QStringLiteral("send_call_ms"), sendCallMs},
                {QStringLiteral("peak_rss_mb"), peakRssMb()},
            });
        }
    }
    sinkThread.quit();
    sinkThread.wait();
    return status;
}

} // namespace moonpane::bench
