#pragma once

#include <QString>

#include <optional>

namespace jobmonitor {

// A process as it can be recognised again later, from another process: a pid alone can be
// reused, but a pid with its start time (clock ticks after boot, /proc/PID/stat field 22) on
// the same boot (/proc/sys/kernel/random/boot_id) names one process only.
struct ProcessIdentity {
    qint64 pid = 0;
    quint64 startTime = 0;
    QString bootId;

    // This process.
    static ProcessIdentity self();
    // Process pid (a zombie too: it keeps its identity until reaped), or nullopt when there
    // is none.
    static std::optional<ProcessIdentity> of(qint64 pid);

    // The process still runs: same boot, same pid, same start time, not a zombie.
    bool isAlive() const;
    // "PID-STARTTIME": names the process on this boot (the JOBMONITOR_OWNER of its jobs).
    QString tag() const { return QStringLiteral("%1-%2").arg(pid).arg(startTime); }
    bool operator==(const ProcessIdentity &) const = default;
};

QString currentBootId();
// Field 22 of /proc/PID/stat; nullopt when the process does not exist. A zombie has ended: it
// counts only when *zombie is given, which then says so.
std::optional<quint64> processStartTime(qint64 pid, bool *zombie = nullptr);

} // namespace jobmonitor
