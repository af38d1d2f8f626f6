// Search across all conversations (Ctrl+Shift+F): a field, whether to search the thinking too,
// and the matches newest first, each with its conversation's title, its date and a snippet with
// the matched words marked. Enter or a double click opens the conversation at the message.
#pragma once

#include <QDialog>
#include <QTimer>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace moonpane {

class ConversationStore;

class SearchDialog final : public QDialog
{
    Q_OBJECT

public:
    SearchDialog(ConversationStore *store, QWidget *parent = nullptr);

    // Shows the dialog with the field focused and its text selected.
    void activate();
    QString query() const;
    bool includeThinking() const;
    int resultCount() const;
    // Runs the search now (it otherwise runs a moment after typing stops).
    void searchNow();

signals:
    // The user chose a match: open `conversationId` at `messageId`, finding `query` there.
    void openRequested(qint64 conversationId, qint64 messageId, const QString &query, bool inThinking);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void openCurrent();

    ConversationStore *m_store;
    QLineEdit *m_field;
    QCheckBox *m_thinking;
    QLabel *m_summary;
    QListWidget *m_results;
    QTimer m_debounce;
};

} // namespace moonpane
