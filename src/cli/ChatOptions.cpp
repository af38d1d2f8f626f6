#include "ChatOptions.h"

#include <QCommandLineParser>

using namespace Qt::StringLiterals;

namespace moonpane::cli {

namespace {

struct Spec
{
    const char *name;
    const char *valueName; // nullptr: a flag
    const char *help;
};

const Spec kSpecs[] = {
    {"base-url", "URL",
     "API base URL (default: $MOONPANE_BASE_URL, the saved setting, https://www.anyfast.ai)"},
    {"allow-insecure", nullptr,
     "allow a plain http:// base URL to a host beyond loopback (the key crosses the network unencrypted)"},
    {"model", "ID", "model id (default kimi-k2.6)"},
    {"system", "TEXT", "system prompt"},
    {"history", "FILE", "JSON array of earlier wire-format messages, sent before the new one"},
    {"attach", "PATH",
     "image or video to send inline (repeatable); ms://ID, image:ms://ID or video:ms://ID pass through"},
    {"max-image-edge", "N",
     "scale attached images down so that their longest edge is at most N pixels (default: exact bytes)"},
    {"thinking", "enabled|disabled", "thinking mode (the server's default is enabled)"},
    {"keep-thinking", nullptr, "thinking enabled with keep \"all\" (earlier reasoning is sent back)"},
    {"max-completion-tokens", "N", "most tokens to generate, reasoning included"},
    {"temperature", "T", "0..2 (kimi-k2.6 fixes it: leave unset)"},
    {"top-p", "P", "0..1 (kimi-k2.6 fixes it: leave unset)"},
    {"frequency-penalty", "F", "-2..2 (kimi-k2.6 fixes it: leave unset)"},
    {"presence-penalty", "P", "-2..2 (kimi-k2.6 fixes it: leave unset)"},
    {"response-format", "text|json_object|json_schema=FILE",
     "reply format; FILE holds {\"name\",\"schema\"}"},
    {"tools", "FILE", "JSON array sent as `tools`"},
    {"tool-command", "NAME=PROGRAM",
     "run calls of the function NAME (from --tools) with PROGRAM: the arguments JSON on stdin, its stdout "
     "the "
     "result; no shell, no arguments (repeatable)"},
    {"mcp", "'COMMAND ARGS'",
     "start this MCP server (stdio; split like a command line, no shell) and offer its tools (repeatable)"},
    {"approve", "ask|all|none",
     "which tool calls run: ask on the terminal for each (default), all, or none (the model is told)"},
    {"max-tool-rounds", "N", "most requests a turn makes while the model keeps calling tools (default 10)"},
    {"tool-timeout", "SECONDS", "a tool call that takes longer is stopped (default 60)"},
    {"stop", "SEQ", "stop sequence (repeatable, at most 5 of 32 bytes)"},
    {"no-stream", nullptr, "ask for one JSON reply instead of a stream"},
    {"output", "text|json",
     "text: content to stdout as it arrives, reasoning to stderr; json: one object at the end"},
    {"dry-run", nullptr, "print the request body and exit without connecting"},
    {"trace", "FILE", "write a wire trace (the API key redacted)"},
    {"save", nullptr, "keep the exchange in Moonpane's history, saved as it streams (it appears in the app)"},
    {"conversation", "ID", "with --save: continue this conversation (ids: moonpane-cli list)"},
    {"help", nullptr, "show this help"},
};

QList<QCommandLineOption> options()
{
    QList<QCommandLineOption> list;
    for (const Spec &spec : kSpecs) {
        QCommandLineOption option(QString::fromLatin1(spec.name), QString::fromLatin1(spec.help));
        if (spec.valueName)
            option.setValueName(QString::fromLatin1(spec.valueName));
        list.append(option);
    }
    return list;
}

bool readNumber(const QCommandLineParser &parser, const char *name, std::optional<double> *out,
                QString *error)
{
    const QString option = QString::fromLatin1(name);
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const double value = parser.value(option).toDouble(&ok);
    if (!ok) {
        *error = u"--%1 needs a number (got \"%2\")"_s.arg(option, parser.value(option));
        return false;
    }
    *out = value;
    return true;
}

} // namespace

QString ChatOptions::helpText()
{
    QString text =
        u"Usage: moonpane-cli chat [OPTIONS] [PROMPT]\n"
        "Sends PROMPT (or standard input when PROMPT is absent or \"-\") to the model and prints the "
        "reply.\n"
        "The API key comes from $MOONPANE_API_KEY, else the system keychain entry the app writes.\n\n"
        "Options:\n"_s;
    for (const Spec &spec : kSpecs) {
        QString left = u"  --"_s + QLatin1String(spec.name);
        if (spec.valueName)
            left += u' ' + QLatin1String(spec.valueName);
        text += left.leftJustified(40) + u' ' + QLatin1String(spec.help) + u'\n';
    }
    text +=
        u"\nExit codes: 0 complete; 2 usage or input error, nothing sent; 3 HTTP error or an error reported "
        "in the stream; 4 connection failure or a reply cut short (the partial reply is printed, and with "
        "--save kept as an incomplete reply that the app can continue); 5 the conversation database cannot "
        "be "
        "opened; 130 interrupted (SIGINT or SIGTERM: the partial reply is printed, and with --save kept). "
        "A tool that fails is not a failure of moonpane-cli: the model is told.\n"_s;
    return text;
}

bool ChatOptions::parse(const QStringList &arguments, ChatOptions *out, QString *error, bool *help)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOptions(options());
    parser.addPositionalArgument(u"prompt"_s, u"the message; absent or \"-\" reads standard input"_s);
    // QCommandLineParser wants the program name first.
    if (!parser.parse(QStringList {u"moonpane-cli chat"_s} + arguments)) {
        *error = parser.errorText();
        return false;
    }
    *help = parser.isSet(u"help"_s);
    if (*help)
        return true;

    ChatOptions o;
    ChatParameters &p = o.parameters;
    o.baseUrl = parser.value(u"base-url"_s);
    if (parser.isSet(u"model"_s))
        p.model = parser.value(u"model"_s);
    o.system = parser.value(u"system"_s);
    o.historyFile = parser.value(u"history"_s);
    o.attachments = parser.values(u"attach"_s);
    o.toolsFile = parser.value(u"tools"_s);
    o.responseFormat = parser.value(u"response-format"_s);
    o.dryRun = parser.isSet(u"dry-run"_s);
    o.traceFile = parser.value(u"trace"_s);
    o.allowInsecure = parser.isSet(u"allow-insecure"_s);
    p.stream = !parser.isSet(u"no-stream"_s);
    p.stop = parser.values(u"stop"_s);

    if (parser.isSet(u"thinking"_s)) {
        const QString mode = parser.value(u"thinking"_s);
        if (mode == "enabled"_L1)
            p.thinking = ThinkingMode::Enabled;
        else if (mode == "disabled"_L1)
            p.thinking = ThinkingMode::Disabled;
        else {
            *error = u"--thinking takes enabled or disabled (got \"%1\")"_s.arg(mode);
            return false;
        }
    }
    if (parser.isSet(u"keep-thinking"_s)) {
        if (p.thinking == ThinkingMode::Disabled) {
            *error = u"--keep-thinking needs thinking on; it cannot be combined with --thinking disabled"_s;
            return false;
        }
        p.thinking = ThinkingMode::Enabled;
        p.keepThinking = true;
    }
    if (parser.isSet(u"max-image-edge"_s)) {
        bool ok = false;
        o.maxImageEdge = parser.value(u"max-image-edge"_s).toInt(&ok);
        if (!ok || o.maxImageEdge < 16) {
            *error = u"--max-image-edge needs a number of pixels, at least 16 (got \"%1\")"_s.arg(
                parser.value(u"max-image-edge"_s));
            return false;
        }
    }
    if (parser.isSet(u"max-completion-tokens"_s)) {
        bool ok = false;
        const qint64 tokens = parser.value(u"max-completion-tokens"_s).toLongLong(&ok);
        if (!ok) {
            *error = u"--max-completion-tokens needs a whole number (got \"%1\")"_s.arg(
                parser.value(u"max-completion-tokens"_s));
            return false;
        }
        p.maxCompletionTokens = tokens;
    }
    if (!readNumber(parser, "temperature", &p.temperature, error)
        || !readNumber(parser, "top-p", &p.topP, error)
        || !readNumber(parser, "frequency-penalty", &p.frequencyPenalty, error)
        || !readNumber(parser, "presence-penalty", &p.presencePenalty, error))
        return false;

    if (parser.isSet(u"output"_s)) {
        const QString output = parser.value(u"output"_s);
        if (output == "text"_L1)
            o.output = Output::Text;
        else if (output == "json"_L1)
            o.output = Output::Json;
        else {
            *error = u"--output takes text or json (got \"%1\")"_s.arg(output);
            return false;
        }
    }
    if (!o.responseFormat.isEmpty() && o.responseFormat != "text"_L1 && o.responseFormat != "json_object"_L1
        && !o.responseFormat.startsWith("json_schema="_L1)) {
        *error = u"--response-format takes text, json_object or json_schema=FILE (got \"%1\")"_s.arg(
            o.responseFormat);
        return false;
    }

    o.toolCommands = parser.values(u"tool-command"_s);
    for (const QString &binding : std::as_const(o.toolCommands)) {
        const qsizetype equals = binding.indexOf(u'=');
        if (equals <= 0 || equals == binding.size() - 1) {
            *error = u"--tool-command takes NAME=PROGRAM (got \"%1\")"_s.arg(binding);
            return false;
        }
    }
    o.mcpServers = parser.values(u"mcp"_s);
    if (parser.isSet(u"approve"_s)) {
        const QString approve = parser.value(u"approve"_s);
        if (approve == "ask"_L1)
            o.approve = Approve::Ask;
        else if (approve == "all"_L1)
            o.approve = Approve::All;
        else if (approve == "none"_L1)
            o.approve = Approve::None;
        else {
            *error = u"--approve takes ask, all or none (got \"%1\")"_s.arg(approve);
            return false;
        }
    }
    if (parser.isSet(u"max-tool-rounds"_s)) {
        bool ok = false;
        o.maxToolRounds = parser.value(u"max-tool-rounds"_s).toInt(&ok);
        if (!ok || o.maxToolRounds < 1) {
            *error = u"--max-tool-rounds needs a whole number, at least 1 (got \"%1\")"_s.arg(
                parser.value(u"max-tool-rounds"_s));
            return false;
        }
    }
    if (parser.isSet(u"tool-timeout"_s)) {
        bool ok = false;
        const double seconds = parser.value(u"tool-timeout"_s).toDouble(&ok);
        if (!ok || seconds <= 0 || seconds > 24 * 3600) {
            *error = u"--tool-timeout needs a number of seconds, more than 0 (got \"%1\")"_s.arg(
                parser.value(u"tool-timeout"_s));
            return false;
        }
        o.toolTimeoutMs = std::max(1, int(seconds * 1000));
    }
    if (!o.toolCommands.isEmpty() && o.toolsFile.isEmpty()) {
        *error = u"--tool-command binds a function of --tools FILE; give --tools too"_s;
        return false;
    }

    o.save = parser.isSet(u"save"_s);
    if (parser.isSet(u"conversation"_s)) {
        bool ok = false;
        o.conversationId = parser.value(u"conversation"_s).toLongLong(&ok);
        if (!ok || o.conversationId <= 0) {
            *error = u"--conversation needs a conversation id (got \"%1\"; see moonpane-cli list)"_s.arg(
                parser.value(u"conversation"_s));
            return false;
        }
        if (!o.save) {
            *error = u"--conversation continues a saved conversation; add --save"_s;
            return false;
        }
        if (!o.historyFile.isEmpty()) {
            *error = u"--history and --conversation both give the earlier messages; use one of them"_s;
            return false;
        }
    }
    if (o.save && o.dryRun) {
        *error = u"--dry-run sends and saves nothing; leave out --save"_s;
        return false;
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        *error = u"give the prompt as one argument (quote it); got %1 arguments"_s.arg(positional.size());
        return false;
    }
    o.promptFromStdin = positional.isEmpty() || positional.constFirst() == "-"_L1;
    if (!o.promptFromStdin)
        o.prompt = positional.constFirst();
    *out = o;
    return true;
}

} // namespace moonpane::cli
