// A thread for work the UI thread must not do (reading, hashing, decoding, encoding media), one
// task at a time in the order posted. A task runs there and returns what to do with its result,
// which then runs on the thread that owns the worker, in order. Work and results pass under one
// std::mutex (which ThreadSanitizer follows); the owner's thread is only poked to collect them.
//
// Going away cancels what has not started, tells the running task to stop (cancelled()), and
// waits for it: tasks check cancelled() between pieces of their work.
#pragma once

#include <QObject>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace moonpane {

class WorkerThread final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerThread)

public:
    using Then = std::function<void()>; // runs on the owner's thread
    using Task = std::function<Then()>; // runs on the worker

    explicit WorkerThread(QObject *parent = nullptr);
    ~WorkerThread() override;

    void post(Task task);
    // Tasks posted and not yet handed back (queued, running, or their results not collected).
    int pending() const;
    // For tasks: the worker is going away.
    const std::atomic_bool &cancelled() const { return m_cancelled; }

signals:
    void idle(); // every task posted so far is done and its result handed back

private:
    void run();
    void collect();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Task> m_tasks; // guarded by m_mutex
    std::vector<Then> m_results; // guarded by m_mutex
    int m_pending = 0; // guarded by m_mutex
    bool m_stopping = false; // guarded by m_mutex
    std::atomic_bool m_cancelled {false};
    std::thread m_thread;
};

} // namespace moonpane
