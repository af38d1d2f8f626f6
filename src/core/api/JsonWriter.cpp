#include "JsonWriter.h"

#include "Base64.h"
#include "MediaRef.h"
#include "RequestBody.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <charconv>
#include <cmath>

namespace moonpane {

JsonWriter::JsonWriter(RequestBody *body)
    : m_out(&m_pending)
    , m_body(body)
{
}

JsonWriter::~JsonWriter()
{
    finish();
}

void JsonWriter::finish()
{
    if (m_body && !m_pending.isEmpty()) {
        m_body->appendText(m_pending);
        m_pending.clear();
    }
}

void JsonWriter::media(const MediaRef &media)
{
    separate();
    m_out->append('"');
    if (m_body) {
        finish();
        m_body->appendMedia(media);
    } else {
        const qsizetype start = m_out->size();
        m_out->append(media.dataUriPrefix());
        QString error;
        const bool read = RequestBody::readMedia(
            media, 3 << 20,
            [this](const char *data, qint64 size) {
                const qsizetype at = m_out->size();
                m_out->resize(at + static_cast<qsizetype>(Base64::encodedSize(size)));
                Base64::encode(data, size, m_out->data() + at);
                return true;
            },
            &error);
        if (!read)
            m_out->truncate(start);
    }
    m_out->append('"');
}

void JsonWriter::separate()
{
    if (m_needComma)
        m_out->append(',');
    m_needComma = true;
}

void JsonWriter::open(char bracket)
{
    separate();
    m_out->append(bracket);
    m_needComma = false;
}

void JsonWriter::close(char bracket)
{
    m_out->append(bracket);
    m_needComma = true;
}

void JsonWriter::key(std::string_view name)
{
    separate();
    appendEscaped(m_out, name);
    m_out->append(':');
    m_needComma = false;
}

void JsonWriter::value(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    valueUtf8(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

void JsonWriter::valueUtf8(std::string_view utf8)
{
    separate();
    appendEscaped(m_out, utf8);
}

void JsonWriter::value(double number)
{
    separate();
    if (!std::isfinite(number)) {
        m_out->append("null"); // JSON has no NaN or infinity; validation rejects them earlier
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    m_out->append(buffer, result.ptr - buffer);
}

void JsonWriter::value(qint64 number)
{
    separate();
    m_out->append(QByteArray::number(number));
}

void JsonWriter::value(bool flag)
{
    separate();
    m_out->append(flag ? "true" : "false");
}

void JsonWriter::null()
{
    separate();
    m_out->append("null");
}

void JsonWriter::value(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Object:
        separate();
        m_out->append(QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact));
        break;
    case QJsonValue::Array:
        separate();
        m_out->append(QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact));
        break;
    case QJsonValue::String:
        value(json.toString());
        break;
    case QJsonValue::Double:
        if (json.toDouble() == static_cast<double>(json.toInteger()))
            value(json.toInteger());
        else
            value(json.toDouble());
        break;
    case QJsonValue::Bool:
        value(json.toBool());
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        null();
        break;
    }
}

void JsonWriter::appendEscaped(QByteArray *out, std::string_view utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    out->reserve(out->size() + static_cast<qsizetype>(utf8.size()) + 2);
    out->append('"');
    const char *run = utf8.data();
    const char *end = utf8.data() + utf8.size();
    for (const char *p = run; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out->append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out->append("\\\"");
            break;
        case '\\':
            out->append("\\\\");
            break;
        case '\n':
            out->append("\\n");
            break;
        case '\r':
            out->append("\\r");
            break;
        case '\t':
            out->append("\\t");
            break;
        case '\b':
            out->append("\\b");
            break;
        case '\f':
            out->append("\\f");
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out->append(escape, sizeof escape);
        }
        }
    }
    out->append(run, end - run);
    out->append('"');
}

} // namespace moonpane
