// StoreWriter does every write to the database on its own thread, with its own connection, so
// the UI thread never waits on the disk. Jobs run in the order they were posted; the jobs that
// piled up meanwhile share one transaction, each in a savepoint, so one failing job loses
// nothing else. Commits are at least kCoalesceMs apart, so that a burst of small writes (an
// import, many messages) becomes a few transactions rather than one each.
//
// The thread is a std::thread waiting on a std::condition_variable, not a QThread event loop:
// the hand-over of every job is then a mutex ThreadSanitizer sees (the tsan preset), where Qt's
// own event queue lives in an uninstrumented library.
#pragma once

#include <QObject>
#include <QSqlDatabase>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace moonpane {

class StoreWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreWriter)

public:
    static constexpr int kCoalesceMs = 4;

    // A write; returns false and says why in *error to have its savepoint rolled back.
    using Job = std::function<bool(QSqlDatabase &database, QString *error)>;

    explicit StoreWriter(const QString &path);
    ~StoreWriter() override; // writes what is queued, then stops

    // Starts the thread and opens its connection. On failure says why.
    bool start(QString *error);
    // Queues a job and returns at once, with the job's number (see committed()).
    qint64 post(Job job);
    // Blocks until everything posted is committed, follow-ups posted by those jobs included.
    void waitIdle();
    // How many jobs have been written (and committed, or failed): job n is done when this >= n.
    qint64 committed();
    // How many jobs have been posted (the number of the newest).
    qint64 posted();
    // Blocks until job n is done (or the writer stopped); for another thread that must read
    // what was written up to there.
    void waitFor(qint64 job);

signals:
    void failed(const QString &message); // a job could not be written

private:
    void run(); // the writer thread
    void write(std::deque<Job> &jobs, QSqlDatabase &database);

    QString m_path;
    QString m_connection;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_work; // jobs arrived, or stop
    std::condition_variable m_progress; // jobs done, or the connection opened
    std::deque<Job> m_queue;
    qint64 m_posted = 0;
    qint64 m_done = 0;
    bool m_stopping = false;
    enum class Opening { Pending, Open, Failed } m_opening = Opening::Pending;
    QString m_openError;
};

} // namespace moonpane
