#include "ChatParameters.h"

#include "JsonSchema.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

void checkRange(QStringList *problems, const char *name, const std::optional<double> &value, double min,
                double max)
{
    if (!value)
        return;
    if (!std::isfinite(*value) || *value < min || *value > max)
        problems->append(
            QCoreApplication::translate("ChatParameters", "%1 must be between %2 and %3 (got %4)")
                .arg(QLatin1String(name))
                .arg(min)
                .arg(max)
                .arg(*value));
}

void checkTools(QStringList *problems, const QJsonArray &tools)
{
    static const QRegularExpression functionName(u"^[a-zA-Z_][a-zA-Z0-9_-]{2,63}$"_s);
    QSet<QString> seen;
    if (tools.size() > ChatParameters::kMaxTools)
        problems->append(
            QCoreApplication::translate("ChatParameters", "at most %1 tools can be sent (got %2)")
                .arg(ChatParameters::kMaxTools)
                .arg(tools.size()));
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QString where = QCoreApplication::translate("ChatParameters", "tool %1").arg(i + 1);
        if (!tools.at(i).isObject()) {
            problems->append(
                QCoreApplication::translate("ChatParameters", "%1 must be a JSON object").arg(where));
            continue;
        }
        const QJsonObject tool = tools.at(i).toObject();
        const QString type = tool.value("type"_L1).toString();
        const QString name = ChatParameters::toolName(tool);
        if (type == "function"_L1) {
            if (!functionName.match(name).hasMatch()) {
                problems->append(QCoreApplication::translate(
                                     "ChatParameters",
                                     "%1: function name \"%2\" must be 3 to 64 letters, digits, '_' or '-', "
                                     "starting with a letter or '_'")
                                     .arg(where, name));
                continue;
            }
        } else if (type == "builtin_function"_L1) {
            if (!name.startsWith(u'$')) {
                problems->append(
                    QCoreApplication::translate(
                        "ChatParameters", "%1: a builtin_function name starts with '$' (like $web_search)")
                        .arg(where));
                continue;
            }
        } else {
            problems->append(
                QCoreApplication::translate("ChatParameters",
                                            "%1: \"type\" must be \"function\" or \"builtin_function\"")
                    .arg(where));
            continue;
        }
        if (type == "function"_L1) {
            const QJsonValue parameters = tool.value("function"_L1).toObject().value("parameters"_L1);
            if (!parameters.isUndefined() && !parameters.isObject())
                problems->append(QCoreApplication::translate("ChatParameters",
                                                             "%1 (%2): \"parameters\" must be a JSON object")
                                     .arg(where, name));
            else if (parameters.isObject())
                for (const QString &problem : JsonSchema::checkParameters(parameters.toObject()))
                    problems->append(u"%1 (%2): %3"_s.arg(where, name, problem));
        }
        if (seen.contains(name))
            problems->append(
                QCoreApplication::translate("ChatParameters", "%1: the function name \"%2\" is used twice")
                    .arg(where, name));
        seen.insert(name);
    }
}

} // namespace

QString ChatParameters::toolName(const QJsonValue &tool)
{
    return tool.toObject().value("function"_L1).toObject().value("name"_L1).toString();
}

QStringList ChatParameters::validate() const
{
    QStringList problems;
    if (model.trimmed().isEmpty())
        problems.append(QCoreApplication::translate("ChatParameters", "the model id is empty"));
    if (keepThinking && thinking == ThinkingMode::Disabled)
        problems.append(QCoreApplication::translate(
            "ChatParameters", "keeping earlier thinking (keep: \"all\") needs thinking enabled"));
    if (maxCompletionTokens && *maxCompletionTokens < 1)
        problems.append(
            QCoreApplication::translate("ChatParameters", "max_completion_tokens must be at least 1 (got %1)")
                .arg(*maxCompletionTokens));
    checkRange(&problems, "temperature", temperature, 0, 2);
    checkRange(&problems, "top_p", topP, 0, 1);
    checkRange(&problems, "frequency_penalty", frequencyPenalty, -2, 2);
    checkRange(&problems, "presence_penalty", presencePenalty, -2, 2);

    if (stop.size() > kMaxStopSequences)
        problems.append(
            QCoreApplication::translate("ChatParameters", "at most %1 stop sequences are allowed (got %2)")
                .arg(kMaxStopSequences)
                .arg(stop.size()));
    for (const QString &sequence : stop) {
        if (sequence.isEmpty())
            problems.append(QCoreApplication::translate("ChatParameters", "a stop sequence is empty"));
        else if (sequence.toUtf8().size() > kMaxStopSequenceBytes)
            problems.append(QCoreApplication::translate("ChatParameters",
                                                        "the stop sequence \"%1\" is longer than %2 bytes")
                                .arg(sequence)
                                .arg(kMaxStopSequenceBytes));
    }

    if (responseFormat == ResponseFormat::JsonSchema) {
        if (jsonSchema.value("name"_L1).toString().isEmpty())
            problems.append(QCoreApplication::translate("ChatParameters",
                                                        "a json_schema response format needs a \"name\""));
        if (!jsonSchema.value("schema"_L1).isObject())
            problems.append(QCoreApplication::translate(
                "ChatParameters", "a json_schema response format needs a \"schema\" object"));
    }
    checkTools(&problems, tools);
    return problems;
}

namespace {

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

std::optional<double> readNumber(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

const char *const kThinkingNames[] = {"default", "enabled", "disabled"};
const char *const kFormatNames[] = {"unset", "text", "json_object", "json_schema"};

} // namespace

QJsonObject ChatParameters::toJson() const
{
    QJsonObject object {
        {u"model"_s, model},
        {u"thinking"_s, QLatin1String(kThinkingNames[static_cast<int>(thinking)])},
        {u"keep_thinking"_s, keepThinking},
        {u"max_completion_tokens"_s, maxCompletionTokens ? QJsonValue(*maxCompletionTokens) : QJsonValue()},
        {u"temperature"_s, optionalNumber(temperature)},
        {u"top_p"_s, optionalNumber(topP)},
        {u"frequency_penalty"_s, optionalNumber(frequencyPenalty)},
        {u"presence_penalty"_s, optionalNumber(presencePenalty)},
        {u"response_format"_s, QLatin1String(kFormatNames[static_cast<int>(responseFormat)])},
        {u"stream"_s, stream},
    };
    if (!jsonSchema.isEmpty())
        object.insert(u"json_schema"_s, jsonSchema);
    if (!tools.isEmpty())
        object.insert(u"tools"_s, tools);
    if (!stop.isEmpty())
        object.insert(u"stop"_s, QJsonArray::fromStringList(stop));
    return object;
}

ChatParameters ChatParameters::fromJson(const QJsonObject &object)
{
    ChatParameters p;
    p.model = object.value("model"_L1).toString(p.model);
    const QString thinking = object.value("thinking"_L1).toString();
    for (int i = 0; i < 3; ++i) {
        if (thinking == QLatin1String(kThinkingNames[i]))
            p.thinking = static_cast<ThinkingMode>(i);
    }
    p.keepThinking = object.value("keep_thinking"_L1).toBool();
    if (object.value("max_completion_tokens"_L1).isDouble())
        p.maxCompletionTokens = object.value("max_completion_tokens"_L1).toInteger();
    p.temperature = readNumber(object, "temperature"_L1);
    p.topP = readNumber(object, "top_p"_L1);
    p.frequencyPenalty = readNumber(object, "frequency_penalty"_L1);
    p.presencePenalty = readNumber(object, "presence_penalty"_L1);
    const QString format = object.value("response_format"_L1).toString();
    for (int i = 0; i < 4; ++i) {
        if (format == QLatin1String(kFormatNames[i]))
            p.responseFormat = static_cast<ResponseFormat>(i);
    }
    p.jsonSchema = object.value("json_schema"_L1).toObject();
    p.tools = object.value("tools"_L1).toArray();
    for (const QJsonValue &sequence : object.value("stop"_L1).toArray())
        p.stop.append(sequence.toString());
    p.stream = object.value("stream"_L1).toBool(true);
    return p;
}

} // namespace moonpane
