#pragma once

#include "jobspec.h"
#include "jobstate.h"

#include <QList>
#include <QObject>
#include <QString>

namespace jobmonitor {

class Job;
class JobSupervisor;
class ResourceMonitor;

// The one command layer of Job Monitor: the window's controller, the headless runner and the
// D-Bus interface all add, stop and observe jobs through it, never through the engine
// directly. A new front end plugs in here; a rule that applies to every front end (what may be
// done to a job in which state, what the store must hold before an id is shown) lives here.
class JobService : public QObject {
    Q_OBJECT
public:
    explicit JobService(JobSupervisor *supervisor, QObject *parent = nullptr);

    struct AddResult {
        qint64 id = 0;
        QString error; // set when the job was refused
        explicit operator bool() const { return id != 0; }
    };

    AddResult add(JobSpec spec);
    bool cancel(qint64 id); // any job not ended: it ends Cancelled (gracefully if running)
    bool kill(qint64 id);   // SIGKILL now, also while Stopping ("Kill now")
    bool retry(qint64 id);  // an ended job that did not complete runs again
    bool remove(qint64 id); // an ended job is forgotten

    // The live job, for observers that follow its signals (the window); null when unknown.
    Job *job(qint64 id) const;
    QList<Job *> jobs() const; // in the order they were added

    int count(JobState state) const;
    int activeCount() const;
    int processesAlive() const;
    // Live processes of one job's tree (0 when none runs), as last sampled.
    int processCount(qint64 id) const;
    // What each running job's process tree uses (CPU, memory, I/O), sampled off the GUI thread.
    ResourceMonitor *resources() const;
    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    bool isShuttingDown() const;

Q_SIGNALS:
    void jobAdded(jobmonitor::Job *job);
    void jobRemoved(qint64 id);
    void countersChanged();
    void maxParallelChanged(int maxParallel);

private:
    JobSupervisor *m_supervisor;
};

} // namespace jobmonitor
