#include "MessageCodec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane::MessageCodec {

namespace {
const char *const kStates[] = {"complete", "streaming", "incomplete", "failed"};
const char *const kErrorKinds[] = {"none",     "validation", "http",    "stream",
                                   "protocol", "transport",  "timeout", "cancelled"};

QJsonValue optionalMs(qint64 value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue();
}
} // namespace

QString stateName(MessageState state)
{
    return QLatin1String(kStates[static_cast<int>(state)]);
}

std::optional<MessageState> stateFromName(const QString &name)
{
    for (int i = 0; i < 4; ++i) {
        if (name == QLatin1String(kStates[i]))
            return static_cast<MessageState>(i);
    }
    return std::nullopt;
}

QByteArray errorToJson(const ApiError &error)
{
    if (!error.isError())
        return {};
    QJsonObject object {{u"kind"_s, QLatin1String(kErrorKinds[static_cast<int>(error.kind)])},
                        {u"message"_s, error.message}};
    if (error.httpStatus)
        object.insert(u"status"_s, error.httpStatus);
    if (!error.code.isEmpty())
        object.insert(u"code"_s, error.code);
    if (!error.type.isEmpty())
        object.insert(u"type"_s, error.type);
    if (error.retryAfterSeconds)
        object.insert(u"retry_after"_s, *error.retryAfterSeconds);
    if (!error.requestId.isEmpty())
        object.insert(u"request_id"_s, error.requestId);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool errorFromJson(const QByteArray &json, ApiError *out)
{
    *out = {};
    if (json.isEmpty())
        return true;
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    const QString kind = object.value("kind"_L1).toString();
    for (int i = 0; i < 8; ++i) {
        if (kind == QLatin1String(kErrorKinds[i]))
            out->kind = static_cast<ApiError::Kind>(i);
    }
    if (out->kind == ApiError::Kind::None)
        return false;
    out->message = object.value("message"_L1).toString();
    out->httpStatus = object.value("status"_L1).toInt();
    out->code = object.value("code"_L1).toString();
    out->type = object.value("type"_L1).toString();
    if (object.value("retry_after"_L1).isDouble())
        out->retryAfterSeconds = object.value("retry_after"_L1).toInt();
    out->requestId = object.value("request_id"_L1).toString();
    return true;
}

QByteArray toolCallsToJson(const QList<ToolCall> &calls)
{
    if (calls.isEmpty())
        return {};
    QJsonArray array;
    for (const ToolCall &call : calls)
        array.append(call.toJson());
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

bool toolCallsFromJson(const QByteArray &json, QList<ToolCall> *out)
{
    out->clear();
    if (json.isEmpty())
        return true;
    const QJsonDocument document = QJsonDocument::fromJson(json);
    if (!document.isArray())
        return false;
    QString error;
    for (const QJsonValue &value : document.array()) {
        ToolCall call;
        if (!ToolCall::fromJson(value, &call, &error))
            return false;
        out->append(call);
    }
    return true;
}

bool splitDataUri(const QByteArray &url, QString *mime, QByteArray *base64)
{
    static constexpr QByteArrayView kMarker = ";base64,";
    if (!url.startsWith("data:"))
        return false;
    const qsizetype marker = url.indexOf(kMarker);
    if (marker < 5)
        return false;
    *mime = QString::fromLatin1(url.mid(5, marker - 5)).toLower();
    *base64 = url.mid(marker + kMarker.size());
    return !mime->isEmpty();
}

QString describeMedia(const ContentPart &part)
{
    if (part.isStoredFile())
        return u"%1, %2"_s.arg(
            part.media.mimeType,
            QLocale::c().formattedDataSize(part.media.bytes, 1, QLocale::DataSizeSIFormat));
    QString mime;
    QByteArray base64;
    if (!splitDataUri(part.url, &mime, &base64))
        return QString::fromLatin1(part.url.left(200));
    const qint64 bytes = base64.size() / 4 * 3 - (base64.endsWith("==") ? 2 : base64.endsWith('=') ? 1 : 0);
    return u"%1, %2"_s.arg(mime, QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat));
}

QString idText(qint64 id)
{
    return QString::number(id);
}

qint64 idFromJson(const QJsonValue &value)
{
    if (value.isString()) {
        bool ok = false;
        const qint64 id = value.toString().toLongLong(&ok);
        return ok && id > 0 ? id : 0;
    }
    return value.isDouble() ? value.toInteger() : 0;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime timeFromText(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    return time.toUTC();
}

QJsonObject toJson(const Message &message)
{
    QJsonObject object = QJsonDocument::fromJson(message.toChatMessage().toJson()).object();
    object.insert(u"id"_s, idText(message.id));
    object.insert(u"parent_id"_s, message.parentId ? QJsonValue(idText(message.parentId)) : QJsonValue());
    object.insert(u"state"_s, stateName(message.state));
    object.insert(u"created_at"_s, timeText(message.createdAt));
    object.insert(u"finish_reason"_s,
                  message.finishReason.isEmpty() ? QJsonValue() : QJsonValue(message.finishReason));
    object.insert(u"usage"_s, message.usage ? QJsonValue(message.usage->raw) : QJsonValue());
    const QByteArray error = errorToJson(message.error);
    object.insert(u"error"_s,
                  error.isEmpty() ? QJsonValue() : QJsonValue(QJsonDocument::fromJson(error).object()));
    object.insert(u"model"_s, message.model.isEmpty() ? QJsonValue() : QJsonValue(message.model));
    object.insert(u"thinking_ms"_s, optionalMs(message.thinkingMs));
    object.insert(u"first_token_ms"_s, optionalMs(message.firstTokenMs));
    object.insert(u"generation_ms"_s, optionalMs(message.generationMs));
    return object;
}

bool fromJson(const QJsonValue &value, Message *out, QString *error)
{
    ChatMessage wire;
    if (!ChatMessage::fromJson(value, &wire, error))
        return false;
    const QJsonObject object = value.toObject();
    Message m = Message::fromChatMessage(wire);
    m.id = idFromJson(object.value("id"_L1));
    m.parentId = idFromJson(object.value("parent_id"_L1));
    const QJsonValue state = object.value("state"_L1);
    if (state.isString()) {
        const std::optional<MessageState> parsed = stateFromName(state.toString());
        if (!parsed) {
            *error =
                QCoreApplication::translate("MessageCodec", "unknown state \"%1\"").arg(state.toString());
            return false;
        }
        m.state = *parsed;
    }
    m.createdAt = timeFromText(object.value("created_at"_L1).toString());
    m.finishReason = object.value("finish_reason"_L1).toString();
    if (object.value("usage"_L1).isObject())
        m.usage = Usage::fromJson(object.value("usage"_L1).toObject());
    if (object.value("error"_L1).isObject()
        && !errorFromJson(QJsonDocument(object.value("error"_L1).toObject()).toJson(QJsonDocument::Compact),
                          &m.error)) {
        *error = QCoreApplication::translate("MessageCodec", "\"error\" is not an error Moonpane recorded");
        return false;
    }
    m.model = object.value("model"_L1).toString();
    const auto ms = [&](const char *key) {
        const QJsonValue v = object.value(QLatin1String(key));
        return v.isDouble() ? v.toInteger() : qint64(-1);
    };
    m.thinkingMs = ms("thinking_ms");
    m.firstTokenMs = ms("first_token_ms");
    m.generationMs = ms("generation_ms");
    m.textLength = m.content.size() + m.reasoning.size();
    *out = m;
    return true;
}

} // namespace moonpane::MessageCodec
