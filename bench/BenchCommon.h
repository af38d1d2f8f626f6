// Helpers shared by the moonpane-bench commands: JSON output, peak RSS, argument reading.
#pragma once

#include <QJsonObject>
#include <QStringList>

namespace moonpane::bench {

double peakRssMb();
// Prints one compact JSON line on stdout.
void printJson(const QJsonObject &object);
// The value after `--name` in args, or `fallback`.
QString option(const QStringList &args, const QString &name, const QString &fallback = {});

} // namespace moonpane::bench
