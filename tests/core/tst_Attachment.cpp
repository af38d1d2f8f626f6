// Attachment: MIME sniffed from the content, Kimi's formats accepted, everything else refused
// with a reason, size limits, data URIs.
#include "TestEnvironment.h"
#include "conversation/Attachment.h"

#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {
// The first bytes of real files of each kind: enough for content sniffing.
const QByteArray kPng =
    QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                        "da63f8ffff3f0005fe02fea7d6a6c50000000049454e44ae426082");
const QByteArray kJpeg =
    QByteArray::fromHex("ffd8ffe000104a46494600010100000100010000ffdb0043000101010101010101010101010101");
const QByteArray kMp4 =
    QByteArray::fromHex("0000001c667479706d703432000000016d703432697336366d703431") + QByteArray(64, '\0');
const QByteArray kWebm =
    QByteArray::fromHex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d") + QByteArray(32, '\0');
} // namespace

class TestAttachment : public QObject
{
    Q_OBJECT

private slots:
    void sniffsByContent_data();
    void sniffsByContent();
    void refusesWithAReason_data();
    void refusesWithAReason();
    void dataUri();
    void references();
    void tooLarge();

private:
    TestEnvironment m_env;
};

void TestAttachment::sniffsByContent_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("mime");
    QTest::newRow("png") << kPng << u"picture.png"_s << int(Attachment::Kind::Image) << u"image/png"_s;
    QTest::newRow("png named .txt") << kPng << u"notes.txt"_s << int(Attachment::Kind::Image)
                                    << u"image/png"_s;
    QTest::newRow("jpeg") << kJpeg << u"photo"_s << int(Attachment::Kind::Image) << u"image/jpeg"_s;
    QTest::newRow("mp4") << kMp4 << u"clip.bin"_s << int(Attachment::Kind::Video) << u"video/mp4"_s;
    QTest::newRow("webm") << kWebm << u"clip.webm"_s << int(Attachment::Kind::Video) << u"video/webm"_s;
}

void TestAttachment::sniffsByContent()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, name);
    QFETCH(int, kind);
    QFETCH(QString, mime);
    QString error;
    const std::optional<Attachment> attachment = Attachment::fromFile(m_env.writeFile(name, bytes), &error);
    QVERIFY2(attachment, qPrintable(error));
    QCOMPARE(int(attachment->kind()), kind);
    QCOMPARE(attachment->mimeType(), mime);
    QCOMPARE(attachment->name(), name);
}

void TestAttachment::refusesWithAReason_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("needle");
    QTest::newRow("text") << "just some notes\n"_ba << u"not an image or a video (text/plain)"_s;
    QTest::newRow("svg") << R"(<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>)"_ba
                         << u"SVG"_s;
    QTest::newRow("pdf") << "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"_ba << u"application/pdf"_s;
    QTest::newRow("empty") << QByteArray() << u"empty"_s;
}

void TestAttachment::refusesWithAReason()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, needle);
    QString error;
    QVERIFY(!Attachment::fromFile(m_env.writeFile(u"input"_s, bytes), &error));
    QVERIFY2(error.contains(needle), qPrintable(error));
    QVERIFY(!Attachment::fromFile(m_env.filePath(u"missing.png"_s), &error));
    QVERIFY(error.contains(u"no such file"_s));
    QVERIFY(!Attachment::fromFile(m_env.path(), &error));
    QVERIFY(error.contains(u"folder"_s));
}

void TestAttachment::dataUri()
{
    QString error;
    const std::optional<Attachment> attachment = Attachment::fromData(kPng, u"x.png"_s, &error);
    QVERIFY(attachment);
    QCOMPARE(attachment->url(), "data:image/png;base64," + kPng.toBase64());
    const ContentPart part = attachment->toPart();
    QCOMPARE(part.kind, ContentPart::Kind::Image);
    QVERIFY(part.urlProblem().isEmpty());
    const ContentPart video = Attachment::fromData(kMp4, u"v.mp4"_s, &error)->toPart();
    QCOMPARE(video.kind, ContentPart::Kind::Video);
    QVERIFY(video.url.startsWith("data:video/mp4;base64,"));
}

void TestAttachment::references()
{
    const Attachment reference = Attachment::fromReference("ms://file-123", Attachment::Kind::Video);
    QVERIFY(reference.isReference());
    QCOMPARE(reference.url(), "ms://file-123"_ba);
    QCOMPARE(reference.toPart().kind, ContentPart::Kind::Video);
}

void TestAttachment::tooLarge()
{
    QString error;
    const QByteArray big = kPng + QByteArray(Attachment::kMaxFileBytes, '\0');
    QVERIFY(!Attachment::fromData(big, u"big.png"_s, &error));
    QVERIFY2(error.contains(u"too large"_s) && error.contains(u"70.0 MB"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestAttachment)
#include "tst_Attachment.moc"
