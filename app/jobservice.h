#pragma once

#include "jobrecord.h"
#include "jobspec.h"
#include "jobstate.h"
#include "jobstore.h"
#include "resourcehistory.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace jobmonitor {

class Job;
class JobSupervisor;
class ResourceMonitor;

// The one command layer of Job Monitor: the window's controller, the headless runner and the
// D-Bus interface all add, stop and observe jobs through it, never through the engine
// directly. A new front end plugs in here; a rule that applies to every front end (what may be
// done to a job in which state, what the store must hold before an id is shown) lives here.
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

    // A job without a working directory gets the application's: the record says where it
    // ran, and running it again runs it there. A timeout of `auto` is learned here.
    AddResult add(JobSpec spec);
    bool cancel(qint64 id); // any job not ended: it ends Cancelled (gracefully if running)
    bool kill(qint64 id);   // SIGKILL now, also while Stopping ("Kill now")
    bool retry(qint64 id);  // an ended job that did not complete runs again
    // An ended job is forgotten: its records and output are deleted. Also a stored job of an
    // earlier run (the store keeps any job that has not ended); jobRemoved tells of both.
    bool remove(qint64 id);

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
    void historyStatusChanged();
    void queuedFromLastSessionChanged();
    // A new sample of the job's processes (resources(), resourceHistory()).
    void resourcesSampled(qint64 id);
    void waitingForMemoryChanged(bool waiting);

private:
    void onTransition(Job *job, const Transition &transition);

    JobSupervisor *m_supervisor;
    JobStore *m_store;
    QHash<qint64, ResourceHistory> m_histories;
};

} // namespace jobmonitor
