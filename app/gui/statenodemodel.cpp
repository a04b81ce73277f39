#include "statenodemodel.h"

#include "jobformat.h"

namespace jobmonitor {

QPointF stateDiagramPosition(JobState state) {
    // Layers, left to right: the queue (waiting, then pending), running with its retry loop
    // below it, paused above stopping, and a column of final states. Paused sits level with
    // Completed and Running between the two, so the many arrows out of Running and Paused
    // fan out to the right without crossing a state.
    switch (state) {
    case JobState::Waiting:
        return {0, 0.5};
    case JobState::Pending:
        return {0, 2};
    case JobState::Running:
        return {1, 1};
    case JobState::Retrying:
        return {1, 3.5};
    case JobState::Paused:
        return {2, 0};
    case JobState::Stopping:
        return {2, 2.25};
    case JobState::Completed:
        return {3, 0};
    case JobState::Failed:
        return {3, 1};
    case JobState::TimedOut:
        return {3, 2};
    case JobState::Cancelled:
        return {3, 3};
    case JobState::Interrupted:
        return {3, 4};
    }
    return {3, 4};
}

StateNodeModel::StateNodeModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_visited(JobStateCount, false) {}

void StateNodeModel::setJob(std::optional<JobState> current, const QList<Transition> &history) {
    m_current = current;
    m_visited.fill(false);
    for (const Transition &t : history) {
        m_visited[int(t.from)] = true;
        m_visited[int(t.to)] = true;
    }
    if (current)
        m_visited[int(*current)] = true;
    Q_EMIT dataChanged(createIndex(0, 0), createIndex(JobStateCount - 1, 0),
                       {CurrentRole, VisitedRole});
}

int StateNodeModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : JobStateCount;
}

QVariant StateNodeModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto state = JobState(index.row());
    switch (Role(role)) {
    case StateRole:
        return int(state);
    case NameRole:
        return stateLabel(state);
    case XRole:
        return stateDiagramPosition(state).x();
    case YRole:
        return stateDiagramPosition(state).y();
    case FinalRole:
        return isFinal(state);
    case CurrentRole:
        return m_current == state;
    case VisitedRole:
        return bool(m_visited[index.row()]);
    }
    return {};
}

QHash<int, QByteArray> StateNodeModel::roleNames() const {
    return {
        {StateRole, "jobState"},  {NameRole, "name"},     {XRole, "gridX"},
        {YRole, "gridY"},         {FinalRole, "isFinal"}, {CurrentRole, "current"},
        {VisitedRole, "visited"},
    };
}

} // namespace jobmonitor
