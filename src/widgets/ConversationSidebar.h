// The sidebar: a New chat button, the conversations by last activity (rename in place with F2
// or the context menu; delete with undo), and the undo bar after a delete.
#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;
class QListView;
class QPushButton;

namespace moonpane {

class ConversationListModel;

class ConversationSidebar final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kUndoSeconds = 10;

    explicit ConversationSidebar(ConversationListModel *model, QWidget *parent = nullptr);

    void setCurrent(qint64 id);
    qint64 current() const;
    QListView *list() const { return m_list; }
    void rename(qint64 id); // starts in-place editing
    void showUndo(const QString &title);
    void hideUndo();
    bool isUndoVisible() const;

signals:
    void newRequested();
    void selected(qint64 id);
    void deleteRequested(qint64 id);
    void undoRequested();
    void undoExpired(); // the undo bar went away without Undo

private:
    ConversationListModel *m_model;
    QListView *m_list;
    QWidget *m_undoBar;
    QLabel *m_undoLabel;
    QTimer m_undoTimer;
};

} // namespace moonpane
