#pragma once

#include "statediagram.h"

#include <QAbstractListModel>
#include <QSizeF>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The arrows of the state diagram (stateDiagramArrows(): one per pair of states the
// transition table connects, or one from a frame for what all its states share), and whether
// (and how often) the job has taken each.
class StateEdgeModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The diagram's arrows come from JobDetails.diagramEdges.")
public:
    enum Role {
        FromRole = Qt::UserRole + 1, // int: jobmonitor::JobState, or -1 for a frame's arrow
        FrameRole,                   // int: the frame the arrow leaves (StateNodeModel), or -1
        ToRole,                      // int: jobmonitor::JobState
        EventsRole,                  // string: the events this arrow stands for, "Exited / Lost"
        TakenRole,                   // bool: the job has taken this arrow
        TakenCountRole,              // int: how many times
        LatestRole,                  // bool: the job's most recent transition
    };
    Q_ENUM(Role)

    explicit StateEdgeModel(QObject *parent = nullptr);

    void setHistory(const QList<Transition> &history);

    // Row of the arrow that a transition from one state to another takes (the first one, when
    // events between them are drawn apart), or -1.
    Q_INVOKABLE int rowOf(int from, int to) const;
    // The arrow's curve in a view of that size with nodes of that size: [start, control, end],
    // points of a quadratic Bézier curve (arrowPath()).
    Q_INVOKABLE QVariantList path(int row, QSizeF view, QSizeF node, qreal margin,
                                  qreal framePadding) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    int rowOf(const Transition &transition) const;

    struct Edge {
        StateArrow arrow;
        int taken = 0;
        bool latest = false;
    };
    QList<Edge> m_edges;
};

} // namespace jobmonitor
