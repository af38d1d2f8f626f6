// moonpane-bench open-conversation --messages N
//
// Opens a conversation of N messages (about 500 characters each) in the main window, offscreen,
// and times it from selecting the conversation to the end of the conversation view's first
// paint. Prints one JSON line: {"messages","first_paint_ms","peak_rss_mb"}.
#include "BenchCommon.h"
#include "ConversationView.h"
#include "MainWindow.h"
#include "Synthetic.h"
#include "conversation/ConversationLibrary.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

// A library preloaded with given conversations (what a database would hand over).
class PreloadedLibrary final : public ConversationLibrary
{
public:
    Conversation *add(std::unique_ptr<Conversation> conversation) { return adopt(std::move(conversation)); }
};

// Notes when the watched widget has finished painting.
class PaintWatcher final : public QObject
{
public:
    bool painted = false;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint) {
            const bool result = QObject::eventFilter(watched, event);
            static_cast<QWidget *>(watched)->removeEventFilter(this);
            // The paint itself runs after filters; mark after it by deferring to the next event.
            QMetaObject::invokeMethod(
                this, [this] { painted = true; }, Qt::QueuedConnection);
            return result;
        }
        return false;
    }
};

} // namespace

int runOpenConversation(const QStringList &args)
{
    const int messages = option(args, u"--messages"_s, u"10000"_s).toInt();
    if (messages < 1) {
        std::fprintf(stderr, "usage: moonpane-bench open-conversation --messages N\n");
        return 2;
    }
    qputenv("MOONPANE_API_KEY", "fake-benchmark"); // no first-run page, no keychain wait
    PreloadedLibrary library;
    const qint64 small = library.create()->id;
    const qint64 big = library.add(syntheticConversation(messages))->id;
    MainWindow window(&library);
    window.resize(1200, 850);
    window.selectConversation(small);
    window.show();
    QApplication::processEvents();

    PaintWatcher watcher;
    QElapsedTimer timer;
    timer.start();
    window.view()->viewport()->installEventFilter(&watcher);
    window.selectConversation(big);
    while (!watcher.painted)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    printJson(QJsonObject {
        {u"bench"_s, u"open-conversation"_s},
        {u"messages"_s, messages},
        {u"first_paint_ms"_s, ms},
        {u"rows_laid_out"_s, window.view()->laidOutRows()},
        {u"peak_rss_mb"_s, peakRssMb()},
    });
    return 0;
}

} // namespace moonpane::bench
