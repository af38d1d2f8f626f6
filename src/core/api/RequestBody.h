// A request body as it will go out: JSON text with media in between, each medium a reference
// to its file (MediaRef) that becomes "data:<mime>;base64,..." only while the body is written,
// a piece at a time (RequestBodyDevice). Its size is known before a byte of media is read, so
// the request can say Content-Length up front, and a body over the API's limit is refused
// without reading anything.
//
// A body can also carry a file as it is (Raw), for uploads to the Files API.
#pragma once

#include "MediaRef.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace moonpane {

class RequestBody final
{
public:
    enum class Encoding {
        DataUri, // data:<mime>;base64,<the file in base64>
        Raw, // the file's bytes as they are
    };
    struct Segment
    {
        QByteArray text; // when `media` is null
        MediaRef media;
        Encoding encoding = Encoding::DataUri;

        bool isMedia() const { return !media.isNull(); }
        qint64 size() const;
    };

    RequestBody() = default;
    // A body of text alone.
    explicit RequestBody(QByteArray text);

    void appendText(const QByteArray &text);
    void appendText(const char *text, qsizetype size);
    void appendMedia(const MediaRef &media, Encoding encoding = Encoding::DataUri);

    const QList<Segment> &segments() const { return m_segments; }
    // The exact size in bytes, media included (as the files were when referenced).
    qint64 size() const { return m_size; }
    bool hasMedia() const;
    QList<MediaRef> media() const;

    // The whole body in memory, media read from their files: for dry runs, tests and exports,
    // never on the UI thread while media are in it. False, saying why, when a file cannot be
    // read as it was referenced.
    bool flatten(QByteArray *out, QString *error) const;
    // The body for a trace or an inspector, without reading a file: each medium as
    // "data:<mime>;base64,<1.2 MB of base64 elided>" (a raw file as "<video/mp4, 88 MB>").
    QByteArray describe() const;

    // Reads a medium's file as it was referenced, `chunk` bytes at a time (a multiple of 3 for
    // base64), handing each piece to `take`; stops early when `take` returns false. False,
    // saying why, when the file is gone, is not a regular file, or no longer has the size it had.
    static bool readMedia(const MediaRef &media, qint64 chunk,
                          const std::function<bool(const char *, qint64)> &take, QString *error);

private:
    QList<Segment> m_segments;
    qint64 m_size = 0;
};

} // namespace moonpane
