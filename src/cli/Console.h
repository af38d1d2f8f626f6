// Writing to standard output and standard error as UTF-8, flushed, so a reply streams visibly
// even through a pipe.
#pragma once

#include <QJsonObject>
#include <QString>

namespace moonpane::cli::Console {

void out(const QString &text); // to standard output, as is
void err(const QString &text); // to standard error, as is
void error(const QString &line); // one line to standard error; a newline is added
void jsonLine(const QJsonObject &object); // one compact JSON object and a newline to standard output

} // namespace moonpane::cli::Console
