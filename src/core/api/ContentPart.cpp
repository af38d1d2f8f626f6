#include "ContentPart.h"

#include "JsonWriter.h"

#include <QCoreApplication>

namespace moonpane {

void ContentPart::write(JsonWriter &writer) const
{
    writer.beginObject();
    switch (kind) {
    case Kind::Text:
        writer.field("type", QStringLiteral("text"));
        writer.field("text", text);
        break;
    case Kind::Image:
    case Kind::Video: {
        const bool image = kind == Kind::Image;
        writer.field("type", image ? QStringLiteral("image_url") : QStringLiteral("video_url"));
        writer.key(image ? "image_url" : "video_url");
        writer.beginObject();
        writer.key("url");
        if (isStoredFile()) {
            writer.media(media);
        } else {
            writer.valueUtf8(std::string_view(url.constData(), static_cast<std::size_t>(url.size())));
        }
        writer.endObject();
        break;
    }
    }
    writer.endObject();
}

QString ContentPart::urlProblem() const
{
    if (kind == Kind::Text)
        return {};
    const bool image = kind == Kind::Image;
    if (isStoredFile())
        return {};
    if (url.startsWith("ms://")) {
        if (url.size() == 5)
            return QCoreApplication::translate("ContentPart", "the ms:// file reference has no file id");
        return {};
    }
    const QByteArray prefix = image ? QByteArrayLiteral("data:image/") : QByteArrayLiteral("data:video/");
    if (url.startsWith(prefix)) {
        const qsizetype comma = url.indexOf(',');
        if (comma < 0 || !url.left(comma).endsWith(";base64"))
            return QCoreApplication::translate(
                "ContentPart", "the data URI must be base64-encoded (data:<type>;base64,...)");
        return {};
    }
    if (url.startsWith("http://") || url.startsWith("https://"))
        return QCoreApplication::translate("ContentPart",
                                           "Kimi does not fetch %1 from http(s) URLs; attach the "
                                           "file so it is sent inline as base64, or use an ms:// "
                                           "file reference")
            .arg(image ? QCoreApplication::translate("ContentPart", "images")
                       : QCoreApplication::translate("ContentPart", "videos"));
    return image ? QCoreApplication::translate(
               "ContentPart", "an image must be a data:image/...;base64 URI or an ms:// file reference")
                 : QCoreApplication::translate(
                     "ContentPart", "a video must be a data:video/...;base64 URI or an ms:// file reference");
}

} // namespace moonpane
