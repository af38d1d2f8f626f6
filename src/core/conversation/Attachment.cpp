#include "Attachment.h"

#include "api/LocalFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

// The formats Kimi documents; aliases are resolved through QMimeType.
const QStringList &imageTypes()
{
    static const QStringList types = {u"image/jpeg"_s, u"image/png"_s,  u"image/gif"_s, u"image/webp"_s,
                                      u"image/bmp"_s,  u"image/heic"_s, u"image/heif"_s};
    return types;
}

const QStringList &videoTypes()
{
    static const QStringList types = {u"video/mp4"_s,       u"video/mpeg"_s,     u"video/quicktime"_s,
                                      u"video/x-msvideo"_s, u"video/vnd.avi"_s,  u"video/x-flv"_s,
                                      u"video/webm"_s,      u"video/x-ms-wmv"_s, u"video/3gpp"_s};
    return types;
}

bool matches(const QMimeType &type, const QStringList &accepted)
{
    if (accepted.contains(type.name()))
        return true;
    for (const QString &alias : type.aliases()) {
        if (accepted.contains(alias))
            return true;
    }
    return false;
}

} // namespace

std::optional<Attachment::Kind> Attachment::kindOf(const QString &mimeType, QString *error)
{
    const QMimeType type = QMimeDatabase().mimeTypeForName(mimeType);
    if (matches(type, imageTypes()))
        return Kind::Image;
    if (matches(type, videoTypes()))
        return Kind::Video;
    if (type.name() == "image/svg+xml"_L1)
        *error = QCoreApplication::translate("Attachment",
                                             "SVG images are not accepted by Kimi; convert it to PNG first");
    else if (type.name().startsWith("image/"_L1) || type.name().startsWith("video/"_L1))
        *error = QCoreApplication::translate(
                     "Attachment",
                     "%1 is not a format Kimi accepts (images: JPEG, PNG, GIF, WebP, BMP, HEIC; videos: MP4, "
                     "MPEG, MOV, AVI, FLV, WebM, WMV, 3GP)")
                     .arg(type.name());
    else
        *error =
            QCoreApplication::translate("Attachment", "it is not an image or a video (%1)").arg(type.name());
    return std::nullopt;
}

std::optional<Attachment> Attachment::fromFile(const QString &path, QString *error)
{
    QByteArray data;
    if (!LocalFile::read(path, kMaxFileBytes, &data, error))
        return std::nullopt;
    std::optional<Attachment> attachment = fromData(data, QFileInfo(path).fileName(), error);
    if (!attachment)
        *error = u"%1: %2"_s.arg(path, *error);
    return attachment;
}

std::optional<Attachment> Attachment::fromData(const QByteArray &data, const QString &name, QString *error)
{
    if (data.isEmpty()) {
        *error = QCoreApplication::translate("Attachment", "the file is empty");
        return std::nullopt;
    }
    if (data.size() > kMaxFileBytes) {
        *error = QCoreApplication::translate("Attachment", "%1 is too large to send inline (at most %2)")
                     .arg(LocalFile::megabytes(data.size()), LocalFile::megabytes(kMaxFileBytes));
        return std::nullopt;
    }
    const QMimeType type = QMimeDatabase().mimeTypeForData(data);
    const std::optional<Kind> kind = kindOf(type.name(), error);
    if (!kind)
        return std::nullopt;
    Attachment attachment;
    attachment.m_kind = *kind;
    attachment.m_mimeType = type.name();
    attachment.m_name = name;
    attachment.m_data = data;
    return attachment;
}

Attachment Attachment::fromReference(const QByteArray &url, Kind kind)
{
    Attachment attachment;
    attachment.m_kind = kind;
    attachment.m_reference = url;
    attachment.m_name = QString::fromUtf8(url);
    return attachment;
}

QByteArray Attachment::url() const
{
    if (isReference())
        return m_reference;
    return "data:" + m_mimeType.toLatin1() + ";base64," + m_data.toBase64();
}

ContentPart Attachment::toPart() const
{
    return m_kind == Kind::Image ? ContentPart::fromImageUrl(url()) : ContentPart::fromVideoUrl(url());
}

} // namespace moonpane
