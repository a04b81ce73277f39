#pragma once

#include <QDBusConnection>
#include <QDBusUnixFileDescriptor>
#include <QObject>

namespace jobmonitor {

class JobSupervisor;
class ShutdownCoordinator;

// Holds a systemd-logind "delay" inhibitor for shutdown while jobs are active, so that a system
// shutdown or logout first waits for our supervised shutdown: on PrepareForShutdown(true) the
// coordinator starts it, and the lock is released when no job is active any more. Without a
// system bus or logind it does nothing and says so once in the log.
class LogindInhibitor : public QObject {
    Q_OBJECT
public:
    LogindInhibitor(JobSupervisor *supervisor, ShutdownCoordinator *coordinator,
                    QDBusConnection bus = QDBusConnection::systemBus(), QObject *parent = nullptr);

private Q_SLOTS:
    void onPrepareForShutdown(bool starting);

private:
    void update();
    void acquire();
    void release();
    void giveUp(const QString &why);

    JobSupervisor *m_supervisor;
    ShutdownCoordinator *m_coordinator;
    QDBusConnection m_bus;
    QDBusUnixFileDescriptor m_lock;
    bool m_available = true;
    bool m_requestPending = false;
};

} // namespace jobmonitor
