#pragma once

#include "executor.h"
#include "jobstate.h"

#include <QDateTime>
#include <QString>

namespace jobmonitor {

class Job;

// Where the engine's history goes: the JobSupervisor tells its recorder (if it has one) about
// every job it adds, every attempt that starts and ends, every transition and every job it
// forgets, in the order they happen, on the supervisor's thread. A recorder must never block
// that thread on disk (the store hands everything to a worker thread: jobstore.h); the engine
// runs the same without one (ids then start at 1 and nothing is kept).
class JobRecorder {
public:
    virtual ~JobRecorder() = default;

    // A new job's id: permanent, never handed out again. Called before jobAdded().
    virtual qint64 allocateJobId() = 0;

    virtual void jobAdded(const Job &job) = 0;
    // The attempt's processes are running (processes() names them) and its output goes to
    // outputDirectory (empty: not saved).
    virtual void attemptStarted(const Job &job, int attempt, const QDateTime &startedAt,
                                const QString &outputDirectory,
                                const AttemptProcesses &processes) = 0;
    // The running attempt's processes changed: the command's pid became known (the shim
    // reports it after the start), or another process took over supervising it.
    virtual void attemptProcessesChanged(const Job &job, int attempt,
                                         const AttemptProcesses &processes) = 0;
    // Also for an attempt that never started (result.outcome.kind == FailedToStart).
    virtual void attemptEnded(const Job &job, int attempt, const QDateTime &startedAt,
                              const QDateTime &endedAt, const QString &outputDirectory,
                              const AttemptResult &result) = 0;
    // After the job has applied the transition: job holds the state it led to.
    virtual void transitioned(const Job &job, const Transition &transition) = 0;
    // The job is forgotten, its output included.
    virtual void jobRemoved(qint64 id) = 0;
    // The job's place in its group's queue or its priority changed (Job::queueKey()).
    virtual void queueChanged(const Job &job) = 0;
};

} // namespace jobmonitor
