// The composer under the conversation: the text field, Send (Stop while a reply streams), a
// compact row of the most used parameters (thinking, keep thinking), buttons for the system
// prompt and the conversation's parameters, room for an attachment strip, and a line for
// problems that kept a message from being sent. It also shows when a message is being edited.
#pragma once

#include "api/ChatParameters.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QToolButton;
class QCheckBox;

namespace moonpane {

class AttachmentModel;
class AttachmentStrip;
class ComposerEdit;

class Composer final : public QWidget
{
    Q_OBJECT

public:
    explicit Composer(QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text);
    void clear();
    void focusInput();
    ComposerEdit *editor() const { return m_edit; }

    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    void setSendWithCtrlEnter(bool ctrlEnter);
    // Shows the conversation's thinking settings in the compact row.
    void setThinking(ThinkingMode mode, bool keep);

    void beginEditing(qint64 messageId, const QString &text);
    void cancelEditing();
    qint64 editingMessageId() const { return m_editingId; }

    void showProblems(const QStringList &problems);
    // What could not be attached, each naming the file and why (empty: clears it).
    void showNotAttached(const QStringList &reasons);
    QString problemText() const;

    // The draft's attachments: shown in a strip above the text field; a message with only
    // attachments can be sent; pasted files and pictures are attached.
    void setAttachments(AttachmentModel *attachments);
    AttachmentStrip *attachmentStrip() const { return m_strip; }
    // A line under the strip: the size the next request will have, or why it cannot be sent
    // (rich text: its links are actions, see budgetActionRequested).
    void showBudget(const QString &html, bool over);
    QString budgetText() const;

signals:
    void sendRequested(const QString &text);
    void stopRequested();
    void thinkingChanged(bool enabled, bool keep);
    void systemPromptRequested();
    void parametersRequested();
    void editingCancelled();
    void textEdited();
    void attachRequested(); // the Attach button: pick files
    void previewRequested(int row); // an attachment was clicked
    void budgetActionRequested(const QString &action); // a link of the budget line ("leave-out", "downscale")

private:
    void submit();
    void updateSendButton();
    void resizeEvent(QResizeEvent *event) override;
    void setCompact(bool compact); // shorter labels in a narrow window

    ComposerEdit *m_edit;
    QPushButton *m_send;
    QCheckBox *m_thinking;
    QCheckBox *m_keep;
    QToolButton *m_systemPrompt;
    QToolButton *m_parameters;
    QLabel *m_editingBanner;
    QLabel *m_problems;
    QWidget *m_attachmentArea;
    QToolButton *m_attach;
    QLabel *m_budget;
    AttachmentModel *m_attachments = nullptr;
    AttachmentStrip *m_strip = nullptr;
    bool m_busy = false;
    bool m_compact = false;
    qint64 m_editingId = 0;
};

} // namespace moonpane
