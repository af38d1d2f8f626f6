#include "Credentials.h"

using namespace Qt::StringLiterals;

namespace moonpane {

Credentials::Credentials(QObject *parent)
    : QObject(parent)
{
}

void Credentials::load()
{
    const QString fromEnvironment = qEnvironmentVariable(SecretStore::kApiKeyVariable).trimmed();
    if (!fromEnvironment.isEmpty()) {
        m_key = fromEnvironment;
        m_source = Source::Environment;
        emit changed(); // usable now, before the keychain answers
    }
    m_store.readApiKey([this](const SecretStore::Result &result) {
        m_keychainStatus = result.status;
        m_keychainMessage = result.message();
        if (result.ok() && m_source != Source::Environment && m_source != Source::Session) {
            m_key = result.secret.trimmed();
            m_source = Source::Keychain;
        }
        m_loaded = true;
        emit changed();
    });
}

QString Credentials::describeSource() const
{
    switch (m_source) {
    case Source::None:
        return tr("No API key is set.");
    case Source::Environment:
        return tr("Using the key from the MOONPANE_API_KEY environment variable for this session.");
    case Source::Session:
        return tr("Using a key for this session only; it is not stored.");
    case Source::Keychain:
        return tr("Using the key stored in the system keychain.");
    }
    return {};
}

void Credentials::saveToKeychain(const QString &key, const SecretStore::Callback &done)
{
    const QString trimmed = key.trimmed();
    m_store.writeApiKey(trimmed, [this, trimmed, done](const SecretStore::Result &result) {
        m_keychainStatus = result.ok() ? SecretStore::Status::Ok : result.status;
        m_keychainMessage = result.message();
        if (result.ok() && m_source != Source::Environment) {
            m_key = trimmed;
            m_source = Source::Keychain;
        }
        emit changed(); // first: what the caller's callback says stays on screen
        if (done)
            done(result);
    });
}

void Credentials::useForSession(const QString &key)
{
    if (m_source == Source::Environment)
        return;
    m_key = key.trimmed();
    m_source = m_key.isEmpty() ? Source::None : Source::Session;
    emit changed();
}

void Credentials::forget(const SecretStore::Callback &done)
{
    m_store.deleteApiKey([this, done](const SecretStore::Result &result) {
        if (result.ok()) {
            m_keychainStatus = SecretStore::Status::NotFound;
            if (m_source == Source::Keychain) {
                m_key.clear();
                m_source = Source::None;
            }
        }
        emit changed(); // first: what the caller's callback says stays on screen
        if (done)
            done(result);
    });
}

} // namespace moonpane
