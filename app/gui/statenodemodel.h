#pragma once

#include "jobstate.h"

#include <QAbstractListModel>
#include <QPointF>
#include <QtQml/qqmlregistration.h>

#include <optional>

namespace jobmonitor {

// Where a state sits in the diagram, in grid units: x is the column (0..3, left to right in
// the order a job moves), y the row (0..3).
QPointF stateDiagramPosition(JobState state);

// The states of the job state machine as the nodes of a diagram: where each one sits, which
// one the job is in now and which ones it has visited.
class StateNodeModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The diagram's states come from JobDetails.diagramStates.")
    Q_PROPERTY(int columns READ columns CONSTANT)
    Q_PROPERTY(int rows READ rows CONSTANT)
public:
    enum Role {
        StateRole = Qt::UserRole + 1, // int: jobmonitor::JobState
        NameRole,                     // string
        XRole,                        // double: column in grid units
        YRole,                        // double: row in grid units
        FinalRole,                    // bool: a final state
        CurrentRole,                  // bool: the job is in this state now
        VisitedRole,                  // bool: the job has been in this state
    };
    Q_ENUM(Role)

    explicit StateNodeModel(QObject *parent = nullptr);

    // No current state: the bare diagram.
    void setJob(std::optional<JobState> current, const QList<Transition> &history);

    int columns() const { return 4; }
    int rows() const { return 5; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::optional<JobState> m_current;
    QList<bool> m_visited;
};

} // namespace jobmonitor
