// Runs the real moonpane-cli executable for tests, waiting in the event loop (never in a blocking
// call), so a FakeServer in the test's thread keeps answering meanwhile.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace moonpane::test {

struct CliResult
{
    int exitCode = -1; // -1: it crashed or was killed
    QByteArray out;
    QByteArray err;
    QJsonObject json() const; // standard output as one JSON object
    QList<QJsonObject> jsonLines() const; // standard output as JSON Lines
};

QString cliPath();
CliResult runCli(const QProcessEnvironment &environment, const QStringList &arguments,
                 const QByteArray &input = {});

} // namespace moonpane::test
