#include "joblistmodel.h"

#include "job.h"
#include "jobformat.h"
#include "jobservice.h"
#include "resourcemonitor.h"

#include <algorithm>

namespace jobmonitor {

JobListModel::JobListModel(JobService *service, QObject *parent)
    : QAbstractListModel(parent)
    , m_service(service) {
    for (Job *job : service->jobs())
        add(job);
    connect(service, &JobService::jobAdded, this, [this](Job *job) {
        beginInsertRows({}, 0, 0);
        add(job);
        endInsertRows();
    });
    connect(service, &JobService::jobRemoved, this, &JobListModel::removeJob);
    connect(service, &JobService::waitingForMemoryChanged, this, [this] {
        if (!m_jobs.isEmpty())
            Q_EMIT dataChanged(createIndex(0, 0), createIndex(rowCount() - 1, 0), {ResultRole});
    });
    connect(service, &JobService::queueChanged, this, [this](qint64 id) {
        if (Job *job = m_service->job(id))
            jobChanged(job, {QueueKeyRole});
    });
    m_elapsedTimer.setInterval(1000);
    connect(&m_elapsedTimer, &QTimer::timeout, this, &JobListModel::tick);
    m_elapsedTimer.start();
}

void JobListModel::add(Job *job) {
    m_jobs.append(job);
    connect(job, &Job::transitioned, this, [this, job] {
        jobChanged(job, {StateRole, StateNameRole, ElapsedRole, ResultRole, ActiveRole, FinalRole,
                         DeadlineRole, AttemptRole, StartedAtRole, ResourcesRole, ProgressRole,
                         ProgressEstimatedRole, EtaRole, WaitReasonRole, StartsInRole});
    });
    connect(job, &Job::priorityChanged, this, [this, job] { jobChanged(job, {PriorityRole}); });
    connect(job, &Job::deadlineChanged, this, [this, job] { jobChanged(job, {DeadlineRole}); });
}

void JobListModel::removeJob(qint64 id) {
    const int index = indexOf(id);
    if (index < 0)
        return;
    const int row = rowAt(index);
    beginRemoveRows({}, row, row);
    m_jobs[index]->disconnect(this);
    m_jobs.removeAt(index);
    endRemoveRows();
}

void JobListModel::jobChanged(Job *job, const QList<int> &roles) {
    const int index = indexOf(job->id());
    if (index < 0)
        return;
    const QModelIndex changed = createIndex(rowAt(index), 0);
    Q_EMIT dataChanged(changed, changed, roles);
}

void JobListModel::tick() {
    const QDateTime now = QDateTime::currentDateTime();
    int first = -1;
    int last = -1;
    for (int i = 0; i < m_jobs.size(); ++i) {
        // Running jobs count up; jobs with a start time ahead count down.
        if (!isActive(m_jobs[i]->state()) && jobStartsInText(*m_jobs[i], now).isEmpty())
            continue;
        const int row = rowAt(i);
        first = first < 0 ? row : std::min(first, row);
        last = std::max(last, row);
    }
    if (first >= 0)
        Q_EMIT dataChanged(createIndex(first, 0), createIndex(last, 0),
                           {ElapsedRole, ResourcesRole, ProgressRole, ProgressEstimatedRole,
                            EtaRole, StartsInRole});
}

int JobListModel::indexOf(qint64 id) const {
    // Ids grow with creation order, so the list is sorted by id.
    const auto it =
        std::lower_bound(m_jobs.cbegin(), m_jobs.cend(), id,
                         [](const Job *job, qint64 value) { return job->id() < value; });
    if (it == m_jobs.cend() || (*it)->id() != id)
        return -1;
    return int(it - m_jobs.cbegin());
}

int JobListModel::rowOf(qint64 jobId) const {
    const int index = indexOf(jobId);
    return index < 0 ? -1 : rowAt(index);
}

int JobListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_jobs.size());
}

QVariant JobListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Job &job = *m_jobs[rowAt(index.row())];
    switch (Role(role)) {
    case JobIdRole:
        return job.id();
    case LabelRole:
        return job.spec().label();
    case CommandRole:
        return job.spec().command;
    case StateRole:
        return int(job.state());
    case StateNameRole:
        return stateLabel(job.state());
    case AttemptRole:
        return job.attemptOfRun();
    case MaxAttemptsRole:
        return job.spec().maxAttempts;
    case ElapsedRole:
        return jobElapsedText(job, QDateTime::currentDateTime());
    case ResultRole:
        if (job.state() == JobState::Pending && m_service->isWaitingForMemory())
            return QStringLiteral("waiting for memory");
        return jobResultText(job);
    case ActiveRole:
        return isActive(job.state());
    case FinalRole:
        return isFinal(job.state());
    case DeadlineRole:
        return double(jobDeadlineEpochMs(job));
    case CreatedAtRole:
        return job.createdAt();
    case StartedAtRole:
        return job.startedAt();
    case ResourcesRole: {
        if (!job.isAttemptRunning())
            return QString();
        const std::optional<ResourceSample> sample = m_service->resources()->latestSample(job.id());
        return jobResourcesText(sample ? sample->cpuPercent : 0, sample ? sample->rssBytes : 0,
                                sample && !sample->ended);
    }
    case ProgressRole: {
        const std::optional<Progress> progress = job.progress().progress;
        return progress ? progress->fraction : -1.0;
    }
    case ProgressEstimatedRole: {
        const std::optional<Progress> progress = job.progress().progress;
        return progress && progress->kind == Progress::Kind::Estimate;
    }
    case EtaRole:
        return jobEtaText(job);
    case LiveRole:
        return true;
    case GroupRole:
        return job.spec().groupName();
    case PriorityRole:
        return job.priority();
    case WaitReasonRole:
        return job.state() == JobState::Waiting && !job.history().isEmpty()
                   ? job.history().constLast().reason
                   : QString();
    case StartsInRole:
        return jobStartsInText(job, QDateTime::currentDateTime());
    case QueueKeyRole:
        return double(job.queueKey().value_or(-1));
    }
    return {};
}

QHash<int, QByteArray> JobListModel::roleNames() const {
    return roles();
}

QHash<int, QByteArray> JobListModel::roles() {
    return {
        {JobIdRole, "jobId"},
        {LabelRole, "label"},
        {CommandRole, "command"},
        {StateRole, "jobState"},
        {StateNameRole, "stateName"},
        {AttemptRole, "attempt"},
        {MaxAttemptsRole, "maxAttempts"},
        {ElapsedRole, "elapsed"},
        {ResultRole, "result"},
        {ActiveRole, "isActive"},
        {FinalRole, "isFinal"},
        {DeadlineRole, "deadline"},
        {CreatedAtRole, "createdAt"},
        {StartedAtRole, "startedAt"},
        {ResourcesRole, "resources"},
        {ProgressRole, "progress"},
        {ProgressEstimatedRole, "progressEstimated"},
        {EtaRole, "eta"},
        {LiveRole, "isLive"},
        {GroupRole, "group"},
        {PriorityRole, "priority"},
        {WaitReasonRole, "waitReason"},
        {StartsInRole, "startsIn"},
        {QueueKeyRole, "queueKey"},
    };
}

} // namespace jobmonitor
