// moonpane-bench open-conversation --messages N [--reply-shape S --reply-kb K]
//
// Opens a conversation of N messages (about 500 characters each) in the main window, offscreen,
// and times it from selecting the conversation to the end of the conversation view's first
// paint. With --reply-shape, the conversation ends in a reply of K KB of that shape (see
// shapedReply: a long table, a line without spaces, ...), as the app finds the newest
// conversation at launch; after the first paint the event loop is watched until the view has
// laid out everything in view: the longest the loop went without turning (`max_stall_ms`,
// what a frame waits at worst) and when it settled. Prints one JSON line:
// {"messages","first_paint_ms","max_stall_ms","settled_ms","peak_rss_mb"}.
#include "BenchCommon.h"
#include "ConversationView.h"
#include "MainWindow.h"
#include "Synthetic.h"
#include "conversation/Conversation.h"
#include "conversation/ConversationLibrary.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QJsonObject>
#include <QTimer>

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

} // namespace

int runOpenConversation(const QStringList &args)
{
    const int messages = option(args, u"--messages"_s, u"10000"_s).toInt();
    const QString shape = option(args, u"--reply-shape"_s);
    const int replyKb = option(args, u"--reply-kb"_s, u"256"_s).toInt();
    const QString reply = shape.isEmpty() ? QString() : shapedReply(shape, qsizetype(replyKb) * 1024);
    if (messages < 1 || (!shape.isEmpty() && (reply.isEmpty() || replyKb < 1))) {
        std::fprintf(stderr,
                     "usage: moonpane-bench open-conversation --messages N [--reply-shape %s --reply-kb K]\n",
                     qPrintable(replyShapes().join(u'|')));
        return 2;
    }
    qputenv("MOONPANE_API_KEY", "fake-benchmark"); // no first-run page, no keychain wait
    PreloadedLibrary library;
    const qint64 small = library.create()->id;
    std::unique_ptr<Conversation> conversation = syntheticConversation(messages);
    if (!reply.isEmpty()) {
        Message question;
        question.content = u"Show me everything."_s;
        question.parentId = conversation->leaf();
        Message answer;
        answer.role = Role::Assistant;
        answer.content = reply;
        answer.parentId = conversation->add(question);
        answer.finishReason = u"stop"_s;
        conversation->add(answer);
    }
    const qint64 big = library.add(std::move(conversation))->id;
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

    // Then until what is in view is laid out: how long the event loop went without turning.
    StallWatch stalls;
    stalls.start();
    QElapsedTimer settling;
    settling.start();
    runUntil([&] { return window.view()->isLayoutSettled(); }, 60'000);
    stalls.stop();
    const bool settled = window.view()->isLayoutSettled();
    QJsonObject result {
        {u"bench"_s, u"open-conversation"_s},
        {u"messages"_s, messages},
        {u"first_paint_ms"_s, ms},
        {u"max_stall_ms"_s, stalls.maxStallMs()},
        {u"settled_ms"_s,
         settled ? QJsonValue(ms + static_cast<double>(settling.nsecsElapsed()) / 1e6) : QJsonValue()},
        {u"rows_laid_out"_s, window.view()->laidOutRows()},
        {u"peak_rss_mb"_s, peakRssMb()},
    };
    if (!shape.isEmpty()) {
        result.insert(u"reply_shape"_s, shape);
        result.insert(u"reply_kb"_s, replyKb);
    }
    printJson(result);
    return settled ? 0 : 1;
}

} // namespace moonpane::bench
