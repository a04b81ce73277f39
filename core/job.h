#pragma once

#include "cancellationcontext.h"
#include "joblogfile.h"
#include "jobprocess.h"
#include "jobspec.h"
#include "jobstate.h"
#include "outputbuffer.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QObject>
#include <QTimer>

#include <optional>

namespace jobmonitor {

// One job: its spec, its state machine and history, its output, and the coroutine that runs
// its attempts. Owned by the JobSupervisor; the UI observes it through its signals.
class Job : public QObject {
    Q_OBJECT
public:
    Job(int id, JobSpec spec, QString logPath, QObject *parent = nullptr);
    ~Job() override;

    int id() const { return m_id; }
    const JobSpec &spec() const { return m_spec; }
    JobState state() const { return m_machine.state(); }
    const QList<Transition> &history() const { return m_machine.history(); }
    int attempt() const { return m_attempt; }     // 0 before the first attempt
    QString traceId() const { return m_traceId; } // of the current or last attempt
    qint64 pid() const; // the job's shim process while an attempt runs, else 0
    std::optional<int> exitCode() const { return m_exitCode; } // of the last attempt
    std::optional<int> exitSignal() const { return m_exitSignal; }
    int stragglers() const { return m_stragglers; } // ended after the last attempt's command
    QString error() const { return m_error; }       // why the last attempt failed to start
    QDateTime createdAt() const { return m_createdAt; }
    QDateTime startedAt() const { return m_startedAt; } // first attempt's start
    QDateTime endedAt() const { return m_endedAt; }     // when it reached a final state
    // While Stopping: when SIGKILL follows. While Retrying: when the next attempt starts.
    QDeadlineTimer deadline() const { return m_deadline; }
    OutputBuffer *output() { return &m_output; }
    QString logPath() const { return m_log.path(); }
    QString logError() const { return m_log.error(); }
    QString label() const { return QStringLiteral("job %1").arg(m_id); }

    // Runs attempts until the job reaches a final state. Cancellation comes from context
    // (user, shutdown) or from the per-attempt deadline (timeout).
    QCoro::Task<> run(CancellationContext::Ptr context);
    // Cancels a job that is queued (Pending): it ends Cancelled without running.
    bool cancelPending(CancelReason reason);
    // Moves an ended job back to Pending so it can run again.
    bool requeue();

Q_SIGNALS:
    void transitioned(const jobmonitor::Transition &transition);
    void pidChanged(qint64 pid);
    void deadlineChanged();

private:
    bool apply(JobEvent event, const QString &reason, std::optional<int> exitCode = {},
               std::optional<int> signal = {});
    QCoro::Task<ProcessResult> runAttempt(CancellationContext::Ptr attemptContext);

    const int m_id;
    const JobSpec m_spec;
    const QString m_logPathTemplate;
    JobStateMachine m_machine;
    OutputBuffer m_output;
    JobLogFile m_log;
    QTimer m_logFlush;
    JobProcess *m_process = nullptr;
    int m_attempt = 0;
    QString m_traceId;
    std::optional<int> m_exitCode;
    std::optional<int> m_exitSignal;
    int m_stragglers = 0;
    QString m_error;
    QDateTime m_createdAt;
    QDateTime m_startedAt;
    QDateTime m_endedAt;
    QDeadlineTimer m_deadline;
};

} // namespace jobmonitor
