// A message in the API's wire format: what goes into the `messages` array of a request, and what
// --history files and JSON exports hold.
#pragma once

#include "ContentPart.h"
#include "ToolCall.h"

#include <QList>
#include <QString>

#include <optional>

class QJsonValue;

namespace moonpane {

class JsonWriter;

enum class Role { System, User, Assistant, Tool };

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

struct ChatMessage
{
    Role role = Role::User;
    QString content; // sent as a plain string when `parts` is empty
    QList<ContentPart> parts; // when not empty, sent as the multimodal array instead of `content`
    std::optional<QString> reasoningContent; // absent vs "" matters: "" still counts as present
    QList<ToolCall> toolCalls;
    QString toolCallId; // role tool
    QString name; // role tool: the function's name; otherwise an optional speaker name
    bool partial = false; // Kimi Partial Mode: the model continues this assistant prefix

    static ChatMessage system(const QString &text) { return make(Role::System, text); }
    static ChatMessage user(const QString &text) { return make(Role::User, text); }
    static ChatMessage assistant(const QString &text) { return make(Role::Assistant, text); }
    static ChatMessage toolResult(const QString &toolCallId, const QString &name, const QString &text);

    // True when there is something to send as content: non-empty text or any media.
    bool hasContent() const;
    // The text of the message: `content`, or its text parts joined by blank lines.
    QString text() const;

    // Writes the wire form. An assistant message with tool calls and no content has no `content`
    // key at all: the API answers 400 "text content is empty" to "" or [] there.
    void write(JsonWriter &writer) const;
    QByteArray toJson() const;

    // Reads one wire-format message; on failure returns false and says why in *error.
    static bool fromJson(const QJsonValue &value, ChatMessage *out, QString *error);
    // Reads a JSON array of messages (a --history file); errors name the message ("message 3: ...").
    static bool listFromJson(const QByteArray &json, QList<ChatMessage> *out, QString *error);

    friend bool operator==(const ChatMessage &, const ChatMessage &) = default;

private:
    static ChatMessage make(Role role, const QString &text)
    {
        ChatMessage message;
        message.role = role;
        message.content = text;
        return message;
    }
};

} // namespace moonpane
