#include "stateedgemodel.h"

#include "statenodemodel.h"

namespace jobmonitor {

StateEdgeModel::StateEdgeModel(QObject *parent)
    : QAbstractListModel(parent) {
    for (const TransitionRule &rule : transitionTable()) {
        const int row = rowOf(int(rule.from), int(rule.to));
        if (row >= 0) {
            m_edges[row].events.append(jobEventName(rule.event));
            continue;
        }
        m_edges.append({rule.from, rule.to, {jobEventName(rule.event)}});
    }
    for (Edge &edge : m_edges) {
        // Arrows both ways between two states curve apart; arrows back to the queue (Requeue)
        // arc wide around the others; arrows skipping a column bow a little to miss the
        // states between.
        const QPointF from = stateDiagramPosition(edge.from);
        const QPointF to = stateDiagramPosition(edge.to);
        if (to.x() < from.x())
            edge.bend = edge.to == JobState::Pending ? 0.35 : 0.15;
        else if (rowOf(int(edge.to), int(edge.from)) >= 0)
            edge.bend = 0.2;
        else if (to.x() - from.x() > 1)
            edge.bend = 0.12;
    }
}

void StateEdgeModel::setHistory(const QList<Transition> &history) {
    for (Edge &edge : m_edges) {
        edge.taken = 0;
        edge.latest = false;
    }
    for (const Transition &t : history) {
        const int row = rowOf(int(t.from), int(t.to));
        if (row >= 0)
            ++m_edges[row].taken;
    }
    if (!history.isEmpty()) {
        const int row = rowOf(int(history.last().from), int(history.last().to));
        if (row >= 0)
            m_edges[row].latest = true;
    }
    if (!m_edges.isEmpty())
        Q_EMIT dataChanged(createIndex(0, 0), createIndex(int(m_edges.size()) - 1, 0),
                           {TakenRole, TakenCountRole, LatestRole});
}

int StateEdgeModel::rowOf(int from, int to) const {
    for (int row = 0; row < m_edges.size(); ++row) {
        if (int(m_edges[row].from) == from && int(m_edges[row].to) == to)
            return row;
    }
    return -1;
}

int StateEdgeModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_edges.size());
}

QVariant StateEdgeModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Edge &edge = m_edges[index.row()];
    switch (Role(role)) {
    case FromRole:
        return int(edge.from);
    case ToRole:
        return int(edge.to);
    case FromXRole:
        return stateDiagramPosition(edge.from).x();
    case FromYRole:
        return stateDiagramPosition(edge.from).y();
    case ToXRole:
        return stateDiagramPosition(edge.to).x();
    case ToYRole:
        return stateDiagramPosition(edge.to).y();
    case BendRole:
        return edge.bend;
    case EventsRole:
        return edge.events.join(QStringLiteral(" / "));
    case TakenRole:
        return edge.taken > 0;
    case TakenCountRole:
        return edge.taken;
    case LatestRole:
        return edge.latest;
    }
    return {};
}

QHash<int, QByteArray> StateEdgeModel::roleNames() const {
    return {
        {FromRole, "from"},     {ToRole, "to"},
        {FromXRole, "fromX"},   {FromYRole, "fromY"},
        {ToXRole, "toX"},       {ToYRole, "toY"},
        {BendRole, "bend"},     {EventsRole, "events"},
        {TakenRole, "taken"},   {TakenCountRole, "takenCount"},
        {LatestRole, "latest"},
    };
}

} // namespace jobmonitor
