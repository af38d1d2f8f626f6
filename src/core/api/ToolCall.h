// One tool call of an assistant message. The id is opaque and not unique across a conversation
// (Kimi numbers calls per turn: functions.get_weather:0 recurs), so it is echoed byte for byte
// and never used as a key outside its own message.
#pragma once

#include <QJsonObject>
#include <QString>

namespace moonpane {

struct ToolCall
{
    QString id;
    QString type = QStringLiteral("function");
    QString name;
    QString arguments; // a serialized JSON object, as the model wrote it

    QJsonObject toJson() const;
    // Reads the wire shape {id, type, function: {name, arguments}}. On failure returns false
    // and says why in *error.
    static bool fromJson(const QJsonValue &value, ToolCall *out, QString *error);
    friend bool operator==(const ToolCall &, const ToolCall &) = default;
};

} // namespace moonpane
