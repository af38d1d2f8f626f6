// The sidebar's list: the library's conversations, most recently active first.
#pragma once

#include <QAbstractListModel>

namespace moonpane {

class ConversationLibrary;

class ConversationListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationListModel)

public:
    enum class Roles { Id = Qt::UserRole + 1, Title, UpdatedAt };
    Q_ENUM(Roles)

    explicit ConversationListModel(ConversationLibrary *library, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 idAt(int row) const;
    int rowOf(qint64 id) const;

private:
    void onAdded(qint64 id);
    void onRemoved(qint64 id);
    void onChanged(qint64 id);
    int sortedRow(qint64 id, int ignoringRow) const;

    ConversationLibrary *m_library;
    QList<qint64> m_ids; // in display order
};

} // namespace moonpane
