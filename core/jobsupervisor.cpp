#include "jobsupervisor.h"

#include "localexecutor.h"
#include "logging.h"
#include "memoryguard.h"
#include "privatefiles.h"
#include "resourcemonitor.h"
#include "scheduler.h"
#include "wakeup.h"

#include <QDateTime>
#include <QDir>

#include <sys/stat.h>
#include <unistd.h>

namespace jobmonitor {

namespace {

// A job's coroutine owns its job until it ends: see the class comment.
QCoro::Task<> runOwned(std::shared_ptr<Job> job, CancellationContext::Ptr context) {
    co_await job->run(context);
}

// Checking the tails' budget walks every job: once a second at most, however many end.
constexpr std::chrono::milliseconds TailBudgetCheckInterval{1000};

} // namespace

JobSupervisor::JobSupervisor(QObject *parent)
    : JobSupervisor(Config{}, parent) {}

JobSupervisor::JobSupervisor(Config config, QObject *parent)
    : JobSupervisor(std::move(config), std::make_shared<LocalExecutor>(), parent) {}

JobSupervisor::JobSupervisor(Config config, std::shared_ptr<Executor> executor, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_executor(std::move(executor))
    , m_scheduler(Scheduler::create(m_config.maxParallel))
    , m_dependencies(std::make_shared<DependencyTracker>())
    , m_root(CancellationContext::background())
    , m_resources(std::make_unique<ResourceMonitor>()) {
    connect(m_scheduler.get(), &Scheduler::maxParallelChanged, this,
            &JobSupervisor::maxParallelChanged);
    if (m_config.recorder)
        connect(m_scheduler.get(), &Scheduler::queueChanged, this, [this](qint64 id) {
            if (const Job *job = this->job(id))
                m_config.recorder->queueChanged(*job);
        });
    connect(m_resources.get(), &ResourceMonitor::totalsChanged, this,
            &JobSupervisor::countersChanged);
    connect(m_resources.get(), &ResourceMonitor::sampled, this,
            [this](qint64 id, const ResourceSample &sample) {
                if (Job *job = this->job(id); job && sample.latestLine)
                    job->feedOutputLine(*sample.latestLine);
            });
    connect(m_resources.get(), &ResourceMonitor::limitExceeded, this,
            [this](qint64 id, qint64 rssBytes, qint64 peakRssBytes) {
                if (Job *job = this->job(id); job && job->exceedMemoryLimit(peakRssBytes))
                    spdlog::info("job {}: {} resident, beyond its memory limit of {}", id,
                                 describeBytes(rssBytes),
                                 describeBytes(job->spec().memoryLimitBytes));
            });
    if (m_config.minAvailableMemoryBytes > 0)
        m_memoryGuard = std::make_unique<MemoryGuard>(m_scheduler, m_config.minAvailableMemoryBytes,
                                                      m_config.meminfoPath);
    connect(m_scheduler.get(), &Scheduler::heldByGateChanged, this, [this](bool held) {
        if (held)
            spdlog::info("jobs wait for memory: less than {} available",
                         describeBytes(m_config.minAvailableMemoryBytes));
        Q_EMIT waitingForMemoryChanged(held);
        Q_EMIT countersChanged();
    });
    m_tailBudgetCheck.setSingleShot(true);
    m_tailBudgetCheck.setInterval(TailBudgetCheckInterval);
    connect(&m_tailBudgetCheck, &QTimer::timeout, this, &JobSupervisor::enforceTailBudget);
}

JobSupervisor::~JobSupervisor() {
    if (m_coroutines == 0)
        return;
    // Only a bug gets here (shutdown() should have been awaited). Forcing the root tells every
    // shim, right now, to SIGKILL its whole job; each job's coroutine holds its job and ends
    // whenever the event loop next runs. Nothing of the supervisor is used after this.
    spdlog::error("job supervisor destroyed with {} job(s) running: killing them", m_coroutines);
    m_shuttingDown = true;
    m_root->cancel(CancelReason::Force);
}

QString JobSupervisor::jobOutputRoot(qint64 id) {
    if (m_config.outputDirectory.isEmpty())
        return {};
    if (m_outputBase.isEmpty()) {
        // With a recorder, ids are permanent: every job's folder goes straight in. Without one
        // ids count from 1 in every supervisor: a folder of its own keeps two supervisors'
        // jobs from sharing files.
        const QString base = m_config.recorder
                                 ? m_config.outputDirectory
                                 : QDir(m_config.outputDirectory)
                                       .filePath(QStringLiteral("run-%1-%2-%3")
                                                     .arg(QDateTime::currentDateTimeUtc().toString(
                                                         QStringLiteral("yyyyMMdd'T'HHmmsszzz")))
                                                     .arg(::getpid())
                                                     .arg(reinterpret_cast<quintptr>(this), 0, 16));
        QStringList notes;
        if (const QString error =
                ensurePrivateDirectory(base, QStringLiteral("output folder"), &notes);
            !error.isEmpty()) {
            spdlog::error("{}; output will not be saved", error);
            return {};
        }
        for (const QString &note : std::as_const(notes))
            spdlog::info("{}", note);
        m_outputBase = base;
    }
    // The shim makes the job's folder with its first byte of output (see OutputSaver).
    return QDir(m_outputBase).filePath(QString::number(id));
}

StartResult JobSupervisor::start(JobSpec spec, LearnedTiming timing) {
    const BatchStartResult started = startBatch({BatchJob{std::move(spec), {}}}, {timing});
    return {started.jobs.value(0), started.error};
}

BatchStartResult JobSupervisor::startBatch(QList<BatchJob> batch, QList<LearnedTiming> timings) {
    if (m_shuttingDown)
        return {{}, QStringLiteral("Job Monitor is shutting down and accepts no new jobs")};
    if (batch.isEmpty())
        return {{}, QStringLiteral("no job to start")};
    for (qsizetype i = 0; i < batch.size(); ++i) {
        if (const QString invalid = batch[i].spec.validate(); !invalid.isEmpty())
            return {{},
                    batch.size() == 1 ? invalid
                                      : QStringLiteral("job %1: %2").arg(i + 1).arg(invalid)};
        for (const BatchDependency &dependency : std::as_const(batch[i].afterBatch))
            if (dependency.index < 0 || dependency.index >= batch.size() || dependency.index == i)
                return {{},
                        QStringLiteral("job %1 waits for job %2 of a batch of %3")
                            .arg(i + 1)
                            .arg(dependency.index + 1)
                            .arg(batch.size())};
    }

    // Every job has its id (the store's, permanent) and is known to the dependency tracker
    // before the first one starts to wait, so that a job may wait for one that comes after it
    // in the batch.
    QList<qint64> ids;
    for (qsizetype i = 0; i < batch.size(); ++i)
        ids.append(m_config.recorder ? m_config.recorder->allocateJobId() : m_nextId++);
    QList<std::shared_ptr<Job>> created;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        JobSpec spec = std::move(batch[i].spec);
        for (const BatchDependency &dependency : std::as_const(batch[i].afterBatch))
            spec.dependencies.append({ids[dependency.index], dependency.condition});
        created.append(add(ids[i], std::move(spec), timings.value(i)));
    }
    BatchStartResult result;
    for (const std::shared_ptr<Job> &job : std::as_const(created)) {
        Q_EMIT jobAdded(job.get());
        launch(job);
        result.jobs.append(job.get());
    }
    Q_EMIT countersChanged();
    return result;
}

BatchStartResult JobSupervisor::adoptBatch(QList<AdoptedJob> jobs,
                                           const QMap<qint64, JobState> &otherStates) {
    if (m_shuttingDown)
        return {{}, QStringLiteral("Job Monitor is shutting down and accepts no new jobs")};
    for (auto it = otherStates.cbegin(); it != otherStates.cend(); ++it)
        if (!m_jobs.count(it.key()))
            m_dependencies->setState(it.key(), it.value());
    QStringList problems;
    QList<std::shared_ptr<Job>> created;
    for (AdoptedJob &adopted : jobs) {
        if (m_jobs.count(adopted.id)) {
            problems << QStringLiteral("job %1 is already here").arg(adopted.id);
            continue;
        }
        if (const QString invalid = adopted.spec.validate(); !invalid.isEmpty()) {
            problems << QStringLiteral("job %1: %2").arg(adopted.id).arg(invalid);
            continue;
        }
        m_nextId = std::max(m_nextId, adopted.id + 1);
        created.append(add(adopted.id, std::move(adopted.spec), adopted.timing));
        if (adopted.queueOrder)
            created.last()->keepQueuePlace(*adopted.queueOrder);
    }
    BatchStartResult result;
    result.error = problems.join(QStringLiteral("; "));
    for (const std::shared_ptr<Job> &job : std::as_const(created)) {
        Q_EMIT jobAdded(job.get());
        launch(job);
        result.jobs.append(job.get());
    }
    Q_EMIT countersChanged();
    return result;
}

// Known to the supervisor, the recorder and the dependency tracker, not yet started.
std::shared_ptr<Job> JobSupervisor::add(qint64 id, JobSpec spec, LearnedTiming timing) {
    Job::Services services{m_executor, m_scheduler, m_dependencies, jobOutputRoot(id),
                           m_config.keepTails};
    const auto job = std::make_shared<Job>(id, std::move(spec), std::move(services), timing);
    connect(job.get(), &Job::transitioned, this,
            [this, raw = job.get()](const Transition &t) { onTransition(raw, t); });
    connect(job.get(), &Job::processesChanged, this,
            [this, raw = job.get()] { onProcessesChanged(raw); });
    if (m_config.recorder)
        record(job.get());
    m_jobs.emplace(id, job);
    ++m_counts[size_t(JobState::Pending)];
    ++m_groupCounts[job->spec().groupName()][size_t(JobState::Pending)];
    m_dependencies->setState(id, JobState::Pending);
    spdlog::info("job {}: queued in group {}: {}", id, job->spec().groupName(),
                 job->spec().command);
    return job;
}

// The recorder hears of every attempt of the job; its transitions come through onTransition.
void JobSupervisor::record(Job *job) {
    JobRecorder *recorder = m_config.recorder;
    recorder->jobAdded(*job);
    connect(job, &Job::attemptStarted, this,
            [recorder, job](int attempt, const QDateTime &startedAt) {
                recorder->attemptStarted(*job, attempt, startedAt, job->outputDirectory(attempt),
                                         job->processes());
            });
    connect(job, &Job::processesChanged, this, [recorder, job] {
        // The command's pid comes after the start; an adopting shim may take over.
        const AttemptProcesses processes = job->processes();
        if (processes.supervisorPid > 0 && processes.commandPid > 0)
            recorder->attemptProcessesChanged(*job, job->attempt(), processes);
    });
    connect(job, &Job::priorityChanged, this, [recorder, job] { recorder->queueChanged(*job); });
    connect(job, &Job::attemptEnded, this,
            [recorder, job](int attempt, const QDateTime &startedAt, const QDateTime &endedAt,
                            const AttemptResult &result) {
                recorder->attemptEnded(*job, attempt, startedAt, endedAt,
                                       job->outputDirectory(attempt), result);
            });
}

// Starts the job's coroutine; it waits for the scheduler's admission by itself.
void JobSupervisor::launch(const std::shared_ptr<Job> &job) {
    const qint64 id = job->id();
    const CancellationContext::Ptr context = CancellationContext::withCancel(m_root);
    m_jobContexts[id] = context;
    ++m_coroutines;
    // The one idiom for a task nobody awaits: QCoro::connect, whose callback runs only while its
    // context object lives.
    QCoro::connect(runOwned(job, context), this, [this, id] {
        m_jobContexts.erase(id);
        --m_coroutines;
        Q_EMIT countersChanged();
        if (m_coroutines == 0)
            Q_EMIT idle();
    });
}

void JobSupervisor::onTransition(Job *job, const Transition &t) {
    --m_counts[size_t(t.from)];
    ++m_counts[size_t(t.to)];
    const QString group = job->spec().groupName();
    std::array<int, JobStateCount> &groupCounts = m_groupCounts[group];
    --groupCounts[size_t(t.from)];
    ++groupCounts[size_t(t.to)];
    m_dependencies->setState(job->id(), t.to);
    if ((t.to == JobState::Failed || t.to == JobState::TimedOut) &&
        m_scheduler->group(group).value_or(GroupSettings{}).pauseOnFailure)
        m_scheduler->setGroupPaused(group, true,
                                    QStringLiteral("paused after job #%1 %2")
                                        .arg(job->id())
                                        .arg(t.to == JobState::Failed
                                                 ? QStringLiteral("failed")
                                                 : QStringLiteral("timed out")));
    if (m_config.recorder)
        m_config.recorder->transitioned(*job, t);
    Q_EMIT jobTransitioned(job, t);
    if (isFinal(t.to) && m_config.keepTails && !m_tailBudgetCheck.isActive())
        m_tailBudgetCheck.start();
    Q_EMIT countersChanged();
}

// A running attempt's process tree is sampled from its supervising process (the shim) down.
void JobSupervisor::onProcessesChanged(Job *job) {
    const qint64 root = job->processes().supervisorPid;
    if (root > 0 && !m_resources->isWatched(job->id())) {
        m_resources->watch(job->id(), root, job->outputDirectory(job->attempt()));
        m_resources->setMemoryLimit(job->id(), job->spec().memoryLimitBytes);
    } else if (root == 0 && m_resources->isWatched(job->id())) {
        if (const std::optional<ResourceSample> last = m_resources->latestSample(job->id()))
            job->noteUsage(last->peakRssBytes, last->cpuTimeMs);
        m_resources->unwatch(job->id());
    }
}

// Oldest ended jobs give up their tails first, then running jobs nobody views.
void JobSupervisor::enforceTailBudget() {
    qint64 total = 0;
    for (const auto &[id, job] : m_jobs)
        if (const OutputBuffer *tail = job->output())
            total += tail->keptBytes();
    if (total <= m_config.tailBudgetBytes)
        return;
    QList<Job *> candidates;
    for (const auto &[id, job] : m_jobs)
        if (job->output() && job->isTailLoaded() && !job->isTailRetained())
            candidates.append(job.get());
    std::stable_sort(candidates.begin(), candidates.end(), [](const Job *a, const Job *b) {
        if (isFinal(a->state()) != isFinal(b->state()))
            return isFinal(a->state());
        return a->endedAt() < b->endedAt();
    });
    for (Job *job : std::as_const(candidates)) {
        if (total <= m_config.tailBudgetBytes)
            break;
        const qint64 bytes = job->output()->keptBytes();
        if (job->dropTail())
            total -= bytes;
    }
}

bool JobSupervisor::cancel(qint64 id) {
    return stop(id, CancelReason::User);
}

bool JobSupervisor::kill(qint64 id) {
    return stop(id, CancelReason::Force);
}

bool JobSupervisor::stop(qint64 id, CancelReason reason) {
    Job *job = this->job(id);
    if (!job || isFinal(job->state()))
        return false;
    const auto context = m_jobContexts.find(id);
    if (context == m_jobContexts.end())
        return false;
    context->second->cancel(reason);
    return true;
}

bool JobSupervisor::retry(qint64 id) {
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end() || m_shuttingDown || m_jobContexts.count(id) || !it->second->requeue())
        return false;
    launch(it->second);
    return true;
}

bool JobSupervisor::remove(qint64 id) {
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end() || !isFinal(it->second->state()) || m_jobContexts.count(id))
        return false;
    const std::shared_ptr<Job> job = it->second;
    m_jobs.erase(it);
    --m_counts[size_t(job->state())];
    --m_groupCounts[job->spec().groupName()][size_t(job->state())];
    job->disconnect(this);
    if (m_config.recorder)
        m_config.recorder->jobRemoved(id);
    Q_EMIT jobRemoved(id);
    Q_EMIT countersChanged();
    return true;
}

bool JobSupervisor::pause(qint64 id) {
    Job *job = this->job(id);
    return job && job->pause(QStringLiteral("paused by user"));
}

bool JobSupervisor::resume(qint64 id) {
    Job *job = this->job(id);
    return job && job->resume(QStringLiteral("resumed by user"));
}

void JobSupervisor::pauseGroup(const QString &group, bool pauseRunning) {
    const QString name = group.isEmpty() ? defaultGroupName() : group;
    m_scheduler->setGroupPaused(name, true, QStringLiteral("paused by user"));
    if (!pauseRunning)
        return;
    for (const auto &[id, job] : m_jobs)
        if (job->spec().groupName() == name && job->state() == JobState::Running)
            job->pause(QStringLiteral("group %1 paused").arg(name));
}

void JobSupervisor::resumeGroup(const QString &group) {
    const QString name = group.isEmpty() ? defaultGroupName() : group;
    m_scheduler->setGroupPaused(name, false);
    for (const auto &[id, job] : m_jobs)
        if (job->spec().groupName() == name && job->state() == JobState::Paused)
            job->resume(QStringLiteral("group %1 resumed").arg(name));
}

Job *JobSupervisor::job(qint64 id) const {
    const auto it = m_jobs.find(id);
    return it == m_jobs.end() ? nullptr : it->second.get();
}

QList<Job *> JobSupervisor::jobs() const {
    QList<Job *> all;
    all.reserve(qsizetype(m_jobs.size()));
    for (const auto &[id, job] : m_jobs)
        all << job.get();
    return all;
}

int JobSupervisor::maxParallel() const {
    return m_scheduler->maxParallel();
}

void JobSupervisor::setMaxParallel(int maxParallel) {
    m_scheduler->setMaxParallel(maxParallel);
}

int JobSupervisor::activeCount() const {
    int active = 0;
    for (const JobState state : allJobStates())
        if (!isFinal(state))
            active += count(state);
    return active;
}

bool JobSupervisor::isWaitingForMemory() const {
    return m_scheduler->isHeldByGate();
}

int JobSupervisor::count(const QString &group, JobState state) const {
    const auto it = m_groupCounts.find(group.isEmpty() ? defaultGroupName() : group);
    return it == m_groupCounts.end() ? 0 : it->second[size_t(state)];
}

int JobSupervisor::activeCount(const QString &group) const {
    int active = 0;
    for (const JobState state : allJobStates())
        if (!isFinal(state))
            active += count(group, state);
    return active;
}

int JobSupervisor::processesAlive() const {
    return m_resources->totals().processes;
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
        // Every job's coroutine reacts to this one cancel: each running job's shim is told to
        // stop inside it, so every job group is signalled in the same event-loop turn.
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
