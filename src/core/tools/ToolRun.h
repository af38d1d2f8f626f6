// One tool call of a turn as the app and the CLI follow it: what the model asked, what the user
// decided, what ran and what came back. A call is known by its round and its index in the
// assistant message, never by its id (Kimi's ids repeat across turns).
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QMetaType>
#include <QString>

namespace moonpane {

enum class ToolStatus {
    Streaming, // its arguments are arriving
    AwaitingApproval, // nothing runs until the user allows it (or answers it, for a manual tool)
    Running,
    Done,
    Failed, // the tool ran and failed (exit status, isError, could not start); the model is told
    Denied, // the user (or a policy) declined; the model is told
    TimedOut,
    Cancelled, // the turn was stopped
};

QString toolStatusName(ToolStatus status); // done, failed, denied, timeout… (the CLI's words)
bool isFinished(ToolStatus status);

// An image a tool returned (MCP image content): shown to the user, sent on to the model.
struct ToolImage
{
    QByteArray data; // decoded bytes
    QString mimeType;
};

// What a tool gave back.
struct ToolResult
{
    ToolStatus status = ToolStatus::Done;
    QString text; // what the model is told
    QList<ToolImage> images;
    QJsonValue structured; // MCP structuredContent, shown as it is
};

enum class ToolKind {
    Command, // a program run with the arguments on stdin
    Mcp, // a tool of an MCP server
    Manual, // the user answers it by hand
    Builtin, // Kimi's own ($web_search): the arguments go back unchanged
};

struct ToolRun
{
    int round = 0; // the request of the turn that asked for it (1-based)
    int index = 0; // its place in that assistant message
    qint64 messageId = 0; // that assistant message
    QString id; // as the model sent it, echoed byte for byte
    QString name;
    QString server; // the MCP server, or empty
    ToolKind kind = ToolKind::Manual;
    bool earlier = false; // read from the conversation's history, not seen running
    bool defined = true; // false: no tool of that name is known here (it can only be answered by hand)
    QString arguments; // as the model wrote them
    QString ranWith; // the arguments the tool got, when the user edited them
    QStringList problems; // invalid JSON or schema violations, found before it ran
    ToolStatus status = ToolStatus::Streaming;
    ToolResult result;
    qint64 ms = -1; // how long it ran
    double progress = -1; // MCP progress, when the server sends it
    double total = -1;
    QString progressMessage;
};

} // namespace moonpane

Q_DECLARE_METATYPE(moonpane::ToolStatus)
