#include "ArchiveJob.h"

#include "conversation/Conversation.h"

namespace moonpane {

ArchiveJob::ArchiveJob(Work work, std::function<void(Outcome &)> done, QObject *parent)
    : QObject(parent)
    , m_onDone(std::move(done))
{
    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, &ArchiveJob::poll);
    m_poll.start();
    m_thread = std::thread([this, work = std::move(work)] {
        Outcome outcome = work(*this);
        std::lock_guard lock(m_mutex);
        m_outcome = std::move(outcome);
    });
}

ArchiveJob::~ArchiveJob()
{
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void ArchiveJob::poll()
{
    std::optional<Outcome> outcome;
    {
        std::lock_guard lock(m_mutex);
        outcome.swap(m_outcome);
    }
    if (m_done != m_shownDone) {
        m_shownDone = m_done;
        emit progressed(m_done, m_total);
    }
    if (!outcome)
        return;
    m_poll.stop();
    if (m_thread.joinable())
        m_thread.join();
    if (m_onDone)
        m_onDone(*outcome);
    m_reported = true;
    emit finished(outcome->ok, outcome->cancelled ? QString() : outcome->error, outcome->count);
}

void ArchiveJob::waitForFinished()
{
    if (m_reported)
        return;
    if (m_thread.joinable())
        m_thread.join();
    {
        std::lock_guard lock(m_mutex);
        if (!m_outcome)
            return; // reported already by a poll that ran meanwhile
    }
    poll();
}

} // namespace moonpane
