// The find bar over the conversation (Ctrl+F): a field, "3 of 12", previous and next (Enter,
// Shift+Enter, F3, Shift+F3), whether to look in the thinking too, and close (Escape). It only
// edits and reports; ConversationFind finds the matches, and MainWindow moves the view.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace moonpane {

class FindBar final : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(QWidget *parent = nullptr);

    QString term() const;
    bool includeThinking() const;
    void setIncludeThinking(bool include);
    // Shows the bar with the field focused; with a term, the field holds it.
    void activate(const QString &term = {});
    // "current of total" (current 0-based; -1 with total 0: no match, or none chosen yet).
    // Not `complete`: the conversation is still being searched (its text is arriving).
    void setResult(int current, int total, bool complete = true);
    QString resultText() const;

signals:
    void changed(); // the term or include-thinking changed
    void next();
    void previous();
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLineEdit *m_field;
    QLabel *m_result;
    QToolButton *m_previous;
    QToolButton *m_next;
    QCheckBox *m_thinking;
};

} // namespace moonpane
