#include "ConversationSettingsDialog.h"

#include "ParametersEditor.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>

namespace moonpane {

ConversationSettingsDialog::ConversationSettingsDialog(const QString &systemPrompt,
                                                       const std::optional<ChatParameters> &own,
                                                       const ChatParameters &defaults, QWidget *parent)
    : QDialog(parent)
    , m_prompt(new QPlainTextEdit(this))
    , m_useDefaults(new QCheckBox(tr("Use the app-wide defaults (Settings → Parameters)"), this))
    , m_editor(new ParametersEditor(this))
{
    setWindowTitle(tr("Conversation Settings"));
    m_prompt->setPlainText(systemPrompt);
    m_prompt->setPlaceholderText(tr("Instructions sent first in every request of this conversation"));
    m_prompt->setTabChangesFocus(true);
    m_prompt->setMaximumHeight(140);
    m_editor->setParameters(own.value_or(defaults));
    m_useDefaults->setChecked(!own.has_value());
    m_editor->setEnabled(own.has_value());
    connect(m_useDefaults, &QCheckBox::toggled, this, [this, defaults](bool useDefaults) {
        m_editor->setEnabled(!useDefaults);
        if (useDefaults)
            m_editor->setParameters(defaults);
    });

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_editor);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConversationSettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConversationSettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("System prompt"), this));
    layout->addWidget(m_prompt);
    layout->addSpacing(8);
    layout->addWidget(new QLabel(tr("Parameters"), this));
    layout->addWidget(m_useDefaults);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(600, 640);
}

QString ConversationSettingsDialog::systemPrompt() const
{
    return m_prompt->toPlainText();
}

std::optional<ChatParameters> ConversationSettingsDialog::parameters() const
{
    if (m_useDefaults->isChecked())
        return std::nullopt;
    return m_editor->parameters();
}

void ConversationSettingsDialog::focusSystemPrompt()
{
    m_prompt->setFocus();
}

void ConversationSettingsDialog::accept()
{
    if (!m_useDefaults->isChecked() && !m_editor->problems().isEmpty())
        return; // the editor shows what is wrong
    QDialog::accept();
}

} // namespace moonpane
