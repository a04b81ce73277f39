#include "jobdetails.h"

#include "appcontroller.h"
#include "jobformat.h"
#include "jobservice.h"
#include "resourcemonitor.h"

#include <algorithm>

namespace jobmonitor {

JobDetails::JobDetails(QObject *parent)
    : QObject(parent) {}

JobDetails::~JobDetails() {
    if (m_job) {
        m_job->releaseTail();
        if (m_service)
            m_service->resources()->setFocused(m_job->id(), false);
    }
}

JobService *JobDetails::service() {
    if (!m_service) {
        if (AppController *app = AppController::of(this))
            setService(app->service());
    }
    return m_service;
}

void JobDetails::setService(JobService *service) {
    if (m_service == service)
        return;
    if (m_service)
        m_service->disconnect(this);
    m_service = service;
    if (service) {
        connect(service, &JobService::countersChanged, this, [this] {
            if (m_job && m_job->isAttemptRunning())
                Q_EMIT changed();
        });
        connect(service, &JobService::jobRemoved, this, [this](qint64 id) {
            if (id == m_jobId)
                attach(nullptr);
        });
    }
}

void JobDetails::setJobId(qint64 jobId) {
    if (jobId == m_jobId)
        return;
    m_jobId = jobId;
    JobService *jobs = service();
    attach(jobs && jobId >= 0 ? jobs->job(jobId) : nullptr);
    Q_EMIT jobIdChanged();
}

void JobDetails::attach(Job *job) {
    if (m_job) {
        m_job->disconnect(this);
        m_job->releaseTail();
        if (m_service)
            m_service->resources()->setFocused(m_job->id(), false);
    }
    m_job = job;
    // The job shown is sampled once a second, the others less often.
    if (job && service())
        m_service->resources()->setFocused(job->id(), true);
    // Shown means kept: the tail budget leaves a viewed job's tail alone (and a tail it took
    // is read back from the saved output).
    if (job)
        job->retainTail();
    m_output.setBuffer(job ? job->output() : nullptr);
    m_transitions.setHistory(job ? job->history() : QList<Transition>());
    if (job) {
        connect(job, &Job::transitioned, this, [this](const Transition &transition) {
            m_transitions.append(transition);
            updateDiagram();
            Q_EMIT changed();
        });
        connect(job, &Job::processesChanged, this, &JobDetails::changed);
        connect(job, &Job::outputErrorChanged, this, &JobDetails::changed);
        connect(job, &Job::deadlineChanged, this, &JobDetails::changed);
    }
    updateDiagram();
    Q_EMIT changed();
}

void JobDetails::updateDiagram() {
    const QList<Transition> history = m_job ? m_job->history() : QList<Transition>();
    m_states.setJob(m_job ? std::optional(m_job->state()) : std::nullopt, history);
    m_edges.setHistory(history);
}

QString JobDetails::label() const {
    return m_job ? m_job->spec().label() : QString();
}

QString JobDetails::command() const {
    return m_job ? m_job->spec().command : QString();
}

QString JobDetails::workingDirectory() const {
    return m_job ? m_job->spec().workingDirectory : QString();
}

QStringList JobDetails::environment() const {
    QStringList variables;
    if (!m_job)
        return variables;
    const QMap<QString, QString> &environment = m_job->spec().environment;
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        variables.append(it.key() + QLatin1Char('=') + it.value());
    return variables;
}

int JobDetails::state() const {
    return m_job ? int(m_job->state()) : -1;
}

QString JobDetails::stateName() const {
    return m_job ? stateLabel(m_job->state()) : QString();
}

int JobDetails::attempt() const {
    return m_job ? m_job->attemptOfRun() : 0;
}

int JobDetails::maxAttempts() const {
    return m_job ? m_job->spec().maxAttempts : 0;
}

int JobDetails::jobWideAttempt() const {
    return m_job ? m_job->attempt() : 0;
}

int JobDetails::runs() const {
    if (!m_job)
        return 0;
    const QList<Transition> &history = m_job->history();
    return 1 + int(std::count_if(history.cbegin(), history.cend(),
                                 [](const Transition &t) { return t.event == JobEvent::Requeue; }));
}

QDateTime JobDetails::startedAt() const {
    return m_job ? m_job->startedAt() : QDateTime();
}

QDateTime JobDetails::endedAt() const {
    return m_job ? m_job->endedAt() : QDateTime();
}

QDateTime JobDetails::attemptStartedAt() const {
    if (!m_job || !m_job->isAttemptRunning())
        return {};
    return m_job->attemptStartedAt(m_job->attempt());
}

double JobDetails::timeout() const {
    return m_job ? double(m_job->spec().timeout.count()) : 0;
}

QString JobDetails::result() const {
    return m_job ? jobResultText(*m_job) : QString();
}

QString JobDetails::error() const {
    return m_job ? m_job->error() : QString();
}

qint64 JobDetails::pid() const {
    return m_job ? m_job->processes().commandPid : 0;
}

int JobDetails::processCount() const {
    return m_job && m_service ? m_service->processCount(m_job->id()) : 0;
}

QString JobDetails::outputError() const {
    return m_job ? m_job->outputError() : QString();
}

int JobDetails::stragglers() const {
    return m_job ? m_job->stragglers() : 0;
}

QString JobDetails::traceId() const {
    return m_job ? m_job->traceId() : QString();
}

double JobDetails::deadline() const {
    return m_job ? double(jobDeadlineEpochMs(*m_job)) : 0;
}

QUrl JobDetails::logUrl() const {
    const QString directory = m_job ? m_job->outputDirectory(m_job->attempt()) : QString();
    if (directory.isEmpty())
        return {};
    return QUrl::fromLocalFile(directory + QStringLiteral("/stdout"));
}

QString JobDetails::outputDirectory() const {
    return m_job ? m_job->outputDirectory(m_job->attempt()) : QString();
}

bool JobDetails::canCancel() const {
    return m_job && !isFinal(m_job->state()) && m_job->state() != JobState::Stopping;
}

bool JobDetails::canKill() const {
    return m_job && m_job->state() == JobState::Stopping;
}

bool JobDetails::canRetry() const {
    return m_job && isFinal(m_job->state()) && m_job->state() != JobState::Completed;
}

bool JobDetails::canRemove() const {
    return m_job && isFinal(m_job->state());
}

} // namespace jobmonitor
