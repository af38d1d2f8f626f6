// An image or video to send with a message. Kimi takes media only inline, as a base64 data URI,
// or as an ms://<file_id> reference; the MIME type is sniffed from the content, not the name.
#pragma once

#include "api/ContentPart.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace moonpane {

class Attachment final
{
public:
    enum class Kind { Image, Video };

    // Media are base64-encoded into the request, which must stay under 100 MB: 4/3 of this.
    static constexpr qint64 kMaxFileBytes = 70'000'000;

    // Reads and checks a file. On failure returns nullopt and says why in *error.
    static std::optional<Attachment> fromFile(const QString &path, QString *error);
    // Checks bytes already in memory (pasted or dropped data).
    static std::optional<Attachment> fromData(const QByteArray &data, const QString &name, QString *error);
    // An ms://<file_id> reference, sent as it is.
    static Attachment fromReference(const QByteArray &url, Kind kind);

    Kind kind() const { return m_kind; }
    QString mimeType() const { return m_mimeType; }
    QString name() const { return m_name; }
    const QByteArray &data() const { return m_data; }
    bool isReference() const { return !m_reference.isEmpty(); }

    // data:<mime>;base64,<data>, or the reference.
    QByteArray url() const;
    ContentPart toPart() const;

    // The sniffed MIME type's kind, or nullopt with the reason when Kimi cannot take it.
    static std::optional<Kind> kindOf(const QString &mimeType, QString *error);

private:
    Kind m_kind = Kind::Image;
    QString m_mimeType;
    QString m_name;
    QByteArray m_data;
    QByteArray m_reference;
};

} // namespace moonpane
