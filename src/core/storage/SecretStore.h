// SecretStore is the one way to the API key: the OS keychain through QtKeychain (the Secret
// Service on Linux), under one entry shared by the app and the CLI. Jobs are asynchronous and
// their errors are reported, never papered over: there is no plaintext fallback.
#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace moonpane {

class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    static constexpr auto kService = "moonpane";
    static constexpr auto kApiKeyEntry = "api-key";
    // The environment variable that overrides the keychain for a session.
    static constexpr auto kApiKeyVariable = "MOONPANE_API_KEY";

    enum class Status {
        Ok,
        NotFound, // no key stored yet
        NoKeychain, // no Secret Service / keychain is running
        Denied, // the keychain is locked or the user refused
        Failed,
    };
    Q_ENUM(Status)

    struct Result
    {
        Status status = Status::Failed;
        QString secret; // on a successful read
        QString errorText; // the keychain's own words, for details
        bool ok() const { return status == Status::Ok; }
        // A sentence for a user: what happened and what to do.
        QString message() const;
    };
    using Callback = std::function<void(const Result &)>;

    explicit SecretStore(QObject *parent = nullptr);

    void readApiKey(Callback done);
    void writeApiKey(const QString &key, Callback done);
    void deleteApiKey(Callback done);

    // What a QtKeychain error code and message mean for a user.
    static Status classify(int keychainError, const QString &errorText);

    // Waits for the job in a local event loop (for the CLI and tests).
    Result readApiKeySync();
    Result writeApiKeySync(const QString &key);
    Result deleteApiKeySync();
};

} // namespace moonpane
