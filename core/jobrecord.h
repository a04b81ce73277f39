#pragma once

#include "jobspec.h"
#include "jobstate.h"
#include "learnedtimeout.h"
#include "processidentity.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace jobmonitor {

class Job;

// Value records of what the store keeps (jobstore.h) and what front ends read through the
// JobService: a job with its spec and its outcome so far, its attempts, its transitions.
// A live job of this process gives the same record (JobRecord::fromJob), so a front end
// shows live and stored jobs alike.

struct AttemptRecord {
    qint64 jobId = 0;
    int attempt = 0;
    QString traceId;
    QDateTime startedAt;
    QDateTime endedAt; // null while it runs
    // "Exited", "Signalled", "FailedToStart", "Lost" (AttemptOutcome::Kind) or "Interrupted"
    // (its owner died); empty while it runs.
    QString outcome;
    std::optional<int> exitCode;
    std::optional<int> signal;
    QString error;
    QString description; // AttemptResult::describe()
    int stragglers = 0;
    int killedProcesses = 0;
    int killedEscapees = 0;
    QString outputDirectory;   // empty: the output was not saved
    QString outputError;       // why saving it stopped, if it did
    qint64 outputBytes = 0;    // saved, once it ended
    QDateTime outputRemovedAt; // retention removed the files
    // What its processes used (AttemptResult); unknown for an attempt that runs or never ran.
    std::optional<qint64> peakRssBytes;
    std::optional<qint64> cpuTimeMs;
    // What to check after a crash: the attempt's supervising process (the shim) and its
    // command's main process.
    std::optional<ProcessIdentity> supervisor;
    std::optional<ProcessIdentity> command;
};

struct JobRecord {
    qint64 id = 0;
    JobSpec spec;
    JobState state = JobState::Pending;
    int attempts = 0;            // attempts started over the job's whole life
    std::optional<int> exitCode; // of the last attempt
    std::optional<int> signal;
    QString error; // why the last attempt failed to start or was lost
    QString outputError;
    QDateTime createdAt;
    QDateTime startedAt;     // null until it first ran
    QDateTime endedAt;       // null until it reached a final state
    QString traceId;         // of the last attempt
    QString outputDirectory; // of the last attempt, empty when not saved
    // What the last attempt's processes used, once it ended (AttemptRecord).
    std::optional<qint64> peakRssBytes;
    std::optional<qint64> cpuTimeMs;
    LearnedTiming timing; // what the history said when the job was added
    QString timeoutNote;  // for a timeout of `auto`: what was learned, or why none
    bool live = false;    // a job of this process's engine (the rest come from the store)
    // Its place in its group's queue while it waits for a slot (smaller: sooner); empty when
    // it does not wait for one. spec.priority is the job's priority now.
    std::optional<qint64> queueOrder;

    std::optional<qint64> durationMs() const;
    QString label() const { return spec.label(); }

    static JobRecord fromJob(const Job &job);
};

// Which stored jobs to read, newest first (by creation time, then id). Pages are read by
// keyset: pass the last record of one page as `after` for the next, so that any page costs
// the same however deep it is.
struct JobQuery {
    QList<JobState> states; // empty: any
    QString search;         // a substring of the command or the name, case-insensitive
    QDateTime since;        // created at or after; null: any time
    int limit = -1;         // -1: all
    struct Cursor {
        QDateTime createdAt;
        qint64 id = 0;
    };
    std::optional<Cursor> after;

    static Cursor cursorOf(const JobRecord &record) { return {record.createdAt, record.id}; }
};

struct TransitionRecord {
    qint64 jobId = 0;
    Transition transition;
};

} // namespace jobmonitor
