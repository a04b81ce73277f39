#include "jobservice.h"

#include "job.h"
#include "joblimits.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "resourcemonitor.h"
#include "scheduler.h"
#include "settingsfile.h"

#include <QDateTime>
#include <QDir>
#include <QPointer>
#include <QScopedValueRollback>

namespace jobmonitor {

namespace {

QString groupNames(const QList<GroupSettings> &groups) {
    QStringList names;
    for (const GroupSettings &group : groups)
        names.append(group.name);
    return names.join(QStringLiteral(", "));
}

} // namespace

int JobService::GroupInfo::activeCount() const {
    int active = 0;
    for (const JobState state : allJobStates())
        if (!isFinal(state))
            active += count(state);
    return active;
}

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
    connect(&supervisor->scheduler(), &Scheduler::groupsChanged, this, &JobService::groupsChanged);
    connect(&supervisor->scheduler(), &Scheduler::groupsChanged, this,
            &JobService::saveGroupPauses);
    connect(&supervisor->scheduler(), &Scheduler::queueChanged, this, &JobService::queueChanged);
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

QString JobService::checkBatch(const QList<BatchJob> &batch) const {
    const QDateTime now = QDateTime::currentDateTime();
    const Scheduler &scheduler = m_supervisor->scheduler();
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const JobSpec &spec = batch[i].spec;
        const QString which = batch.size() == 1 ? QString() : QStringLiteral("job %1: ").arg(i + 1);
        if (const QString invalid = spec.validate(); !invalid.isEmpty())
            return which + invalid;
        if (!scheduler.group(spec.groupName()))
            return which + QStringLiteral("there is no group '%1' (there are: %2)")
                               .arg(spec.groupName(), groupNames(scheduler.groups()));
        if (spec.startAt.isValid() && spec.startAt <= now)
            return which + QStringLiteral("the start time %1 is not in the future")
                               .arg(startTimeText(spec.startAt, now));
    }
    return dependencyProblem(batch, [this](qint64 id) { return m_supervisor->job(id) != nullptr; });
}

JobService::AddResult JobService::add(JobSpec spec) {
    const BatchResult added = addBatch({BatchJob{std::move(spec), {}}});
    return {added.ids.value(0), added.error};
}

JobService::BatchResult JobService::addBatch(QList<BatchJob> batch) {
    if (const QString problem = checkBatch(batch); !problem.isEmpty())
        return {{}, problem};
    QList<LearnedTiming> timings;
    for (BatchJob &job : batch) {
        JobSpec &spec = job.spec;
        if (spec.workingDirectory.isEmpty())
            spec.workingDirectory = QDir::currentPath();
        LearnedTiming timing;
        if (m_store)
            timing = m_store->learnTiming(spec.command, spec.workingDirectory);
        if (spec.timeoutAuto)
            spec.timeout = timing.timeout;
        timings.append(timing);
    }
    const BatchStartResult started = m_supervisor->startBatch(std::move(batch), timings);
    BatchResult result{{}, started.error};
    for (qsizetype i = 0; i < started.jobs.size(); ++i) {
        const Job *job = started.jobs[i];
        result.ids.append(job->id());
        if (job->spec().timeoutAuto)
            spdlog::info("job {}: timeout {}", job->id(), timings[i].timeoutNote());
    }
    return result;
}

bool JobService::cancel(qint64 id) {
    return m_supervisor->cancel(id);
}

bool JobService::kill(qint64 id) {
    return m_supervisor->kill(id);
}

bool JobService::retry(qint64 id) {
    // A job whose group was removed has no queue to go back to.
    const Job *job = m_supervisor->job(id);
    if (!job || !m_supervisor->scheduler().group(job->spec().groupName()))
        return false;
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

bool JobService::pause(qint64 id) {
    return m_supervisor->pause(id);
}

bool JobService::resume(qint64 id) {
    return m_supervisor->resume(id);
}

bool JobService::setPriority(qint64 id, int priority) {
    Job *job = m_supervisor->job(id);
    if (!job || isFinal(job->state()) || priority < -limits::maxPriority ||
        priority > limits::maxPriority)
        return false;
    job->setPriority(priority);
    return true;
}

bool JobService::moveUp(qint64 id) {
    return m_supervisor->scheduler().moveUp(id);
}

bool JobService::moveDown(qint64 id) {
    return m_supervisor->scheduler().moveDown(id);
}

bool JobService::moveToFront(qint64 id) {
    return m_supervisor->scheduler().moveToFront(id);
}

QList<qint64> JobService::queue(const QString &group) const {
    return m_supervisor->scheduler().queue(group);
}

std::optional<qint64> JobService::queueKey(qint64 id) const {
    return m_supervisor->scheduler().queueKey(id);
}

QList<JobService::GroupInfo> JobService::groups() const {
    QList<GroupInfo> all;
    for (const GroupSettings &settings : m_supervisor->scheduler().groups())
        all.append(*group(settings.name));
    return all;
}

std::optional<JobService::GroupInfo> JobService::group(const QString &name) const {
    const Scheduler &scheduler = m_supervisor->scheduler();
    const std::optional<GroupSettings> settings = scheduler.group(name);
    if (!settings)
        return std::nullopt;
    GroupInfo info{*settings, scheduler.isGroupPaused(name), scheduler.pauseReason(name), {}};
    for (const JobState state : allJobStates())
        info.counts[size_t(state)] = m_supervisor->count(settings->name, state);
    return info;
}

QString JobService::saveGroup(const GroupSettings &settings) {
    return setGroup(settings, true);
}

QString JobService::setGroupForThisRun(const GroupSettings &settings) {
    return setGroup(settings, false);
}

QString JobService::setGroup(const GroupSettings &settings, bool keep) {
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return problem;
    Scheduler &scheduler = m_supervisor->scheduler();
    if (!scheduler.group(settings.name) && scheduler.groups().size() >= limits::maxGroups)
        return QStringLiteral("there are %1 groups already, the most there can be")
            .arg(limits::maxGroups);
    scheduler.setGroup(settings);
    spdlog::info("group {}: at most {} at once, start rate {}, pause on failure {}", settings.name,
                 settings.maxParallel > 0 ? QString::number(settings.maxParallel)
                                          : QStringLiteral("any number"),
                 settings.rate.toString(), settings.pauseOnFailure ? "on" : "off");
    if (keep) {
        m_keptGroups.insert(settings.name);
        saveKeptGroups();
    }
    return {};
}

QString JobService::removeGroup(const QString &name) {
    Scheduler &scheduler = m_supervisor->scheduler();
    if (!scheduler.group(name))
        return QStringLiteral("there is no group '%1'").arg(name);
    if (name == defaultGroupName())
        return QStringLiteral("the default group cannot be deleted");
    if (const int active = m_supervisor->activeCount(name); active > 0)
        return QStringLiteral("group '%1' has %2 job(s) that have not ended: cancel them or wait "
                              "for them to end first")
            .arg(name)
            .arg(active);
    if (!scheduler.removeGroup(name))
        return QStringLiteral("group '%1' is still in use").arg(name);
    if (m_keptGroups.remove(name))
        saveKeptGroups();
    return {};
}

void JobService::setRetention(const RetentionPolicy &policy) {
    if (m_store)
        m_store->setRetention(policy);
}

QString JobService::pauseGroup(const QString &name, bool pauseRunning) {
    if (!m_supervisor->scheduler().group(name))
        return QStringLiteral("there is no group '%1'").arg(name);
    m_supervisor->pauseGroup(name, pauseRunning);
    return {};
}

QString JobService::resumeGroup(const QString &name) {
    if (!m_supervisor->scheduler().group(name))
        return QStringLiteral("there is no group '%1'").arg(name);
    m_supervisor->resumeGroup(name);
    return {};
}

void JobService::loadGroups(const QList<GroupSettings> &groups) {
    for (const GroupSettings &settings : groups) {
        if (const QString problem = setGroup(settings, false); !problem.isEmpty()) {
            spdlog::warn("settings: group {} left out: {}", settings.name, problem);
            continue;
        }
        m_keptGroups.insert(settings.name);
    }
}

void JobService::saveKeptGroups() const {
    if (!m_keepsGroups)
        return;
    const std::unique_ptr<QSettings> settings = openSettings();
    if (!settings)
        return;
    QList<GroupSettings> kept;
    for (const GroupSettings &group : m_supervisor->scheduler().groups())
        if (m_keptGroups.contains(group.name))
            kept.append(group);
    jobmonitor::saveGroups(*settings, kept);
}

void JobService::loadGroupPauses(const QMap<QString, QString> &reasons) {
    Scheduler &scheduler = m_supervisor->scheduler();
    {
        // Saved once all are back, not one by one.
        const QScopedValueRollback keep(m_keepsGroups, false);
        for (auto it = reasons.cbegin(); it != reasons.cend(); ++it) {
            if (!scheduler.group(it.key())) {
                spdlog::warn("settings: group {} was paused, but there is no such group now",
                             it.key());
                continue;
            }
            scheduler.setGroupPaused(it.key(), true, it.value());
        }
    }
    m_savedPauses = reasons;
    saveGroupPauses();
}

QMap<QString, QString> JobService::groupPauses() const {
    const Scheduler &scheduler = m_supervisor->scheduler();
    QMap<QString, QString> reasons;
    for (const GroupSettings &group : scheduler.groups())
        if (scheduler.isGroupPaused(group.name))
            reasons.insert(group.name, scheduler.pauseReason(group.name));
    return reasons;
}

void JobService::saveGroupPauses() {
    if (!m_keepsGroups)
        return;
    QMap<QString, QString> reasons = groupPauses();
    if (reasons == m_savedPauses)
        return;
    const std::unique_ptr<QSettings> settings = openSettings();
    if (!settings)
        return;
    jobmonitor::saveGroupPauses(*settings, reasons);
    m_savedPauses = std::move(reasons);
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
    const QList<JobRecord> queued = m_store->takeQueuedFromLastSession();
    QList<JobSupervisor::AdoptedJob> jobs;
    QSet<qint64> ids;
    for (const JobRecord &record : queued) {
        jobs.append({record.id, record.spec, record.timing, record.queueOrder});
        ids.insert(record.id);
    }
    // What they wait for that is not queued with them has ended (or is unknown: then they are
    // cancelled as waiting for a job that does not exist).
    QMap<qint64, JobState> others;
    for (const JobRecord &record : queued)
        for (const JobDependency &dependency : record.spec.dependencies)
            if (!ids.contains(dependency.jobId) && !others.contains(dependency.jobId))
                if (const std::optional<JobRecord> stored = m_store->job(dependency.jobId))
                    others.insert(dependency.jobId, stored->state);
    const BatchStartResult started = m_supervisor->adoptBatch(std::move(jobs), others);
    if (!started.error.isEmpty())
        spdlog::error("cannot queue every job from the last session again: {}", started.error);
    return int(started.jobs.size());
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
