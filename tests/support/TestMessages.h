// Messages for tests, built the way the app holds them.
#pragma once

#include "conversation/ConversationModel.h"
#include "conversation/Message.h"

#include <QSignalSpy>

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

// The message of a row once its text is here: a stored conversation's rows arrive as stubs, and
// the model asks the store's reader thread for their text, which comes with dataChanged.
inline const Message *loadedAt(ConversationModel &model, int row)
{
    QSignalSpy arrived(&model, &QAbstractItemModel::dataChanged);
    const Message *m = model.messageAt(row);
    while (m && !m->textLoaded && arrived.wait(10'000))
        m = model.peekAt(row);
    return m;
}

} // namespace moonpane::test
