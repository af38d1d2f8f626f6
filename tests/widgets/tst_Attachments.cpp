// Attaching media in the window, offscreen, with real files made at test time: dropped files and
// folders (with the highlight saying what a drop will do), pasted pictures (twice the same picture
// is two attachments), the Attach button's picker; the strip (remove, reorder, preview); a video's
// first frame and length; the draft's attachments across a restart; and the request a send makes,
// checked on a real server: the text first, then each medium's exact bytes in base64, in order.
#include "AttachmentStrip.h"
#include "Composer.h"
#include "ComposerEdit.h"
#include "ConversationView.h"
#include "Dialogs.h"
#include "DropOverlay.h"
#include "FakeServer.h"
#include "MainWindow.h"
#include "MediaPreview.h"
#include "TestEnvironment.h"
#include "api/ChatClient.h"
#include "conversation/ChatSession.h"
#include "conversation/ConversationModel.h"
#include "media/AttachmentModel.h"
#include "media/ThumbnailCache.h"
#include "storage/ConversationStore.h"
#include "storage/Credentials.h"
#include "storage/Database.h"
#include "storage/Settings.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDir>
#include <QImageWriter>
#include <QJsonArray>
#include <QLabel>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray encoded(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, format).write(image);
    return bytes;
}

QImage picture(int width, int height, QRgb colour)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(colour);
    for (int x = 0; x < width; x += 7)
        image.setPixel(x, x % height, qRgb(x % 256, 40, 200)); // some detail
    return image;
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(MOONPANE_FIXTURES_DIR "/media/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QMimeData *filesMime(const QStringList &paths)
{
    auto *mime = new QMimeData;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mime->setUrls(urls);
    return mime;
}

} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void droppingFilesAttachesThemAndSaysWhatWasRefused();
    void aDragOfTextIsLeftToTheComposer();
    void pastingAPictureTwiceMakesTwoAttachments();
    void theAttachButtonPicksFiles();
    void aFolderAsksAboveAFewFiles();
    void theStripRemovesReordersAndPreviews();
    void aVideoShowsItsFirstFrameAndLength();
    void sendingCarriesTheExactBytesInOrder();
    void aDraftKeepsItsAttachmentsAcrossARestart();
    void aSentMessageShowsItsMediaAndOpensThem();
    void anOversizedRequestSaysWhyAndOffersWaysOut();
    void aVideoTooLargeForARequestNeedsTheFilesApi();

private:
    MainWindow *open();
    void close();
    bool waitImported();
    AttachmentModel *attachments() const { return m_window->attachments(); }
    QString file(const QString &name, const QByteArray &bytes) const { return m_env->writeFile(name, bytes); }

    std::unique_ptr<TestEnvironment> m_env;
    FakeServer *m_server = nullptr;
    std::unique_ptr<ConversationStore> m_store;
    MainWindow *m_window = nullptr;
};

void TestAttachments::init()
{
    m_env = std::make_unique<TestEnvironment>();
    QSettings(Settings().fileName(), QSettings::IniFormat).clear();
    m_server = new FakeServer(this);
    QVERIFY(m_server->listen());
    qputenv("MOONPANE_BASE_URL", m_server->baseUrl().toString().toUtf8());
    qputenv("MOONPANE_API_KEY", "fake-attachments-test-key");
    open();
}

void TestAttachments::cleanup()
{
    close();
    delete m_server;
    m_env.reset();
    qunsetenv("MOONPANE_BASE_URL");
    qunsetenv("MOONPANE_API_KEY");
}

MainWindow *TestAttachments::open()
{
    m_store = std::make_unique<ConversationStore>();
    QString error;
    if (!m_store->open({}, &error))
        qFatal("%s", qPrintable(error));
    m_window = new MainWindow(m_store.get());
    m_window->resize(1000, 700);
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window))
        qFatal("window not exposed");
    QSignalSpy loaded(m_window->credentials(), &Credentials::changed);
    if (!m_window->credentials()->isLoaded() && !loaded.wait(10000))
        qFatal("the keychain did not answer");
    return m_window;
}

void TestAttachments::close()
{
    delete m_window;
    m_window = nullptr;
    if (m_store)
        m_store->flush();
    m_store.reset();
}

bool TestAttachments::waitImported()
{
    QDeadlineTimer deadline(20'000);
    while (attachments()->importing(true) > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    return attachments()->importing(true) == 0;
}

void TestAttachments::droppingFilesAttachesThemAndSaysWhatWasRefused()
{
    const QStringList paths = {file(u"sunset.png"_s, encoded(picture(64, 48, qRgb(250, 120, 30)), "png")),
                               file(u"clip.mp4"_s, fixture(u"clip.mp4"_s)),
                               file(u"notes.txt"_s, "just words\n")};
    DropOverlay *overlay = m_window->dropOverlay();
    QWidget *viewport = m_window->view()->viewport();
    std::unique_ptr<QMimeData> mime(filesMime(paths));
    QVERIFY(!overlay->isVisible());
    // Over the conversation: the highlight covers it and says what a drop will do.
    QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    QVERIFY(enter.isAccepted());
    QVERIFY(overlay->isVisible());
    QCOMPARE(overlay->message(), u"Attach 3 files"_s);
    QCOMPARE(overlay->geometry(), overlay->parentWidget()->rect());
    // The drag stays with the widget that took it (the highlight is only a picture over it).
    QDragMoveEvent move(QPoint(120, 140), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(QPointF(120, 140), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &drop);
    QVERIFY(drop.isAccepted());
    QVERIFY(!overlay->isVisible());
    // The chips show at once, importing; then the two media are in and the text file is refused.
    QCOMPARE(attachments()->rowCount(), 3);
    QVERIFY(attachments()->index(0).data(int(AttachmentModel::Roles::Importing)).toBool());
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 2);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Name)).toString(), u"sunset.png"_s);
    QCOMPARE(attachments()->index(1).data(int(AttachmentModel::Roles::Name)).toString(), u"clip.mp4"_s);
    QVERIFY(attachments()->index(1).data(int(AttachmentModel::Roles::IsVideo)).toBool());
    const QString said = m_window->composer()->problemText();
    QVERIFY2(said.startsWith(u"Not attached: notes.txt"_s) && said.contains(u"not an image or a video"_s),
             qPrintable(said));
    QVERIFY(m_window->composer()->attachmentStrip()->isVisible());
    // Both files are in the media folder, under their hashes.
    const QStringList stored =
        QDir(Database::attachmentsDir(m_store->path())).entryList(QDir::Files | QDir::NoDotAndDotDot);
    QCOMPARE(stored.size(), 2);
}

void TestAttachments::aDragOfTextIsLeftToTheComposer()
{
    QMimeData text;
    text.setText(u"some words"_s);
    QDragEnterEvent enter(QPoint(20, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window->composer()->editor()->viewport(), &enter);
    QVERIFY(!m_window->dropOverlay()->isVisible());
}

void TestAttachments::pastingAPictureTwiceMakesTwoAttachments()
{
    QMimeData *mime = new QMimeData;
    mime->setData(u"image/png"_s, encoded(picture(40, 30, qRgb(30, 160, 90)), "png"));
    QApplication::clipboard()->setMimeData(mime);
    ComposerEdit *edit = m_window->composer()->editor();
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 2);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Name)).toString(), u"Pasted image 1"_s);
    QCOMPARE(attachments()->index(1).data(int(AttachmentModel::Roles::Name)).toString(), u"Pasted image 2"_s);
    const MediaRef first = attachments()->index(0).data(int(AttachmentModel::Roles::Media)).value<MediaRef>();
    const MediaRef second =
        attachments()->index(1).data(int(AttachmentModel::Roles::Media)).value<MediaRef>();
    QCOMPARE(first.hash, second.hash); // one file...
    QCOMPARE(edit->toPlainText(), QString()); // ...and nothing pasted as text
    // Files copied in a file manager paste as attachments too.
    QApplication::clipboard()->setMimeData(
        filesMime({file(u"copied.png"_s, encoded(picture(8, 8, 0xff0000ff), "png"))}));
    QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 3);
    QCOMPARE(attachments()->index(2).data(int(AttachmentModel::Roles::Name)).toString(), u"copied.png"_s);
    // Plain text still pastes as text.
    QApplication::clipboard()->setText(u"hello"_s);
    QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(edit->toPlainText(), u"hello"_s);
}

void TestAttachments::theAttachButtonPicksFiles()
{
    const QString photo = file(u"photo.jpg"_s, encoded(picture(30, 20, qRgb(10, 10, 200)), "jpeg"));
    Dialogs::setNextOpenFileNames({photo});
    QTest::mouseClick(m_window->composer()->findChild<QWidget *>(u"attachButton"_s), Qt::LeftButton);
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 1);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Name)).toString(), u"photo.jpg"_s);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Pixels)).toSize(), QSize(30, 20));
}

void TestAttachments::aFolderAsksAboveAFewFiles()
{
    const auto folder = [&](const QString &name, int images) {
        const QString dir = m_env->filePath(name);
        QDir().mkpath(dir);
        for (int i = 0; i < images; ++i)
            file(name + u"/frame-%1.png"_s.arg(i, 2, 10, QChar(u'0')),
                 encoded(picture(16, 16, qRgb(i * 10, 0, 0)), "png"));
        file(name + u"/readme.txt"_s, "not media\n");
        return dir;
    };
    const auto dropFolder = [&](const QString &dir) {
        std::unique_ptr<QMimeData> mime(filesMime({dir}));
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window->view()->viewport(), &enter);
        return m_window->dropOverlay()->message();
    };
    const auto drop = [&](const QString &dir) {
        std::unique_ptr<QMimeData> mime(filesMime({dir}));
        QSignalSpy listed(attachments(), &AttachmentModel::folderListed);
        QDropEvent event(QPointF(50, 50), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window->view()->viewport(), &event);
        return listed.wait(10'000);
    };
    // A few files: attached at once.
    const QString few = folder(u"few"_s, 3);
    QCOMPARE(dropFolder(few), u"Attach the images and videos in few"_s);
    Dialogs::takeAsked();
    QVERIFY(drop(few));
    QVERIFY(waitImported());
    QVERIFY(!Dialogs::takeAsked());
    QCOMPARE(attachments()->rowCount(), 3);
    // Many: asked first; No attaches nothing, Yes all of them (the text file left out).
    const QString many = folder(u"many"_s, 12);
    dropFolder(many);
    Dialogs::setNextAnswer(false);
    QVERIFY(drop(many));
    QVERIFY(Dialogs::takeAsked());
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 3);
    dropFolder(many);
    Dialogs::setNextAnswer(true);
    QVERIFY(drop(many));
    QVERIFY(Dialogs::takeAsked());
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 15);
    QCOMPARE(attachments()->index(3).data(int(AttachmentModel::Roles::Name)).toString(), u"frame-00.png"_s);
}

void TestAttachments::theStripRemovesReordersAndPreviews()
{
    attachments()->attachFiles({file(u"a.png"_s, encoded(picture(20, 20, 0xffff0000), "png")),
                                file(u"b.png"_s, encoded(picture(20, 20, 0xff00ff00), "png")),
                                file(u"c.png"_s, encoded(picture(20, 20, 0xff0000ff), "png"))});
    QVERIFY(waitImported());
    AttachmentStrip *strip = m_window->composer()->attachmentStrip();
    QVERIFY(strip->isVisible());
    const auto names = [&] {
        QStringList list;
        for (int row = 0; row < attachments()->rowCount(); ++row)
            list.append(attachments()->index(row).data(int(AttachmentModel::Roles::Name)).toString());
        return list;
    };
    // Drag a over c: it goes after it.
    const QPoint from = strip->chipRect(0).center();
    const QPoint to = strip->chipRect(2).center() + QPoint(AttachmentStrip::kChipWidth / 4, 0);
    QTest::mousePress(strip, Qt::LeftButton, Qt::NoModifier, from);
    for (int step = 1; step <= 10; ++step) {
        QMouseEvent move(QEvent::MouseMove, from + (to - from) * step / 10,
                         strip->mapToGlobal(from + (to - from) * step / 10), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(strip, &move);
    }
    QTest::mouseRelease(strip, Qt::LeftButton, Qt::NoModifier, to);
    QCOMPARE(names(), (QStringList {u"b.png"_s, u"c.png"_s, u"a.png"_s}));
    // The order is the draft's, saved with it.
    QCOMPARE(m_window->currentConversation()->draftMedia.at(2).original.name, u"a.png"_s);
    // Remove b with its ×.
    QTest::mouseClick(strip, Qt::LeftButton, Qt::NoModifier, strip->removeRect(0).center());
    QCOMPARE(names(), (QStringList {u"c.png"_s, u"a.png"_s}));
    // A click looks at it.
    QTest::mouseClick(strip, Qt::LeftButton, Qt::NoModifier, strip->chipRect(1).center());
    MediaPreview *preview = m_window->findChild<MediaPreview *>();
    QVERIFY(preview);
    QTRY_VERIFY_WITH_TIMEOUT(preview->hasPicture(), 10'000);
    QVERIFY2(preview->details().contains(u"20 × 20"_s), qPrintable(preview->details()));
    preview->close();
}

void TestAttachments::aVideoShowsItsFirstFrameAndLength()
{
    attachments()->attachFiles({file(u"clip.mp4"_s, fixture(u"clip.mp4"_s))});
    QVERIFY(waitImported());
    const QModelIndex video = attachments()->index(0);
    QVERIFY(video.data(int(AttachmentModel::Roles::IsVideo)).toBool());
    // The thumbnail is asked for when the strip paints; it comes from the video's first frame.
    QSignalSpy ready(m_window->thumbnails(), &ThumbnailCache::ready);
    video.data(int(AttachmentModel::Roles::Thumbnail));
    QVERIFY(ready.wait(15'000));
    const QImage frame = attachments()->index(0).data(int(AttachmentModel::Roles::Thumbnail)).value<QImage>();
    QCOMPARE(frame.size(), QSize(96, 64));
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::DurationMs)).toLongLong(), 1500);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Pixels)).toSize(), QSize(96, 64));
}

void TestAttachments::sendingCarriesTheExactBytesInOrder()
{
    const QByteArray png = encoded(picture(50, 40, qRgb(200, 30, 30)), "png");
    const QByteArray mp4 = fixture(u"clip.mp4"_s);
    attachments()->attachFiles({file(u"red.png"_s, png), file(u"clip.mp4"_s, mp4)});
    QVERIFY(waitImported());
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    ComposerEdit *edit = m_window->composer()->editor();
    edit->setFocus();
    QTest::keyClicks(edit, u"What are these?"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 10'000);
    const QJsonArray content = m_server->lastRequest()
                                   .json()
                                   .value("messages"_L1)
                                   .toArray()
                                   .last()
                                   .toObject()
                                   .value("content"_L1)
                                   .toArray();
    QCOMPARE(content.size(), 3);
    QCOMPARE(content.at(0).toObject().value("text"_L1).toString(), u"What are these?"_s);
    QCOMPARE(content.at(1).toObject().value("image_url"_L1).toObject().value("url"_L1).toString().toLatin1(),
             "data:image/png;base64," + png.toBase64());
    QCOMPARE(content.at(2).toObject().value("video_url"_L1).toObject().value("url"_L1).toString().toLatin1(),
             "data:video/mp4;base64," + mp4.toBase64());
    // The draft is empty again; the message keeps the media.
    QCOMPARE(attachments()->rowCount(), 0);
    QVERIFY(!m_window->composer()->attachmentStrip()->isVisible());
    QVERIFY(m_window->currentConversation()->draftMedia.isEmpty());
    const Message *sent = m_window->conversationModel()->peekAt(0);
    QCOMPARE(sent->parts.size(), 2);
    QCOMPARE(sent->parts.at(0).media.name, u"red.png"_s);
}

void TestAttachments::aDraftKeepsItsAttachmentsAcrossARestart()
{
    attachments()->attachFiles({file(u"keep.png"_s, encoded(picture(12, 34, qRgb(1, 2, 3)), "png"))});
    QVERIFY(waitImported());
    const qint64 id = m_window->currentConversation()->id;
    close();
    open();
    m_window->selectConversation(id);
    QCOMPARE(attachments()->rowCount(), 1);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Name)).toString(), u"keep.png"_s);
    QCOMPARE(attachments()->index(0).data(int(AttachmentModel::Roles::Pixels)).toSize(), QSize(12, 34));
    QVERIFY(m_window->composer()->attachmentStrip()->isVisible());
    QVERIFY(QFileInfo::exists(
        attachments()->index(0).data(int(AttachmentModel::Roles::Media)).value<MediaRef>().path));
}

void TestAttachments::aSentMessageShowsItsMediaAndOpensThem()
{
    attachments()->attachFiles({file(u"look.png"_s, encoded(picture(80, 60, qRgb(9, 99, 199)), "png"))});
    QVERIFY(waitImported());
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    m_window->send(u"and this?"_s);
    ChatSession *session = m_window->session(m_window->currentConversation());
    if (session->isBusy()) {
        QSignalSpy finished(session, &ChatSession::replyFinished);
        QVERIFY(finished.wait(10'000));
    }
    ConversationView *view = m_window->view();
    QTRY_VERIFY(view->isLayoutSettled());
    const MessageLayout *layout = view->layoutAt(0);
    QVERIFY(layout);
    // The tile's picture comes from the thumbnail cache; a click on it opens the preview.
    QSignalSpy activated(view, &ConversationView::mediaActivated);
    const QRect row = view->visualRect(m_window->conversationModel()->index(0, 0));
    bool found = false;
    for (int y = row.top(); y < row.bottom() && !found; y += 8) {
        for (int x = row.left(); x < row.right() && !found; x += 8) {
            if (layout->hitTest(QPoint(x, y) - row.topLeft(), {}).action == MessageAction::OpenMedia) {
                QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(x, y));
                found = true;
            }
        }
    }
    QVERIFY(found);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.at(0).at(0).value<MediaRef>().name, u"look.png"_s);
    QVERIFY(m_window->findChild<MediaPreview *>());
}

void TestAttachments::anOversizedRequestSaysWhyAndOffersWaysOut()
{
    // An earlier turn carried a 60 MB video (a sparse file: nothing reads it here); the draft adds
    // a 20 MB one. 80 MB of video is 107 MB as base64: over the API's 100 MB.
    const QString old = m_env->filePath(u"long-ago.mp4"_s);
    {
        QFile video(old);
        QVERIFY(video.open(QIODevice::WriteOnly));
        video.write(fixture(u"clip.mp4"_s));
        QVERIFY(video.resize(60'000'000));
    }
    MediaRef oldRef;
    oldRef.path = old;
    oldRef.mimeType = u"video/mp4"_s;
    oldRef.bytes = 60'000'000;
    oldRef.name = u"long-ago.mp4"_s;
    Conversation *c = m_window->currentConversation();
    Message earlier;
    earlier.role = Role::User;
    earlier.content = u"Watch this"_s;
    earlier.parts = {ContentPart::fromMedia(oldRef)};
    const qint64 earlierId = c->add(earlier);
    Message reply;
    reply.role = Role::Assistant;
    reply.content = u"Watched."_s;
    reply.parentId = earlierId;
    c->add(reply);
    const QString now = m_env->filePath(u"now.mp4"_s);
    {
        QFile video(now);
        QVERIFY(video.open(QIODevice::WriteOnly));
        video.write(fixture(u"clip.mp4"_s));
        QVERIFY(video.resize(20'000'000));
    }
    attachments()->attachFiles({now});
    QVERIFY(waitImported());
    Composer *composer = m_window->composer();
    QTRY_VERIFY(composer->budgetText().startsWith(u"This request would be"_s));
    const QString said = composer->budgetText();
    QVERIFY2(said.contains(u"long-ago.mp4 (80.0 MB, the turn before)"_s), qPrintable(said));
    QVERIFY2(said.contains(u"now.mp4"_s) && said.contains(u"this message"_s), qPrintable(said));
    QVERIFY2(said.contains(u"Leave out older media"_s), qPrintable(said));
    // Send refuses: nothing goes to the server.
    composer->setText(u"and now this"_s);
    QTest::keyClick(composer->editor(), Qt::Key_Return);
    QVERIFY(composer->problemText().contains(u"too large"_s));
    QCOMPARE(attachments()->rowCount(), 1); // nothing lost
    QCOMPARE(composer->text(), u"and now this"_s);
    QVERIFY(m_server->requests().isEmpty());
    // Leave out the older media: it fits, and says what it leaves out.
    auto *line = composer->findChild<QLabel *>(u"budget"_s);
    QVERIFY(QMetaObject::invokeMethod(line, "linkActivated", Q_ARG(QString, u"leave-out"_s)));
    QTRY_VERIFY(composer->budgetText().startsWith(u"Next request:"_s));
    QVERIFY2(composer->budgetText().contains(u"1 older attachment left out"_s),
             qPrintable(composer->budgetText()));
    QVERIFY(QFile::remove(old)); // it will not be read
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    QTest::keyClick(composer->editor(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 30'000);
    const QJsonArray messages = m_server->lastRequest().json().value("messages"_L1).toArray();
    QCOMPARE(
        messages.at(0).toObject().value("content"_L1).toArray().at(1).toObject().value("text"_L1).toString(),
        u"[video omitted: long-ago.mp4, 60.0 MB]"_s);
    QCOMPARE(
        messages.last().toObject().value("content"_L1).toArray().at(1).toObject().value("type"_L1).toString(),
        u"video_url"_s);
}

void TestAttachments::aVideoTooLargeForARequestNeedsTheFilesApi()
{
    const QString path = m_env->filePath(u"long.mp4"_s);
    {
        QFile video(path);
        QVERIFY(video.open(QIODevice::WriteOnly));
        video.write(fixture(u"clip.mp4"_s));
        QVERIFY(video.resize(80'000'000)); // 107 MB as base64
    }
    // This server has no Files API (the window asked when it opened): refused, saying why.
    QTRY_COMPARE(m_server->fileRequests().size(), 1);
    QTRY_COMPARE(m_window->client()->filesApi(), ChatClient::FilesApi::Absent);
    attachments()->attachFiles({path});
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 0);
    QVERIFY2(m_window->composer()->problemText().contains(u"no Files API"_s),
             qPrintable(m_window->composer()->problemText()));
    // One that has (Moonshot's): taken, uploaded when sent, and the request refers to it.
    m_server->setFilesApi(true);
    close();
    open();
    QTRY_COMPARE(m_window->client()->filesApi(), ChatClient::FilesApi::Available);
    attachments()->attachFiles({path});
    QVERIFY(waitImported());
    QCOMPARE(attachments()->rowCount(), 1);
    m_server->enqueue(FakeResponse::fixture(u"kimi_thinking.sse"_s));
    m_window->send(u"What happens in it?"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 30'000);
    QCOMPARE(m_server->fileRequests().last().method, QByteArray("POST"));
    const QJsonArray content = m_server->lastRequest()
                                   .json()
                                   .value("messages"_L1)
                                   .toArray()
                                   .last()
                                   .toObject()
                                   .value("content"_L1)
                                   .toArray();
    QVERIFY(content.at(1)
                .toObject()
                .value("video_url"_L1)
                .toObject()
                .value("url"_L1)
                .toString()
                .startsWith(u"ms://file-"_s));
    // Kept between runs: the store remembers the upload for this server.
    const MediaRef sent = m_window->conversationModel()->peekAt(0)->parts.at(0).media;
    QTRY_VERIFY(!m_store->uploads(m_window->client()->uploadEndpointKey()).value(sent.hash).isEmpty());
}

QTEST_MAIN(TestAttachments)
#include "tst_Attachments.moc"
