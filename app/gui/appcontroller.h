#pragma once

#include "joblistmodel.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace jobmonitor {

class JobSupervisor;
class ShutdownCoordinator;

// The QML window's one way into the application: the job list, live counters, job actions and
// quitting. It only forwards to the JobSupervisor and ShutdownCoordinator it is given before
// the QML engine loads (setBackend), so the window holds no logic of its own.
class AppController : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(App)
    QML_SINGLETON
    Q_PROPERTY(jobmonitor::JobListModel *jobs READ jobs CONSTANT)
    Q_PROPERTY(int runningCount READ runningCount NOTIFY countersChanged)
    Q_PROPERTY(int queuedCount READ queuedCount NOTIFY countersChanged)
    Q_PROPERTY(int stoppingCount READ stoppingCount NOTIFY countersChanged)
    Q_PROPERTY(int retryingCount READ retryingCount NOTIFY countersChanged)
    Q_PROPERTY(int activeCount READ activeCount NOTIFY countersChanged)
    Q_PROPERTY(int processesAlive READ processesAlive NOTIFY countersChanged)
    Q_PROPERTY(int maxParallel READ maxParallel WRITE setMaxParallel NOTIFY maxParallelChanged)
    Q_PROPERTY(bool shuttingDown READ isShuttingDown NOTIFY shuttingDownChanged)
    Q_PROPERTY(bool forced READ isForced NOTIFY forcedChanged)
public:
    // Must be called before a QML engine first uses App; both must outlive every engine.
    static void setBackend(JobSupervisor *supervisor, ShutdownCoordinator *coordinator);
    static JobSupervisor *supervisor();
    static AppController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    JobListModel *jobs() { return &m_jobs; }
    int runningCount() const;
    int queuedCount() const;
    int stoppingCount() const;
    int retryingCount() const;
    int activeCount() const;
    int processesAlive() const;
    int maxParallel() const;
    void setMaxParallel(int maxParallel);
    bool isShuttingDown() const;
    bool isForced() const;

    Q_INVOKABLE bool cancel(int jobId);
    Q_INVOKABLE bool kill(int jobId);
    Q_INVOKABLE bool retry(int jobId);
    Q_INVOKABLE bool remove(int jobId);
    // Starts the supervised shutdown; the application exits when every job has ended.
    Q_INVOKABLE void quit();
    // The window calls this when its quit confirmation opens, so that the log shows the question.
    Q_INVOKABLE void quitConfirmationOpened();
    // SIGKILL to every job now (the stopping overlay's "Kill all now").
    Q_INVOKABLE void killAll();
    Q_INVOKABLE void copyToClipboard(const QString &text);

Q_SIGNALS:
    void countersChanged();
    void maxParallelChanged();
    void shuttingDownChanged();
    void forcedChanged();

private:
    AppController(JobSupervisor *supervisor, ShutdownCoordinator *coordinator);

    JobSupervisor *m_supervisor;
    ShutdownCoordinator *m_coordinator;
    JobListModel m_jobs;
};

} // namespace jobmonitor
