#pragma once

#include "dependencies.h"
#include "jobgroup.h"
#include "jobrecord.h"
#include "jobspec.h"
#include "jobstate.h"
#include "jobstore.h"
#include "resourcehistory.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <array>
#include <functional>
#include <optional>

namespace jobmonitor {

class Job;
class JobSupervisor;
class ResourceMonitor;

// The one command layer of Job Monitor: the window's controller, the headless runner and the
// D-Bus interface all add, stop, pause and order jobs and manage groups through it, never
// through the engine directly. A new front end plugs in here; a rule that applies to every
// front end (what may be done to a job in which state, which group and dependencies a new
// job may name, what the store must hold before an id is shown) lives here.
//
// Durable before visible: transitionRecorded() comes once the transition is in the store
// (while the store saves; see JobStore::whenCommitted), and a job's id reaches nobody outside
// the process before its first transition has been recorded — front ends that show ids or
// transitions outside the process (the headless stream, D-Bus) follow that signal, not the
// job's own.
//
// History: list() and get() answer at once for this process's jobs; history(), attempts()
// and transitions() read the store on its worker thread and answer through a callback, so
// the GUI thread never waits on disk. history() pages by keyset (JobQuery::after), so a
// window can show 100 000 stored jobs as fast as 10 by asking for one page at a time.
class JobService : public QObject {
    Q_OBJECT
public:
    // store may be null: then nothing is kept and history() is empty.
    explicit JobService(JobSupervisor *supervisor, JobStore *store = nullptr,
                        QObject *parent = nullptr);

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
    // exist (or, in a batch, for itself, or in a circle). A job without a working directory
    // gets the application's: the record says where it ran, and running it again runs it
    // there. A timeout of `auto` is learned here.
    AddResult add(JobSpec spec);
    BatchResult addBatch(QList<BatchJob> batch);
    bool cancel(qint64 id); // any job not ended: it ends Cancelled (gracefully if running)
    bool kill(qint64 id);   // SIGKILL now, also while Stopping ("Kill now")
    bool retry(qint64 id);  // an ended job that did not complete runs again (in its group)
    // An ended job is forgotten: its records and output are deleted. Also a stored job of an
    // earlier run (the store keeps any job that has not ended); jobRemoved tells of both.
    bool remove(qint64 id);
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
    // Groups paused when the window last ran (loadGroupPauses()) are paused again, with their
    // reasons, before any of their jobs can start; a group that no longer exists is left out.
    // While groups are kept, every pause and resume (by anyone, pause on failure too) is saved
    // back at once, so that a crash loses none.
    void loadGroupPauses(const QMap<QString, QString> &reasons);

    // The live job, for observers that follow its signals (the window); null when unknown.
    Job *job(qint64 id) const;
    QList<Job *> jobs() const; // in the order they were added

    // Records of this process's jobs, in the order they were added; one of them, or nullopt.
    QList<JobRecord> list() const;
    std::optional<JobRecord> get(qint64 id) const;
    // Stored jobs (every process's), newest first; this process's live jobs as they are now.
    void history(const JobQuery &query, QObject *context,
                 std::function<void(QList<JobRecord>)> callback) const;
    // How many stored jobs the query matches (its limit and cursor aside).
    void historyCount(const JobQuery &query, QObject *context,
                      std::function<void(int)> callback) const;
    // One job, live or stored; nullopt when there is none with this id.
    void record(qint64 id, QObject *context,
                std::function<void(std::optional<JobRecord>)> callback) const;
    void attempts(qint64 id, QObject *context,
                  std::function<void(QList<AttemptRecord>)> callback) const;
    void transitions(qint64 id, QObject *context,
                     std::function<void(QList<TransitionRecord>)> callback) const;

    // Whether jobs are kept in a store (history() reads it).
    bool hasStore() const { return m_store != nullptr; }
    // Applied to the store at once (and daily after); nothing without a store.
    void setRetention(const RetentionPolicy &policy);
    // How saving the history goes (the window's banner).
    StoreStatus historyStatus() const;
    // Queued jobs of a window that stopped unexpectedly (windows only): run them under their
    // ids, or cancel them in the store.
    QList<JobRecord> queuedFromLastSession() const;
    int startQueuedFromLastSession();
    void discardQueuedFromLastSession();

    int count(JobState state) const;
    int activeCount() const;
    int processesAlive() const;
    // Queued jobs wait because the machine is short of memory (--memfree).
    bool isWaitingForMemory() const;
    // Live processes of one job's tree (0 when none runs), as last sampled.
    int processCount(qint64 id) const;
    // What each running job's process tree uses (CPU, memory, I/O), sampled off the GUI thread.
    ResourceMonitor *resources() const;
    // A job's CPU and memory over its life so far (every attempt of this process), for charts;
    // null before its first sample.
    const ResourceHistory *resourceHistory(qint64 id) const;
    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    bool isShuttingDown() const;

Q_SIGNALS:
    void jobAdded(jobmonitor::Job *job);
    void jobRemoved(qint64 id);
    // The transition is in the store (or the store is not saving; historyStatus() says so).
    void transitionRecorded(jobmonitor::Job *job, const jobmonitor::Transition &transition);
    void countersChanged();
    void maxParallelChanged(int maxParallel);
    // Groups were made, changed, removed, paused or resumed (counts: countersChanged).
    void groupsChanged();
    // The job joined or left its group's queue, or moved in it.
    void queueChanged(qint64 id);
    void historyStatusChanged();
    void queuedFromLastSessionChanged();
    // A new sample of the job's processes (resources(), resourceHistory()).
    void resourcesSampled(qint64 id);
    void waitingForMemoryChanged(bool waiting);

private:
    void onTransition(Job *job, const Transition &transition);
    QString checkBatch(const QList<BatchJob> &batch) const;
    QString setGroup(const GroupSettings &settings, bool keep);
    void saveKeptGroups() const;
    QMap<QString, QString> groupPauses() const;
    void saveGroupPauses();

    JobSupervisor *m_supervisor;
    JobStore *m_store;
    QHash<qint64, ResourceHistory> m_histories;
    QSet<QString> m_keptGroups; // the groups that belong in the settings file
    bool m_keepsGroups = false;
    QMap<QString, QString> m_savedPauses; // as the settings file has them
};

} // namespace jobmonitor
