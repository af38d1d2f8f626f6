// A small streaming JSON writer into a QByteArray. Request bodies can carry tens of megabytes of
// base64 media; building them through QJsonDocument would hold several UTF-16 copies of every
// data URI. This writes each string once, as UTF-8, in its final place. Written into a
// RequestBody, media stay references to their files (media()), encoded only when the body is
// sent; written into a QByteArray, they are read and encoded in place.
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <string_view>

namespace moonpane {

struct MediaRef;
class RequestBody;

class JsonWriter final
{
public:
    explicit JsonWriter(QByteArray *out)
        : m_out(out)
    {
    }
    // Writes into `body`; what was written is in it once finish() ran (or the writer is gone).
    explicit JsonWriter(RequestBody *body);
    ~JsonWriter();
    Q_DISABLE_COPY_MOVE(JsonWriter)
    void finish();

    void beginObject() { open('{'); }
    void endObject() { close('}'); }
    void beginArray() { open('['); }
    void endArray() { close(']'); }

    void key(std::string_view name);
    void value(const QString &text);
    void valueUtf8(std::string_view utf8);
    void value(double number);
    void value(qint64 number);
    void value(int number) { value(static_cast<qint64>(number)); }
    void value(bool flag);
    void null();
    void value(const QJsonValue &json); // any JSON value, written compactly
    // A data URI string of the medium's bytes: a reference in a RequestBody, the bytes read
    // from the file and encoded here otherwise (an unreadable file gives an empty string, which
    // the server refuses rather than taking it for something else).
    void media(const MediaRef &media);

    // Convenience: key then value.
    template<typename T> void field(std::string_view name, const T &v)
    {
        key(name);
        value(v);
    }

    static void appendEscaped(QByteArray *out, std::string_view utf8);

private:
    void open(char bracket);
    void close(char bracket);
    void separate();

    QByteArray *m_out;
    RequestBody *m_body = nullptr;
    QByteArray m_pending; // text not handed to m_body yet
    bool m_needComma = false;
};

} // namespace moonpane
