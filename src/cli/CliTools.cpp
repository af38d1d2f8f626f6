#include "CliTools.h"

#include "Console.h"
#include "api/ChatParameters.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace moonpane::cli {

CliTools::~CliTools()
{
    m_runner.reset(); // cancels what still runs, before the servers go
}

bool CliTools::setUp(const ChatOptions &options, const QJsonArray &tools, QString *error)
{
    m_options = options;
    m_registry.setDefinitions(tools);
    m_registry.setTimeoutMs(options.toolTimeoutMs);
    QObject::connect(&m_registry, &ToolRegistry::warning, &m_registry,
                     [](const QString &message) { Console::error(u"warning: "_s + message); });

    for (const QString &binding : options.toolCommands) {
        const qsizetype equals = binding.indexOf(u'=');
        const QString name = binding.left(equals);
        const QString program = binding.mid(equals + 1);
        const bool defined = std::any_of(tools.begin(), tools.end(), [&](const QJsonValue &tool) {
            return ChatParameters::toolName(tool) == name
                && tool.toObject().value("type"_L1).toString() == "function"_L1;
        });
        if (!defined) {
            *error = u"--tool-command %1: %2 has no function named %1"_s.arg(name, options.toolsFile);
            return false;
        }
        const QFileInfo info(program);
        if (!info.isFile() || !info.isExecutable()) {
            *error =
                u"--tool-command %1: %2 is not an executable file (a program path, with no arguments)"_s.arg(
                    name, program);
            return false;
        }
        CommandSpec spec;
        spec.program = info.absoluteFilePath();
        spec.timeoutMs = options.toolTimeoutMs;
        m_registry.bindCommand(name, spec);
    }
    if (!startServers(error))
        return false;

    switch (options.approve) {
    case ChatOptions::Approve::All:
        m_registry.setApprovalForAll(ToolApproval::Always);
        break;
    case ChatOptions::Approve::None:
        m_registry.setApprovalForAll(ToolApproval::Never);
        break;
    case ChatOptions::Approve::Ask:
        if (hasExecutableTools()) {
            m_terminal.setFileName(u"/dev/tty"_s);
            if (!m_terminal.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
                *error =
                    u"--approve ask (the default) asks on the terminal before a tool runs, and there is no "
                    "terminal; pass --approve all or --approve none"_s;
                return false;
            }
        }
        break;
    }
    return true;
}

bool CliTools::startServers(QString *error)
{
    for (const QString &commandLine : std::as_const(m_options.mcpServers)) {
        McpServerSpec spec;
        if (!McpServerSpec::fromCommandLine(commandLine, &spec, error)) {
            *error = u"--mcp '%1': %2"_s.arg(commandLine, *error);
            return false;
        }
        spec.name = QFileInfo(spec.program).fileName();
        auto server = std::make_unique<McpClient>(spec);
        QObject::connect(server.get(), &McpClient::toolsChanged, server.get(), [] {});
        m_servers.push_back(std::move(server));
    }
    if (m_servers.empty())
        return true;
    QEventLoop loop;
    const auto settled = [this] {
        return std::all_of(m_servers.begin(), m_servers.end(), [](const std::unique_ptr<McpClient> &s) {
            return s->state() == McpClient::State::Ready || s->state() == McpClient::State::Down;
        });
    };
    for (const std::unique_ptr<McpClient> &server : m_servers) {
        QObject::connect(server.get(), &McpClient::stateChanged, &loop, [&] {
            if (settled())
                loop.quit();
        });
        server->start();
    }
    if (!settled())
        loop.exec();
    for (qsizetype i = 0; i < qsizetype(m_servers.size()); ++i) {
        const McpClient &server = *m_servers.at(size_t(i));
        if (server.state() == McpClient::State::Down) {
            QString message =
                u"--mcp '%1' did not start: %2"_s.arg(m_options.mcpServers.at(i), server.error());
            const QStringList log = server.log();
            if (!log.isEmpty())
                message += u"\nits last log lines:\n  "_s
                    + log.mid(std::max<qsizetype>(0, log.size() - 5)).join(u"\n  "_s);
            *error = message;
            return false;
        }
        m_registry.addServer(m_servers.at(size_t(i)).get());
    }
    return true;
}

void CliTools::attach(ChatSession *session, bool textOutput)
{
    m_text = textOutput;
    session->setMaxToolRounds(m_options.maxToolRounds);
    session->setToolSource([this] { return m_registry.definitions(); });
    m_runner = std::make_unique<ToolRunner>(session, &m_registry);
    m_runner->setManualAnswers(false); // a call nothing can run ends the loop, printed as before
    QObject::connect(m_runner.get(), &ToolRunner::approvalNeeded, m_runner.get(),
                     [this](int row) { ask(row); });
    QObject::connect(m_runner.get(), &ToolRunner::runChanged, m_runner.get(),
                     [this](int row) { printFinished(row); });
}

void CliTools::ask(int row)
{
    const ToolRun run = m_runner->runs().at(row);
    if (!m_terminal.isOpen()) { // no executable tools were configured: nothing to ask about
        m_runner->deny(row);
        return;
    }
    QString question = u"\nThe model calls %1 with %2\n"_s.arg(run.name, run.arguments);
    for (const QString &problem : run.problems)
        question += u"  note: %1\n"_s.arg(problem);
    question += u"Run it? [y]es, [n]o, [a]lways for %1: "_s.arg(run.name);
    for (;;) {
        m_terminal.write(question.toUtf8());
        const QByteArray line = m_terminal.readLine().trimmed().toLower();
        if (line == "y" || line == "yes") {
            m_runner->approve(row);
            return;
        }
        if (line == "a" || line == "always") {
            m_registry.setToolApproval(run.name, ToolApproval::Always);
            m_runner->approve(row);
            return;
        }
        if (line == "n" || line == "no" || (line.isEmpty() && m_terminal.atEnd())) {
            m_runner->deny(row);
            return;
        }
        question = u"Please answer y, n or a: "_s;
    }
}

void CliTools::printFinished(int row)
{
    const ToolRun &run = m_runner->runs().at(row);
    if (m_printed.size() <= row)
        m_printed.resize(row + 1);
    if (!isFinished(run.status) || m_printed.at(row))
        return;
    m_printed[row] = true;
    if (m_text)
        Console::error(u"[tool] %1 %2 → %3"_s.arg(
            run.name, run.ranWith.isEmpty() ? run.arguments : run.ranWith, toolStatusName(run.status)));
}

QJsonArray CliTools::runsJson() const
{
    QJsonArray array;
    if (!m_runner)
        return array;
    for (const ToolRun &run : m_runner->runs()) {
        if (!isFinished(run.status) || run.earlier) // only what this run did
            continue;
        array.append(QJsonObject {
            {u"round"_s, run.round},
            {u"id"_s, run.id},
            {u"name"_s, run.name},
            {u"arguments"_s, run.ranWith.isEmpty() ? run.arguments : run.ranWith},
            {u"status"_s, toolStatusName(run.status)},
            {u"result"_s, run.result.text},
            {u"ms"_s, run.ms},
        });
    }
    return array;
}

} // namespace moonpane::cli
