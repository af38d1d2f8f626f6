#include "Endpoint.h"

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

} // namespace moonpane
