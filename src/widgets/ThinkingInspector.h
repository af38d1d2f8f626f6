// ThinkingInspector: the Thinking tab of the Inspector dock. One turn of the conversation (the
// newest, or one picked) as a timeline: each round's reasoning with its duration and tokens,
// the tool calls and their results between rounds, the answer; a click on a step shows it in
// the conversation. The turn's figures: time thinking and answering, tokens of each (reported
// by the server, or estimated and marked so) and their rates. What Preserved Thinking (keep:
// "all") sends back with the next request and what it costs. Copy or export the turn's
// reasoning as Markdown. It follows its session only while shown.
#pragma once

#include "conversation/ThinkingTurn.h"

#include <QDialog>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>

class QComboBox;
class QLineEdit;
class QListWidget;

class QLabel;
class QPushButton;
class QTreeView;

namespace moonpane {

class ChatSession;
class ThinkingModel;
class ThinkingStrip;
class WorkerThread;

class ThinkingInspector final : public QWidget
{
    Q_OBJECT

public:
    explicit ThinkingInspector(QWidget *parent = nullptr);
    ~ThinkingInspector() override;

    void setSession(ChatSession *session);
    // How to look for words in the reasoning of the conversation shown: the store's full-text
    // search (in the background), or a scan of what is in memory. `done` gets message ids and
    // snippets with the matches wrapped in SearchHit's markers.
    struct Found
    {
        qint64 messageId = 0;
        QString snippet;
    };
    using Search = std::function<void(const QString &query, std::function<void(const QList<Found> &)> done)>;
    void setSearch(Search search) { m_search = std::move(search); }
    QLineEdit *searchField() const { return m_searchField; }
    QListWidget *searchResults() const { return m_searchResults; }
    // The conversation changed (a message added or streaming, a branch switched): shown soon.
    void refreshLater();
    void refresh();
    // Shows the turn that `messageId` belongs to.
    void showTurnOf(qint64 messageId);

    ThinkingModel *model() const { return m_model; }
    QTreeView *list() const { return m_list; }
    QComboBox *turns() const { return m_turns; }
    QLabel *statsLabel() const { return m_stats; }
    QLabel *preservedLabel() const { return m_preserved; }
    ThinkingStrip *strip() const { return m_strip; }
    QString markdown() const;
    void copyMarkdown();
    void exportMarkdown();
    // Opens the comparison of this turn with another branch of it (a regenerated reply, or the
    // reply to an edited question): reasoning and answer side by side, the differences marked.
    void compare();
    QDialog *compareDialog() const { return m_compareDialog; }

signals:
    void messageActivated(qint64 messageId);
    void status(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void fillTurns();

    QPointer<ChatSession> m_session;
    ThinkingModel *m_model;
    QComboBox *m_turns;
    QPushButton *m_copy;
    QPushButton *m_export;
    QPushButton *m_compare;
    QPointer<QDialog> m_compareDialog;
    QLabel *m_stats;
    ThinkingStrip *m_strip;
    QTreeView *m_list;
    QLabel *m_preserved;
    QLineEdit *m_searchField;
    QListWidget *m_searchResults;
    Search m_search;
    quint64 m_searchTicket = 0;
    void searchNow();
    QTimer m_refresh;
    WorkerThread *m_worker = nullptr;
    qint64 m_pinnedTurn = 0; // a turn the user picked; 0: the newest
};

// The turn as one bar: reasoning, tool calls, results and the answer in order, each as wide as
// its share of the turn's time (tool steps a fixed sliver); a click names the step's message.
class ThinkingStrip final : public QWidget
{
    Q_OBJECT

public:
    explicit ThinkingStrip(QWidget *parent = nullptr);
    void setTurn(const ThinkingTurn &turn);
    // Where each step is drawn (for clicks and tests).
    QList<QRect> stepRects() const;
    QSize sizeHint() const override;

signals:
    void stepClicked(int index);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    ThinkingTurn m_turn;
};

} // namespace moonpane
