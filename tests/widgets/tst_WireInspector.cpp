// The Wire tab against the fake server on loopback, with a real ChatSession: its models under
// QAbstractItemModelTester while replies stream; a recorded stream replayed gives exactly its
// lines, times in order; closed, it follows nothing; Copy as curl never holds the key (one is
// set); Copy raw stream and Save as .sse give the stream back (replayable); an HTML 504 page as it
// came beside the one-line message; Edit & resend sends the edited body as a new branch.
#include "Dialogs.h"
#include "FakeServer.h"
#include "JsonHighlighter.h"
#include "TestEnvironment.h"
#include "ToolStreams.h"
#include "WireInspector.h"
#include "api/ChatClient.h"
#include "api/WireExport.h"
#include "api/WireModels.h"
#include "api/WireRecorder.h"
#include "conversation/ChatSession.h"
#include "conversation/Conversation.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDialog>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {
constexpr auto kKey = "fake-inspector-key-93f0a1";
} // namespace

class TestWireInspector : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void modelsFollowAStreamingReply();
    void aReplayedStreamGivesExactlyItsLines();
    void closedItFollowsNothing();
    void copyAsCurlNeverHoldsTheKey();
    void rawStreamAndSaveGiveTheStreamBack();
    void anErrorPageIsShownAsItCame();
    void editAndResendSendsTheEditedBodyAsABranch();
    void mediaAreNamedThenShownOnDemand();
    void jsonIsHighlightedAsItIsTyped();

private:
    void send(const FakeResponse &response, const QString &text = u"Hello"_s);
    void waitIdle();

    std::unique_ptr<TestEnvironment> m_env;
    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
    Conversation *m_conversation = nullptr;
    ChatSession *m_session = nullptr;
    WireInspector *m_inspector = nullptr;
};

void TestWireInspector::init()
{
    m_env = std::make_unique<TestEnvironment>();
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    endpoint.apiKey = QString::fromLatin1(kKey);
    m_client->setEndpoint(endpoint);
    m_conversation = new Conversation;
    m_session = new ChatSession(m_client, m_conversation, this);
    ChatParameters parameters;
    parameters.model = u"kimi-k2.6"_s;
    m_session->setDefaults(parameters);
    m_inspector = new WireInspector;
    m_inspector->setRecorder(m_session->wire());
    m_inspector->resize(700, 800);
    m_inspector->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_inspector));
}

void TestWireInspector::cleanup()
{
    delete m_inspector;
    delete m_session;
    delete m_conversation;
    delete m_client;
    delete m_server;
    m_env.reset();
}

void TestWireInspector::send(const FakeResponse &response, const QString &text)
{
    m_server->enqueue(response);
    QCOMPARE(m_session->send(text), QStringList());
}

void TestWireInspector::waitIdle()
{
    QTRY_VERIFY_WITH_TIMEOUT(!m_session->isBusy(), 10'000);
}

void TestWireInspector::modelsFollowAStreamingReply()
{
    QAbstractItemModelTester exchanges(m_inspector->exchangeModel(),
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester lines(m_inspector->lineModel(),
                                   QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Dripped a few bytes at a time: rows are appended while the reply streams (the lines of a
    // frame together), never the list again.
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 40;
    response.dripIntervalMs = 8;
    QSignalSpy inserted(m_inspector->lineModel(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(m_inspector->lineModel(), &QAbstractItemModel::modelReset);
    send(response);
    QTRY_COMPARE(m_inspector->exchangeModel()->rowCount(), 1);
    QTRY_VERIFY(!inserted.isEmpty());
    QVERIFY(m_session->isBusy()); // the first rows came while it streamed
    const int resets = int(reset.size());
    waitIdle();
    QCOMPARE(reset.size(), resets);
    QVERIFY(inserted.size() >= 2);
    int rows = 0;
    for (const QList<QVariant> &args : inserted) {
        QCOMPARE(args.at(1).toInt(), rows); // appended at the end
        rows = args.at(2).toInt() + 1;
    }
    QCOMPARE(rows, m_session->wire()->exchanges().first().lines.size());
    const QModelIndex status = m_inspector->exchangeModel()->index(0, WireExchangeModel::Status);
    QTRY_COMPARE(status.data().toString(), u"200"_s);
    QCOMPARE(m_inspector->exchangeModel()->index(0, WireExchangeModel::Model).data().toString(),
             u"kimi-k2.6"_s);
    QCOMPARE(m_inspector->exchangeModel()->index(0, WireExchangeModel::Round).data().toInt(), 1);
    // The timeline has its moments, the assembled reply its content.
    QList<qint64> moments;
    for (const WireTimeline::Mark &mark : m_inspector->timeline()->marks())
        moments.append(mark.ms);
    QVERIFY(moments.at(1) >= 0 && moments.at(2) >= moments.at(1)
            && moments.at(3) >= moments.at(2)); // byte, reasoning, content
    QCOMPARE(moments.at(4), -1); // no tool call
    QVERIFY(m_inspector->resultText()->toPlainText().contains(
        m_conversation->message(m_conversation->path().last())->content));
    QVERIFY(m_inspector->resultText()->toPlainText().contains(u"Finish reason: stop"_s));

    // A second request, a tool turn: the newest is followed.
    send(FakeResponse::fixture(u"kimi_tool_calls.sse"_s), u"Weather?"_s);
    QTRY_COMPARE(m_inspector->exchangeModel()->rowCount(), 2);
    QCOMPARE(m_inspector->list()->currentIndex().row(), 1);
    QTRY_VERIFY(m_inspector->resultText()->toPlainText().contains(u"Tool call 1: get_weather"_s));
    m_session->stop();
}

void TestWireInspector::aReplayedStreamGivesExactlyItsLines()
{
    FakeResponse response = FakeResponse::fixture(u"gateway_openrouter.sse"_s);
    response.delivery = FakeResponse::Delivery::RandomSplits;
    response.seed = 11;
    send(response);
    waitIdle();
    WireLineModel *model = m_inspector->lineModel();
    QList<QByteArray> expected = response.body.split('\n');
    expected.removeLast(); // after the last line break
    QTRY_COMPARE(model->rowCount(), expected.size());
    qint64 previous = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        QCOMPARE(model->index(row, WireLineModel::Line).data(WireLineModel::TextRole).toString(),
                 QString::fromUtf8(expected.at(row)));
        const qint64 ms =
            model->index(row, WireLineModel::Time).data().toString().mid(1).section(u' ', 0, 0).toLongLong();
        QVERIFY(ms >= previous);
        previous = ms;
    }
    // Comments (the gateway's keep-alives) are named so; [DONE] too.
    QCOMPARE(model->index(0, WireLineModel::Kind).data().toString(), u"comment"_s);
    QCOMPARE(model->index(model->rowCount() - 2, WireLineModel::Kind).data().toString(), u"done"_s);
}

void TestWireInspector::closedItFollowsNothing()
{
    QVERIFY(m_session->wire()->isWatched()); // shown: followed
    m_inspector->hide();
    QVERIFY(!m_inspector->exchangeModel()->recorder());
    QVERIFY(!m_session->wire()->isWatched());
    send(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    waitIdle();
    QCOMPARE(m_inspector->exchangeModel()->rowCount(), 0);
    // Opened, it shows what was recorded meanwhile.
    m_inspector->show();
    QCOMPARE(m_inspector->exchangeModel()->rowCount(), 1);
    QCOMPARE(m_inspector->list()->currentIndex().row(), 0);
    QVERIFY(m_inspector->lineModel()->rowCount() > 10);
}

void TestWireInspector::copyAsCurlNeverHoldsTheKey()
{
    send(FakeResponse::fixture(u"kimi_thinking.sse"_s), u"What's up?"_s);
    waitIdle();
    QApplication::clipboard()->clear();
    QSignalSpy status(m_inspector, &WireInspector::status);
    QTest::mouseClick(m_inspector->findChild<QPushButton *>(u"wireCopyCurl"_s), Qt::LeftButton);
    QTRY_VERIFY(!QApplication::clipboard()->text().isEmpty());
    const QString curl = QApplication::clipboard()->text();
    QVERIFY2(!curl.contains(QLatin1String(kKey)), qPrintable(curl));
    QVERIFY(curl.contains(u"Authorization: Bearer $MOONPANE_API_KEY"_s));
    const QString url = m_server->baseUrl().toString() + QString::fromLatin1(m_server->lastRequest().path);
    QVERIFY2(curl.startsWith(u"curl -sS -N -X POST '%1' \\\n"_s.arg(url)), qPrintable(curl.left(200)));
    QVERIFY(curl.contains(u"What's up?"_s)); // the body, in a quoted here-document: as it is
    QVERIFY(curl.contains(u"<<'MOONPANE_BODY'\n"_s));
    QVERIFY(curl.endsWith(u"\nMOONPANE_BODY\n"_s));
    // The body in it is the body that was sent.
    const qsizetype from = curl.indexOf(u"<<'MOONPANE_BODY'\n"_s) + 18;
    const QString body = curl.mid(from, curl.lastIndexOf(u"\nMOONPANE_BODY"_s) - from);
    QCOMPARE(body.toUtf8(), m_server->lastRequest().body);
    QVERIFY(!status.isEmpty());

    // A body quoting the delimiter gets another one; single quotes in headers are escaped.
    WireExchange exchange = m_session->wire()->exchanges().first();
    exchange.requestHeaders.append(qMakePair("X-Note"_ba, "it's"_ba));
    const QByteArray tricky = WireExport::curlCommand(exchange, "{\"a\":\"\nMOONPANE_BODY\n\"}");
    QVERIFY(tricky.contains("<<'MOONPANE_BODY_'\n"));
    QVERIFY(tricky.contains("-H 'X-Note: it'\\''s'"));
}

void TestWireInspector::rawStreamAndSaveGiveTheStreamBack()
{
    const FakeResponse response = FakeResponse::fixture(u"kimi_tool_calls.sse"_s);
    send(response);
    QTRY_COMPARE(m_session->state(), ChatSession::TurnState::AwaitingApproval);
    QTest::mouseClick(m_inspector->findChild<QPushButton *>(u"wireCopyRaw"_s), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text().toUtf8(), response.body);

    const QString path = m_env->filePath(u"round1.sse"_s);
    Dialogs::setNextSaveFileName(path);
    QTest::mouseClick(m_inspector->findChild<QPushButton *>(u"wireSave"_s), Qt::LeftButton);
    QTRY_VERIFY(QFile::exists(path)); // QSaveFile: whole once it is there
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QCOMPARE(saved, response.body);
    QCOMPARE(file.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
    m_session->stop();

    // Replayed by the fake server, it is the same reply again.
    waitIdle();
    send(FakeResponse::sse(saved), u"Again"_s);
    QTRY_COMPARE(m_session->state(), ChatSession::TurnState::AwaitingApproval);
    const QList<WireExchange> &recorded = m_session->wire()->exchanges();
    QCOMPARE(recorded.size(), 2);
    QCOMPARE(recorded.at(1).rawStream(), recorded.at(0).rawStream());
    QCOMPARE(recorded.at(1).end->reply.toolCalls.size(), recorded.at(0).end->reply.toolCalls.size());
    m_session->stop();
}

void TestWireInspector::anErrorPageIsShownAsItCame()
{
    const QByteArray page = "<html><body><h1>504 Gateway Time-out</h1>\n<p>nginx</p></body></html>\n";
    send(FakeResponse::html(504, page));
    waitIdle();
    QTRY_VERIFY(!m_inspector->errorLabel()->isHidden()); // on the Response tab
    const QString message = m_inspector->errorLabel()->text();
    QVERIFY(!message.isEmpty());
    QVERIFY(!message.contains(u"<html>"_s));
    QCOMPARE(message, m_conversation->message(m_conversation->path().last())->error.summary());
    const QString response = m_inspector->responseText()->toPlainText();
    QVERIFY(response.startsWith(u"HTTP 504"_s));
    QVERIFY(response.contains(QString::fromUtf8(page.trimmed())));
    QCOMPARE(m_inspector->exchangeModel()->index(0, WireExchangeModel::Status).data().toString(), u"504"_s);
}

void TestWireInspector::editAndResendSendsTheEditedBodyAsABranch()
{
    send(FakeResponse::fixture(u"kimi_thinking.sse"_s), u"Say hello"_s);
    waitIdle();
    const qint64 first = m_conversation->path().last();
    QSignalSpy resend(m_inspector, &WireInspector::resendRequested);
    connect(m_inspector, &WireInspector::resendRequested, m_session,
            [this](qint64 messageId, const RequestBody &body, bool stream, const QString &model) {
                QCOMPARE(m_session->resend(messageId, body, stream, model), QStringList());
            });
    QTest::mouseClick(m_inspector->findChild<QPushButton *>(u"wireResend"_s), Qt::LeftButton);
    auto *dialog = m_inspector->findChild<QDialog *>(u"wireResendDialog"_s);
    QVERIFY(dialog);
    auto *edit = dialog->findChild<QPlainTextEdit *>(u"wireResendEdit"_s);
    QTRY_VERIFY(edit->isEnabled());
    QVERIFY(edit->toPlainText().contains(u"\"Say hello\""_s));

    // Broken JSON is refused, saying why; Send waits.
    auto *send = dialog->findChild<QPushButton *>(u"wireResendSend"_s);
    auto *problems = dialog->findChild<QLabel *>(u"wireResendProblems"_s);
    edit->setPlainText(edit->toPlainText().replace(u"\"Say hello\""_s, u"\"Say hello"_s));
    QTRY_VERIFY(problems->text().contains(u"not JSON"_s));
    QVERIFY(!send->isEnabled());
    // Edited: another question, another temperature.
    QJsonObject body = QJsonDocument::fromJson(m_server->lastRequest().body).object();
    body.insert(u"temperature"_s, 0.2);
    QString text = QString::fromUtf8(QJsonDocument(body).toJson());
    text.replace(u"Say hello"_s, u"Say goodbye"_s);
    edit->setPlainText(text);
    QTRY_VERIFY(send->isEnabled());
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_COMPARE(resend.size(), 1);
    QTRY_COMPARE(m_server->requests().size(), 2);
    const QJsonObject sent = QJsonDocument::fromJson(m_server->lastRequest().body).object();
    QCOMPARE(sent.value("temperature"_L1).toDouble(), 0.2);
    QVERIFY(m_server->lastRequest().body.contains("Say goodbye"));
    QVERIFY(!m_server->lastRequest().body.contains("Say hello"));
    waitIdle();
    // A new branch beside the first reply: both kept, the new one shown.
    const qint64 second = m_conversation->path().last();
    QVERIFY(second != first);
    QCOMPARE(m_conversation->message(second)->parentId, m_conversation->message(first)->parentId);
    QCOMPARE(m_conversation->siblings(second).size(), 2);
    QVERIFY(!m_conversation->message(second)->content.isEmpty());
    QTRY_COMPARE(m_inspector->exchangeModel()->rowCount(), 2);
}

void TestWireInspector::mediaAreNamedThenShownOnDemand()
{
    // A real PNG file, sent inline.
    QImage image(24, 16, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(image.save(&buffer, "PNG"));
    MediaRef media;
    media.path = m_env->writeFile(u"cyan.png"_s, png);
    media.mimeType = u"image/png"_s;
    media.bytes = png.size();
    media.name = u"cyan.png"_s;
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QCOMPARE(m_session->send(u"What colour?"_s, {ContentPart::fromMedia(media)}), QStringList());
    waitIdle();
    QVERIFY(m_server->lastRequest().body.contains(png.toBase64()));

    // Named, not spelled out; the key redacted.
    QTRY_VERIFY(m_inspector->requestText()->toPlainText().contains(u"\"<image/png, "_s));
    QVERIFY(!m_inspector->requestText()->toPlainText().contains(QString::fromLatin1(png.toBase64())));
    QVERIFY(m_inspector->requestText()->toPlainText().contains(u"Authorization: Bearer [redacted]"_s));
    // On demand, the base64 that was sent (read on a worker).
    QVERIFY(m_inspector->showMediaButton()->isEnabled());
    m_inspector->showMediaButton()->click();
    QTRY_VERIFY(m_inspector->requestText()->toPlainText().contains(u"data:image/png;base64,"_s
                                                                   + QString::fromLatin1(png.toBase64())));
    m_inspector->showMediaButton()->click();
    QTRY_VERIFY(!m_inspector->requestText()->toPlainText().contains(QString::fromLatin1(png.toBase64())));
    // Copy as curl carries the medium whole.
    QApplication::clipboard()->clear();
    m_inspector->copyAsCurl();
    QTRY_VERIFY(QApplication::clipboard()->text().contains(QString::fromLatin1(png.toBase64())));
    // Edit & resend: the medium goes back as it was sent.
    connect(m_inspector, &WireInspector::resendRequested, m_session,
            [this](qint64 messageId, const RequestBody &body, bool stream, const QString &model) {
                QCOMPARE(m_session->resend(messageId, body, stream, model), QStringList());
            });
    m_inspector->editAndResend();
    auto *dialog = m_inspector->findChild<QDialog *>(u"wireResendDialog"_s);
    auto *edit = dialog->findChild<QPlainTextEdit *>(u"wireResendEdit"_s);
    QTRY_VERIFY(edit->isEnabled());
    QVERIFY(edit->toPlainText().contains(u"\"<media 1: image/png, "_s));
    edit->setPlainText(edit->toPlainText().replace(u"What colour?"_s, u"Which colour?"_s));
    auto *send = dialog->findChild<QPushButton *>(u"wireResendSend"_s);
    QTRY_VERIFY(send->isEnabled());
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    send->click();
    QTRY_COMPARE(m_server->requests().size(), 2);
    QVERIFY(m_server->lastRequest().body.contains("Which colour?"));
    QVERIFY(m_server->lastRequest().body.contains(QByteArray("data:image/png;base64," + png.toBase64())));
    waitIdle();

    // What goes wrong is said. A stand-in for a medium the request did not have:
    m_inspector->selectRow(0);
    m_inspector->editAndResend();
    dialog = m_inspector->findChildren<QDialog *>(u"wireResendDialog"_s).last();
    edit = dialog->findChild<QPlainTextEdit *>(u"wireResendEdit"_s);
    QTRY_VERIFY(edit->isEnabled());
    edit->setPlainText(edit->toPlainText().replace(u"<media 1: "_s, u"<media 7: "_s));
    auto *problems = dialog->findChild<QLabel *>(u"wireResendProblems"_s);
    QTRY_COMPARE(problems->text(), u"the request had no medium 7"_s);
    QVERIFY(!dialog->findChild<QPushButton *>(u"wireResendSend"_s)->isEnabled());
    dialog->reject();
    // The medium's file gone: Copy as curl says so, the clipboard keeps what it had.
    QSignalSpy status(m_inspector, &WireInspector::status);
    QApplication::clipboard()->setText(u"before"_s);
    QVERIFY(QFile::remove(media.path));
    m_inspector->copyAsCurl();
    QTRY_COMPARE(status.size(), 1);
    QVERIFY2(status.last().at(0).toString().startsWith(u"Could not copy as curl: "_s),
             qPrintable(status.last().at(0).toString()));
    QCOMPARE(QApplication::clipboard()->text(), u"before"_s);
    // Shown in full, it says why not, and names the medium as before.
    m_inspector->showMediaButton()->click();
    QTRY_VERIFY(
        m_inspector->requestText()->toPlainText().contains(u"(The attachment "_s)); // why, in brackets
    QVERIFY(m_inspector->requestText()->toPlainText().contains(u"\"<image/png, "_s));
    m_inspector->showMediaButton()->click();
    // Saving where nothing can be written says so.
    Dialogs::setNextSaveFileName(m_env->filePath(u"no/such/folder/round.sse"_s));
    m_inspector->saveStream();
    QTRY_COMPARE(status.size(), 2);
    QVERIFY2(status.last().at(0).toString().startsWith(u"Could not save "_s),
             qPrintable(status.last().at(0).toString()));
}

// The highlighter of the JSON editors (the resend editor, a tool call's arguments, tool
// definitions): keys, strings, numbers and literals each in their colour; a huge body stays plain.
void TestWireInspector::jsonIsHighlightedAsItIsTyped()
{
    QPlainTextEdit edit;
    edit.setPlainText(u"{\"city\": \"Oslo \\\"north\\\"\", \"n\": -1.5e3, \"ok\": true, \"none\": null}"_s);
    JsonHighlighter *highlighter = JsonHighlighter::attach(&edit);
    QVERIFY(highlighter);
    highlighter->rehighlight(); // at once (on its own it waits for the event loop)
    const QString text = edit.toPlainText();
    const QList<QTextLayout::FormatRange> formats = edit.document()->firstBlock().layout()->formats();
    const auto colourAt = [&](const QString &piece) {
        const int at = int(text.indexOf(piece));
        for (const QTextLayout::FormatRange &range : formats) {
            if (range.start <= at && at < range.start + range.length)
                return range.format.foreground().color();
        }
        return QColor();
    };
    const QColor key = colourAt(u"\"city\""_s);
    const QColor string = colourAt(u"\"Oslo"_s);
    const QColor number = colourAt(u"-1.5e3"_s);
    const QColor literal = colourAt(u"true"_s);
    QVERIFY(key.isValid() && string.isValid() && number.isValid() && literal.isValid());
    QCOMPARE(QSet<QRgb>({key.rgb(), string.rgb(), number.rgb(), literal.rgb()}).size(), 4);
    QCOMPARE(colourAt(u"\"n\""_s), key);
    QCOMPARE(colourAt(u"null"_s), literal);
    QCOMPARE(colourAt(u"north"_s), string); // an escaped quote does not end the string
    QVERIFY(!colourAt(u": "_s).isValid()); // punctuation stays plain

    QPlainTextEdit huge;
    huge.setPlainText(QString(JsonHighlighter::kMaxChars + 10, u'1'));
    QVERIFY(!JsonHighlighter::attach(&huge));
}

QTEST_MAIN(TestWireInspector)
#include "tst_WireInspector.moc"
