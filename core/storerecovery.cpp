#include "storerecovery.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QSet>
#include <QThread>

#include <csignal>
#include <unistd.h>

namespace jobmonitor {

namespace {

using namespace std::chrono_literals;

// Beyond the sequence's own waits: a shim reaps its job and writes its report before exiting.
constexpr std::chrono::milliseconds ShimMargin = 5s;
// After SIGKILL only uninterruptible sleep can keep a process alive.
constexpr std::chrono::milliseconds KillWait = 5s;
constexpr std::chrono::milliseconds Poll = 20ms;

bool anyAlive(const QList<ProcessIdentity> &identities) {
    for (const ProcessIdentity &identity : identities)
        if (identity.isAlive())
            return true;
    return false;
}

QList<qint64> alive(const QList<qint64> &pids) {
    QList<qint64> living;
    for (const qint64 pid : pids)
        if (processStartTime(pid))
            living << pid;
    return living;
}

// Waits until done() or the deadline.
template<typename Done>
bool waitFor(std::chrono::milliseconds limit, Done done) {
    const QDeadlineTimer deadline(limit);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QThread::msleep(ulong(Poll.count()));
    }
    return true;
}

void signalAll(const QList<qint64> &pids, int signal) {
    for (const qint64 pid : pids) {
        // A job's command leads its own process group: its background children are in it.
        if (::getpgid(pid_t(pid)) == pid)
            ::kill(-pid_t(pid), signal);
        ::kill(pid_t(pid), signal);
    }
}

} // namespace

QList<JobProcess> jobProcesses() {
    QList<JobProcess> found;
    const qint64 self = ::getpid();
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok || pid == self)
            continue;
        QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
        if (!environ.open(QIODevice::ReadOnly))
            continue;
        JobProcess process{pid, 0, {}, {}};
        for (const QByteArray &variable : environ.readAll().split('\0')) {
            if (variable.startsWith("JOBMONITOR_JOB_ID="))
                process.jobId = variable.mid(18).toLongLong();
            else if (variable.startsWith("JOBMONITOR_TRACE_ID="))
                process.traceId = QString::fromLatin1(variable.mid(20));
            else if (variable.startsWith("JOBMONITOR_OWNER="))
                process.owner = QString::fromLatin1(variable.mid(17));
        }
        if (process.jobId > 0 && processStartTime(pid)) // not a zombie
            found << process;
    }
    return found;
}

bool endJobRemains(const QList<ProcessIdentity> &shims, const QList<ProcessIdentity> &commands,
                   const QList<qint64> &processes, const TerminationSequence &termination,
                   QString *report) {
    QStringList done;
    QList<ProcessIdentity> livingShims;
    for (const ProcessIdentity &shim : shims)
        if (shim.isAlive())
            livingShims << shim;
    if (!livingShims.isEmpty()) {
        for (const ProcessIdentity &shim : std::as_const(livingShims)) {
            ::kill(pid_t(shim.pid), SIGTERM); // the shim runs the whole sequence itself
            done << QStringLiteral("its shim (pid %1) was still running: sent SIGTERM")
                        .arg(shim.pid);
        }
        if (!waitFor(termination.grace() + ShimMargin, [&] { return !anyAlive(livingShims); }))
            done << QStringLiteral("the shim did not end within the grace period");
    }

    QSet<qint64> remains;
    for (const qint64 pid : processes)
        remains.insert(pid);
    for (const ProcessIdentity &command : commands)
        if (command.isAlive())
            remains.insert(command.pid);
    for (const ProcessIdentity &shim : std::as_const(livingShims))
        if (shim.isAlive())
            remains.insert(shim.pid);
    QList<qint64> pids = alive(remains.values());
    if (!pids.isEmpty()) {
        done << QStringLiteral("%1 process(es) of it were still alive: ended with its "
                               "termination sequence")
                    .arg(pids.size());
        for (const TerminationSequence::Step &step : termination.steps) {
            signalAll(alive(pids), step.signal);
            waitFor(step.waitAfter, [&] { return alive(pids).isEmpty(); });
        }
        signalAll(alive(pids), SIGKILL);
        waitFor(KillWait, [&] { return alive(pids).isEmpty(); });
        pids = alive(pids);
        if (!pids.isEmpty())
            done << QStringLiteral("%1 process(es) survive SIGKILL").arg(pids.size());
    }
    if (report)
        *report = done.join(QStringLiteral("; "));
    return pids.isEmpty() && !anyAlive(livingShims);
}

} // namespace jobmonitor
