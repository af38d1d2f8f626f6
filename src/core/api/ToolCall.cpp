#include "ToolCall.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace moonpane {

QJsonObject ToolCall::toJson() const
{
    return QJsonObject {
        {QLatin1String("id"), id},
        {QLatin1String("type"), type},
        {QLatin1String("function"),
         QJsonObject {{QLatin1String("name"), name}, {QLatin1String("arguments"), arguments}}},
    };
}

bool ToolCall::fromJson(const QJsonValue &value, ToolCall *out, QString *error)
{
    if (!value.isObject()) {
        *error = QCoreApplication::translate("ToolCall", "a tool call must be an object");
        return false;
    }
    const QJsonObject object = value.toObject();
    const QJsonValue id = object.value(QLatin1String("id"));
    if (!id.isString() || id.toString().isEmpty()) {
        *error = QCoreApplication::translate("ToolCall", "a tool call needs a non-empty string \"id\"");
        return false;
    }
    const QJsonValue function = object.value(QLatin1String("function"));
    if (!function.isObject()) {
        *error = QCoreApplication::translate("ToolCall", "tool call \"%1\" needs a \"function\" object")
                     .arg(id.toString());
        return false;
    }
    const QJsonValue name = function.toObject().value(QLatin1String("name"));
    if (!name.isString() || name.toString().isEmpty()) {
        *error = QCoreApplication::translate("ToolCall", "tool call \"%1\" needs a function name")
                     .arg(id.toString());
        return false;
    }
    ToolCall call;
    call.id = id.toString();
    call.type = object.value(QLatin1String("type")).toString(QStringLiteral("function"));
    call.name = name.toString();
    const QJsonValue arguments = function.toObject().value(QLatin1String("arguments"));
    if (arguments.isString())
        call.arguments = arguments.toString();
    else if (arguments.isObject())
        call.arguments =
            QString::fromUtf8(QJsonDocument(arguments.toObject()).toJson(QJsonDocument::Compact));
    else if (!arguments.isUndefined() && !arguments.isNull()) {
        *error = QCoreApplication::translate(
                     "ToolCall", "tool call \"%1\" has arguments that are neither a string nor an object")
                     .arg(call.id);
        return false;
    }
    *out = call;
    return true;
}

} // namespace moonpane
