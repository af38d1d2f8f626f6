#include "Endpoint.h"

#include <QHostAddress>

namespace moonpane {

QUrl Endpoint::apiUrl(const QUrl &base, const QString &path)
{
    QUrl url = base;
    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    if (!basePath.endsWith(QLatin1String("/v1")))
        basePath += QLatin1String("/v1");
    url.setPath(basePath + u'/' + path);
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

bool Endpoint::isLoopback(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
        || host.endsWith(QLatin1String(".localhost"), Qt::CaseInsensitive))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool Endpoint::isInsecure(const QUrl &url)
{
    return url.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) == 0 && !isLoopback(url.host());
}

} // namespace moonpane
