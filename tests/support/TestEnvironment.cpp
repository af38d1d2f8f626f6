#include "TestEnvironment.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace moonpane::test {

namespace {
const char *const kDirectories[][2] = {
    {"XDG_CONFIG_HOME", "config"},
    {"XDG_DATA_HOME", "data"},
    {"XDG_CACHE_HOME", "cache"},
};
} // namespace

TestEnvironment::TestEnvironment()
{
    for (const auto &[variable, name] : kDirectories) {
        const QString dir = m_dir.filePath(QLatin1String(name));
        QDir().mkpath(dir);
        qputenv(variable, dir.toLocal8Bit());
    }
    qunsetenv("MOONPANE_API_KEY");
    qunsetenv("MOONPANE_BASE_URL");
}

QProcessEnvironment TestEnvironment::processEnvironment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const auto &[variable, name] : kDirectories)
        environment.insert(QLatin1String(variable), m_dir.filePath(QLatin1String(name)));
    environment.remove(u"MOONPANE_API_KEY"_s);
    environment.remove(u"MOONPANE_BASE_URL"_s);
    environment.remove(u"http_proxy"_s);
    environment.remove(u"https_proxy"_s);
    environment.remove(u"HTTP_PROXY"_s);
    environment.remove(u"HTTPS_PROXY"_s);
    return environment;
}

QString TestEnvironment::writeFile(const QString &name, const QByteArray &bytes) const
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace moonpane::test
