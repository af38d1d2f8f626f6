#include "Settings.h"

#include "api/ChatParameters.h"
#include "api/Endpoint.h"
#include "storage/PrivateFiles.h"

#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

struct Entry
{
    Settings::Key key;
    const char *name;
    QVariant defaultValue;
    int minimum = 0; // numeric settings: read values are clamped to [minimum, maximum]
    int maximum = 0;
};

const Entry &entry(Settings::Key key)
{
    using K = Settings::Key;
    static const Entry table[] = {
        {K::BaseUrl, "account/base_url", QString::fromLatin1(Endpoint::kDefaultBaseUrl)},
        {K::Model, "account/model", QString::fromLatin1(ChatParameters::kDefaultModel)},
        // 0 would fail every request, a negative value would turn the timeout off.
        {K::ConnectTimeoutSeconds, "network/connect_timeout_s", 30, 1, 600},
        {K::IdleTimeoutSeconds, "network/idle_timeout_s", 300, 5, 3600},
        {K::MaxReplyMegabytes, "network/max_reply_mb", 64, 1, 1024},
        {K::InsecureHost, "account/insecure_http_host", QString()},
        {K::DefaultParameters, "chat/default_parameters", QString()},
        {K::SendWithCtrlEnter, "chat/send_with_ctrl_enter", false},
        {K::ShowThinking, "view/show_thinking", true},
        {K::Appearance, "view/appearance", QStringLiteral("system")},
        {K::PriceInputPerMillion, "cost/input_per_million", 0.95},
        {K::PriceCachedInputPerMillion, "cost/cached_input_per_million", 0.16},
        {K::PriceOutputPerMillion, "cost/output_per_million", 4.00},
        {K::ContextWindowTokens, "chat/context_window_tokens", 262144, 1024, 10'000'000},
        {K::ImageMaxEdge, "media/image_max_edge", 2048, 0, 16384},
        {K::MediaHistoryTurns, "media/history_turns", 0, 0, 1000},
        {K::Tools, "tools/settings", QString()},
        {K::WindowGeometry, "window/geometry", QByteArray()},
        {K::WindowState, "window/state", QByteArray()},
        {K::SplitterState, "window/splitter", QByteArray()},
    };
    for (const Entry &e : table) {
        if (e.key == key)
            return e;
    }
    Q_UNREACHABLE();
}

} // namespace

Settings::Settings()
    : m_settings(
        std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, u"moonpane"_s, u"moonpane"_s))
{
}

Settings::Settings(const QString &fileName)
    : m_settings(std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{
}

Settings::~Settings() = default;

QVariant Settings::value(Key key) const
{
    const Entry &e = entry(key);
    return m_settings->value(QLatin1String(e.name), e.defaultValue);
}

void Settings::setValue(Key key, const QVariant &value)
{
    m_settings->setValue(QLatin1String(entry(key).name), value);
    if (key == Key::Tools) {
        // The tools' environments may hold tokens: the file is its owner's alone (QSettings
        // keeps the mode when it writes the file again).
        m_settings->sync();
        PrivateFiles::restrict(m_settings->fileName());
    }
}

void Settings::remove(Key key)
{
    m_settings->remove(QLatin1String(entry(key).name));
}

bool Settings::isSet(Key key) const
{
    return m_settings->contains(QLatin1String(entry(key).name));
}

QVariant Settings::defaultValue(Key key)
{
    return entry(key).defaultValue;
}

std::pair<int, int> Settings::range(Key key)
{
    const Entry &e = entry(key);
    return {e.minimum, e.maximum};
}

int Settings::number(Key key) const
{
    const Entry &e = entry(key);
    bool ok = false;
    const int read = value(key).toInt(&ok);
    const int number = ok ? read : e.defaultValue.toInt();
    return e.maximum > e.minimum ? std::clamp(number, e.minimum, e.maximum) : number;
}

QString Settings::name(Key key)
{
    return QLatin1String(entry(key).name);
}

QString Settings::fileName() const
{
    return m_settings->fileName();
}

void Settings::sync()
{
    m_settings->sync();
}

ChatParameters Settings::defaultParameters() const
{
    const QByteArray json = value(Key::DefaultParameters).toString().toUtf8();
    ChatParameters parameters =
        json.isEmpty() ? ChatParameters() : ChatParameters::fromJson(QJsonDocument::fromJson(json).object());
    const QString model = value(Key::Model).toString().trimmed();
    if (!model.isEmpty())
        parameters.model = model;
    return parameters;
}

void Settings::setDefaultParameters(const ChatParameters &parameters)
{
    setValue(Key::DefaultParameters,
             QString::fromUtf8(QJsonDocument(parameters.toJson()).toJson(QJsonDocument::Compact)));
    setValue(Key::Model, parameters.model);
}

bool Settings::baseUrlFromEnvironment()
{
    return !qEnvironmentVariableIsEmpty(kBaseUrlVariable);
}

QString Settings::effectiveBaseUrl() const
{
    if (baseUrlFromEnvironment())
        return qEnvironmentVariable(kBaseUrlVariable);
    return value(Key::BaseUrl).toString();
}

Endpoint Settings::endpoint() const
{
    Endpoint endpoint;
    endpoint.baseUrl = QUrl(effectiveBaseUrl().trimmed());
    endpoint.connectTimeout = std::chrono::seconds(number(Key::ConnectTimeoutSeconds));
    endpoint.idleTimeout = std::chrono::seconds(number(Key::IdleTimeoutSeconds));
    endpoint.maxReplyBytes = qint64(number(Key::MaxReplyMegabytes)) << 20;
    const QString allowed = value(Key::InsecureHost).toString();
    endpoint.allowInsecure =
        !allowed.isEmpty() && allowed.compare(endpoint.baseUrl.host(), Qt::CaseInsensitive) == 0;
    return endpoint;
}

} // namespace moonpane
