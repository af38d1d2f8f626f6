// StreamDecoder is the whole receive path of a streamed reply, bytes in, reply out: an SseParser
// feeding a StreamAssembler. ChatClient, moonpane-bench and the fuzz targets all use this one
// class, so what is measured and fuzzed is what runs.
#pragma once

#include "SseParser.h"
#include "StreamAssembler.h"

#include <functional>
#include <string_view>

namespace moonpane {

class StreamDecoder final : private SseParser::Handler
{
public:
    explicit StreamDecoder(StreamAssembler::Listener *listener = nullptr);

    // Sees every received line (wire traces). Off unless set.
    void setLineObserver(std::function<void(std::string_view)> observer);

    void feed(const char *data, std::size_t size) { m_parser.feed(data, size); }
    void feed(std::string_view bytes) { m_parser.feed(bytes); }
    void finish() { m_parser.finish(); }

    // [DONE] arrived or the stream reported an error: nothing more will be assembled.
    bool isOver() const { return m_assembler.isDone() || m_assembler.hasError(); }
    std::size_t pendingBytes() const { return m_parser.pendingBytes(); }
    // Events dispatched so far (comments and keep-alives are not events).
    qint64 eventCount() const { return m_events; }

    StreamAssembler &assembler() { return m_assembler; }
    const StreamAssembler &assembler() const { return m_assembler; }

private:
    void sseEvent(const SseEvent &event) override;
    void sseLine(std::string_view line) override;

    StreamAssembler m_assembler;
    SseParser m_parser;
    std::function<void(std::string_view)> m_lineObserver;
    qint64 m_events = 0;
};

} // namespace moonpane
