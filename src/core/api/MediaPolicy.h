// Which media of earlier turns a request sends again. The API is stateless: every request
// carries the whole history, pictures and videos included, and must stay under 100 MB. A medium
// left out of a request becomes a line of text in its place, "[image omitted: photo.jpg, 4.1 MB]",
// so the model knows something was there. The message being sent keeps its media always.
#pragma once

#include "ChatMessage.h"
#include "ChatRequest.h"

#include <QList>
#include <QString>

namespace moonpane::MediaPolicy {

// What a left-out medium becomes.
QString omission(const ContentPart &part);
// How many user messages come after message `index` (0 for the last one: the one being sent).
int turnsAgo(const QList<ChatMessage> &messages, qsizetype index);
// Media of user messages older than the last `turns` ones (0: keep all) are left out. Returns
// what was left out.
QStringList keepTurns(QList<ChatMessage> &messages, int turns);
// Leaves out the oldest medium of an earlier user message; false when there is none left.
// `before`, when given, receives the part as it was.
bool leaveOutOldest(QList<ChatMessage> &messages, QString *what, ContentPart *before = nullptr);
// Leaves out media of earlier turns, oldest first, until the request's body is at most `limit`
// bytes (or none is left). Returns the body's size then; the body is built once and each
// medium left out is taken off by arithmetic, so a long conversation costs one build.
qint64 leaveOutToFit(ChatRequest &request, qint64 limit, QStringList *leftOut);
// What one part adds to a body, exactly, without reading a file.
qint64 partSize(const ContentPart &part);

} // namespace moonpane::MediaPolicy
