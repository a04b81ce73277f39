#include "grouplistmodel.h"

namespace jobmonitor {

namespace {

int countOf(const JobService::GroupInfo &group, std::initializer_list<JobState> states) {
    int total = 0;
    for (const JobState state : states)
        total += group.count(state);
    return total;
}

} // namespace

GroupListModel::GroupListModel(JobService *service, QObject *parent)
    : QAbstractListModel(parent)
    , m_service(service)
    , m_groups(service->groups()) {
    connect(service, &JobService::groupsChanged, this, &GroupListModel::reload);
    connect(service, &JobService::countersChanged, this, &GroupListModel::refreshCounts);
}

// Groups come and go rarely: a reset is simplest, and the panel keeps no state per row.
void GroupListModel::reload() {
    beginResetModel();
    m_groups = m_service->groups();
    endResetModel();
}

void GroupListModel::refreshCounts() {
    const QList<JobService::GroupInfo> groups = m_service->groups();
    if (groups.size() != m_groups.size()) {
        reload();
        return;
    }
    m_groups = groups;
    if (!m_groups.isEmpty())
        Q_EMIT dataChanged(createIndex(0, 0), createIndex(int(m_groups.size()) - 1, 0),
                           {PausedRole, PauseReasonRole, QueuedRole, RunningRole, TotalRole});
}

int GroupListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_groups.size());
}

QVariant GroupListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const JobService::GroupInfo &group = m_groups[index.row()];
    switch (Role(role)) {
    case NameRole:
        return group.settings.name;
    case MaxParallelRole:
        return group.settings.maxParallel;
    case RateRole:
        return group.settings.rate.isLimited() ? group.settings.rate.toString() : QString();
    case PauseOnFailureRole:
        return group.settings.pauseOnFailure;
    case PausedRole:
        return group.paused;
    case PauseReasonRole:
        return group.pauseReason;
    case QueuedRole:
        return countOf(group, {JobState::Pending, JobState::Waiting});
    case RunningRole:
        return countOf(
            group, {JobState::Running, JobState::Paused, JobState::Stopping, JobState::Retrying});
    case TotalRole: {
        int total = 0;
        for (const int count : group.counts)
            total += count;
        return total;
    }
    case DeletableRole:
        return group.settings.name != defaultGroupName();
    }
    return {};
}

QHash<int, QByteArray> GroupListModel::roleNames() const {
    return {
        {NameRole, "name"},     {MaxParallelRole, "maxParallel"},
        {RateRole, "rate"},     {PauseOnFailureRole, "pauseOnFailure"},
        {PausedRole, "paused"}, {PauseReasonRole, "pauseReason"},
        {QueuedRole, "queued"}, {RunningRole, "running"},
        {TotalRole, "total"},   {DeletableRole, "deletable"},
    };
}

} // namespace jobmonitor
