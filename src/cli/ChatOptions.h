// The options of `moonpane-cli chat`, read from the command line.
#pragma once

#include "api/ChatParameters.h"

#include <QString>
#include <QStringList>

namespace moonpane::cli {

struct ChatOptions
{
    enum class Output { Text, Json };

    QString baseUrl; // empty: environment, saved setting, default
    bool allowInsecure = false; // plain http beyond loopback
    QString system;
    QString historyFile;
    QStringList attachments;
    int maxImageEdge = 0; // 0: images go as they are
    QString responseFormat; // text | json_object | json_schema=FILE
    QString toolsFile;
    QStringList toolCommands; // NAME=PROGRAM
    QStringList mcpServers; // command lines
    enum class Approve { Ask, All, None };
    Approve approve = Approve::Ask;
    int maxToolRounds = 10;
    int toolTimeoutMs = 60'000;
    QString prompt;
    bool promptFromStdin = false;
    Output output = Output::Text;
    bool dryRun = false;
    QString traceFile;
    bool save = false; // keep the exchange in the conversation database
    qint64 conversationId = 0; // with save: the conversation to continue (0: a new one)
    ChatParameters parameters;

    // Reads `chat` arguments (without the word "chat"). On a usage error returns false and says
    // why in *error; *help is set when --help was asked for.
    static bool parse(const QStringList &arguments, ChatOptions *out, QString *error, bool *help);
    static QString helpText();
};

} // namespace moonpane::cli
