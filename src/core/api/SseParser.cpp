#include "SseParser.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace moonpane {

namespace {
constexpr char kBom[] = "\xEF\xBB\xBF";

const char *findByte(const char *p, const char *end, char byte)
{
    const void *hit = std::memchr(p, byte, static_cast<std::size_t>(end - p));
    return hit ? static_cast<const char *>(hit) : end;
}
} // namespace

SseParser::SseParser(Handler *handler)
    : m_handler(handler)
{
}

void SseParser::feed(const char *data, std::size_t size)
{
    const char *p = data;
    const char *end = data + size;
    if (m_bomMatched >= 0) {
        while (p < end && m_bomMatched < 3 && *p == kBom[m_bomMatched]) {
            ++p;
            ++m_bomMatched;
        }
        if (m_bomMatched == 3) {
            m_bomMatched = -1;
        } else if (p < end) {
            // Not a BOM after all: the bytes held back start the first line.
            m_partial.append(kBom, static_cast<std::size_t>(m_bomMatched));
            m_bomMatched = -1;
        } else {
            return; // the read ended inside what may still be a BOM
        }
    }
    feedBody(p, end);
}

void SseParser::feedBody(const char *p, const char *end)
{
    if (p == end)
        return;
    if (m_skipLeadingLF) {
        m_skipLeadingLF = false;
        if (*p == '\n' && ++p == end)
            return;
    }
    // Next LF and next CR at or after p; `end` once there is none left in this read, so each
    // byte is scanned once per terminator kind, however long the lines are.
    const char *nextLF = nullptr;
    const char *nextCR = nullptr;
    while (p < end) {
        if (!nextLF || nextLF < p)
            nextLF = findByte(p, end, '\n');
        if (!nextCR || nextCR < p)
            nextCR = findByte(p, end, '\r');
        const char *eol = std::min(nextLF, nextCR);
        if (eol == end) {
            m_partial.append(p, static_cast<std::size_t>(end - p));
            break;
        }
        const char *next = eol + 1;
        if (*eol == '\r') {
            if (next == end)
                m_skipLeadingLF = true; // the LF of a CRLF may come with the next read
            else if (*next == '\n')
                ++next;
        }
        if (m_partial.empty()) {
            processLine(std::string_view(p, static_cast<std::size_t>(eol - p)), true);
        } else {
            m_partial.append(p, static_cast<std::size_t>(eol - p));
            processLine(m_partial, false);
            m_partial.clear();
        }
        p = next;
    }
    holdPendingData();
}

void SseParser::processLine(std::string_view line, bool stable)
{
    if (m_observeLines)
        m_handler->sseLine(line);
    if (line.empty()) {
        dispatch();
        return;
    }
    if (line.front() == ':')
        return; // comment, e.g. ": keep-alive"

    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
    }

    if (field == "data") {
        if (!m_hasData) {
            m_hasData = true;
            m_dataIsView = stable;
            if (stable)
                m_dataView = value;
            else
                m_data.assign(value);
        } else {
            if (m_dataIsView) {
                m_data.assign(m_dataView);
                m_dataIsView = false;
            }
            m_data.push_back('\n');
            m_data.append(value);
        }
    } else if (field == "event") {
        m_eventType.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos)
            m_lastEventId.assign(value);
    } else if (field == "retry") {
        const bool digits = !value.empty()
            && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        int ms = 0;
        if (digits && std::from_chars(value.data(), value.data() + value.size(), ms).ec == std::errc())
            m_handler->sseRetry(ms);
    }
    // Any other field is ignored, as the standard says.
}

void SseParser::dispatch()
{
    if (!m_hasData) {
        m_eventType.clear();
        return;
    }
    SseEvent event;
    event.type = m_eventType.empty() ? std::string_view("message") : std::string_view(m_eventType);
    event.data = m_dataIsView ? m_dataView : std::string_view(m_data);
    event.lastEventId = m_lastEventId;
    m_handler->sseEvent(event);
    m_hasData = false;
    m_dataIsView = false;
    m_dataView = {};
    m_data.clear();
    m_eventType.clear();
}

void SseParser::holdPendingData()
{
    if (m_dataIsView) {
        m_data.assign(m_dataView);
        m_dataView = {};
        m_dataIsView = false;
    }
}

void SseParser::finish()
{
    m_partial.clear();
    m_skipLeadingLF = false;
    if (m_hasData)
        dispatch();
    m_eventType.clear();
}

void SseParser::reset()
{
    m_partial.clear();
    m_data.clear();
    m_dataView = {};
    m_eventType.clear();
    m_lastEventId.clear();
    m_hasData = false;
    m_dataIsView = false;
    m_skipLeadingLF = false;
    m_bomMatched = 0;
}

} // namespace moonpane
