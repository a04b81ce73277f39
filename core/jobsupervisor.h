#pragma once

#include "cancellationcontext.h"
#include "job.h"
#include "jobspec.h"
#include "jobstate.h"

#include <QList>
#include <QObject>
#include <QString>

#include <array>
#include <map>

namespace jobmonitor {

struct StartResult {
    Job *job = nullptr;
    QString error; // set when job is null

    explicit operator bool() const { return job != nullptr; }
};

// Owns every job: a queue with a max-parallel limit, start / cancel / kill / retry / remove,
// and a supervised shutdown that ends every process of every job before it completes.
class JobSupervisor : public QObject {
    Q_OBJECT
public:
    struct Config {
        int maxParallel = 4;
        QString logDirectory; // per-job logs go here as job-<id>.log; empty: no log files
    };

    explicit JobSupervisor(QObject *parent = nullptr);
    explicit JobSupervisor(Config config, QObject *parent = nullptr);
    ~JobSupervisor() override;

    // Queues a job; it runs as soon as a slot is free. Fails with a clear message while
    // shutting down or when the spec is invalid.
    StartResult start(JobSpec spec);
    bool cancel(int id); // any non-final job ends Cancelled (gracefully if running)
    bool kill(int id);   // like cancel, but SIGKILL at once (also "Kill now" while Stopping)
    bool retry(int id);  // an ended job that did not complete runs again
    bool remove(int id); // an ended job is forgotten

    Job *job(int id) const;
    QList<Job *> jobs() const; // in creation order

    int maxParallel() const { return m_config.maxParallel; }
    void setMaxParallel(int maxParallel);

    // Stops accepting jobs, cancels every job with reason Shutdown (all process groups are
    // signalled in the same event-loop turn), and completes when every job has ended and every
    // process is reaped. Calling it again while it runs forces SIGKILL at once; the second
    // call completes together with the first.
    QCoro::Task<> shutdown();
    bool isShuttingDown() const { return m_shuttingDown; }

    // Live counters.
    int count(JobState state) const { return m_counts[size_t(state)]; }
    int activeCount() const; // Pending + Running + Stopping + Retrying
    int processesAlive() const;
    int coroutinesAlive() const { return m_coroutines; }

Q_SIGNALS:
    void jobAdded(jobmonitor::Job *job);
    void jobRemoved(int id);
    void countersChanged();
    void maxParallelChanged(int maxParallel);
    void shutdownFinished();
    void idle(); // the last job coroutine has ended

private:
    void launchQueued();
    bool stop(int id, CancelReason reason);
    QCoro::Task<> runJob(Job *job);
    void onStateChanged(JobState from, JobState to);

    Config m_config;
    CancellationContext::Ptr m_root;
    std::map<int, Job *> m_jobs;
    std::map<int, CancellationContext::Ptr> m_jobContexts;
    QList<int> m_queue;
    std::array<int, JobStateCount> m_counts{};
    int m_coroutines = 0; // one per launched job: the jobs holding a parallel slot
    int m_nextId = 1;
    bool m_launching = false;
    bool m_shuttingDown = false;
    bool m_shutdownDone = false;
};

} // namespace jobmonitor
