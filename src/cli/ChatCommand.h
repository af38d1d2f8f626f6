// `moonpane-cli chat`: builds the turn from the options and runs it through the app's engine
// (ChatSession), in the saved conversation with --save or in one kept in memory, and prints the
// reply as it streams.
#pragma once

#include "ChatOptions.h"
#include "api/ChatRequest.h"
#include "api/Endpoint.h"

#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace moonpane::cli {

enum ExitCode {
    ExitComplete = 0,
    ExitUsage = 2, // usage or input error; nothing was sent
    ExitApiError = 3, // an HTTP error status, or an error object in the stream
    ExitIncomplete = 4, // a transport failure or a stream cut short
    ExitStorage = 5, // the conversation database cannot be opened or written
    ExitInterrupted = 130, // SIGINT or SIGTERM while a saved reply streamed
};

class ChatCommand final
{
public:
    int run(const QStringList &arguments);

private:
    // Reads files and standard input into the request. Returns false with *error on failure.
    bool buildRequest(const ChatOptions &options, ChatRequest *request, QString *error);
    // The base URL, timeouts and API key. On failure says why and returns false.
    bool resolveEndpoint(const ChatOptions &options, Endpoint *out);
    // An image or video named with --attach, as the app attaches them (MediaImporter): sent from
    // where it is, or, converted or scaled down, from a copy made in a temporary folder.
    bool loadAttachment(const QString &spec, int maxImageEdge, ContentPart *out, QString *error);

    std::unique_ptr<QTemporaryDir> m_derived; // images made ready to send, for this run
};

} // namespace moonpane::cli
