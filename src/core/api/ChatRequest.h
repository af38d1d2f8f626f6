// A whole chat-completions request: messages plus parameters, checked and turned into the JSON
// body. It owns the history rules of the API (see docs/API.md):
//   - with thinking on, every assistant message that carries tool_calls is sent with
//     reasoning_content ("" if it had none), or the API answers 400;
//   - earlier turns' reasoning is dropped unless thinking.keep is "all" (the server would ignore
//     it, and it is billed as context); the current turn's tool-call reasoning always stays;
//   - an assistant tool-call message without text has no `content` key at all.
#pragma once

#include "ChatMessage.h"
#include "ChatParameters.h"
#include "RequestBody.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace moonpane {

class JsonWriter;

struct ChatRequest
{
    // The request body must stay under this (the API's limit is 100 MB).
    static constexpr qint64 kMaxBodyBytes = 100'000'000;
    // The largest medium that can go inline: base64 makes 4 bytes of every 3, and the rest of
    // the request needs room too. Larger videos go through the Files API, where there is one.
    static constexpr qint64 kMaxInlineMediaBytes = 74'000'000;

    ChatParameters parameters;
    QList<ChatMessage> messages;

    // Everything that would make the API refuse the request, each a sentence a user can act on.
    QStringList validate() const;

    // The messages as they are sent, after the history rules above.
    QList<ChatMessage> wireMessages() const;

    // The body as it is sent: media stay references to their files until it streams out.
    RequestBody toBody() const;
    // The body whole, media read and encoded here (dry runs, tests): never on the UI thread
    // while media are in it.
    QByteArray toJson() const;

private:
    void write(JsonWriter &writer) const;
};

} // namespace moonpane
