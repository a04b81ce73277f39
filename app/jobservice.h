#pragma once

#include "dependencies.h"
#include "jobgroup.h"
#include "jobspec.h"
#include "jobstate.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <array>
#include <optional>

namespace jobmonitor {

class Job;
class JobSupervisor;

// The one command layer of Job Monitor: the window's controller, the headless runner and the
// D-Bus interface all add, stop, pause and order jobs and manage groups through it, never
// through the engine directly. A new front end plugs in here; a rule that applies to every
// front end (what may be done to a job in which state, which group and dependencies a new
// job may name, what the store must hold before an id is shown) lives here.
class JobService : public QObject {
    Q_OBJECT
public:
    explicit JobService(JobSupervisor *supervisor, QObject *parent = nullptr);

    struct AddResult {
        qint64 id = 0;
        QString error; // set when the job was refused
        explicit operator bool() const { return id != 0; }
    };
    struct BatchResult {
        QList<qint64> ids; // in batch order
        QString error;     // set when the batch was refused: then no job was added
        explicit operator bool() const { return !ids.isEmpty(); }
    };

    // A job is refused, with a message that says why, when its spec is invalid, its group does
    // not exist, its start time is not in the future, or it would wait for a job that does not
    // exist (or, in a batch, for itself, or in a circle).
    AddResult add(JobSpec spec);
    BatchResult addBatch(QList<BatchJob> batch);
    bool cancel(qint64 id); // any job not ended: it ends Cancelled (gracefully if running)
    bool kill(qint64 id);   // SIGKILL now, also while Stopping ("Kill now")
    bool retry(qint64 id);  // an ended job that did not complete runs again (in its group)
    bool remove(qint64 id); // an ended job is forgotten
    // SIGSTOP to every process of a running job (its group and every process that left it);
    // its timeout's clock stops too. resume() sends SIGCONT and starts the clock again. False
    // unless the job is Running (Paused) and its command has started.
    bool pause(qint64 id);
    bool resume(qint64 id);

    // The order of a group's queue (the jobs waiting for a slot, first to start first). A
    // priority (-limits::maxPriority to limits::maxPriority) places a job as it joins the queue,
    // and places a waiting job anew; moves put it one place up or down, or at the front.
    bool setPriority(qint64 id, int priority);
    bool moveUp(qint64 id);
    bool moveDown(qint64 id);
    bool moveToFront(qint64 id);
    QList<qint64> queue(const QString &group) const;
    // Orders waiting jobs by their place in their queues; see Scheduler::queueKey().
    std::optional<qint64> queueKey(qint64 id) const;

    struct GroupInfo {
        GroupSettings settings;
        bool paused = false;
        QString pauseReason;                     // "paused by user", "paused after job #12 failed"
        std::array<int, JobStateCount> counts{}; // jobs of the group per state
        int count(JobState state) const { return counts[size_t(state)]; }
        int activeCount() const; // not in a final state
    };
    // The default group first, then by name.
    QList<GroupInfo> groups() const;
    std::optional<GroupInfo> group(const QString &name) const;
    // Creates a group or changes one; saved in the settings file when groups are kept there
    // (setKeepsGroups). Returns an error message, or an empty string.
    QString saveGroup(const GroupSettings &settings);
    // The same, for this run only: never saved (the command line's --group-parallel).
    QString setGroupForThisRun(const GroupSettings &settings);
    // Refused for the default group and for a group with jobs not yet ended, with a message
    // saying so; ended jobs of the group keep its name.
    QString removeGroup(const QString &name);
    // A paused group starts none of its jobs; with pauseRunning its running jobs are paused
    // too. Resuming it starts its queue again and resumes every paused job of the group.
    QString pauseGroup(const QString &name, bool pauseRunning);
    QString resumeGroup(const QString &name);
    // Groups from the settings file, and whether edits are saved back there (the window's).
    void loadGroups(const QList<GroupSettings> &groups);
    void setKeepsGroups(bool keep) { m_keepsGroups = keep; }

    // The live job, for observers that follow its signals (the window); null when unknown.
    Job *job(qint64 id) const;
    QList<Job *> jobs() const; // in the order they were added

    int count(JobState state) const;
    int activeCount() const;
    int processesAlive() const;
    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    bool isShuttingDown() const;

Q_SIGNALS:
    void jobAdded(jobmonitor::Job *job);
    void jobRemoved(qint64 id);
    void countersChanged();
    void maxParallelChanged(int maxParallel);
    // Groups were made, changed, removed, paused or resumed (counts: countersChanged).
    void groupsChanged();
    // The job joined or left its group's queue, or moved in it.
    void queueChanged(qint64 id);

private:
    QString checkBatch(const QList<BatchJob> &batch) const;
    QString setGroup(const GroupSettings &settings, bool keep);
    void saveKeptGroups() const;

    JobSupervisor *m_supervisor;
    QSet<QString> m_keptGroups; // the groups that belong in the settings file
    bool m_keepsGroups = false;
};

} // namespace jobmonitor
