// Credentials decides which API key the app uses, and says where it came from: the
// MOONPANE_API_KEY environment variable (for this session), a key entered for this session only,
// or the system keychain entry shared with moonpane-cli. The key is never written to a file.
#pragma once

#include "SecretStore.h"

#include <QObject>

namespace moonpane {

class Credentials final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Credentials)

public:
    enum class Source { None, Environment, Session, Keychain };
    Q_ENUM(Source)

    explicit Credentials(QObject *parent = nullptr);

    // Reads the environment, then the keychain (asynchronously); emits changed() when known.
    void load();
    bool isLoaded() const { return m_loaded; }

    QString key() const { return m_key; }
    bool hasKey() const { return !m_key.isEmpty(); }
    Source source() const { return m_source; }
    // The keychain's state from the last read or write, and a sentence about it.
    SecretStore::Status keychainStatus() const { return m_keychainStatus; }
    QString keychainMessage() const { return m_keychainMessage; }
    QString describeSource() const;

    // Stores the key in the keychain and uses it. `done` gets the keychain's result.
    void saveToKeychain(const QString &key, const SecretStore::Callback &done = {});
    // Uses the key until the app quits, without storing it anywhere.
    void useForSession(const QString &key);
    // Deletes the keychain entry (the environment variable, if set, still applies).
    void forget(const SecretStore::Callback &done = {});

signals:
    void changed();

private:
    SecretStore m_store;
    QString m_key;
    Source m_source = Source::None;
    SecretStore::Status m_keychainStatus = SecretStore::Status::NotFound;
    QString m_keychainMessage;
    bool m_loaded = false;
};

} // namespace moonpane
