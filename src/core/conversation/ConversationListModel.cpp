#include "ConversationListModel.h"

#include "ConversationLibrary.h"

#include <QLocale>

namespace moonpane {

ConversationListModel::ConversationListModel(ConversationLibrary *library, QObject *parent)
    : QAbstractListModel(parent)
    , m_library(library)
{
    for (const Conversation *c : library->conversations())
        m_ids.append(c->id);
    connect(library, &ConversationLibrary::added, this, &ConversationListModel::onAdded);
    connect(library, &ConversationLibrary::removed, this, &ConversationListModel::onRemoved);
    connect(library, &ConversationLibrary::changed, this, &ConversationListModel::onChanged);
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

qint64 ConversationListModel::idAt(int row) const
{
    return m_ids.value(row, 0);
}

int ConversationListModel::rowOf(qint64 id) const
{
    return static_cast<int>(m_ids.indexOf(id));
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Conversation *c = m_library->find(m_ids.at(index.row()));
    if (!c)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case static_cast<int>(Roles::Title):
        return c->title;
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2").arg(
            c->title, QLocale().toString(c->updatedAt.toLocalTime(), QLocale::ShortFormat));
    case static_cast<int>(Roles::Id):
        return c->id;
    case static_cast<int>(Roles::UpdatedAt):
        return c->updatedAt;
    default:
        return {};
    }
}

bool ConversationListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    const QString title = value.toString().simplified();
    if (title.isEmpty())
        return false;
    m_library->rename(m_ids.at(index.row()), title);
    return true;
}

Qt::ItemFlags ConversationListModel::flags(const QModelIndex &index) const
{
    return QAbstractListModel::flags(index) | (index.isValid() ? Qt::ItemIsEditable : Qt::NoItemFlags);
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(static_cast<int>(Roles::Id), "id");
    names.insert(static_cast<int>(Roles::Title), "title");
    names.insert(static_cast<int>(Roles::UpdatedAt), "updatedAt");
    return names;
}

int ConversationListModel::sortedRow(qint64 id, int ignoringRow) const
{
    const Conversation *c = m_library->find(id);
    int row = 0;
    for (int i = 0; i < m_ids.size(); ++i) {
        if (i == ignoringRow)
            continue;
        const Conversation *other = m_library->find(m_ids.at(i));
        if (other && other->updatedAt > c->updatedAt)
            ++row;
    }
    return row;
}

void ConversationListModel::onAdded(qint64 id)
{
    const int row = sortedRow(id, -1);
    beginInsertRows({}, row, row);
    m_ids.insert(row, id);
    endInsertRows();
}

void ConversationListModel::onRemoved(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_ids.removeAt(row);
    endRemoveRows();
}

void ConversationListModel::onChanged(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    const int target = sortedRow(id, row);
    if (target != row) {
        // beginMoveRows counts the destination before the move.
        beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
        m_ids.move(row, target);
        endMoveRows();
    }
    const QModelIndex at = index(rowOf(id));
    emit dataChanged(at, at);
}

} // namespace moonpane
