#include "ThinkingModel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane {

ThinkingModel::ThinkingModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ThinkingModel::setTurn(const ThinkingTurn &turn)
{
    // The same steps, in the same order: only figures changed.
    bool same = turn.userId == m_turn.userId && turn.segments.size() == m_turn.segments.size();
    for (qsizetype i = 0; same && i < turn.segments.size(); ++i) {
        const ThinkingSegment &a = turn.segments.at(i);
        const ThinkingSegment &b = m_turn.segments.at(i);
        same = a.kind == b.kind && a.messageId == b.messageId && a.toolIndex == b.toolIndex;
    }
    if (same) {
        m_turn = turn;
        if (!m_turn.segments.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_turn.segments.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_turn = turn;
    endResetModel();
}

int ThinkingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_turn.segments.size());
}

int ThinkingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ThinkingModel::stepText(const ThinkingSegment &segment)
{
    switch (segment.kind) {
    case ThinkingSegment::Kind::Reasoning:
        return tr("Reasoning");
    case ThinkingSegment::Kind::ToolCall:
        return tr("Calls %1").arg(segment.label);
    case ThinkingSegment::Kind::ToolResult:
        return tr("Result of %1").arg(segment.label);
    case ThinkingSegment::Kind::Answer:
        return tr("Answer");
    }
    return {};
}

QString ThinkingModel::tokensText(qint64 tokens, bool estimated)
{
    if (tokens < 0)
        return tr("not loaded");
    const QString number = QLocale().toString(tokens);
    return estimated ? u"≈"_s + number : number;
}

QString ThinkingModel::timeText(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 100)
        return tr("under 0.1 s");
    return tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
}

QVariant ThinkingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_turn.segments.size())
        return {};
    const ThinkingSegment &segment = m_turn.segments.at(index.row());
    switch (role) {
    case MessageIdRole:
        return segment.messageId;
    case KindRole:
        return int(segment.kind);
    case Qt::ToolTipRole:
        if (index.column() == Tokens && segment.estimated)
            return tr("Estimated from its length (the server reported no count)");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Time || index.column() == Tokens
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Round:
            return segment.round;
        case Step:
            return stepText(segment);
        case Time:
            return timeText(segment.ms);
        case Tokens:
            return segment.kind == ThinkingSegment::Kind::Reasoning
                    || segment.kind == ThinkingSegment::Kind::Answer
                ? tokensText(segment.tokens, segment.estimated)
                : QString();
        case ColumnCount:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant ThinkingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Round:
        return tr("Round");
    case Step:
        return tr("Step");
    case Time:
        return tr("Time");
    case Tokens:
        return tr("Tokens");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace moonpane
