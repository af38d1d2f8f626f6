#include "StreamDecoder.h"

namespace moonpane {

StreamDecoder::StreamDecoder(StreamAssembler::Listener *listener)
    : m_assembler(listener)
    , m_parser(this)
{
}

void StreamDecoder::setLineObserver(std::function<void(std::string_view)> observer)
{
    m_lineObserver = std::move(observer);
    m_parser.setObserveLines(static_cast<bool>(m_lineObserver));
}

void StreamDecoder::sseEvent(const SseEvent &event)
{
    ++m_events;
    m_assembler.addEvent(event.type, event.data);
}

void StreamDecoder::sseLine(std::string_view line)
{
    m_lineObserver(line);
}

} // namespace moonpane
