// ConversationModel shows the active path of a Conversation, one row per message. Streaming
// changes one row: a delta emits dataChanged for that row and the roles it touched, never a
// reset. Views in the same thread may read the typed Message through messageAt().
#pragma once

#include "Conversation.h"

#include <QAbstractListModel>

#include <functional>

namespace moonpane {

class ConversationModel final : public QAbstractListModel
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

    // The message of a row, its text loaded (with the rows around it, in one go).
    const Message *messageAt(int row) const;
    // The message of a row as it is, possibly a stub without text (for size estimates).
    const Message *peekAt(int row) const;
    int rowOf(qint64 id) const;

    // Adds a message (its parentId says where) and shows the path down to it.
    qint64 addMessage(Message message);
    void appendReasoning(qint64 id, const QString &delta);
    void appendContent(qint64 id, const QString &delta);
    // Changes a message in place; `roles` lists what changed (empty: everything).
    void updateMessage(qint64 id, const std::function<void(Message &)> &change,
                       const QList<Roles> &roles = {});
    // Removes one message; the messages after it stay.
    void removeMessage(qint64 id);
    // Removes a message and everything that follows from it.
    void removeBranch(qint64 id);
    void selectBranch(qint64 id);

signals:
    // Messages were added, removed, switched or updated; streamed deltas alone do not emit it.
    void changed();

private:
    void syncPath();
    void remove(qint64 id, bool branch);
    void emitRow(qint64 id, const QList<Roles> &roles);

    Conversation *m_conversation = nullptr;
    QList<qint64> m_rows; // message ids shown, = the conversation's path
};

} // namespace moonpane
