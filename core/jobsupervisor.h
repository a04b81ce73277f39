#pragma once

#include "cancellationcontext.h"
#include "dependencies.h"
#include "executor.h"
#include "job.h"
#include "jobrecorder.h"
#include "jobspec.h"
#include "jobstate.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <map>
#include <memory>

namespace jobmonitor {

class MemoryGuard;
class ResourceMonitor;
class Scheduler;

struct StartResult {
    Job *job = nullptr;
    QString error; // set when job is null

    explicit operator bool() const { return job != nullptr; }
};

struct BatchStartResult {
    QList<Job *> jobs; // in batch order; empty when refused
    QString error;

    explicit operator bool() const { return !jobs.isEmpty(); }
};

// The engine: owns every job, their cancellation contexts (one root, a child per job), the
// Scheduler that admits attempts and the Executor that runs them, and a supervised shutdown
// that ends every process of every job before it completes. Front ends do not use it
// directly: they go through the JobService (app/jobservice.h).
//
// Every job runs in its own coroutine from the moment it is queued: it waits for admission,
// runs attempts, backs off, and ends in a final state. Each coroutine holds its job, so the
// supervisor going away early leaves nothing dangling: it forces every job to end (SIGKILL
// through each shim, at once, without an event loop of its own) and the coroutines finish
// whenever the event loop next runs.
class JobSupervisor : public QObject {
    Q_OBJECT
public:
    struct Config {
        int maxParallel = 4;
        // Each job's output is saved under <outputDirectory>/<job id>/<attempt> when a recorder
        // hands out the ids (they are permanent: the store's); without one, under a folder of
        // this supervisor's own in it. Empty: output is not saved (it reaches the tails only).
        QString outputDirectory;
        // The window keeps a tail of each job's output; headless runs do not.
        bool keepTails = true;
        // All tails together stay about this big: beyond it the tails of ended jobs, then of
        // running jobs nobody looks at, give up their memory (their saved output stays).
        qint64 tailBudgetBytes = 128 * 1024 * 1024;
        // Gets every job's history as it happens and hands out job ids; null: ids count from 1
        // and nothing is kept. Must outlive the supervisor.
        JobRecorder *recorder = nullptr;
        // No job starts while the machine has less memory available than this (memoryguard.h);
        // 0: no guard. meminfoPath: where the figure is read (tests give a file of their own).
        qint64 minAvailableMemoryBytes = 0;
        QString meminfoPath = QStringLiteral("/proc/meminfo");
    };

    explicit JobSupervisor(QObject *parent = nullptr);
    explicit JobSupervisor(Config config, QObject *parent = nullptr);
    JobSupervisor(Config config, std::shared_ptr<Executor> executor, QObject *parent = nullptr);
    ~JobSupervisor() override;

    // Queues a job; it runs as soon as what it waits for has come and the scheduler admits it.
    // Fails with a clear message while shutting down or when the spec is invalid. Whether its
    // dependencies and group exist is the JobService's to check (a dependency on no known job
    // cancels the job when it would wait for it).
    StartResult start(JobSpec spec, LearnedTiming timing = {});
    // Queues jobs that may wait for each other by their place in the batch: all get their ids
    // (in batch order) before any of them starts to wait. All or none: any invalid spec refuses
    // the batch (its message names the job when there are several). timings: per job, by place.
    BatchStartResult startBatch(QList<BatchJob> batch, QList<LearnedTiming> timings = {});
    // Queues jobs that were queued by an earlier process and never ran, under their own ids,
    // in the order given (their queues' order). All are known before any of them starts to
    // wait, since they may wait for each other; otherStates gives the states of the other jobs
    // they wait for (ended ones, from the store). Jobs that cannot be adopted are left out and
    // said in the error.
    struct AdoptedJob {
        qint64 id = 0;
        JobSpec spec;
        LearnedTiming timing;
        // Its place in its queue then (JobRecord::queueOrder); empty: it joins by its priority.
        std::optional<qint64> queueOrder;
    };
    BatchStartResult adoptBatch(QList<AdoptedJob> jobs, const QMap<qint64, JobState> &otherStates);
    bool cancel(qint64 id); // any non-final job ends Cancelled (gracefully if running)
    bool kill(qint64 id);   // like cancel, but SIGKILL at once (also "Kill now" while Stopping)
    bool retry(qint64 id);  // an ended job that did not complete runs again
    bool remove(qint64 id); // an ended job is forgotten
    // SIGSTOP / SIGCONT to every process of a running / paused job; its timeout stands still
    // meanwhile (Job::pause).
    bool pause(qint64 id);
    bool resume(qint64 id);
    // A paused group starts no job until resumed; with pauseRunning its running jobs are
    // paused too. Resuming continues every paused job of the group as well.
    void pauseGroup(const QString &group, bool pauseRunning);
    void resumeGroup(const QString &group);

    Job *job(qint64 id) const;
    QList<Job *> jobs() const; // in creation order

    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    // Groups, queues and their order live in the scheduler; the JobService works them.
    Scheduler &scheduler() const { return *m_scheduler; }
    const DependencyTracker &dependencies() const { return *m_dependencies; }

    // Stops accepting jobs, cancels every job with reason Shutdown (all process groups are
    // signalled in the same event-loop turn), and completes when every job has ended and every
    // process is reaped. Calling it again while it runs forces SIGKILL at once; the second
    // call completes together with the first.
    QCoro::Task<> shutdown();
    bool isShuttingDown() const { return m_shuttingDown; }

    // Live counters.
    int count(JobState state) const { return m_counts[size_t(state)]; }
    int activeCount() const; // jobs not in a final state
    // The same per group (empty: the default group).
    int count(const QString &group, JobState state) const;
    int activeCount(const QString &group) const;
    // Live processes of all jobs (each job's whole tree, escapees included), as last sampled.
    int processesAlive() const;
    // What each running job's process tree uses, sampled from /proc off the GUI thread.
    ResourceMonitor *resources() const { return m_resources.get(); }
    int coroutinesAlive() const { return m_coroutines; }
    // Queued jobs wait only for memory (the guard holds them back; slots are free).
    bool isWaitingForMemory() const;

Q_SIGNALS:
    void jobAdded(jobmonitor::Job *job);
    void jobRemoved(qint64 id);
    // After the recorder (if any) has been given the transition.
    void jobTransitioned(jobmonitor::Job *job, const jobmonitor::Transition &transition);
    void countersChanged();
    void maxParallelChanged(int maxParallel);
    void shutdownFinished();
    void idle(); // the last job coroutine has ended
    void waitingForMemoryChanged(bool waiting);

private:
    std::shared_ptr<Job> add(qint64 id, JobSpec spec, LearnedTiming timing);
    void record(Job *job);
    void launch(const std::shared_ptr<Job> &job);
    bool stop(qint64 id, CancelReason reason);
    void onTransition(Job *job, const Transition &transition);
    void onProcessesChanged(Job *job);
    void enforceTailBudget();
    QString jobOutputRoot(qint64 id);

    Config m_config;
    std::shared_ptr<Executor> m_executor;
    std::shared_ptr<Scheduler> m_scheduler;
    std::shared_ptr<DependencyTracker> m_dependencies;
    CancellationContext::Ptr m_root;
    std::unique_ptr<ResourceMonitor> m_resources;
    std::unique_ptr<MemoryGuard> m_memoryGuard;
    QTimer m_tailBudgetCheck; // the budget is checked at most this often, not per job
    std::map<qint64, std::shared_ptr<Job>> m_jobs;
    std::map<qint64, CancellationContext::Ptr> m_jobContexts;
    std::array<int, JobStateCount> m_counts{};
    std::map<QString, std::array<int, JobStateCount>> m_groupCounts;
    QString m_outputBase; // where the jobs' folders go, made for the first job
    int m_coroutines = 0; // job coroutines that have not ended
    qint64 m_nextId = 1;
    bool m_shuttingDown = false;
    bool m_shutdownDone = false;
};

} // namespace jobmonitor
