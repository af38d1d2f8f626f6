#include "CliRunner.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

#include <unistd.h>

namespace moonpane::test {

QJsonObject CliResult::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QList<QJsonObject> CliResult::jsonLines() const
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (!line.isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    }
    return lines;
}

QString cliPath()
{
    return QStringLiteral(MOONPANE_CLI_PATH);
}

CliResult runCli(const QProcessEnvironment &environment, const QStringList &arguments,
                 const QByteArray &input)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    // A session of its own: no controlling terminal, as under CI, whoever runs the tests (the
    // CLI asks on /dev/tty before running tools).
    process.setChildProcessModifier([] { ::setsid(); });
    process.start(cliPath(), arguments);
    if (!process.waitForStarted())
        qFatal("moonpane-cli did not start");
    process.write(input);
    process.closeWriteChannel();
    QSignalSpy finished(&process, &QProcess::finished);
    if (!finished.wait(60000))
        qFatal("moonpane-cli did not finish");
    CliResult result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

} // namespace moonpane::test
