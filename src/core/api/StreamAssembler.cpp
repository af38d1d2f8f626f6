#include "StreamAssembler.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <simdjson.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;
namespace od = simdjson::ondemand;

namespace moonpane {

namespace {

// A tool call index beyond this is a broken server, not a reply to assemble.
constexpr std::int64_t kMaxToolCalls = 1024;

struct ToolCallBuffer
{
    std::string id;
    std::string type;
    std::string name;
    std::string arguments;
};

QString toQString(const std::string &utf8)
{
    return QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
}

// Reads a string value; false (and `out` untouched) for null or any other type.
bool readString(od::value &value, std::string_view &out)
{
    return value.get_string().get(out) == simdjson::SUCCESS;
}

bool isBlank(std::string_view text)
{
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

QString excerpt(std::string_view data)
{
    constexpr std::size_t kMax = 120;
    QString text = QString::fromUtf8(data.data(), static_cast<qsizetype>(std::min(data.size(), kMax)));
    return data.size() > kMax ? text + u'…' : text;
}

} // namespace

struct StreamAssembler::Private
{
    explicit Private(Listener *l)
        : listener(l)
    {
    }

    simdjson::error_code parseDocument(std::string_view json);
    simdjson::error_code parseChoices(od::value value);
    simdjson::error_code parseChoice(od::object choice);
    simdjson::error_code parseDelta(od::object delta);
    simdjson::error_code parseToolCalls(od::array calls);
    simdjson::error_code parseUsage(od::value value);
    simdjson::error_code parseError(od::value value);
    void parse(std::string_view json);
    ToolCallBuffer &toolCallSlot(std::int64_t index, std::string_view id, bool *ok);

    Listener *listener;
    od::parser parser;
    std::unique_ptr<char[]> buffer; // the chunk, followed by SIMDJSON_PADDING readable bytes
    std::size_t bufferCapacity = 0;

    std::string content;
    std::string reasoning;
    std::vector<ToolCallBuffer> toolCalls;
    std::size_t assembledBytes = 0; // content, reasoning and tool call arguments
    std::size_t maxBytes = std::numeric_limits<std::size_t>::max();
    // Whether `more` bytes still fit under maxBytes; if not, the reply ends with an error.
    bool fits(std::size_t more);
    std::string finishReason;
    std::string usageJson; // the last usage object seen, raw
    std::string id;
    std::string model;
    bool hasReasoning = false;
    bool done = false;
    ApiError error;
    qint64 chunks = 0;
};

StreamAssembler::StreamAssembler(Listener *listener)
    : d(std::make_unique<Private>(listener))
{
}

StreamAssembler::~StreamAssembler() = default;

void StreamAssembler::reset()
{
    const std::size_t maxBytes = d->maxBytes;
    d = std::make_unique<Private>(d->listener);
    d->maxBytes = maxBytes;
}

void StreamAssembler::setMaxBytes(std::size_t bytes)
{
    d->maxBytes = bytes;
}

bool StreamAssembler::Private::fits(std::size_t more)
{
    if (more <= maxBytes && assembledBytes <= maxBytes - more)
        return true;
    if (!error.isError())
        error = ApiError::make(
            ApiError::Kind::Protocol,
            tr("The reply grew past %1 MB, the most Moonpane keeps of one reply, and was stopped there. "
               "The part that arrived is kept.")
                .arg(static_cast<qulonglong>(maxBytes >> 20)));
    return false;
}

void StreamAssembler::addEvent(std::string_view type, std::string_view data)
{
    if (d->done || d->error.isError())
        return;
    if (type == "error") {
        // `event: error`: the data is the error ({"error": {...}}, the object itself, or text).
        d->error = ApiError::fromStreamError(QByteArray(data.data(), static_cast<qsizetype>(data.size())));
        return;
    }
    if (type != "message")
        return; // other event types carry nothing a chat reply needs
    if (data == "[DONE]") {
        d->done = true;
        return;
    }
    if (isBlank(data))
        return; // an empty data line used as a keep-alive
    d->parse(data);
}

void StreamAssembler::addCompletion(std::string_view json)
{
    if (d->error.isError())
        return;
    d->parse(json);
}

void StreamAssembler::Private::parse(std::string_view json)
{
    simdjson::error_code status = parseDocument(json);
    if (status == simdjson::UTF8_ERROR) {
        // Decode like an event stream would: invalid bytes become U+FFFD.
        const QByteArray repaired =
            QString::fromUtf8(json.data(), static_cast<qsizetype>(json.size())).toUtf8();
        status =
            parseDocument(std::string_view(repaired.constData(), static_cast<std::size_t>(repaired.size())));
    }
    if (status != simdjson::SUCCESS && !error.isError())
        error = ApiError::make(ApiError::Kind::Protocol,
                               tr("The server sent a stream event that is not valid JSON (%1): %2")
                                   .arg(QString::fromUtf8(simdjson::error_message(status)), excerpt(json)));
}

simdjson::error_code StreamAssembler::Private::parseDocument(std::string_view json)
{
    const std::size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
    if (needed > bufferCapacity) {
        bufferCapacity = std::max(needed, bufferCapacity * 2);
        buffer = std::make_unique<char[]>(bufferCapacity); // zeroed, so the padding is always initialised
    }
    std::memcpy(buffer.get(), json.data(), json.size());

    od::document document;
    if (auto e = parser.iterate(simdjson::padded_string_view(buffer.get(), json.size(), bufferCapacity))
                     .get(document))
        return e;
    od::object object;
    if (auto e = document.get_object().get(object))
        return e;
    ++chunks;
    for (auto field : object) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key))
            return e;
        od::value value;
        if (auto e = field.value().get(value))
            return e;
        simdjson::error_code e = simdjson::SUCCESS;
        if (key == "choices") {
            e = parseChoices(value);
        } else if (key == "usage") {
            e = parseUsage(value);
        } else if (key == "error") {
            e = parseError(value);
        } else if (key == "id" || key == "model") {
            std::string &target = key == "id" ? id : model;
            std::string_view text;
            if (target.empty() && value.get_string().get(text) == simdjson::SUCCESS)
                target.assign(text);
        }
        if (e)
            return e;
    }
    return simdjson::SUCCESS;
}

simdjson::error_code StreamAssembler::Private::parseChoices(od::value value)
{
    od::array choices;
    if (value.get_array().get(choices) != simdjson::SUCCESS)
        return simdjson::SUCCESS; // null or not an array: nothing to assemble
    for (auto element : choices) {
        od::object choice;
        if (auto e = element.get_object().get(choice))
            return e;
        return parseChoice(choice); // n = 1: only the first choice is the reply
    }
    return simdjson::SUCCESS;
}

simdjson::error_code StreamAssembler::Private::parseChoice(od::object choice)
{
    for (auto field : choice) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key))
            return e;
        od::value value;
        if (auto e = field.value().get(value))
            return e;
        simdjson::error_code e = simdjson::SUCCESS;
        if (key == "delta" || key == "message") {
            od::object delta;
            if (value.get_object().get(delta) == simdjson::SUCCESS)
                e = parseDelta(delta);
        } else if (key == "finish_reason") {
            std::string_view reason;
            // The first non-empty value wins; a later null (gateways repeat chunks) never clears it.
            if (finishReason.empty() && value.get_string().get(reason) == simdjson::SUCCESS)
                finishReason.assign(reason);
        } else if (key == "usage") {
            e = parseUsage(value);
        }
        if (e)
            return e;
    }
    return simdjson::SUCCESS;
}

simdjson::error_code StreamAssembler::Private::parseDelta(od::object delta)
{
    std::string_view contentPiece;
    std::string_view reasoningContent;
    std::string_view reasoningAlias;
    bool hasReasoningContent = false;
    bool hasReasoningAlias = false;
    for (auto field : delta) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key))
            return e;
        od::value value;
        if (auto e = field.value().get(value))
            return e;
        if (key == "content") {
            readString(value, contentPiece); // null content is no content
        } else if (key == "reasoning_content") {
            hasReasoningContent = readString(value, reasoningContent);
        } else if (key == "reasoning") {
            hasReasoningAlias = readString(value, reasoningAlias);
        } else if (key == "tool_calls") {
            od::array calls;
            if (value.get_array().get(calls) == simdjson::SUCCESS) {
                if (auto e = parseToolCalls(calls))
                    return e;
            }
        }
    }
    // Reasoning streams before content, so report it first.
    const std::string_view reasoningPiece = hasReasoningContent ? reasoningContent : reasoningAlias;
    if (hasReasoningContent || hasReasoningAlias) {
        hasReasoning = true;
        if (!reasoningPiece.empty()) {
            if (!fits(reasoningPiece.size()))
                return simdjson::CAPACITY;
            reasoning.append(reasoningPiece);
            assembledBytes += reasoningPiece.size();
            if (listener)
                listener->reasoningDelta(reasoningPiece);
        }
    }
    if (!contentPiece.empty()) {
        if (!fits(contentPiece.size()))
            return simdjson::CAPACITY;
        content.append(contentPiece);
        assembledBytes += contentPiece.size();
        if (listener)
            listener->contentDelta(contentPiece);
    }
    return simdjson::SUCCESS;
}

ToolCallBuffer &StreamAssembler::Private::toolCallSlot(std::int64_t index, std::string_view callId, bool *ok)
{
    *ok = true;
    if (index < 0) {
        // No index (some servers): a new id starts a call, a known id or no id extends one.
        if (!callId.empty()) {
            for (std::size_t i = 0; i < toolCalls.size(); ++i) {
                if (toolCalls[i].id == callId)
                    return toolCalls[i];
            }
            return toolCalls.emplace_back();
        }
        return toolCalls.empty() ? toolCalls.emplace_back() : toolCalls.back();
    }
    if (index >= kMaxToolCalls) {
        *ok = false;
        static ToolCallBuffer discard;
        return discard;
    }
    if (static_cast<std::size_t>(index) >= toolCalls.size())
        toolCalls.resize(static_cast<std::size_t>(index) + 1);
    return toolCalls[static_cast<std::size_t>(index)];
}

simdjson::error_code StreamAssembler::Private::parseToolCalls(od::array calls)
{
    for (auto element : calls) {
        od::object call;
        if (auto e = element.get_object().get(call))
            return e;
        std::int64_t index = -1;
        std::string_view callId, type, name, arguments;
        std::string argumentsObject;
        for (auto field : call) {
            std::string_view key;
            if (auto e = field.unescaped_key().get(key))
                return e;
            od::value value;
            if (auto e = field.value().get(value))
                return e;
            if (key == "index") {
                if (value.get_int64().get(index) != simdjson::SUCCESS)
                    index = -1;
            } else if (key == "id") {
                readString(value, callId);
            } else if (key == "type") {
                readString(value, type);
            } else if (key == "function") {
                od::object function;
                if (value.get_object().get(function) != simdjson::SUCCESS)
                    continue;
                for (auto inner : function) {
                    std::string_view innerKey;
                    if (auto e = inner.unescaped_key().get(innerKey))
                        return e;
                    od::value innerValue;
                    if (auto e = inner.value().get(innerValue))
                        return e;
                    if (innerKey == "name") {
                        readString(innerValue, name);
                    } else if (innerKey == "arguments") {
                        od::object object;
                        std::string_view raw;
                        if (readString(innerValue, arguments)) {
                        } else if (innerValue.get_object().get(object) == simdjson::SUCCESS
                                   && object.raw_json().get(raw) == simdjson::SUCCESS) {
                            // Some non-streaming servers send the arguments as an object.
                            argumentsObject.assign(raw);
                            arguments = argumentsObject;
                        }
                    }
                }
            }
        }
        if (!fits(arguments.size() + name.size()))
            return simdjson::CAPACITY;
        bool ok = false;
        ToolCallBuffer &slot = toolCallSlot(index, callId, &ok);
        if (!ok)
            return simdjson::INDEX_OUT_OF_BOUNDS;
        if (slot.id.empty())
            slot.id.assign(callId);
        if (slot.type.empty())
            slot.type.assign(type);
        if (slot.name.empty())
            slot.name.assign(name);
        else if (!name.empty() && name != slot.name)
            slot.name.append(name); // a name streamed in pieces; repeats of the whole name are ignored
        slot.arguments.append(arguments);
        assembledBytes += arguments.size() + name.size();
        if (listener)
            listener->toolCallDelta(static_cast<int>(&slot - toolCalls.data()), callId, name, arguments);
    }
    return simdjson::SUCCESS;
}

simdjson::error_code StreamAssembler::Private::parseUsage(od::value value)
{
    od::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS)
        return simdjson::SUCCESS; // "usage": null on every chunk but the last (OpenAI)
    std::string_view raw;
    if (auto e = object.raw_json().get(raw))
        return e;
    usageJson.assign(raw); // the last one wins; duplicates are identical, never summed
    if (listener)
        listener->usageUpdated();
    return simdjson::SUCCESS;
}

simdjson::error_code StreamAssembler::Private::parseError(od::value value)
{
    od::json_type type;
    if (auto e = value.type().get(type))
        return e;
    if (type == od::json_type::null)
        return simdjson::SUCCESS;
    if (type == od::json_type::boolean) {
        bool flag = false;
        if (value.get_bool().get(flag) != simdjson::SUCCESS || !flag)
            return simdjson::SUCCESS;
    }
    std::string_view raw;
    od::object object;
    if (type == od::json_type::object) {
        if (auto e = value.get_object().get(object))
            return e;
        if (auto e = object.raw_json().get(raw))
            return e;
    } else {
        raw = value.raw_json_token(); // a string (quotes included) or a number
    }
    error = ApiError::fromStreamError(QByteArray(raw.data(), static_cast<qsizetype>(raw.size())));
    return simdjson::SUCCESS;
}

bool StreamAssembler::isDone() const
{
    return d->done;
}

bool StreamAssembler::hasFinishReason() const
{
    return !d->finishReason.empty();
}

bool StreamAssembler::hasError() const
{
    return d->error.isError();
}

const ApiError &StreamAssembler::error() const
{
    return d->error;
}

qint64 StreamAssembler::chunkCount() const
{
    return d->chunks;
}

std::string_view StreamAssembler::content() const
{
    return d->content;
}

std::string_view StreamAssembler::reasoningContent() const
{
    return d->reasoning;
}

AssistantReply StreamAssembler::reply() const
{
    AssistantReply reply;
    reply.content = toQString(d->content);
    reply.reasoningContent = toQString(d->reasoning);
    reply.hasReasoning = d->hasReasoning;
    for (const ToolCallBuffer &buffer : d->toolCalls) {
        if (buffer.id.empty() && buffer.name.empty() && buffer.arguments.empty())
            continue; // a gap left by a skipped index
        ToolCall call;
        call.id = toQString(buffer.id);
        call.type = buffer.type.empty() ? u"function"_s : toQString(buffer.type);
        call.name = toQString(buffer.name);
        call.arguments = toQString(buffer.arguments);
        reply.toolCalls.append(call);
    }
    reply.finishReason = toQString(d->finishReason);
    if (!d->usageJson.empty())
        reply.usage =
            Usage::fromJson(QJsonDocument::fromJson(
                                QByteArray(d->usageJson.data(), static_cast<qsizetype>(d->usageJson.size())))
                                .object());
    reply.id = toQString(d->id);
    reply.model = toQString(d->model);
    return reply;
}

} // namespace moonpane
