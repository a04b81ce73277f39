#pragma once

#include "cancellationcontext.h"
#include "executor.h"
#include "jobspec.h"
#include "jobstate.h"
#include "learnedtimeout.h"
#include "outputbuffer.h"
#include "progresstracker.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QObject>

#include <memory>
#include <optional>

namespace jobmonitor {

class AttemptOutputFollower;
class DependencyTracker;
class Scheduler;

// One job: its spec, its state machine and history, and the coroutine that runs its attempts —
// each run first waits for its dependencies (DependencyTracker) and its start time, then each
// attempt is admitted by the Scheduler, run by the Executor, ended by the decision table
// (decision.h). Owned by the JobSupervisor and by its own running coroutine, so that neither
// outliving the other can leave a dangling job; the UI observes it through its signals.
class Job : public QObject {
    Q_OBJECT
public:
    struct Services {
        std::shared_ptr<Executor> executor;
        std::shared_ptr<Scheduler> scheduler;
        std::shared_ptr<DependencyTracker> dependencies;
        // Each attempt's output is saved under <outputRoot>/<attempt number>; empty: not saved.
        QString outputRoot;
        // The window keeps a tail of each job's output in memory; headless runs do not.
        bool keepTail = true;
    };

    // timing: what the history of the same command says (the store learns it; empty without).
    Job(qint64 id, JobSpec spec, Services services, LearnedTiming timing = {},
        QObject *parent = nullptr);
    ~Job() override;

    qint64 id() const { return m_id; }
    const JobSpec &spec() const { return m_spec; }
    const LearnedTiming &learnedTiming() const { return m_timing; }
    JobState state() const { return m_machine.state(); }
    const QList<Transition> &history() const { return m_machine.history(); }
    // The current or last attempt, counted over the job's whole life (Retry goes on counting);
    // 0 before the first.
    int attempt() const { return m_attempt; }
    // When attempt n (1-based, job-wide) started, and its trace id.
    QDateTime attemptStartedAt(int attempt) const {
        return m_attemptStarts.value(attempt - 1).time;
    }
    QString attemptTraceId(int attempt) const { return m_attemptStarts.value(attempt - 1).traceId; }
    bool isAttemptRunning() const { return m_attemptRunning != nullptr; }
    // Attempts of the current run (since it was queued or last run again), 0 before the first.
    int attemptOfRun() const { return m_attempt - m_runFirstAttempt + 1; }
    QString traceId() const { return m_traceId; } // of the current or last attempt
    // The running attempt's processes (the shim's and the command's pids), else zeros.
    AttemptProcesses processes() const;
    std::optional<int> exitCode() const { return m_exitCode; } // of the last attempt
    std::optional<int> exitSignal() const { return m_exitSignal; }
    int stragglers() const { return m_stragglers; } // ended after the last attempt's command
    int killedProcesses() const { return m_killedProcesses; } // lived until SIGKILL
    QString error() const { return m_error; } // why the last attempt failed to start or was lost
    // What the last ended attempt's processes used (AttemptResult); nullopt when not known.
    std::optional<qint64> peakRssBytes() const { return m_peakRssBytes; }
    std::optional<qint64> cpuTimeMs() const { return m_cpuTimeMs; }
    // Why saving the current or last attempt's output stopped, or empty.
    QString outputError() const { return m_outputError; }
    QDateTime createdAt() const { return m_createdAt; }
    QDateTime startedAt() const { return m_startedAt; } // the current run's first start
    QDateTime endedAt() const { return m_endedAt; }     // when it reached a final state
    // While Stopping: when SIGKILL follows. While Retrying: when the next attempt starts.
    QDeadlineTimer deadline() const { return m_deadline; }
    // Where the job joins its group's queue; starts as the spec's, changed by setPriority().
    int priority() const { return m_priority; }
    // Its place in its group's queue while it waits for a slot (Scheduler::queueKey()).
    std::optional<qint64> queueKey() const;
    // While Waiting: what for ("waiting for #12; starts at 23:00"), else empty.
    QString waitingFor() const { return state() == JobState::Waiting ? m_waitingFor : QString(); }
    // What is left of the running attempt's timeout (it stands still while Paused); empty
    // when no attempt with a timeout runs.
    std::optional<std::chrono::milliseconds> timeoutLeft() const;
    // The kept tail of the output (null in headless runs). When the output is saved, the tail
    // is read from it only for a viewer: retaining it loads it and follows it live; a tail
    // nobody retains may be given up to the budget (see JobSupervisor) and is loaded again on
    // the next retain.
    OutputBuffer *output() { return m_tail.get(); }
    void retainTail();
    void releaseTail();
    bool isTailRetained() const { return m_tailViewers > 0; }
    bool isTailLoaded() const { return m_tailLoaded; }
    // Where attempt n's output is saved, or empty.
    QString outputDirectory(int attempt) const;
    QString label() const { return QStringLiteral("job %1").arg(m_id); }

    // Runs attempts until the job reaches a final state. Cancellation comes from context
    // (user, shutdown, force) or from the per-attempt deadline (timeout). Call it on a job that
    // is Pending; hold a reference to the job until it completes.
    QCoro::Task<> run(CancellationContext::Ptr context);
    // Moves an ended job back to Pending so it can run again.
    bool requeue();
    // Sends a signal to every process of the running attempt.
    bool sendSignal(int signal);
    // Stops every process of the running attempt (SIGSTOP, through the backend), and its
    // timeout's clock with them; resume() continues both. False (and nothing done) unless the
    // job is Running (for pause) or Paused (for resume) and its attempt can take the signal;
    // a job already being stopped is not paused.
    bool pause(const QString &reason);
    bool resume(const QString &reason);
    // Changes the priority; a job waiting for a slot takes its new place in its queue at once.
    void setPriority(int priority);
    // A job queued again from an earlier run joins its queue where it stood then (that run's
    // queue key, see Scheduler::Ticket), the first time it asks for a slot; call before run().
    void keepQueuePlace(qint64 queueKey) { m_keptQueueKey = queueKey; }
    // The tail gives up its memory; only when the output is saved and nobody views it.
    bool dropTail();
    // The running attempt's processes use more memory than the spec allows: stops the attempt
    // with its termination sequence, and the job fails (or retries) with the reason
    // "memory limit 2 GiB exceeded (peak 2.3 GiB)". False when no attempt runs.
    bool exceedMemoryLimit(qint64 peakRssBytes);
    // What the running attempt's processes have used as last sampled; it goes into the
    // attempt's result where that knows less (the peak of the whole tree, the CPU time of
    // processes the result does not cover).
    void noteUsage(qint64 peakRssBytes, qint64 cpuTimeMs);

    // How far the running attempt has got: read from its output when it shows progress, else
    // (kind Estimate) the share of the expected duration from history that has passed; and
    // the time left when known. Empty while no attempt runs.
    struct ProgressInfo {
        std::optional<Progress> progress;
        std::optional<std::chrono::milliseconds> remaining;
    };
    ProgressInfo progress() const;
    // The latest line of the running attempt's output, as sampled (ResourceSample).
    void feedOutputLine(const LatestLine &line);

Q_SIGNALS:
    void transitioned(const jobmonitor::Transition &transition);
    // An attempt's processes run (emitted before the transition to Running), and one ended
    // (before the transition it leads to; also for an attempt that could not start).
    void attemptStarted(int attempt, const QDateTime &startedAt);
    void attemptEnded(int attempt, const QDateTime &startedAt, const QDateTime &endedAt,
                      const jobmonitor::AttemptResult &result);
    void processesChanged();
    void deadlineChanged();
    void outputErrorChanged();
    void progressChanged();
    void priorityChanged();

private:
    bool apply(JobEvent event, const QString &reason, std::optional<int> exitCode = {},
               std::optional<int> signal = {});
    QCoro::Task<bool> waitToQueue(CancellationContext::Ptr context);
    QCoro::Task<AttemptResult> runAttempt(CancellationContext::Ptr attemptContext);
    void takeOutput(OutputChannel channel, const QByteArray &data, qint64 timeMs);
    OutputSection attemptSection(int attempt) const;
    void reloadTail();

    const qint64 m_id;
    const JobSpec m_spec;
    const Services m_services;
    const LearnedTiming m_timing;
    JobStateMachine m_machine;
    std::unique_ptr<OutputBuffer> m_tail;
    int m_tailViewers = 0;
    bool m_tailLoaded = false;
    // Output arrived only in memory (saving it failed): the tail is its one copy now.
    bool m_tailPinned = false;
    Attempt *m_attemptRunning = nullptr;
    CancellationContext::Ptr m_attemptContext; // while an attempt runs
    int m_priority;
    std::optional<qint64> m_keptQueueKey;
    QString m_waitingFor;
    AttemptOutputFollower *m_follower = nullptr;
    struct AttemptStart {
        QString traceId;
        QDateTime time;
    };
    QList<AttemptStart> m_attemptStarts; // of attempts 1, 2, ...
    int m_attempt = 0;
    int m_runFirstAttempt = 1;
    QString m_traceId;
    std::optional<int> m_exitCode;
    std::optional<int> m_exitSignal;
    int m_stragglers = 0;
    int m_killedProcesses = 0;
    QString m_error;
    QString m_outputError;
    QDateTime m_createdAt;
    QDateTime m_startedAt;
    QDateTime m_endedAt;
    QDeadlineTimer m_deadline;
    std::optional<qint64> m_peakRssBytes;
    std::optional<qint64> m_cpuTimeMs;
    ProgressTracker m_progress;
    qint64 m_limitPeakRssBytes = 0;    // when the memory limit stopped the attempt
    qint64 m_sampledPeakRssBytes = -1; // of the running attempt, -1 before a sample
    qint64 m_sampledCpuTimeMs = -1;
};

} // namespace jobmonitor
