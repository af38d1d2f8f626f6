// Typed settings with their defaults in one table. The app and the CLI read the same file
// (moonpane/moonpane.ini under the XDG config directory). Secrets never go here: the API key
// lives in the keychain (SecretStore).
#pragma once

#include "api/ChatParameters.h"
#include "api/Endpoint.h"

#include <QSettings>
#include <QString>
#include <QVariant>

#include <memory>
#include <utility>

namespace moonpane {

class Settings final
{
public:
    enum class Key {
        BaseUrl,
        Model,
        ConnectTimeoutSeconds,
        IdleTimeoutSeconds,
        MaxReplyMegabytes, // content, reasoning and tool calls of one reply
        InsecureHost, // the one host plain http:// may send the key to, by the user's choice
        DefaultParameters, // ChatParameters::toJson, app-wide defaults for every conversation
        SendWithCtrlEnter, // false: Enter sends, Shift+Enter is a new line
        ShowThinking,
        Appearance, // "system", "light" or "dark"
        PriceInputPerMillion, // USD per million uncached prompt tokens
        PriceCachedInputPerMillion,
        PriceOutputPerMillion,
        ContextWindowTokens,
        ImageMaxEdge, // attached images with a longer edge are sent scaled down to it (0: never)
        MediaHistoryTurns, // how many earlier turns' media a request sends again (0: all that fit)
        Tools, // ToolSettings as JSON: definitions, commands, MCP servers, approvals
        WindowGeometry,
        WindowState,
        SplitterState,
    };

    // The environment variable that overrides the base URL for a session.
    static constexpr auto kBaseUrlVariable = "MOONPANE_BASE_URL";

    Settings(); // the user's settings file
    explicit Settings(const QString &fileName); // a given file (tests)
    ~Settings();

    QVariant value(Key key) const;
    void setValue(Key key, const QVariant &value);
    void remove(Key key); // back to the default
    bool isSet(Key key) const;
    static QVariant defaultValue(Key key);
    // The range a numeric setting is clamped to when read, whatever the file says; {0, 0} for
    // settings without one.
    static std::pair<int, int> range(Key key);
    // A numeric setting, clamped to its range.
    int number(Key key) const;
    static QString name(Key key);
    QString fileName() const;
    void sync();

    // The app-wide request defaults (the model included).
    ChatParameters defaultParameters() const;
    void setDefaultParameters(const ChatParameters &parameters);

    // MOONPANE_BASE_URL if set, else the saved base URL, else the default.
    QString effectiveBaseUrl() const;
    static bool baseUrlFromEnvironment();
    // Where requests go and how long they may wait: the effective base URL, the saved timeouts
    // and reply limit (clamped), and whether plain http to its host was allowed. The key is not
    // part of it (see Credentials).
    Endpoint endpoint() const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace moonpane
