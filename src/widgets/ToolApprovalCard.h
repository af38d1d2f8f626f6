// ToolApprovalCard: the calls of a turn that wait for the user, at the end of the conversation
// just above the composer. For each call: the tool, its server or "answered by you", what is
// wrong with its arguments, and the full arguments, pretty-printed and editable; Run (Edit & run
// once they were changed), Deny, "Allow for this conversation" and "Always"; a manual tool gets a field
// for its answer instead. Run all, Deny all and Stop act on the whole round. Nothing here runs
// anything by itself: every button goes to the ToolRunner.
#pragma once

#include <QFrame>
#include <QHash>
#include <QPointer>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QVBoxLayout;

namespace moonpane {

class ToolRunner;

class ToolApprovalCard final : public QFrame
{
    Q_OBJECT

public:
    explicit ToolApprovalCard(QWidget *parent = nullptr);
    // The runner of the conversation on screen (nullptr: none); the card shows its waiting calls.
    void setRunner(ToolRunner *runner);
    // The rows on the card, in order (tests, screenshots); decided ones are hidden, not removed,
    // until the round is over.
    QList<int> rows() const { return m_rows; }
    QPlainTextEdit *argumentsEditor(int row) const;
    QPlainTextEdit *answerEditor(int row) const;

signals:
    void stopRequested();
    void inspectRequested(int row);
    // "Always" was ticked for this tool as it was run: the choice is the app's, saved.
    void alwaysAllowRequested(const QString &tool);

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void restyle();
    QWidget *callWidget(int row);
    // What the ticks beside a call say, as it is run.
    void applyChoices(int row);
    void updateTitle(const QList<int> &waiting);

    QPointer<ToolRunner> m_runner;
    QLabel *m_title;
    QPushButton *m_runAll;
    QPushButton *m_denyAll;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_calls;
    QVBoxLayout *m_callsLayout;
    QList<int> m_rows;
    QHash<int, QPlainTextEdit *> m_arguments;
    QHash<int, QPlainTextEdit *> m_answers;
    QHash<int, QCheckBox *> m_allow;
    QHash<int, QCheckBox *> m_always;
    QHash<int, QWidget *> m_widgets;
};

} // namespace moonpane
