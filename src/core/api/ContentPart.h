// One element of a multimodal message: text, or an image or video given as a base64 data URI
// (data:image/png;base64,...) or a file reference (ms://<file_id>). Kimi takes no http(s) URLs.
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

    static ContentPart fromText(const QString &text) { return {Kind::Text, text, {}}; }
    static ContentPart fromImageUrl(const QByteArray &url) { return {Kind::Image, {}, url}; }
    static ContentPart fromVideoUrl(const QByteArray &url) { return {Kind::Video, {}, url}; }

    bool isText() const { return kind == Kind::Text; }
    void write(JsonWriter &writer) const;
    // A user-facing reason why the URL cannot be sent, or an empty string.
    QString urlProblem() const;

    friend bool operator==(const ContentPart &, const ContentPart &) = default;
};

} // namespace moonpane
