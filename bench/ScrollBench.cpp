// moonpane-bench scroll --messages N [--media] [--pages P] [--frame-ms F] [--snapshot FILE]
//                       [--size WxH] [--dark]
//
// Scrolls the main window's conversation view (offscreen) through a stored conversation of N
// messages, read back from a temporary database as the app finds it at launch: from the end to
// the beginning, one page every F ms (16: a 60 Hz display), P pages at most (default: all).
// With --media every user message carries an image (one of 40 different PNGs of about 190 KB
// each, kept in the store's attachments folder).
//
// A frame is one page of scrolling and its paint, timed on the UI thread. While it scrolls the
// UI thread is watched for disk work: SQL statements it starts (SQLite's own trace of every
// statement, on every connection Moonpane opens) and files it opens (open, openat, fopen and
// their 64-bit forms, interposed in this process). Text the reader thread brings arrives
// between frames; what waits for it paints as a placeholder (`placeholder_frames` counts the
// frames with one in view; `max_stall_ms` is the longest the event loop went without turning).
// With --snapshot, the window as painted in the frame that showed the most placeholders is saved
// as a PNG, to look at what scrolling shows while text is on its way (grabbing it costs frame
// time: figures are for runs without it); --size sets the window's size (default 1200x850) and
// --dark the dark colour scheme, to look at it both ways. Prints one JSON line:
// {"frames","median_frame_ms","p99_frame_ms","max_frame_ms","max_stall_ms","placeholder_frames",
//  "ui_thread_queries","ui_thread_file_opens","peak_rss_mb"}.
#include "Appearance.h"
#include "BenchCommon.h"
#include "ConversationView.h"
#include "FileOpenCounter.h"
#include "MainWindow.h"
#include "MessageLayout.h"
#include "Synthetic.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"

#include <QApplication>
#include <QBuffer>
#include <QElapsedTimer>
#include <QImage>
#include <QPixmap>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

// PNGs of noise (which PNG cannot shrink), as data URIs.
QList<QByteArray> noiseImages(int count)
{
    QList<QByteArray> uris;
    QRandomGenerator random(11);
    for (int i = 0; i < count; ++i) {
        QImage image(256, 256, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y) {
            auto *line = reinterpret_cast<quint32 *>(image.scanLine(y));
            for (int x = 0; x < image.width(); ++x)
                line[x] = random.generate();
        }
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        uris.append("data:image/png;base64," + buffer.data().toBase64());
    }
    return uris;
}

qint64 fillStore(const QString &path, int messages, bool media)
{
    ConversationStore store;
    QString error;
    if (!store.open(path, &error, false)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 0;
    }
    const std::unique_ptr<Conversation> source = syntheticConversation(messages);
    const QList<QByteArray> images = media ? noiseImages(40) : QList<QByteArray>();
    Conversation *target = store.create();
    target->title = u"Scrolling"_s;
    store.metaChanged(target);
    qint64 parent = 0;
    int n = 0;
    for (qint64 id : source->path()) {
        Message m = *source->message(id);
        m.id = 0;
        m.parentId = parent;
        if (media && m.role == Role::User)
            m.parts = {ContentPart::fromImageUrl(images.at(n++ % images.size()))};
        parent = target->add(m);
    }
    const qint64 id = target->id;
    store.create()->title = u"Recent"_s; // the window opens the newest first: a short one
    store.flush();
    return id;
}

// Whether a row in view is a placeholder (its text not here yet).
// How many pixels of the viewport show placeholders (0: none).
int placeholderPixels(const ConversationView *view)
{
    const QRect viewport = view->viewport()->rect();
    const int top = view->indexAt(QPoint(10, 0)).row();
    const int bottom = view->indexAt(QPoint(10, viewport.height() - 1)).row();
    int pixels = 0;
    for (int row = std::max(0, top); row <= bottom; ++row) {
        const MessageLayout *layout = view->layoutAt(row);
        if (layout && layout->isPlaceholder())
            pixels += std::max(1, view->rowRect(row).intersected(viewport).height());
    }
    return pixels;
}

} // namespace

int runScroll(const QStringList &args)
{
    const int messages = option(args, u"--messages"_s, u"10000"_s).toInt();
    const bool media = args.contains(u"--media"_s);
    const int maxPages = option(args, u"--pages"_s, u"1000000"_s).toInt();
    const int frameMs = option(args, u"--frame-ms"_s, u"16"_s).toInt();
    const QString snapshot = option(args, u"--snapshot"_s);
    const QStringList size = option(args, u"--size"_s, u"1200x850"_s).split(u'x');
    const int width = size.value(0).toInt();
    const int height = size.value(1).toInt();
    if (messages < 2 || maxPages < 1 || frameMs < 0 || size.size() != 2 || width < 200 || height < 200) {
        std::fprintf(stderr,
                     "usage: moonpane-bench scroll --messages N [--media] [--pages P] [--frame-ms F] "
                     "[--snapshot FILE] [--size WxH] [--dark]\n");
        return 2;
    }
    if (args.contains(u"--dark"_s))
        Appearance::apply(Appearance::Scheme::Dark);
    qputenv("MOONPANE_API_KEY", "fake-benchmark"); // no first-run page, no keychain wait
    QTemporaryDir dir;
    const QString path = dir.filePath(u"moonpane.db"_s);
    const qint64 big = fillStore(path, messages, media);
    if (big == 0)
        return 1;

    ConversationStore store;
    QString error;
    if (!store.open(path, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    MainWindow window(&store);
    window.resize(width, height);
    window.show();
    QApplication::processEvents();
    window.selectConversation(big);
    ConversationView *view = window.view();
    runUntil([view] { return view->isLayoutSettled(); }, 30'000);
    StallWatch stalls; // the event loop's longest wait while it scrolls

    std::vector<double> frames;
    int placeholderFrames = 0;
    const quint64 statementsBefore = Database::statementsOnThisThread();
    QScrollBar *bar = view->verticalScrollBar();
    QTimer pager;
    pager.setTimerType(Qt::PreciseTimer);
    pager.setInterval(frameMs);
    bool done = false;
    int snapshotPixels = 0; // of placeholders in the picture kept for --snapshot
    QPixmap picture;
    QObject::connect(&pager, &QTimer::timeout, [&] {
        if (bar->value() <= bar->minimum() || static_cast<int>(frames.size()) >= maxPages) {
            done = true;
            return;
        }
        QElapsedTimer frame;
        frame.start();
        bar->setValue(bar->value() - view->viewport()->height());
        view->viewport()->repaint();
        frames.push_back(static_cast<double>(frame.nsecsElapsed()) / 1e6);
        if (const int pixels = placeholderPixels(view); pixels > 0) {
            if (!snapshot.isEmpty() && pixels > snapshotPixels) {
                snapshotPixels = pixels;
                picture = window.grab(); // saved at the end (a file of the benchmark's own)
            }
            ++placeholderFrames;
        }
    });
    test::FileOpenCounter::start();
    stalls.start();
    pager.start();
    while (!done)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    pager.stop();
    stalls.stop();
    test::FileOpenCounter::stop();
    const quint64 queries = Database::statementsOnThisThread() - statementsBefore;
    const quint64 opens = test::FileOpenCounter::count();
    if (!picture.isNull())
        picture.save(snapshot);
    for (const QString &opened : test::FileOpenCounter::paths())
        std::fprintf(stderr, "opened on the UI thread: %s\n", qPrintable(opened));

    printJson({
        {u"bench"_s, u"scroll"_s},
        {u"messages"_s, messages},
        {u"media"_s, media},
        {u"frames"_s, static_cast<int>(frames.size())},
        {u"median_frame_ms"_s, percentile(frames, 0.5)},
        {u"p99_frame_ms"_s, percentile(frames, 0.99)},
        {u"max_frame_ms"_s, percentile(frames, 1.0)},
        {u"max_stall_ms"_s, stalls.maxStallMs()},
        {u"placeholder_frames"_s, placeholderFrames},
        {u"ui_thread_queries"_s, static_cast<qint64>(queries)},
        {u"ui_thread_file_opens"_s, static_cast<qint64>(opens)},
        {u"peak_rss_mb"_s, peakRssMb()},
    });
    return queries == 0 && opens == 0 ? 0 : 1;
}

} // namespace moonpane::bench
