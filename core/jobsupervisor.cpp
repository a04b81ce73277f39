#include "jobsupervisor.h"

#include "logging.h"
#include "wakeup.h"

#include <QDir>
#include <QEventLoop>

namespace jobmonitor {

JobSupervisor::JobSupervisor(QObject *parent)
    : JobSupervisor(Config{}, parent) {}

JobSupervisor::JobSupervisor(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_root(CancellationContext::background()) {
    m_config.maxParallel = std::max(1, m_config.maxParallel);
}

JobSupervisor::~JobSupervisor() {
    if (m_coroutines == 0)
        return;
    // Only a bug gets here (shutdown() should have been awaited), but processes must not
    // outlive us and suspended coroutines must not resume into deleted jobs: kill and wait.
    spdlog::error("job supervisor destroyed with {} job(s) running: killing them", m_coroutines);
    m_shuttingDown = true;
    m_root->cancel(CancelReason::Force);
    QEventLoop loop;
    connect(this, &JobSupervisor::idle, &loop, &QEventLoop::quit);
    loop.exec();
}

StartResult JobSupervisor::start(JobSpec spec) {
    if (m_shuttingDown)
        return {nullptr, QStringLiteral("Job Monitor is shutting down and accepts no new jobs")};
    if (const QString invalid = spec.validate(); !invalid.isEmpty())
        return {nullptr, invalid};

    const int id = m_nextId++;
    const QString logPath =
        m_config.logDirectory.isEmpty()
            ? QString()
            : QDir(m_config.logDirectory).filePath(QStringLiteral("job-%1.log").arg(id));
    auto *job = new Job(id, std::move(spec), logPath, this);
    connect(job, &Job::transitioned, this,
            [this](const Transition &t) { onStateChanged(t.from, t.to); });
    m_jobs.emplace(id, job);
    ++m_counts[size_t(JobState::Pending)];
    m_queue.append(id);
    spdlog::info("job {}: queued: {}", id, job->spec().command);
    Q_EMIT jobAdded(job);
    Q_EMIT countersChanged();
    launchQueued();
    return {job, {}};
}

void JobSupervisor::onStateChanged(JobState from, JobState to) {
    --m_counts[size_t(from)];
    ++m_counts[size_t(to)];
    Q_EMIT countersChanged();
}

void JobSupervisor::launchQueued() {
    // A job whose attempt ends without suspending (a launch failure) re-enters from runJob;
    // the outer loop picks up where it left off.
    if (m_launching)
        return;
    m_launching = true;
    while (m_coroutines < m_config.maxParallel && !m_queue.isEmpty() && !m_shuttingDown) {
        const int id = m_queue.takeFirst();
        Job *job = this->job(id);
        if (!job || job->state() != JobState::Pending)
            continue;
        runJob(job);
    }
    m_launching = false;
}

QCoro::Task<> JobSupervisor::runJob(Job *job) {
    const int id = job->id();
    const CancellationContext::Ptr context = CancellationContext::withCancel(m_root);
    m_jobContexts[id] = context;
    ++m_coroutines;
    co_await job->run(context);
    m_jobContexts.erase(id);
    --m_coroutines;
    Q_EMIT countersChanged();
    launchQueued();
    if (m_coroutines == 0)
        Q_EMIT idle();
}

bool JobSupervisor::cancel(int id) {
    return stop(id, CancelReason::User);
}

bool JobSupervisor::kill(int id) {
    return stop(id, CancelReason::Force);
}

bool JobSupervisor::stop(int id, CancelReason reason) {
    Job *job = this->job(id);
    if (!job || isFinal(job->state()))
        return false;
    // A launched job may still show Pending until its process reports that it started.
    if (const auto context = m_jobContexts.find(id); context != m_jobContexts.end()) {
        context->second->cancel(reason);
        return true;
    }
    m_queue.removeAll(id);
    return job->cancelPending(reason == CancelReason::Force ? CancelReason::User : reason);
}

bool JobSupervisor::retry(int id) {
    Job *job = this->job(id);
    if (!job || m_shuttingDown || m_jobContexts.count(id) || !job->requeue())
        return false;
    m_queue.append(id);
    launchQueued();
    return true;
}

bool JobSupervisor::remove(int id) {
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end() || !isFinal(it->second->state()) || m_jobContexts.count(id))
        return false;
    Job *job = it->second;
    m_jobs.erase(it);
    --m_counts[size_t(job->state())];
    Q_EMIT jobRemoved(id);
    Q_EMIT countersChanged();
    delete job;
    return true;
}

Job *JobSupervisor::job(int id) const {
    const auto it = m_jobs.find(id);
    return it == m_jobs.end() ? nullptr : it->second;
}

QList<Job *> JobSupervisor::jobs() const {
    QList<Job *> all;
    all.reserve(qsizetype(m_jobs.size()));
    for (const auto &[id, job] : m_jobs)
        all << job;
    return all;
}

void JobSupervisor::setMaxParallel(int maxParallel) {
    maxParallel = std::max(1, maxParallel);
    if (maxParallel == m_config.maxParallel)
        return;
    m_config.maxParallel = maxParallel;
    Q_EMIT maxParallelChanged(maxParallel);
    launchQueued();
}

int JobSupervisor::activeCount() const {
    return count(JobState::Pending) + count(JobState::Running) + count(JobState::Stopping) +
           count(JobState::Retrying);
}

int JobSupervisor::processesAlive() const {
    int alive = 0;
    for (const auto &[id, context] : m_jobContexts)
        if (job(id)->pid() > 0)
            ++alive;
    return alive;
}

QCoro::Task<> JobSupervisor::shutdown() {
    if (m_shuttingDown) {
        if (!m_shutdownDone) {
            spdlog::warn("second shutdown request: killing every job now");
            m_root->cancel(CancelReason::Force);
        }
    } else {
        m_shuttingDown = true;
        spdlog::info("shutting down: {} job(s) active", activeCount());
        const QList<int> queued = std::exchange(m_queue, {});
        for (int id : queued)
            if (Job *job = this->job(id))
                job->cancelPending(CancelReason::Shutdown);
        // Every job's coroutine reacts to this one emission, so every job group is signalled
        // in the same event-loop turn.
        m_root->cancel(CancelReason::Shutdown);
    }
    Wakeup wakeup;
    connect(this, &JobSupervisor::idle, &wakeup, [&wakeup]() { wakeup.wake(); });
    while (m_coroutines > 0)
        co_await wakeup.wait();
    if (!m_shutdownDone) {
        m_shutdownDone = true;
        spdlog::info("shutdown complete: every job has ended");
        Q_EMIT shutdownFinished();
    }
}

} // namespace jobmonitor
