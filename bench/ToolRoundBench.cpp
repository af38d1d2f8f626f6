// moonpane-bench tool-round [--rounds N]: the span from a reply that ends with finish_reason
// "tool_calls" to the next request on the wire, over N rounds of one turn, through the engine
// the app and the CLI use (ChatSession, ToolRunner, a command tool: /bin/cat, which answers at
// once with its input). The server runs on a thread of its own and notes when each request has
// arrived whole. Prints {"rounds","median_ms","p99_ms","max_ms"}; "engine_*" for the span to the
// moment the request is handed to the network stack (QNetworkAccessManager); and, measured in
// the same run, what starting /bin/cat costs by itself (the physical part of a command tool's
// round). Target: p99 under 5 ms. With --quickack the server acknowledges every read at once
// (TCP_QUICKACK): on loopback a body Qt writes in two pieces otherwise waits for the receiver's
// delayed acknowledgement (Nagle's algorithm is on in Qt's HTTP sockets): 40 ms.
#include "BenchCommon.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"
#include "tools/ToolRegistry.h"
#include "tools/ToolRunner.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace moonpane::bench {

namespace {

using Clock = std::chrono::steady_clock;

QByteArray chunk(const QByteArray &delta, const char *finish = nullptr)
{
    QByteArray choice = "{\"index\":0,\"delta\":" + delta;
    if (finish)
        choice += ",\"finish_reason\":\"" + QByteArray(finish) + "\"";
    return "data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"choices\":[" + choice + "}]}\n\n";
}

// Answers each request over keep-alive connections: a tool call until the last round, then an
// answer; notes when each request body was complete.
class Server final : public QObject
{
public:
    int rounds = 0;
    bool quickAck = false;
    std::atomic<quint16> port {0};
    std::mutex mutex;
    std::vector<Clock::time_point> arrivals;

    void listen()
    {
        m_server = new QTcpServer(this);
        m_server->listen(QHostAddress::LocalHost);
        port = m_server->serverPort();
        connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection()) {
                socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        if (quickAck) { // acknowledge at once, as a receiver across a real network path would
            int on = 1;
            ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
        }
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer.left(end).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qint64 length =
                at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
            if (buffer.size() < end + 4 + length)
                return;
            buffer.remove(0, end + 4 + length);
            int round;
            {
                std::lock_guard lock(mutex);
                arrivals.push_back(Clock::now());
                round = int(arrivals.size());
            }
            QByteArray body = chunk("{\"role\":\"assistant\",\"reasoning_content\":\"Once more.\"}");
            if (round <= rounds) {
                body += chunk(
                    "{\"tool_calls\":[{\"index\":0,\"id\":\"functions.echo_args:0\",\"type\":\"function\","
                    "\"function\":{\"name\":\"echo_args\",\"arguments\":\"\"}}]}");
                body += chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"round\\\":"
                              + QByteArray::number(round) + "}\"}}]}");
                body += chunk("{}", "tool_calls");
            } else {
                body += chunk("{\"content\":\"Done.\"}");
                body += chunk("{}", "stop");
            }
            body += "data: [DONE]\n\n";
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\nConnection: keep-alive\r\n\r\n" + body);
        }
    }

    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

double spawnMs(const QString &program)
{
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(program, {});
    process.write("{\"round\":1}");
    process.closeWriteChannel();
    process.waitForFinished(5000);
    return static_cast<double>(clock.nsecsElapsed()) / 1e6;
}

} // namespace

int runToolRound(const QStringList &args)
{
    const int rounds = option(args, QStringLiteral("--rounds"), QStringLiteral("300")).toInt();
    if (rounds < 1) {
        std::fprintf(stderr, "usage: moonpane-bench tool-round [--rounds N] [--quickack]\n");
        return 2;
    }
    QThread serverThread;
    Server server;
    server.rounds = rounds;
    server.quickAck = args.contains(QStringLiteral("--quickack"));
    server.moveToThread(&serverThread);
    serverThread.start();
    QMetaObject::invokeMethod(
        &server, [&server] { server.listen(); }, Qt::BlockingQueuedConnection);

    ChatClient client;
    Endpoint endpoint;
    endpoint.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port.load()));
    endpoint.apiKey = QStringLiteral("bench-key");
    client.setEndpoint(endpoint);
    Conversation conversation;
    ChatSession session(&client, &conversation);
    session.setMaxToolRounds(rounds + 1);
    ToolRegistry registry;
    const QJsonObject function {
        {QStringLiteral("name"), QStringLiteral("echo_args")},
        {QStringLiteral("parameters"),
         QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                      {QStringLiteral("properties"),
                       QJsonObject {{QStringLiteral("round"),
                                     QJsonObject {{QStringLiteral("type"), QStringLiteral("integer")}}}}}}}};
    registry.setDefinitions({QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                          {QStringLiteral("function"), function}}});
    CommandSpec cat;
    cat.program = QStringLiteral("/bin/cat");
    registry.bindCommand(QStringLiteral("echo_args"), cat);
    registry.setApprovalForAll(ToolApproval::Always);
    session.setToolSource([&registry] { return registry.definitions(); });
    ToolRunner runner(&session, &registry);

    std::vector<Clock::time_point> finishes;
    std::vector<Clock::time_point> posts; // the next request handed to the network stack
    QObject::connect(&session, &ChatSession::stateChanged, &session, [&](ChatSession::TurnState state) {
        if (state == ChatSession::TurnState::AwaitingApproval)
            finishes.push_back(Clock::now());
    });
    QObject::connect(&session, &ChatSession::replyStarted, &session, [&] { posts.push_back(Clock::now()); });
    if (const QStringList problems = session.send(QStringLiteral("Call the tool until told otherwise."));
        !problems.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(problems.join(u'\n')));
        return 1;
    }
    const bool ended = runUntil([&session] { return !session.isBusy(); }, 120'000);
    serverThread.quit();
    serverThread.wait();
    if (!ended || session.state() != ChatSession::TurnState::Done || int(finishes.size()) != rounds
        || int(server.arrivals.size()) != rounds + 1) {
        std::fprintf(stderr, "the turn did not run its %d rounds (state %d, %zu finishes, %zu requests)\n",
                     rounds, int(session.state()), finishes.size(), server.arrivals.size());
        return 1;
    }
    std::vector<double> spans;
    std::vector<double> engine;
    for (int i = 0; i < rounds; ++i)
        engine.push_back(
            std::chrono::duration<double, std::milli>(posts.at(size_t(i) + 1) - finishes.at(size_t(i)))
                .count());
    for (int i = 0; i < rounds; ++i)
        spans.push_back(std::chrono::duration<double, std::milli>(server.arrivals.at(size_t(i) + 1)
                                                                  - finishes.at(size_t(i)))
                            .count());
    if (qEnvironmentVariableIsSet("MOONPANE_BENCH_SPANS")) {
        for (double span : spans)
            std::fprintf(stderr, "%.2f\n", span);
    }
    std::vector<double> spawns;
    for (int i = 0; i < 50; ++i)
        spawns.push_back(spawnMs(cat.program));

    const QJsonObject out {
        {QStringLiteral("bench"), QStringLiteral("tool-round")},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("quickack"), server.quickAck},
        {QStringLiteral("median_ms"), percentile(spans, 0.5)},
        {QStringLiteral("p99_ms"), percentile(spans, 0.99)},
        {QStringLiteral("max_ms"), *std::max_element(spans.begin(), spans.end())},
        {QStringLiteral("engine_median_ms"), percentile(engine, 0.5)},
        {QStringLiteral("engine_p99_ms"), percentile(engine, 0.99)},
        {QStringLiteral("first_ms"), spans.front()},
        {QStringLiteral("last_ms"), spans.back()},
        {QStringLiteral("spawn_cat_median_ms"), percentile(spawns, 0.5)},
        {QStringLiteral("spawn_cat_p99_ms"), percentile(spawns, 0.99)},
        {QStringLiteral("messages"), int(conversation.history().size())},
    };
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

} // namespace moonpane::bench
