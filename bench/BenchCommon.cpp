#include "BenchCommon.h"

#include <QCoreApplication>
#include <QEvent>
#include <QJsonDocument>
#include <QWidget>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace moonpane::bench {

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

void printJson(const QJsonObject &object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QString option(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1) : fallback;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t at =
        std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
    return values[at];
}

bool PaintWatcher::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Paint) {
        static_cast<QWidget *>(watched)->removeEventFilter(this);
        // The paint itself runs after filters; mark after it by deferring to the next event.
        QMetaObject::invokeMethod(
            this, [this] { painted = true; }, Qt::QueuedConnection);
    }
    return false;
}

StallWatch::StallWatch()
{
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(1);
    QObject::connect(&m_ticker, &QTimer::timeout, [this] {
        m_maxNs = std::max(m_maxNs, m_sinceTick.nsecsElapsed());
        m_sinceTick.restart();
    });
}

void StallWatch::start()
{
    m_maxNs = 0;
    m_sinceTick.start();
    m_ticker.start();
}

void StallWatch::stop()
{
    if (!m_ticker.isActive())
        return;
    m_ticker.stop();
    m_maxNs = std::max(m_maxNs, m_sinceTick.nsecsElapsed()); // the wait since the last tick
}

double StallWatch::maxStallMs() const
{
    return static_cast<double>(m_maxNs) / 1e6;
}

bool runUntil(const std::function<bool()> &done, qint64 giveUpMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < giveUpMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return done();
}

} // namespace moonpane::bench
