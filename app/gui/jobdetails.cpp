#include "jobdetails.h"

#include "appcontroller.h"
#include "attemptoutput.h"
#include "jobformat.h"
#include "jobservice.h"
#include "resourcemonitor.h"

#include <QCoreApplication>
#include <QThreadPool>

#include <algorithm>

namespace jobmonitor {

JobDetails::JobDetails(QObject *parent)
    : QObject(parent) {
    m_output.setPages(&m_pages);
}

JobDetails::~JobDetails() {
    if (m_outputCancelled)
        *m_outputCancelled = true;
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
        connect(service, &JobService::waitingForMemoryChanged, this, &JobDetails::changed);
        connect(service, &JobService::resourcesSampled, this, [this](qint64 id) {
            if (id == m_jobId)
                Q_EMIT resourcesChanged();
        });
        connect(service, &JobService::jobRemoved, this, [this](qint64 id) {
            if (id == m_jobId) {
                m_record.reset();
                attach(nullptr);
            }
        });
    }
}

void JobDetails::setJobId(qint64 jobId) {
    if (jobId == m_jobId)
        return;
    m_jobId = jobId;
    ++m_request;
    m_record.reset();
    JobService *jobs = service();
    Job *live = jobs && jobId >= 0 ? jobs->job(jobId) : nullptr;
    attach(live);
    if (!live && jobs && jobId >= 0)
        showStored(jobId);
    Q_EMIT jobIdChanged();
}

void JobDetails::showStored(qint64 jobId) {
    const quint64 request = m_request;
    m_service->record(jobId, this, [this, jobId, request](std::optional<JobRecord> record) {
        if (request != m_request || m_job)
            return;
        m_record = std::move(record);
        Q_EMIT changed();
        if (!m_record)
            return;
        m_service->transitions(jobId, this, [this, request](QList<TransitionRecord> records) {
            if (request != m_request)
                return;
            m_storedHistory.clear();
            for (const TransitionRecord &record : records)
                m_storedHistory.append(record.transition);
            m_transitions.setHistory(m_storedHistory);
            updateDiagram();
            Q_EMIT changed();
        });
        m_service->attempts(jobId, this, [this, request](QList<AttemptRecord> attempts) {
            if (request != m_request)
                return;
            m_attempts = attempts;
            updateSearchSources();
            loadStoredOutput();
        });
    });
}

// Indexes every attempt's saved output, in the order it arrived, and reads its tail on a pool
// thread: a gigabyte of output takes a while to go through, and the window must not wait.
// The index then pages in the lines before the tail. Showing another job stops the reading.
void JobDetails::loadStoredOutput() {
    QList<OutputSource> sources;
    for (const AttemptRecord &attempt : std::as_const(m_attempts))
        sources.append(
            {{attempt.attempt, attempt.startedAt, attempt.traceId, 0}, attempt.outputDirectory});
    m_outputCancelled = std::make_shared<std::atomic_bool>(false);
    m_outputLoading = true;
    Q_EMIT changed();
    QThreadPool::globalInstance()->start([sources, cancelled = m_outputCancelled,
                                          guard = QPointer<JobDetails>(this), request = m_request,
                                          home = thread()] {
        auto index = std::make_unique<OutputPageIndex>();
        index->setSources(sources);
        if (!index->scan(true, *cancelled))
            return;
        std::unique_ptr<OutputBuffer> buffer = index->readTail(OutputBuffer::Limits{}, *cancelled);
        if (!buffer)
            return;
        buffer->moveToThread(home);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, request, tail = buffer.release(), pages = index.release()] {
                std::unique_ptr<OutputBuffer> owned(tail);
                std::unique_ptr<OutputPageIndex> ownedPages(pages);
                if (!guard || guard->m_request != request)
                    return;
                guard->m_pages.adopt(std::move(ownedPages));
                guard->m_output.setBuffer(owned.get());
                guard->m_storedOutput = std::move(owned);
                guard->m_outputLoading = false;
                Q_EMIT guard->changed();
            });
    });
}

void JobDetails::attach(Job *job) {
    if (m_outputCancelled)
        *m_outputCancelled = true;
    m_outputLoading = false;
    m_storedHistory.clear();
    m_attempts.clear();
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
    // The pages first: the model takes the tail's rows and the pages' together.
    updateSearchSources();
    m_output.setBuffer(job ? job->output() : nullptr);
    m_storedOutput.reset();
    m_transitions.setHistory(job ? job->history() : QList<Transition>());
    if (job) {
        connect(job, &Job::transitioned, this, [this](const Transition &transition) {
            m_transitions.append(transition);
            updateDiagram();
            updateSearchSources();
            Q_EMIT changed();
        });
        connect(job, &Job::processesChanged, this, &JobDetails::changed);
        connect(job, &Job::outputErrorChanged, this, [this] {
            updateSearchSources();
            Q_EMIT changed();
        });
        connect(job, &Job::deadlineChanged, this, &JobDetails::changed);
    }
    updateDiagram();
    updateSearchSources();
    Q_EMIT changed();
    Q_EMIT resourcesChanged();
}

void JobDetails::updateSearchSources() {
    QList<OutputSearchModel::Source> sources;
    if (m_job) {
        for (int attempt = 1; attempt <= m_job->attempt(); ++attempt)
            sources.append({attempt, m_job->outputDirectory(attempt)});
    } else {
        for (const AttemptRecord &attempt : std::as_const(m_attempts))
            sources.append({attempt.attempt, attempt.outputDirectory});
    }
    m_search.setSources(sources);
    // A stored job's pages come with its tail (loadStoredOutput()).
    QList<OutputSource> pages;
    for (const OutputSearchModel::Source &source : std::as_const(sources))
        pages.append({{source.attempt, {}, {}, 0}, source.directory});
    // Output no longer saved in full cannot stand in for the lines that left the tail.
    if (m_job)
        m_pages.setSources(m_job->outputError().isEmpty() ? pages : QList<OutputSource>(),
                           isFinal(m_job->state()));
    else if (m_attempts.isEmpty())
        m_pages.setSources({}, true);
}

void JobDetails::updateDiagram() {
    const QList<Transition> history = m_job ? m_job->history() : m_storedHistory;
    std::optional<JobState> state;
    if (m_job)
        state = m_job->state();
    else if (stored())
        state = stored()->state;
    m_states.setJob(state, history);
    m_edges.setHistory(history);
}

QString JobDetails::label() const {
    if (const JobRecord *record = stored())
        return record->label();
    return m_job ? m_job->spec().label() : QString();
}

QString JobDetails::command() const {
    if (const JobRecord *record = stored())
        return record->spec.command;
    return m_job ? m_job->spec().command : QString();
}

QString JobDetails::workingDirectory() const {
    if (const JobRecord *record = stored())
        return record->spec.workingDirectory;
    return m_job ? m_job->spec().workingDirectory : QString();
}

QStringList JobDetails::environment() const {
    QStringList variables;
    if (!m_job && !stored())
        return variables;
    const QMap<QString, QString> &environment =
        m_job ? m_job->spec().environment : stored()->spec.environment;
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        variables.append(it.key() + QLatin1Char('=') + it.value());
    return variables;
}

int JobDetails::state() const {
    if (const JobRecord *record = stored())
        return int(record->state);
    return m_job ? int(m_job->state()) : -1;
}

QString JobDetails::stateName() const {
    if (const JobRecord *record = stored())
        return stateLabel(record->state);
    return m_job ? stateLabel(m_job->state()) : QString();
}

// A stored job tells its attempts over its whole life, not per run.
int JobDetails::attempt() const {
    if (const JobRecord *record = stored())
        return record->attempts;
    return m_job ? m_job->attemptOfRun() : 0;
}

int JobDetails::maxAttempts() const {
    if (const JobRecord *record = stored())
        return record->spec.maxAttempts;
    return m_job ? m_job->spec().maxAttempts : 0;
}

int JobDetails::jobWideAttempt() const {
    if (const JobRecord *record = stored())
        return record->attempts;
    return m_job ? m_job->attempt() : 0;
}

int JobDetails::runs() const {
    if (!m_job && !stored())
        return 0;
    const QList<Transition> &history = m_job ? m_job->history() : m_storedHistory;
    return 1 + int(std::count_if(history.cbegin(), history.cend(),
                                 [](const Transition &t) { return t.event == JobEvent::Requeue; }));
}

QDateTime JobDetails::startedAt() const {
    if (const JobRecord *record = stored())
        return record->startedAt;
    return m_job ? m_job->startedAt() : QDateTime();
}

QDateTime JobDetails::endedAt() const {
    if (const JobRecord *record = stored())
        return record->endedAt;
    return m_job ? m_job->endedAt() : QDateTime();
}

QDateTime JobDetails::attemptStartedAt() const {
    if (!m_job || !m_job->isAttemptRunning())
        return {};
    return m_job->attemptStartedAt(m_job->attempt());
}

double JobDetails::timeout() const {
    if (const JobRecord *record = stored())
        return double(record->spec.timeout.count());
    return m_job ? double(m_job->spec().timeout.count()) : 0;
}

double JobDetails::expectedDuration() const {
    const LearnedTiming *timing = stored() ? &stored()->timing
                                  : m_job  ? &m_job->learnedTiming()
                                           : nullptr;
    return timing && timing->expectedDuration ? double(timing->expectedDuration->count()) : 0;
}

int JobDetails::expectedFromRuns() const {
    const LearnedTiming *timing = stored() ? &stored()->timing
                                  : m_job  ? &m_job->learnedTiming()
                                           : nullptr;
    return timing && timing->expectedDuration ? timing->runs : 0;
}

QString JobDetails::result() const {
    if (m_job && m_service && m_job->state() == JobState::Pending &&
        m_service->isWaitingForMemory())
        return QStringLiteral("waiting for memory");
    if (const JobRecord *record = stored())
        return jobResultText(*record);
    return m_job ? jobResultText(*m_job) : QString();
}

QString JobDetails::error() const {
    if (const JobRecord *record = stored())
        return record->error;
    return m_job ? m_job->error() : QString();
}

qint64 JobDetails::pid() const {
    return m_job ? m_job->processes().commandPid : 0;
}

int JobDetails::processCount() const {
    return m_job && m_service ? m_service->processCount(m_job->id()) : 0;
}

QString JobDetails::resources() const {
    if (!m_job || !m_service || !m_job->isAttemptRunning())
        return {};
    const std::optional<ResourceSample> sample = m_service->resources()->latestSample(m_job->id());
    if (!sample || sample->ended)
        return {};
    // What went to and from storage so far, beside what it uses now.
    return jobResourcesText(sample->cpuPercent, sample->rssBytes, true) +
           QStringLiteral(" \u00b7 %1 \u00b7 read %2, written %3")
               .arg(tr("%n thread(s)", nullptr, sample->threads), bytesText(sample->readBytes),
                    bytesText(sample->writeBytes));
}

QString JobDetails::limits() const {
    return m_job ? jobLimitsText(m_job->spec()) : QString();
}

QString JobDetails::usage() const {
    return m_job ? jobUsageText(*m_job) : QString();
}

double JobDetails::progress() const {
    const std::optional<Progress> progress = m_job ? m_job->progress().progress : std::nullopt;
    return progress ? progress->fraction : -1;
}

bool JobDetails::progressEstimated() const {
    const std::optional<Progress> progress = m_job ? m_job->progress().progress : std::nullopt;
    return progress && progress->kind == Progress::Kind::Estimate;
}

QString JobDetails::eta() const {
    return m_job ? jobEtaText(*m_job) : QString();
}

const ResourceHistory *JobDetails::history() const {
    return m_job && m_service ? m_service->resourceHistory(m_job->id()) : nullptr;
}

QVariantList JobDetails::chartPoints() const {
    QVariantList points;
    const ResourceHistory *kept = history();
    if (!kept)
        return points;
    const std::vector<ResourceHistory::Point> all = kept->points();
    points.reserve(qsizetype(all.size()));
    for (const ResourceHistory::Point &point : all)
        points.append(QVariantMap{{QStringLiteral("t"), double(point.timeMs - all.front().timeMs)},
                                  {QStringLiteral("cpu"), point.cpuPercent},
                                  {QStringLiteral("memory"), double(point.rssBytes)}});
    return points;
}

double JobDetails::chartMaxCpu() const {
    const ResourceHistory *kept = history();
    return kept ? kept->maxCpuPercent() : 0;
}

double JobDetails::chartMaxMemory() const {
    const ResourceHistory *kept = history();
    return kept ? double(kept->maxRssBytes()) : 0;
}

double JobDetails::chartSpan() const {
    const ResourceHistory *kept = history();
    if (!kept || kept->isEmpty())
        return 0;
    const std::vector<ResourceHistory::Point> all = kept->points();
    return double(all.back().timeMs - all.front().timeMs);
}

QString JobDetails::outputError() const {
    if (const JobRecord *record = stored())
        return record->outputError;
    return m_job ? m_job->outputError() : QString();
}

int JobDetails::stragglers() const {
    return m_job ? m_job->stragglers() : 0;
}

QString JobDetails::traceId() const {
    if (const JobRecord *record = stored())
        return record->traceId;
    return m_job ? m_job->traceId() : QString();
}

double JobDetails::deadline() const {
    return m_job ? double(jobDeadlineEpochMs(*m_job)) : 0;
}

QString JobDetails::outputDirectory() const {
    if (const JobRecord *record = stored())
        return record->outputDirectory;
    return m_job ? m_job->outputDirectory(m_job->attempt()) : QString();
}

bool JobDetails::canCancel() const {
    return m_job && !isFinal(m_job->state()) && m_job->state() != JobState::Stopping;
}

bool JobDetails::canKill() const {
    return m_job && m_job->state() == JobState::Stopping;
}

bool JobDetails::canRetry() const {
    if (const JobRecord *record = stored())
        return isFinal(record->state);
    return m_job && isFinal(m_job->state()) && m_job->state() != JobState::Completed;
}

bool JobDetails::canRemove() const {
    if (const JobRecord *record = stored())
        return isFinal(record->state);
    return m_job && isFinal(m_job->state());
}

} // namespace jobmonitor
