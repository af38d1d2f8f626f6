// SseParser against the WHATWG event-stream rules, with input split at every possible byte.
#include "FakeServer.h"
#include "api/SseParser.h"

#include <QTest>

#include <random>

using namespace moonpane;
using namespace Qt::StringLiterals;

namespace {

struct Event
{
    std::string type;
    std::string data;
    std::string id;
    bool operator==(const Event &) const = default;
};

class Collector final : public SseParser::Handler
{
public:
    std::vector<Event> events;
    std::vector<int> retries;
    std::vector<std::string> lines;
    void sseEvent(const SseEvent &e) override
    {
        events.push_back({std::string(e.type), std::string(e.data), std::string(e.lastEventId)});
    }
    void sseRetry(int ms) override { retries.push_back(ms); }
    void sseLine(std::string_view line) override { lines.emplace_back(line); }
};

std::vector<Event> parseWhole(const QByteArray &input)
{
    Collector collector;
    SseParser parser(&collector);
    parser.feed(input.constData(), static_cast<size_t>(input.size()));
    parser.finish();
    return collector.events;
}

std::vector<Event> parseInPieces(const QByteArray &input, const std::vector<qsizetype> &cuts)
{
    Collector collector;
    SseParser parser(&collector);
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        parser.feed(input.constData() + from, static_cast<size_t>(cut - from));
        from = cut;
    }
    parser.feed(input.constData() + from, static_cast<size_t>(input.size() - from));
    parser.finish();
    return collector.events;
}

} // namespace

Q_DECLARE_METATYPE(std::vector<Event>)

class TestSseParser : public QObject
{
    Q_OBJECT

private slots:
    void rules_data();
    void rules();
    void everySplitGivesTheSameEvents_data();
    void everySplitGivesTheSameEvents();
    void randomSplitsOfFixtures();
    void crAtEndOfReadThenLf();
    void bomSplitAcrossReads();
    void retryField();
    void finishDropsAnUnterminatedLine();
    void hugeLineInSmallReads();
    void lineObserverSeesEveryLine();
    void resetStartsOver();
};

void TestSseParser::rules_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<std::vector<Event>>("expected");
    using V = std::vector<Event>;
    QTest::newRow("lf") << "data: a\n\ndata: b\n\n"_ba << V {{"message", "a", ""}, {"message", "b", ""}};
    QTest::newRow("crlf") << "data: a\r\n\r\ndata: b\r\n\r\n"_ba
                          << V {{"message", "a", ""}, {"message", "b", ""}};
    QTest::newRow("cr") << "data: a\r\rdata: b\r\r"_ba << V {{"message", "a", ""}, {"message", "b", ""}};
    QTest::newRow("mixed line ends") << "data: a\r\n\ndata: b\r\r\n"_ba
                                     << V {{"message", "a", ""}, {"message", "b", ""}};
    QTest::newRow("no space after colon") << "data:a\n\n"_ba << V {{"message", "a", ""}};
    QTest::newRow("only one space is stripped") << "data:  a\n\n"_ba << V {{"message", " a", ""}};
    QTest::newRow("multi-line data") << "data: a\ndata: b\ndata:\n\n"_ba << V {{"message", "a\nb\n", ""}};
    QTest::newRow("empty data dispatches") << "data\n\n"_ba << V {{"message", "", ""}};
    QTest::newRow("no data no event") << "event: ping\n\ndata: x\n\n"_ba << V {{"message", "x", ""}};
    QTest::newRow("comments ignored")
        << ": keep-alive\n: OPENROUTER PROCESSING\n\ndata: x\n\n"_ba << V {{"message", "x", ""}};
    QTest::newRow("event type") << "event: error\ndata: {}\n\ndata: y\n\n"_ba
                                << V {{"error", "{}", ""}, {"message", "y", ""}};
    QTest::newRow("id persists") << "id: 7\ndata: a\n\ndata: b\n\n"_ba
                                 << V {{"message", "a", "7"}, {"message", "b", "7"}};
    QTest::newRow("id with NUL ignored")
        << "id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n"_ba << V {{"message", "a", "1"}, {"message", "b", "1"}};
    QTest::newRow("unknown field ignored") << "foo: bar\ndata: a\n\n"_ba << V {{"message", "a", ""}};
    QTest::newRow("bom stripped") << "\xEF\xBB\xBF"
                                     "data: a\n\n"_ba
                                  << V {{"message", "a", ""}};
    QTest::newRow("bom only once") << "\xEF\xBB\xBF\xEF\xBB\xBF"
                                      "data: a\n\n"_ba
                                   << V {};
    QTest::newRow("partial bom is data") << "\xEF\xBB"
                                            "data: a\n\n"_ba
                                         << V {};
    QTest::newRow("utf-8 kept as bytes")
        << "data: 你好 👩‍💻\n\n"_ba << V {{"message", "你好 👩‍💻", ""}};
    QTest::newRow("event whose blank line never came")
        << "data: [DONE]\n"_ba << V {{"message", "[DONE]", ""}};
    QTest::newRow("colon in value") << "data: {\"a\":1}\n\n"_ba << V {{"message", "{\"a\":1}", ""}};
    QTest::newRow("blank lines only") << "\n\n\r\n\r"_ba << V {};
}

void TestSseParser::rules()
{
    QFETCH(QByteArray, input);
    QFETCH(std::vector<Event>, expected);
    QCOMPARE(parseWhole(input), expected);
}

void TestSseParser::everySplitGivesTheSameEvents_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("crlf, bom, fields")
        << "\xEF\xBB\xBF"
           "retry: 10\r\n: c\r\nevent: e\r\nid: 1\r\ndata: a\r\ndata: 你\r\n\r\ndata:x\r\r"_ba;
    QTest::newRow("emoji across reads") << "data: 👩‍💻🇨🇳\n\ndata: é\n\n"_ba;
    QTest::newRow("cr only") << "data: a\rdata: b\r\r"_ba;
}

void TestSseParser::everySplitGivesTheSameEvents()
{
    QFETCH(QByteArray, input);
    const std::vector<Event> whole = parseWhole(input);
    QVERIFY(!whole.empty());
    // One cut at every position, then two cuts at every pair.
    for (qsizetype a = 0; a <= input.size(); ++a) {
        QCOMPARE(parseInPieces(input, {a}), whole);
        for (qsizetype b = a; b <= input.size(); ++b)
            QCOMPARE(parseInPieces(input, {a, b}), whole);
    }
    // One byte at a time.
    std::vector<qsizetype> everyByte;
    for (qsizetype i = 1; i < input.size(); ++i)
        everyByte.push_back(i);
    QCOMPARE(parseInPieces(input, everyByte), whole);
}

void TestSseParser::randomSplitsOfFixtures()
{
    const QStringList names = {u"kimi_thinking.sse"_s,        u"kimi_tool_calls.sse"_s,
                               u"gateway_openrouter.sse"_s,   u"crlf_framing.sse"_s,
                               u"inband_error.sse"_s,         u"openai_include_usage.sse"_s,
                               u"reasoning_both_fields.sse"_s};
    std::mt19937 random(20261125);
    for (const QString &name : names) {
        const QByteArray input = test::fixtureBytes(name);
        const std::vector<Event> whole = parseWhole(input);
        QVERIFY2(whole.size() > 2, qPrintable(name));
        for (int round = 0; round < 200; ++round) {
            std::vector<qsizetype> cuts;
            std::uniform_int_distribution<qsizetype> step(1, round % 2 ? 7 : 300);
            for (qsizetype at = step(random); at < input.size(); at += step(random))
                cuts.push_back(at);
            QCOMPARE(parseInPieces(input, cuts), whole);
        }
    }
}

void TestSseParser::crAtEndOfReadThenLf()
{
    // "data: a\r" then "\n\r\n": the CR and LF are one line end, so exactly one event.
    Collector collector;
    SseParser parser(&collector);
    parser.feed("data: a\r");
    QCOMPARE(collector.events.size(), 0u);
    parser.feed("\n");
    QCOMPARE(collector.events.size(), 0u); // still only the end of the data line
    parser.feed("\r\n");
    QCOMPARE(collector.events.size(), 1u);
    QCOMPARE(collector.events[0].data, "a");
}

void TestSseParser::bomSplitAcrossReads()
{
    Collector collector;
    SseParser parser(&collector);
    parser.feed("\xEF");
    parser.feed("\xBB");
    parser.feed("\xBF"
                "da");
    parser.feed("ta: ok\n\n");
    QCOMPARE(collector.events.size(), 1u);
    QCOMPARE(collector.events[0].data, "ok");
}

void TestSseParser::retryField()
{
    Collector collector;
    SseParser parser(&collector);
    parser.feed("retry: 2500\nretry: soon\nretry:\nretry: 99999999999999\n\n");
    QCOMPARE(collector.retries, std::vector<int>({2500}));
    QVERIFY(collector.events.empty());
}

void TestSseParser::finishDropsAnUnterminatedLine()
{
    Collector collector;
    SseParser parser(&collector);
    parser.feed("data: {\"cho"); // the connection cut this line
    parser.finish();
    QVERIFY(collector.events.empty());
}

void TestSseParser::hugeLineInSmallReads()
{
    const std::string payload(6u << 20, 'x');
    const QByteArray input = "data: " + QByteArray::fromStdString(payload) + "\n\ndata: after\n\n";
    Collector collector;
    SseParser parser(&collector);
    for (qsizetype at = 0; at < input.size(); at += 4096)
        parser.feed(input.constData() + at,
                    static_cast<size_t>(std::min<qsizetype>(4096, input.size() - at)));
    QCOMPARE(collector.events.size(), 2u);
    QCOMPARE(collector.events[0].data.size(), payload.size());
    QCOMPARE(collector.events[0].data, payload);
    QCOMPARE(collector.events[1].data, "after");
}

void TestSseParser::lineObserverSeesEveryLine()
{
    Collector collector;
    SseParser parser(&collector);
    parser.setObserveLines(true);
    parser.feed(": hi\r\ndata: a\r\n\r\n");
    QCOMPARE(collector.lines, std::vector<std::string>({": hi", "data: a", ""}));
}

void TestSseParser::resetStartsOver()
{
    Collector collector;
    SseParser parser(&collector);
    parser.feed("event: x\ndata: half");
    parser.reset();
    parser.feed("\xEF\xBB\xBF"
                "data: b\n\n");
    QCOMPARE(collector.events.size(), 1u);
    QCOMPARE(collector.events[0], (Event {"message", "b", ""}));
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_SseParser.moc"
