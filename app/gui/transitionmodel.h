#pragma once

#include "jobstate.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The history of one job's state machine, oldest first: one row per applied transition.
class TransitionModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("A job's transitions come from JobDetails.transitions.")
public:
    enum Role {
        FromRole = Qt::UserRole + 1, // int: jobmonitor::JobState before
        ToRole,                      // int: jobmonitor::JobState after
        FromNameRole,                // string
        ToNameRole,                  // string
        EventNameRole,               // string: the event that caused it ("Launch", "Stop", ...)
        TimeRole,                    // date: wall-clock time it was applied
        TimeTextRole,                // string: "14:03:22.120"
        ReasonRole,                  // string: "exit code 3", "deadline 30 s", "cancelled by user"
        AttemptRole, // int: the attempt it belongs to, counted over the job's whole life (a
                     // Retry goes on counting), 0 before the first
    };
    Q_ENUM(Role)

    explicit TransitionModel(QObject *parent = nullptr);

    void setHistory(const QList<Transition> &history);
    void append(const Transition &transition);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QList<Transition> m_history;
};

} // namespace jobmonitor
