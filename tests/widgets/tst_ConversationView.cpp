// ConversationView with real widgets offscreen, fed by a real ChatSession and the loopback fake
// server: only visible rows are laid out, streaming stays pinned to the bottom unless the user
// scrolls up, the thinking block streams then collapses and expands on click, error rows count
// down Retry-After, links open only on a click and only for http/https/mailto, text selects and
// copies, actions reach the window.
#include "ConversationView.h"
#include "FakeServer.h"
#include "MessageLayout.h"
#include "TestMessages.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"

#include <QApplication>
#include <QClipboard>
#include <QDeadlineTimer>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(moonpane::MessageAction)

namespace {

} // namespace

class TestConversationView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void onlyVisibleRowsAreLaidOut();
    void rowsAheadAreLaidOutWhileIdle();
    void streamingStaysPinnedToTheBottom();
    void scrollingUpUnpins();
    void thinkingStreamsCollapsesAndExpands();
    void thinkingSummaryLine();
    void toolResultsAreCodeAndLongOnesFold();
    void showThinkingHidesEveryThinkingBlock();
    void failedReplyCountsDownThenRetries();
    void linksOpenOnlyOnClickAndOnlySafeSchemes();
    void copyAndEditButtons();
    void selectionCopiesText();
    void narrowAndDarkStillPaint();
    void aHugeReplyIsLaidOutInPassesAndShownInPart();

private:
    void stream(const FakeResponse &response, const QString &prompt = u"Hello"_s);
    QPoint rowPoint(int row, QPoint local) const { return m_view->rowRect(row).topLeft() + local; }
    void hover(int row, QPoint local);
    void click(int row, QPoint local);
    QPoint findLink(int row, const QString &url);
    // Lays out what is in view, as a paint would, then turns the event loop until the passes
    // that the layout budget left over are done (on a loaded machine one pass may not be enough).
    bool settle();
    int rowAtViewportY(int y) const; // y may be above or below the viewport
    int firstRowInView() const { return rowAtViewportY(0); }

    FakeServer *m_server = nullptr;
    ChatClient *m_client = nullptr;
    Conversation *m_conversation = nullptr;
    ConversationModel *m_model = nullptr;
    ChatSession *m_session = nullptr;
    ConversationView *m_view = nullptr;
};

void TestConversationView::init()
{
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    m_client = new ChatClient(this);
    Endpoint endpoint;
    endpoint.baseUrl = m_server->baseUrl();
    m_client->setEndpoint(endpoint);
    m_conversation = new Conversation;
    m_model = new ConversationModel(this);
    m_model->setConversation(m_conversation);
    m_session = new ChatSession(m_client, m_conversation, this);
    m_view = new ConversationView;
    m_view->setModel(m_model);
    m_view->resize(800, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
}

void TestConversationView::cleanup()
{
    delete m_view;
    delete m_session;
    delete m_model;
    delete m_conversation;
    delete m_client;
    delete m_server;
}

void TestConversationView::stream(const FakeResponse &response, const QString &prompt)
{
    m_server->enqueue(response);
    QCOMPARE(m_session->send(prompt), QStringList());
}

void TestConversationView::hover(int row, QPoint local)
{
    QTest::mouseMove(m_view->viewport(), rowPoint(row, local));
}

void TestConversationView::click(int row, QPoint local)
{
    hover(row, local);
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, rowPoint(row, local));
}

QPoint TestConversationView::findLink(int row, const QString &url)
{
    const MessageLayout *layout = m_view->layoutAt(row);
    const RowState *state = m_view->rowState(row);
    for (int y = 0; y < layout->height(); y += 3) {
        for (int x = 0; x < m_view->viewport()->width(); x += 4) {
            const MessageHit hit = layout->hitTest(QPoint(x, y), *state);
            if (hit.action == MessageAction::OpenLink && hit.link == url)
                return QPoint(x, y);
        }
    }
    return QPoint(-1, -1);
}

bool TestConversationView::settle()
{
    m_view->layoutNow();
    QDeadlineTimer deadline(10'000);
    while (!m_view->isLayoutSettled() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
    m_view->layoutNow();
    return m_view->isLayoutSettled();
}

int TestConversationView::rowAtViewportY(int y) const
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_view->rowRect(row).bottom() >= y)
            return row;
    }
    return -1;
}

void TestConversationView::onlyVisibleRowsAreLaidOut()
{
    QCOMPARE(m_view->emptyText(), u"Ask Kimi anything."_s); // an empty conversation
    qint64 parent = 0;
    for (int i = 0; i < 2000; ++i)
        parent = m_conversation->add(message(i % 2 ? Role::Assistant : Role::User,
                                             u"Message %1: "_s.arg(i) + QString(300, u'x'), parent));
    m_model->setConversation(m_conversation);
    m_view->layoutNow();
    QVERIFY2(m_view->laidOutRows() < 30, qPrintable(QString::number(m_view->laidOutRows())));
    // Pinned: the last message is in view, at the bottom.
    const QRect last = m_view->rowRect(1999);
    QVERIFY(last.top() < m_view->viewport()->height());
    QVERIFY(last.bottom() <= m_view->viewport()->height() + 1);
    QCOMPARE(m_view->verticalScrollBar()->value(), m_view->verticalScrollBar()->maximum());
    // Scrolling to the top lays out the rows there, and the layouts kept stay bounded.
    m_view->verticalScrollBar()->setValue(0);
    m_view->layoutNow();
    QVERIFY(m_view->layoutAt(0));
    QVERIFY(m_view->laidOutRows() < 60);
}

void TestConversationView::rowsAheadAreLaidOutWhileIdle()
{
    // Replies whose real heights differ from their estimates: headings, lists, code.
    qint64 parent = 0;
    for (int i = 0; i < 400; ++i) {
        const QString text = i % 2
            ? u"# Answer %1\n\n- one\n- two\n- three\n\n```\ncode %1\nmore\n```\n\nThe end."_s.arg(i)
            : u"Question %1: "_s.arg(i) + QString(i % 7 * 60, u'q');
        parent = m_conversation->add(message(i % 2 ? Role::Assistant : Role::User, text, parent));
    }
    m_model->setConversation(m_conversation);
    m_view->layoutNow();
    const int inView = m_view->laidOutRows();
    const int first = firstRowInView();
    QVERIFY(first > 20);
    // The rows above (the way a conversation opened at its end scrolls) wait for the event loop
    // to be idle; a paint lays out only two rows above the view.
    QVERIFY(!m_view->isPrefetchDone());
    QTRY_VERIFY(m_view->isPrefetchDone());
    QTRY_VERIFY(m_view->isLayoutSettled());
    const int page = m_view->viewport()->height();
    for (int row = rowAtViewportY(-2 * page + 1); row < first; ++row)
        QVERIFY(m_view->layoutAt(row));
    QVERIFY(m_view->laidOutRows() > inView);
    QVERIFY(m_view->laidOutRows() < 80);
    m_view->layoutNow();
    QCOMPARE(m_view->verticalScrollBar()->value(), m_view->verticalScrollBar()->maximum());

    // A page up finds its rows laid out: no layout is made, what comes into view only paints.
    const int made = m_view->laidOutRows();
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(bar->value() - page);
    m_view->layoutNow();
    QCOMPARE(m_view->laidOutRows(), made);
    const int shown = firstRowInView();
    QVERIFY(shown < first);
    // Not pinned to the end now: the rows above take their real heights without moving what is
    // on screen.
    const int shownTop = m_view->rowRect(shown).top();
    const int value = bar->value();
    const int ahead = rowAtViewportY(-2 * page + 1);
    QVERIFY(!m_view->layoutAt(ahead));
    std::vector<int> estimated;
    for (int row = ahead; row < shown; ++row)
        estimated.push_back(m_view->rowRect(row).height());
    QVERIFY(!m_view->isPrefetchDone());
    QTRY_VERIFY(m_view->isPrefetchDone());
    int changed = 0;
    for (int row = ahead; row < shown; ++row)
        changed += m_view->rowRect(row).height() != estimated[static_cast<size_t>(row - ahead)] ? 1 : 0;
    QVERIFY2(changed > 0, "the rows above kept their estimated heights: nothing to hold in place");
    QCOMPARE(m_view->rowRect(shown).top(), shownTop);
    m_view->layoutNow();
    QVERIFY(bar->value() != value); // the rows above grew or shrank, and the scroll bar says so

    // Scrolling down from the top, the rows below are the ones laid out ahead.
    bar->setValue(0);
    m_view->layoutNow();
    bar->setValue(page);
    m_view->layoutNow();
    QTRY_VERIFY(m_view->isPrefetchDone());
    for (int row = rowAtViewportY(page); row <= rowAtViewportY(3 * page - 1); ++row)
        QVERIFY(m_view->layoutAt(row));
}

void TestConversationView::streamingStaysPinnedToTheBottom()
{
    qint64 parent = 0;
    for (int i = 0; i < 30; ++i)
        parent =
            m_conversation->add(message(i % 2 ? Role::Assistant : Role::User, QString(400, u'y'), parent));
    m_model->setConversation(m_conversation);
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.delivery = FakeResponse::Delivery::Drip;
    response.dripBytes = 48;
    response.dripIntervalMs = 2;
    stream(response);
    QScrollBar *bar = m_view->verticalScrollBar();
    // Checked after each delta; a QCOMPARE in the slot would not stop the test, so the slot
    // records what it saw and the test checks it here.
    int checks = 0;
    QList<std::pair<int, int>> offBottom; // value, maximum
    connect(m_model, &QAbstractItemModel::dataChanged, this, [&] {
        m_view->layoutNow(); // what the next paint does
        if (bar->value() != bar->maximum())
            offBottom.append({bar->value(), bar->maximum()});
        ++checks;
    });
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    QVERIFY(checks > 10);
    QCOMPARE(offBottom, (QList<std::pair<int, int>>()));
    QVERIFY(m_view->isPinnedToBottom());
}

void TestConversationView::scrollingUpUnpins()
{
    qint64 parent = 0;
    for (int i = 0; i < 30; ++i)
        parent =
            m_conversation->add(message(i % 2 ? Role::Assistant : Role::User, QString(400, u'z'), parent));
    m_model->setConversation(m_conversation);
    m_view->layoutNow();
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.pauseAfterBytes = response.body.indexOf("And code");
    stream(response);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(paused.wait(10000));
    QTRY_VERIFY(!m_model->messageAt(m_model->rowCount() - 1)->content.isEmpty());
    m_view->layoutNow();
    m_view->verticalScrollBar()->setValue(100); // the user scrolls up to read
    QVERIFY(!m_view->isPinnedToBottom());
    m_server->resume();
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    m_view->layoutNow();
    QCOMPARE(m_view->verticalScrollBar()->value(), 100); // the view did not jump
    // Scrolling back to the bottom pins again.
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
    QVERIFY(m_view->isPinnedToBottom());
}

void TestConversationView::thinkingStreamsCollapsesAndExpands()
{
    FakeResponse response = FakeResponse::fixture(u"kimi_thinking.sse"_s);
    response.pauseAfterBytes = response.body.indexOf("\"content\":\"你好");
    stream(response);
    QSignalSpy paused(m_server, &FakeServer::paused);
    QVERIFY(paused.wait(10000));
    QTRY_VERIFY(m_model->messageAt(1) && m_model->messageAt(1)->reasoning.endsWith(u"briefly."_s));
    QVERIFY(settle());
    // While the model thinks, the block is open and shows the reasoning live.
    const MessageLayout *layout = m_view->layoutAt(1);
    QVERIFY(layout);
    QVERIFY(!layout->stack(TextArea::Reasoning).isEmpty());
    QVERIFY(layout->stack(TextArea::Reasoning).plainText().contains(u"The user greets me"_s));
    QVERIFY(layout->needsTicks()); // "Thinking… N s" counts while it thinks

    m_server->resume();
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    QVERIFY(settle());
    layout = m_view->layoutAt(1);
    QVERIFY(layout->stack(TextArea::Reasoning).isEmpty()); // collapsed to a summary line
    QVERIFY(!layout->needsTicks()); // nothing ticks once the reply is done
    QVERIFY(MessageLayout::thinkingSummary(*m_model->messageAt(1), 0).startsWith(u"Thought for"_s));
    const int collapsed = layout->height();

    click(1, layout->thinkingHeaderRect().center());
    QVERIFY(settle());
    layout = m_view->layoutAt(1);
    QVERIFY(!layout->stack(TextArea::Reasoning).isEmpty());
    QVERIFY(layout->height() > collapsed);
    click(1, layout->thinkingHeaderRect().center());
    QVERIFY(settle());
    QCOMPARE(m_view->layoutAt(1)->height(), collapsed);
}

void TestConversationView::showThinkingHidesEveryThinkingBlock()
{
    stream(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    QVERIFY(settle());
    QVERIFY(!m_view->layoutAt(1)->thinkingHeaderRect().isNull());
    const int with = m_view->layoutAt(1)->height();
    m_view->setShowThinking(false);
    QVERIFY(settle());
    QVERIFY(m_view->layoutAt(1)->thinkingHeaderRect().isNull());
    QVERIFY(m_view->layoutAt(1)->height() < with);
    m_view->setShowThinking(true);
    QVERIFY(settle());
    QCOMPARE(m_view->layoutAt(1)->height(), with);
}

void TestConversationView::failedReplyCountsDownThenRetries()
{
    stream(
        FakeResponse::json(
            429,
            R"({"error":{"message":"The engine is currently overloaded","type":"engine_overloaded_error"}})")
            .withHeader("Retry-After", "1"));
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    QVERIFY(settle());
    const MessageLayout *layout = m_view->layoutAt(1);
    QVERIFY(layout->buttonLabel(MessageAction::Retry).startsWith(u"Retry in"_s));
    QVERIFY(layout->needsTicks());
    QSignalSpy actions(m_view, &ConversationView::actionRequested);
    click(1, layout->buttonRect(MessageAction::Retry).center());
    QCOMPARE(actions.size(), 0); // not clickable while it counts down
    // The countdown runs on the view's own timer; once over, the button says Retry and works.
    QTRY_COMPARE_WITH_TIMEOUT(m_view->layoutAt(1)->buttonLabel(MessageAction::Retry), u"Retry"_s, 5000);
    QVERIFY(!m_view->layoutAt(1)->needsTicks());
    click(1, m_view->layoutAt(1)->buttonRect(MessageAction::Retry).center());
    QCOMPARE(actions.size(), 1);
    QCOMPARE(actions.at(0).at(0).value<MessageAction>(), MessageAction::Retry);
    QCOMPARE(actions.at(0).at(1).toLongLong(), m_model->messageAt(1)->id);
}

void TestConversationView::linksOpenOnlyOnClickAndOnlySafeSchemes()
{
    QVERIFY(ConversationView::isOpenableLink(QUrl(u"https://example.com/a"_s)));
    QVERIFY(ConversationView::isOpenableLink(QUrl(u"http://example.com"_s)));
    QVERIFY(ConversationView::isOpenableLink(QUrl(u"mailto:someone@example.com"_s)));
    QVERIFY(!ConversationView::isOpenableLink(QUrl(u"file:///etc/passwd"_s)));
    QVERIFY(!ConversationView::isOpenableLink(QUrl(u"javascript:alert(1)"_s)));
    QVERIFY(!ConversationView::isOpenableLink(QUrl(u"ftp://example.com"_s)));

    const qint64 user = m_conversation->add(message(Role::User, u"links please"_s, 0));
    m_conversation->add(
        message(Role::Assistant,
                u"See [the docs](https://example.com/docs) or [this file](file:///etc/passwd), or "
                "[write](mailto:someone@example.com?attach=/home/me/.ssh/id_rsa&body=hi).\n\n"
                "![remote image](https://example.com/x.png)"_s,
                user));
    m_model->setConversation(m_conversation);
    QVERIFY(settle());
    QSignalSpy opened(m_view, &ConversationView::linkActivated);
    QSignalSpy refused(m_view, &ConversationView::linkRefused);
    const QPoint docs = findLink(1, u"https://example.com/docs"_s);
    const QPoint file = findLink(1, u"file:///etc/passwd"_s);
    QVERIFY(docs.x() >= 0 && file.x() >= 0);
    hover(1, docs); // hovering opens nothing
    QCOMPARE(opened.size(), 0);
    click(1, docs);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.at(0).at(0).toUrl(), QUrl(u"https://example.com/docs"_s));
    click(1, file);
    QCOMPARE(refused.size(), 1);
    QCOMPARE(opened.size(), 1);
    // A mailto: link opens the address only, never its ?attach= or ?body=.
    const QPoint mail = findLink(1, u"mailto:someone@example.com?attach=/home/me/.ssh/id_rsa&body=hi"_s);
    QVERIFY(mail.x() >= 0);
    click(1, mail);
    QCOMPARE(opened.size(), 2);
    QCOMPARE(opened.at(1).at(0).toUrl(), QUrl(u"mailto:someone@example.com"_s));
    opened.removeLast();
    // A press on a link and a release elsewhere opens nothing.
    QTest::mousePress(m_view->viewport(), Qt::LeftButton, {}, rowPoint(1, docs));
    QTest::mouseRelease(m_view->viewport(), Qt::LeftButton, {}, rowPoint(1, docs + QPoint(0, 400)));
    QCOMPARE(opened.size(), 1);
}

void TestConversationView::copyAndEditButtons()
{
    const qint64 user = m_conversation->add(message(Role::User, u"the question"_s, 0));
    m_conversation->add(message(Role::Assistant, u"**the** answer"_s, user));
    m_model->setConversation(m_conversation);
    QVERIFY(settle());
    QSignalSpy actions(m_view, &ConversationView::actionRequested);
    // Header buttons appear on hover.
    hover(1, QPoint(m_view->viewport()->width() / 2, 5));
    QVERIFY(settle());
    const QRect copy = m_view->layoutAt(1)->buttonRect(MessageAction::Copy);
    QVERIFY(!copy.isNull());
    click(1, copy.center());
    QCOMPARE(QGuiApplication::clipboard()->text(), u"**the** answer"_s);
    hover(0, QPoint(m_view->viewport()->width() / 2, 5));
    click(0, m_view->layoutAt(0)->buttonRect(MessageAction::Edit).center());
    QCOMPARE(actions.size(), 1);
    QCOMPARE(actions.at(0).at(0).value<MessageAction>(), MessageAction::Edit);
    QCOMPARE(actions.at(0).at(1).toLongLong(), user);
}

void TestConversationView::selectionCopiesText()
{
    const qint64 user = m_conversation->add(message(Role::User, u"q"_s, 0));
    Message answer =
        message(Role::Assistant, u"Alpha beta gamma delta epsilon.\n\nSecond paragraph here."_s, user);
    answer.reasoning = u"Private chain of thought."_s;
    answer.hasReasoning = true;
    m_conversation->add(answer);
    m_model->setConversation(m_conversation);
    QVERIFY(settle());
    const MessageLayout *layout = m_view->layoutAt(1);
    const QPoint start = layout->contentOrigin() + QPoint(2, 4);
    const QPoint end = layout->contentOrigin() + QPoint(60, 4);
    QTest::mousePress(m_view->viewport(), Qt::LeftButton, {}, rowPoint(1, start));
    QTest::mouseMove(m_view->viewport(), rowPoint(1, end));
    QTest::mouseRelease(m_view->viewport(), Qt::LeftButton, {}, rowPoint(1, end));
    const QString selected = m_view->selectedText();
    QVERIFY2(!selected.isEmpty() && u"Alpha beta gamma"_s.startsWith(selected.left(5)), qPrintable(selected));
    QTest::keyClick(m_view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), selected);

    // The thinking is selectable on its own.
    click(1, layout->thinkingHeaderRect().center());
    QVERIFY(settle());
    layout = m_view->layoutAt(1);
    const QPoint inReasoning = layout->reasoningOrigin() + QPoint(1, 4);
    QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, rowPoint(1, inReasoning));
    QCOMPARE(m_view->selectedText(), u"Private"_s);
}

void TestConversationView::narrowAndDarkStillPaint()
{
    stream(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QSignalSpy finished(m_session, &ChatSession::replyFinished);
    QVERIFY(finished.wait(10000));
    m_view->resize(300, 500);
    QPalette dark = m_view->palette();
    dark.setColor(QPalette::Base, QColor(0x1d, 0x1f, 0x22));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    m_view->setPalette(dark);
    const QImage image = m_view->grab().toImage();
    QCOMPARE(image.width(), 300);
    QVERIFY(settle());
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const MessageLayout *layout = m_view->layoutAt(row);
        QVERIFY(layout);
        QVERIFY(layout->width() <= 300);
    }
    // The dark palette reached the painting: the background is the dark base colour.
    QCOMPARE(image.pixelColor(2, image.height() - 2), QColor(0x1d, 0x1f, 0x22));
}

void TestConversationView::thinkingSummaryLine()
{
    const QLocale locale;
    Message m;
    m.role = Role::Assistant;
    m.hasReasoning = true;
    m.reasoning = QString(400, u'x');
    QCOMPARE(MessageLayout::thinkingSummary(m, 0), u"Thought · ≈100 tokens"_s); // how long is unknown
    m.thinkingMs = 12'400;
    m.usage = Usage {};
    m.usage->reasoningTokens = 840;
    QCOMPARE(MessageLayout::thinkingSummary(m, 0),
             u"Thought for 12 s · %1 tokens"_s.arg(locale.toString(840)));
    m.thinkingMs = 1'500;
    QVERIFY(MessageLayout::thinkingSummary(m, 0).startsWith(
        u"Thought for %1 s"_s.arg(locale.toString(1.5, 'f', 1))));
    m.thinkingMs = 40; // thinking and answer came almost together: not "0.0 s"
    QVERIFY2(MessageLayout::thinkingSummary(m, 0).startsWith(u"Thought for under "_s),
             qPrintable(MessageLayout::thinkingSummary(m, 0)));
}

void TestConversationView::toolResultsAreCodeAndLongOnesFold()
{
    const qint64 user = m_conversation->add(message(Role::User, u"weather and logs"_s, 0));
    Message shortResult = message(Role::Tool, u"{\"city\": \"Oslo\", \"sky\": \"*clear*\"}"_s, user);
    shortResult.name = u"get_weather"_s;
    const qint64 first = m_conversation->add(shortResult);
    QString log;
    for (int i = 0; i < 400; ++i)
        log += u"line %1 of the build log\n"_s.arg(i);
    Message longResult = message(Role::Tool, log, first);
    longResult.name = u"read_log"_s;
    m_conversation->add(longResult);
    m_model->setConversation(m_conversation);
    QVERIFY(settle());

    // A short result is shown as it came, in a code block: no Markdown (the stars stay).
    const MessageLayout *small = m_view->layoutAt(1);
    QCOMPARE(small->stack(TextArea::Content).mode(), BlockStack::Mode::Code);
    QCOMPARE(small->plainContent(), shortResult.content);
    QVERIFY(small->thinkingHeaderRect().isNull()); // nothing to fold

    // A long one is folded behind a bar saying how long it is; a click shows it, another folds it.
    const MessageLayout *big = m_view->layoutAt(2);
    QVERIFY(MessageLayout::isLongResult(longResult));
    QVERIFY(!big->thinkingHeaderRect().isNull());
    QVERIFY(big->stack(TextArea::Content).isEmpty());
    const int folded = big->height();
    QVERIFY(folded < 120);
    QCOMPARE(big->hitTest(big->thinkingHeaderRect().center(), *m_view->rowState(2)).action,
             MessageAction::ToggleResult);
    click(2, big->thinkingHeaderRect().center());
    QVERIFY(settle());
    big = m_view->layoutAt(2);
    QVERIFY(m_view->rowState(2)->resultExpanded);
    QVERIFY(big->height() > 400 * 10);
    QVERIFY(big->stack(TextArea::Content).plainText().contains(u"line 399 of the build log"_s));
    click(2, big->thinkingHeaderRect().center());
    QVERIFY(settle());
    QCOMPARE(m_view->layoutAt(2)->height(), folded);

    // Finding text inside a folded result opens it at the match.
    m_view->setFind(u"line 250 of"_s, false);
    m_view->showMatch(m_conversation->path().last(), TextArea::Content, 0);
    QVERIFY(settle());
    QVERIFY(m_view->rowState(2)->resultExpanded);
    QVERIFY(m_view->layoutAt(2)->matchY(TextArea::Content, u"line 250 of"_s, 0) > 0);
}

void TestConversationView::aHugeReplyIsLaidOutInPassesAndShownInPart()
{
    // Thousands of paragraphs and a table far beyond the bounds, as the newest reply.
    QString reply;
    for (int i = 0; i < 3000; ++i)
        reply += u"Paragraph %1 has **bold** and `code` in it.\n\n"_s.arg(i);
    reply += u"| a | b |\n|---|---|\n"_s + QString(u"| 1 | 2 |\n"_s).repeated(5000) + u"\nThe end.\n"_s;
    const qint64 user = m_conversation->add(message(Role::User, u"everything"_s, 0));
    m_conversation->add(message(Role::Assistant, reply, user));
    m_model->setConversation(m_conversation);
    m_view->layoutNow(); // one pass: a few milliseconds of layout, not the whole reply
    QVERIFY(!m_view->isLayoutSettled());
    const MessageLayout *layout = m_view->layoutAt(1);
    QVERIFY(layout && layout->hasPendingWork());
    QVERIFY(m_view->isPinnedToBottom());
    // The next turns of the event loop finish it, with the view still at the bottom.
    QTRY_VERIFY_WITH_TIMEOUT(m_view->isLayoutSettled(), 30000);
    QVERIFY(!layout->hasPendingWork());
    QVERIFY(m_view->isPinnedToBottom());
    QCOMPARE(m_view->rowRect(1).bottom() + 1, m_view->viewport()->height());

    // The table shows in part; Show all shows it whole.
    const BlockStack &content = layout->stack(TextArea::Content);
    QCOMPARE(content.elidedCount(), 1);
    const QRect button = content.showAllButton().translated(layout->contentOrigin());
    m_view->setPinnedToBottom(false);
    m_view->scrollTo(m_model->index(1), QAbstractItemView::PositionAtBottom);
    m_view->layoutNow();
    QTRY_VERIFY_WITH_TIMEOUT(m_view->isLayoutSettled(), 30000);
    const int y = m_view->rowRect(1).top() + button.center().y();
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->value() + y
                                          - m_view->viewport()->height() / 2);
    m_view->layoutNow();
    QTRY_VERIFY_WITH_TIMEOUT(m_view->isLayoutSettled(), 30000);
    const QPoint at =
        layout->stack(TextArea::Content).showAllButton().translated(layout->contentOrigin()).center();
    QCOMPARE(layout->hitTest(at, *m_view->rowState(1)).action, MessageAction::ShowAll);
    click(1, at);
    QVERIFY(m_view->rowState(1)->expandedBlocks.size() == 1);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->isLayoutSettled() && content.elidedCount() == 0, 30000);
    QVERIFY(content.plainText().contains(u"| 1 | 2 |\n| 1 | 2 |"_s));
}

QTEST_MAIN(TestConversationView)
#include "tst_ConversationView.moc"
