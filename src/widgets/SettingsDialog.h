// SettingsDialog (ui/SettingsDialog.ui): the account (base URL, API key kept in the keychain,
// model list from /v1/models, a connection test), the app-wide request parameters, and chat
// preferences (send key, thinking, prices, timeouts). Values from MOONPANE_BASE_URL and
// MOONPANE_API_KEY are shown as in effect for this session.
#pragma once

#include <QDialog>

#include <memory>

namespace Ui {
class SettingsDialog;
}

class QSpinBox;

namespace moonpane {

class Credentials;
class ServiceProbe;
class Settings;
struct Endpoint;

class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(Settings *settings, Credentials *credentials, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    void showTab(const QString &name); // "account", "parameters", "chat" or "tools"
    // The MCP servers as they run now (Settings → Tools shows their state and log).
    void setMcpServers(const QList<class McpClient *> &servers);
    class ToolsSettingsPage *toolsPage() const { return m_toolsPage; }
    QString testResult() const; // for tests

public slots:
    void accept() override;
    void testConnection();
    void refreshModels();

signals:
    void saved();

private:
    void load();
    void updateKeyStatus();
    void updateInsecureChoice();
    Endpoint endpoint() const;

    std::unique_ptr<Ui::SettingsDialog> ui;
    Settings *m_settings;
    Credentials *m_credentials;
    QSpinBox *m_imageEdge; // media: images scaled down to this longest edge
    QSpinBox *m_mediaTurns; // media of how many earlier turns a request sends again
    class ToolsSettingsPage *m_toolsPage; // Settings → Tools
    ServiceProbe *m_probe;
};

} // namespace moonpane
