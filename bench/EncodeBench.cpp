// moonpane-bench encode --input FILE: writes a complete request body carrying FILE (a user
// message with one attachment) to a null sink through the code a real send uses (ChatRequest →
// RequestBody → RequestBodyDevice, read the way the network reads it: whatever is there), and
// prints {"bytes","seconds","mb_per_s","peak_rss_mb"}. In the same run it times coreutils
// `base64 -w0 FILE > /dev/null`, the physical yardstick: "base64_seconds" and "ratio" (ours
// against it; the target is at least 0.6) and "file_mb".
#include "BenchCommon.h"
#include "api/ChatRequest.h"
#include "api/RequestBodyDevice.h"
#include "media/MediaFormats.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

#include <cstdio>

namespace moonpane::bench {

int runEncode(const QStringList &args)
{
    const QString input = option(args, QStringLiteral("--input"));
    if (input.isEmpty() || !QFileInfo(input).isFile()) {
        std::fprintf(stderr, "usage: moonpane-bench encode --input FILE\n");
        return 2;
    }
    QFile file(input);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const MediaFormats::Sniffed sniffed = MediaFormats::sniff(&file);
    MediaRef media;
    media.path = QFileInfo(input).absoluteFilePath();
    media.mimeType =
        sniffed.handling == MediaFormats::Handling::Refused ? QStringLiteral("video/mp4") : sniffed.mimeType;
    media.bytes = file.size();
    media.name = QFileInfo(input).fileName();
    file.close();

    ChatMessage message = ChatMessage::user(QStringLiteral("What is in this?"));
    message.parts = {ContentPart::fromText(message.content), ContentPart::fromMedia(media)};
    ChatRequest request;
    request.messages = {message};

    QElapsedTimer clock;
    clock.start();
    RequestBodyDevice device(request.toBody());
    QByteArray buffer(64 * 1024, Qt::Uninitialized); // what a socket takes at a time
    qint64 bytes = 0;
    bool failed = false;
    QObject::connect(&device, &RequestBodyDevice::failed, [&failed](const QString &why) {
        std::fprintf(stderr, "%s\n", qPrintable(why));
        failed = true;
    });
    for (;;) {
        const qint64 n = device.read(buffer.data(), buffer.size());
        if (n < 0 || failed)
            break;
        if (n > 0) {
            bytes += n;
            continue;
        }
        if (device.bytesAvailable() == 0 && !device.atEnd()) {
            QEventLoop wait; // until the writing thread has more
            QObject::connect(&device, &QIODevice::readyRead, &wait, &QEventLoop::quit);
            QObject::connect(&device, &RequestBodyDevice::failed, &wait, &QEventLoop::quit);
            QTimer::singleShot(1000, &wait, &QEventLoop::quit);
            wait.exec();
        }
    }
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (failed || bytes != device.bodySize()) {
        std::fprintf(stderr, "the body was not written whole (%lld of %lld bytes)\n", bytes,
                     device.bodySize());
        return 1;
    }

    // The yardstick, in the same run.
    QProcess base64;
    base64.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer yardstick;
    yardstick.start();
    base64.start(QStringLiteral("base64"), {QStringLiteral("-w0"), input});
    base64.waitForFinished(-1);
    const double base64Seconds = static_cast<double>(yardstick.nsecsElapsed()) / 1e9;

    printJson({
        {QStringLiteral("bytes"), bytes},
        {QStringLiteral("seconds"), seconds},
        {QStringLiteral("mb_per_s"), static_cast<double>(bytes) / 1e6 / seconds},
        {QStringLiteral("peak_rss_mb"), peakRssMb()},
        {QStringLiteral("peak_buffered_mb"), static_cast<double>(device.peakBuffered()) / 1e6},
        {QStringLiteral("file_mb"), static_cast<double>(media.bytes) / 1e6},
        {QStringLiteral("base64_seconds"), base64Seconds},
        {QStringLiteral("ratio"), base64Seconds / seconds},
    });
    return 0;
}

} // namespace moonpane::bench
