#include "jobservice.h"

#include "jobsupervisor.h"
#include "logging.h"
#include "resourcemonitor.h"

#include <QDir>
#include <QPointer>

namespace jobmonitor {

JobService::JobService(JobSupervisor *supervisor, JobStore *store, QObject *parent)
    : QObject(parent)
    , m_supervisor(supervisor)
    , m_store(store) {
    connect(supervisor, &JobSupervisor::jobAdded, this, &JobService::jobAdded);
    connect(supervisor, &JobSupervisor::jobRemoved, this, &JobService::jobRemoved);
    connect(supervisor, &JobSupervisor::jobTransitioned, this, &JobService::onTransition);
    connect(supervisor, &JobSupervisor::countersChanged, this, &JobService::countersChanged);
    connect(supervisor, &JobSupervisor::maxParallelChanged, this, &JobService::maxParallelChanged);
    connect(supervisor->resources(), &ResourceMonitor::sampled, this,
            [this](qint64 id, const ResourceSample &sample) {
                if (!sample.ended)
                    m_histories[id].add({sample.timestampMs, sample.cpuPercent, sample.rssBytes});
                Q_EMIT resourcesSampled(id);
            });
    connect(supervisor, &JobSupervisor::jobRemoved, this,
            [this](qint64 id) { m_histories.remove(id); });
    connect(supervisor, &JobSupervisor::waitingForMemoryChanged, this,
            &JobService::waitingForMemoryChanged);
    if (m_store) {
        connect(m_store, &JobStore::statusChanged, this, &JobService::historyStatusChanged);
        connect(m_store, &JobStore::queuedFromLastSessionChanged, this,
                &JobService::queuedFromLastSessionChanged);
    }
}

void JobService::onTransition(Job *job, const Transition &transition) {
    if (!m_store) {
        Q_EMIT transitionRecorded(job, transition);
        return;
    }
    m_store->whenCommitted(this, [this, guard = QPointer<Job>(job), transition] {
        if (guard)
            Q_EMIT transitionRecorded(guard, transition);
    });
}

JobService::AddResult JobService::add(JobSpec spec) {
    if (spec.workingDirectory.isEmpty())
        spec.workingDirectory = QDir::currentPath();
    LearnedTiming timing;
    if (m_store)
        timing = m_store->learnTiming(spec.command, spec.workingDirectory);
    if (spec.timeoutAuto)
        spec.timeout = timing.timeout;
    const StartResult started = m_supervisor->start(std::move(spec), timing);
    if (!started)
        return {0, started.error};
    if (started.job->spec().timeoutAuto)
        spdlog::info("job {}: timeout {}", started.job->id(), timing.timeoutNote());
    return {started.job->id(), {}};
}

bool JobService::cancel(qint64 id) {
    return m_supervisor->cancel(id);
}

bool JobService::kill(qint64 id) {
    return m_supervisor->kill(id);
}

bool JobService::retry(qint64 id) {
    return m_supervisor->retry(id);
}

bool JobService::remove(qint64 id) {
    if (m_supervisor->job(id))
        return m_supervisor->remove(id);
    if (!m_store)
        return false;
    m_store->jobRemoved(id);
    Q_EMIT jobRemoved(id);
    return true;
}

Job *JobService::job(qint64 id) const {
    return m_supervisor->job(id);
}

QList<Job *> JobService::jobs() const {
    return m_supervisor->jobs();
}

QList<JobRecord> JobService::list() const {
    QList<JobRecord> records;
    for (const Job *job : m_supervisor->jobs())
        records << JobRecord::fromJob(*job);
    return records;
}

std::optional<JobRecord> JobService::get(qint64 id) const {
    if (const Job *job = m_supervisor->job(id))
        return JobRecord::fromJob(*job);
    return std::nullopt;
}

void JobService::history(const JobQuery &query, QObject *context,
                         std::function<void(QList<JobRecord>)> callback) const {
    if (!m_store) {
        callback({});
        return;
    }
    m_store->fetchJobs(query, context, [this, callback](QList<JobRecord> records) {
        // The store may lag behind a live job by a batch: the engine knows better.
        for (JobRecord &record : records)
            if (const Job *job = m_supervisor->job(record.id))
                record = JobRecord::fromJob(*job);
        callback(records);
    });
}

void JobService::historyCount(const JobQuery &query, QObject *context,
                              std::function<void(int)> callback) const {
    if (!m_store) {
        callback(0);
        return;
    }
    m_store->fetchCount(query, context, std::move(callback));
}

void JobService::record(qint64 id, QObject *context,
                        std::function<void(std::optional<JobRecord>)> callback) const {
    if (const Job *job = m_supervisor->job(id)) {
        callback(JobRecord::fromJob(*job));
        return;
    }
    if (!m_store) {
        callback(std::nullopt);
        return;
    }
    m_store->fetchJob(id, context, std::move(callback));
}

void JobService::attempts(qint64 id, QObject *context,
                          std::function<void(QList<AttemptRecord>)> callback) const {
    if (!m_store) {
        callback({});
        return;
    }
    m_store->fetchAttempts(id, context, std::move(callback));
}

void JobService::transitions(qint64 id, QObject *context,
                             std::function<void(QList<TransitionRecord>)> callback) const {
    if (!m_store) {
        callback({});
        return;
    }
    m_store->fetchTransitions(id, context, std::move(callback));
}

StoreStatus JobService::historyStatus() const {
    if (!m_store)
        return {};
    return m_store->status();
}

QList<JobRecord> JobService::queuedFromLastSession() const {
    return m_store ? m_store->queuedFromLastSession() : QList<JobRecord>();
}

int JobService::startQueuedFromLastSession() {
    if (!m_store)
        return 0;
    int started = 0;
    for (const JobRecord &record : m_store->takeQueuedFromLastSession()) {
        if (const StartResult result = m_supervisor->adopt(record.id, record.spec, record.timing))
            ++started;
        else
            spdlog::error("cannot queue job {} from the last session again: {}", record.id,
                          result.error);
    }
    return started;
}

void JobService::discardQueuedFromLastSession() {
    if (m_store)
        m_store->discardQueuedFromLastSession();
}

int JobService::count(JobState state) const {
    return m_supervisor->count(state);
}

int JobService::activeCount() const {
    return m_supervisor->activeCount();
}

int JobService::processesAlive() const {
    return m_supervisor->processesAlive();
}

int JobService::processCount(qint64 id) const {
    return m_supervisor->resources()->processCount(id);
}

ResourceMonitor *JobService::resources() const {
    return m_supervisor->resources();
}

bool JobService::isWaitingForMemory() const {
    return m_supervisor->isWaitingForMemory();
}

const ResourceHistory *JobService::resourceHistory(qint64 id) const {
    const auto it = m_histories.constFind(id);
    return it == m_histories.cend() ? nullptr : &*it;
}

int JobService::maxParallel() const {
    return m_supervisor->maxParallel();
}

void JobService::setMaxParallel(int maxParallel) {
    m_supervisor->setMaxParallel(maxParallel);
}

bool JobService::isShuttingDown() const {
    return m_supervisor->isShuttingDown();
}

} // namespace jobmonitor
