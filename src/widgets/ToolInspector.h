// ToolInspector: the tool-call tab of the Inspector dock. A list of the conversation's calls
// (round, tool, server, status, time, arguments, id; live while they stream), and the selected
// call in full: its arguments pretty-printed (and what ran, when the user edited them), what is
// wrong with them, progress, the result (selectable, copyable), structured content and images.
// Selecting a call asks for the conversation to show the message that made it.
#pragma once

#include <QSet>
#include <QUrl>
#include <QWidget>

class QImage;
class QTextBrowser;
class QTreeView;

namespace moonpane {

class ToolCallModel;
class WorkerThread;

class ToolInspector final : public QWidget
{
    Q_OBJECT

public:
    explicit ToolInspector(ToolCallModel *model, QWidget *parent = nullptr);
    void selectRow(int row);
    QTreeView *list() const { return m_list; }
    QString detailText() const;
    QTextBrowser *detail() const { return m_detail; }

signals:
    void messageActivated(qint64 messageId);

private:
    void showDetail();
    void imageDecoded(const QUrl &name, const QImage &image);

    ToolCallModel *m_model;
    QTreeView *m_list;
    QTextBrowser *m_detail;
    WorkerThread *m_worker = nullptr; // decodes the images a tool returned
    QSet<QUrl> m_decoding;
    QSet<QUrl> m_shownImages; // those the detail shows now
};

} // namespace moonpane
