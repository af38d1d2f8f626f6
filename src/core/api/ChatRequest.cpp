#include "ChatRequest.h"

#include "JsonWriter.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace moonpane {

QStringList ChatRequest::validate() const
{
    QStringList problems = parameters.validate();
    if (messages.isEmpty())
        problems.append(QCoreApplication::translate("ChatRequest", "there are no messages to send"));
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const ChatMessage &message = messages.at(i);
        const QString where = QCoreApplication::translate("ChatRequest", "message %1 (%2)")
                                  .arg(i + 1)
                                  .arg(roleName(message.role));
        switch (message.role) {
        case Role::System:
        case Role::User:
            if (!message.hasContent())
                problems.append(QCoreApplication::translate("ChatRequest", "%1 is empty").arg(where));
            break;
        case Role::Assistant:
            if (!message.hasContent() && message.toolCalls.isEmpty() && !message.partial)
                problems.append(
                    QCoreApplication::translate("ChatRequest", "%1 has neither text nor tool calls")
                        .arg(where));
            break;
        case Role::Tool:
            if (message.toolCallId.isEmpty())
                problems.append(
                    QCoreApplication::translate("ChatRequest",
                                                "%1 does not say which tool call it answers (tool_call_id)")
                        .arg(where));
            break;
        }
        if (message.partial && (message.role != Role::Assistant || i != messages.size() - 1))
            problems.append(
                QCoreApplication::translate(
                    "ChatRequest", "%1: only the last message, an assistant one, can be a partial prefix")
                    .arg(where));
        for (const ContentPart &part : message.parts) {
            if (const QString problem = part.urlProblem(); !problem.isEmpty())
                problems.append(u"%1: %2"_s.arg(where, problem));
        }
    }
    if (!messages.isEmpty() && messages.constLast().partial
        && parameters.responseFormat == ResponseFormat::JsonObject)
        problems.append(QCoreApplication::translate(
            "ChatRequest", "partial mode cannot be combined with the json_object response format"));
    return problems;
}

QList<ChatMessage> ChatRequest::wireMessages() const
{
    const bool thinking = parameters.thinkingEnabled();
    const bool keepAll = thinking && parameters.keepThinking;
    qsizetype lastUser = -1;
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        if (messages.at(i).role == Role::User) {
            lastUser = i;
            break;
        }
    }

    QList<ChatMessage> wire = messages;
    for (qsizetype i = 0; i < wire.size(); ++i) {
        ChatMessage &message = wire[i];
        if (message.role != Role::Assistant) {
            message.reasoningContent.reset();
            continue;
        }
        if (!thinking) {
            message.reasoningContent.reset();
        } else if (!message.toolCalls.isEmpty()) {
            const bool currentTurn = i > lastUser;
            if (currentTurn || keepAll)
                message.reasoningContent = message.reasoningContent.value_or(QString());
            else
                message.reasoningContent = QString(); // required to be present, ignored by the server
        } else if (!keepAll) {
            message.reasoningContent.reset();
        }
    }
    return wire;
}

QByteArray ChatRequest::toJson() const
{
    QByteArray body;
    JsonWriter writer(&body);
    write(writer);
    return body;
}

RequestBody ChatRequest::toBody() const
{
    RequestBody body;
    {
        JsonWriter writer(&body);
        write(writer);
    }
    return body;
}

void ChatRequest::write(JsonWriter &w) const
{
    const ChatParameters &p = parameters;
    w.beginObject();
    w.field("model", p.model);
    w.key("messages");
    w.beginArray();
    for (const ChatMessage &message : wireMessages())
        message.write(w);
    w.endArray();

    if (p.thinking != ThinkingMode::ServerDefault || p.keepThinking) {
        w.key("thinking");
        w.beginObject();
        w.field("type", p.thinking == ThinkingMode::Disabled ? u"disabled"_s : u"enabled"_s);
        if (p.keepThinking)
            w.field("keep", u"all"_s);
        w.endObject();
    }
    if (p.maxCompletionTokens)
        w.field("max_completion_tokens", *p.maxCompletionTokens);
    if (p.temperature)
        w.field("temperature", *p.temperature);
    if (p.topP)
        w.field("top_p", *p.topP);
    if (p.frequencyPenalty)
        w.field("frequency_penalty", *p.frequencyPenalty);
    if (p.presencePenalty)
        w.field("presence_penalty", *p.presencePenalty);
    if (p.responseFormat != ResponseFormat::Unset) {
        w.key("response_format");
        w.beginObject();
        switch (p.responseFormat) {
        case ResponseFormat::Unset:
        case ResponseFormat::Text:
            w.field("type", u"text"_s);
            break;
        case ResponseFormat::JsonObject:
            w.field("type", u"json_object"_s);
            break;
        case ResponseFormat::JsonSchema:
            w.field("type", u"json_schema"_s);
            w.field("json_schema", QJsonValue(p.jsonSchema));
            break;
        }
        w.endObject();
    }
    if (!p.tools.isEmpty())
        w.field("tools", QJsonValue(p.tools));
    if (p.stop.size() == 1) {
        w.field("stop", p.stop.constFirst());
    } else if (p.stop.size() > 1) {
        w.key("stop");
        w.beginArray();
        for (const QString &sequence : p.stop)
            w.value(sequence);
        w.endArray();
    }
    w.field("stream", p.stream);
    w.endObject();
}

} // namespace moonpane
