// A small streaming JSON writer into a QByteArray. Request bodies can carry tens of megabytes of
// base64 media; building them through QJsonDocument would hold several UTF-16 copies of every
// data URI. This writes each string once, as UTF-8, in its final place.
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <string_view>

namespace moonpane {

class JsonWriter final
{
public:
    explicit JsonWriter(QByteArray *out)
        : m_out(out)
    {
    }

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
    bool m_needComma = false;
};

} // namespace moonpane
