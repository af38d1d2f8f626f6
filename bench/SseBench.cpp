// moonpane-bench sse --input FILE [--repeat N] [--read-size BYTES] [--wire]
//
// Parses and assembles a recorded stream as fast as it can through StreamDecoder, the very
// SseParser + StreamAssembler path that ChatClient runs, reading FILE in 64 KiB reads as the peer
// benchmark does. Checks the result against FILE.expected.json (exit 1 on mismatch) and prints,
// last, one JSON line with the best of N runs. With --wire every line also goes to a
// WireRecorder as ChatCall hands it over in the app (looked at for the key, then recorded): the
// cost the wire inspector's recording adds to a stream, measured beside the same peers.
#include "BenchCommon.h"
#include "api/StreamDecoder.h"
#include "api/WireRecorder.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

QJsonObject replyJson(const AssistantReply &reply)
{
    QJsonArray calls;
    for (const ToolCall &call : reply.toolCalls)
        calls.append(call.toJson());
    return QJsonObject {
        {u"content"_s, reply.content},
        {u"reasoning_content"_s, reply.reasoningContent},
        {u"tool_calls"_s, calls},
        {u"finish_reason"_s, reply.finishReason},
        {u"usage"_s, reply.usage ? QJsonValue(reply.usage->raw) : QJsonValue()},
    };
}

} // namespace

int runSse(const QStringList &args)
{
    const QString input = option(args, u"--input"_s);
    const int repeat = option(args, u"--repeat"_s, u"5"_s).toInt();
    const qint64 readSize = option(args, u"--read-size"_s, u"65536"_s).toLongLong();
    const bool wire = args.contains(u"--wire"_s);
    if (input.isEmpty() || repeat < 1 || readSize < 1) {
        std::fprintf(stderr,
                     "usage: moonpane-bench sse --input FILE [--repeat N] [--read-size BYTES] [--wire]\n");
        return 2;
    }
    QFile expectedFile(input + u".expected.json"_s);
    if (!expectedFile.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot open %s.expected.json\n", qPrintable(input));
        return 2;
    }
    const QJsonObject expected = QJsonDocument::fromJson(expectedFile.readAll()).object();

    std::vector<char> buffer(static_cast<size_t>(readSize));
    double best = 1e300;
    qint64 bytes = 0;
    qint64 chunks = 0;
    for (int run = 0; run < repeat; ++run) {
        QFile file(input);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
            std::fprintf(stderr, "cannot open %s\n", qPrintable(input));
            return 2;
        }
        QElapsedTimer timer;
        timer.start();
        StreamDecoder decoder;
        WireRecorder recorder;
        const std::string_view apiKey = "fake-bench-key-0123456789";
        if (wire) {
            WireObserver::Request request;
            request.method = "POST";
            recorder.requestSent(request);
            decoder.setLineObserver([&recorder, apiKey](std::string_view line) {
                if (line.find(apiKey) == std::string_view::npos) // what ChatCall looks for first
                    recorder.lineReceived(line);
            });
        }
        bytes = 0;
        for (qint64 n; (n = file.read(buffer.data(), readSize)) > 0;) {
            decoder.feed(buffer.data(), static_cast<size_t>(n));
            bytes += n;
        }
        decoder.finish();
        const AssistantReply reply = decoder.assembler().reply();
        const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        best = std::min(best, seconds);
        chunks = decoder.assembler().chunkCount();

        if (!decoder.assembler().isDone() || decoder.assembler().hasError()) {
            std::fprintf(stderr, "stream did not complete: %s\n",
                         qPrintable(decoder.assembler().error().summary()));
            return 1;
        }
        const QJsonObject got = replyJson(reply);
        if (got != expected) {
            for (const QString &key : expected.keys()) {
                if (got.value(key) != expected.value(key))
                    std::fprintf(stderr, "mismatch in %s\n", qPrintable(key));
            }
            return 1;
        }
    }
    printJson(QJsonObject {
        {u"bench"_s, u"sse"_s},
        {u"parser"_s, wire ? u"moonpane+wire"_s : u"moonpane"_s},
        {u"bytes"_s, bytes},
        {u"chunks"_s, chunks},
        {u"seconds"_s, best},
        {u"mb_per_s"_s, static_cast<double>(bytes) / 1e6 / best},
        {u"chunks_per_s"_s, static_cast<double>(chunks) / best},
        {u"peak_rss_mb"_s, peakRssMb()},
    });
    return 0;
}

} // namespace moonpane::bench
