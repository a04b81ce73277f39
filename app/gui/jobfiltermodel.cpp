#include "jobfiltermodel.h"

#include "joblistmodel.h"
#include "jobstate.h"

namespace jobmonitor {

JobFilterModel::JobFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent) {
    // Only a state change can move a job in or out of the filter; other roles tick often.
    setFilterRole(JobListModel::StateRole);
}

void JobFilterModel::setFilter(Filter filter) {
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

bool JobFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const {
    if (m_filter == Filter::All)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto state = JobState(index.data(JobListModel::StateRole).toInt());
    switch (m_filter) {
    case Filter::All:
        return true;
    case Filter::Active:
        return !isFinal(state);
    case Filter::Failed:
        return state == JobState::Failed || state == JobState::TimedOut;
    case Filter::Finished:
        return isFinal(state);
    }
    return true;
}

int JobFilterModel::rowOf(qint64 jobId) const {
    auto *source = qobject_cast<JobListModel *>(sourceModel());
    if (!source)
        return -1;
    const int sourceRow = source->rowOf(jobId);
    if (sourceRow < 0)
        return -1;
    return mapFromSource(source->index(sourceRow, 0)).row();
}

qint64 JobFilterModel::jobIdAt(int row) const {
    const QModelIndex i = index(row, 0);
    return i.isValid() ? i.data(JobListModel::JobIdRole).toLongLong() : -1;
}

} // namespace jobmonitor
