// ArchiveJob is an export or an import of the history running on a thread of its own, with its
// own database connection, so the window never waits for it: it reports progress, can be
// cancelled (an export then leaves no file behind; an import, until it starts writing, imports
// nothing), and says at the end what happened. ConversationStore starts them (exportInBackground,
// importInBackground); its exportAll and importAll do the same work at once, for the CLI.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace moonpane {

class Conversation;

class ArchiveJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArchiveJob)

public:
    // What the thread found, handed to the UI thread when it is done.
    struct Outcome
    {
        bool ok = false;
        bool cancelled = false;
        QString error; // why it failed
        int count = 0; // conversations exported or imported
        QStringList missing; // media files that were not there (left out of an export)
        std::vector<std::unique_ptr<Conversation>> imported; // to add to the library
    };
    // The work, run on the job's thread. It reports through the job (setTotal, advance) and
    // looks at isCancelled() between steps.
    using Work = std::function<Outcome(ArchiveJob &job)>;

    // Starts `work` at once; `done` runs on this object's thread with what it found, before
    // finished() is emitted.
    ArchiveJob(Work work, std::function<void(Outcome &)> done, QObject *parent = nullptr);
    ~ArchiveJob() override; // cancels, and waits for the thread

    void cancel() { m_cancelled = true; }
    bool isCancelled() const { return m_cancelled; }
    bool isFinished() const { return m_reported; }
    // Progress in the job's own steps (conversations, or bytes read); total 0: not known yet.
    qint64 done() const { return m_done; }
    qint64 total() const { return m_total; }
    // For the work, from its thread.
    void setTotal(qint64 total) { m_total = total; }
    void advance(qint64 steps = 1) { m_done += steps; }
    void setDone(qint64 done) { m_done = done; }

    // Blocks until the job has finished and reported (tests, the CLI).
    void waitForFinished();

signals:
    void progressed(qint64 done, qint64 total);
    // ok false with an empty error: it was cancelled.
    void finished(bool ok, const QString &error, int count);

private:
    void poll(); // on this object's thread, while the job runs

    std::atomic<bool> m_cancelled {false};
    std::atomic<qint64> m_done {0};
    std::atomic<qint64> m_total {0};
    std::mutex m_mutex;
    std::optional<Outcome> m_outcome; // guarded by m_mutex
    std::function<void(Outcome &)> m_onDone;
    bool m_reported = false;
    qint64 m_shownDone = -1;
    QTimer m_poll; // progress is looked at ten times a second: nothing crosses threads but atomics
    std::thread m_thread;
};

} // namespace moonpane
