// StoreWriter does every write to the database on its own thread, with its own connection, so
// the UI thread never waits on the disk. Jobs run in the order they were posted; the jobs that
// piled up meanwhile share one transaction, each in a savepoint, so one failing job loses
// nothing else. Commits are at least kCoalesceMs apart, so that a burst of small writes (an
// import, many messages) becomes a few transactions rather than one each.
#pragma once

#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QThread>
#include <QWaitCondition>

#include <deque>
#include <functional>

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

signals:
    void failed(const QString &message); // a job could not be written

private:
    void drain(); // on the writer thread

    QString m_path;
    QString m_connection;
    QThread m_thread;
    QObject *m_worker; // lives on m_thread; jobs run in its context
    QMutex m_mutex;
    QWaitCondition m_progress;
    std::deque<Job> m_queue;
    qint64 m_posted = 0;
    qint64 m_done = 0;
    bool m_scheduled = false;
    QElapsedTimer m_sinceCommit; // writer thread only
};

} // namespace moonpane
