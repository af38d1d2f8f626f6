#include "StoreWriter.h"

#include "Database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace moonpane {

StoreWriter::StoreWriter(const QString &path)
    : m_path(path)
    , m_connection(u"moonpane-writer-%1"_s.arg(reinterpret_cast<quintptr>(this)))
    , m_worker(new QObject)
{
    m_thread.setObjectName(u"moonpane-store-writer"_s);
    m_worker->moveToThread(&m_thread);
}

StoreWriter::~StoreWriter()
{
    if (m_thread.isRunning()) {
        waitIdle();
        QMetaObject::invokeMethod(
            m_worker,
            [this] {
                QSqlDatabase::database(m_connection, false).close();
                QSqlDatabase::removeDatabase(m_connection);
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    delete m_worker; // its thread has stopped
}

bool StoreWriter::start(QString *error)
{
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m_worker,
        [this, &ok, error] {
            const QSqlDatabase database = Database::open(m_path, m_connection, error);
            ok = database.isValid() && database.isOpen();
            if (!ok)
                QSqlDatabase::removeDatabase(m_connection);
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        m_thread.quit();
        m_thread.wait();
    }
    return ok;
}

qint64 StoreWriter::post(Job job)
{
    QMutexLocker locker(&m_mutex);
    m_queue.push_back(std::move(job));
    ++m_posted;
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(
            m_worker, [this] { drain(); }, Qt::QueuedConnection);
    }
    return m_posted;
}

qint64 StoreWriter::committed()
{
    QMutexLocker locker(&m_mutex);
    return m_done;
}

void StoreWriter::waitIdle()
{
    // Up to the latest post, not the one seen on entry: a job may post a follow-up (removing
    // the files of media nobody uses any more), and that is part of what was asked for.
    QMutexLocker locker(&m_mutex);
    while (m_done < m_posted)
        m_progress.wait(&m_mutex);
}

void StoreWriter::drain()
{
    if (m_sinceCommit.isValid() && m_sinceCommit.elapsed() < kCoalesceMs) {
        // Let what else arrives in the next moment share the transaction.
        QTimer::singleShot(kCoalesceMs - m_sinceCommit.elapsed(), m_worker, [this] { drain(); });
        return;
    }
    std::deque<Job> jobs;
    {
        QMutexLocker locker(&m_mutex);
        jobs.swap(m_queue);
        m_scheduled = false;
    }
    if (jobs.empty())
        return;
    QSqlDatabase database = QSqlDatabase::database(m_connection, false);
    QStringList failures;
    QString why;
    const bool transaction = Database::exec(database, u"BEGIN IMMEDIATE"_s, &why);
    if (!transaction)
        failures.append(u"could not start a transaction: %1"_s.arg(why));
    for (Job &job : jobs) {
        Database::exec(database, u"SAVEPOINT job"_s);
        QString error;
        if (job(database, &error)) {
            Database::exec(database, u"RELEASE job"_s);
        } else {
            Database::exec(database, u"ROLLBACK TO job"_s);
            Database::exec(database, u"RELEASE job"_s);
            failures.append(error);
        }
    }
    if (transaction && !Database::exec(database, u"COMMIT"_s, &why)) {
        failures.append(u"could not commit: %1"_s.arg(why));
        Database::exec(database, u"ROLLBACK"_s);
    }
    m_sinceCommit.start();
    {
        QMutexLocker locker(&m_mutex);
        m_done += static_cast<qint64>(jobs.size());
        m_progress.wakeAll();
    }
    for (const QString &failure : std::as_const(failures))
        emit failed(failure);
}

} // namespace moonpane
