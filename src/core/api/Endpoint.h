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
    std::chrono::milliseconds idleTimeout {300'000}; // silence allowed between reads afterwards

    // base/v1/chat/completions, or base/chat/completions when base already ends in /v1.
    // A trailing '/' on the base makes no difference.
    static QUrl apiUrl(const QUrl &base, const QString &path);
    QUrl chatCompletionsUrl() const { return apiUrl(baseUrl, QStringLiteral("chat/completions")); }
    QUrl modelsUrl() const { return apiUrl(baseUrl, QStringLiteral("models")); }
};

} // namespace moonpane
