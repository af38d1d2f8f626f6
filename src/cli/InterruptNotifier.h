// Turns SIGINT and SIGTERM into a Qt signal (through a self-pipe), so that a saved reply can be
// stopped cleanly: the session stops, the reply is saved as incomplete, and the CLI exits.
// While it exists the default handlers are replaced; they come back when it is destroyed.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace moonpane::cli {

class InterruptNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InterruptNotifier)

public:
    explicit InterruptNotifier(QObject *parent = nullptr);
    ~InterruptNotifier() override;

signals:
    void interrupted();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace moonpane::cli
