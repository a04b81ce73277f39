#pragma once

#include <QDBusConnection>
#include <QDBusUnixFileDescriptor>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace jobmonitor {

class JobSupervisor;
class ShutdownCoordinator;

// Holds a systemd-logind "delay" inhibitor for shutdown while jobs are active, so that a system
// shutdown or logout first waits for our supervised shutdown: on PrepareForShutdown(true) the
// coordinator starts it, and the lock is released when no job is active any more. Without a
// system bus or logind it does nothing and says so once in the log.
//
// logind waits for a delay lock only InhibitDelayMaxUSec (5 s unless configured), often less
// than a job's grace period; past it the system goes down and kills whatever is left, with no
// termination sequence. So on PrepareForShutdown(true), when a job's grace is longer than what
// logind allows less a safety margin, the shutdown is forced (SIGKILL to every job) at that
// point: every job has ended, and the lock is released, before logind's deadline.
class LogindInhibitor : public QObject {
    Q_OBJECT
public:
    LogindInhibitor(JobSupervisor *supervisor, ShutdownCoordinator *coordinator,
                    QDBusConnection bus = QDBusConnection::systemBus(), QObject *parent = nullptr);

    // logind's own default InhibitDelayMaxSec, assumed when the property cannot be read.
    static constexpr std::chrono::milliseconds DefaultDelayMax{5000};
    // When, after PrepareForShutdown, jobs still running are killed: what logind allows less a
    // tenth of it (at least 100 ms, at most 1 s) for the kill, the reaping and the release.
    static std::chrono::milliseconds killDeadline(std::chrono::milliseconds allowed);

private Q_SLOTS:
    void onPrepareForShutdown(bool starting);

private:
    void update();
    void acquire();
    void release();
    void giveUp(const QString &why);
    void readDelayMax();

    JobSupervisor *m_supervisor;
    ShutdownCoordinator *m_coordinator;
    QDBusConnection m_bus;
    QDBusUnixFileDescriptor m_lock;
    std::optional<std::chrono::milliseconds> m_delayMax; // InhibitDelayMaxUSec, once read
    QTimer m_deadline;
    bool m_available = true;
    bool m_requestPending = false;
};

} // namespace jobmonitor
