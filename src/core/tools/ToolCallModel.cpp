#include "ToolCallModel.h"

#include "ToolRunner.h"

#include <QJsonDocument>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace moonpane {

ToolCallModel::ToolCallModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ToolRunner *ToolCallModel::runner() const
{
    return m_runner;
}

void ToolCallModel::setRunner(ToolRunner *runner)
{
    if (runner == m_runner)
        return;
    beginResetModel();
    if (m_runner)
        m_runner->disconnect(this);
    m_runner = runner;
    m_rows = runner ? int(runner->runs().size()) : 0;
    if (runner) {
        connect(runner, &ToolRunner::runAdded, this, [this](int row) {
            if (row != m_rows)
                return; // rows only ever come at the end
            beginInsertRows({}, row, row);
            ++m_rows;
            endInsertRows();
        });
        connect(runner, &ToolRunner::runsReset, this, [this] {
            beginResetModel();
            m_rows = m_runner ? int(m_runner->runs().size()) : 0;
            endResetModel();
        });
        connect(runner, &ToolRunner::runChanged, this, [this](int row) {
            if (row < m_rows)
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        });
        connect(runner, &QObject::destroyed, this, [this] {
            beginResetModel();
            m_rows = 0;
            endResetModel();
        });
    }
    endResetModel();
}

int ToolCallModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int ToolCallModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ToolCallModel::statusText(ToolStatus status)
{
    switch (status) {
    case ToolStatus::Streaming:
        return tr("streaming");
    case ToolStatus::AwaitingApproval:
        return tr("waiting for approval");
    case ToolStatus::Running:
        return tr("running");
    case ToolStatus::Done:
        return tr("done");
    case ToolStatus::Failed:
        return tr("failed");
    case ToolStatus::Denied:
        return tr("denied");
    case ToolStatus::TimedOut:
        return tr("timed out");
    case ToolStatus::Cancelled:
        return tr("stopped");
    }
    return {};
}

QString ToolCallModel::pretty(const QString &arguments)
{
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toUtf8());
    if (!document.isObject() && !document.isArray())
        return arguments;
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

QVariant ToolCallModel::data(const QModelIndex &index, int role) const
{
    if (!m_runner || !index.isValid() || index.row() >= m_rows || index.column() >= ColumnCount)
        return {};
    const ToolRun &run = m_runner->runs().at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Round:
            return run.round;
        case Tool:
            return run.name;
        case Server:
            return run.server;
        case Status:
            if (!run.problems.isEmpty() && !isFinished(run.status))
                return tr("%1 (arguments flagged)").arg(statusText(run.status));
            return statusText(run.status);
        case Duration:
            return run.ms < 0 ? QString() : tr("%1 ms").arg(QLocale().toString(run.ms));
        case Arguments: {
            QString line = run.ranWith.isEmpty() ? run.arguments : run.ranWith;
            line.replace(u'\n', u' ');
            return line.size() > 200 ? line.left(200) + u'…' : line;
        }
        case Id:
            return run.id;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Status && !run.problems.isEmpty())
            return run.problems.join(u'\n');
        break;
    case StatusRole:
        return int(run.status);
    case MessageIdRole:
        return run.messageId;
    case ArgumentsRole:
        return run.arguments;
    case PrettyArgumentsRole:
        return pretty(run.ranWith.isEmpty() ? run.arguments : run.ranWith);
    case ProblemsRole:
        return run.problems;
    case ResultRole:
        return run.result.text;
    case ImagesRole: {
        QVariantList images;
        for (const ToolImage &image : run.result.images)
            images.append(image.data);
        return images;
    }
    case StructuredRole:
        if (run.result.structured.isObject())
            return QString::fromUtf8(QJsonDocument(run.result.structured.toObject()).toJson()).trimmed();
        if (run.result.structured.isArray())
            return QString::fromUtf8(QJsonDocument(run.result.structured.toArray()).toJson()).trimmed();
        return QString();
    case ProgressRole:
        if (run.progress < 0)
            return QString();
        return run.total > 0 ? tr("%1 / %2").arg(run.progress).arg(run.total) : QString::number(run.progress);
    case IndexRole:
        return run.index;
    default:
        break;
    }
    return {};
}

QVariant ToolCallModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Round:
        return tr("Round");
    case Tool:
        return tr("Tool");
    case Server:
        return tr("Server");
    case Status:
        return tr("Status");
    case Duration:
        return tr("Time");
    case Arguments:
        return tr("Arguments");
    case Id:
        return tr("Id");
    }
    return {};
}

} // namespace moonpane
