#include "Composer.h"

#include "AttachmentStrip.h"
#include "ComposerEdit.h"
#include "media/AttachmentModel.h"

#include <QBoxLayout>
#include <QCheckBox>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QTextDocumentFragment>
#include <QToolButton>

namespace moonpane {

Composer::Composer(QWidget *parent)
    : QWidget(parent)
    , m_edit(new ComposerEdit(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_thinking(new QCheckBox(tr("Thinking"), this))
    , m_keep(new QCheckBox(tr("Keep thinking"), this))
    , m_systemPrompt(new QToolButton(this))
    , m_parameters(new QToolButton(this))
    , m_editingBanner(new QLabel(this))
    , m_problems(new QLabel(this))
    , m_attachmentArea(new QWidget(this))
    , m_attach(new QToolButton(this))
    , m_budget(new QLabel(this))
{
    setObjectName(QStringLiteral("composer"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_systemPrompt->setText(tr("System prompt…"));
    m_systemPrompt->setAutoRaise(true);
    m_parameters->setText(tr("Parameters…"));
    m_parameters->setAutoRaise(true);
    m_thinking->setToolTip(tr("Let the model think before it answers (thinking.type)"));
    m_keep->setToolTip(
        tr("Send earlier turns' thinking back to the model (thinking.keep = \"all\"); billed as context"));
    m_editingBanner->setVisible(false);
    m_editingBanner->setWordWrap(true);
    m_problems->setVisible(false);
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_problems->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problems->setPalette(palette);
    m_attachmentArea->setVisible(false);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setText(tr("Attach…"));
    m_attach->setAutoRaise(true);
    m_attach->setToolTip(tr("Attach images or videos (or drop them here, or paste them)"));
    m_attach->setEnabled(false); // until there is somewhere to attach to
    m_budget->setObjectName(QStringLiteral("budget"));
    m_budget->setVisible(false);
    m_budget->setWordWrap(true);
    m_budget->setTextFormat(Qt::RichText);
    m_budget->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(m_budget, &QLabel::linkActivated, this, &Composer::budgetActionRequested);
    m_send->setDefault(false);
    m_send->setAutoDefault(false);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_attach);
    row->addWidget(m_thinking);
    row->addWidget(m_keep);
    row->addWidget(m_systemPrompt);
    row->addWidget(m_parameters);
    row->addStretch(1);
    row->addWidget(m_send);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 10);
    layout->setSpacing(4);
    layout->addWidget(m_editingBanner);
    layout->addWidget(m_problems);
    layout->addWidget(m_attachmentArea);
    layout->addWidget(m_budget);
    layout->addWidget(m_edit);
    layout->addLayout(row);

    connect(m_edit, &ComposerEdit::sendPressed, this, &Composer::submit);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        updateSendButton();
        emit textEdited();
    });
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_busy)
            emit stopRequested();
        else
            submit();
    });
    connect(m_thinking, &QCheckBox::toggled, this, [this](bool on) {
        m_keep->setEnabled(on);
        emit thinkingChanged(on, on && m_keep->isChecked());
    });
    connect(m_keep, &QCheckBox::toggled, this,
            [this](bool keep) { emit thinkingChanged(m_thinking->isChecked(), keep); });
    connect(m_attach, &QToolButton::clicked, this, &Composer::attachRequested);
    connect(m_systemPrompt, &QToolButton::clicked, this, &Composer::systemPromptRequested);
    connect(m_parameters, &QToolButton::clicked, this, &Composer::parametersRequested);
    updateSendButton();
}

QString Composer::text() const
{
    return m_edit->toPlainText();
}

void Composer::setText(const QString &text)
{
    m_edit->setPlainText(text);
    m_edit->moveCursor(QTextCursor::End);
}

void Composer::clear()
{
    m_edit->clear();
}

void Composer::focusInput()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
}

void Composer::setBusy(bool busy)
{
    m_busy = busy;
    updateSendButton();
}

void Composer::updateSendButton()
{
    if (m_busy) {
        m_send->setText(tr("Stop"));
        m_send->setToolTip(tr("Stop generating (Esc)"));
        m_send->setEnabled(true);
    } else {
        m_send->setText(m_editingId ? tr("Resend") : tr("Send"));
        m_send->setToolTip(m_edit->sendsWithCtrlEnter() ? tr("Send (Ctrl+Enter)") : tr("Send (Enter)"));
        const bool media = m_attachments && m_attachments->rowCount() > m_attachments->importing();
        m_send->setEnabled(!m_edit->toPlainText().trimmed().isEmpty() || media);
    }
}

void Composer::setSendWithCtrlEnter(bool ctrlEnter)
{
    m_edit->setSendWithCtrlEnter(ctrlEnter);
    m_edit->setPlaceholderText(ctrlEnter ? tr("Message Kimi (Ctrl+Enter to send)")
                                         : tr("Message Kimi (Enter to send, Shift+Enter for a new line)"));
    updateSendButton();
}

void Composer::setThinking(ThinkingMode mode, bool keep)
{
    const QSignalBlocker thinkingBlocker(m_thinking);
    const QSignalBlocker keepBlocker(m_keep);
    const bool on = mode != ThinkingMode::Disabled;
    m_thinking->setChecked(on);
    m_keep->setChecked(on && keep);
    m_keep->setEnabled(on);
}

void Composer::beginEditing(qint64 messageId, const QString &text)
{
    m_editingId = messageId;
    m_editingBanner->setText(tr("Editing a message: send to resend it as a new branch; Esc cancels."));
    m_editingBanner->setVisible(true);
    setText(text);
    focusInput();
    updateSendButton();
}

void Composer::cancelEditing()
{
    if (!m_editingId)
        return;
    m_editingId = 0;
    m_editingBanner->setVisible(false);
    clear();
    updateSendButton();
    emit editingCancelled();
}

void Composer::showProblems(const QStringList &problems)
{
    m_problems->setText(problems.isEmpty() ? QString()
                                           : tr("Not sent: %1").arg(problems.join(QStringLiteral("; "))));
    m_problems->setVisible(!problems.isEmpty());
}

void Composer::showNotAttached(const QStringList &reasons)
{
    m_problems->setText(reasons.isEmpty() ? QString()
                                          : tr("Not attached: %1").arg(reasons.join(QStringLiteral("; "))));
    m_problems->setVisible(!reasons.isEmpty());
}

void Composer::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    setCompact(width() < 620);
}

void Composer::setCompact(bool compact)
{
    if (compact == m_compact)
        return;
    m_compact = compact;
    m_thinking->setText(compact ? tr("Think") : tr("Thinking"));
    m_keep->setText(compact ? tr("Keep") : tr("Keep thinking"));
    m_systemPrompt->setText(compact ? tr("Prompt…") : tr("System prompt…"));
    m_parameters->setText(compact ? tr("Params…") : tr("Parameters…"));
}

void Composer::setAttachments(AttachmentModel *attachments)
{
    m_attachments = attachments;
    m_strip = new AttachmentStrip(attachments, m_attachmentArea);
    auto *layout = new QVBoxLayout(m_attachmentArea);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_strip);
    m_attach->setEnabled(true);
    const auto changed = [this] {
        m_attachmentArea->setVisible(m_attachments->rowCount() > 0);
        updateSendButton();
    };
    connect(attachments, &QAbstractItemModel::rowsInserted, this, changed);
    connect(attachments, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(attachments, &QAbstractItemModel::modelReset, this, changed);
    connect(m_strip, &AttachmentStrip::previewRequested, this, &Composer::previewRequested);
    connect(m_edit, &ComposerEdit::mediaPasted, attachments, &AttachmentModel::attach);
    changed();
}

void Composer::showBudget(const QString &html, bool over)
{
    m_budget->setText(html);
    m_budget->setVisible(!html.isEmpty());
    QPalette palette = m_budget->palette();
    palette.setColor(QPalette::WindowText,
                     over ? QColor(0xc6, 0x28, 0x28) : this->palette().color(QPalette::PlaceholderText));
    m_budget->setPalette(palette);
}

QString Composer::budgetText() const
{
    return m_budget->isHidden() ? QString() : QTextDocumentFragment::fromHtml(m_budget->text()).toPlainText();
}

QString Composer::problemText() const
{
    return m_problems->isHidden() ? QString() : m_problems->text();
}

void Composer::submit()
{
    if (m_busy)
        return;
    const QString text = m_edit->toPlainText();
    const bool media = m_attachments && m_attachments->rowCount() > 0;
    if (text.trimmed().isEmpty() && !media)
        return;
    emit sendRequested(text);
}

} // namespace moonpane
