#include "CommandTool.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcessEnvironment>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr qsizetype kStderrKept = 64 * 1024;

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

} // namespace

QProcessEnvironment environmentWith(const QStringList &entries)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : entries) {
        const qsizetype equals = entry.indexOf(u'=');
        if (equals > 0)
            environment.insert(entry.left(equals), entry.mid(equals + 1));
    }
    return environment;
}

QJsonObject CommandSpec::toJson() const
{
    QJsonObject object {{u"program"_s, program}};
    if (!arguments.isEmpty())
        object.insert(u"arguments"_s, QJsonArray::fromStringList(arguments));
    if (!workingDirectory.isEmpty())
        object.insert(u"working_directory"_s, workingDirectory);
    if (!environment.isEmpty())
        object.insert(u"environment"_s, QJsonArray::fromStringList(environment));
    if (timeoutMs != kDefaultTimeoutMs)
        object.insert(u"timeout_ms"_s, timeoutMs);
    if (outputCap != kDefaultOutputCap)
        object.insert(u"output_cap"_s, outputCap);
    return object;
}

CommandSpec CommandSpec::fromJson(const QJsonObject &object)
{
    CommandSpec spec;
    spec.program = object.value("program"_L1).toString();
    spec.arguments = strings(object.value("arguments"_L1));
    spec.workingDirectory = object.value("working_directory"_L1).toString();
    spec.environment = strings(object.value("environment"_L1));
    spec.timeoutMs = object.value("timeout_ms"_L1).toInt(kDefaultTimeoutMs);
    spec.outputCap = object.value("output_cap"_L1).toInteger(kDefaultOutputCap);
    return spec;
}

CommandToolJob::CommandToolJob(const CommandSpec &spec, const QString &arguments, QObject *parent)
    : ToolJob(parent)
    , m_spec(spec)
    , m_input(arguments.toUtf8())
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        m_process.kill();
    });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &CommandToolJob::readOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process.readAllStandardError();
        if (m_stderr.size() > kStderrKept)
            m_stderr = m_stderr.right(kStderrKept);
    });
    connect(&m_process, &QProcess::finished, this, &CommandToolJob::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // a crash or a kill ends in finished()
        m_timeout.stop();
        finish({ToolStatus::Failed,
                tr("error: could not start %1: %2").arg(m_spec.program, m_process.errorString()),
                {},
                {}});
    });
}

CommandToolJob::~CommandToolJob()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(1000); // reaps it; kill() does not wait
    }
}

void CommandToolJob::start()
{
    if (!m_spec.workingDirectory.isEmpty())
        m_process.setWorkingDirectory(m_spec.workingDirectory);
    if (!m_spec.environment.isEmpty())
        m_process.setProcessEnvironment(environmentWith(m_spec.environment));
    m_timeout.start(std::max(1, m_spec.timeoutMs));
    m_process.start(m_spec.program, m_spec.arguments, QIODevice::ReadWrite);
    m_process.write(m_input);
    m_process.closeWriteChannel();
}

void CommandToolJob::cancel()
{
    if (isFinished())
        return;
    m_cancelled = true;
    m_timeout.stop();
    if (m_process.state() != QProcess::NotRunning)
        m_process.kill(); // finished() follows
    else
        finish({ToolStatus::Cancelled, tr("not run: the user stopped the turn"), {}, {}});
}

void CommandToolJob::readOutput()
{
    const QByteArray bytes = m_process.readAllStandardOutput();
    if (m_truncated)
        return; // read and dropped: the program must not block on a full pipe
    const qint64 room = m_spec.outputCap - m_stdout.size();
    if (bytes.size() > room) {
        m_stdout += bytes.left(room);
        m_truncated = true;
    } else {
        m_stdout += bytes;
    }
}

QString CommandToolJob::stderrTail() const
{
    QStringList lines = QString::fromUtf8(m_stderr).split(u'\n');
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty())
        lines.removeLast();
    return lines.mid(std::max<qsizetype>(0, lines.size() - kStderrLines)).join(u'\n');
}

void CommandToolJob::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_timeout.stop();
    readOutput();
    m_stderr += m_process.readAllStandardError();
    if (m_cancelled) {
        finish({ToolStatus::Cancelled, tr("not run to the end: the user stopped the turn"), {}, {}});
        return;
    }
    if (m_timedOut) {
        const int seconds = (m_spec.timeoutMs + 999) / 1000;
        finish({ToolStatus::TimedOut, tr("error: timed out after %1 s").arg(seconds), {}, {}});
        return;
    }
    QString text = QString::fromUtf8(m_stdout);
    if (m_truncated)
        text += tr("\n[output cut at %1 bytes]").arg(m_spec.outputCap);
    if (status == QProcess::CrashExit || exitCode != 0) {
        QString error = status == QProcess::CrashExit ? tr("error: the program crashed")
                                                      : tr("error: exit %1").arg(exitCode);
        if (const QString tail = stderrTail(); !tail.isEmpty())
            error += u'\n' + tail;
        finish({ToolStatus::Failed, error, {}, {}});
        return;
    }
    finish({ToolStatus::Done, text, {}, {}});
}

} // namespace moonpane
