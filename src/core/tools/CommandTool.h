// A command tool: a program the user named, run with QProcess and never through a shell. The
// call's arguments (JSON) go to its standard input, its standard output (UTF-8, capped) is the
// result. A non-zero exit, a crash, a program that cannot start or a timeout is a failed call
// whose result tells the model what happened: "error: exit 3" and the last lines of stderr, or
// "error: timed out after 60 s".
#pragma once

#include "ToolJob.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>

namespace moonpane {

struct CommandSpec
{
    static constexpr int kDefaultTimeoutMs = 60'000;
    static constexpr qint64 kDefaultOutputCap = 1024 * 1024; // 1 MiB

    QString program; // an executable path; no arguments, no shell
    QStringList arguments; // passed as they are (the app's definitions may give some)
    QString workingDirectory; // empty: the current one
    QStringList environment; // NAME=VALUE, added to the inherited environment
    int timeoutMs = kDefaultTimeoutMs;
    qint64 outputCap = kDefaultOutputCap;

    QJsonObject toJson() const;
    static CommandSpec fromJson(const QJsonObject &object);
};

// The inherited environment with `entries` (NAME=VALUE) added: for command tools and MCP servers.
QProcessEnvironment environmentWith(const QStringList &entries);

class CommandToolJob final : public ToolJob
{
    Q_OBJECT

public:
    CommandToolJob(const CommandSpec &spec, const QString &arguments, QObject *parent = nullptr);
    ~CommandToolJob() override;
    void start() override;
    void cancel() override;

    // How many lines of stderr a failure quotes.
    static constexpr int kStderrLines = 10;

private:
    void readOutput();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    QString stderrTail() const;

    CommandSpec m_spec;
    QByteArray m_input;
    QProcess m_process;
    QTimer m_timeout;
    QByteArray m_stdout;
    QByteArray m_stderr; // the last 64 KiB
    bool m_truncated = false;
    bool m_timedOut = false;
    bool m_cancelled = false;
};

} // namespace moonpane
