// moonpane-bench: benchmarks that print one JSON line each. See docs/PERFORMANCE.md.
#include <QApplication>
#include <QStringList>

#include <cstdio>
#include <memory>

namespace moonpane::bench {
int runSse(const QStringList &args);
int runRenderStream(const QStringList &args);
int runOpenConversation(const QStringList &args);
int runIdle(const QStringList &args);
int runStore(const QStringList &args);
int runScroll(const QStringList &args);
int runEncode(const QStringList &args);
int runAttach(const QStringList &args);
int runToolRound(const QStringList &args);
} // namespace moonpane::bench

int main(int argc, char **argv)
{
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    const bool widgets = command != QLatin1String("sse") && command != QLatin1String("encode")
        && command != QLatin1String("tool-round");
    if (widgets && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // headless unless told otherwise
    std::unique_ptr<QCoreApplication> app(widgets ? new QApplication(argc, argv)
                                                  : new QCoreApplication(argc, argv));
    QCoreApplication::setOrganizationName(QStringLiteral("moonpane-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("moonpane-bench"));
    const QStringList args = QCoreApplication::arguments().mid(2);
    if (command == QLatin1String("sse"))
        return moonpane::bench::runSse(args);
    if (command == QLatin1String("render-stream"))
        return moonpane::bench::runRenderStream(args);
    if (command == QLatin1String("open-conversation"))
        return moonpane::bench::runOpenConversation(args);
    if (command == QLatin1String("idle"))
        return moonpane::bench::runIdle(args);
    if (command == QLatin1String("store"))
        return moonpane::bench::runStore(args);
    if (command == QLatin1String("scroll"))
        return moonpane::bench::runScroll(args);
    if (command == QLatin1String("encode"))
        return moonpane::bench::runEncode(args);
    if (command == QLatin1String("attach"))
        return moonpane::bench::runAttach(args);
    if (command == QLatin1String("tool-round"))
        return moonpane::bench::runToolRound(args);
    std::fprintf(
        stderr,
        "usage: moonpane-bench sse --input FILE [--repeat N]\n"
        "       moonpane-bench render-stream --reply-kb N [--inspector]\n"
        "       moonpane-bench open-conversation --messages N\n"
        "       moonpane-bench idle [--seconds S]\n"
        "       moonpane-bench store --messages N [--search-messages M] [--rounds R]\n"
        "       moonpane-bench scroll --messages N [--media] [--pages P] [--frame-ms F] [--snapshot FILE]\n"
        "                             [--size WxH] [--dark]\n"
        "       moonpane-bench encode --input FILE\n"
        "       moonpane-bench attach --input FILE\n"
        "       moonpane-bench tool-round [--rounds N] [--quickack]\n");
    return 2;
}
