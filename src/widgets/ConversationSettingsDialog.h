// A conversation's own settings: its system prompt and, unless it follows the app-wide
// defaults, its request parameters.
#pragma once

#include "api/ChatParameters.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QPlainTextEdit;

namespace moonpane {

class ParametersEditor;

class ConversationSettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    ConversationSettingsDialog(const QString &systemPrompt, const std::optional<ChatParameters> &own,
                               const ChatParameters &defaults, QWidget *parent = nullptr);

    QString systemPrompt() const;
    std::optional<ChatParameters> parameters() const; // nullopt: follow the defaults
    void focusSystemPrompt();
    ParametersEditor *editor() const { return m_editor; }
    QCheckBox *useDefaultsCheck() const { return m_useDefaults; }

public slots:
    void accept() override;

private:
    QPlainTextEdit *m_prompt;
    QCheckBox *m_useDefaults;
    ParametersEditor *m_editor;
};

} // namespace moonpane
