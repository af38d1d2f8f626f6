// An assistant reply as assembled from a stream or read from a non-streamed response.
#pragma once

#include "ChatMessage.h"
#include "ToolCall.h"
#include "Usage.h"

#include <QList>
#include <QString>

#include <optional>

namespace moonpane {

struct AssistantReply
{
    QString content;
    QString reasoningContent;
    bool hasReasoning = false; // a reasoning field was seen, even an empty one
    QList<ToolCall> toolCalls;
    QString finishReason; // the first non-empty finish_reason
    std::optional<Usage> usage; // the last usage seen
    QString id;
    QString model;

    // The reply as a history message (reasoning included; ChatRequest decides what is sent).
    ChatMessage toMessage() const;
};

} // namespace moonpane
