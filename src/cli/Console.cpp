#include "Console.h"

#include <QJsonDocument>

#include <cstdio>

namespace moonpane::cli::Console {

namespace {
void write(std::FILE *stream, const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stream);
    std::fflush(stream);
}

void write(std::FILE *stream, const QString &text)
{
    write(stream, text.toUtf8());
}
} // namespace

void out(const QString &text)
{
    write(stdout, text);
}

void err(const QString &text)
{
    write(stderr, text);
}

void error(const QString &line)
{
    write(stderr, line + u'\n');
}

void jsonLine(const QJsonObject &object)
{
    write(stdout, QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
}

} // namespace moonpane::cli::Console
