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
struct SearchHit;

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
    // Starts the search now (it otherwise starts a moment after typing stops). It runs on the
    // store's search thread; the list changes when the matches are in.
    void searchNow();
    bool isSearching() const { return m_searching; }

signals:
    // The user chose a match: open `conversationId` at `messageId`, finding `query` there.
    void openRequested(qint64 conversationId, qint64 messageId, const QString &query, bool inThinking);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void openCurrent();
    void showHits(const QList<SearchHit> &hits);

    ConversationStore *m_store;
    QLineEdit *m_field;
    QCheckBox *m_thinking;
    QLabel *m_summary;
    QListWidget *m_results;
    QTimer m_debounce;
    quint64 m_generation = 0; // of the newest search; older answers are dropped
    bool m_searching = false;
    bool m_openWhenReady = false; // Enter came before the matches: open the first one when they do
};

} // namespace moonpane
