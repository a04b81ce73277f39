#pragma once

#include "jobservice.h"

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

// The groups of the JobService (the default group first, then by name) with their limits,
// whether they are paused, and how many of their jobs are in which phase, for the window's
// group panel and its filter.
class GroupListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The group list belongs to App.")
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // string: the group's name
        MaxParallelRole,             // int: jobs of the group running at once, 0: no own limit
        RateRole,                    // string: its start rate as typed ("5/60:2"), empty: none
        PauseOnFailureRole,          // bool: a failed job pauses the group
        PausedRole,                  // bool: the group starts none of its jobs
        PauseReasonRole,             // string: "paused by user", "paused after job #12 failed"
        QueuedRole,                  // int: its jobs Queued or Waiting
        RunningRole,                 // int: its jobs Running, Paused, Stopping or Retrying
        TotalRole,                   // int: all its jobs of this session
        DeletableRole,               // bool: not the default group
    };
    Q_ENUM(Role)

    explicit GroupListModel(JobService *service, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void reload();
    void refreshCounts();

    JobService *m_service;
    QList<JobService::GroupInfo> m_groups;
};

} // namespace jobmonitor
