#include "WorkerThread.h"

namespace moonpane {

WorkerThread::WorkerThread(QObject *parent)
    : QObject(parent)
    , m_thread([this] { run(); })
{
}

WorkerThread::~WorkerThread()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_tasks.clear();
    }
    m_cancelled = true;
    m_wake.notify_all();
    m_thread.join();
}

void WorkerThread::post(Task task)
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
        ++m_pending;
    }
    m_wake.notify_all();
}

int WorkerThread::pending() const
{
    std::lock_guard lock(m_mutex);
    return m_pending;
}

void WorkerThread::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
        if (m_stopping)
            return;
        Task task = std::move(m_tasks.front());
        m_tasks.pop_front();
        lock.unlock();
        Then then = task();
        lock.lock();
        if (m_stopping)
            return;
        const bool first = m_results.empty();
        m_results.push_back(then ? std::move(then) : Then([] {}));
        if (first) // one poke collects all that is there by then
            QMetaObject::invokeMethod(this, &WorkerThread::collect, Qt::QueuedConnection);
    }
}

void WorkerThread::collect()
{
    std::vector<Then> results;
    {
        std::lock_guard lock(m_mutex);
        results.swap(m_results);
    }
    for (Then &then : results) {
        then();
        std::lock_guard lock(m_mutex);
        --m_pending;
    }
    if (pending() == 0)
        emit idle();
}

} // namespace moonpane
