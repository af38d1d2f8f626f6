// moonpane-bench store --messages N [--search-messages M] [--rounds R]
//
// The conversation database, on a temporary file:
//   insert_msgs_per_s     messages added through ConversationStore (the app's own path: the
//                         observer, the writer thread, the full-text index), until committed;
//   open_first_paint_ms   from selecting a conversation of N messages in the main window (not
//                         loaded yet) to the end of its first paint, reading its outline from the
//                         file (the rows in view may still be placeholders);
//   open_first_screen_ms  ...to the moment the rows in view are laid out with their text, which
//                         the store's reader thread brings;
//   path_read_ms          ...to the moment the text of the whole path is in memory, read in the
//                         background for the next send while the user reads;
//   send_history_ms       then, building the history a send of the next message takes, on the
//                         UI thread (what is not in memory yet is read there);
//   search_p50_ms/_p99_ms full-text queries over M messages (words common and rare, two words,
//                         a phrase, CJK, no match);
//   short_word_scan_p99_ms queries with a word of one or two characters, which the trigram
//                         index cannot answer: the messages are read newest first (reported
//                         apart, and per query under search_by_query);
//   query_overtaking_a_scan_p99_ms  in the background (as the search dialog runs them): from
//                         asking for a query while such a scan runs to its answer (the scan is
//                         interrupted, not waited for);
//   bytes_per_message     the file's size (after a checkpoint) over the messages in it (next to
//                         text_bytes_per_message, their UTF-8 text alone: the rest is mostly the
//                         trigram index).
// Prints one JSON line. The file is in the page cache: these are warm figures.
#include "BenchCommon.h"
#include "ConversationView.h"
#include "MainWindow.h"
#include "Synthetic.h"
#include "conversation/Conversation.h"
#include "storage/ConversationStore.h"
#include "storage/Database.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace moonpane::bench {

namespace {

// Copies a synthetic conversation into the store, message by message, giving some messages
// words that are rarer than the synthetic vocabulary (so that queries have few matches too).
qint64 fill(ConversationStore &store, int messages, quint32 seed, QRandomGenerator &random, int *added)
{
    const std::unique_ptr<Conversation> source = syntheticConversation(messages, 500, seed);
    Conversation *target = store.create();
    target->title = u"Synthetic %1"_s.arg(seed);
    store.metaChanged(target);
    qint64 parent = 0;
    for (qint64 id : source->path()) {
        Message m = *source->message(id);
        m.id = 0;
        m.parentId = parent;
        if (random.bounded(100) == 0)
            m.content += u" saffron"_s; // in about 1% of messages
        if (random.bounded(1000) == 0)
            m.content += u" quokka"_s; // about 0.1%
        m.content += u" ref-%1"_s.arg(random.generate64(), 0, 36); // unique
        parent = target->add(m);
        ++*added;
    }
    return target->id;
}

} // namespace

int runStore(const QStringList &args)
{
    const int messages = option(args, u"--messages"_s, u"10000"_s).toInt();
    const int searchMessages = option(args, u"--search-messages"_s, u"100000"_s).toInt();
    const int rounds = option(args, u"--rounds"_s, u"20"_s).toInt();
    if (messages < 1 || searchMessages < messages || rounds < 1) {
        std::fprintf(stderr,
                     "usage: moonpane-bench store --messages N [--search-messages M >= N] [--rounds R]\n");
        return 2;
    }
    qputenv("MOONPANE_API_KEY", "fake-benchmark"); // no first-run page, no keychain wait
    QTemporaryDir dir;
    const QString path = dir.filePath(u"moonpane.db"_s);
    QRandomGenerator random(42);

    // Insert: the big conversation first, then more until the search corpus is complete.
    qint64 big = 0;
    int added = 0;
    QElapsedTimer timer;
    {
        ConversationStore store;
        QString error;
        if (!store.open(path, &error, false)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        timer.start();
        big = fill(store, messages, 7, random, &added);
        for (quint32 seed = 8; added < searchMessages; ++seed)
            fill(store, std::min(messages, searchMessages - added), seed, random, &added);
        store.flush();
    }
    const double insertSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    {
        // The most recent conversation, which the window opens first, is a short one.
        ConversationStore store;
        QString error;
        store.open(path, &error, false);
        store.create()->title = u"Recent"_s;
    }
    double textBytes = 0;
    {
        QString error;
        QSqlDatabase db = Database::open(path, u"bench-size"_s, &error);
        QSqlQuery(db).exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        QSqlQuery text(db);
        if (text.exec(
                u"SELECT sum(length(CAST(content AS BLOB)) + length(CAST(reasoning AS BLOB))) FROM messages"_s)
            && text.next())
            textBytes = text.value(0).toDouble();
        text.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"bench-size"_s);
    const double bytesPerMessage = static_cast<double>(QFileInfo(path).size()) / added;

    // Open: the app starting on this file, then the big conversation's first screen.
    ConversationStore store;
    QString error;
    timer.start();
    if (!store.open(path, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const double openStoreMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    MainWindow window(&store);
    window.resize(1200, 850);
    window.newConversation();
    window.show();
    QApplication::processEvents();
    PaintWatcher watcher;
    window.view()->viewport()->installEventFilter(&watcher);
    timer.start();
    window.selectConversation(big);
    while (!watcher.painted)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const double firstPaintMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    while (!window.view()->isLayoutSettled())
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const double firstScreenMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    Conversation *shown = window.currentConversation();
    runUntil([shown] { return !shown->isReadingPath(); }, 30'000);
    const double pathReadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    timer.start();
    const qsizetype historyMessages = shown->history(shown->nextTurnParent()).size();
    const double sendHistoryMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    // Search.
    // Full-text queries (every word three characters or more: the trigram index answers them),
    // then queries with a shorter word, which scan the messages newest first.
    struct Query
    {
        QString text;
        bool reasoning;
        bool scans;
    };
    const QList<Query> queries = {
        {u"stream"_s, false, false}, // in nearly every message
        {u"weather forecast"_s, false, false},
        {u"saffron"_s, false, false}, // about 1%
        {u"quokka"_s, true, false}, // about 0.1%
        {u"\"parser latency\""_s, false, false},
        {u"北京测试"_s, false, false},
        {u"reasoning"_s, true, false},
        {u"nothing-like-this"_s, false, false}, // no match
        {u"ok"_s, false, true}, // two letters, common: the scan stops at the 50th match
        {u"ЖЩ"_s, false, true}, // two letters, no match: every message is read
    };
    std::vector<double> samples;
    std::vector<double> scans;
    QJsonObject byQuery;
    for (const Query &query : queries) {
        std::vector<double> mine;
        int hits = 0;
        for (int round = 0; round < rounds; ++round) {
            timer.start();
            hits = static_cast<int>(store.search(query.text, query.reasoning, 50).size());
            mine.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        }
        (query.scans ? scans : samples)
            .insert((query.scans ? scans : samples).end(), mine.begin(), mine.end());
        byQuery.insert(query.text,
                       QJsonObject {{u"hits"_s, hits},
                                    {u"p50_ms"_s, percentile(mine, 0.5)},
                                    {u"p99_ms"_s, percentile(mine, 0.99)},
                                    {u"scans"_s, query.scans}});
    }
    // In the background, as the search dialog runs them: a scan that matches nothing is under way
    // when the next keystroke's query comes; that one interrupts it rather than waiting for it.
    std::vector<double> overtaking;
    for (int round = 0; round < rounds; ++round) {
        store.searchInBackground(u"ЖЩ"_s, false, 50, [](const QList<SearchHit> &) {});
        QThread::msleep(20); // the scan is running by now
        bool answered = false;
        timer.start();
        store.searchInBackground(u"saffron"_s, false, 50,
                                 [&answered](const QList<SearchHit> &) { answered = true; });
        while (!answered)
            QApplication::processEvents(QEventLoop::WaitForMoreEvents);
        overtaking.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    printJson(QJsonObject {
        {u"bench"_s, u"store"_s},
        {u"messages"_s, messages},
        {u"search_messages"_s, added},
        {u"insert_msgs_per_s"_s, added / insertSeconds},
        {u"open_store_ms"_s, openStoreMs},
        {u"open_first_paint_ms"_s, firstPaintMs},
        {u"open_first_screen_ms"_s, firstScreenMs},
        {u"rows_laid_out"_s, window.view()->laidOutRows()},
        {u"path_read_ms"_s, pathReadMs},
        {u"send_history_ms"_s, sendHistoryMs},
        {u"send_history_messages"_s, static_cast<qint64>(historyMessages)},
        {u"search_p50_ms"_s, percentile(samples, 0.5)},
        {u"search_p99_ms"_s, percentile(samples, 0.99)},
        {u"short_word_scan_p99_ms"_s, percentile(scans, 0.99)},
        {u"query_overtaking_a_scan_p99_ms"_s, percentile(overtaking, 0.99)},
        {u"search_by_query"_s, byQuery},
        {u"bytes_per_message"_s, bytesPerMessage},
        {u"text_bytes_per_message"_s, textBytes / added}, // the UTF-8 text alone, for comparison
        {u"peak_rss_mb"_s, peakRssMb()},
    });
    return 0;
}

} // namespace moonpane::bench
