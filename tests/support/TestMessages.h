// Messages for tests, built the way the app holds them.
#pragma once

#include "conversation/Message.h"

namespace moonpane::test {

// A message with a role, text and parent (0: a first message), created at `createdAt`.
inline Message message(Role role, const QString &content, qint64 parentId = 0,
                       const QDateTime &createdAt = QDateTime::currentDateTimeUtc())
{
    Message m;
    m.role = role;
    m.content = content;
    m.parentId = parentId;
    m.createdAt = createdAt;
    return m;
}

} // namespace moonpane::test
