#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>

namespace jobmonitor {

class JobSupervisor;

// Every way out of the application (window close, Ctrl+Q, SIGINT/SIGTERM/SIGHUP, the session
// manager, logind) ends here, in one supervised shutdown. The first request starts
// JobSupervisor::shutdown() and fixes the exit status; any further request forces SIGKILL.
// The event loop keeps running until the shutdown completes; only then is
// QCoreApplication::exit() called with the first request's status.
class ShutdownCoordinator : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool shuttingDown READ isShuttingDown NOTIFY shuttingDownChanged)
    Q_PROPERTY(bool forced READ isForced NOTIFY forcedChanged)
public:
    explicit ShutdownCoordinator(JobSupervisor *supervisor, QObject *parent = nullptr);

    // why: "window closed", "SIGTERM", ...; exitStatus: 0 after a user quit, 128 + signal
    // after a signal.
    void requestShutdown(const QString &why, int exitStatus);
    // Skips the grace period of a running shutdown (starting one if none runs).
    void forceNow(const QString &why);

    // Extra time past the largest grace period of the jobs being stopped before a shutdown
    // that has not completed is forced (a safety net: the supervisor itself sends SIGKILL when
    // a grace period ends).
    static constexpr std::chrono::milliseconds overrunMargin{1000};

    // The largest grace period among the jobs not yet ended: what stopping them may take.
    std::chrono::milliseconds largestGrace() const;

    bool isShuttingDown() const { return m_shuttingDown; }
    bool isForced() const { return m_forced; }
    int exitStatus() const { return m_exitStatus; }

Q_SIGNALS:
    void shuttingDownChanged();
    void forcedChanged();
    // Emitted just before QCoreApplication::exit(exitStatus).
    void finished(int exitStatus);

private:
    void onShutdownCompleted();

    JobSupervisor *m_supervisor;
    QTimer m_overrun;
    bool m_shuttingDown = false;
    bool m_forced = false;
    int m_exitStatus = 0;
};

} // namespace jobmonitor
