#include "RequestBody.h"

#include "Base64.h"
#include "LocalFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

namespace moonpane {

qint64 RequestBody::Segment::size() const
{
    if (!isMedia())
        return text.size();
    return encoding == Encoding::Raw ? std::max<qint64>(0, media.bytes) : media.dataUriSize();
}

RequestBody::RequestBody(QByteArray text)
{
    appendText(text);
}

void RequestBody::appendText(const QByteArray &text)
{
    appendText(text.constData(), text.size());
}

void RequestBody::appendText(const char *text, qsizetype size)
{
    if (size <= 0)
        return;
    if (m_segments.isEmpty() || m_segments.constLast().isMedia())
        m_segments.append(Segment {});
    m_segments.last().text.append(text, size);
    m_size += size;
}

void RequestBody::appendMedia(const MediaRef &media, Encoding encoding)
{
    Segment segment;
    segment.media = media;
    segment.encoding = encoding;
    m_size += segment.size();
    m_segments.append(std::move(segment));
}

bool RequestBody::hasMedia() const
{
    return std::any_of(m_segments.cbegin(), m_segments.cend(), [](const Segment &s) { return s.isMedia(); });
}

QList<MediaRef> RequestBody::media() const
{
    QList<MediaRef> media;
    for (const Segment &segment : m_segments) {
        if (segment.isMedia())
            media.append(segment.media);
    }
    return media;
}

bool RequestBody::readMedia(const MediaRef &media, qint64 chunk,
                            const std::function<bool(const char *, qint64)> &take, QString *error)
{
    const QString shown = media.name.isEmpty() ? QFileInfo(media.path).fileName() : media.name;
    QFile file;
    qint64 size = 0;
    if (!LocalFile::open(media.path, &file, &size, error)) {
        *error = QCoreApplication::translate("RequestBody", "The attachment %1 cannot be read any more: %2")
                     .arg(shown, *error);
        return false;
    }
    const auto changed = [&] {
        *error =
            QCoreApplication::translate("RequestBody",
                                        "The attachment %1 changed after it was attached (%2 then, %3 now); "
                                        "attach it again.")
                .arg(shown, QLocale().formattedDataSize(media.bytes), QLocale().formattedDataSize(size));
        return false;
    };
    if (size != media.bytes)
        return changed();
    QByteArray buffer(static_cast<qsizetype>(std::min(chunk, std::max<qint64>(1, media.bytes))),
                      Qt::Uninitialized);
    qint64 done = 0;
    while (done < media.bytes) {
        const qint64 want = std::min<qint64>(buffer.size(), media.bytes - done);
        qint64 got = 0;
        while (got < want) { // a read may return less than asked; pieces must stay multiples of 3
            const qint64 n = file.read(buffer.data() + got, want - got);
            if (n <= 0)
                break;
            got += n;
        }
        if (got < want) {
            if (file.error() != QFileDevice::NoError) {
                *error = QCoreApplication::translate("RequestBody", "The attachment %1 cannot be read: %2")
                             .arg(shown, file.errorString());
                return false;
            }
            size = done + got;
            return changed(); // shorter than it was
        }
        done += got;
        if (!take(buffer.constData(), got))
            return true;
    }
    char extra = 0;
    if (file.read(&extra, 1) > 0) {
        size = media.bytes + 1;
        return changed(); // longer than it was
    }
    return true;
}

bool RequestBody::flatten(QByteArray *out, QString *error) const
{
    QByteArray body;
    body.reserve(static_cast<qsizetype>(m_size));
    for (const Segment &segment : m_segments) {
        if (!segment.isMedia()) {
            body.append(segment.text);
            continue;
        }
        const bool raw = segment.encoding == Encoding::Raw;
        if (!raw)
            body.append(segment.media.dataUriPrefix());
        const bool read = readMedia(
            segment.media, 3 << 20,
            [&](const char *data, qint64 size) {
                if (raw) {
                    body.append(data, static_cast<qsizetype>(size));
                } else {
                    const qsizetype at = body.size();
                    body.resize(at + static_cast<qsizetype>(Base64::encodedSize(size)));
                    Base64::encode(data, size, body.data() + at);
                }
                return true;
            },
            error);
        if (!read)
            return false;
    }
    *out = std::move(body);
    return true;
}

QByteArray RequestBody::describe() const
{
    QByteArray text;
    for (const Segment &segment : m_segments) {
        if (!segment.isMedia()) {
            text.append(segment.text);
            continue;
        }
        const QByteArray size = QLocale::c().formattedDataSize(segment.media.bytes).toUtf8();
        if (segment.encoding == Encoding::Raw)
            text.append("<" + segment.media.mimeType.toLatin1() + ", " + size + ">");
        else
            text.append(segment.media.dataUriPrefix() + "<" + size + " of base64 elided>");
    }
    return text;
}

} // namespace moonpane
