// Where requests go and how long to wait: the base URL, the API key and the timeouts.
#pragma once

#include <QString>
#include <QUrl>

#include <chrono>

namespace moonpane {

struct Endpoint
{
    static constexpr auto kDefaultBaseUrl = "https://www.anyfast.ai";

    QUrl baseUrl = QUrl(QLatin1String(kDefaultBaseUrl));
    QString apiKey; // sent as a bearer token; empty sends no Authorization header
    std::chrono::milliseconds connectTimeout {30'000}; // until the response headers arrive
    std::chrono::milliseconds idleTimeout {300'000}; // time allowed between two events afterwards
    // A reply's content, reasoning and tool calls together; beyond it the reply ends incomplete.
    qint64 maxReplyBytes = qint64(64) << 20;
    // Plain http:// to a host other than loopback sends the key in the clear: refused unless set.
    bool allowInsecure = false;

    // base/v1/chat/completions, or base/chat/completions when base already ends in /v1.
    // A trailing '/' on the base makes no difference.
    static QUrl apiUrl(const QUrl &base, const QString &path);
    QUrl chatCompletionsUrl() const { return apiUrl(baseUrl, QStringLiteral("chat/completions")); }
    QUrl modelsUrl() const { return apiUrl(baseUrl, QStringLiteral("models")); }
    QUrl filesUrl() const { return apiUrl(baseUrl, QStringLiteral("files")); }

    // Whether requests to `url` would carry the key unencrypted over a network: plain http to a
    // host that is not loopback (localhost, 127.0.0.0/8, ::1).
    static bool isInsecure(const QUrl &url);
    static bool isLoopback(const QString &host);
    bool isInsecure() const { return isInsecure(baseUrl); }
};

} // namespace moonpane
