// A reference to one image or video file: where its bytes are, what they are, and how many.
// Memory holds these, never the bytes: a message, a draft or a request body names its media by
// reference, and the base64 text a request needs is made only while the body is written to the
// network (RequestBodyDevice), from the file, a piece at a time.
//
// In Moonpane's media store the file is named by the SHA-256 of its bytes (content-addressed:
// the same picture attached twice is stored once); a reference may also point at a file of the
// user's, as moonpane-cli does when it sends without saving.
#pragma once

#include <QJsonObject>
#include <QString>

namespace moonpane {

struct MediaRef
{
    QString path; // the file holding the bytes
    QString mimeType; // sniffed from the content, never taken from the name
    qint64 bytes = -1; // the file's size when it was referenced
    QString hash; // SHA-256 of the bytes, hex (empty when not known)
    QString name; // what the user called it (the file name, "Pasted image 1"); shown, never trusted
    int width = 0; // pixels, images and videos, when known
    int height = 0;
    qint64 durationMs = -1; // videos, when known

    bool isNull() const { return path.isEmpty(); }
    bool isVideo() const { return mimeType.startsWith(QLatin1String("video/")); }
    // "data:<mime>;base64," and the base64 of `bytes` bytes: what the API is sent.
    QByteArray dataUriPrefix() const;
    qint64 dataUriSize() const;

    QJsonObject toJson() const;
    static MediaRef fromJson(const QJsonObject &object);

    friend bool operator==(const MediaRef &, const MediaRef &) = default;
};

// A medium the user attached: as attached and, for an image made ready to send (scaled down,
// turned upright), that copy, which goes out unless the user asks for the original.
struct AttachedMedia
{
    MediaRef original;
    MediaRef prepared; // null: the original goes as it is
    bool sendOriginal = false;

    const MediaRef &sent() const { return sendOriginal || prepared.isNull() ? original : prepared; }

    friend bool operator==(const AttachedMedia &, const AttachedMedia &) = default;
};

} // namespace moonpane
