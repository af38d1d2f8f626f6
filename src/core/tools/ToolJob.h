// A running tool call: a command tool's process or an MCP server's tools/call. It ends once,
// with finished(); cancel() ends it as Cancelled (the process is killed, the server is told).
#pragma once

#include "ToolRun.h"

#include <QObject>

namespace moonpane {

class ToolJob : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    virtual void start() = 0;
    virtual void cancel() = 0;
    bool isFinished() const { return m_finished; }

signals:
    // MCP progress; `total` < 0 when unknown.
    void progressed(double progress, double total, const QString &message);
    void finished(const moonpane::ToolResult &result);

protected:
    // Ends the job (once; later calls do nothing).
    void finish(const ToolResult &result)
    {
        if (m_finished)
            return;
        m_finished = true;
        emit finished(result);
    }

private:
    bool m_finished = false;
};

} // namespace moonpane
