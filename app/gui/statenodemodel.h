#pragma once

#include "jobstate.h"

#include <QAbstractListModel>
#include <QRectF>
#include <QSizeF>
#include <QtQml/qqmlregistration.h>

#include <optional>

namespace jobmonitor {

// The states of the job state machine as the nodes of a diagram: where each one sits, which
// one the job is in now and which ones it has visited.
class StateNodeModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The diagram's states come from JobDetails.diagramStates.")
    Q_PROPERTY(int frameCount READ frameCount CONSTANT)
public:
    enum Role {
        StateRole = Qt::UserRole + 1, // int: jobmonitor::JobState
        NameRole,                     // string
        FinalRole,                    // bool: a final state
        CurrentRole,                  // bool: the job is in this state now
        VisitedRole,                  // bool: the job has been in this state
    };
    Q_ENUM(Role)

    explicit StateNodeModel(QObject *parent = nullptr);

    // No current state: the bare diagram.
    void setJob(std::optional<JobState> current, const QList<Transition> &history);

    // Where the view draws a state's box and a frame (statediagram.h), in a view of that size
    // with nodes of that size.
    Q_INVOKABLE QRectF nodeBox(int row, QSizeF view, QSizeF node, qreal margin) const;
    int frameCount() const;
    Q_INVOKABLE QRectF frameBox(int frame, QSizeF view, QSizeF node, qreal margin,
                                qreal framePadding) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::optional<JobState> m_current;
    QList<bool> m_visited;
};

} // namespace jobmonitor
