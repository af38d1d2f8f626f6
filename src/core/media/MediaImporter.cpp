#include "MediaImporter.h"

#include "MediaFormats.h"
#include "api/LocalFile.h"
#include "storage/MediaFolder.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MediaImporter", text);
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

// Writes bytes made here (a converted or scaled image, pasted data) into `dir` by their hash.
MediaRef storeBytes(const QByteArray &bytes, const QString &dir, const QString &mime, const QString &name,
                    QString *error)
{
    MediaRef ref = MediaFolder::storeBytes(bytes, dir, error);
    if (ref.isNull())
        return {};
    ref.mimeType = mime;
    ref.name = name;
    return ref;
}

// The pixel size an image shows at (EXIF orientation applied), and whether it must be turned.
QSize shownSize(QImageReader &reader, bool *turned)
{
    const QSize stored = reader.size();
    const QImageIOHandler::Transformations t = reader.transformation();
    *turned = t != QImageIOHandler::TransformationNone;
    return t & QImageIOHandler::TransformationRotate90 ? stored.transposed() : stored;
}

QByteArray encode(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    if (quality >= 0)
        writer.setQuality(quality);
    if (!writer.write(image))
        return {};
    return bytes;
}

// PNG, or JPEG when the image has no transparency and JPEG is smaller: photos saved as PNG.
std::pair<QByteArray, QString> pngOrJpeg(const QImage &image)
{
    QByteArray png = encode(image, "png");
    if (image.hasAlphaChannel()) {
        // An image that uses its transparency stays PNG.
        bool opaque = true;
        const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
        for (int y = 0; opaque && y < argb.height(); ++y) {
            const auto *line = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
            for (int x = 0; x < argb.width(); ++x) {
                if (qAlpha(line[x]) != 255) {
                    opaque = false;
                    break;
                }
            }
        }
        if (!opaque)
            return {png, u"image/png"_s};
    }
    QByteArray jpeg = encode(image.convertToFormat(QImage::Format_RGB32), "jpeg", 90);
    if (!jpeg.isEmpty() && (png.isEmpty() || jpeg.size() < png.size()))
        return {jpeg, u"image/jpeg"_s};
    return {png, u"image/png"_s};
}

// Fills in an image's dimensions (as shown) from its file.
void readDimensions(MediaRef &ref)
{
    QImageReader reader(ref.path);
    reader.setAutoTransform(true);
    bool turned = false;
    const QSize size = shownSize(reader, &turned);
    if (size.isValid()) {
        ref.width = size.width();
        ref.height = size.height();
    }
}

// Decodes, turns upright and scales an image, and stores it in `format`'s family.
MediaRef reencode(const MediaRef &ref, int maxEdge, bool keepFormat, const QString &dir, QString *error)
{
    QImageReader reader(ref.path);
    reader.setAutoTransform(true);
    QImage image = reader.read();
    if (image.isNull()) {
        *error = tr("%1 cannot be decoded as an image (%2)").arg(ref.name, reader.errorString());
        return {};
    }
    if (maxEdge > 0 && std::max(image.width(), image.height()) > maxEdge)
        image = image.scaled(maxEdge, maxEdge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QByteArray bytes;
    QString mime;
    if (keepFormat && ref.mimeType == "image/jpeg"_L1) {
        bytes = encode(image.convertToFormat(QImage::Format_RGB32), "jpeg", 90);
        mime = ref.mimeType;
    } else if (keepFormat && ref.mimeType == "image/webp"_L1
               && QImageWriter::supportedImageFormats().contains("webp")) {
        bytes = encode(image, "webp", 90);
        mime = ref.mimeType;
    } else {
        std::tie(bytes, mime) = pngOrJpeg(image);
    }
    if (bytes.isEmpty()) {
        *error = tr("%1 could not be encoded again").arg(ref.name);
        return {};
    }
    MediaRef out = storeBytes(bytes, dir, mime, ref.name, error);
    if (out.isNull())
        return {};
    out.width = image.width();
    out.height = image.height();
    return out;
}

bool isAnimated(const MediaRef &ref)
{
    QImageReader reader(ref.path);
    return reader.supportsAnimation() && reader.imageCount() != 1;
}

// Whether an image's header can be read (its size known): a file cut short or damaged is refused
// here, rather than by the server. Leaves the device at its start.
bool readableImage(QIODevice *device, MediaFormats::Handling handling)
{
    if (handling != MediaFormats::Handling::Image && handling != MediaFormats::Handling::ImageToConvert)
        return true;
    QImageReader reader(device);
    const bool readable = reader.size().isValid();
    device->seek(0);
    return readable;
}

QString damaged(const QString &name)
{
    return tr("%1 cannot be read as an image: it may be damaged or cut short").arg(name);
}

ImportedMedia finishImage(MediaRef ref, MediaFormats::Handling handling, const ImportOptions &options)
{
    ImportedMedia media;
    const QString dir = options.mediaDir.isEmpty() ? options.derivedDir : options.mediaDir;
    if (handling == MediaFormats::Handling::ImageUndecodable) {
        media.media.original = ref; // sent as it is: nothing here reads HEIC
        return media;
    }
    if (handling == MediaFormats::Handling::ImageToConvert) {
        // Kimi gets PNG or JPEG; the BMP or TIFF as attached is not kept.
        QString error;
        const MediaRef converted = reencode(ref, 0, false, dir, &error);
        if (converted.isNull()) {
            media.error = error;
            return media;
        }
        // The file as attached stays until nothing refers to it (the sweep removes it then):
        // the same bytes may be another message's.
        ref = converted;
    }
    readDimensions(ref);
    media.media.original = ref;
    media.media.prepared =
        MediaImporter::prepareImage(ref, options.maxImageEdge, options.turnUpright, dir, &media.error);
    if (!media.error.isEmpty())
        media.media.original = {};
    return media;
}

ImportedMedia importOpened(QFile &file, qint64 size, const QString &path, const QString &name,
                           const ImportOptions &options)
{
    ImportedMedia media;
    const QString shown = name.isEmpty() ? QFileInfo(path).fileName() : name;
    if (size == 0) {
        media.error = tr("%1 is empty").arg(shown);
        return media;
    }
    const MediaFormats::Sniffed sniffed = MediaFormats::sniff(&file);
    if (sniffed.handling == MediaFormats::Handling::Refused) {
        media.error = tr("%1: %2").arg(shown, sniffed.reason);
        return media;
    }
    if (!readableImage(&file, sniffed.handling)) {
        media.error = damaged(shown);
        return media;
    }
    const bool video = sniffed.handling == MediaFormats::Handling::Video;
    const qint64 limit = video ? std::max(options.maxBytes, options.maxUploadBytes) : options.maxBytes;
    if (size > limit) {
        media.error = video && options.maxUploadBytes <= 0
            ? tr("%1 is %2; a request carries at most %3 of media inline (100 MB once in base64), and this "
                 "server has no Files API to upload it to. Shorten or compress the video.")
                  .arg(shown, sizeText(size), sizeText(options.maxBytes))
            : tr("%1 is %2, more than the %3 a request can carry")
                  .arg(shown, sizeText(size), sizeText(limit));
        return media;
    }
    QString error;
    MediaRef ref = MediaFolder::copyIn(file, path, options.mediaDir, limit, options.cancelled, &error);
    if (ref.isNull()) {
        media.error = error;
        return media;
    }
    ref.mimeType = sniffed.mimeType;
    ref.name = shown;
    if (video) {
        media.media.original = ref; // its duration and first frame come from VideoProbe, in the app
        return media;
    }
    return finishImage(ref, sniffed.handling, options);
}

} // namespace

namespace MediaImporter {

ImportedMedia importFile(const QString &path, const ImportOptions &options, const QString &name)
{
    ImportedMedia media;
    QFile file;
    qint64 size = 0;
    if (!LocalFile::open(path, &file, &size, &media.error))
        return media;
    return importOpened(file, size, path, name, options);
}

ImportedMedia importData(const QByteArray &bytes, const QString &name, const ImportOptions &options)
{
    ImportedMedia media;
    const QString dir = options.mediaDir.isEmpty() ? options.derivedDir : options.mediaDir;
    if (bytes.isEmpty()) {
        media.error = tr("%1 is empty").arg(name);
        return media;
    }
    const MediaFormats::Sniffed sniffed = MediaFormats::sniff(bytes);
    if (sniffed.handling == MediaFormats::Handling::Refused) {
        media.error = tr("%1: %2").arg(name, sniffed.reason);
        return media;
    }
    if (bytes.size() > options.maxBytes) {
        media.error = tr("%1 is %2, more than the %3 a request can carry")
                          .arg(name, sizeText(bytes.size()), sizeText(options.maxBytes));
        return media;
    }
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    if (!readableImage(&buffer, sniffed.handling)) {
        media.error = damaged(name);
        return media;
    }
    MediaRef ref = storeBytes(bytes, dir, sniffed.mimeType, name, &media.error);
    if (ref.isNull())
        return media;
    if (sniffed.handling == MediaFormats::Handling::Video) {
        media.media.original = ref;
        return media;
    }
    return finishImage(ref, sniffed.handling, options);
}

ImportedMedia importImage(const QImage &image, const QString &name, const ImportOptions &options)
{
    if (image.isNull()) {
        ImportedMedia media;
        media.error = tr("%1 holds no picture").arg(name);
        return media;
    }
    // Screenshots compress best as PNG; a large photo pasted from a browser is smaller as JPEG.
    QByteArray bytes = encode(image, "png");
    if (bytes.size() > (4 << 20))
        bytes = pngOrJpeg(image).first;
    return importData(bytes, name, options);
}

MediaRef prepareImage(const MediaRef &ref, int maxImageEdge, bool turnUpright, const QString &dir,
                      QString *error)
{
    QImageReader reader(ref.path);
    reader.setAutoTransform(true);
    bool turned = false;
    const QSize size = shownSize(reader, &turned);
    if (!size.isValid())
        return {}; // not decodable here: sent as it is
    const bool tooLarge = maxImageEdge > 0 && std::max(size.width(), size.height()) > maxImageEdge;
    if ((!(turned && turnUpright) && !tooLarge) || isAnimated(ref))
        return {};
    return reencode(ref, maxImageEdge, true, dir, error);
}

} // namespace MediaImporter

} // namespace moonpane
