// Which media of earlier turns a request sends again. The API is stateless: every request
// carries the whole history, pictures and videos included, and must stay under 100 MB. A medium
// left out of a request becomes a line of text in its place, "[image omitted: photo.jpg, 4.1 MB]",
// so the model knows something was there. The message being sent keeps its media always.
#pragma once

#include "ChatMessage.h"

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
bool leaveOutOldest(QList<ChatMessage> &messages, QString *what);

} // namespace moonpane::MediaPolicy
