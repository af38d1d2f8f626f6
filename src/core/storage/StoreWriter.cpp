#include "StoreWriter.h"

#include "Database.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <chrono>

using namespace Qt::StringLiterals;

namespace moonpane {

StoreWriter::StoreWriter(const QString &path)
    : m_path(path)
    , m_connection(u"moonpane-writer-%1"_s.arg(reinterpret_cast<quintptr>(this)))
{
}

StoreWriter::~StoreWriter()
{
    if (!m_thread.joinable())
        return;
    {
        // Everything queued is written first, follow-ups posted by those jobs included: the
        // thread stops only once the queue is empty.
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_work.notify_all();
    m_thread.join();
}

bool StoreWriter::start(QString *error)
{
    m_thread = std::thread([this] { run(); });
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [this] { return m_opening != Opening::Pending; });
    if (m_opening == Opening::Open)
        return true;
    if (error)
        *error = m_openError;
    lock.unlock();
    m_thread.join();
    return false;
}

qint64 StoreWriter::post(Job job)
{
    qint64 number = 0;
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
        number = ++m_posted;
    }
    m_work.notify_one();
    return number;
}

qint64 StoreWriter::committed()
{
    std::lock_guard lock(m_mutex);
    return m_done;
}

qint64 StoreWriter::posted()
{
    std::lock_guard lock(m_mutex);
    return m_posted;
}

void StoreWriter::waitFor(qint64 job)
{
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [this, job] { return m_done >= job || m_opening != Opening::Open; });
}

void StoreWriter::waitIdle()
{
    // Up to the latest post, not the one seen on entry: a job may post a follow-up (removing
    // the files of media nobody uses any more), and that is part of what was asked for.
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [this] { return m_done >= m_posted || m_opening != Opening::Open; });
}

void StoreWriter::run()
{
    {
        QString error;
        const QSqlDatabase database = Database::open(m_path, m_connection, &error);
        const bool ok = database.isValid() && database.isOpen();
        if (!ok)
            QSqlDatabase::removeDatabase(m_connection);
        {
            std::lock_guard lock(m_mutex);
            m_opening = ok ? Opening::Open : Opening::Failed;
            m_openError = error;
        }
        m_progress.notify_all();
        if (!ok)
            return;
    }
    QSqlDatabase database = QSqlDatabase::database(m_connection, false);
    const auto coalesce = std::chrono::milliseconds(kCoalesceMs);
    auto lastCommit = std::chrono::steady_clock::now() - coalesce;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work.wait(lock, [this] { return !m_queue.empty() || m_stopping; });
        if (m_queue.empty())
            break; // stopping, and nothing is left
        // Let what else arrives in the next moment share the transaction (not when stopping).
        if (!m_stopping) {
            const auto due = lastCommit + coalesce;
            m_work.wait_until(lock, due, [this] { return m_stopping; });
        }
        std::deque<Job> jobs;
        jobs.swap(m_queue);
        lock.unlock();
        write(jobs, database);
        lastCommit = std::chrono::steady_clock::now();
        lock.lock();
        m_done += static_cast<qint64>(jobs.size());
        m_progress.notify_all();
    }
    lock.unlock();
    database.close();
    database = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

void StoreWriter::write(std::deque<Job> &jobs, QSqlDatabase &database)
{
    QStringList failures;
    QString why;
    const bool transaction = Database::exec(database, u"BEGIN IMMEDIATE"_s, &why);
    if (!transaction)
        failures.append(
            QCoreApplication::translate("StoreWriter", "could not start a transaction: %1").arg(why));
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
        failures.append(QCoreApplication::translate("StoreWriter", "could not commit: %1").arg(why));
        Database::exec(database, u"ROLLBACK"_s);
    }
    for (const QString &failure : std::as_const(failures))
        emit failed(failure); // queued to the receivers' threads
}

} // namespace moonpane
