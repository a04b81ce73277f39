#include "statenodemodel.h"

#include "jobformat.h"
#include "statediagram.h"

namespace jobmonitor {

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

QRectF StateNodeModel::nodeBox(int row, QSizeF view, QSizeF node, qreal margin) const {
    if (row < 0 || row >= JobStateCount)
        return {};
    return StateDiagramGeometry{view, node, margin}.nodeBox(JobState(row));
}

int StateNodeModel::frameCount() const {
    return int(stateDiagramFrames().size());
}

QRectF StateNodeModel::frameBox(int frame, QSizeF view, QSizeF node, qreal margin,
                                qreal framePadding) const {
    if (frame < 0 || frame >= frameCount())
        return {};
    return StateDiagramGeometry{view, node, margin, framePadding}.frameBox(frame);
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
        {StateRole, "jobState"},  {NameRole, "name"},       {FinalRole, "isFinal"},
        {CurrentRole, "current"}, {VisitedRole, "visited"},
    };
}

} // namespace jobmonitor
