// ThinkingModel: the steps of one turn (ThinkingTurn) as rows for the thinking inspector: round,
// step (reasoning, a tool call, its result, the answer), time and tokens (estimates marked "≈").
#pragma once

#include "ThinkingTurn.h"

#include <QAbstractTableModel>

namespace moonpane {

class ThinkingModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Round, Step, Time, Tokens, ColumnCount };
    enum Roles {
        MessageIdRole = Qt::UserRole + 1,
        KindRole, // ThinkingSegment::Kind as int
    };

    explicit ThinkingModel(QObject *parent = nullptr);
    // Shows `turn`: the rows change in place when only its figures changed (a reply streaming),
    // else the model is reset.
    void setTurn(const ThinkingTurn &turn);
    const ThinkingTurn &turn() const { return m_turn; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString stepText(const ThinkingSegment &segment);
    static QString tokensText(qint64 tokens, bool estimated);
    static QString timeText(qint64 ms);

private:
    ThinkingTurn m_turn;
};

} // namespace moonpane
