#include "MediaFormats.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QImageReader>
#include <QMimeDatabase>

using namespace Qt::StringLiterals;

namespace moonpane::MediaFormats {

namespace {

struct Format
{
    const char *sniffed; // QMimeDatabase's name (or an alias of it)
    const char *wire; // what the data URI says: the subtypes Kimi's documentation lists
    Handling handling;
    const char *qtFormat; // QImageReader's format, for images decoded here
};

// Kimi lists its formats as MIME subtypes (jpeg, png, gif, webp, bmp, heic, heif; mp4, mpeg,
// mov, avi, x-flv, mpg, webm, wmv, 3gpp): the data URI names them that way.
const Format kFormats[] = {
    {"image/png", "image/png", Handling::Image, "png"},
    {"image/jpeg", "image/jpeg", Handling::Image, "jpeg"},
    {"image/webp", "image/webp", Handling::Image, "webp"},
    {"image/gif", "image/gif", Handling::Image, "gif"},
    {"image/bmp", "image/bmp", Handling::ImageToConvert, "bmp"},
    {"image/tiff", "image/tiff", Handling::ImageToConvert, "tiff"},
    {"image/heif", "image/heif", Handling::ImageUndecodable, nullptr},
    {"image/heic", "image/heic", Handling::ImageUndecodable, nullptr},
    {"video/mp4", "video/mp4", Handling::Video, nullptr},
    {"video/quicktime", "video/mov", Handling::Video, nullptr},
    {"video/webm", "video/webm", Handling::Video, nullptr},
    {"video/mpeg", "video/mpeg", Handling::Video, nullptr},
    {"video/x-msvideo", "video/avi", Handling::Video, nullptr},
    {"video/x-flv", "video/x-flv", Handling::Video, nullptr},
    {"video/x-ms-wmv", "video/wmv", Handling::Video, nullptr},
    {"video/x-ms-asf", "video/wmv", Handling::Video, nullptr}, // WMV is ASF inside
    {"video/3gpp", "video/3gpp", Handling::Video, nullptr},
};

const Format *find(const QMimeType &type)
{
    QStringList names = type.aliases();
    names.prepend(type.name());
    for (const QString &name : std::as_const(names)) {
        for (const Format &format : kFormats) {
            if (name == QLatin1String(format.sniffed) || name == QLatin1String(format.wire))
                return &format;
        }
    }
    return nullptr;
}

Sniffed fromType(const QMimeType &type)
{
    Sniffed sniffed;
    sniffed.mimeType = type.name();
    if (const Format *format = find(type)) {
        sniffed.mimeType = QLatin1String(format->wire);
        sniffed.handling = format->handling;
        // Convertible only where an image plugin reads it (TIFF needs qt6-image-formats-plugins).
        if (format->handling == Handling::ImageToConvert
            && !QImageReader::supportedImageFormats().contains(format->qtFormat)) {
            sniffed.handling = Handling::Refused;
            sniffed.reason =
                QCoreApplication::translate("MediaFormats",
                                            "%1 images cannot be read here to convert them for Kimi; "
                                            "save it as PNG or JPEG first")
                    .arg(QString::fromLatin1(format->qtFormat).toUpper());
        }
        return sniffed;
    }
    if (type.name() == "image/svg+xml"_L1)
        sniffed.reason = QCoreApplication::translate(
            "MediaFormats", "SVG images are not accepted by Kimi; export it as PNG first");
    else if (type.name().startsWith("image/"_L1) || type.name().startsWith("video/"_L1))
        sniffed.reason =
            QCoreApplication::translate(
                "MediaFormats",
                "%1 is not a format Kimi accepts (images: PNG, JPEG, WebP, GIF, and BMP, TIFF or HEIC; "
                "videos: MP4, MOV, WebM, MPEG, AVI, FLV, WMV, 3GP)")
                .arg(type.comment().isEmpty() ? type.name() : type.comment());
    else if (type.isDefault())
        sniffed.reason = QCoreApplication::translate("MediaFormats", "it is not an image or a video");
    else
        sniffed.reason = QCoreApplication::translate("MediaFormats", "it is not an image or a video (%1)")
                             .arg(type.comment().isEmpty() ? type.name() : type.comment());
    return sniffed;
}

} // namespace

Sniffed sniff(QIODevice *device)
{
    return fromType(QMimeDatabase().mimeTypeForData(device));
}

Sniffed sniff(const QByteArray &head)
{
    return fromType(QMimeDatabase().mimeTypeForData(head));
}

Sniffed classify(const QString &mimeType)
{
    const QMimeType type = QMimeDatabase().mimeTypeForName(mimeType);
    if (type.isValid())
        return fromType(type);
    for (const Format &format : kFormats) {
        if (mimeType == QLatin1String(format.wire))
            return Sniffed {mimeType, format.handling, {}};
    }
    Sniffed refused;
    refused.mimeType = mimeType;
    refused.reason =
        QCoreApplication::translate("MediaFormats", "it is not an image or a video (%1)").arg(mimeType);
    return refused;
}

const QStringList &knownSuffixes()
{
    static const QStringList suffixes = {u"png"_s, u"jpg"_s, u"jpeg"_s, u"jpe"_s,  u"webp"_s, u"gif"_s,
                                         u"bmp"_s, u"tif"_s, u"tiff"_s, u"heic"_s, u"heif"_s, u"mp4"_s,
                                         u"m4v"_s, u"mov"_s, u"webm"_s, u"mpeg"_s, u"mpg"_s,  u"avi"_s,
                                         u"flv"_s, u"wmv"_s, u"asf"_s,  u"3gp"_s,  u"3gpp"_s};
    return suffixes;
}

QString fileDialogFilter()
{
    QStringList patterns;
    for (const QString &suffix : knownSuffixes())
        patterns.append(u"*."_s + suffix);
    return QCoreApplication::translate("MediaFormats", "Images and videos (%1)").arg(patterns.join(u' '))
        + u";;"_s + QCoreApplication::translate("MediaFormats", "All files (*)");
}

} // namespace moonpane::MediaFormats
