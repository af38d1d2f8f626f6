// Token usage of one reply, as the server reported it. Kimi puts it inside choices[0] of the last
// chunk, OpenAI-style servers at the top level, some servers in both: the caller keeps the last
// one it saw and never adds them up.
#pragma once

#include <QJsonObject>

#include <optional>

namespace moonpane {

struct Usage
{
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 totalTokens = 0;
    // Moonshot's top-level `cached_tokens`, else `prompt_tokens_details.cached_tokens`.
    std::optional<qint64> cachedTokens;
    // `completion_tokens_details.reasoning_tokens` (gateways add it).
    std::optional<qint64> reasoningTokens;
    QJsonObject raw; // the object as received, for exports and --output json

    static Usage fromJson(const QJsonObject &object);
    QJsonObject toJson() const { return raw; }
    friend bool operator==(const Usage &a, const Usage &b) { return a.raw == b.raw; }
};

} // namespace moonpane
