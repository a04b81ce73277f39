#pragma once

#include <QDBusConnection>
#include <QDBusContext>
#include <QList>
#include <QObject>
#include <QVariantMap>

#include <optional>

namespace jobmonitor {

class Job;
class JobService;
struct Transition;

// The window's JobService on the session bus (io.github.jobmonitor.JobMonitor1, see the
// introspection XML beside this file): the generated adaptor calls the slots below, which go
// through the JobService like the window's own buttons. Callers of another uid are refused
// here, whatever the bus's policy admits: the bus daemon tells the caller's uid.
class DBusService : public QObject, protected QDBusContext {
    Q_OBJECT
public:
    explicit DBusService(JobService *service, QObject *parent = nullptr);
    ~DBusService() override;

    enum class Registration { Registered, NoBus, NameTaken };
    // Exports the service and takes the bus name; says in the log why not when it cannot.
    Registration registerOn(QDBusConnection bus);

public Q_SLOTS:
    qlonglong Add(const QVariantMap &spec);
    void Cancel(qlonglong id);
    void Kill(qlonglong id);
    void Retry(qlonglong id);
    void Remove(qlonglong id);
    void Pause(qlonglong id);
    void Resume(qlonglong id);
    void PauseGroup(const QString &name, bool pauseRunning);
    void ResumeGroup(const QString &name);
    QList<QVariantMap> List();
    QVariantMap Get(qlonglong id);
    void Raise(qlonglong id);

Q_SIGNALS:
    void JobChanged(qlonglong id, const QString &state, const QString &previous, int attempt,
                    const QString &reason);
    void JobEnded(qlonglong id, const QString &state, int exitCode, int signal);
    // Raise was called: the window comes to the front and shows the job (0: none).
    void raiseRequested(qlonglong id);

private:
    // False (and an error reply sent) for a caller of another uid.
    bool callerAllowed();
    // False (and an error reply sent) when the window has no such job.
    bool knownJob(qlonglong id);
    void act(qlonglong id, bool (JobService::*action)(qint64), const char *verb);
    void onTransitionRecorded(Job *job, const Transition &transition);

    JobService *m_service;
    std::optional<QDBusConnection> m_bus;
};

} // namespace jobmonitor
