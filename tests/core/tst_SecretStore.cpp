// SecretStore against a real Secret Service: the private gnome-keyring that scripts/test starts.
#include "TestEnvironment.h"
#include "storage/SecretStore.h"

#include <QTest>

using namespace moonpane;
using namespace Qt::StringLiterals;

class TestSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void asynchronousCallbacks();
    void noKeychainIsSaidPlainly();
};

void TestSecretStore::roundTrip()
{
    SecretStore store;
    QVERIFY2(store.deleteApiKeySync().ok(), "deleting a missing key is not an error");
    const SecretStore::Result missing = store.readApiKeySync();
    QCOMPARE(missing.status, SecretStore::Status::NotFound);
    QVERIFY(!missing.message().isEmpty());

    const QString key = u"fake-roundtrip-ключ-0123456789"_s;
    const SecretStore::Result written = store.writeApiKeySync(key);
    QVERIFY2(written.ok(), qPrintable(written.message()));
    const SecretStore::Result read = store.readApiKeySync();
    QVERIFY2(read.ok(), qPrintable(read.message()));
    QCOMPARE(read.secret, key);

    QVERIFY(store.writeApiKeySync(u"fake-replaced"_s).ok());
    QCOMPARE(store.readApiKeySync().secret, u"fake-replaced"_s);

    QVERIFY(store.deleteApiKeySync().ok());
    QCOMPARE(store.readApiKeySync().status, SecretStore::Status::NotFound);
}

void TestSecretStore::asynchronousCallbacks()
{
    SecretStore store;
    bool written = false;
    store.writeApiKey(u"fake-async"_s, [&](const SecretStore::Result &result) { written = result.ok(); });
    QTRY_VERIFY(written);
    QString secret;
    store.readApiKey([&](const SecretStore::Result &result) { secret = result.secret; });
    QTRY_COMPARE(secret, u"fake-async"_s);
    QVERIFY(store.deleteApiKeySync().ok());
}

void TestSecretStore::noKeychainIsSaidPlainly()
{
    // The real case (no session bus) runs end to end in tst_cli: in this process GDBus has
    // already connected. Here, the messages QtKeychain passes on from GLib.
    using S = SecretStore::Status;
    QCOMPARE(SecretStore::classify(7, u"Could not connect: No such file or directory"_s), S::NoKeychain);
    QCOMPARE(SecretStore::classify(7, u"Cannot autolaunch D-Bus without X11 $DISPLAY"_s), S::NoKeychain);
    QCOMPARE(SecretStore::classify(
                 7, u"The name org.freedesktop.secrets was not provided by any .service files"_s),
             S::NoKeychain);
    QCOMPARE(SecretStore::classify(5, u"No keychain service available"_s), S::NoKeychain);
    QCOMPARE(SecretStore::classify(7, u"Something else broke"_s), S::Failed);
    QCOMPARE(SecretStore::classify(1, u"Entry not found"_s), S::NotFound);
    QCOMPARE(SecretStore::classify(4, u"Collection is locked"_s), S::Denied);

    SecretStore::Result result;
    result.status = S::NoKeychain;
    result.errorText = u"Could not connect"_s;
    QVERIFY(result.message().contains(u"MOONPANE_API_KEY"_s));
    QVERIFY(result.message().contains(u"never writes the key to a file"_s));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_SecretStore.moc"
