#include "Usage.h"

namespace moonpane {

Usage Usage::fromJson(const QJsonObject &object)
{
    Usage usage;
    usage.raw = object;
    usage.promptTokens = object.value(QLatin1String("prompt_tokens")).toInteger();
    usage.completionTokens = object.value(QLatin1String("completion_tokens")).toInteger();
    usage.totalTokens =
        object.value(QLatin1String("total_tokens")).toInteger(usage.promptTokens + usage.completionTokens);
    const QJsonValue topCached = object.value(QLatin1String("cached_tokens"));
    const QJsonValue detailCached =
        object.value(QLatin1String("prompt_tokens_details")).toObject().value(QLatin1String("cached_tokens"));
    if (topCached.isDouble())
        usage.cachedTokens = topCached.toInteger();
    else if (detailCached.isDouble())
        usage.cachedTokens = detailCached.toInteger();
    const QJsonValue reasoning = object.value(QLatin1String("completion_tokens_details"))
                                     .toObject()
                                     .value(QLatin1String("reasoning_tokens"));
    if (reasoning.isDouble())
        usage.reasoningTokens = reasoning.toInteger();
    return usage;
}

} // namespace moonpane
