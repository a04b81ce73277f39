#pragma once

#include "job.h"
#include "jobrecord.h"
#include "outputmodel.h"
#include "outputsearch.h"
#include "stateedgemodel.h"
#include "statenodemodel.h"
#include "transitionmodel.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <atomic>
#include <memory>
#include <optional>

namespace jobmonitor {

class JobService;
class ResourceHistory;

// Everything the details pane shows about one job, looked up by id: its properties, what it
// may do next, its live output, its transitions and the state diagram's data. A job of an
// earlier run (or of another process) is shown from the store: its record, transitions and
// attempts are read on the store's worker, and its saved output, every attempt in the order
// it arrived, is read from the attempt files on a thread of its own. The output view reaches
// every line of every attempt: the lines before the tail are paged in from the saved output.
class JobDetails : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(qint64 jobId READ jobId WRITE setJobId NOTIFY jobIdChanged)
    Q_PROPERTY(bool valid READ isValid NOTIFY changed)
    // A job of this run (false: shown from the history).
    Q_PROPERTY(bool live READ isLive NOTIFY changed)
    // A stored job's saved output is still being read.
    Q_PROPERTY(bool outputLoading READ isOutputLoading NOTIFY changed)
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
    // How long a run is expected to take (ms; 0: no estimate): the mean of the command's last
    // successful runs in its folder (LearnedTiming), and how many runs that is.
    Q_PROPERTY(double expectedDuration READ expectedDuration NOTIFY changed)
    Q_PROPERTY(int expectedFromRuns READ expectedFromRuns NOTIFY changed)
    Q_PROPERTY(QString result READ result NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)
    // The command's own pid while it runs (not its shim's), else 0.
    Q_PROPERTY(qint64 pid READ pid NOTIFY changed)
    // Live processes of the job's whole tree (escapees included), as last sampled.
    Q_PROPERTY(int processCount READ processCount NOTIFY changed)
    // CPU and memory of its processes now, their threads and the bytes they read from and
    // wrote to storage so far: "12% · 240 MiB · 9 threads · read 1.2 GiB, written 30 MiB";
    // empty while none runs.
    Q_PROPERTY(QString resources READ resources NOTIFY changed)
    // Its memory limit, nice and I/O priority, "memory limit 2 GiB · nice 5"; empty for none.
    Q_PROPERTY(QString limits READ limits NOTIFY changed)
    // What the last attempt used once it ended, "peak 2.3 GiB · CPU time 4.2 s".
    Q_PROPERTY(QString usage READ usage NOTIFY changed)
    // 0..1 while the running attempt shows progress (or has an expected duration), else -1.
    Q_PROPERTY(double progress READ progress NOTIFY changed)
    Q_PROPERTY(bool progressEstimated READ progressEstimated NOTIFY changed)
    Q_PROPERTY(QString eta READ eta NOTIFY changed)
    // The job's CPU and memory over its life, oldest first: {t: ms since the first point, cpu:
    // percent of one core, memory: bytes}; with the highest of each and the span, for scales.
    Q_PROPERTY(QVariantList chartPoints READ chartPoints NOTIFY resourcesChanged)
    Q_PROPERTY(double chartMaxCpu READ chartMaxCpu NOTIFY resourcesChanged)
    Q_PROPERTY(double chartMaxMemory READ chartMaxMemory NOTIFY resourcesChanged)
    Q_PROPERTY(double chartSpan READ chartSpan NOTIFY resourcesChanged)
    // Why the output stopped being saved (a full disk, say); the tail shown still has it all.
    Q_PROPERTY(QString outputError READ outputError NOTIFY changed)
    Q_PROPERTY(int stragglers READ stragglers NOTIFY changed)
    Q_PROPERTY(QString traceId READ traceId NOTIFY changed)
    // Epoch ms of SIGKILL while Stopping, of the next attempt while Retrying; 0 otherwise.
    Q_PROPERTY(double deadline READ deadline NOTIFY changed)
    // Where the current or last attempt's output is saved (its stdout, stderr and index).
    Q_PROPERTY(QString outputDirectory READ outputDirectory NOTIFY changed)
    Q_PROPERTY(bool canCancel READ canCancel NOTIFY changed)
    Q_PROPERTY(bool canKill READ canKill NOTIFY changed)
    // A live job that did not complete runs again under its id; a stored job that ended runs
    // again as a new job with its whole spec (App.retry does either).
    Q_PROPERTY(bool canRetry READ canRetry NOTIFY changed)
    Q_PROPERTY(bool canRemove READ canRemove NOTIFY changed)
    Q_PROPERTY(jobmonitor::OutputModel *output READ output CONSTANT)
    // Search over every attempt's whole saved output, not only the tail.
    Q_PROPERTY(jobmonitor::OutputSearchModel *outputSearch READ outputSearch CONSTANT)
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

    bool isValid() const { return m_job != nullptr || m_record.has_value(); }
    bool isLive() const { return m_job != nullptr; }
    bool isOutputLoading() const { return m_outputLoading; }
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
    double expectedDuration() const;
    int expectedFromRuns() const;
    QString result() const;
    QString error() const;
    qint64 pid() const;
    int processCount() const;
    QString resources() const;
    QString limits() const;
    QString usage() const;
    double progress() const;
    bool progressEstimated() const;
    QString eta() const;
    QVariantList chartPoints() const;
    double chartMaxCpu() const;
    double chartMaxMemory() const;
    double chartSpan() const;
    QString outputError() const;
    int stragglers() const;
    QString traceId() const;
    double deadline() const;
    QString outputDirectory() const;
    // Cancel is offered until the job stops: while Stopping only Kill is left to do.
    bool canCancel() const;
    bool canKill() const;
    bool canRetry() const;
    bool canRemove() const;

    OutputModel *output() { return &m_output; }
    OutputSearchModel *outputSearch() { return &m_search; }
    TransitionModel *transitions() { return &m_transitions; }
    StateNodeModel *diagramStates() { return &m_states; }
    StateEdgeModel *diagramEdges() { return &m_edges; }

Q_SIGNALS:
    void jobIdChanged();
    void changed();
    void resourcesChanged();

private:
    JobService *service();
    void attach(Job *job);
    void updateDiagram();
    const ResourceHistory *history() const;
    void showStored(qint64 jobId);
    void loadStoredOutput();
    void updateSearchSources();
    // The record of the stored job shown, or null while a live one is (or none).
    const JobRecord *stored() const { return m_job ? nullptr : m_record ? &*m_record : nullptr; }

    JobService *m_service = nullptr;
    qint64 m_jobId = -1;
    QPointer<Job> m_job;
    // A stored job's record, transitions, attempts and saved output; an answer to an earlier
    // request (another job shown since) is dropped.
    std::optional<JobRecord> m_record;
    QList<Transition> m_storedHistory;
    QList<AttemptRecord> m_attempts;
    std::unique_ptr<OutputBuffer> m_storedOutput;
    std::shared_ptr<std::atomic_bool> m_outputCancelled;
    quint64 m_request = 0;
    bool m_outputLoading = false;
    PagedOutput m_pages; // before m_output, which uses it
    OutputModel m_output;
    OutputSearchModel m_search;
    TransitionModel m_transitions;
    StateNodeModel m_states;
    StateEdgeModel m_edges;
};

} // namespace jobmonitor
