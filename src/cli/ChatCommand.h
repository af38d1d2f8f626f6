// `moonpane-cli chat`: builds a request from the options, sends it and prints the reply.
#pragma once

#include "ChatOptions.h"
#include "api/ChatRequest.h"

#include <QStringList>

namespace moonpane::cli {

enum ExitCode {
    ExitComplete = 0,
    ExitUsage = 2, // usage or input error; nothing was sent
    ExitApiError = 3, // an HTTP error status, or an error object in the stream
    ExitIncomplete = 4, // a transport failure or a stream cut short
};

class ChatCommand final
{
public:
    int run(const QStringList &arguments);

private:
    // Reads files and standard input into the request. Returns false with *error on failure.
    bool buildRequest(const ChatOptions &options, ChatRequest *request, QString *error);
    int send(const ChatOptions &options, const ChatRequest &request, const QByteArray &body);
};

} // namespace moonpane::cli
