// A Model Context Protocol server over stdio: JSON-RPC 2.0, one message per line. Start it,
// `initialize` (asking for protocol 2025-11-25, accepting what the server negotiates down to
// 2024-11-05), `notifications/initialized`, then `tools/list` (every page). Calls are
// `tools/call` jobs whose timeout restarts on each progress notification, under a hard maximum;
// cancelling one tells the server (`notifications/cancelled`). The server's stderr is its log,
// never an error. `notifications/tools/list_changed` lists the tools again.
//
// Stopping closes its stdin, then sends SIGTERM, then SIGKILL, a few seconds apart. A server that
// exits on its own is Down, with its last log lines, until restart(); its tools are not offered
// meanwhile.
#pragma once

#include "ToolJob.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace moonpane {

struct McpServerSpec
{
    QString name; // how the user calls it ("everything")
    QString program;
    QStringList arguments;
    QStringList environment; // NAME=VALUE, added to the inherited environment
    QString workingDirectory;

    // "npx -y pkg --flag 'a b'" → program and arguments, split like a command line (quotes and
    // backslashes as a POSIX shell reads them, nothing expanded). False on an unclosed quote.
    static bool fromCommandLine(const QString &commandLine, McpServerSpec *out, QString *error);
    QString commandLine() const;
    QJsonObject toJson() const;
    static McpServerSpec fromJson(const QJsonObject &object);
};

class McpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpClient)

public:
    enum class State { Stopped, Starting, Ready, Down };
    Q_ENUM(State)

    struct Tool
    {
        QString name;
        QString description;
        QJsonObject inputSchema;
    };

    static constexpr auto kProtocolVersion = "2025-11-25";
    static constexpr int kStartTimeoutMs = 60'000; // npx may fetch the package first
    static constexpr int kLogLines = 200;
    static constexpr qsizetype kMaxMessageBytes = 32 * 1024 * 1024;

    explicit McpClient(const McpServerSpec &spec, QObject *parent = nullptr);
    ~McpClient() override;

    const McpServerSpec &spec() const { return m_spec; }
    State state() const { return m_state; }
    // Why it is down (the exit, a failed initialize, a broken message).
    QString error() const { return m_error; }
    QString protocolVersion() const { return m_protocolVersion; }
    QJsonObject serverInfo() const { return m_serverInfo; }
    QStringList log() const { return m_log; }
    QList<Tool> tools() const { return m_tools; }
    // The server's process id while it runs (0 otherwise).
    qint64 processId() const { return m_process ? m_process->processId() : 0; }
    // The tools as `tools` entries of a chat request.
    QJsonArray definitions() const;
    static bool supportsProtocol(const QString &version);

    // How long start() waits for the answer to initialize and the first tools/list.
    void setStartTimeout(int ms) { m_startTimeoutMs = ms; }

    void start();
    void stop();
    void restart();

    // A tools/call; the job belongs to the caller. The timeout restarts on progress, up to
    // `maxMs` in all.
    ToolJob *call(const QString &tool, const QString &arguments, int timeoutMs, int maxMs, QObject *parent);

signals:
    void stateChanged(moonpane::McpClient::State state);
    void toolsChanged();
    void logged(const QString &line);

private:
    friend class McpCallJob;
    using Reply = std::function<void(const QJsonObject &result, const QJsonObject &error)>;
    qint64 request(const QString &method, const QJsonObject &params, Reply reply);
    void notify(const QString &method, const QJsonObject &params);
    void send(const QJsonObject &message);
    void readMessages();
    void handle(const QJsonObject &message);
    void listTools(const QString &cursor, QList<Tool> gathered);
    void goDown(const QString &why);
    void setState(State state);
    void addLog(const QString &line);
    void failPending(const QString &why);
    // A call's job forgets its request (cancelled or timed out): the server is told.
    void cancelRequest(qint64 id, const QString &reason);

    McpServerSpec m_spec;
    QProcess *m_process = nullptr;
    State m_state = State::Stopped;
    QString m_error;
    QString m_protocolVersion;
    QJsonObject m_serverInfo;
    QStringList m_log;
    QByteArray m_stderrLine;
    QByteArray m_buffer;
    QList<Tool> m_tools;
    qint64 m_nextId = 1;
    QHash<qint64, Reply> m_pending;
    QHash<QString, QPointer<class McpCallJob>> m_progress; // progress token → call
    QTimer m_startTimer;
    int m_startTimeoutMs = kStartTimeoutMs;
    bool m_stopping = false;
    bool m_listing = false;
    bool m_listAgain = false;
};

class McpCallJob final : public ToolJob
{
    Q_OBJECT

public:
    McpCallJob(McpClient *client, const QString &tool, const QString &arguments, int timeoutMs, int maxMs,
               QObject *parent);
    ~McpCallJob() override;
    void start() override;
    void cancel() override;

    // The tools/call result as the model and the user get it: text items joined by newlines,
    // images apart, structuredContent kept, isError → Failed.
    static ToolResult resultFrom(const QJsonObject &result);

private:
    friend class McpClient;
    void onProgress(double progress, double total, const QString &message);
    void expire(const QString &why);

    QPointer<McpClient> m_client;
    QString m_tool;
    QString m_arguments;
    int m_timeoutMs;
    int m_maxMs;
    qint64 m_requestId = 0;
    QString m_token;
    QTimer m_timeout;
    QTimer m_hardLimit;
};

} // namespace moonpane
