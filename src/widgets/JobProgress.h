// JobProgress shows a running export or import in the status bar: what it does, how far it is
// ("12 of 40 conversations", or a bar), and Cancel. It hides itself when the job ends.
#pragma once

#include "storage/ArchiveJob.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace moonpane {

class JobProgress final : public QWidget
{
    Q_OBJECT

public:
    explicit JobProgress(QWidget *parent = nullptr);

    // Follows `job` (not owned) with `what` ("Exporting", "Importing"); `unit` names its steps
    // ("conversations"), empty when they are bytes of a file.
    void track(ArchiveJob *job, const QString &what, const QString &unit);
    bool isTracking() const { return m_job != nullptr; }
    ArchiveJob *job() const { return m_job; }

private:
    void showProgress(qint64 done, qint64 total);

    QPointer<ArchiveJob> m_job;
    QString m_what;
    QString m_unit;
    QLabel *m_label;
    QProgressBar *m_bar;
    QToolButton *m_cancel;
};

} // namespace moonpane
