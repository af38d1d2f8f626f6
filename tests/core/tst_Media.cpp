// Attaching media (MediaFormats, MediaImporter, MediaFolder) with real files made at test time:
// the type sniffed from the content whatever the name says; formats Kimi cannot take converted;
// EXIF orientation turned upright; images over the longest edge scaled down in their format;
// animations left alone; what cannot be sent refused with a reason that names the file, before
// anything is copied; the same bytes stored once, under their hash, readable by their owner alone.
#include "TestEnvironment.h"
#include "media/MediaFormats.h"
#include "media/MediaImporter.h"
#include "storage/MediaFolder.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QPainter>
#include <QRandomGenerator>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray encoded(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    writer.write(image);
    return bytes;
}

// A picture with detail, so that codecs have something to keep (and noise, which PNG keeps badly).
QImage photo(int width, int height, bool noise = true)
{
    QImage image(width, height, QImage::Format_RGB32);
    QRandomGenerator random(42);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const int n = noise ? random.bounded(40) : 0;
            line[x] = qRgb((x * 255 / width + n) % 256, (y * 255 / height + n) % 256, (x + y + n) % 256);
        }
    }
    return image;
}

// A JPEG whose EXIF says how to turn it (6: 90° clockwise), as cameras write them.
QByteArray withOrientation(const QByteArray &jpeg, int orientation)
{
    QByteArray tiff("MM\0*\0\0\0\x08", 8);
    tiff += QByteArray("\0\x01", 2); // one entry: Orientation, a SHORT
    tiff += QByteArray("\x01\x12\0\x03\0\0\0\x01", 8);
    tiff += char(0);
    tiff += char(orientation);
    tiff += QByteArray(2, '\0');
    tiff += QByteArray(4, '\0'); // no next IFD
    const QByteArray app1 = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray segment("\xff\xe1", 2);
    segment += char((app1.size() + 2) >> 8);
    segment += char((app1.size() + 2) & 255);
    return jpeg.left(2) + segment + app1 + jpeg.mid(2);
}

// A GIF of `frames` one-pixel frames on a `width`×`height` screen (an animation when frames > 1).
QByteArray gif(int width, int height, int frames)
{
    QByteArray bytes("GIF89a");
    bytes += char(width & 255);
    bytes += char(width >> 8);
    bytes += char(height & 255);
    bytes += char(height >> 8);
    bytes += QByteArray("\x80\0\0", 3); // a global table of two colours
    bytes += QByteArray("\0\0\0\xff\xff\xff", 6);
    if (frames > 1)
        bytes += QByteArray("\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0\0", 19);
    for (int i = 0; i < frames; ++i) {
        bytes += QByteArray("\x21\xf9\x04\0\x0a\0\0\0", 8); // 100 ms a frame
        bytes += QByteArray("\x2c\0\0\0\0\x01\0\x01\0\0", 10); // a 1×1 image at 0,0
        bytes += QByteArray("\x02\x02\x44\x01\0", 5); // LZW: clear, 0, end
    }
    bytes += ';';
    return bytes;
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(MOONPANE_FIXTURES_DIR "/media/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestMedia : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void sniffsByContent_data();
    void sniffsByContent();
    void refusesWithAReason_data();
    void refusesWithAReason();
    void copiesIntoTheFolderOnceByHash();
    void referencesAFileWhereItIsWithoutAFolder();
    void convertsFormatsKimiDoesNotTake_data();
    void convertsFormatsKimiDoesNotTake();
    void turnsAnExifRotatedPhotoUpright();
    void scalesDownOverTheLongestEdge();
    void keepsTransparencyAndPrefersJpegForOpaquePhotos();
    void leavesAnimationsAlone();
    void refusesATooLargeVideoWithoutReadingIt();
    void acceptsALargeVideoForTheFilesApi();
    void manyFilesAtOnce();
    void pastedPicturesAreStoredAsImages();

private:
    ImportOptions options() const;
    QString mediaDir() const { return m_env->filePath(u"media"_s); }
    QStringList mediaFiles() const { return QDir(mediaDir()).entryList(QDir::Files | QDir::Hidden); }

    std::unique_ptr<TestEnvironment> m_env;
};

void TestMedia::init()
{
    m_env = std::make_unique<TestEnvironment>();
}

ImportOptions TestMedia::options() const
{
    ImportOptions options;
    options.mediaDir = mediaDir();
    return options;
}

void TestMedia::sniffsByContent_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("handling");
    QTest::addColumn<QString>("mime");
    using H = MediaFormats::Handling;
    const QImage small = photo(8, 6);
    QTest::newRow("png") << encoded(small, "png") << u"picture.png"_s << int(H::Image) << u"image/png"_s;
    QTest::newRow("png named .txt") << encoded(small, "png") << u"notes.txt"_s << int(H::Image)
                                    << u"image/png"_s;
    QTest::newRow("jpeg without a name")
        << encoded(small, "jpeg") << u"photo"_s << int(H::Image) << u"image/jpeg"_s;
    QTest::newRow("webp") << encoded(small, "webp") << u"x.webp"_s << int(H::Image) << u"image/webp"_s;
    QTest::newRow("gif named .png") << gif(4, 4, 1) << u"x.png"_s << int(H::Image) << u"image/gif"_s;
    QTest::newRow("bmp") << encoded(small, "bmp") << u"scan.bmp"_s << int(H::ImageToConvert)
                         << u"image/bmp"_s;
    QTest::newRow("tiff") << encoded(small, "tiff") << u"scan.tif"_s << int(H::ImageToConvert)
                          << u"image/tiff"_s;
    QTest::newRow("mp4 named .jpg") << fixture(u"clip.mp4"_s) << u"holiday.jpg"_s << int(H::Video)
                                    << u"video/mp4"_s;
    QTest::newRow("webm") << fixture(u"clip.webm"_s) << u"clip.webm"_s << int(H::Video) << u"video/webm"_s;
    // QuickTime's own brand: sent as "video/mov", the name Kimi's documentation gives.
    QTest::newRow("mov") << QByteArray("\0\0\0\x14"
                                       "ftypqt  \0\0\0\0qt  \0\0\0\x08wide",
                                       28)
                         << u"clip.mov"_s << int(H::Video) << u"video/mov"_s;
}

void TestMedia::sniffsByContent()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, name);
    QFETCH(int, handling);
    QFETCH(QString, mime);
    QVERIFY(!bytes.isEmpty());
    const MediaFormats::Sniffed sniffed = MediaFormats::sniff(bytes);
    QCOMPARE(int(sniffed.handling), handling);
    QCOMPARE(sniffed.mimeType, mime);
    // A file says the same as its bytes, whatever its name.
    QFile file(m_env->writeFile(name, bytes));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(MediaFormats::sniff(&file).mimeType, mime);
    QCOMPARE(file.pos(), 0); // the device is left where it was
}

void TestMedia::refusesWithAReason_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text named .png") << u"text"_s << u"it is not an image or a video"_s;
    QTest::newRow("svg") << u"svg"_s << u"SVG images are not accepted by Kimi"_s;
    QTest::newRow("pdf") << u"pdf"_s << u"not an image or a video"_s;
    QTest::newRow("empty file") << u"empty"_s << u"is empty"_s;
    QTest::newRow("truncated png") << u"truncated"_s << u"cannot be read as an image"_s;
    QTest::newRow("folder") << u"folder"_s << u"is a folder"_s;
    QTest::newRow("fifo") << u"fifo"_s << u"is not a regular file"_s;
    QTest::newRow("missing") << u"missing"_s << u"no such file"_s;
    QTest::newRow("unreadable") << u"unreadable"_s << u"cannot read it"_s;
}

void TestMedia::refusesWithAReason()
{
    QFETCH(QString, setup);
    QFETCH(QString, expected);
    QString path = m_env->filePath(u"input.png"_s);
    if (setup == "text"_L1)
        path = m_env->writeFile(u"input.png"_s, "just some words, not a picture\n");
    else if (setup == "svg"_L1)
        path = m_env->writeFile(u"logo.png"_s,
                                R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>)");
    else if (setup == "pdf"_L1)
        path = m_env->writeFile(u"paper.jpg"_s, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n");
    else if (setup == "empty"_L1)
        path = m_env->writeFile(u"empty.png"_s, {});
    else if (setup == "truncated"_L1)
        path = m_env->writeFile(u"cut.png"_s, encoded(photo(64, 64), "png").left(12));
    else if (setup == "folder"_L1)
        QVERIFY(QDir().mkpath(path = m_env->filePath(u"holiday.png"_s)));
    else if (setup == "fifo"_L1)
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    else if (setup == "unreadable"_L1)
        QVERIFY(QFile::setPermissions(path = m_env->writeFile(u"secret.png"_s, encoded(photo(4, 4), "png")),
                                      QFileDevice::Permissions()));
    // Root reads any file: the unreadable one is tried as nobody (the media folder is made first,
    // as the user it belongs to).
    QVERIFY(QDir().mkpath(mediaDir()));
    const bool asNobody = setup == "unreadable"_L1 && ::geteuid() == 0;
    if (asNobody) {
        QVERIFY(QFile::setPermissions(mediaDir(), QFileDevice::Permissions(0x7777)));
        QCOMPARE(::seteuid(65534), 0);
    }
    const ImportedMedia imported = MediaImporter::importFile(path, options());
    if (asNobody)
        QCOMPARE(::seteuid(0), 0);
    QVERIFY(!imported.ok());
    QVERIFY2(imported.error.contains(expected), qPrintable(imported.error));
    QVERIFY2(imported.error.contains(QFileInfo(path).fileName()), qPrintable(imported.error));
    QVERIFY(imported.media.original.isNull());
    QVERIFY2(mediaFiles().isEmpty(), qPrintable(mediaFiles().join(u", "_s))); // nothing kept
}

void TestMedia::copiesIntoTheFolderOnceByHash()
{
    const QByteArray bytes = encoded(photo(30, 20), "png");
    const QString path = m_env->writeFile(u"cat.png"_s, bytes);
    const ImportedMedia first = MediaImporter::importFile(path, options());
    QVERIFY2(first.ok(), qPrintable(first.error));
    const MediaRef &ref = first.media.original;
    QCOMPARE(ref.hash, sha256(bytes));
    QCOMPARE(ref.path, QDir(mediaDir()).filePath(ref.hash));
    QCOMPARE(ref.bytes, bytes.size());
    QCOMPARE(ref.mimeType, u"image/png"_s);
    QCOMPARE(ref.name, u"cat.png"_s);
    QCOMPARE(QSize(ref.width, ref.height), QSize(30, 20));
    QVERIFY(first.media.prepared.isNull()); // small and upright: sent as it is
    QFile stored(ref.path);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), bytes);
    QCOMPARE(stored.permissions()
                 & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser
                     | QFileDevice::WriteUser),
             QFileDevice::Permissions());
    // The same picture again, under another name: one file, two names kept by their attachments.
    const ImportedMedia second =
        MediaImporter::importFile(m_env->writeFile(u"same.png"_s, bytes), options(), u"Pasted image"_s);
    QVERIFY(second.ok());
    QCOMPARE(second.media.original.hash, ref.hash);
    QCOMPARE(second.media.original.name, u"Pasted image"_s);
    QCOMPARE(mediaFiles(), QStringList {ref.hash});
}

void TestMedia::referencesAFileWhereItIsWithoutAFolder()
{
    const QByteArray bytes = fixture(u"clip.mp4"_s);
    const QString path = m_env->writeFile(u"clip.mp4"_s, bytes);
    ImportOptions cli; // moonpane-cli sending without saving
    cli.derivedDir = m_env->filePath(u"derived"_s);
    const ImportedMedia imported = MediaImporter::importFile(path, cli);
    QVERIFY2(imported.ok(), qPrintable(imported.error));
    QCOMPARE(imported.media.original.path, path);
    QCOMPARE(imported.media.original.hash, sha256(bytes));
    QCOMPARE(imported.media.original.mimeType, u"video/mp4"_s);
    QVERIFY(!QFileInfo::exists(cli.derivedDir)); // nothing was written
}

void TestMedia::convertsFormatsKimiDoesNotTake_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::newRow("bmp") << QByteArray("bmp");
    QTest::newRow("tiff") << QByteArray("tiff");
}

void TestMedia::convertsFormatsKimiDoesNotTake()
{
    QFETCH(QByteArray, format);
    const QImage image = photo(40, 30, false);
    const ImportedMedia imported = MediaImporter::importFile(
        m_env->writeFile(u"scan."_s + QString::fromLatin1(format), encoded(image, format.constData())),
        options());
    QVERIFY2(imported.ok(), qPrintable(imported.error));
    const MediaRef &sent = imported.media.sent();
    QVERIFY2(sent.mimeType == "image/png"_L1 || sent.mimeType == "image/jpeg"_L1, qPrintable(sent.mimeType));
    QCOMPARE(QSize(sent.width, sent.height), QSize(40, 30));
    QCOMPARE(sent.name, u"scan."_s + QString::fromLatin1(format));
    QFile file(sent.path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QCOMPARE(sha256(bytes), sent.hash);
    QCOMPARE(MediaFormats::sniff(bytes).mimeType, sent.mimeType); // what it says it is
    QCOMPARE(QImage::fromData(bytes).size(), QSize(40, 30));
}

void TestMedia::turnsAnExifRotatedPhotoUpright()
{
    // Stored 40×20, shown 20×40 (the camera was held upright).
    const QByteArray bytes = withOrientation(encoded(photo(40, 20), "jpeg", 90), 6);
    const QString path = m_env->writeFile(u"upright.jpg"_s, bytes);
    const ImportedMedia imported = MediaImporter::importFile(path, options());
    QVERIFY2(imported.ok(), qPrintable(imported.error));
    QCOMPARE(QSize(imported.media.original.width, imported.media.original.height), QSize(20, 40));
    const MediaRef &prepared = imported.media.prepared;
    QVERIFY(!prepared.isNull());
    QCOMPARE(prepared.mimeType, u"image/jpeg"_s);
    QCOMPARE(QSize(prepared.width, prepared.height), QSize(20, 40));
    QImageReader reader(prepared.path);
    QCOMPARE(reader.transformation(), QImageIOHandler::TransformationNone); // the pixels are upright
    QCOMPARE(reader.size(), QSize(20, 40));
    // moonpane-cli keeps the exact bytes unless it scales.
    ImportOptions exact = options();
    exact.turnUpright = false;
    QVERIFY(MediaImporter::importFile(path, exact).media.prepared.isNull());
}

void TestMedia::scalesDownOverTheLongestEdge()
{
    ImportOptions scaled = options();
    scaled.maxImageEdge = 256;
    const QByteArray bytes = encoded(photo(800, 400), "jpeg", 92);
    const ImportedMedia imported = MediaImporter::importFile(m_env->writeFile(u"wide.jpg"_s, bytes), scaled);
    QVERIFY2(imported.ok(), qPrintable(imported.error));
    const MediaRef &original = imported.media.original;
    const MediaRef &prepared = imported.media.prepared;
    QCOMPARE(original.hash, sha256(bytes)); // kept for "send original"
    QCOMPARE(QSize(original.width, original.height), QSize(800, 400));
    QVERIFY(!prepared.isNull());
    QCOMPARE(prepared.mimeType, u"image/jpeg"_s); // its own format
    QCOMPARE(QSize(prepared.width, prepared.height), QSize(256, 128));
    QVERIFY(prepared.bytes < original.bytes);
    QCOMPARE(QImageReader(prepared.path).size(), QSize(256, 128));
    QCOMPARE(imported.media.sent().hash, prepared.hash);
    AttachedMedia asked = imported.media;
    asked.sendOriginal = true;
    QCOMPARE(asked.sent().hash, original.hash);
    // Within the edge: nothing to do.
    const ImportedMedia small =
        MediaImporter::importFile(m_env->writeFile(u"small.jpg"_s, encoded(photo(200, 100), "jpeg")), scaled);
    QVERIFY(small.media.prepared.isNull());
}

void TestMedia::keepsTransparencyAndPrefersJpegForOpaquePhotos()
{
    ImportOptions scaled = options();
    scaled.maxImageEdge = 200;
    QImage logo(600, 300, QImage::Format_ARGB32);
    logo.fill(Qt::transparent);
    {
        QPainter painter(&logo);
        painter.setBrush(Qt::red);
        painter.drawEllipse(QRect(50, 50, 500, 200));
    }
    const ImportedMedia transparent =
        MediaImporter::importFile(m_env->writeFile(u"logo.png"_s, encoded(logo, "png")), scaled);
    QVERIFY2(transparent.ok(), qPrintable(transparent.error));
    QCOMPARE(transparent.media.prepared.mimeType, u"image/png"_s);
    QVERIFY(QImage(transparent.media.prepared.path).hasAlphaChannel());
    // A photo saved as PNG is much smaller as JPEG.
    const ImportedMedia opaque =
        MediaImporter::importFile(m_env->writeFile(u"photo.png"_s, encoded(photo(600, 300), "png")), scaled);
    QVERIFY2(opaque.ok(), qPrintable(opaque.error));
    QCOMPARE(opaque.media.prepared.mimeType, u"image/jpeg"_s);
    QCOMPARE(QSize(opaque.media.prepared.width, opaque.media.prepared.height), QSize(200, 100));
}

void TestMedia::leavesAnimationsAlone()
{
    ImportOptions scaled = options();
    scaled.maxImageEdge = 100;
    const ImportedMedia animated =
        MediaImporter::importFile(m_env->writeFile(u"spinner.gif"_s, gif(600, 10, 2)), scaled);
    QVERIFY2(animated.ok(), qPrintable(animated.error));
    QCOMPARE(animated.media.original.mimeType, u"image/gif"_s);
    QVERIFY(animated.media.prepared.isNull()); // scaling it would keep one frame
    const ImportedMedia still =
        MediaImporter::importFile(m_env->writeFile(u"still.gif"_s, gif(600, 10, 1)), scaled);
    QVERIFY2(still.ok(), qPrintable(still.error));
    QVERIFY(!still.media.prepared.isNull());
    QCOMPARE(still.media.prepared.width, 100);
}

void TestMedia::refusesATooLargeVideoWithoutReadingIt()
{
    // 120 MB that takes no room: an MP4 header, then a hole.
    const QString path = m_env->filePath(u"long.mp4"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(fixture(u"clip.mp4"_s).left(64));
        QVERIFY(file.resize(120'000'000));
    }
    const ImportedMedia imported = MediaImporter::importFile(path, options());
    QVERIFY(!imported.ok());
    QVERIFY2(imported.error.contains(u"long.mp4"_s) && imported.error.contains(u"120"_s)
                 && imported.error.contains(u"Files API"_s),
             qPrintable(imported.error));
    QVERIFY(mediaFiles().isEmpty());
}

void TestMedia::acceptsALargeVideoForTheFilesApi()
{
    const QByteArray bytes = fixture(u"clip.mp4"_s);
    ImportOptions upload = options();
    upload.maxBytes = bytes.size() - 1; // too large to go inline...
    upload.maxUploadBytes = bytes.size() * 2; // ...but not to upload
    const ImportedMedia imported = MediaImporter::importFile(m_env->writeFile(u"clip.mp4"_s, bytes), upload);
    QVERIFY2(imported.ok(), qPrintable(imported.error));
    QCOMPARE(imported.media.original.bytes, bytes.size());
    // An image that large is refused all the same: only videos go to the Files API.
    const QByteArray png = encoded(photo(100, 100), "png");
    upload.maxBytes = png.size() - 1;
    upload.maxUploadBytes = png.size() * 2;
    const ImportedMedia image = MediaImporter::importFile(m_env->writeFile(u"big.png"_s, png), upload);
    QVERIFY(!image.ok());
    QVERIFY2(image.error.contains(u"more than"_s), qPrintable(image.error));
}

void TestMedia::manyFilesAtOnce()
{
    QSet<QString> hashes;
    for (int i = 0; i < 40; ++i) {
        QImage image = photo(16, 16, false);
        image.setPixel(0, 0, qRgb(i, i, i)); // each one different
        const ImportedMedia imported = MediaImporter::importFile(
            m_env->writeFile(u"frame-%1.png"_s.arg(i), encoded(image, "png")), options());
        QVERIFY2(imported.ok(), qPrintable(imported.error));
        hashes.insert(imported.media.original.hash);
    }
    QCOMPARE(hashes.size(), 40);
    QCOMPARE(mediaFiles().size(), 40);
}

void TestMedia::pastedPicturesAreStoredAsImages()
{
    const QImage screenshot = photo(120, 80, false);
    const ImportedMedia first = MediaImporter::importImage(screenshot, u"Pasted image 1"_s, options());
    QVERIFY2(first.ok(), qPrintable(first.error));
    QCOMPARE(first.media.original.mimeType, u"image/png"_s);
    QCOMPARE(first.media.original.name, u"Pasted image 1"_s);
    QCOMPARE(QImage(first.media.original.path).size(), QSize(120, 80));
    // The same picture pasted again: its own attachment (name), one file.
    const ImportedMedia second = MediaImporter::importImage(screenshot, u"Pasted image 2"_s, options());
    QVERIFY(second.ok());
    QCOMPARE(second.media.original.hash, first.media.original.hash);
    QCOMPARE(second.media.original.name, u"Pasted image 2"_s);
    QCOMPARE(mediaFiles().size(), 1);
    // Bytes pasted as a file's content go through the same checks.
    QVERIFY(!MediaImporter::importData("not a picture", u"clipboard.txt"_s, options()).ok());
    QVERIFY(!MediaImporter::importImage(QImage(), u"Pasted image 3"_s, options()).ok());
}

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_Media.moc"
