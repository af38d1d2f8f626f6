// libFuzzer target: arbitrary bytes through StreamDecoder (SseParser + StreamAssembler), the
// exact path a server's stream takes. The first byte picks how the rest is split into reads, so
// line ends and UTF-8 sequences are cut at every kind of place.
#include "api/StreamDecoder.h"

#include <QJsonArray>

#include <cstddef>
#include <cstdint>

namespace {

class Counter final : public moonpane::StreamAssembler::Listener
{
public:
    std::size_t bytes = 0;
    void reasoningDelta(std::string_view utf8) override { bytes += utf8.size(); }
    void contentDelta(std::string_view utf8) override { bytes += utf8.size(); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t step = 1 + data[0] % 64; // 1..64 bytes per read, or whole when 64
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const std::size_t length = size - 1;

    Counter counter;
    moonpane::StreamDecoder decoder(&counter);
    std::size_t lines = 0;
    decoder.setLineObserver([&lines](std::string_view) { ++lines; });
    if (step == 64) {
        decoder.feed(bytes, length);
    } else {
        for (std::size_t at = 0; at < length; at += step)
            decoder.feed(bytes + at, std::min(step, length - at));
    }
    decoder.finish();

    const moonpane::AssistantReply reply = decoder.assembler().reply();
    // What was reported as deltas is exactly what was assembled.
    if (counter.bytes != decoder.assembler().content().size() + decoder.assembler().reasoningContent().size())
        __builtin_trap();
    (void)reply.toMessage().toJson();
    (void)decoder.assembler().error().summary();
    return 0;
}
