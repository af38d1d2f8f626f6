// The app on a desktop without a Secret Service (here: no session bus at all). The first-run page
// says so, offers a key kept for this session only, and the app works with it; the key reaches no
// file.
#include "Composer.h"
#include "ComposerEdit.h"
#include "FakeServer.h"
#include "MainWindow.h"
#include "TestEnvironment.h"
#include "WelcomePage.h"
#include "conversation/ChatSession.h"
#include "storage/Credentials.h"
#include "storage/Settings.h"

#include <QCheckBox>
#include <QDirIterator>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace moonpane;
using namespace moonpane::test;
using namespace Qt::StringLiterals;

class TestNoKeychain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aSessionKeyWhenThereIsNoKeychain();

private:
    std::unique_ptr<TestEnvironment> m_env;
};

void TestNoKeychain::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    // Before anything talks to D-Bus: the bus this process would use does not exist.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + m_env->filePath(u"no-bus"_s).toUtf8());
}

void TestNoKeychain::aSessionKeyWhenThereIsNoKeychain()
{
    FakeServer server;
    QVERIFY(server.listen());
    qputenv("MOONPANE_BASE_URL", server.baseUrl().toString().toUtf8());
    MainWindow window;
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.credentials()->isLoaded(), 30000);
    QCOMPARE(window.credentials()->keychainStatus(), SecretStore::Status::NoKeychain);
    QVERIFY(window.isShowingWelcome());
    // What happened and what to do, before the user has typed anything.
    WelcomePage *welcome = window.welcomePage();
    QVERIFY2(welcome->status().startsWith(u"No system keychain is available"_s),
             qPrintable(welcome->status()));
    QVERIFY(welcome->status().contains(u"MOONPANE_API_KEY"_s));
    auto *sessionOnly = welcome->findChild<QCheckBox *>();
    QVERIFY(sessionOnly && sessionOnly->isChecked());

    // Storing it anyway fails, says why, and keeps the page (and the key typed) as they were.
    sessionOnly->setChecked(false);
    welcome->keyEdit()->setText(u"fake-session-key"_s);
    QTest::keyClick(welcome->keyEdit(), Qt::Key_Return);
    QTRY_VERIFY2_WITH_TIMEOUT(welcome->status().contains(u"only for this session"_s),
                              qPrintable(welcome->status()), 30000);
    QVERIFY(window.isShowingWelcome());
    QVERIFY(!window.credentials()->hasKey());
    QCOMPARE(welcome->keyEdit()->text(), u"fake-session-key"_s);
    QVERIFY(sessionOnly->isChecked());

    // For this session only: the app works with it.
    QTest::keyClick(welcome->keyEdit(), Qt::Key_Return);
    QVERIFY(!window.isShowingWelcome());
    QCOMPARE(window.credentials()->source(), Credentials::Source::Session);
    server.enqueue(FakeResponse::fixture(u"no_done.sse"_s));
    ComposerEdit *edit = window.composer()->editor();
    edit->setFocus();
    QTest::keyClicks(edit, u"Hello"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    ChatSession *session = window.session(window.currentConversation());
    QTRY_VERIFY_WITH_TIMEOUT(!session->isBusy(), 10000);
    QCOMPARE(server.lastRequest().header("authorization"), "Bearer fake-session-key"_ba);

    // No file under the test's directories holds the key (settings, database, anything).
    window.close();
    Settings().sync();
    QDirIterator files(m_env->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains("fake-session-key"), qPrintable(file.fileName()));
    }
}

QTEST_MAIN(TestNoKeychain)
#include "tst_NoKeychain.moc"
