// ConversationModel shows the active path of a Conversation, one row per message. It watches the
// conversation (as one of its observers), so whoever changes it (a ChatSession, the store reading
// another process's writes, the app) is shown: a streamed delta emits dataChanged for its row and
// the roles it touched, never a reset. Views in the same thread may read the typed Message
// through messageAt(). A stored conversation's rows may be stubs (Message::textLoaded false):
// asking for one asks the store for its text and its neighbours' in the background, and they
// arrive with dataChanged; the model never waits for the disk.
#pragma once

#include "Conversation.h"

#include <QAbstractListModel>

namespace moonpane {

class ConversationModel final : public QAbstractListModel, private Conversation::Observer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationModel)

public:
    enum class Roles {
        Id = Qt::UserRole + 1,
        MessageRole, // Role as int
        Content,
        Reasoning,
        HasReasoning,
        ToolCalls, // QVariantList of {id, name, arguments}
        State, // MessageState as int
        ErrorSummary,
        ErrorAdvice,
        RetryAfterSeconds, // int, -1 when none
        FinishReason,
        PromptTokens, // -1 when unknown
        CachedTokens,
        CompletionTokens,
        CreatedAt,
        ThinkingMs,
        Model,
        BranchIndex, // 0-based among siblings
        BranchCount,
        AttachmentCount,
    };
    Q_ENUM(Roles)

    explicit ConversationModel(QObject *parent = nullptr);
    ~ConversationModel() override;

    // Shows `conversation` (not owned; may be null). Resets the model.
    void setConversation(Conversation *conversation);
    Conversation *conversation() const { return m_conversation; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The message of a row. When it is a stub, its text is asked for (with the rows around it,
    // in one go) and comes later, with dataChanged: until then this is the stub.
    const Message *messageAt(int row) const;
    // The message of a row as it is, possibly a stub, asking for nothing (for size estimates).
    const Message *peekAt(int row) const;
    int rowOf(qint64 id) const;

    // The roles that show these fields of a message.
    static QList<int> rolesOf(MessageFields fields);

signals:
    // Messages were added, removed, switched or updated; streamed deltas alone do not emit it.
    void changed();

private:
    // Conversation::Observer
    void messageAdded(const Conversation &, const Message &message) override;
    void textAppended(const Conversation &, qint64 id, const QString &content,
                      const QString &reasoning) override;
    void toolCallAppended(const Conversation &, qint64 id, int index, const QString &arguments) override;
    void messageChanged(const Conversation &, const Message &message, MessageFields fields) override;
    void messagesRemoved(const Conversation &, const QList<qint64> &removed,
                         const QList<qint64> &moved) override;
    void pathChanged(const Conversation &) override;
    void textLoaded(const Conversation &, const QList<qint64> &ids) override;
    void restored(const Conversation &) override;
    void destroyed(const Conversation &) override;

    void syncPath();
    void emitRow(qint64 id, const QList<int> &roles);

    Conversation *m_conversation = nullptr;
    QList<qint64> m_rows; // message ids shown, = the conversation's path
    mutable QHash<qint64, int> m_rowIndex; // id → row, rebuilt when it does not match m_rows
};

} // namespace moonpane
