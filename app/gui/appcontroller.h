#pragma once

#include "grouplistmodel.h"
#include "joblistmodel.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace jobmonitor {

class JobService;
class ShutdownCoordinator;

// The QML window's one way into the application: the job list, live counters, job actions and
// quitting. It only forwards to the JobService and ShutdownCoordinator its engine was given
// before loading QML (setBackend), so the window holds no logic of its own.
class AppController : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(App)
    QML_SINGLETON
    Q_PROPERTY(jobmonitor::JobListModel *jobs READ jobs CONSTANT)
    Q_PROPERTY(jobmonitor::GroupListModel *groups READ groups CONSTANT)
    Q_PROPERTY(int runningCount READ runningCount NOTIFY countersChanged)
    Q_PROPERTY(int queuedCount READ queuedCount NOTIFY countersChanged)
    Q_PROPERTY(int stoppingCount READ stoppingCount NOTIFY countersChanged)
    Q_PROPERTY(int retryingCount READ retryingCount NOTIFY countersChanged)
    Q_PROPERTY(int activeCount READ activeCount NOTIFY countersChanged)
    Q_PROPERTY(int processesAlive READ processesAlive NOTIFY countersChanged)
    // CPU and memory of every running job's processes together, "143% · 1.2 GiB", as last
    // sampled; empty while no job runs.
    Q_PROPERTY(QString resourceTotals READ resourceTotals NOTIFY countersChanged)
    Q_PROPERTY(int maxParallel READ maxParallel WRITE setMaxParallel NOTIFY maxParallelChanged)
    Q_PROPERTY(bool shuttingDown READ isShuttingDown NOTIFY shuttingDownChanged)
    Q_PROPERTY(bool forced READ isForced NOTIFY forcedChanged)
public:
    // Must be called before the engine first uses App; both must outlive the engine.
    static void setBackend(QQmlEngine &engine, JobService *service,
                           ShutdownCoordinator *coordinator);
    static AppController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    // The App of the engine that created object (for QML types that act on jobs), or null.
    static AppController *of(const QObject *object);

    JobListModel *jobs() { return &m_jobs; }
    GroupListModel *groups() { return &m_groups; }
    JobService *service() const { return m_service; }
    int runningCount() const;
    int queuedCount() const;
    int stoppingCount() const;
    int retryingCount() const;
    int activeCount() const;
    int processesAlive() const;
    QString resourceTotals() const;
    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    bool isShuttingDown() const;
    bool isForced() const;

    Q_INVOKABLE bool cancel(qint64 jobId);
    Q_INVOKABLE bool kill(qint64 jobId);
    // A live job runs again under its id; a stored job that ended runs again as a new job with
    // its whole spec (read from the store first: started() tells its new id).
    Q_INVOKABLE bool retry(qint64 jobId);
    // Deletes an ended job's records and output (live or stored).
    Q_INVOKABLE bool remove(qint64 jobId);
    // The queue (JobService): pause and resume a running job, its place in its group's queue.
    Q_INVOKABLE bool pause(qint64 jobId);
    Q_INVOKABLE bool resume(qint64 jobId);
    Q_INVOKABLE bool moveUp(qint64 jobId);
    Q_INVOKABLE bool moveDown(qint64 jobId);
    Q_INVOKABLE bool moveToFront(qint64 jobId);
    // Groups: each returns an error message, or an empty string. rate as --group-rate takes it
    // ("5/60", "5/60:2"); empty for none.
    Q_INVOKABLE QString saveGroup(const QString &name, int maxParallel, const QString &rate,
                                  bool pauseOnFailure);
    Q_INVOKABLE QString removeGroup(const QString &name);
    Q_INVOKABLE QString pauseGroup(const QString &name, bool pauseRunning);
    Q_INVOKABLE QString resumeGroup(const QString &name);
    // Starts the supervised shutdown; the application exits when every job has ended.
    Q_INVOKABLE void quit();
    // The window calls this when its quit confirmation opens, so that the log shows the question.
    Q_INVOKABLE void quitConfirmationOpened();
    // SIGKILL to every job now (the stopping overlay's "Kill all now").
    Q_INVOKABLE void killAll();
    Q_INVOKABLE void copyToClipboard(const QString &text);

Q_SIGNALS:
    // A job was started from a stored one (retry()).
    void started(qint64 jobId, qint64 fromJobId);
    void countersChanged();
    void maxParallelChanged();
    void shuttingDownChanged();
    void forcedChanged();

private:
    AppController(JobService *service, ShutdownCoordinator *coordinator);

    JobService *m_service;
    ShutdownCoordinator *m_coordinator;
    JobListModel m_jobs;
    GroupListModel m_groups;
};

} // namespace jobmonitor
