#include "Base64.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace moonpane::Base64 {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Two output characters for every 12-bit group, in memory order.
constexpr std::array<std::uint16_t, 4096> makePairs()
{
    std::array<std::uint16_t, 4096> pairs {};
    for (int i = 0; i < 4096; ++i)
        pairs[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(
            static_cast<std::uint8_t>(kAlphabet[i >> 6]) | static_cast<std::uint8_t>(kAlphabet[i & 63]) << 8);
    return pairs;
}

constexpr std::array<std::uint16_t, 4096> kPairs = makePairs();

} // namespace

qint64 encode(const char *in, qint64 size, char *out)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(in);
    char *o = out;
    qint64 i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v =
            std::uint32_t(bytes[i]) << 16 | std::uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
        const std::uint16_t high = kPairs[v >> 12];
        const std::uint16_t low = kPairs[v & 4095];
        std::memcpy(o, &high, 2);
        std::memcpy(o + 2, &low, 2);
        o += 4;
    }
    const qint64 rest = size - i;
    if (rest > 0) {
        const std::uint32_t v =
            std::uint32_t(bytes[i]) << 16 | (rest > 1 ? std::uint32_t(bytes[i + 1]) << 8 : 0);
        o[0] = kAlphabet[v >> 18];
        o[1] = kAlphabet[(v >> 12) & 63];
        o[2] = rest > 1 ? kAlphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    return o - out;
}

} // namespace moonpane::Base64
