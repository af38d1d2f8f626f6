#include "Message.h"

namespace moonpane {

ChatMessage Message::toChatMessage() const
{
    ChatMessage message;
    message.role = role;
    if (parts.isEmpty()) {
        message.content = content;
    } else {
        if (!content.isEmpty())
            message.parts.append(ContentPart::fromText(content)); // text first, then the media
        message.parts.append(parts);
    }
    if (hasReasoning || !reasoning.isEmpty())
        message.reasoningContent = reasoning;
    message.toolCalls = toolCalls;
    message.toolCallId = toolCallId;
    message.name = name;
    return message;
}

Message Message::fromChatMessage(const ChatMessage &wire)
{
    Message m;
    m.role = wire.role;
    m.content = wire.parts.isEmpty() ? wire.content : wire.text();
    for (const ContentPart &part : wire.parts) {
        if (!part.isText())
            m.parts.append(part);
    }
    m.reasoning = wire.reasoningContent.value_or(QString());
    m.hasReasoning = wire.reasoningContent.has_value();
    m.toolCalls = wire.toolCalls;
    m.toolCallId = wire.toolCallId;
    m.name = wire.name;
    return m;
}

std::optional<double> Message::tokensPerSecond() const
{
    if (!usage || usage->completionTokens <= 0 || generationMs < kMinRateMs)
        return std::nullopt;
    return static_cast<double>(usage->completionTokens) * 1000.0 / static_cast<double>(generationMs);
}

bool Message::canContinue() const
{
    if (role != Role::Assistant || content.isEmpty())
        return false;
    return state == MessageState::Incomplete
        || (state == MessageState::Complete && finishReason == QLatin1String("length"));
}

MessageActions Message::actions() const
{
    MessageActions a;
    const bool streaming = state == MessageState::Streaming;
    a.edit = role == Role::User;
    a.regenerate = role == Role::Assistant && !streaming;
    a.retry = role == Role::Assistant && (state == MessageState::Failed || state == MessageState::Incomplete);
    a.continueReply = canContinue();
    a.remove = !streaming;
    return a;
}

} // namespace moonpane
