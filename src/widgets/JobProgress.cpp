#include "JobProgress.h"

#include "storage/ArchiveJob.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

namespace moonpane {

JobProgress::JobProgress(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("jobProgress"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    m_bar->setMaximumWidth(160);
    m_bar->setTextVisible(false);
    layout->addWidget(m_bar);
    m_cancel->setObjectName(QStringLiteral("jobCancel"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop it; nothing is left half-written"));
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_job) {
            m_job->cancel();
            m_cancel->setEnabled(false);
            m_label->setText(tr("Cancelling…"));
        }
    });
    hide();
}

void JobProgress::track(ArchiveJob *job, const QString &what, const QString &unit)
{
    m_job = job;
    m_what = what;
    m_unit = unit;
    m_cancel->setEnabled(true);
    connect(job, &ArchiveJob::progressed, this, &JobProgress::showProgress);
    connect(job, &ArchiveJob::finished, this, [this] {
        m_job = nullptr;
        hide();
    });
    showProgress(0, 0);
    show();
}

void JobProgress::showProgress(qint64 done, qint64 total)
{
    if (!m_cancel->isEnabled())
        return; // "Cancelling…" until it has stopped
    if (total <= 0) {
        m_bar->setRange(0, 0); // busy, no figure yet
        m_label->setText(tr("%1…").arg(m_what));
        return;
    }
    // A bar of at most 1000 steps, whatever the unit (bytes of a large file overflow an int).
    m_bar->setRange(0, 1000);
    m_bar->setValue(static_cast<int>(done * 1000 / total));
    m_label->setText(m_unit.isEmpty() ? tr("%1… %2%").arg(m_what).arg(done * 100 / total)
                                      : tr("%1… %2 of %3 %4").arg(m_what).arg(done).arg(total).arg(m_unit));
}

} // namespace moonpane
