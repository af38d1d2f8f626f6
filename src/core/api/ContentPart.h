// One element of a multimodal message: text, or an image or video given as a base64 data URI
// (data:image/png;base64,...) or a file reference (ms://<file_id>). Kimi takes no http(s) URLs.
// Media in a file (Moonpane's media store, or a file moonpane-cli was given) travel as a
// reference to it (MediaRef: path, MIME type, size, hash, dimensions) and become a data URI
// only while a request body is sent or an export is written: showing a message never reads
// its media.
#pragma once

#include "MediaRef.h"

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
    // Or, instead of a URL, a file (see fromMedia).
    MediaRef media;

    static ContentPart fromText(const QString &text) { return make(Kind::Text, text, {}); }
    static ContentPart fromImageUrl(const QByteArray &url) { return make(Kind::Image, {}, url); }
    static ContentPart fromVideoUrl(const QByteArray &url) { return make(Kind::Video, {}, url); }
    static ContentPart fromMedia(const MediaRef &media)
    {
        ContentPart part = make(media.isVideo() ? Kind::Video : Kind::Image, {}, {});
        part.media = media;
        return part;
    }

    bool isText() const { return kind == Kind::Text; }
    bool isStoredFile() const { return !isText() && !media.isNull(); }
    // Media sent inline (a data URI, or a stored file that becomes one).
    bool isInline() const { return isStoredFile() || url.startsWith("data:"); }
    // Writes the part as the API takes it; a file becomes a data URI (see JsonWriter::media).
    void write(JsonWriter &writer) const;
    // A user-facing reason why the URL cannot be sent, or an empty string. A file is not looked
    // at here (this runs where a request is made, on the UI thread): one that is gone or has
    // changed fails the upload, saying so.
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
