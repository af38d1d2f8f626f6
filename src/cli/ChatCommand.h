// `moonpane-cli chat`: builds a request from the options, sends it and prints the reply.
#pragma once

#include "ChatOptions.h"
#include "api/ChatRequest.h"
#include "api/Endpoint.h"

#include <QStringList>

namespace moonpane {
class ChatClient;
class WireTrace;
} // namespace moonpane

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
    int send(const ChatOptions &options, const ChatRequest &request, const QByteArray &body,
             ChatClient *client, WireTrace *trace);
    // --save: through a ChatSession on the stored conversation, as the app sends.
    int sendSaved(const ChatOptions &options, const ChatRequest &request, ChatClient *client,
                  WireTrace *trace);
};

} // namespace moonpane::cli
