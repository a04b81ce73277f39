#include "jobdetails.h"

#include "appcontroller.h"
#include "attempttracker.h"
#include "jobformat.h"
#include "jobsupervisor.h"

#include <algorithm>

namespace jobmonitor {

JobDetails::JobDetails(QObject *parent)
    : QObject(parent) {
    if (JobSupervisor *supervisor = AppController::supervisor()) {
        connect(supervisor, &JobSupervisor::jobRemoved, this, [this](int id) {
            if (id == m_jobId)
                attach(nullptr);
        });
    }
}

void JobDetails::setJobId(int jobId) {
    if (jobId == m_jobId)
        return;
    m_jobId = jobId;
    JobSupervisor *supervisor = AppController::supervisor();
    attach(supervisor && jobId >= 0 ? supervisor->job(jobId) : nullptr);
    Q_EMIT jobIdChanged();
}

void JobDetails::attach(Job *job) {
    if (m_job)
        m_job->disconnect(this);
    m_job = job;
    m_output.setBuffer(job ? job->output() : nullptr);
    m_transitions.setHistory(job ? job->history() : QList<Transition>());
    if (job) {
        connect(job, &Job::transitioned, this, [this](const Transition &transition) {
            m_transitions.append(transition);
            updateDiagram();
            Q_EMIT changed();
        });
        connect(job, &Job::pidChanged, this, &JobDetails::changed);
        connect(job, &Job::deadlineChanged, this, &JobDetails::changed);
        AttemptTracker *tracker = AttemptTracker::of(job);
        connect(tracker, &AttemptTracker::marksChanged, this,
                [this, tracker] { m_output.setAttemptMarks(tracker->marks()); });
        m_output.setAttemptMarks(tracker->marks());
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
    return m_job ? m_job->attempt() : 0;
}

int JobDetails::maxAttempts() const {
    return m_job ? m_job->spec().maxAttempts : 0;
}

int JobDetails::jobWideAttempt() const {
    if (!m_job)
        return 0;
    const QList<int> attempts = jobWideAttempts(m_job->history());
    const auto last =
        std::find_if(attempts.crbegin(), attempts.crend(), [](int a) { return a > 0; });
    return last == attempts.crend() ? 0 : *last;
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
    if (!m_job || m_job->state() != JobState::Running)
        return {};
    const QList<Transition> &history = m_job->history();
    const auto launch = std::find_if(history.crbegin(), history.crend(), [](const Transition &t) {
        return t.event == JobEvent::Launch;
    });
    return launch == history.crend() ? QDateTime() : launch->time;
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
    return m_job ? m_job->pid() : 0;
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
    if (!m_job || m_job->logPath().isEmpty())
        return {};
    return QUrl::fromLocalFile(m_job->logPath());
}

QString JobDetails::logPath() const {
    return m_job ? m_job->logPath() : QString();
}

QString JobDetails::logError() const {
    return m_job ? m_job->logError() : QString();
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
