#include "ConversationModel.h"

#include <QMetaEnum>
#include <QVariantMap>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

ConversationModel::ConversationModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

ConversationModel::~ConversationModel()
{
    if (m_conversation)
        m_conversation->removeObserver(this);
}

void ConversationModel::setConversation(Conversation *conversation)
{
    beginResetModel();
    if (m_conversation)
        m_conversation->removeObserver(this);
    m_conversation = conversation;
    if (m_conversation)
        m_conversation->addObserver(this);
    m_rows = conversation ? conversation->path() : QList<qint64>();
    m_rowIndex.clear();
    endResetModel();
}

int ConversationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

const Message *ConversationModel::peekAt(int row) const
{
    if (!m_conversation || row < 0 || row >= m_rows.size())
        return nullptr;
    return m_conversation->message(m_rows.at(row));
}

const Message *ConversationModel::messageAt(int row) const
{
    const Message *m = peekAt(row);
    if (m && !m->textLoaded && !m_conversation->isTextRequested(m->id)) {
        // The neighbours too: a view asks for the rows around this one next.
        constexpr int kWindow = 40;
        const qsizetype first = std::max<qsizetype>(0, row - kWindow);
        const qsizetype count = std::min<qsizetype>(m_rows.size() - first, 2 * kWindow + 1);
        m_conversation->requestText(m_rows.mid(first, count));
        m = peekAt(row); // loaded at once when there is nothing to wait for
    }
    return m;
}

int ConversationModel::rowOf(qint64 id) const
{
    if (m_rowIndex.size() != m_rows.size()) {
        // Rebuilt after the rows changed (rare: a new message, a branch switch), not per delta.
        m_rowIndex.clear();
        m_rowIndex.reserve(m_rows.size());
        for (qsizetype row = 0; row < m_rows.size(); ++row)
            m_rowIndex.insert(m_rows.at(row), static_cast<int>(row));
    }
    return m_rowIndex.value(id, -1);
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    const QMetaEnum roles = QMetaEnum::fromType<Roles>();
    for (int i = 0; i < roles.keyCount(); ++i) {
        QByteArray name = roles.key(i);
        name[0] = QChar::toLower(static_cast<char16_t>(name[0]));
        names.insert(roles.value(i), name);
    }
    return names;
}

QVariant ConversationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Message *m = messageAt(index.row());
    if (!m)
        return {};
    if (role == Qt::DisplayRole)
        return m->content;
    switch (static_cast<Roles>(role)) {
    case Roles::Id:
        return m->id;
    case Roles::MessageRole:
        return static_cast<int>(m->role);
    case Roles::Content:
        return m->content;
    case Roles::Reasoning:
        return m->reasoning;
    case Roles::HasReasoning:
        return m->hasReasoning || !m->reasoning.isEmpty();
    case Roles::ToolCalls: {
        QVariantList calls;
        for (const ToolCall &call : m->toolCalls)
            calls.append(
                QVariantMap {{u"id"_s, call.id}, {u"name"_s, call.name}, {u"arguments"_s, call.arguments}});
        return calls;
    }
    case Roles::State:
        return static_cast<int>(m->state);
    case Roles::ErrorSummary:
        return m->error.isError() ? m->error.summary() : QString();
    case Roles::ErrorAdvice:
        return m->error.isError() ? m->error.advice() : QString();
    case Roles::RetryAfterSeconds:
        return m->error.retryAfterSeconds.value_or(-1);
    case Roles::FinishReason:
        return m->finishReason;
    case Roles::PromptTokens:
        return m->usage ? m->usage->promptTokens : -1;
    case Roles::CachedTokens:
        return m->usage ? m->usage->cachedTokens.value_or(0) : -1;
    case Roles::CompletionTokens:
        return m->usage ? m->usage->completionTokens : -1;
    case Roles::CreatedAt:
        return m->createdAt;
    case Roles::ThinkingMs:
        return m->thinkingMs;
    case Roles::Model:
        return m->model;
    case Roles::BranchIndex:
        return static_cast<int>(m_conversation->siblings(m->id).indexOf(m->id));
    case Roles::BranchCount:
        return static_cast<int>(m_conversation->siblings(m->id).size());
    case Roles::AttachmentCount:
        return static_cast<int>(m->parts.size());
    }
    return {};
}

QList<int> ConversationModel::rolesOf(MessageFields fields)
{
    if (fields == kAllMessageFields)
        return {}; // everything
    QList<Roles> roles;
    if (fields & MessageField::Content)
        roles << Roles::Content;
    if (fields & MessageField::Reasoning)
        roles << Roles::Reasoning << Roles::HasReasoning;
    if (fields & MessageField::ToolCalls)
        roles << Roles::ToolCalls;
    if (fields & MessageField::State)
        roles << Roles::State;
    if (fields & MessageField::Error)
        roles << Roles::ErrorSummary << Roles::ErrorAdvice << Roles::RetryAfterSeconds;
    if (fields & MessageField::FinishReason)
        roles << Roles::FinishReason;
    if (fields & MessageField::Usage)
        roles << Roles::PromptTokens << Roles::CachedTokens << Roles::CompletionTokens;
    if (fields & MessageField::Timings)
        roles << Roles::ThinkingMs;
    if (fields & MessageField::Model)
        roles << Roles::Model;
    QList<int> ints;
    ints.reserve(roles.size());
    for (Roles r : std::as_const(roles))
        ints.append(static_cast<int>(r));
    return ints;
}

void ConversationModel::emitRow(qint64 id, const QList<int> &roles)
{
    const int row = rowOf(id);
    if (row >= 0) {
        const QModelIndex at = index(row);
        emit dataChanged(at, at, roles);
    }
}

void ConversationModel::messageAdded(const Conversation &, const Message &message)
{
    syncPath();
    // A new branch changes its siblings' "n of m".
    for (qint64 sibling : m_conversation->siblings(message.id)) {
        if (sibling != message.id)
            emitRow(sibling, {static_cast<int>(Roles::BranchCount)});
    }
    emit changed();
}

void ConversationModel::textAppended(const Conversation &, qint64 id, const QString &content,
                                     const QString &reasoning)
{
    if (!content.isEmpty())
        emitRow(id, {static_cast<int>(Roles::Content)});
    if (!reasoning.isEmpty())
        emitRow(id, {static_cast<int>(Roles::Reasoning)});
}

void ConversationModel::toolCallAppended(const Conversation &, qint64 id, int, const QString &)
{
    emitRow(id, {static_cast<int>(Roles::ToolCalls)});
}

void ConversationModel::messageChanged(const Conversation &, const Message &message, MessageFields fields)
{
    emitRow(message.id, rolesOf(fields));
    emit changed();
}

void ConversationModel::messagesRemoved(const Conversation &, const QList<qint64> &, const QList<qint64> &)
{
    syncPath();
    // Branch counts can change anywhere along the path (replies that moved up become siblings).
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1),
                         {static_cast<int>(Roles::BranchIndex), static_cast<int>(Roles::BranchCount)});
    emit changed();
}

void ConversationModel::pathChanged(const Conversation &)
{
    syncPath();
    emit changed();
}

void ConversationModel::textLoaded(const Conversation &, const QList<qint64> &ids)
{
    // One dataChanged per run of neighbouring rows (they are usually asked for together).
    QList<int> rows;
    rows.reserve(ids.size());
    for (qint64 id : ids) {
        if (const int row = rowOf(id); row >= 0)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end());
    for (qsizetype i = 0; i < rows.size();) {
        qsizetype j = i;
        while (j + 1 < rows.size() && rows.at(j + 1) == rows.at(j) + 1)
            ++j;
        emit dataChanged(index(rows.at(i)), index(rows.at(j)));
        i = j + 1;
    }
}

void ConversationModel::restored(const Conversation &)
{
    beginResetModel();
    m_rows = m_conversation->path();
    m_rowIndex.clear();
    endResetModel();
    emit changed();
}

void ConversationModel::destroyed(const Conversation &)
{
    beginResetModel();
    m_conversation = nullptr;
    m_rows.clear();
    m_rowIndex.clear();
    endResetModel();
    emit changed();
}

void ConversationModel::syncPath()
{
    const QList<qint64> &path = m_conversation->path();
    qsizetype first = 0;
    while (first < m_rows.size() && first < path.size() && m_rows.at(first) == path.at(first))
        ++first;
    if (first < m_rows.size()) {
        beginRemoveRows({}, static_cast<int>(first), static_cast<int>(m_rows.size() - 1));
        m_rows.resize(first);
        m_rowIndex.clear();
        endRemoveRows();
    }
    if (first < path.size()) {
        beginInsertRows({}, static_cast<int>(first), static_cast<int>(path.size() - 1));
        m_rows = path;
        m_rowIndex.clear();
        endInsertRows();
    }
}

} // namespace moonpane
