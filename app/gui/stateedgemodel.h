#pragma once

#include "jobstate.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The arrows of the state diagram: one row per pair of states the transition table connects
// (events that lead from the same state to the same state share an arrow), with the
// positions of both ends and whether (and how often) the job has taken it.
class StateEdgeModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The diagram's arrows come from JobDetails.diagramEdges.")
public:
    enum Role {
        FromRole = Qt::UserRole + 1, // int: jobmonitor::JobState
        ToRole,                      // int: jobmonitor::JobState
        FromXRole,                   // double: grid units, as StateNodeModel
        FromYRole,
        ToXRole,
        ToYRole,
        BendRole,       // double: how far the arrow curves off the straight line, signed
        EventsRole,     // string: the events this arrow stands for, "Exited / Launch"
        TakenRole,      // bool: the job has taken this arrow
        TakenCountRole, // int: how many times
        LatestRole,     // bool: the job's most recent transition
    };
    Q_ENUM(Role)

    explicit StateEdgeModel(QObject *parent = nullptr);

    void setHistory(const QList<Transition> &history);

    // Row of the arrow from one state to another, or -1 (for tests and the view).
    Q_INVOKABLE int rowOf(int from, int to) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Edge {
        JobState from;
        JobState to;
        QStringList events;
        double bend = 0;
        int taken = 0;
        bool latest = false;
    };
    QList<Edge> m_edges;
};

} // namespace jobmonitor
