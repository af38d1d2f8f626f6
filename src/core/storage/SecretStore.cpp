#include "SecretStore.h"

#include <QEventLoop>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace moonpane {

namespace {

SecretStore::Result resultOf(const QKeychain::Job *job)
{
    SecretStore::Result result;
    result.errorText = job->errorString();
    result.status = SecretStore::classify(job->error(), result.errorText);
    return result;
}

// A job owns itself and goes once it has finished: deleting one while the Secret Service is still
// answering crashes QtKeychain's libsecret backend. Its answer reaches the store only while the
// store exists (the connections below use the store as their context).
template<typename JobType> JobType *makeJob()
{
    auto *job = new JobType(QLatin1String(SecretStore::kService));
    job->setKey(QLatin1String(SecretStore::kApiKeyEntry));
    job->setAutoDelete(true);
    return job;
}

SecretStore::Result waitFor(const std::function<void(SecretStore::Callback)> &start)
{
    SecretStore::Result result;
    QEventLoop loop;
    start([&](const SecretStore::Result &r) {
        result = r;
        loop.quit();
    });
    loop.exec();
    return result;
}

} // namespace

QString SecretStore::Result::message() const
{
    switch (status) {
    case Status::Ok:
        return {};
    case Status::NotFound:
        return tr("No API key is stored yet.");
    case Status::NoKeychain:
        return tr("No system keychain is available (%1). Moonpane never writes the key to a file: use the "
                  "MOONPANE_API_KEY environment variable, or a key kept for this session only.")
            .arg(errorText);
    case Status::Denied:
        return tr("The system keychain refused access (%1). Unlock it and try again.").arg(errorText);
    case Status::Failed:
        return tr("The system keychain failed: %1").arg(errorText);
    }
    return errorText;
}

SecretStore::Status SecretStore::classify(int keychainError, const QString &errorText)
{
    switch (static_cast<QKeychain::Error>(keychainError)) {
    case QKeychain::NoError:
        return Status::Ok;
    case QKeychain::EntryNotFound:
        return Status::NotFound;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return Status::NoKeychain;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Status::Denied;
    case QKeychain::CouldNotDeleteEntry:
        return Status::Failed;
    case QKeychain::OtherError:
        break;
    }
    // On Linux, QtKeychain passes GLib's own errors on as OtherError: when there is no session
    // bus or no Secret Service on it, the message is all that tells it apart.
    static const char *const unreachable[] = {
        "D-Bus", "DBus", "Could not connect", "org.freedesktop.secrets", "No keychain service", "autolaunch"};
    for (const char *marker : unreachable) {
        if (errorText.contains(QLatin1String(marker), Qt::CaseInsensitive))
            return Status::NoKeychain;
    }
    return Status::Failed;
}

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
{
}

void SecretStore::readApiKey(Callback done)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>();
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        Result result = resultOf(job);
        if (result.ok()) {
            result.secret = job->textData();
            if (result.secret.isEmpty())
                result.status = Status::NotFound;
        }
        done(result);
    });
    job->start();
}

void SecretStore::writeApiKey(const QString &key, Callback done)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>();
    job->setTextData(key);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] { done(resultOf(job)); });
    job->start();
}

void SecretStore::deleteApiKey(Callback done)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>();
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        Result result = resultOf(job);
        if (result.status == Status::NotFound)
            result.status = Status::Ok; // already gone
        done(result);
    });
    job->start();
}

SecretStore::Result SecretStore::readApiKeySync()
{
    return waitFor([this](Callback done) { readApiKey(std::move(done)); });
}

SecretStore::Result SecretStore::writeApiKeySync(const QString &key)
{
    return waitFor([this, &key](Callback done) { writeApiKey(key, std::move(done)); });
}

SecretStore::Result SecretStore::deleteApiKeySync()
{
    return waitFor([this](Callback done) { deleteApiKey(std::move(done)); });
}

} // namespace moonpane
