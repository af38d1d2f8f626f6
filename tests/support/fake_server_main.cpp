// moonpane-fake-server: the tests' loopback server as a program, for trying the app and the CLI
// without a real API (and for screenshots). Requests get the fixtures in the order given
// (--fixture may be repeated: a tool call, then the answer), the last one again and again.
//
//   moonpane-fake-server [--port N] [--fixture NAME] [--drip BYTES_PER_TICK] [--interval MS]
//                        [--status CODE [--retry-after SECONDS]]
//
// NAME is a file in tests/support/fixtures (default kimi_thinking.sse), or an absolute path.
// --drip applies to each of them.
// With --status, every request gets that HTTP error with a Kimi-style error body instead.
// Prints the base URL.
#include "FakeServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"port"_s, u"port to listen on (0: any free port)"_s, u"N"_s, u"0"_s});
    parser.addOption(
        {u"fixture"_s,
         u"fixture to answer with (repeatable: one per request, in order, then the last again)"_s, u"NAME"_s,
         u"kimi_thinking.sse"_s});
    parser.addOption({u"drip"_s, u"send this many bytes per tick (0: all at once)"_s, u"BYTES"_s, u"0"_s});
    parser.addOption({u"interval"_s, u"milliseconds between ticks"_s, u"MS"_s, u"20"_s});
    parser.addOption({u"status"_s, u"answer with this HTTP error status"_s, u"CODE"_s});
    parser.addOption({u"retry-after"_s, u"Retry-After seconds for --status"_s, u"SECONDS"_s});
    parser.process(app);

    moonpane::test::FakeServer server;
    const quint16 port = parser.value(u"port"_s).toUShort();
    if (!server.listen(port)) {
        std::fprintf(stderr, "cannot listen on port %u\n", port);
        return 1;
    }
    QList<moonpane::test::FakeResponse> responses;
    const QStringList fixtures = parser.values(u"fixture"_s).isEmpty() ? QStringList {u"kimi_thinking.sse"_s}
                                                                       : parser.values(u"fixture"_s);
    for (const QString &fixture : fixtures) {
        moonpane::test::FakeResponse next = moonpane::test::FakeResponse::fixture(fixture);
        if (const int drip = parser.value(u"drip"_s).toInt(); drip > 0) {
            next.delivery = moonpane::test::FakeResponse::Delivery::Drip;
            next.dripBytes = drip;
            next.dripIntervalMs = parser.value(u"interval"_s).toInt();
        }
        responses.append(next);
    }
    moonpane::test::FakeResponse response = responses.constFirst();
    if (parser.isSet(u"status"_s)) {
        const int status = parser.value(u"status"_s).toInt();
        response = moonpane::test::FakeResponse::json(
            status,
            status == 429
                ? R"({"error":{"message":"The engine is currently overloaded, please try again later","type":"engine_overloaded_error"}})"
                : R"({"error":{"message":"Something went wrong on the server","type":"server_error"}})");
        if (parser.isSet(u"retry-after"_s))
            response.withHeader("Retry-After", parser.value(u"retry-after"_s).toUtf8());
        responses = {response};
    }
    qsizetype next = 0;
    QObject::connect(&server, &moonpane::test::FakeServer::requestReceived, &server,
                     [&server, &responses, &next] {
                         server.enqueue(responses.at(std::min(next++, responses.size() - 1)));
                     });
    std::printf("%s\n", qPrintable(server.baseUrl().toString()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
