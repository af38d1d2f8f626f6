// Request bodies with media: the base64 encoder, the body's size known before a byte of media is
// read, the device that writes it on a thread of its own in bounded pieces, and the whole body
// as the real ChatClient uploads it to a real server on loopback, checked byte for byte.
#include "FakeServer.h"
#include "TestEnvironment.h"
#include "api/Base64.h"
#include "api/ChatCall.h"
#include "api/ChatClient.h"
#include "api/ChatRequest.h"
#include "api/RequestBody.h"
#include "api/RequestBodyDevice.h"
#include "api/WireTrace.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(random.bounded(256));
    return bytes;
}

// A message with a text part and media parts, each referring to a file.
ChatRequest requestWith(const QList<MediaRef> &media, const QString &text = u"What is in these?"_s)
{
    ChatMessage message = ChatMessage::user(text);
    message.parts.append(ContentPart::fromText(text));
    for (const MediaRef &ref : media)
        message.parts.append(ContentPart::fromMedia(ref));
    ChatRequest request;
    request.messages = {message};
    return request;
}

// Everything the device gives, read the way Qt Network reads it: whatever is there when it says
// there is something, until the end.
QByteArray drain(RequestBodyDevice *device, int timeoutMs = 20'000)
{
    QByteArray all;
    QDeadlineTimer deadline(timeoutMs);
    char buffer[16 * 1024];
    for (;;) {
        const qint64 n = device->read(buffer, sizeof buffer);
        if (n < 0)
            break;
        if (n > 0) {
            all.append(buffer, static_cast<qsizetype>(n));
            continue;
        }
        if (deadline.hasExpired())
            break;
        QSignalSpy ready(device, &QIODevice::readyRead);
        if (device->bytesAvailable() == 0 && !device->atEnd())
            ready.wait(1000);
    }
    return all;
}

} // namespace

class TestRequestBody : public QObject
{
    Q_OBJECT

private slots:
    void base64MatchesQt_data();
    void base64MatchesQt();
    void base64InPiecesIsTheWhole();
    void sizeIsKnownWithoutReadingAndExact();
    void bodyCarriesTheExactBase64InOrder();
    void deviceWritesTheBodyInBoundedPieces();
    void deviceSaysWhenAFileChangedOrWentAway_data();
    void deviceSaysWhenAFileChangedOrWentAway();
    void uploadThroughTheRealClient();
    void uploadOfAFileThatWentAwayFailsClearly();
    void traceElidesTheMedia();

private:
    MediaRef write(const QString &name, const QByteArray &bytes, const QString &mime);
    TestEnvironment m_env;
};

MediaRef TestRequestBody::write(const QString &name, const QByteArray &bytes, const QString &mime)
{
    MediaRef ref;
    ref.path = m_env.writeFile(name, bytes);
    ref.mimeType = mime;
    ref.bytes = bytes.size();
    ref.name = name;
    ref.hash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    return ref;
}

void TestRequestBody::base64MatchesQt_data()
{
    QTest::addColumn<int>("size");
    for (int size : {0, 1, 2, 3, 4, 5, 6, 7, 100, 1000, 65'537})
        QTest::newRow(qPrintable(QString::number(size))) << size;
}

void TestRequestBody::base64MatchesQt()
{
    QFETCH(int, size);
    const QByteArray bytes = randomBytes(size, 7 + static_cast<quint32>(size));
    QByteArray out(static_cast<qsizetype>(Base64::encodedSize(size)), Qt::Uninitialized);
    QCOMPARE(Base64::encode(bytes.constData(), size, out.data()), Base64::encodedSize(size));
    QCOMPARE(out, bytes.toBase64());
}

void TestRequestBody::base64InPiecesIsTheWhole()
{
    const QByteArray bytes = randomBytes(3 * 1000 + 2, 11);
    QByteArray out;
    for (qsizetype at = 0; at < bytes.size(); at += 300) {
        const qsizetype piece = std::min<qsizetype>(300, bytes.size() - at);
        const qsizetype start = out.size();
        out.resize(start + static_cast<qsizetype>(Base64::encodedSize(piece)));
        Base64::encode(bytes.constData() + at, piece, out.data() + start);
    }
    QCOMPARE(out, bytes.toBase64());
}

void TestRequestBody::sizeIsKnownWithoutReadingAndExact()
{
    const MediaRef png = write(u"a.png"_s, randomBytes(10'000, 1), u"image/png"_s);
    const MediaRef mp4 = write(u"b.mp4"_s, randomBytes(30'001, 2), u"video/mp4"_s);
    const ChatRequest request = requestWith({png, mp4});
    const RequestBody body = request.toBody();
    QVERIFY(body.hasMedia());
    QCOMPARE(body.media().size(), 2);
    // The size comes from the references: with the files gone it is the same.
    const qint64 size = body.size();
    QVERIFY(QFile::rename(png.path, png.path + u".away"_s));
    QCOMPARE(request.toBody().size(), size);
    QVERIFY(QFile::rename(png.path + u".away"_s, png.path));
    QByteArray flat;
    QString error;
    QVERIFY2(body.flatten(&flat, &error), qPrintable(error));
    QCOMPARE(flat.size(), size);
    QCOMPARE(flat, request.toJson()); // the same bytes either way
}

void TestRequestBody::bodyCarriesTheExactBase64InOrder()
{
    const QByteArray pngBytes = randomBytes(4'321, 3);
    const QByteArray mp4Bytes = randomBytes(7'777, 4);
    const ChatRequest request = requestWith(
        {write(u"a.png"_s, pngBytes, u"image/png"_s), write(u"b.mp4"_s, mp4Bytes, u"video/mp4"_s)});
    QByteArray flat;
    QString error;
    QVERIFY(request.toBody().flatten(&flat, &error));
    const QJsonArray content = QJsonDocument::fromJson(flat)
                                   .object()
                                   .value("messages"_L1)
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value("content"_L1)
                                   .toArray();
    QCOMPARE(content.size(), 3);
    QCOMPARE(content.at(0).toObject().value("type"_L1).toString(), u"text"_s);
    QCOMPARE(content.at(1).toObject().value("type"_L1).toString(), u"image_url"_s);
    QCOMPARE(content.at(1).toObject().value("image_url"_L1).toObject().value("url"_L1).toString().toLatin1(),
             "data:image/png;base64," + pngBytes.toBase64());
    QCOMPARE(content.at(2).toObject().value("type"_L1).toString(), u"video_url"_s);
    QCOMPARE(content.at(2).toObject().value("video_url"_L1).toObject().value("url"_L1).toString().toLatin1(),
             "data:video/mp4;base64," + mp4Bytes.toBase64());
}

void TestRequestBody::deviceWritesTheBodyInBoundedPieces()
{
    // Three times the device's buffer: the thread must wait for the reader, not run ahead.
    const QByteArray bytes =
        randomBytes(static_cast<qsizetype>(RequestBodyDevice::kBufferBytes * 3 / 4 * 3), 5);
    const ChatRequest request = requestWith({write(u"big.webm"_s, bytes, u"video/webm"_s)});
    QByteArray expected;
    QString error;
    QVERIFY(request.toBody().flatten(&expected, &error));
    RequestBodyDevice device(request.toBody());
    QCOMPARE(device.bodySize(), expected.size());
    QVERIFY(device.isSequential());
    const QByteArray read = drain(&device);
    QCOMPARE(read.size(), expected.size());
    QVERIFY(read == expected);
    QVERIFY(device.atEnd());
    QCOMPARE(device.delivered(), expected.size());
    // What waited in memory stayed near the bound (one piece of base64 over it at most).
    QVERIFY2(device.peakBuffered() <= RequestBodyDevice::kBufferBytes + (4 << 20),
             qPrintable(QString::number(device.peakBuffered())));
}

void TestRequestBody::deviceSaysWhenAFileChangedOrWentAway_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("gone") << u"gone"_s;
    QTest::newRow("shorter") << u"shorter"_s;
    QTest::newRow("longer") << u"longer"_s;
    QTest::newRow("a folder now") << u"folder"_s;
}

void TestRequestBody::deviceSaysWhenAFileChangedOrWentAway()
{
    QFETCH(QString, change);
    const MediaRef ref = write(u"photo-%1.jpg"_s.arg(change), randomBytes(50'000, 6), u"image/jpeg"_s);
    QFile file(ref.path);
    if (change == "gone"_L1 || change == "folder"_L1) {
        QVERIFY(file.remove());
        if (change == "folder"_L1)
            QVERIFY(QDir().mkpath(ref.path));
    } else {
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(change == "shorter"_L1 ? 10'000 : 60'000));
        file.close();
    }
    RequestBodyDevice device(requestWith({ref}).toBody());
    QSignalSpy failed(&device, &RequestBodyDevice::failed);
    QTRY_COMPARE(failed.size(), 1);
    // What was written before the problem may be read; the end never comes (the upload is
    // aborted on failed(): a body shorter than its Content-Length must not look complete).
    const QByteArray read = device.readAll(); // the writer has stopped: this is all there is
    QVERIFY(read.size() < device.bodySize());
    QCOMPARE(device.read(16), QByteArray());
    QVERIFY(!device.atEnd());
    const QString why = failed.at(0).at(0).toString();
    QVERIFY2(why.contains(ref.name), qPrintable(why));
    QVERIFY2(why.contains(change == "gone"_L1 || change == "folder"_L1 ? u"cannot be read"_s : u"changed"_s),
             qPrintable(why));
}

void TestRequestBody::uploadThroughTheRealClient()
{
    FakeServer server;
    QVERIFY(server.listen());
    ChatClient client;
    Endpoint endpoint;
    endpoint.baseUrl = server.baseUrl();
    endpoint.apiKey = u"fake-key"_s;
    client.setEndpoint(endpoint);
    server.enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    // Larger than the device's buffer, so that the upload waits on the thread more than once.
    const QByteArray bytes = randomBytes(12 << 20, 8);
    const ChatRequest request = requestWith({write(u"clip.mp4"_s, bytes, u"video/mp4"_s)});
    QByteArray expected;
    QString error;
    QVERIFY(request.toBody().flatten(&expected, &error));
    ChatCall *call = client.send(request);
    QSignalSpy progress(call, &ChatCall::uploadProgressed);
    QSignalSpy finished(call, &ChatCall::finished);
    QVERIFY(finished.wait(60'000));
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QCOMPARE(server.requests().size(), 1);
    const RecordedRequest &received = server.requests().constFirst();
    QCOMPARE(received.header("content-length").toLongLong(), expected.size());
    QVERIFY(received.body == expected);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.constLast().at(0).toLongLong(), expected.size());
}

void TestRequestBody::uploadOfAFileThatWentAwayFailsClearly()
{
    FakeServer server;
    QVERIFY(server.listen());
    ChatClient client;
    Endpoint endpoint;
    endpoint.baseUrl = server.baseUrl();
    client.setEndpoint(endpoint);
    server.enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    const MediaRef ref = write(u"vanishing.png"_s, randomBytes(20'000, 9), u"image/png"_s);
    const ChatRequest request = requestWith({ref});
    QVERIFY(QFile::remove(ref.path));
    ChatCall *call = client.send(request);
    QSignalSpy finished(call, &ChatCall::finished);
    QVERIFY(finished.wait(10'000));
    QCOMPARE(call->outcome(), ChatCall::Outcome::Failed);
    QVERIFY2(call->error().message.contains(u"vanishing.png"_s), qPrintable(call->error().message));
}

void TestRequestBody::traceElidesTheMedia()
{
    const QByteArray bytes = randomBytes(300'000, 10);
    const ChatRequest request = requestWith({write(u"t.png"_s, bytes, u"image/png"_s)});
    const QByteArray described = request.toBody().describe();
    QVERIFY(described.contains("data:image/png;base64,<"));
    QVERIFY(!described.contains(bytes.toBase64().left(64)));
    QVERIFY(described.size() < 1000);

    FakeServer server;
    QVERIFY(server.listen());
    ChatClient client;
    Endpoint endpoint;
    endpoint.baseUrl = server.baseUrl();
    client.setEndpoint(endpoint);
    server.enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QBuffer file;
    QVERIFY(file.open(QIODevice::WriteOnly));
    WireTrace trace(&file);
    ChatCall *call = client.send(request, &trace);
    QSignalSpy finished(call, &ChatCall::finished);
    QVERIFY(finished.wait(10'000));
    QCOMPARE(call->outcome(), ChatCall::Outcome::Complete);
    QVERIFY(file.data().contains("data:image/png;base64,<"));
    QVERIFY(!file.data().contains(bytes.toBase64().left(64)));
}

QTEST_GUILESS_MAIN(TestRequestBody)
#include "tst_RequestBody.moc"
