#include "MediaRef.h"

#include "Base64.h"

using namespace Qt::StringLiterals;

namespace moonpane {

QByteArray MediaRef::dataUriPrefix() const
{
    return "data:" + mimeType.toLatin1() + ";base64,";
}

qint64 MediaRef::dataUriSize() const
{
    return dataUriPrefix().size() + Base64::encodedSize(std::max<qint64>(0, bytes));
}

QJsonObject MediaRef::toJson() const
{
    QJsonObject object {{u"path"_s, path}, {u"mime"_s, mimeType}, {u"bytes"_s, bytes}};
    if (!hash.isEmpty())
        object.insert(u"hash"_s, hash);
    if (!name.isEmpty())
        object.insert(u"name"_s, name);
    if (width > 0 && height > 0) {
        object.insert(u"width"_s, width);
        object.insert(u"height"_s, height);
    }
    if (durationMs >= 0)
        object.insert(u"duration_ms"_s, durationMs);
    return object;
}

MediaRef MediaRef::fromJson(const QJsonObject &object)
{
    MediaRef ref;
    ref.path = object.value("path"_L1).toString();
    ref.mimeType = object.value("mime"_L1).toString();
    ref.bytes = object.value("bytes"_L1).toInteger(-1);
    ref.hash = object.value("hash"_L1).toString();
    ref.name = object.value("name"_L1).toString();
    ref.width = object.value("width"_L1).toInt();
    ref.height = object.value("height"_L1).toInt();
    ref.durationMs = object.value("duration_ms"_L1).toInteger(-1);
    return ref;
}

} // namespace moonpane
