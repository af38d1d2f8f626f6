#include "IdGenerator.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <atomic>

namespace moonpane::IdGenerator {

namespace {
constexpr qint64 kEpochMs = 1767225600000; // 2026-01-01T00:00:00Z
constexpr int kSaltBits = 14;
constexpr int kCounterBits = 8;
} // namespace

qint64 next()
{
    static const qint64 salt = QRandomGenerator::system()->bounded(1 << kSaltBits);
    static std::atomic<qint64> last {0};
    // 41 bits of milliseconds (69 years), 14 of salt, 8 of counter: 63 bits, always positive.
    const qint64 now = std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - kEpochMs);
    qint64 previous = last.load();
    for (;;) {
        const qint64 previousMs = previous >> (kSaltBits + kCounterBits);
        const qint64 previousCounter = previous & ((1 << kCounterBits) - 1);
        qint64 ms = std::max(now, previousMs);
        qint64 counter = ms == previousMs ? previousCounter + 1 : 0;
        if (counter >= (1 << kCounterBits)) { // 256 ids in one millisecond: borrow the next one
            ++ms;
            counter = 0;
        }
        const qint64 id = (ms << (kSaltBits + kCounterBits)) | (salt << kCounterBits) | counter;
        if (last.compare_exchange_weak(previous, id))
            return id;
    }
}

} // namespace moonpane::IdGenerator
