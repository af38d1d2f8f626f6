// WireInspector: the Wire tab of the Inspector dock. Every request of the conversation (round,
// model, status, time, bytes up and down) and, for the one selected: the request (headers with
// the key redacted, the body as indented JSON with media named, searchable), the response
// (status, headers, a body as it came next to the one-line message), the stream (a timeline of
// first byte, first reasoning, content and tool-call token and the end; every received line with
// its milliseconds, comments and keep-alives included, malformed ones flagged) beside the
// assembled reply. Copy as curl, Copy raw stream, Save as .sse, Edit & resend.
//
// It follows the conversation's WireRecorder only while it is shown: closed, it costs nothing.
// Bodies are indented, read and written on a worker thread.
#pragma once

#include "api/RequestBody.h"
#include "api/WireRecorder.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QTabWidget;
class QTreeView;

namespace moonpane {

class WireExchangeModel;
class WireLineModel;
class WireTimeline;
class WorkerThread;

class WireInspector final : public QWidget
{
    Q_OBJECT

public:
    explicit WireInspector(QWidget *parent = nullptr);
    ~WireInspector() override;

    // The conversation's recorder (null: none). Followed while the tab is shown.
    void setRecorder(WireRecorder *recorder);
    WireRecorder *recorder() const { return m_recorder; }
    void selectRow(int row);

    QTreeView *list() const { return m_list; }
    QTableView *lines() const { return m_lines; }
    QPlainTextEdit *requestText() const { return m_request; }
    QPushButton *showMediaButton() const { return m_showMedia; }
    static constexpr qint64 kMaxShownBody = qint64(16) << 20; // with media in full
    QPlainTextEdit *responseText() const { return m_response; }
    QPlainTextEdit *resultText() const { return m_result; }
    QLabel *errorLabel() const { return m_error; }
    WireTimeline *timeline() const { return m_timeline; }
    WireExchangeModel *exchangeModel() const { return m_exchanges; }
    WireLineModel *lineModel() const { return m_lineModel; }

    // The actions (buttons; public for tests). Copy as curl and Save read media on a worker.
    void copyAsCurl();
    void copyRawStream();
    void saveStream();
    void editAndResend();

signals:
    void messageActivated(qint64 messageId);
    // Edit & resend: send `body` for a new reply beside `messageId`.
    void resendRequested(qint64 messageId, const moonpane::RequestBody &body, bool stream,
                         const QString &model);
    void status(const QString &message);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void follow(bool on);
    void showSelected();
    void refreshSelected(qint64 id); // what a change of the selected request changes
    const WireExchange *selected() const;
    WorkerThread *worker();

    QPointer<WireRecorder> m_recorder;
    WireExchangeModel *m_exchanges;
    WireLineModel *m_lineModel;
    QTreeView *m_list;
    QTabWidget *m_tabs;
    QLineEdit *m_find;
    QPlainTextEdit *m_request;
    QLabel *m_error;
    QPlainTextEdit *m_response;
    WireTimeline *m_timeline;
    QSplitter *m_beside = nullptr; // the lines and the assembled reply
    QTableView *m_lines;
    QPlainTextEdit *m_result;
    QPushButton *m_curl;
    QPushButton *m_raw;
    QPushButton *m_save;
    QPushButton *m_resend;
    QPushButton *m_showMedia; // the request's media in full, on demand
    WorkerThread *m_worker = nullptr;
    qint64 m_shownId = 0;
    quint64 m_requestTicket = 0; // the newest request text asked of the worker
    bool m_following = false;
};

// The strip above the lines: when the first byte, the first reasoning, content and tool-call
// token came, and the end, on one time axis.
class WireTimeline final : public QWidget
{
    Q_OBJECT

public:
    struct Mark
    {
        QString label;
        qint64 ms = -1;
    };
    explicit WireTimeline(QWidget *parent = nullptr);
    void setMarks(const QList<Mark> &marks, qint64 endMs);
    const QList<Mark> &marks() const { return m_marks; }
    QSize sizeHint() const override;
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    // The marks with the end, and where each one's legend entry goes at `width`.
    QList<Mark> legend() const;
    QList<QRect> legendPlaces(const QList<Mark> &legend, int width) const;

    QList<Mark> m_marks;
    qint64 m_endMs = -1;
};

} // namespace moonpane
