#include "AssistantReply.h"

namespace moonpane {

ChatMessage AssistantReply::toMessage() const
{
    ChatMessage message = ChatMessage::assistant(content);
    if (hasReasoning || !reasoningContent.isEmpty())
        message.reasoningContent = reasoningContent;
    message.toolCalls = toolCalls;
    return message;
}

} // namespace moonpane
