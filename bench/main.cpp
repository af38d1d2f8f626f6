// moonpane-bench: benchmarks that print one JSON line each. See docs/PERFORMANCE.md.
#include <QCoreApplication>
#include <QStringList>

#include <cstdio>

namespace moonpane::bench {
int runSse(const QStringList &args);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    const QString command = args.value(0);
    if (command == QLatin1String("sse"))
        return moonpane::bench::runSse(args.mid(1));
    std::fprintf(stderr, "usage: moonpane-bench sse --input FILE [--repeat N]\n");
    return 2;
}
