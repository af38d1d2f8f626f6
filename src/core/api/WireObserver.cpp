#include "WireObserver.h"

namespace moonpane {

WireObserver::~WireObserver() = default;

const QByteArray &WireObserver::redactedBearer()
{
    static const QByteArray text = QByteArrayLiteral("Bearer [redacted]");
    return text;
}

} // namespace moonpane
