// libFuzzer target: arbitrary bytes as a --history file. Whatever ChatMessage::listFromJson
// accepts must validate, serialise into a request body that is valid JSON, and read back to the
// same messages.
#include "api/ChatRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QList<moonpane::ChatMessage> messages;
    QString error;
    if (!moonpane::ChatMessage::listFromJson(json, &messages, &error)) {
        if (error.isEmpty())
            __builtin_trap(); // a refusal always says why
        return 0;
    }
    for (moonpane::ThinkingMode thinking :
         {moonpane::ThinkingMode::ServerDefault, moonpane::ThinkingMode::Disabled}) {
        moonpane::ChatRequest request;
        request.messages = messages;
        request.parameters.thinking = thinking;
        (void)request.validate();
        const QByteArray body = request.toJson();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject())
            __builtin_trap(); // the body we would send is not JSON
        const QByteArray sent =
            QJsonDocument(document.object().value(QLatin1String("messages")).toArray()).toJson();
        QList<moonpane::ChatMessage> back;
        if (!moonpane::ChatMessage::listFromJson(sent, &back, &error) || back.size() != messages.size())
            __builtin_trap(); // what we send must read back
    }
    return 0;
}
