// One real drag and drop from another X client, under Xvfb: moonpane-drag-source offers files
// the way a file manager does (text/uri-list over XDND) and xdotool drags them onto the window's
// conversation; the window attaches the images and video and says why the text file was not.
// Everything else about attaching is tested offscreen (tst_Attachments); this proves that the
// drop a real X server delivers (its data asked for after the drop) reaches the same code.
//
// The test starts its own Xvfb (it picks a free display itself) and runs on the xcb platform.
#include "AttachmentStrip.h"
#include "Composer.h"
#include "ConversationView.h"
#include "MainWindow.h"
#include "TestEnvironment.h"
#include "media/AttachmentModel.h"
#include "storage/Credentials.h"
#include "storage/Settings.h"

#include <QApplication>
#include <QBuffer>
#include <QImageWriter>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

namespace {

pid_t g_xvfb = 0;
int g_displayFd = -1; // kept open while Xvfb runs: it may write to it again

// Starts Xvfb on a display it chooses, and points DISPLAY at it; false when it cannot.
bool startXvfb()
{
    int pipe[2];
    if (::pipe(pipe) != 0)
        return false;
    g_xvfb = ::fork();
    if (g_xvfb == 0) {
        ::close(pipe[0]);
        const QByteArray fd = QByteArray::number(pipe[1]);
        ::execlp("Xvfb", "Xvfb", "-noreset", "-nolisten", "tcp", "-displayfd", fd.constData(), "-screen", "0",
                 "1280x800x24", static_cast<char *>(nullptr));
        ::_exit(127);
    }
    ::close(pipe[1]);
    g_displayFd = pipe[0];
    char buffer[16] = {};
    const ssize_t n = g_xvfb > 0 ? ::read(pipe[0], buffer, sizeof buffer - 1) : -1; // written once it listens
    if (n <= 0)
        return false;
    qputenv("DISPLAY", ":" + QByteArray(buffer, static_cast<int>(n)).trimmed());
    return true;
}

// Waits for it to be gone, so that its display is free for whoever comes next.
void stopXvfb()
{
    if (g_xvfb > 0) {
        ::kill(g_xvfb, SIGTERM);
        ::waitpid(g_xvfb, nullptr, 0);
    }
    if (g_displayFd >= 0)
        ::close(g_displayFd);
}

QString xdotool(const QStringList &arguments, bool *ok = nullptr)
{
    QProcess process;
    process.start(u"xdotool"_s, arguments);
    const bool finished = process.waitForFinished(10'000);
    if (ok)
        *ok = finished && process.exitCode() == 0;
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

} // namespace

class TestRealDrag : public QObject
{
    Q_OBJECT

private slots:
    void aFileManagerDragAttaches();
};

void TestRealDrag::aFileManagerDragAttaches()
{
    TestEnvironment env;
    QSettings(Settings().fileName(), QSettings::IniFormat).clear();
    qputenv("MOONPANE_API_KEY", "fake-drag-test-key");
    QImage image(120, 80, QImage::Format_RGB32);
    image.fill(qRgb(40, 120, 200));
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, "png").write(image);
    QFile clip(QStringLiteral(MOONPANE_FIXTURES_DIR "/media/clip.mp4"));
    QVERIFY(clip.open(QIODevice::ReadOnly));
    const QStringList files = {env.writeFile(u"blue.png"_s, png),
                               env.writeFile(u"clip.mp4"_s, clip.readAll()),
                               env.writeFile(u"notes.txt"_s, "words\n")};

    MainWindow window;
    window.move(300, 0);
    window.resize(900, 640);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(window.credentials(), &Credentials::changed);
    QVERIFY(window.credentials()->isLoaded() || loaded.wait(10'000));

    // Another client, offering the files; it says where it is once it is on screen.
    QProcess source;
    source.setProcessChannelMode(QProcess::SeparateChannels);
    source.start(QStringLiteral(MOONPANE_DRAG_SOURCE_PATH), files);
    QVERIFY(source.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(source.canReadLine(), 10'000);
    const QList<QByteArray> ready = source.readLine().trimmed().split(' ');
    QCOMPARE(ready.value(0), QByteArray("ready"));
    const QPoint from(ready.value(1).toInt(), ready.value(2).toInt());
    const QPoint to = window.view()->viewport()->mapToGlobal(window.view()->viewport()->rect().center());

    // Press in the source, move onto the conversation in steps, release.
    bool ok = false;
    xdotool({u"mousemove"_s, QString::number(from.x()), QString::number(from.y()), u"mousedown"_s, u"1"_s},
            &ok);
    QVERIFY(ok);
    for (int step = 1; step <= 20; ++step) {
        const QPoint at = from + (to - from) * step / 20;
        xdotool({u"mousemove"_s, QString::number(at.x()), QString::number(at.y())}, &ok);
        QVERIFY(ok);
        QTest::qWait(30); // lets the X server and both clients exchange the XDND position messages
    }
    // While the drag is over the conversation, the highlight says what a drop will do.
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QWidget *>(u"dropOverlay"_s)->isVisible(), 5'000);
    xdotool({u"mouseup"_s, u"1"_s}, &ok);
    QVERIFY(ok);

    AttachmentModel *attachments = window.attachments();
    QTRY_COMPARE_WITH_TIMEOUT(attachments->rowCount() - attachments->importing(), 2, 15'000);
    QTRY_COMPARE_WITH_TIMEOUT(attachments->importing(true), 0, 15'000);
    QCOMPARE(attachments->index(0).data(int(AttachmentModel::Roles::Name)).toString(), u"blue.png"_s);
    QCOMPARE(attachments->index(1).data(int(AttachmentModel::Roles::Name)).toString(), u"clip.mp4"_s);
    QVERIFY(window.composer()->problemText().contains(u"notes.txt"_s));
    QTRY_VERIFY_WITH_TIMEOUT(source.canReadLine(), 10'000);
    QCOMPARE(source.readLine().trimmed(), QByteArray("dropped"));
    source.kill();
    source.waitForFinished();
    qunsetenv("MOONPANE_API_KEY");
}

int main(int argc, char **argv)
{
    if (!startXvfb()) {
        std::fprintf(stderr, "FAIL: Xvfb could not be started (install xvfb)\n");
        return 1;
    }
    qputenv("QT_QPA_PLATFORM", "xcb");
    int status = 0;
    {
        QApplication app(argc, argv);
        TestRealDrag test;
        status = QTest::qExec(&test, argc, argv);
    }
    stopXvfb();
    return status;
}

#include "tst_RealDrag.moc"
