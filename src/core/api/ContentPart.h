// One element of a multimodal message: text, or an image or video given as a base64 data URI
// (data:image/png;base64,...) or a file reference (ms://<file_id>). Kimi takes no http(s) URLs.
// Media kept in Moonpane's store travel as a reference to their file (its path, MIME type, size
// and hash) and become a data URI only when a request or an export is written: showing a
// message never reads its media.
#pragma once

#include <QByteArray>
#include <QString>

namespace moonpane {

class JsonWriter;

struct ContentPart
{
    enum class Kind { Text, Image, Video };

    Kind kind = Kind::Text;
    QString text; // Kind::Text
    QByteArray url; // Kind::Image and Kind::Video; ASCII, and possibly many megabytes
    // Or, instead of a URL, a file of the media store (see fromStoredFile).
    QString filePath;
    QString mimeType;
    qint64 byteSize = -1;
    QString hash; // SHA-256 of the bytes, hex

    static ContentPart fromText(const QString &text) { return make(Kind::Text, text, {}); }
    static ContentPart fromImageUrl(const QByteArray &url) { return make(Kind::Image, {}, url); }
    static ContentPart fromVideoUrl(const QByteArray &url) { return make(Kind::Video, {}, url); }
    static ContentPart fromStoredFile(Kind kind, const QString &path, const QString &mime, qint64 bytes,
                                      const QString &hash)
    {
        ContentPart part = make(kind, {}, {});
        part.filePath = path;
        part.mimeType = mime;
        part.byteSize = bytes;
        part.hash = hash;
        return part;
    }

    bool isText() const { return kind == Kind::Text; }
    bool isStoredFile() const { return !isText() && !filePath.isEmpty(); }
    // Media sent inline (a data URI, or a stored file that becomes one).
    bool isInline() const { return isStoredFile() || url.startsWith("data:"); }
    // Writes the part as the API takes it; a stored file is read here and sent as a data URI.
    void write(JsonWriter &writer) const;
    // A user-facing reason why the URL (or the stored file) cannot be sent, or an empty string.
    QString urlProblem() const;

    friend bool operator==(const ContentPart &, const ContentPart &) = default;

private:
    static ContentPart make(Kind kind, const QString &text, const QByteArray &url)
    {
        ContentPart part;
        part.kind = kind;
        part.text = text;
        part.url = url;
        return part;
    }
};

} // namespace moonpane
