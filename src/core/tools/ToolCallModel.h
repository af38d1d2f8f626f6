// ToolCallModel: a conversation's tool calls as rows for the tool-call inspector, one per call,
// in the order they came: round, tool, server, id, arguments (live while they stream), status,
// duration, progress and result. It follows a ToolRunner and changes one row per change.
#pragma once

#include "ToolRun.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace moonpane {

class ToolRunner;

class ToolCallModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Round, Tool, Server, Status, Duration, Arguments, Id, ColumnCount };
    enum Roles {
        StatusRole = Qt::UserRole + 1, // ToolStatus as int
        MessageIdRole, // the assistant message that asked
        ArgumentsRole, // as the model wrote them
        PrettyArgumentsRole, // indented when they are a JSON object, else as written
        ProblemsRole, // QStringList
        ResultRole, // what the model is told
        ImagesRole, // QVariantList of QByteArray (PNG, JPEG… as returned)
        StructuredRole, // MCP structuredContent as indented JSON text
        ProgressRole, // QString ("3 / 8"), empty without progress
        IndexRole, // its place in the assistant message
    };

    explicit ToolCallModel(QObject *parent = nullptr);
    void setRunner(ToolRunner *runner);
    ToolRunner *runner() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString statusText(ToolStatus status);
    static QString pretty(const QString &arguments);

private:
    QPointer<ToolRunner> m_runner;
    int m_rows = 0;
};

} // namespace moonpane
