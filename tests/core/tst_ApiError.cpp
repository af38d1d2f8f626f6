// ApiError: the server's error bodies (JSON, HTML pages, empty), Retry-After, and what a user
// is told; plus the endpoint URL rules and the wire trace's redaction.
#include "api/ApiError.h"
#include "api/Endpoint.h"
#include "api/WireTrace.h"

#include <QBuffer>
#include <QDateTime>
#include <QLocale>
#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

class TestApiError : public QObject
{
    Q_OBJECT

private slots:
    void jsonErrorBodies_data();
    void jsonErrorBodies();
    void htmlPageBecomesOneLine();
    void emptyBodyUsesReasonPhrase();
    void retryAfter();
    void adviceSaysWhatToDo();
    void retryable();
    void endpointUrls_data();
    void endpointUrls();
    void traceRedactsTheKey();
    void traceElidesMedia();
};

void TestApiError::jsonErrorBodies_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("summary");
    QTest::newRow("kimi 429")
        << 429
        << R"({"error":{"message":"The engine is currently overloaded, please try again later","type":"engine_overloaded_error"}})"_ba
        << u"HTTP 429 engine_overloaded_error: The engine is currently overloaded, please try again later"_s;
    QTest::newRow("anyfast 401, code wins")
        << 401
        << R"({"error":{"message":"Invalid API key provided.","type":"authentication_error","code":"invalid_api_key"}})"_ba
        << u"HTTP 401 invalid_api_key: Invalid API key provided."_s;
    QTest::newRow("numeric code") << 502 << R"({"error":{"code":502,"message":"bad upstream"}})"_ba
                                  << u"HTTP 502 502: bad upstream"_s;
    QTest::newRow("no type") << 401 << R"({"error":{"message":"No token provided"}})"_ba
                             << u"HTTP 401: No token provided"_s;
    QTest::newRow("error string") << 400 << R"({"error":"bad things"})"_ba << u"HTTP 400: bad things"_s;
    QTest::newRow("top-level message") << 400 << R"({"message":"nope"})"_ba << u"HTTP 400: nope"_s;
    QTest::newRow("plain text") << 500 << "upstream connect error\n  reset"_ba
                                << u"HTTP 500: upstream connect error reset"_s;
}

void TestApiError::jsonErrorBodies()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, summary);
    const ApiError error = ApiError::fromHttpResponse(status, "Reason", body, {});
    QCOMPARE(error.kind, ApiError::Kind::Http);
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.summary(), summary);
}

void TestApiError::htmlPageBecomesOneLine()
{
    const QByteArray page =
        "<!DOCTYPE html>\n<html><head><title>504 Gateway Time-out &amp; more</title>"
        "<style>body{}</style></head>\n<body><center><h1>504 Gateway Time-out</h1></center>"
        "<hr><center>nginx</center>\n</body></html>\n";
    const ApiError error = ApiError::fromHttpResponse(504, "Gateway Time-out", page, {});
    QCOMPARE(error.message, u"504 Gateway Time-out & more (HTML error page)"_s);
    QVERIFY(!error.summary().contains(u'\n'));
    QVERIFY(error.advice().contains(u"504"_s));

    const ApiError untitled = ApiError::fromHttpResponse(
        502, "Bad Gateway",
        "<html><body><script>x()</script><p>Bad   gateway</p>\n<p>try later</p></body></html>", {});
    QCOMPARE(untitled.message, u"Bad gateway try later (HTML error page)"_s);

    const QByteArray huge = "<html><body>" + QByteArray(5000, 'a') + "</body></html>";
    QVERIFY(ApiError::fromHttpResponse(500, {}, huge, {}).message.size() < 320);
}

void TestApiError::emptyBodyUsesReasonPhrase()
{
    QCOMPARE(ApiError::fromHttpResponse(503, "Service Unavailable", {}, {}).summary(),
             u"HTTP 503: Service Unavailable"_s);
    QCOMPARE(ApiError::fromHttpResponse(503, {}, {}, {}).message, u"no error message"_s);
}

void TestApiError::retryAfter()
{
    QCOMPARE(ApiError::parseRetryAfter("7"), std::optional<int>(7));
    QCOMPARE(ApiError::parseRetryAfter(" 2.5 "), std::optional<int>(3));
    QCOMPARE(ApiError::parseRetryAfter("soon"), std::nullopt);
    QCOMPARE(ApiError::parseRetryAfter({}), std::nullopt);
    const QString date = QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(120),
                                               u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s);
    const std::optional<int> seconds = ApiError::parseRetryAfter(date.toLatin1());
    QVERIFY(seconds && *seconds >= 115 && *seconds <= 120);
    const ApiError error = ApiError::fromHttpResponse(
        429, {}, R"({"error":{"type":"rate_limit_reached_error","message":"slow"}})", "12");
    QCOMPARE(error.retryAfterSeconds, std::optional<int>(12));
    QCOMPARE(error.summary(), u"HTTP 429 rate_limit_reached_error: slow (retry after 12 s)"_s);
    QVERIFY(error.advice().contains(u"Wait 12 s"_s));
}

void TestApiError::adviceSaysWhatToDo()
{
    QVERIFY(ApiError::fromHttpResponse(401, {}, {}, {}).advice().contains(u"MOONPANE_API_KEY"_s));
    QVERIFY(ApiError::fromHttpResponse(
                429, {}, R"({"error":{"type":"exceeded_current_quota_error","message":"balance"}})", {})
                .advice()
                .contains(u"Top up"_s));
    QVERIFY(
        ApiError::fromHttpResponse(
            400, {},
            R"({"error":{"type":"invalid_request_error","message":"invalid temperature: only 1 is allowed"}})",
            {})
            .advice()
            .contains(u"sampling parameters"_s));
    QVERIFY(ApiError::fromHttpResponse(400, {},
                                       R"({"error":{"type":"content_filter","message":"high risk"}})", {})
                .advice()
                .contains(u"Rephrase"_s));
    QVERIFY(ApiError::fromHttpResponse(
                400, {},
                R"({"error":{"type":"invalid_request_error","message":"Input token length too long"}})", {})
                .advice()
                .contains(u"context window"_s));
    QVERIFY(ApiError::fromHttpResponse(404, {}, {}, {}).advice().contains(u"model id"_s));
    QVERIFY(ApiError::fromHttpResponse(500, {}, {}, "3").advice().contains(u"Wait 3 s"_s));
}

void TestApiError::retryable()
{
    QVERIFY(ApiError::fromHttpResponse(429, {}, {}, {}).isRetryable());
    QVERIFY(ApiError::fromHttpResponse(503, {}, {}, {}).isRetryable());
    QVERIFY(!ApiError::fromHttpResponse(401, {}, {}, {}).isRetryable());
    QVERIFY(!ApiError::make(ApiError::Kind::Validation, u"x"_s).isRetryable());
    QVERIFY(ApiError::make(ApiError::Kind::Transport, u"x"_s).isRetryable());
}

void TestApiError::endpointUrls_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("url");
    QTest::newRow("anyfast") << u"https://www.anyfast.ai"_s
                             << u"https://www.anyfast.ai/v1/chat/completions"_s;
    QTest::newRow("trailing slash") << u"https://www.anyfast.ai/"_s
                                    << u"https://www.anyfast.ai/v1/chat/completions"_s;
    QTest::newRow("ends in v1") << u"https://api.moonshot.ai/v1"_s
                                << u"https://api.moonshot.ai/v1/chat/completions"_s;
    QTest::newRow("v1 slash") << u"https://api.moonshot.ai/v1/"_s
                              << u"https://api.moonshot.ai/v1/chat/completions"_s;
    QTest::newRow("prefix path") << u"http://127.0.0.1:8080/proxy"_s
                                 << u"http://127.0.0.1:8080/proxy/v1/chat/completions"_s;
    QTest::newRow("query dropped") << u"http://h/v1?x=1"_s << u"http://h/v1/chat/completions"_s;
}

void TestApiError::endpointUrls()
{
    QFETCH(QString, base);
    QFETCH(QString, url);
    QCOMPARE(Endpoint::apiUrl(QUrl(base), u"chat/completions"_s).toString(), url);
}

void TestApiError::traceRedactsTheKey()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    WireTrace trace(&buffer);
    const QString key = u"fake-test-key-0123456789abcdef"_s;
    trace.setSecret(key);
    WireObserver::Request request;
    request.method = "POST";
    request.url = QUrl(u"https://user:pw@h/v1/chat/completions"_s);
    request.headers = {{"Authorization", "Bearer " + key.toUtf8()}, {"Accept", "text/event-stream"}};
    request.body = RequestBody(R"({"model":"kimi-k2.6"})");
    trace.requestSent(request);
    trace.responseStarted(401, "Unauthorized", {{"Content-Type", "application/json"}});
    trace.bodyReceived(R"({"error":{"message":"Incorrect API key provided: )" + key.toUtf8() + "\"}}");
    trace.lineReceived("data: {\"x\":1}");
    const QByteArray text = buffer.data();
    QVERIFY(!text.contains(key.toUtf8()));
    QVERIFY(!text.contains("pw@"));
    QVERIFY(text.contains("> Authorization: Bearer [redacted]"));
    QVERIFY(text.contains("Incorrect API key provided: [redacted]"));
    QVERIFY(text.contains("< HTTP 401 Unauthorized"));
    QVERIFY(text.contains("< data: {\"x\":1}"));
    // Every line starts with a wall-clock time and milliseconds since the request.
    for (const QByteArray &line : text.trimmed().split('\n'))
        QVERIFY2(QRegularExpression(u"^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\+ *\\d+ms [<>#] "_s)
                     .match(QString::fromUtf8(line))
                     .hasMatch(),
                 line.constData());
}

void TestApiError::traceElidesMedia()
{
    const QByteArray body = R"({"url":"data:image/png;base64,)" + QByteArray(5000, 'A')
        + R"("},{"url":"data:image/png;base64,QUFB"})";
    const QByteArray elided = WireTrace::elideBase64(body);
    QVERIFY(elided.size() < 300);
    QVERIFY(elided.contains("...[5000 base64 chars]\""));
    QVERIFY(elided.contains("base64,QUFB\"")); // short payloads stay
}

QTEST_GUILESS_MAIN(TestApiError)
#include "tst_ApiError.moc"
