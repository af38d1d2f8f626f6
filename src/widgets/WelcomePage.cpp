#include "WelcomePage.h"

#include "storage/Credentials.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace moonpane {

WelcomePage::WelcomePage(Credentials *credentials, QWidget *parent)
    : QWidget(parent)
    , m_credentials(credentials)
    , m_key(new QLineEdit(this))
    , m_sessionOnly(new QCheckBox(tr("Only for this session (do not store the key)"), this))
    , m_save(new QPushButton(tr("Save key"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("welcomePage"));
    auto *title = new QLabel(tr("Welcome to Moonpane"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    auto *intro = new QLabel(
        tr("Moonpane talks to Kimi K2.6 through Anyfast's OpenAI-compatible API. To start, you need an API "
           "key: "
           "sign in at <a href=\"https://www.anyfast.ai\">anyfast.ai</a>, create a key in your dashboard and "
           "paste it here. It is stored in your system keychain, never in a file."),
        this);
    intro->setWordWrap(true);
    intro->setOpenExternalLinks(true);
    intro->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("API key"));
    m_key->setObjectName(QStringLiteral("welcomeKey"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *settings = new QPushButton(tr("Other server or settings…"), this);
    settings->setFlat(true);

    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_save);

    auto *column = new QVBoxLayout;
    column->setSpacing(12);
    column->addWidget(title);
    column->addWidget(intro);
    column->addLayout(keyRow);
    column->addWidget(m_sessionOnly);
    column->addWidget(m_status);
    column->addWidget(settings, 0, Qt::AlignLeft);

    // Centred between stretches (not with an alignment flag, which would deny the wrapped
    // labels their height for the width they get).
    auto *content = new QWidget(this);
    content->setLayout(column);
    content->setMaximumWidth(560);
    content->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(content, 100);
    row->addStretch(1);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(24, 24, 24, 24);
    outer->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);

    connect(m_save, &QPushButton::clicked, this, &WelcomePage::save);
    connect(m_key, &QLineEdit::returnPressed, this, &WelcomePage::save);
    connect(m_key, &QLineEdit::textChanged, this,
            [this] { m_save->setEnabled(!m_key->text().trimmed().isEmpty()); });
    connect(settings, &QPushButton::clicked, this, &WelcomePage::settingsRequested);
    connect(m_credentials, &Credentials::changed, this, &WelcomePage::refresh);
    m_save->setEnabled(false);
    refresh();
}

QString WelcomePage::status() const
{
    return m_status->text();
}

void WelcomePage::refresh()
{
    const SecretStore::Status keychain = m_credentials->keychainStatus();
    if (m_credentials->isLoaded() && keychain != SecretStore::Status::Ok
        && keychain != SecretStore::Status::NotFound) {
        m_status->setText(m_credentials->keychainMessage());
        m_sessionOnly->setChecked(true);
    }
}

void WelcomePage::save()
{
    const QString key = m_key->text().trimmed();
    if (key.isEmpty())
        return;
    if (m_sessionOnly->isChecked()) {
        m_credentials->useForSession(key);
        m_key->clear();
        return;
    }
    m_save->setEnabled(false);
    m_status->setText(tr("Saving to the keychain…"));
    m_credentials->saveToKeychain(key, [this](const SecretStore::Result &result) {
        m_save->setEnabled(true);
        if (result.ok()) {
            m_status->clear();
            m_key->clear();
            return;
        }
        m_status->setText(result.message() + QLatin1Char('\n')
                          + tr("Tick “only for this session” to use the key without storing it."));
        m_sessionOnly->setChecked(true);
    });
}

} // namespace moonpane
