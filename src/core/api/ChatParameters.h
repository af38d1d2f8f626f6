// The request parameters of a chat completion besides the messages. Every optional field that is
// unset is left out of the request: kimi-k2.6 pins its sampling parameters and rejects other
// values, so nothing is sent that the user did not ask for.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace moonpane {

enum class ThinkingMode {
    ServerDefault, // no `thinking` field; kimi-k2.6 then thinks
    Enabled,
    Disabled,
};

enum class ResponseFormat { Unset, Text, JsonObject, JsonSchema };

struct ChatParameters
{
    static constexpr auto kDefaultModel = "kimi-k2.6";
    static constexpr int kMaxStopSequences = 5; // the gateway's limit
    static constexpr int kMaxStopSequenceBytes = 32;
    static constexpr int kMaxTools = 128; // Kimi's limit on functions in `tools`

    QString model = QLatin1String(kDefaultModel);
    ThinkingMode thinking = ThinkingMode::ServerDefault;
    bool keepThinking = false; // thinking.keep = "all" (Preserved Thinking)
    std::optional<qint64> maxCompletionTokens; // never sent as the deprecated max_tokens
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<double> frequencyPenalty;
    std::optional<double> presencePenalty;
    ResponseFormat responseFormat = ResponseFormat::Unset;
    QJsonObject
        jsonSchema; // ResponseFormat::JsonSchema: {"name", "schema", optional "strict", "description"}
    QJsonArray tools;
    QStringList stop;
    bool stream = true;

    // The server thinks unless told not to, so history rules treat the default as on.
    bool thinkingEnabled() const { return thinking != ThinkingMode::Disabled; }

    // Problems with the parameters, each a sentence a user can act on.
    // The function name of one `tools` entry ({"type", "function": {"name", …}}), or empty.
    static QString toolName(const QJsonValue &tool);
    QStringList validate() const;

    // Moonpane's own storage form (settings and the database), not the wire form.
    QJsonObject toJson() const;
    static ChatParameters fromJson(const QJsonObject &object);

    friend bool operator==(const ChatParameters &, const ChatParameters &) = default;
};

} // namespace moonpane
