// SseParser turns the bytes of a text/event-stream body into events, following the WHATWG
// "event stream interpretation" rules: LF, CR and CRLF line ends (a CR at the end of one read and
// the LF at the start of the next are one line end), an optional UTF-8 BOM, comments, fields with
// or without the space after the colon, multi-line data, event/id/retry fields.
//
// It is network-free and incremental: feed() takes reads of any size, split at any byte (inside a
// UTF-8 sequence too: it works on bytes and never decodes). It copies as little as it can: a line
// that lies wholly inside one read is looked at in place, and an event whose data and closing
// blank line arrive in the same read is handed out as a view into that read. Only data that spans
// reads is copied, once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace moonpane {

struct SseEvent
{
    std::string_view type; // "message" unless an event: field named it
    std::string_view data; // data: lines joined by '\n'
    std::string_view lastEventId;
};

class SseParser final
{
public:
    // Receives what the parser finds. Views are valid only during the call.
    class Handler
    {
    public:
        virtual ~Handler() = default;
        virtual void sseEvent(const SseEvent &event) = 0;
        virtual void sseRetry(int /*milliseconds*/) { }
        // Every line as received (without its line end), comments included. Called only when
        // line observation is on, for wire traces.
        virtual void sseLine(std::string_view /*line*/) { }
    };

    explicit SseParser(Handler *handler);

    void setObserveLines(bool on) { m_observeLines = on; }

    void feed(const char *data, std::size_t size);
    void feed(std::string_view bytes) { feed(bytes.data(), bytes.size()); }

    // End of stream. A last line that has no line end is dropped (the connection may have cut it).
    // An event whose lines all ended but whose closing blank line never came is dispatched: servers
    // that end with "data: [DONE]\n" exist, and the event is whole. WHATWG would drop it.
    void finish();

    void reset();

    // Bytes held back waiting for a line end (to cap runaway lines from a broken server).
    std::size_t pendingBytes() const { return m_partial.size() + m_data.size(); }

private:
    void processLine(std::string_view line, bool stable);
    void dispatch();
    void holdPendingData();
    void feedBody(const char *p, const char *end);

    Handler *m_handler;
    std::string m_partial; // an unterminated line carried over from the previous read
    std::string m_data; // data buffer when it could not stay a view
    std::string_view m_dataView; // data buffer as a view into the current read (fast path)
    std::string m_eventType;
    std::string m_lastEventId;
    bool m_hasData = false; // a data: field was seen since the last dispatch
    bool m_dataIsView = false;
    bool m_skipLeadingLF = false; // the previous read ended in CR
    bool m_observeLines = false;
    int m_bomMatched = 0; // bytes of a UTF-8 BOM seen at the start of the stream; -1 once past
};

} // namespace moonpane
