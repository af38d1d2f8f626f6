// moonpane-bench idle [--seconds S]
//
// Opens the main window on a finished conversation kept in a conversation database (a temporary
// file, followed for changes as the app does) with the composer focused, leaves it alone
// until it is at rest (the caret stops blinking 10 s after the last input, as on GNOME), then
// watches it for S seconds (default 10): CPU time used, paint events and timer events in the
// whole app. Prints one JSON line: {"seconds","cpu_percent","paints","timer_events"}. At rest all
// should be zero; exits 1 otherwise.
#include "BenchCommon.h"
#include "ComposerEdit.h"
#include "MainWindow.h"
#include "Synthetic.h"
#include "storage/ConversationStore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

class EventCounter final : public QObject
{
public:
    bool counting = false;
    int paints = 0;
    int timers = 0;
    QObject *clock = nullptr; // the benchmark's own timer is not counted
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (counting) {
            if (event->type() == QEvent::Paint)
                ++paints;
            else if (event->type() == QEvent::Timer && watched != clock)
                ++timers;
        }
        return false;
    }
};

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

int runIdle(const QStringList &args)
{
    const int seconds = option(args, u"--seconds"_s, u"10"_s).toInt();
    qputenv("MOONPANE_API_KEY", "fake-benchmark");
    QTemporaryDir dir;
    ConversationStore library;
    QString error;
    if (!library.open(dir.filePath(u"moonpane.db"_s), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    Conversation *conversation = library.create();
    const std::unique_ptr<Conversation> source = syntheticConversation(40);
    qint64 parent = 0;
    for (qint64 messageId : source->path()) {
        Message m = *source->message(messageId);
        m.id = 0;
        m.parentId = parent;
        parent = conversation->add(m);
    }
    library.flush();
    const qint64 id = conversation->id;
    MainWindow window(&library);
    window.resize(1200, 850);
    window.selectConversation(id);
    window.show();
    window.activateWindow();

    EventCounter counter;
    qApp->installEventFilter(&counter);
    QEventLoop loop;
    QTimer settle;
    counter.clock = &settle;
    settle.setSingleShot(true);
    QObject::connect(&settle, &QTimer::timeout, &loop, &QEventLoop::quit);
    settle.start((ComposerEdit::kBlinkSeconds + 1) * 1000); // first paints, layout, the caret comes to rest
    loop.exec();

    counter.counting = true;
    const double cpuBefore = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    settle.start(seconds * 1000);
    loop.exec();
    counter.counting = false;
    const double cpu = cpuSeconds() - cpuBefore;
    const double elapsed = static_cast<double>(wall.elapsed()) / 1000.0;
    printJson(QJsonObject {
        {u"bench"_s, u"idle"_s},
        {u"seconds"_s, elapsed},
        {u"cpu_percent"_s, 100.0 * cpu / elapsed},
        {u"paints"_s, counter.paints},
        {u"timer_events"_s, counter.timers},
        {u"settled_seconds"_s, ComposerEdit::kBlinkSeconds + 1},
    });
    return counter.paints == 0 && counter.timers == 0 ? 0 : 1;
}

} // namespace moonpane::bench
