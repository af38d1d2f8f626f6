// What the wire inspector makes of a recorded request: its body for reading (pretty JSON, each
// medium named "<image/png, 1.2 MB>"), for editing (each medium a numbered stand-in that goes back
// to the medium when the edited text is sent), as a curl command (the key as $MOONPANE_API_KEY),
// and the assembled reply as text beside the raw lines. Pure functions: the caller decides the
// thread (a long conversation's body is megabytes of JSON: not for the UI thread).
#pragma once

#include "WireRecorder.h"

#include <QString>

namespace moonpane::WireExport {

// The body as JSON, indented, media named; as it is when it is not JSON.
QString readableBody(const RequestBody &body);
// The body indented with its media in full (read from their files: not for the UI thread).
// Empty with `error` set when a file cannot be read, or when the body is over `maxBytes`.
QString fullBody(const RequestBody &body, qint64 maxBytes, QString *error);
// The body indented, each medium "<media N: image/png, 1.2 MB>" (N from 1, in order).
QString editableBody(const RequestBody &body);
// An edited body back: checked to be a JSON object, written compactly, each stand-in replaced by
// its medium from `original`. Empty with `error` set when it is not JSON, not an object, or
// names a medium `original` does not have.
std::optional<RequestBody> bodyFromEdited(const QString &text, const RequestBody &original, QString *error);
// A shell command that sends the same request: the headers as sent (no Content-Length, the key
// as "$MOONPANE_API_KEY", never its value), the body (`flattened`: the whole body, media read)
// on stdin from a here-document.
QByteArray curlCommand(const WireExchange &exchange, const QByteArray &flattened);
// The assembled reply: finish reason, usage (cached tokens included), tool calls, reasoning,
// content; and what was kept in part.
QString assembled(const WireExchange &exchange);

} // namespace moonpane::WireExport
