#include "SettingsDialog.h"

#include "ToolsSettingsPage.h"
#include "api/Endpoint.h"
#include "api/ServiceProbe.h"
#include "storage/Credentials.h"
#include "storage/Settings.h"
#include "ui_SettingsDialog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>

using namespace Qt::StringLiterals;

namespace moonpane {

SettingsDialog::SettingsDialog(Settings *settings, Credentials *credentials, QWidget *parent)
    : QDialog(parent)
    , ui(std::make_unique<Ui::SettingsDialog>())
    , m_settings(settings)
    , m_credentials(credentials)
    , m_probe(new ServiceProbe(this))
{
    ui->setupUi(this);
    ui->parametersEditor->setModelRowVisible(false); // the model is chosen on the Account tab
    // Media, on the Chat tab, after "Show the model's thinking".
    m_imageEdge = new QSpinBox(this);
    m_imageEdge->setObjectName(u"imageEdgeSpin"_s);
    const auto [edgeMin, edgeMax] = Settings::range(Settings::Key::ImageMaxEdge);
    m_imageEdge->setRange(edgeMin, edgeMax);
    m_imageEdge->setSingleStep(256);
    m_imageEdge->setSuffix(tr(" px on the longest edge"));
    m_imageEdge->setSpecialValueText(tr("As attached (never scaled)"));
    m_imageEdge->setToolTip(tr("Attached images larger than this are sent scaled down; each attachment can "
                               "still be sent as the original (its menu in the strip)."));
    m_mediaTurns = new QSpinBox(this);
    m_mediaTurns->setObjectName(u"mediaTurnsSpin"_s);
    const auto [turnsMin, turnsMax] = Settings::range(Settings::Key::MediaHistoryTurns);
    m_mediaTurns->setRange(turnsMin, turnsMax);
    m_mediaTurns->setPrefix(tr("The last "));
    m_mediaTurns->setSuffix(tr(" turns"));
    m_mediaTurns->setSpecialValueText(tr("All that fit"));
    m_mediaTurns->setToolTip(
        tr("Every request sends the whole conversation again, pictures and videos "
           "included. Media of older turns are replaced by a line saying what they were."));
    ui->chatForm->insertRow(2, tr("Images"), m_imageEdge);
    ui->chatForm->insertRow(3, tr("Resend media of"), m_mediaTurns);
    m_toolsPage = new ToolsSettingsPage;
    auto *toolsScroll = new QScrollArea(this);
    toolsScroll->setObjectName(u"toolsTab"_s);
    toolsScroll->setWidget(m_toolsPage);
    toolsScroll->setWidgetResizable(true);
    toolsScroll->setFrameShape(QFrame::NoFrame);
    ui->tabs->addTab(toolsScroll, tr("Tools"));
    connect(ui->buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(ui->buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(ui->testButton, &QPushButton::clicked, this, &SettingsDialog::testConnection);
    connect(ui->refreshModelsButton, &QPushButton::clicked, this, &SettingsDialog::refreshModels);
    connect(ui->showKeyButton, &QToolButton::toggled, this, [this](bool show) {
        ui->apiKeyEdit->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
        ui->showKeyButton->setText(show ? tr("Hide") : tr("Show"));
    });
    connect(ui->forgetKeyButton, &QPushButton::clicked, this, [this] {
        m_credentials->forget([this](const SecretStore::Result &result) {
            ui->keyStatusLabel->setText(result.ok() ? tr("The stored key was deleted from the keychain.")
                                                    : result.message());
        });
    });
    connect(m_credentials, &Credentials::changed, this, &SettingsDialog::updateKeyStatus);
    connect(ui->baseUrlEdit, &QLineEdit::textChanged, this, &SettingsDialog::updateInsecureChoice);
    // The spin boxes take exactly what Settings accepts: a value edited into the file beyond
    // it is clamped when read, and the note says so.
    const auto setRange = [](QSpinBox *spin, Settings::Key key) {
        const auto [minimum, maximum] = Settings::range(key);
        spin->setRange(minimum, maximum);
    };
    setRange(ui->contextSpin, Settings::Key::ContextWindowTokens);
    setRange(ui->connectTimeoutSpin, Settings::Key::ConnectTimeoutSeconds);
    setRange(ui->idleTimeoutSpin, Settings::Key::IdleTimeoutSeconds);
    setRange(ui->maxReplySpin, Settings::Key::MaxReplyMegabytes);
    const auto [connectMin, connectMax] = Settings::range(Settings::Key::ConnectTimeoutSeconds);
    const auto [idleMin, idleMax] = Settings::range(Settings::Key::IdleTimeoutSeconds);
    const auto [replyMin, replyMax] = Settings::range(Settings::Key::MaxReplyMegabytes);
    ui->limitsNote->setText(
        tr("The connect timeout runs from %1 to %2 s and the silence timeout (time without an event; "
           "keep-alives do not count) from %3 to %4 s. A reply longer than the limit (%5 to %6 MB) is "
           "stopped and kept as incomplete. Values outside these ranges in moonpane.ini are clamped.")
            .arg(connectMin)
            .arg(connectMax)
            .arg(idleMin)
            .arg(idleMax)
            .arg(replyMin)
            .arg(replyMax));
    load();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::showTab(const QString &name)
{
    for (int i = 0; i < ui->tabs->count(); ++i) {
        if (ui->tabs->widget(i)->objectName().startsWith(name))
            ui->tabs->setCurrentIndex(i);
    }
}

QString SettingsDialog::testResult() const
{
    return ui->testResultLabel->text();
}

void SettingsDialog::load()
{
    m_toolsPage->load(ToolSettings::fromJson(
        QJsonDocument::fromJson(m_settings->value(Settings::Key::Tools).toString().toUtf8()).object()));
    const bool environmentUrl = Settings::baseUrlFromEnvironment();
    ui->baseUrlEdit->setText(environmentUrl ? m_settings->effectiveBaseUrl()
                                            : m_settings->value(Settings::Key::BaseUrl).toString());
    ui->baseUrlEdit->setReadOnly(environmentUrl);
    ui->baseUrlNote->setText(environmentUrl
                                 ? tr("Set by MOONPANE_BASE_URL for this session (the saved value is %1).")
                                       .arg(m_settings->value(Settings::Key::BaseUrl).toString())
                                 : tr("Requests go to <base URL>/v1/chat/completions."));
    ui->modelCombo->setCurrentText(m_settings->value(Settings::Key::Model).toString());
    ui->parametersEditor->setParameters(m_settings->defaultParameters());
    ui->sendKeyCombo->setCurrentIndex(m_settings->value(Settings::Key::SendWithCtrlEnter).toBool() ? 1 : 0);
    ui->showThinkingCheck->setChecked(m_settings->value(Settings::Key::ShowThinking).toBool());
    ui->priceInputSpin->setValue(m_settings->value(Settings::Key::PriceInputPerMillion).toDouble());
    ui->priceCachedSpin->setValue(m_settings->value(Settings::Key::PriceCachedInputPerMillion).toDouble());
    ui->priceOutputSpin->setValue(m_settings->value(Settings::Key::PriceOutputPerMillion).toDouble());
    ui->contextSpin->setValue(m_settings->value(Settings::Key::ContextWindowTokens).toInt());
    m_imageEdge->setValue(m_settings->number(Settings::Key::ImageMaxEdge));
    m_mediaTurns->setValue(m_settings->number(Settings::Key::MediaHistoryTurns));
    ui->connectTimeoutSpin->setValue(m_settings->number(Settings::Key::ConnectTimeoutSeconds));
    ui->idleTimeoutSpin->setValue(m_settings->number(Settings::Key::IdleTimeoutSeconds));
    ui->maxReplySpin->setValue(m_settings->number(Settings::Key::MaxReplyMegabytes));
    ui->allowInsecureCheck->setChecked(m_settings->endpoint().allowInsecure);
    updateInsecureChoice();
    updateKeyStatus();
}

void SettingsDialog::updateInsecureChoice()
{
    // Only a plain http:// URL to a host beyond loopback needs the user's consent.
    const QUrl url(ui->baseUrlEdit->text().trimmed());
    const bool insecure = url.isValid() && Endpoint::isInsecure(url);
    ui->allowInsecureCheck->setVisible(insecure);
    if (insecure) {
        ui->allowInsecureCheck->setText(tr("Allow unencrypted http:// to %1").arg(url.host()));
        ui->allowInsecureCheck->setToolTip(
            tr("The API key and every message would cross the network in the clear, readable by anyone "
               "on the way. Use https:// unless you trust the network to %1.")
                .arg(url.host()));
        const QString allowed = m_settings->value(Settings::Key::InsecureHost).toString();
        ui->allowInsecureCheck->setChecked(!allowed.isEmpty()
                                           && allowed.compare(url.host(), Qt::CaseInsensitive) == 0);
    }
}

void SettingsDialog::updateKeyStatus()
{
    const bool environment = m_credentials->source() == Credentials::Source::Environment;
    ui->apiKeyEdit->setEnabled(!environment);
    ui->sessionOnlyCheck->setEnabled(!environment);
    QString status = m_credentials->describeSource();
    if (m_credentials->hasKey() && m_credentials->key().size() > 8)
        status += tr(" (ends in …%1)").arg(m_credentials->key().right(4));
    if (m_credentials->keychainStatus() == SecretStore::Status::NoKeychain
        || m_credentials->keychainStatus() == SecretStore::Status::Denied
        || m_credentials->keychainStatus() == SecretStore::Status::Failed) {
        status += u"\n"_s + m_credentials->keychainMessage();
        ui->sessionOnlyCheck->setChecked(true);
    }
    ui->keyStatusLabel->setText(status);
    ui->forgetKeyButton->setEnabled(m_credentials->source() == Credentials::Source::Keychain);
}

Endpoint SettingsDialog::endpoint() const
{
    Endpoint endpoint;
    endpoint.baseUrl = QUrl(ui->baseUrlEdit->text().trimmed());
    const QString typed = ui->apiKeyEdit->text().trimmed();
    endpoint.apiKey = typed.isEmpty() ? m_credentials->key() : typed;
    endpoint.connectTimeout = std::chrono::seconds(ui->connectTimeoutSpin->value());
    endpoint.idleTimeout = std::chrono::seconds(ui->idleTimeoutSpin->value());
    endpoint.maxReplyBytes = qint64(ui->maxReplySpin->value()) << 20;
    endpoint.allowInsecure = Endpoint::isInsecure(endpoint.baseUrl) && ui->allowInsecureCheck->isChecked();
    return endpoint;
}

void SettingsDialog::testConnection()
{
    const Endpoint target = endpoint();
    if (!target.baseUrl.isValid() || target.baseUrl.host().isEmpty()) {
        ui->testResultLabel->setText(tr("The base URL is not a valid http(s) URL."));
        return;
    }
    if (target.apiKey.isEmpty()) {
        ui->testResultLabel->setText(tr("Enter an API key first."));
        return;
    }
    ui->testButton->setEnabled(false);
    ui->testResultLabel->setText(tr("Testing…"));
    m_probe->test(target, ui->modelCombo->currentText().trimmed(),
                  [this](const ServiceProbe::TestResult &result) {
                      ui->testButton->setEnabled(true);
                      ui->testResultLabel->setText(result.message());
                  });
}

void SettingsDialog::refreshModels()
{
    ui->refreshModelsButton->setEnabled(false);
    m_probe->listModels(endpoint(), [this](const QStringList &models, const ApiError &error) {
        ui->refreshModelsButton->setEnabled(true);
        if (error.isError()) {
            ui->testResultLabel->setText(tr("Could not list the models: %1").arg(error.summary()));
            return;
        }
        const QString current = ui->modelCombo->currentText();
        ui->modelCombo->clear();
        ui->modelCombo->addItems(models);
        ui->modelCombo->setCurrentText(current);
        ui->testResultLabel->setText(
            tr("The server lists %n model(s).", nullptr, static_cast<int>(models.size())));
    });
}

void SettingsDialog::setMcpServers(const QList<McpClient *> &servers)
{
    m_toolsPage->setServers(servers);
}

void SettingsDialog::accept()
{
    const QStringList problems = ui->parametersEditor->problems();
    if (!problems.isEmpty()) {
        showTab(u"parameters"_s);
        return; // the editor shows what is wrong
    }
    if (const QStringList toolProblems = m_toolsPage->problems(); !toolProblems.isEmpty()) {
        showTab(u"tools"_s);
        m_toolsPage->showProblems(toolProblems); // on the page, as the parameters editor does
        return;
    }
    m_settings->setValue(
        Settings::Key::Tools,
        QString::fromUtf8(QJsonDocument(m_toolsPage->settings().toJson()).toJson(QJsonDocument::Compact)));
    if (!Settings::baseUrlFromEnvironment())
        m_settings->setValue(Settings::Key::BaseUrl, ui->baseUrlEdit->text().trimmed());
    ChatParameters parameters = ui->parametersEditor->parameters();
    parameters.model = ui->modelCombo->currentText().trimmed();
    if (parameters.model.isEmpty())
        parameters.model = QLatin1String(ChatParameters::kDefaultModel);
    m_settings->setDefaultParameters(parameters);
    m_settings->setValue(Settings::Key::SendWithCtrlEnter, ui->sendKeyCombo->currentIndex() == 1);
    m_settings->setValue(Settings::Key::ShowThinking, ui->showThinkingCheck->isChecked());
    m_settings->setValue(Settings::Key::PriceInputPerMillion, ui->priceInputSpin->value());
    m_settings->setValue(Settings::Key::PriceCachedInputPerMillion, ui->priceCachedSpin->value());
    m_settings->setValue(Settings::Key::PriceOutputPerMillion, ui->priceOutputSpin->value());
    m_settings->setValue(Settings::Key::ContextWindowTokens, ui->contextSpin->value());
    m_settings->setValue(Settings::Key::ImageMaxEdge, m_imageEdge->value());
    m_settings->setValue(Settings::Key::MediaHistoryTurns, m_mediaTurns->value());
    m_settings->setValue(Settings::Key::ConnectTimeoutSeconds, ui->connectTimeoutSpin->value());
    m_settings->setValue(Settings::Key::IdleTimeoutSeconds, ui->idleTimeoutSpin->value());
    m_settings->setValue(Settings::Key::MaxReplyMegabytes, ui->maxReplySpin->value());
    const QUrl url(ui->baseUrlEdit->text().trimmed());
    if (Endpoint::isInsecure(url) && ui->allowInsecureCheck->isChecked())
        m_settings->setValue(Settings::Key::InsecureHost, url.host());
    else
        m_settings->remove(Settings::Key::InsecureHost); // consent is for one host, taken back when unticked
    m_settings->sync();

    const QString key = ui->apiKeyEdit->text().trimmed();
    if (key.isEmpty() || m_credentials->source() == Credentials::Source::Environment) {
        emit saved();
        QDialog::accept();
        return;
    }
    if (ui->sessionOnlyCheck->isChecked()) {
        m_credentials->useForSession(key);
        emit saved();
        QDialog::accept();
        return;
    }
    // The dialog closes only once the keychain has the key; otherwise it says why and stays.
    ui->buttons->setEnabled(false);
    m_credentials->saveToKeychain(key, [this](const SecretStore::Result &result) {
        ui->buttons->setEnabled(true);
        if (!result.ok()) {
            showTab(u"account"_s);
            ui->keyStatusLabel->setText(
                result.message() + u"\n"_s
                + tr("Tick “for this session only” to use the key without storing it."));
            ui->sessionOnlyCheck->setChecked(true);
            return;
        }
        ui->apiKeyEdit->clear();
        emit saved();
        QDialog::accept();
    });
}

} // namespace moonpane
