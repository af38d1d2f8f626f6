#include "McpClient.h"

#include "CommandTool.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QProcessEnvironment>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

constexpr int kStopStepMs = 2000; // stdin closed → SIGTERM → SIGKILL

// Oldest first; the client offers this and takes any of them back.
const QStringList &supportedVersions()
{
    static const QStringList versions {u"2024-11-05"_s, u"2025-03-26"_s, u"2025-06-18"_s, u"2025-11-25"_s};
    return versions;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("McpClient", text);
}

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

QString quoted(const QString &word)
{
    static const QString plain =
        u"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_"_s;
    if (!word.isEmpty() && std::all_of(word.cbegin(), word.cend(), [](QChar c) { return plain.contains(c); }))
        return word;
    QString escaped = word;
    escaped.replace(u"'"_s, u"'\\''"_s);
    return u'\'' + escaped + u'\'';
}

} // namespace

bool McpServerSpec::fromCommandLine(const QString &commandLine, McpServerSpec *out, QString *error)
{
    QStringList words;
    QString word;
    bool inWord = false;
    enum { Plain, Single, Double } mode = Plain;
    for (qsizetype i = 0; i < commandLine.size(); ++i) {
        const QChar c = commandLine.at(i);
        if (mode == Single) {
            if (c == u'\'')
                mode = Plain;
            else
                word += c;
            continue;
        }
        if (mode == Double) {
            if (c == u'"') {
                mode = Plain;
            } else if (c == u'\\' && i + 1 < commandLine.size()
                       && QStringView(u"\\\"$`").contains(commandLine.at(i + 1))) {
                word += commandLine.at(++i);
            } else {
                word += c;
            }
            continue;
        }
        if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == u'\'')
            mode = Single;
        else if (c == u'"')
            mode = Double;
        else if (c == u'\\' && i + 1 < commandLine.size())
            word += commandLine.at(++i);
        else
            word += c;
    }
    if (mode != Plain) {
        *error = tr("the command line has an unclosed quote");
        return false;
    }
    if (inWord)
        words.append(word);
    if (words.isEmpty()) {
        *error = tr("the command line is empty");
        return false;
    }
    out->program = words.takeFirst();
    out->arguments = words;
    return true;
}

QString McpServerSpec::commandLine() const
{
    QStringList words {quoted(program)};
    for (const QString &argument : arguments)
        words.append(quoted(argument));
    return words.join(u' ');
}

QJsonObject McpServerSpec::toJson() const
{
    return {{u"name"_s, name},
            {u"program"_s, program},
            {u"arguments"_s, QJsonArray::fromStringList(arguments)},
            {u"environment"_s, QJsonArray::fromStringList(environment)},
            {u"working_directory"_s, workingDirectory}};
}

McpServerSpec McpServerSpec::fromJson(const QJsonObject &object)
{
    McpServerSpec spec;
    spec.name = object.value("name"_L1).toString();
    spec.program = object.value("program"_L1).toString();
    spec.arguments = strings(object.value("arguments"_L1));
    spec.environment = strings(object.value("environment"_L1));
    spec.workingDirectory = object.value("working_directory"_L1).toString();
    return spec;
}

McpClient::McpClient(const McpServerSpec &spec, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
{
    m_startTimer.setSingleShot(true);
    connect(&m_startTimer, &QTimer::timeout, this, [this] {
        goDown(tr("it did not answer initialize within %1 s")
                   .arg(QLocale::c().toString(m_startTimeoutMs / 1000.0)));
    });
}

McpClient::~McpClient()
{
    failPending(tr("Moonpane closed the server"));
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // Quitting: no time for the polite sequence. Closing stdin is the protocol's way; a
        // server still there a moment later is killed.
        m_process->disconnect(this);
        m_process->closeWriteChannel();
        if (!m_process->waitForFinished(300)) {
            m_process->terminate();
            if (!m_process->waitForFinished(300)) {
                m_process->kill();
                m_process->waitForFinished(300);
            }
        }
    }
}

bool McpClient::supportsProtocol(const QString &version)
{
    return supportedVersions().contains(version);
}

QJsonArray McpClient::definitions() const
{
    QJsonArray array;
    for (const Tool &tool : m_tools) {
        QJsonObject schema = tool.inputSchema;
        schema.remove(u"$schema"_s); // a draft's URL: not part of what Kimi reads
        if (schema.value("type"_L1).toString() != "object"_L1)
            schema.insert(u"type"_s, u"object"_s);
        QJsonObject function {{u"name"_s, tool.name}, {u"parameters"_s, schema}};
        if (!tool.description.isEmpty())
            function.insert(u"description"_s, tool.description);
        array.append(QJsonObject {{u"type"_s, u"function"_s}, {u"function"_s, function}});
    }
    return array;
}

void McpClient::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void McpClient::addLog(const QString &line)
{
    m_log.append(line);
    if (m_log.size() > kLogLines)
        m_log.remove(0, m_log.size() - kLogLines);
    emit logged(line);
}

void McpClient::start()
{
    if (m_state == State::Starting || m_state == State::Ready)
        return;
    m_error.clear();
    m_buffer.clear();
    m_stderrLine.clear();
    m_tools.clear();
    m_stopping = false;
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
    }
    m_process = new QProcess(this);
    QProcess *process = m_process;
    if (!m_spec.workingDirectory.isEmpty())
        process->setWorkingDirectory(m_spec.workingDirectory);
    if (!m_spec.environment.isEmpty())
        process->setProcessEnvironment(environmentWith(m_spec.environment));
    connect(process, &QProcess::readyReadStandardOutput, this, &McpClient::readMessages);
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        m_stderrLine += process->readAllStandardError();
        qsizetype newline;
        while ((newline = m_stderrLine.indexOf('\n')) >= 0) {
            addLog(QString::fromUtf8(m_stderrLine.left(newline)).trimmed());
            m_stderrLine.remove(0, newline + 1);
        }
        if (m_stderrLine.size() > 64 * 1024) { // a log line without an end: kept in pieces
            addLog(QString::fromUtf8(m_stderrLine));
            m_stderrLine.clear();
        }
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            goDown(tr("could not start %1: %2").arg(m_spec.program, process->errorString()));
    });
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        if (!m_stderrLine.isEmpty())
            addLog(QString::fromUtf8(m_stderrLine).trimmed());
        m_stderrLine.clear();
        m_startTimer.stop();
        if (m_state == State::Down)
            return; // goDown() ended it
        if (m_stopping) {
            failPending(tr("the server was stopped"));
            setState(State::Stopped);
            return;
        }
        goDown(status == QProcess::CrashExit ? tr("the server crashed")
                                             : tr("the server exited with status %1").arg(exitCode));
        Q_UNUSED(process);
    });
    setState(State::Starting);
    m_startTimer.start(m_startTimeoutMs);
    process->start(m_spec.program, m_spec.arguments);

    const QJsonObject params {
        {u"protocolVersion"_s, QString::fromLatin1(kProtocolVersion)},
        {u"capabilities"_s, QJsonObject {}},
        {u"clientInfo"_s,
         QJsonObject {{u"name"_s, u"moonpane"_s}, {u"version"_s, QCoreApplication::applicationVersion()}}},
    };
    request(u"initialize"_s, params, [this](const QJsonObject &result, const QJsonObject &error) {
        if (!error.isEmpty()) {
            goDown(tr("initialize failed: %1").arg(error.value("message"_L1).toString()));
            return;
        }
        const QString version = result.value("protocolVersion"_L1).toString();
        if (!supportsProtocol(version)) {
            goDown(tr("it speaks MCP protocol %1, which Moonpane does not (it knows %2)")
                       .arg(version.isEmpty() ? tr("(none given)") : version,
                            supportedVersions().join(u", "_s)));
            return;
        }
        m_protocolVersion = version;
        m_serverInfo = result.value("serverInfo"_L1).toObject();
        notify(u"notifications/initialized"_s, {});
        listTools({}, {});
    });
}

void McpClient::listTools(const QString &cursor, QList<Tool> gathered)
{
    m_listing = true;
    QJsonObject params;
    if (!cursor.isEmpty())
        params.insert(u"cursor"_s, cursor);
    request(u"tools/list"_s, params,
            [this, gathered](const QJsonObject &result, const QJsonObject &error) mutable {
                if (!error.isEmpty()) {
                    m_listing = false;
                    if (m_state == State::Starting)
                        goDown(tr("tools/list failed: %1").arg(error.value("message"_L1).toString()));
                    return;
                }
                for (const QJsonValue &value : result.value("tools"_L1).toArray()) {
                    const QJsonObject object = value.toObject();
                    Tool tool;
                    tool.name = object.value("name"_L1).toString();
                    tool.description = object.value("description"_L1).toString();
                    tool.inputSchema = object.value("inputSchema"_L1).toObject();
                    if (!tool.name.isEmpty())
                        gathered.append(tool);
                }
                const QString next = result.value("nextCursor"_L1).toString();
                if (!next.isEmpty()) {
                    listTools(next, gathered);
                    return;
                }
                m_listing = false;
                m_tools = gathered;
                m_startTimer.stop();
                setState(State::Ready);
                emit toolsChanged();
                if (m_listAgain) {
                    m_listAgain = false;
                    listTools({}, {});
                }
            });
}

void McpClient::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        setState(State::Stopped);
        return;
    }
    m_stopping = true;
    m_startTimer.stop();
    QPointer<QProcess> process = m_process;
    process->closeWriteChannel();
    QTimer::singleShot(kStopStepMs, this, [process] {
        if (process && process->state() != QProcess::NotRunning)
            process->terminate();
    });
    QTimer::singleShot(2 * kStopStepMs, this, [process] {
        if (process && process->state() != QProcess::NotRunning)
            process->kill();
    });
}

void McpClient::restart()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        connect(this, &McpClient::stateChanged, this, [this](State state) {
            if (state == State::Stopped) {
                disconnect(this, &McpClient::stateChanged, this, nullptr);
                start();
            }
        });
        stop();
        return;
    }
    setState(State::Stopped);
    start();
}

void McpClient::goDown(const QString &why)
{
    if (m_state == State::Down)
        return;
    m_error = why;
    m_tools.clear();
    m_startTimer.stop();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_stopping = true; // what follows is ours, not the server's
        m_process->kill();
    }
    setState(State::Down); // first: the failed requests' answers must not tell another story
    failPending(tr("the server is down: %1").arg(why));
    emit toolsChanged();
}

void McpClient::failPending(const QString &why)
{
    const auto pending = std::exchange(m_pending, {});
    for (const Reply &reply : pending)
        reply({}, QJsonObject {{u"code"_s, -32000}, {u"message"_s, why}});
}

qint64 McpClient::request(const QString &method, const QJsonObject &params, Reply reply)
{
    const qint64 id = m_nextId++;
    m_pending.insert(id, std::move(reply));
    send({{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"method"_s, method}, {u"params"_s, params}});
    return id;
}

void McpClient::notify(const QString &method, const QJsonObject &params)
{
    QJsonObject message {{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, method}};
    if (!params.isEmpty())
        message.insert(u"params"_s, params);
    send(message);
}

void McpClient::send(const QJsonObject &message)
{
    if (!m_process || (m_process->state() == QProcess::NotRunning && m_state != State::Starting))
        return;
    m_process->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
}

void McpClient::cancelRequest(qint64 id, const QString &reason)
{
    if (!m_pending.remove(id))
        return;
    notify(u"notifications/cancelled"_s, {{u"requestId"_s, id}, {u"reason"_s, reason}});
}

void McpClient::readMessages()
{
    if (!m_process)
        return;
    m_buffer += m_process->readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            // Not JSON-RPC: a server printing to stdout by mistake. Kept as log, not fatal.
            addLog(tr("[not a JSON-RPC message on stdout] %1").arg(QString::fromUtf8(line.left(500))));
            continue;
        }
        handle(document.object());
        if (!m_process)
            return;
    }
    if (m_buffer.size() > kMaxMessageBytes)
        goDown(tr("it sent a message larger than %1 MB").arg(kMaxMessageBytes / (1024 * 1024)));
}

void McpClient::handle(const QJsonObject &message)
{
    const QJsonValue id = message.value("id"_L1);
    const QString method = message.value("method"_L1).toString();
    if (method.isEmpty()) { // a response
        const auto reply = m_pending.take(id.toInteger(-1));
        if (reply)
            reply(message.value("result"_L1).toObject(), message.value("error"_L1).toObject());
        return;
    }
    const QJsonObject params = message.value("params"_L1).toObject();
    if (!id.isUndefined() && !id.isNull()) { // a request from the server
        if (method == "ping"_L1)
            send({{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"result"_s, QJsonObject {}}});
        else
            send({{u"jsonrpc"_s, u"2.0"_s},
                  {u"id"_s, id},
                  {u"error"_s, QJsonObject {{u"code"_s, -32601}, {u"message"_s, u"Method not found"_s}}}});
        return;
    }
    if (method == "notifications/tools/list_changed"_L1) {
        if (m_state != State::Ready)
            return;
        if (m_listing)
            m_listAgain = true;
        else
            listTools({}, {});
    } else if (method == "notifications/progress"_L1) {
        const QJsonValue token = params.value("progressToken"_L1);
        const QString key = token.isString() ? token.toString() : QString::number(token.toInteger());
        if (McpCallJob *job = m_progress.value(key))
            job->onProgress(params.value("progress"_L1).toDouble(), params.value("total"_L1).toDouble(-1),
                            params.value("message"_L1).toString());
    } else if (method == "notifications/message"_L1) {
        const QJsonValue data = params.value("data"_L1);
        addLog(u"[%1] %2"_s.arg(
            params.value("level"_L1).toString(),
            data.isString()
                ? data.toString()
                : QString::fromUtf8(QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact))));
    }
}

ToolJob *McpClient::call(const QString &tool, const QString &arguments, int timeoutMs, int maxMs,
                         QObject *parent)
{
    return new McpCallJob(this, tool, arguments, timeoutMs, maxMs, parent);
}

McpCallJob::McpCallJob(McpClient *client, const QString &tool, const QString &arguments, int timeoutMs,
                       int maxMs, QObject *parent)
    : ToolJob(parent)
    , m_client(client)
    , m_tool(tool)
    , m_arguments(arguments)
    , m_timeoutMs(std::max(1, timeoutMs))
    , m_maxMs(std::max(m_timeoutMs, maxMs))
{
    m_timeout.setSingleShot(true);
    m_hardLimit.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        expire(tr("error: timed out after %1 s without progress").arg((m_timeoutMs + 999) / 1000));
    });
    connect(&m_hardLimit, &QTimer::timeout, this,
            [this] { expire(tr("error: timed out after %1 s").arg((m_maxMs + 999) / 1000)); });
}

McpCallJob::~McpCallJob()
{
    if (m_client && !isFinished() && m_requestId)
        m_client->cancelRequest(m_requestId, u"the call was abandoned"_s);
    if (m_client)
        m_client->m_progress.remove(m_token);
}

void McpCallJob::start()
{
    if (!m_client || m_client->state() != McpClient::State::Ready) {
        finish({ToolStatus::Failed,
                tr("error: the MCP server is not running%1")
                    .arg(m_client && !m_client->error().isEmpty() ? u" ("_s + m_client->error() + u')'
                                                                  : QString()),
                {},
                {}});
        return;
    }
    const QJsonDocument document = QJsonDocument::fromJson(m_arguments.toUtf8());
    if (!document.isObject() && !m_arguments.trimmed().isEmpty()) {
        finish({ToolStatus::Failed, tr("error: the arguments are not a JSON object"), {}, {}});
        return;
    }
    static qint64 tokens = 0;
    m_token = u"moonpane-%1"_s.arg(++tokens);
    m_client->m_progress.insert(m_token, this);
    const QJsonObject params {
        {u"name"_s, m_tool},
        {u"arguments"_s, document.object()},
        {u"_meta"_s, QJsonObject {{u"progressToken"_s, m_token}}},
    };
    QPointer<McpCallJob> self(this);
    m_requestId = m_client->request(
        u"tools/call"_s, params, [self](const QJsonObject &result, const QJsonObject &error) {
            if (!self)
                return;
            self->m_timeout.stop();
            self->m_hardLimit.stop();
            if (!error.isEmpty()) {
                self->finish(
                    {ToolStatus::Failed, tr("error: %1").arg(error.value("message"_L1).toString()), {}, {}});
                return;
            }
            self->finish(resultFrom(result));
        });
    m_timeout.start(m_timeoutMs);
    m_hardLimit.start(m_maxMs);
}

void McpCallJob::onProgress(double progress, double total, const QString &message)
{
    if (isFinished())
        return;
    m_timeout.start(m_timeoutMs); // progress: the server is alive
    emit progressed(progress, total, message);
}

void McpCallJob::expire(const QString &why)
{
    if (m_client)
        m_client->cancelRequest(m_requestId, u"timed out"_s);
    m_timeout.stop();
    m_hardLimit.stop();
    finish({ToolStatus::TimedOut, why, {}, {}});
}

void McpCallJob::cancel()
{
    if (isFinished())
        return;
    if (m_client && m_requestId)
        m_client->cancelRequest(m_requestId, u"the user stopped the turn"_s);
    m_timeout.stop();
    m_hardLimit.stop();
    finish({ToolStatus::Cancelled, tr("not run to the end: the user stopped the turn"), {}, {}});
}

ToolResult McpCallJob::resultFrom(const QJsonObject &result)
{
    ToolResult out;
    QStringList texts;
    for (const QJsonValue &value : result.value("content"_L1).toArray()) {
        const QJsonObject item = value.toObject();
        const QString type = item.value("type"_L1).toString();
        if (type == "text"_L1) {
            texts.append(item.value("text"_L1).toString());
        } else if (type == "image"_L1) {
            const QByteArray data = QByteArray::fromBase64(item.value("data"_L1).toString().toLatin1());
            out.images.append({data, item.value("mimeType"_L1).toString()});
        } else if (type == "resource"_L1) {
            const QJsonObject resource = item.value("resource"_L1).toObject();
            if (resource.contains("text"_L1))
                texts.append(resource.value("text"_L1).toString());
            else
                texts.append(
                    tr("[resource %1 (%2)]")
                        .arg(resource.value("uri"_L1).toString(), resource.value("mimeType"_L1).toString()));
        } else if (type == "resource_link"_L1) {
            texts.append(tr("[resource link: %1 %2]")
                             .arg(item.value("name"_L1).toString(), item.value("uri"_L1).toString()));
        } else if (type == "audio"_L1) {
            texts.append(tr("[audio (%1), not passed on]").arg(item.value("mimeType"_L1).toString()));
        }
    }
    out.text = texts.join(u'\n');
    if (result.contains("structuredContent"_L1)) {
        out.structured = result.value("structuredContent"_L1);
        if (texts.isEmpty()) // the spec asks servers to send it as text too; not all do
            out.text =
                QString::fromUtf8(QJsonDocument(out.structured.toObject()).toJson(QJsonDocument::Compact));
    }
    out.status = result.value("isError"_L1).toBool() ? ToolStatus::Failed : ToolStatus::Done;
    return out;
}

} // namespace moonpane
