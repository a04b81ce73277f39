#pragma once

#include "joblimits.h"
#include "jobspec.h"

#include <QObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <optional>

namespace jobmonitor {

class JobService;
// The limits of joblimits.h for QML, so that a control's bounds are the ones every front end
// uses (the status bar's max-parallel spin box, the form's hints).
class JobLimits : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(int maxParallel READ maxParallel CONSTANT)
    Q_PROPERTY(int maxRetries READ maxRetries CONSTANT)
public:
    using QObject::QObject;
    static int maxParallel() { return limits::maxParallel; }
    static int maxRetries() { return limits::maxRetries; }
};

// The New job form's state and rules. Every field is kept as the text the user typed, so
// nothing is lost while a field is wrong; each field has its own error message, and start()
// works only when all of them are empty. The form only turns text into a JobSpec; whether
// the spec is acceptable is JobSpec::validate()'s to say, as for every front end, and each
// problem it finds is shown beside its field. Recent commands come from the history: the
// latest job of each distinct command, whose whole spec (folder, environment, ...) *Recent*
// fills in.
class JobForm : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString command READ command WRITE setCommand NOTIFY changed)
    Q_PROPERTY(QString name READ name WRITE setName NOTIFY changed)
    Q_PROPERTY(
        QString workingDirectory READ workingDirectory WRITE setWorkingDirectory NOTIFY changed)
    // One NAME=value per line.
    Q_PROPERTY(QString environment READ environment WRITE setEnvironment NOTIFY changed)
    // Seconds; empty or 0 means no timeout.
    Q_PROPERTY(QString timeout READ timeout WRITE setTimeout NOTIFY changed)
    Q_PROPERTY(QString retries READ retries WRITE setRetries NOTIFY changed)
    Q_PROPERTY(QString backoffInitial READ backoffInitial WRITE setBackoffInitial NOTIFY changed)
    Q_PROPERTY(QString backoffFactor READ backoffFactor WRITE setBackoffFactor NOTIFY changed)
    Q_PROPERTY(QString backoffCap READ backoffCap WRITE setBackoffCap NOTIFY changed)
    Q_PROPERTY(QString grace READ grace WRITE setGrace NOTIFY changed)
    // A size like "2G" or "512M"; empty means no limit.
    Q_PROPERTY(QString memoryLimit READ memoryLimit WRITE setMemoryLimit NOTIFY changed)
    // A nice value; empty means inherited.
    Q_PROPERTY(QString niceness READ niceness WRITE setNiceness NOTIFY changed)
    // "idle", "best-effort,4", "realtime,0" (IoPriority::parse); empty means inherited.
    Q_PROPERTY(QString ioPriority READ ioPriority WRITE setIoPriority NOTIFY changed)
    // A regular expression with a named group (JobSpec::progressPattern); empty: built in.
    Q_PROPERTY(QString progressPattern READ progressPattern WRITE setProgressPattern NOTIFY changed)

    // The queue: the group (empty: default), the jobs it starts after ("12, 13": after they
    // complete) and when it may start ("23:00", "2026-12-02T03:00" or a delay like "10m").
    Q_PROPERTY(QString group READ group WRITE setGroup NOTIFY changed)
    Q_PROPERTY(QString startAfter READ startAfter WRITE setStartAfter NOTIFY changed)
    Q_PROPERTY(QString startWhen READ startWhen WRITE setStartWhen NOTIFY changed)
    Q_PROPERTY(QString queueError READ queueError NOTIFY changed)
    Q_PROPERTY(QString commandError READ commandError NOTIFY changed)
    Q_PROPERTY(QString workingDirectoryError READ workingDirectoryError NOTIFY changed)
    Q_PROPERTY(QString environmentError READ environmentError NOTIFY changed)
    Q_PROPERTY(QString timeoutError READ timeoutError NOTIFY changed)
    Q_PROPERTY(QString retriesError READ retriesError NOTIFY changed)
    Q_PROPERTY(QString backoffError READ backoffError NOTIFY changed)
    Q_PROPERTY(QString graceError READ graceError NOTIFY changed)
    Q_PROPERTY(QString memoryLimitError READ memoryLimitError NOTIFY changed)
    Q_PROPERTY(QString nicenessError READ nicenessError NOTIFY changed)
    Q_PROPERTY(QString ioPriorityError READ ioPriorityError NOTIFY changed)
    Q_PROPERTY(QString progressPatternError READ progressPatternError NOTIFY changed)
    Q_PROPERTY(bool valid READ isValid NOTIFY changed)
    // Why the job cannot start yet, for the disabled Start button; empty when it can.
    Q_PROPERTY(QString startHint READ startHint NOTIFY changed)
    // Why the last start() failed (the supervisor refused the job), or empty.
    Q_PROPERTY(QString startError READ startError NOTIFY changed)
    // The distinct commands of the latest jobs, newest first (refreshRecent() reads them).
    Q_PROPERTY(QStringList recentCommands READ recentCommands NOTIFY recentCommandsChanged)
public:
    explicit JobForm(QObject *parent = nullptr);

    QString command() const { return m_command; }
    void setCommand(const QString &value) { setField(m_command, value); }
    QString name() const { return m_name; }
    void setName(const QString &value) { setField(m_name, value); }
    QString workingDirectory() const { return m_workingDirectory; }
    void setWorkingDirectory(const QString &value) { setField(m_workingDirectory, value); }
    QString environment() const { return m_environment; }
    void setEnvironment(const QString &value) { setField(m_environment, value); }
    QString timeout() const { return m_timeout; }
    void setTimeout(const QString &value) { setField(m_timeout, value); }
    QString retries() const { return m_retries; }
    void setRetries(const QString &value) { setField(m_retries, value); }
    QString backoffInitial() const { return m_backoffInitial; }
    void setBackoffInitial(const QString &value) { setField(m_backoffInitial, value); }
    QString backoffFactor() const { return m_backoffFactor; }
    void setBackoffFactor(const QString &value) { setField(m_backoffFactor, value); }
    QString backoffCap() const { return m_backoffCap; }
    void setBackoffCap(const QString &value) { setField(m_backoffCap, value); }
    QString grace() const { return m_grace; }
    void setGrace(const QString &value) { setField(m_grace, value); }
    QString memoryLimit() const { return m_memoryLimit; }
    void setMemoryLimit(const QString &value) { setField(m_memoryLimit, value); }
    QString niceness() const { return m_niceness; }
    void setNiceness(const QString &value) { setField(m_niceness, value); }
    QString ioPriority() const { return m_ioPriority; }
    void setIoPriority(const QString &value) { setField(m_ioPriority, value); }
    QString progressPattern() const { return m_progressPattern; }
    void setProgressPattern(const QString &value) { setField(m_progressPattern, value); }

    QString group() const { return m_group; }
    void setGroup(const QString &value) { setField(m_group, value); }
    QString startAfter() const { return m_startAfter; }
    void setStartAfter(const QString &value) { setField(m_startAfter, value); }
    QString startWhen() const { return m_startWhen; }
    void setStartWhen(const QString &value) { setField(m_startWhen, value); }
    QString queueError() const { return m_errors.queue; }
    QString commandError() const { return m_errors.command; }
    QString workingDirectoryError() const { return m_errors.workingDirectory; }
    QString environmentError() const { return m_errors.environment; }
    QString timeoutError() const { return m_errors.timeout; }
    QString retriesError() const { return m_errors.retries; }
    QString backoffError() const { return m_errors.backoff; }
    QString graceError() const { return m_errors.grace; }
    QString memoryLimitError() const { return m_errors.memoryLimit; }
    QString nicenessError() const { return m_errors.niceness; }
    QString ioPriorityError() const { return m_errors.ioPriority; }
    QString progressPatternError() const { return m_errors.progressPattern; }
    bool isValid() const { return m_spec.has_value(); }
    QString startHint() const;
    QString startError() const { return m_startError; }
    QStringList recentCommands() const { return m_recent; }

    // The Grace field's reading, the settings dialog's too: seconds (parseSeconds()) that a
    // job's termination may wait (JobSpec::problems()); nullopt and the message to show.
    static std::optional<milliseconds> readGrace(const QString &text, QString *error);

    // Queues the job; returns its id, or -1 (startError says why).
    Q_INVOKABLE qint64 start();
    // Every field back to its default.
    Q_INVOKABLE void reset();
    // Fills the form from an existing job ("Run again"), live or stored, with its whole spec;
    // false when there is no live job and no store to look in. A stored job's spec is read off
    // the GUI thread and fills the form when it comes (loaded() then).
    Q_INVOKABLE bool loadFromJob(qint64 jobId);
    // Reads the recent commands from the history again.
    Q_INVOKABLE void refreshRecent();
    // Fills the form from a recent command's whole spec.
    Q_INVOKABLE void useRecent(int index);
    // The jobs to start in; found through the engine's App when not set.
    void setService(JobService *service) { m_service = service; }

Q_SIGNALS:
    void changed();
    void recentCommandsChanged();
    void loaded();

private:
    struct Errors {
        QString command;
        QString workingDirectory;
        QString environment;
        QString timeout;
        QString retries;
        QString backoff;
        QString grace;
        QString memoryLimit;
        QString niceness;
        QString progressPattern;
        QString ioPriority;
        QString queue;
    };
    JobService *service();
    void setField(QString &field, const QString &value);
    void validate();
    void rememberSpec(const JobSpec &spec);
    void setRecent(const QList<JobSpec> &specs);
    void load(const JobSpec &spec);

    JobService *m_service = nullptr;
    QString m_command;
    QString m_name;
    QString m_workingDirectory;
    QString m_environment;
    QString m_timeout;
    QString m_retries;
    QString m_backoffInitial;
    QString m_backoffFactor;
    QString m_backoffCap;
    QString m_grace;
    QString m_memoryLimit;
    QString m_niceness;
    QString m_progressPattern;
    QString m_ioPriority;
    QString m_group;
    QString m_startAfter;
    QString m_startWhen;
    Errors m_errors;
    std::optional<JobSpec> m_spec; // set while every field is valid
    QString m_startError;
    QStringList m_recent;
    QList<JobSpec> m_recentSpecs; // one for each of m_recent
    qint64 m_loading = -1;        // the stored job whose spec is on its way
};

} // namespace jobmonitor
