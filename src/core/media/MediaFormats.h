// What Kimi takes, decided from a file's content (QMimeDatabase's magic), never from its name:
// images as PNG, JPEG, WebP and GIF; BMP and TIFF converted to PNG or JPEG first (where Qt's
// image plugins read them); HEIC and HEIF as they are (Kimi reads them; nothing here can show
// them); videos as MP4, MOV, WebM, MPEG, AVI, FLV, WMV and 3GPP. Everything else is refused with
// a reason a user can act on.
#pragma once

#include <QString>
#include <QStringList>

class QIODevice;

namespace moonpane::MediaFormats {

enum class Handling {
    Refused,
    Image, // sent as it is (unless downscaled)
    ImageToConvert, // re-encoded as PNG or JPEG before it is sent
    ImageUndecodable, // sent as it is, but it cannot be decoded here (no thumbnail, no downscale)
    Video,
};

struct Sniffed
{
    QString mimeType; // as sniffed, also for refused content
    Handling handling = Handling::Refused;
    QString reason; // why it is refused, for the user
};

// Sniffs what `device` holds from its first bytes (the device's position is left where it was).
Sniffed sniff(QIODevice *device);
// The same for bytes in memory (pasted data).
Sniffed sniff(const QByteArray &head);
// How a MIME type is handled, by name (aliases included).
Sniffed classify(const QString &mimeType);

// For a file dialog: "Images and videos (*.png *.jpg …)".
QString fileDialogFilter();
// Extensions a folder's files are picked by before their content is sniffed ("png", "mp4", …).
const QStringList &knownSuffixes();

} // namespace moonpane::MediaFormats
