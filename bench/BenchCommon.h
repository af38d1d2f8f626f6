// Helpers shared by the moonpane-bench commands: JSON output, peak RSS, argument reading.
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <vector>

namespace moonpane::bench {

double peakRssMb();
// Prints one compact JSON line on stdout.
void printJson(const QJsonObject &object);
// The value after `--name` in args, or `fallback`.
QString option(const QStringList &args, const QString &name, const QString &fallback = {});
// The value at fraction `p` (0.5: the median, 1: the largest) of `values`.
double percentile(std::vector<double> values, double p);

// Notes when the widget it watches has finished its next paint (install it, then wait for
// `painted`).
class PaintWatcher final : public QObject
{
public:
    bool painted = false;
    bool eventFilter(QObject *watched, QEvent *event) override;
};

// The longest the event loop went without turning, from a 1 ms ticker, between start() and
// maxStallMs().
class StallWatch final
{
public:
    StallWatch();
    void start();
    void stop();
    double maxStallMs() const;

private:
    QTimer m_ticker;
    QElapsedTimer m_sinceTick;
    qint64 m_maxNs = 0;
};

// Turns the event loop until `done` says so or `giveUpMs` have passed; returns `done()`.
bool runUntil(const std::function<bool()> &done, qint64 giveUpMs);

} // namespace moonpane::bench
