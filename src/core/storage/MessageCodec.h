// How a Message's fields are written down, in the database and in exports: state names, the
// error and tool calls as JSON, timestamps, ids as strings (they exceed the 53 bits that a
// JavaScript number holds exactly).
#pragma once

#include "conversation/Message.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace moonpane::MessageCodec {

QString stateName(MessageState state);
std::optional<MessageState> stateFromName(const QString &name);

QByteArray errorToJson(const ApiError &error); // empty when there is no error
bool errorFromJson(const QByteArray &json, ApiError *out);
QByteArray toolCallsToJson(const QList<ToolCall> &calls); // empty when there are none
bool toolCallsFromJson(const QByteArray &json, QList<ToolCall> *out);

// Splits data:<mime>;base64,<payload>; false when `url` is not such a URI.
bool splitDataUri(const QByteArray &url, QString *mime, QByteArray *base64);
// "image/png, 1.2 MB" for a data URI, or the URL itself for a reference.
QString describeMedia(const ContentPart &part);

QString idText(qint64 id); // "0" stays "0"
qint64 idFromJson(const QJsonValue &value); // a string or a number; 0 when absent or invalid
QString timeText(const QDateTime &time); // ISO 8601, UTC, milliseconds
QDateTime timeFromText(const QString &text);

// The message as a JSON object: its wire form (what the API takes) plus Moonpane's own fields
// ("id", "parent_id", "state", "created_at", "finish_reason", "usage", "error", "model", timings).
QJsonObject toJson(const Message &message);
// The reverse; on failure returns false and says why in *error.
bool fromJson(const QJsonValue &value, Message *out, QString *error);

} // namespace moonpane::MessageCodec
