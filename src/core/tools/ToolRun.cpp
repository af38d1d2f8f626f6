#include "ToolRun.h"

using namespace Qt::StringLiterals;

namespace moonpane {

QString toolStatusName(ToolStatus status)
{
    switch (status) {
    case ToolStatus::Streaming:
        return u"streaming"_s;
    case ToolStatus::AwaitingApproval:
        return u"waiting"_s;
    case ToolStatus::Running:
        return u"running"_s;
    case ToolStatus::Done:
        return u"done"_s;
    case ToolStatus::Failed:
        return u"failed"_s;
    case ToolStatus::Denied:
        return u"denied"_s;
    case ToolStatus::TimedOut:
        return u"timeout"_s;
    case ToolStatus::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

bool isFinished(ToolStatus status)
{
    return status == ToolStatus::Done || status == ToolStatus::Failed || status == ToolStatus::Denied
        || status == ToolStatus::TimedOut || status == ToolStatus::Cancelled;
}

} // namespace moonpane
