#include "stateedgemodel.h"

namespace jobmonitor {

StateEdgeModel::StateEdgeModel(QObject *parent)
    : QAbstractListModel(parent) {
    for (const StateArrow &arrow : stateDiagramArrows())
        m_edges.append({arrow});
}

void StateEdgeModel::setHistory(const QList<Transition> &history) {
    for (Edge &edge : m_edges) {
        edge.taken = 0;
        edge.latest = false;
    }
    for (const Transition &t : history) {
        const int row = rowOf(t);
        if (row >= 0)
            ++m_edges[row].taken;
    }
    if (!history.isEmpty()) {
        const int row = rowOf(history.last());
        if (row >= 0)
            m_edges[row].latest = true;
    }
    if (!m_edges.isEmpty())
        Q_EMIT dataChanged(createIndex(0, 0), createIndex(int(m_edges.size()) - 1, 0),
                           {TakenRole, TakenCountRole, LatestRole});
}

int StateEdgeModel::rowOf(const Transition &transition) const {
    for (int row = 0; row < m_edges.size(); ++row)
        if (m_edges[row].arrow.covers(transition.from, transition.event, transition.to))
            return row;
    return -1;
}

int StateEdgeModel::rowOf(int from, int to) const {
    for (int row = 0; row < m_edges.size(); ++row)
        if (m_edges[row].arrow.covers(JobState(from), JobState(to)))
            return row;
    return -1;
}

QVariantList StateEdgeModel::path(int row, QSizeF view, QSizeF node, qreal margin,
                                  qreal framePadding) const {
    if (row < 0 || row >= m_edges.size())
        return {};
    const ArrowPath p =
        arrowPath(m_edges[row].arrow, StateDiagramGeometry{view, node, margin, framePadding});
    return {p.start, p.control, p.end};
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
        return edge.arrow.from ? int(*edge.arrow.from) : -1;
    case FrameRole:
        return edge.arrow.frame;
    case ToRole:
        return int(edge.arrow.to);
    case EventsRole: {
        QStringList names;
        for (const JobEvent event : edge.arrow.events)
            names.append(jobEventName(event));
        return names.join(QStringLiteral(" / "));
    }
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
        {FromRole, "from"},     {FrameRole, "frame"}, {ToRole, "to"},
        {EventsRole, "events"}, {TakenRole, "taken"}, {TakenCountRole, "takenCount"},
        {LatestRole, "latest"},
    };
}

} // namespace jobmonitor
