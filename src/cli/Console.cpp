#include "Console.h"

#include <cstdio>

namespace moonpane::cli::Console {

namespace {
void write(std::FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stream);
    std::fflush(stream);
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

} // namespace moonpane::cli::Console
