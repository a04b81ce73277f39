#pragma once

#include "cancellationcontext.h"
#include "jobspec.h"
#include "jobstate.h"

#include <QObject>

#include <functional>
#include <optional>
#include <unordered_map>

namespace jobmonitor {

class Wakeup;

// Jobs added together (the command line's --job ... --after 1 ...) can wait for each other by
// their place in the batch, before any of them has an id.
struct BatchDependency {
    int index = 0; // 0-based place in the batch
    JobDependency::Condition condition = JobDependency::Condition::Success;
    bool operator==(const BatchDependency &) const = default;
};

struct BatchJob {
    JobSpec spec;                      // spec.dependencies: on jobs that exist already
    QList<BatchDependency> afterBatch; // on jobs of the same batch
};

// Why a batch of new jobs cannot be added as it stands, or an empty string: a dependency on a
// job that does not exist (exists() says which do), on a place outside the batch, a job named
// twice, or a cycle, named as it runs ("job 1 waits for job 3, which waits for job 1"). Jobs
// of the batch are named "job N", N counted from 1 in batch order. Jobs that exist can only
// wait for jobs that existed before them, so a cycle can only run through the batch. A batch
// of one names its job "the job".
QString dependencyProblem(const QList<BatchJob> &batch, const std::function<bool(qint64)> &exists);

// "dependency #12 failed", "... timed out", "... was cancelled": why a job that needed #12 to
// complete will not run.
QString dependencyFailureText(qint64 jobId, JobState state);

// What jobs wait for before they queue: other jobs ending. The supervisor tells it every job's
// state as it changes; a job's coroutine awaits wait() with its dependencies. Only the jobs
// waiting for a job are woken when it ends, so a long chain or a wide fan-in costs each end
// only its own waiters.
class DependencyTracker : public QObject {
    Q_OBJECT
public:
    struct Outcome {
        enum class Kind {
            Ready,     // every dependency is met
            Failed,    // one cannot be met any more; reason says which and why
            Cancelled, // the context was cancelled first
        };
        Kind kind = Kind::Ready;
        qint64 jobId = 0;
        QString reason;
    };

    // A job's state, as it changes. The last state of a job that was removed stays known: a
    // job run again later still finds how its dependency ended.
    void setState(qint64 jobId, JobState state);
    std::optional<JobState> state(qint64 jobId) const;

    // Completes when every dependency is met (Success: the job completed; AnyEnd: it ended,
    // whatever the outcome), when one cannot be met (it ended otherwise, or no such job was
    // ever known), or when the context is cancelled, whichever comes first. Dependencies are
    // looked at in the order given: the first that cannot be met is the one named.
    QCoro::Task<Outcome> wait(QList<JobDependency> dependencies, CancellationContext::Ptr context);

    int waiters() const { return int(m_waiters.size()); } // registrations, for tests

private:
    friend class DependencyRegistration;
    std::unordered_map<qint64, JobState> m_states;
    std::unordered_multimap<qint64, Wakeup *> m_waiters;
};

} // namespace jobmonitor
