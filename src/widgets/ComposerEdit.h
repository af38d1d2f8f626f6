// The composer's text field: grows with its text up to a limit, sends on Enter (Shift+Enter
// is a new line) or, if so configured, on Ctrl+Enter (Enter is then a new line). Like GNOME, its
// caret stops blinking after a while without input, so an idle window does no work at all.
#pragma once

#include <QPlainTextEdit>
#include <QTimer>

namespace moonpane {

class ComposerEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit ComposerEdit(QWidget *parent = nullptr);

    static constexpr int kBlinkSeconds = 10;

    void setSendWithCtrlEnter(bool ctrlEnter) { m_ctrlEnter = ctrlEnter; }
    void setCaretRestInterval(int milliseconds) { m_caretRest.setInterval(milliseconds); }
    bool sendsWithCtrlEnter() const { return m_ctrlEnter; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void sendPressed();
    // A paste of files or a picture: attached, not inserted as text.
    void mediaPasted(const QMimeData *source);

protected:
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    int heightForLines(int lines) const;
    void wakeCaret();

    bool m_ctrlEnter = false;
    QTimer m_caretRest;
    int m_flashTime = 0; // the system's caret flash time while the caret rests
    static constexpr int kMaxLines = 10;
};

} // namespace moonpane
