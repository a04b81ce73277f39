#include "jobfiltermodel.h"

#include "historylistmodel.h"
#include "joblistmodel.h"
#include "jobstate.h"

#include <QDateTime>

namespace jobmonitor {

namespace {
// Place of a state when the list is ordered by state: what needs watching first.
int stateRank(JobState state) {
    switch (state) {
    case JobState::Running:
        return 0;
    case JobState::Paused:
        return 1;
    case JobState::Stopping:
        return 2;
    case JobState::Retrying:
        return 3;
    case JobState::Pending:
        return 4;
    case JobState::Waiting:
        return 5;
    case JobState::Failed:
        return 6;
    case JobState::TimedOut:
        return 7;
    case JobState::Interrupted:
        return 8;
    case JobState::Cancelled:
        return 9;
    case JobState::Completed:
        return 10;
    }
    return 11;
}
} // namespace

JobFilterModel::JobFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent) {
    // Only a state change can move a job in or out of the filter; other roles tick often.
    setFilterRole(JobListModel::StateRole);
    setDynamicSortFilter(true);
    for (const auto signal : {&JobFilterModel::rowsInserted, &JobFilterModel::rowsRemoved})
        connect(this, signal, this, &JobFilterModel::countChanged);
    connect(this, &JobFilterModel::modelReset, this, &JobFilterModel::countChanged);
    connect(this, &JobFilterModel::layoutChanged, this, &JobFilterModel::countChanged);
}

void JobFilterModel::setFilter(Filter filter) {
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

void JobFilterModel::setOrder(Order order) {
    if (order == m_order)
        return;
    m_order = order;
    // The role whose change can move a row; the elapsed times that tick every second cannot.
    setSortRole(order == Order::Started ? JobListModel::StartedAtRole
                : order == Order::Queue ? JobListModel::QueueKeyRole
                                        : JobListModel::StateRole);
    if (order == Order::Newest)
        sort(-1);
    else {
        invalidate();
        sort(0);
    }
    Q_EMIT orderChanged();
}

void JobFilterModel::setSearch(const QString &search) {
    if (search == m_search)
        return;
    m_search = search;
    invalidateRowsFilter();
    Q_EMIT searchChanged();
}

void JobFilterModel::setSince(const QDateTime &since) {
    if (since == m_since)
        return;
    m_since = since;
    invalidateRowsFilter();
    Q_EMIT sinceChanged();
}

void JobFilterModel::setGroup(const QString &group) {
    if (group == m_group)
        return;
    m_group = group;
    invalidateRowsFilter();
    Q_EMIT groupChanged();
}

QList<JobState> JobFilterModel::statesOf(Filter filter) {
    QList<JobState> states;
    for (const JobState state : allJobStates()) {
        const bool shown = [&] {
            switch (filter) {
            case Filter::All:
                return false;
            case Filter::Active:
                return !isFinal(state);
            case Filter::Failed:
                return state == JobState::Failed || state == JobState::TimedOut ||
                       state == JobState::Interrupted;
            case Filter::Finished:
                return isFinal(state);
            case Filter::Running:
                return state == JobState::Running || state == JobState::Stopping;
            }
            return false;
        }();
        if (shown)
            states.append(state);
    }
    return states;
}

bool JobFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_group.isEmpty() && index.data(JobListModel::GroupRole).toString() != m_group)
        return false;
    if (m_filter != Filter::All &&
        !statesOf(m_filter).contains(JobState(index.data(JobListModel::StateRole).toInt())))
        return false;
    if (m_since.isValid() && index.data(JobListModel::CreatedAtRole).toDateTime() < m_since)
        return false;
    // The label is the name, or the command when the job has none: with the command it covers
    // what the store searches.
    if (!m_search.isEmpty() &&
        !index.data(JobListModel::LabelRole).toString().contains(m_search, Qt::CaseInsensitive) &&
        !index.data(JobListModel::CommandRole).toString().contains(m_search, Qt::CaseInsensitive))
        return false;
    return true;
}

bool JobFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const {
    // Ids grow with creation: a larger id is newer and comes first on a tie.
    const bool newer = left.data(JobListModel::JobIdRole).toLongLong() >
                       right.data(JobListModel::JobIdRole).toLongLong();
    if (m_order == Order::State) {
        const int l = stateRank(JobState(left.data(JobListModel::StateRole).toInt()));
        const int r = stateRank(JobState(right.data(JobListModel::StateRole).toInt()));
        return l != r ? l < r : newer;
    }
    if (m_order == Order::Queue) {
        const double l = left.data(JobListModel::QueueKeyRole).toDouble();
        const double r = right.data(JobListModel::QueueKeyRole).toDouble();
        if ((l < 0) != (r < 0))
            return r < 0;
        return l != r ? l < r : newer;
    }
    if (m_order == Order::Started) {
        const QDateTime l = left.data(JobListModel::StartedAtRole).toDateTime();
        const QDateTime r = right.data(JobListModel::StartedAtRole).toDateTime();
        if (l.isValid() != r.isValid())
            return !l.isValid();
        return l != r ? l > r : newer;
    }
    return newer;
}

int JobFilterModel::rowOf(int jobId) const {
    int sourceRow = -1;
    if (auto *jobs = qobject_cast<JobListModel *>(sourceModel()))
        sourceRow = jobs->rowOf(jobId);
    else if (auto *history = qobject_cast<HistoryListModel *>(sourceModel()))
        sourceRow = history->rowOf(jobId);
    if (sourceRow < 0)
        return -1;
    return mapFromSource(sourceModel()->index(sourceRow, 0)).row();
}

int JobFilterModel::jobIdAt(int row) const {
    const QModelIndex i = index(row, 0);
    return i.isValid() ? i.data(JobListModel::JobIdRole).toInt() : -1;
}

QList<int> JobFilterModel::jobIds() const {
    QList<int> ids;
    ids.reserve(rowCount());
    for (int row = 0; row < rowCount(); ++row)
        ids.append(index(row, 0).data(JobListModel::JobIdRole).toInt());
    return ids;
}

} // namespace jobmonitor
