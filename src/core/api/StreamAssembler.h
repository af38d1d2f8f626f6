// StreamAssembler turns the events of a chat-completions stream into one reply: content,
// reasoning_content (or a gateway's `reasoning` when a delta has no reasoning_content; never both,
// since some gateways send the same text in each), tool calls assembled by index, the first
// non-empty finish_reason, and the last usage seen (in choices[0] or at the top level, never
// summed). An `error` object in a 200 stream becomes an error. Deltas are reported as they come,
// so a view can show them live.
//
// This is the hot path of streaming: chunks are parsed with simdjson's On-Demand API, each chunk
// is copied once (into a padded parse buffer) and the accumulated text is appended in place, so a
// token costs the same at the end of a long reply as at the start.
#pragma once

#include "ApiError.h"
#include "AssistantReply.h"

#include <QCoreApplication>

#include <memory>
#include <string_view>

namespace moonpane {

class StreamAssembler final
{
    Q_DECLARE_TR_FUNCTIONS(StreamAssembler)

public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void reasoningDelta(std::string_view /*utf8*/) { }
        virtual void contentDelta(std::string_view /*utf8*/) { }
        // Tool call `index` grew: its id and name as this chunk gave them (often only in the
        // first), and the piece of its arguments that came.
        virtual void toolCallDelta(int /*index*/, std::string_view /*id*/, std::string_view /*name*/,
                                   std::string_view /*arguments*/)
        {
        }
        virtual void usageUpdated() { }
    };

    explicit StreamAssembler(Listener *listener = nullptr);
    ~StreamAssembler();
    StreamAssembler(const StreamAssembler &) = delete;
    StreamAssembler &operator=(const StreamAssembler &) = delete;

    // One server-sent event. "[DONE]" ends the stream; events after the end or after an error
    // are ignored.
    void addEvent(std::string_view type, std::string_view data);
    // A whole non-streamed response body ({"choices":[{"message":...}]}).
    void addCompletion(std::string_view json);

    bool isDone() const; // [DONE] was seen
    bool hasFinishReason() const;
    bool hasError() const;
    const ApiError &error() const; // Kind::Stream (in-band error) or Kind::Protocol (unreadable)
    qint64 chunkCount() const; // JSON chunks assembled
    // A reply that would grow past this ends with a Protocol error; what fit is kept.
    void setMaxBytes(std::size_t bytes);

    std::string_view content() const;
    std::string_view reasoningContent() const;
    AssistantReply reply() const;

    void reset();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace moonpane
