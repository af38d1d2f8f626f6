// The first-run page, shown while no API key is available: where to get a key, a field to
// paste it, and plain words when no keychain is available (a key for this session only, or the
// MOONPANE_API_KEY environment variable; never a file).
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace moonpane {

class Credentials;

class WelcomePage final : public QWidget
{
    Q_OBJECT

public:
    explicit WelcomePage(Credentials *credentials, QWidget *parent = nullptr);

    QLineEdit *keyEdit() const { return m_key; }
    QString status() const;

signals:
    void settingsRequested();

private:
    void save();
    void refresh();

    Credentials *m_credentials;
    QLineEdit *m_key;
    QCheckBox *m_sessionOnly;
    QPushButton *m_save;
    QLabel *m_status;
};

} // namespace moonpane
