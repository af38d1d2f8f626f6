// moonpane-bench render-stream --reply-kb N [--shape S] [--width W] [--height H] [--store]
//                              [--inspector]
//
// Streams a reply of N KB, in deltas of about five words, into the real ConversationModel,
// ConversationView and MessageLayout (offscreen), and times each delta on the main thread: the
// model update, the layout, and the paint of the viewport, forced after every delta (the app
// would merge deltas that arrive within one frame). The view paints what changed, as it does in
// the app. One 4 KB reply first loads the fonts (CJK and emoji fallbacks cost milliseconds once
// per run); small replies are repeated, each in a fresh conversation, until 1,000 deltas are
// timed. With --store the conversations live in a ConversationStore on a temporary file, as in
// the app, so the reply is also saved while it streams (on the writer thread; what the main
// thread pays is handing the text over). --shape streams one of the shapes of shapedReply instead
// of the mixed reply: a long table, a line without spaces, a paragraph without a blank line.
// With --inspector the Inspector's Wire tab is open beside the view, following the
// conversation's WireRecorder, and each delta also arrives as the two lines ChatCall hands the
// recorder (its "data: {...}" line and the blank line after it): the timed span then includes
// recording them, the tab's new rows and its paint.
// Prints one JSON line:
// {"reply_kb","deltas","median_us","p99_us",...}.
#include "BenchCommon.h"
#include "ConversationView.h"
#include "Synthetic.h"
#include "WireInspector.h"
#include "api/WireRecorder.h"
#include "conversation/ConversationModel.h"
#include "storage/ConversationStore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPaintEvent>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

// Counts the paints of the view and the area they cover.
class PaintCounter final : public QObject
{
public:
    qint64 paints = 0;
    qint64 pixels = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint) {
            ++paints;
            for (const QRect &rect : static_cast<QPaintEvent *>(event)->region())
                pixels += qint64(rect.width()) * rect.height();
        }
        return false;
    }
};

double percentile(std::vector<qint64> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<size_t>(std::min<double>(
        static_cast<double>(values.size() - 1), p * static_cast<double>(values.size() - 1) + 0.5));
    return static_cast<double>(values[index]) / 1000.0;
}
} // namespace

int runRenderStream(const QStringList &args)
{
    const int kb = option(args, u"--reply-kb"_s, u"32"_s).toInt();
    const int width = option(args, u"--width"_s, u"1000"_s).toInt();
    const int height = option(args, u"--height"_s, u"800"_s).toInt();
    const bool stored = args.contains(u"--store"_s);
    const bool inspector = args.contains(u"--inspector"_s);
    const QString shape = option(args, u"--shape"_s, u"mixed"_s);
    const QString replyText = shapedReply(shape, qsizetype(kb) * 1024);
    if (kb < 1 || replyText.isEmpty()) {
        std::fprintf(stderr,
                     "usage: moonpane-bench render-stream --reply-kb N [--shape %s] [--width W] [--height H] "
                     "[--store] [--inspector]\n",
                     qPrintable(replyShapes().join(u'|')));
        return 2;
    }
    const QStringList deltas = intoDeltas(replyText);
    // Each delta as the stream line that carries it.
    const auto linesOf = [](const QStringList &pieces) {
        QList<QByteArray> lines;
        for (const QString &piece : pieces) {
            const QJsonObject delta {{u"content"_s, piece}};
            const QJsonObject chunk {
                {u"choices"_s, QJsonArray {QJsonObject {{u"index"_s, 0}, {u"delta"_s, delta}}}}};
            lines.append("data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact));
        }
        return lines;
    };

    QTemporaryDir dir;
    ConversationStore store;
    QString error;
    if (stored && !store.open(dir.filePath(u"moonpane.db"_s), &error, false)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    ConversationView view;
    ConversationModel model;
    view.setModel(&model);
    view.resize(width, height);
    view.show();
    WireRecorder recorder;
    WireInspector wire;
    if (inspector) {
        wire.setRecorder(&recorder);
        wire.resize(520, height);
        wire.show();
    }
    QApplication::processEvents();
    PaintCounter counter;

    // Streams `text` as a new reply in a fresh conversation; records the cost of each delta.
    const auto streamReply = [&](const QStringList &pieces, std::vector<qint64> *costs) {
        Conversation local;
        Conversation *conversation = stored ? store.create() : &local;
        model.setConversation(conversation);
        Message question;
        question.content = u"Write a long answer with tables and code."_s;
        const qint64 questionId = conversation->add(question);
        Message reply;
        reply.role = Role::Assistant;
        reply.parentId = questionId;
        reply.state = MessageState::Streaming;
        const qint64 replyId = conversation->add(reply);
        const QList<QByteArray> lines = inspector ? linesOf(pieces) : QList<QByteArray>();
        if (inspector) {
            WireObserver::Request request;
            request.method = "POST";
            request.url = QUrl(u"https://api.example/v1/chat/completions"_s);
            request.body = RequestBody(R"({"model":"kimi-k2.6","stream":true})");
            recorder.requestSent(request);
            recorder.responseStarted(200, "OK", {{"Content-Type", "text/event-stream"}});
        }
        view.viewport()->repaint();
        QElapsedTimer timer;
        for (qsizetype i = 0; i < pieces.size(); ++i) {
            const QString &delta = pieces.at(i);
            timer.start();
            if (inspector) {
                const QByteArray &line = lines.at(i);
                recorder.lineReceived(std::string_view(line.constData(), std::size_t(line.size())));
                recorder.lineReceived(std::string_view());
            }
            conversation->appendContent(replyId, delta);
            view.flushPendingLayout(); // what the next event loop turn does
            QApplication::processEvents(); // delivers the update request: the paint
            if (costs)
                costs->push_back(timer.nsecsElapsed());
        }
        conversation->update(replyId, MessageField::State,
                             [](Message &m) { m.state = MessageState::Complete; });
        if (inspector) {
            WireObserver::End end;
            end.outcome = u"Complete"_s;
            end.streamed = true;
            recorder.ended(end);
        }
        model.setConversation(nullptr);
    };
    streamReply(intoDeltas(syntheticReply(4 * 1024, 99)), nullptr);

    view.viewport()->installEventFilter(&counter);
    std::vector<qint64> costs;
    int replies = 0;
    do {
        streamReply(deltas, &costs);
        ++replies;
    } while (costs.size() < 1000);

    // How the cost evolves through the reply: the median of the first and of the last tenth.
    const size_t tenth = std::max<size_t>(1, costs.size() / 10);
    const std::vector<qint64> first(costs.begin(), costs.begin() + static_cast<std::ptrdiff_t>(tenth));
    const std::vector<qint64> last(costs.end() - static_cast<std::ptrdiff_t>(tenth), costs.end());
    qint64 total = 0;
    for (qint64 c : costs)
        total += c;
    printJson(QJsonObject {
        {u"bench"_s, u"render-stream"_s},
        {u"reply_kb"_s, kb},
        {u"shape"_s, shape},
        {u"stored"_s, stored},
        {u"inspector"_s, inspector},
        {u"deltas"_s, static_cast<qint64>(costs.size())},
        {u"replies"_s, replies},
        {u"warmup_kb"_s, 4},
        {u"median_us"_s, percentile(costs, 0.5)},
        {u"p99_us"_s, percentile(costs, 0.99)},
        {u"max_us"_s, percentile(costs, 1.0)},
        {u"mean_us"_s, static_cast<double>(total) / 1000.0 / static_cast<double>(costs.size())},
        {u"first_tenth_median_us"_s, percentile(first, 0.5)},
        {u"last_tenth_median_us"_s, percentile(last, 0.5)},
        {u"paints"_s, counter.paints},
        {u"painted_pixels_per_delta"_s,
         static_cast<double>(counter.pixels) / static_cast<double>(costs.size())},
        {u"viewport_pixels"_s, qint64(view.viewport()->width()) * view.viewport()->height()},
        {u"peak_rss_mb"_s, peakRssMb()},
    });
    return 0;
}

} // namespace moonpane::bench
