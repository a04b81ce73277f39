#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include <chrono>

namespace jobmonitor::test {

// Path of the real application binary, built beside the tests.
QString jobmonitorPath();

// The jobs every way out must end: a plain sleeper, one ignoring SIGTERM, one with a
// background grandchild in its group, one with an escapee in its own session, one trapping
// SIGTERM that writes a marker after a short cleanup, and one stopped with SIGSTOP. Each
// writes its pids into its own file under dir.
class FaultMatrix {
public:
    explicit FaultMatrix(const QString &dir);

    // "--job", <command>, ... for the jobmonitor command line.
    QStringList jobArguments() const;
    // The shell commands themselves (for a baseline that runs the same jobs).
    QStringList commands() const { return m_commands; }
    // Waits until every job has written all of its pids; false on timeout.
    bool waitUntilStarted(std::chrono::milliseconds timeout) const;
    QList<qint64> pids() const;
    QString marker() const { return m_marker; }
    bool markerWritten() const;

private:
    struct Entry {
        QString pidFile;
        int pidCount;
    };
    QList<Entry> m_entries;
    QStringList m_commands;
    QString m_marker;
};

// Runs jobmonitor with arguments, its stdout and stderr kept apart.
void startJobmonitor(QProcess &process, const QStringList &arguments);

// Starts a private dbus-daemon with config listening on socketPath; returns its address, or
// an empty string when it did not come up (its stderr says why).
QString startPrivateBus(QProcess &daemon, const QString &config, const QString &socketPath);

// The window (offscreen) on the bus at busAddress, with its state in stateDir.
void startWindowOnBus(QProcess &window, const QString &busAddress, const QString &stateDir,
                      const QStringList &arguments);

// Ends the window, if it runs, as a desktop session would (SIGTERM; SIGKILL after 30 s) and
// returns its pid, to be proven dead with the jobs' pids.
QList<qint64> endWindow(QProcess &window);

// The descriptors of pid beyond 0, 1 and 2 that lack close-on-exec ("4 -> /path"), read from
// /proc/<pid>/fdinfo: what a child of pid would inherit.
QStringList inheritableDescriptors(qint64 pid);

// Sends signalNumber to the process and returns how long it took to exit, or -1 ms when it
// did not within limit.
std::chrono::milliseconds signalAndTimeExit(QProcess &process, int signalNumber,
                                            std::chrono::milliseconds limit);

} // namespace jobmonitor::test
