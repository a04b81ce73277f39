#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

class Job;
class JobService;

// Every job of this run, newest first. Updates are fine-grained: a state change touches
// one row and only the roles it affects; elapsed times tick through one shared one-second
// timer that emits a single dataChanged for the span of rows that are still running (their
// CPU, memory and progress with them, as last sampled off the GUI thread).
class JobListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The job list belongs to App.")
public:
    enum Role {
        JobIdRole = Qt::UserRole + 1, // int: the job's id
        LabelRole,                    // string: the name, or the command when the job has none
        CommandRole,                  // string: the command line
        StateRole,                    // int: jobmonitor::JobState
        StateNameRole,                // string: "Queued", "Running", "Timed out", ...
        AttemptRole,                  // int: current or last attempt of this run, 0 before one
        MaxAttemptsRole,              // int: 1 + retries
        ElapsedRole,   // string: "1:07", ticking while the job runs; empty while queued
        ResultRole,    // string: "exit 3", "signal 9 (SIGKILL)", "failed to start" or empty
        ActiveRole,    // bool: Running, Stopping or Retrying
        FinalRole,     // bool: Completed, Failed, TimedOut or Cancelled
        DeadlineRole,  // double: epoch ms of SIGKILL (Stopping) or next attempt (Retrying), 0
        CreatedAtRole, // date: when the job was queued
        StartedAtRole, // date: when its first attempt started; invalid before
        // string: CPU and memory of the running job's processes, "12% · 240 MiB"; else empty
        ResourcesRole,
        ProgressRole,          // double: 0..1 while the running attempt shows progress, else -1
        ProgressEstimatedRole, // bool: the progress comes from the expected duration
        EtaRole,               // string: "2:15 left", "about 2:15 left", or empty
        LiveRole,              // bool: a job of this run (the others come from the history)
        GroupRole,             // string: the group whose queue it joins ("default" unless named)
        PriorityRole,          // int: its priority in that queue
        WaitReasonRole, // string: while Waiting, what for ("waiting for #12", "starts at 23:00")
        StartsInRole,   // string: "starts in 9:58", ticking while a start time is ahead
        QueueKeyRole,   // double: its place among jobs waiting for a slot (Scheduler::queueKey),
                        // smaller first; -1 when it does not wait for one
    };
    Q_ENUM(Role)

    explicit JobListModel(JobService *service, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    // The role names, for every model that lists jobs with these roles.
    static QHash<int, QByteArray> roles();

    // Row of the job with this id, or -1.
    Q_INVOKABLE int rowOf(qint64 jobId) const;

private:
    void add(Job *job);
    void removeJob(qint64 id);
    void jobChanged(Job *job, const QList<int> &roles);
    void tick();
    int indexOf(qint64 id) const; // index into m_jobs (creation order)
    int rowAt(int index) const { return int(m_jobs.size()) - 1 - index; }

    JobService *m_service;
    QList<Job *> m_jobs; // creation order; rows show them reversed
    QTimer m_elapsedTimer;
};

} // namespace jobmonitor
