#include "ChatMessage.h"

#include "JsonWriter.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace moonpane {

QString roleName(Role role)
{
    switch (role) {
    case Role::System:
        return u"system"_s;
    case Role::User:
        return u"user"_s;
    case Role::Assistant:
        return u"assistant"_s;
    case Role::Tool:
        return u"tool"_s;
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    if (name == "system"_L1)
        return Role::System;
    if (name == "user"_L1)
        return Role::User;
    if (name == "assistant"_L1)
        return Role::Assistant;
    if (name == "tool"_L1)
        return Role::Tool;
    return std::nullopt;
}

ChatMessage ChatMessage::toolResult(const QString &toolCallId, const QString &name, const QString &text)
{
    ChatMessage message = make(Role::Tool, text);
    message.toolCallId = toolCallId;
    message.name = name;
    return message;
}

bool ChatMessage::hasContent() const
{
    if (parts.isEmpty())
        return !content.isEmpty();
    for (const ContentPart &part : parts) {
        if (!part.isText() || !part.text.isEmpty())
            return true;
    }
    return false;
}

QString ChatMessage::text() const
{
    if (parts.isEmpty())
        return content;
    QStringList texts;
    for (const ContentPart &part : parts) {
        if (part.isText())
            texts.append(part.text);
    }
    return texts.join("\n\n"_L1);
}

void ChatMessage::write(JsonWriter &writer) const
{
    writer.beginObject();
    writer.field("role", roleName(role));
    const bool omitContent = role == Role::Assistant && !toolCalls.isEmpty() && !hasContent();
    if (!omitContent) {
        writer.key("content");
        if (parts.isEmpty()) {
            writer.value(content);
        } else {
            writer.beginArray();
            for (const ContentPart &part : parts)
                part.write(writer);
            writer.endArray();
        }
    }
    if (reasoningContent)
        writer.field("reasoning_content", *reasoningContent);
    if (!toolCalls.isEmpty()) {
        writer.key("tool_calls");
        writer.beginArray();
        for (const ToolCall &call : toolCalls) {
            writer.beginObject();
            writer.field("id", call.id);
            writer.field("type", call.type);
            writer.key("function");
            writer.beginObject();
            writer.field("name", call.name);
            writer.field("arguments", call.arguments);
            writer.endObject();
            writer.endObject();
        }
        writer.endArray();
    }
    if (!toolCallId.isEmpty())
        writer.field("tool_call_id", toolCallId);
    if (!name.isEmpty())
        writer.field("name", name);
    if (partial)
        writer.field("partial", true);
    writer.endObject();
}

QByteArray ChatMessage::toJson() const
{
    QByteArray out;
    JsonWriter writer(&out);
    write(writer);
    return out;
}

namespace {

bool partFromJson(const QJsonValue &value, ContentPart *out, QString *error)
{
    if (!value.isObject()) {
        *error = QCoreApplication::translate("ChatMessage", "a content part must be an object");
        return false;
    }
    const QJsonObject object = value.toObject();
    const QString type = object.value("type"_L1).toString();
    if (type == "text"_L1) {
        const QJsonValue text = object.value("text"_L1);
        if (!text.isString()) {
            *error = QCoreApplication::translate("ChatMessage", "a text part needs a string \"text\"");
            return false;
        }
        *out = ContentPart::fromText(text.toString());
        return true;
    }
    if (type == "image_url"_L1 || type == "video_url"_L1) {
        // {"image_url": {"url": "..."}}, or the bare-string form some clients send.
        const QJsonValue holder = object.value(type);
        const QJsonValue url = holder.isObject() ? holder.toObject().value("url"_L1) : holder;
        if (!url.isString() || url.toString().isEmpty()) {
            *error = QCoreApplication::translate("ChatMessage", "a %1 part needs a \"%1\" with a \"url\"")
                         .arg(type);
            return false;
        }
        const QByteArray bytes = url.toString().toUtf8();
        *out = type == "image_url"_L1 ? ContentPart::fromImageUrl(bytes) : ContentPart::fromVideoUrl(bytes);
        return true;
    }
    *error = type.isEmpty()
        ? QCoreApplication::translate("ChatMessage", "a content part needs a \"type\"")
        : QCoreApplication::translate(
              "ChatMessage", "unknown content part type \"%1\" (expected text, image_url or video_url)")
              .arg(type);
    return false;
}

} // namespace

bool ChatMessage::fromJson(const QJsonValue &value, ChatMessage *out, QString *error)
{
    if (!value.isObject()) {
        *error = QCoreApplication::translate("ChatMessage", "a message must be a JSON object");
        return false;
    }
    const QJsonObject object = value.toObject();
    const QJsonValue roleValue = object.value("role"_L1);
    const std::optional<Role> role = roleFromName(roleValue.toString());
    if (!role) {
        *error = roleValue.isString()
            ? QCoreApplication::translate("ChatMessage",
                                          "unknown role \"%1\" (expected system, user, assistant or tool)")
                  .arg(roleValue.toString())
            : QCoreApplication::translate("ChatMessage", "\"role\" is missing");
        return false;
    }
    ChatMessage message;
    message.role = *role;

    const QJsonValue content = object.value("content"_L1);
    if (content.isString()) {
        message.content = content.toString();
    } else if (content.isArray()) {
        const QJsonArray array = content.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            ContentPart part;
            if (!partFromJson(array.at(i), &part, error)) {
                *error =
                    QCoreApplication::translate("ChatMessage", "content part %1: %2").arg(i + 1).arg(*error);
                return false;
            }
            message.parts.append(part);
        }
    } else if (!content.isNull() && !content.isUndefined()) {
        *error = QCoreApplication::translate("ChatMessage",
                                             "\"content\" must be a string, an array of parts or null");
        return false;
    }

    const QJsonValue reasoning = object.value("reasoning_content"_L1);
    if (reasoning.isString())
        message.reasoningContent = reasoning.toString();
    else if (!reasoning.isNull() && !reasoning.isUndefined()) {
        *error = QCoreApplication::translate("ChatMessage", "\"reasoning_content\" must be a string");
        return false;
    }

    const QJsonValue toolCalls = object.value("tool_calls"_L1);
    if (toolCalls.isArray()) {
        const QJsonArray array = toolCalls.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            ToolCall call;
            if (!ToolCall::fromJson(array.at(i), &call, error)) {
                *error =
                    QCoreApplication::translate("ChatMessage", "tool call %1: %2").arg(i + 1).arg(*error);
                return false;
            }
            message.toolCalls.append(call);
        }
    } else if (!toolCalls.isNull() && !toolCalls.isUndefined()) {
        *error = QCoreApplication::translate("ChatMessage", "\"tool_calls\" must be an array");
        return false;
    }
    if (!message.toolCalls.isEmpty() && message.role != Role::Assistant) {
        *error =
            QCoreApplication::translate("ChatMessage", "only assistant messages can carry \"tool_calls\"");
        return false;
    }

    message.toolCallId = object.value("tool_call_id"_L1).toString();
    message.name = object.value("name"_L1).toString();
    message.partial = object.value("partial"_L1).toBool(false);
    if (message.role == Role::Tool && message.toolCallId.isEmpty()) {
        *error = QCoreApplication::translate(
            "ChatMessage", "a tool message needs the \"tool_call_id\" of the call it answers");
        return false;
    }
    *out = message;
    return true;
}

bool ChatMessage::listFromJson(const QByteArray &json, QList<ChatMessage> *out, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QCoreApplication::translate("ChatMessage", "not valid JSON (%1 at byte %2)")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!document.isArray()) {
        *error = QCoreApplication::translate("ChatMessage", "expected a JSON array of messages");
        return false;
    }
    const QJsonArray array = document.array();
    QList<ChatMessage> messages;
    messages.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        ChatMessage message;
        if (!fromJson(array.at(i), &message, error)) {
            *error = QCoreApplication::translate("ChatMessage", "message %1: %2").arg(i + 1).arg(*error);
            return false;
        }
        messages.append(message);
    }
    *out = messages;
    return true;
}

} // namespace moonpane
