#pragma once

#include "job.h"
#include "outputmodel.h"
#include "stateedgemodel.h"
#include "statenodemodel.h"
#include "transitionmodel.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

class JobService;

// Everything the details pane shows about one job, looked up by id: its properties, what it
// may do next, its live output, its transitions and the state diagram's data.
class JobDetails : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(qint64 jobId READ jobId WRITE setJobId NOTIFY jobIdChanged)
    Q_PROPERTY(bool valid READ isValid NOTIFY changed)
    Q_PROPERTY(QString label READ label NOTIFY changed)
    Q_PROPERTY(QString command READ command NOTIFY changed)
    Q_PROPERTY(QString workingDirectory READ workingDirectory NOTIFY changed)
    // The extra environment, one NAME=value each.
    Q_PROPERTY(QStringList environment READ environment NOTIFY changed)
    Q_PROPERTY(int state READ state NOTIFY changed)
    Q_PROPERTY(QString stateName READ stateName NOTIFY changed)
    // The current or last attempt of this run (a Retry starts a new run), 0 before the first.
    Q_PROPERTY(int attempt READ attempt NOTIFY changed)
    Q_PROPERTY(int maxAttempts READ maxAttempts NOTIFY changed)
    // The current or last attempt counted over the job's whole life, and how many runs it had.
    Q_PROPERTY(int jobWideAttempt READ jobWideAttempt NOTIFY changed)
    Q_PROPERTY(int runs READ runs NOTIFY changed)
    Q_PROPERTY(QDateTime startedAt READ startedAt NOTIFY changed)
    Q_PROPERTY(QDateTime endedAt READ endedAt NOTIFY changed)
    // When the attempt that is running now started; invalid while none runs.
    Q_PROPERTY(QDateTime attemptStartedAt READ attemptStartedAt NOTIFY changed)
    // Milliseconds an attempt may run; 0 for no limit.
    Q_PROPERTY(double timeout READ timeout NOTIFY changed)
    Q_PROPERTY(QString result READ result NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)
    // The command's own pid while it runs (not its shim's), else 0.
    Q_PROPERTY(qint64 pid READ pid NOTIFY changed)
    // Live processes of the job's whole tree (escapees included), as last sampled.
    Q_PROPERTY(int processCount READ processCount NOTIFY changed)
    // Why the output stopped being saved (a full disk, say); the tail shown still has it all.
    Q_PROPERTY(QString outputError READ outputError NOTIFY changed)
    Q_PROPERTY(int stragglers READ stragglers NOTIFY changed)
    Q_PROPERTY(QString traceId READ traceId NOTIFY changed)
    // Epoch ms of SIGKILL while Stopping, of the next attempt while Retrying; 0 otherwise.
    Q_PROPERTY(double deadline READ deadline NOTIFY changed)
    Q_PROPERTY(QUrl logUrl READ logUrl NOTIFY changed)
    // Where the current or last attempt's output is saved (its stdout, stderr and index).
    Q_PROPERTY(QString outputDirectory READ outputDirectory NOTIFY changed)
    Q_PROPERTY(bool canCancel READ canCancel NOTIFY changed)
    Q_PROPERTY(bool canKill READ canKill NOTIFY changed)
    Q_PROPERTY(bool canRetry READ canRetry NOTIFY changed)
    Q_PROPERTY(bool canRemove READ canRemove NOTIFY changed)
    Q_PROPERTY(jobmonitor::OutputModel *output READ output CONSTANT)
    Q_PROPERTY(jobmonitor::TransitionModel *transitions READ transitions CONSTANT)
    Q_PROPERTY(jobmonitor::StateNodeModel *diagramStates READ diagramStates CONSTANT)
    Q_PROPERTY(jobmonitor::StateEdgeModel *diagramEdges READ diagramEdges CONSTANT)
public:
    explicit JobDetails(QObject *parent = nullptr);
    ~JobDetails() override;

    qint64 jobId() const { return m_jobId; }
    void setJobId(qint64 jobId);
    // The jobs to look the id up in; found through the engine's App when not set.
    void setService(JobService *service);

    bool isValid() const { return m_job != nullptr; }
    QString label() const;
    QString command() const;
    QString workingDirectory() const;
    QStringList environment() const;
    int state() const;
    QString stateName() const;
    int attempt() const;
    int maxAttempts() const;
    int jobWideAttempt() const;
    int runs() const;
    QDateTime startedAt() const;
    QDateTime endedAt() const;
    QDateTime attemptStartedAt() const;
    double timeout() const;
    QString result() const;
    QString error() const;
    qint64 pid() const;
    int processCount() const;
    QString outputError() const;
    int stragglers() const;
    QString traceId() const;
    double deadline() const;
    QUrl logUrl() const;
    QString outputDirectory() const;
    // Cancel is offered until the job stops: while Stopping only Kill is left to do.
    bool canCancel() const;
    bool canKill() const;
    bool canRetry() const;
    bool canRemove() const;

    OutputModel *output() { return &m_output; }
    TransitionModel *transitions() { return &m_transitions; }
    StateNodeModel *diagramStates() { return &m_states; }
    StateEdgeModel *diagramEdges() { return &m_edges; }

Q_SIGNALS:
    void jobIdChanged();
    void changed();

private:
    JobService *service();
    void attach(Job *job);
    void updateDiagram();

    JobService *m_service = nullptr;
    qint64 m_jobId = -1;
    QPointer<Job> m_job;
    OutputModel m_output;
    TransitionModel m_transitions;
    StateNodeModel m_states;
    StateEdgeModel m_edges;
};

} // namespace jobmonitor
