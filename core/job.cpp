#include "job.h"

#include "attemptoutput.h"
#include "decision.h"
#include "dependencies.h"
#include "logging.h"
#include "scheduler.h"

#include <QDir>
#include <QRandomGenerator>

#include <csignal>
#include <limits>
#include <utility>

namespace jobmonitor {

namespace {

QString newTraceId() {
    return QString::number(QRandomGenerator::global()->generate64() & 0xffffffffffffULL, 16)
        .rightJustified(12, QLatin1Char('0'));
}

// How often a running attempt's saved output is read into the tail.
constexpr std::chrono::milliseconds TailPollInterval{50};

QString memoryLimitText(qint64 limit, qint64 peak) {
    return QStringLiteral("memory limit %1 exceeded (peak %2)")
        .arg(describeBytes(limit), describeBytes(peak));
}

QString durationText(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0)
        return QStringLiteral("%1 s").arg(duration.count() / 1000);
    return QStringLiteral("%1 ms").arg(duration.count());
}

// A wait for a wall-clock moment is cut into laps of at most this, each measured again on the
// wall clock: a clock that was set, or a machine that slept, does not stretch the wait.
constexpr std::chrono::milliseconds StartTimeLap{60000};

// "waiting for #12, #13; waiting for #14 to end": what a job waits for, for its timeline.
QString dependenciesText(const QList<JobDependency> &dependencies) {
    QStringList success;
    QStringList anyEnd;
    for (const JobDependency &dependency : dependencies)
        (dependency.condition == JobDependency::Condition::Success ? success : anyEnd)
            .append(QStringLiteral("#%1").arg(dependency.jobId));
    QStringList parts;
    if (!success.isEmpty())
        parts.append(QStringLiteral("waiting for ") + success.join(QStringLiteral(", ")));
    if (!anyEnd.isEmpty())
        parts.append(QStringLiteral("waiting for ") + anyEnd.join(QStringLiteral(", ")) +
                     QStringLiteral(" to end"));
    return parts.join(QStringLiteral("; "));
}

} // namespace

Job::Job(qint64 id, JobSpec spec, Services services, LearnedTiming timing, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_spec(std::move(spec))
    , m_services(std::move(services))
    , m_timing(timing)
    , m_machine(QStringLiteral("job %1").arg(id))
    , m_priority(m_spec.priority)
    , m_createdAt(QDateTime::currentDateTimeUtc())
    , m_progress(m_spec.progressPattern) {
    if (m_services.keepTail)
        m_tail = std::make_unique<OutputBuffer>();
    // Without saved output the tail is the only copy, kept from the start.
    m_tailLoaded = m_services.outputRoot.isEmpty();
    connect(&m_machine, &JobStateMachine::transitioned, this, [this](const Transition &t) {
        if (isFinal(t.to))
            m_endedAt = t.time;
        Q_EMIT transitioned(t);
    });
}

Job::~Job() = default;

AttemptProcesses Job::processes() const {
    return m_attemptRunning ? m_attemptRunning->processes() : AttemptProcesses{};
}

QString Job::outputDirectory(int attempt) const {
    if (m_services.outputRoot.isEmpty() || attempt < 1)
        return {};
    return QDir(m_services.outputRoot).filePath(QString::number(attempt));
}

bool Job::apply(JobEvent event, const QString &reason, std::optional<int> exitCode,
                std::optional<int> signal) {
    return m_machine.apply(event, reason, m_attempt, exitCode, signal);
}

bool Job::requeue() {
    if (!apply(JobEvent::Requeue, QStringLiteral("run again by user")))
        return false;
    m_runFirstAttempt = m_attempt + 1;
    m_exitCode.reset();
    m_exitSignal.reset();
    m_stragglers = 0;
    m_killedProcesses = 0;
    m_error.clear();
    m_startedAt = {};
    m_endedAt = {};
    return true;
}

bool Job::sendSignal(int signal) {
    return m_attemptRunning && m_attemptRunning->sendSignal(signal);
}

bool Job::pause(const QString &reason) {
    if (state() != JobState::Running || !m_attemptRunning || !m_attemptContext ||
        m_attemptContext->isCancelled() || !m_attemptRunning->sendSignal(SIGSTOP))
        return false;
    m_attemptContext->pauseDeadline();
    apply(JobEvent::Pause, reason);
    Q_EMIT deadlineChanged();
    return true;
}

bool Job::resume(const QString &reason) {
    if (state() != JobState::Paused || !m_attemptRunning || !m_attemptContext ||
        !m_attemptRunning->sendSignal(SIGCONT))
        return false;
    m_attemptContext->resumeDeadline();
    apply(JobEvent::Resume, reason);
    Q_EMIT deadlineChanged();
    return true;
}

std::optional<qint64> Job::queueKey() const {
    return m_services.scheduler->queueKey(m_id);
}

void Job::setPriority(int priority) {
    if (priority == m_priority)
        return;
    m_priority = priority;
    m_services.scheduler->setPriority(m_id, priority);
    Q_EMIT priorityChanged();
}

std::optional<std::chrono::milliseconds> Job::timeoutLeft() const {
    if (!m_attemptContext || m_spec.timeout.count() <= 0)
        return std::nullopt;
    return m_attemptContext->remaining();
}

bool Job::dropTail() {
    if (!m_tail || !m_tailLoaded || m_tailPinned || m_tailViewers > 0 ||
        m_services.outputRoot.isEmpty())
        return false;
    m_tailLoaded = false;
    m_tail->clear();
    return true;
}

bool Job::exceedMemoryLimit(qint64 peakRssBytes) {
    if (!m_attemptRunning || !m_attemptContext || m_spec.memoryLimitBytes <= 0)
        return false;
    m_limitPeakRssBytes = std::max(m_limitPeakRssBytes, peakRssBytes);
    m_attemptContext->cancel(CancelReason::Limit);
    return true;
}

void Job::noteUsage(qint64 peakRssBytes, qint64 cpuTimeMs) {
    m_sampledPeakRssBytes = std::max(m_sampledPeakRssBytes, peakRssBytes);
    m_sampledCpuTimeMs = std::max(m_sampledCpuTimeMs, cpuTimeMs);
}

Job::ProgressInfo Job::progress() const {
    if (!m_attemptRunning)
        return {};
    if (const std::optional<Progress> read = m_progress.progress())
        return {read, m_progress.eta(ProgressTracker::Clock::now())};
    if (!m_timing.expectedDuration)
        return {};
    const auto elapsed = std::chrono::milliseconds(
        std::max<qint64>(0, attemptStartedAt(m_attempt).msecsTo(QDateTime::currentDateTimeUtc())));
    const std::optional<DurationEstimate> estimate =
        estimateFromExpectedDuration(*m_timing.expectedDuration, elapsed);
    if (!estimate)
        return {};
    return {estimate->progress, estimate->remaining};
}

void Job::feedOutputLine(const LatestLine &line) {
    if (m_attemptRunning && m_progress.feed(line, ProgressTracker::Clock::now()))
        Q_EMIT progressChanged();
}

void Job::retainTail() {
    if (!m_tail)
        return;
    ++m_tailViewers;
    if (!m_tailLoaded)
        reloadTail();
    if (m_follower)
        m_follower->start();
}

void Job::releaseTail() {
    if (!m_tail || m_tailViewers == 0)
        return;
    // Nobody watches: stop reading the files; the next viewer catches up from where this
    // stopped.
    if (--m_tailViewers == 0 && m_follower)
        m_follower->stop();
}

// Reads the saved output of every attempt back into the tail: the ended ones from their files,
// the running one by following it again from its start.
void Job::reloadTail() {
    m_tailLoaded = true;
    m_tail->clear();
    const int last = m_attemptRunning ? m_attempt - 1 : m_attempt;
    for (int attempt = 1; attempt <= last; ++attempt) {
        m_tail->beginSection(attemptSection(attempt));
        AttemptOutputReader reader(outputDirectory(attempt));
        if (!reader.open())
            continue;
        for (const AttemptOutputReader::Chunk &chunk :
             reader.read(std::numeric_limits<qint64>::max()))
            m_tail->append(chunk.channel, chunk.data, chunk.timeMs);
        m_tail->finish();
    }
    if (m_attemptRunning) {
        m_tail->beginSection(attemptSection(m_attempt));
        if (m_follower) {
            m_follower->restart();
            if (m_tailViewers == 0)
                m_follower->stop();
        }
    }
}

OutputSection Job::attemptSection(int attempt) const {
    return {attempt, attemptStartedAt(attempt), attemptTraceId(attempt), 0};
}

void Job::takeOutput(OutputChannel channel, const QByteArray &data, qint64 timeMs) {
    if (m_tail && m_tailLoaded)
        m_tail->append(channel, data, timeMs);
}

QCoro::Task<AttemptResult> Job::runAttempt(CancellationContext::Ptr attemptContext) {
    AttemptRequest request{m_id, m_attempt, m_traceId, m_spec, outputDirectory(m_attempt)};
    const std::unique_ptr<Attempt> attempt = m_services.executor->createAttempt(std::move(request));
    m_attemptRunning = attempt.get();
    std::unique_ptr<AttemptOutputFollower> follower;
    if (m_tail && !outputDirectory(m_attempt).isEmpty()) {
        follower =
            std::make_unique<AttemptOutputFollower>(outputDirectory(m_attempt), TailPollInterval);
        connect(follower.get(), &AttemptOutputFollower::output, this, &Job::takeOutput);
    }
    m_follower = follower.get();
    if (m_tail && m_tailLoaded)
        m_tail->beginSection(attemptSection(m_attempt));
    connect(attempt.get(), &Attempt::started, this, [this, &follower] {
        spdlog::info("job {} [{}]: attempt {} started", m_id, m_traceId, m_attempt);
        Q_EMIT attemptStarted(m_attempt, attemptStartedAt(m_attempt));
        apply(
            JobEvent::Launch,
            QStringLiteral("attempt %1 of %2 started").arg(attemptOfRun()).arg(m_spec.maxAttempts));
        if (follower && m_tailLoaded && m_tailViewers > 0)
            follower->start();
    });
    connect(attempt.get(), &Attempt::stopping, this,
            [this, attemptContext](QDeadlineTimer killDeadline) {
                const CancelReason reason = attemptContext->reason().value_or(CancelReason::User);
                const QString text =
                    reason == CancelReason::Timeout
                        ? QStringLiteral("deadline %1 passed").arg(durationText(m_spec.timeout))
                    : reason == CancelReason::Limit
                        ? memoryLimitText(m_spec.memoryLimitBytes, m_limitPeakRssBytes)
                        : cancelReasonText(reason);
                m_deadline = killDeadline;
                Q_EMIT deadlineChanged();
                spdlog::info("job {} [{}]: stopping ({}), SIGKILL in {} ms", m_id, m_traceId, text,
                             killDeadline.remainingTime());
                const bool wasPaused = state() == JobState::Paused;
                apply(JobEvent::Stop, text);
                // A stopped process acts on the sequence's signals only once continued; the
                // standard sequence continues it itself, one of the user's may not.
                if (wasPaused && m_attemptRunning)
                    m_attemptRunning->sendSignal(SIGCONT);
            });
    // Output that reaches us directly is in no file: it must go into the tail, whoever views.
    connect(attempt.get(), &Attempt::output, this,
            [this](OutputChannel channel, const QByteArray &data) {
                if (m_tail && !m_tailLoaded)
                    reloadTail();
                takeOutput(channel, data, 0);
            });
    connect(attempt.get(), &Attempt::outputFailed, this, [this](const QString &why) {
        m_tailPinned = true;
        m_outputError = why;
        spdlog::error("job {} [{}]: output not saved from here on: {}", m_id, m_traceId, why);
        Q_EMIT outputErrorChanged();
    });
    connect(attempt.get(), &Attempt::processesChanged, this, &Job::processesChanged);
    m_attemptContext = attemptContext;
    m_progress.reset();
    m_limitPeakRssBytes = 0;
    m_sampledPeakRssBytes = -1;
    m_sampledCpuTimeMs = -1;
    AttemptResult result = co_await attempt->run(attemptContext);
    if (follower && m_tailLoaded)
        follower->finish();
    if (m_tail)
        m_tail->finish(); // the next attempt's output starts on a line of its own
    m_follower = nullptr;
    m_attemptRunning = nullptr;
    m_attemptContext.reset();
    // Observers take their last sample of the attempt here (see noteUsage).
    Q_EMIT processesChanged();
    // Samples see the whole tree at once but miss what happened between them; the executor
    // sees each process's own figures to its end. The larger of each is the closer.
    result.cpuTimeMs = std::max(result.cpuTimeMs, m_sampledCpuTimeMs);
    result.peakRssBytes = std::max(result.peakRssBytes, m_sampledPeakRssBytes);
    if (m_limitPeakRssBytes > 0)
        result.peakRssBytes = std::max(result.peakRssBytes, m_limitPeakRssBytes);
    co_return result;
}

// Before a run's first attempt: the jobs this one depends on must have ended as it needs, and
// its start time must have come. False when the job ended instead (Cancelled: a dependency
// failed, or the job itself was cancelled).
QCoro::Task<bool> Job::waitToQueue(CancellationContext::Ptr context) {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool hasDependencies = !m_spec.dependencies.isEmpty();
    const bool delayed = m_spec.startAt.isValid() && m_spec.startAt > now;
    if (!hasDependencies && !delayed)
        co_return true;
    QStringList why;
    if (hasDependencies)
        why.append(dependenciesText(m_spec.dependencies));
    if (delayed)
        why.append(QStringLiteral("starts at ") + startTimeText(m_spec.startAt, now));
    m_waitingFor = why.join(QStringLiteral("; "));
    apply(JobEvent::Wait, m_waitingFor);

    if (hasDependencies) {
        const DependencyTracker::Outcome outcome =
            co_await m_services.dependencies->wait(m_spec.dependencies, context);
        if (outcome.kind != DependencyTracker::Outcome::Kind::Ready) {
            apply(JobEvent::Cancel,
                  outcome.kind == DependencyTracker::Outcome::Kind::Failed
                      ? outcome.reason
                      : cancelReasonText(context->reason().value_or(CancelReason::User)));
            co_return false;
        }
    }
    while (delayed && QDateTime::currentDateTimeUtc() < m_spec.startAt) {
        const std::chrono::milliseconds left(
            QDateTime::currentDateTimeUtc().msecsTo(m_spec.startAt));
        if (!co_await context->sleepFor(
                std::clamp(left, std::chrono::milliseconds(1), StartTimeLap))) {
            apply(JobEvent::Cancel,
                  cancelReasonText(context->reason().value_or(CancelReason::User)));
            co_return false;
        }
    }
    apply(JobEvent::Ready, hasDependencies && delayed ? QStringLiteral("dependencies done, start "
                                                                       "time reached")
                           : hasDependencies          ? QStringLiteral("dependencies done")
                                                      : QStringLiteral("start time reached"));
    co_return true;
}

QCoro::Task<> Job::run(CancellationContext::Ptr context) {
    if (!co_await waitToQueue(context))
        co_return;
    for (;;) {
        // The slot is held only while the attempt runs (not during the retry backoff).
        // A named ticket: g++ 12 destroys a braced temporary argument of a coroutine call
        // inside co_await twice (the group name's last reference went with it).
        Scheduler::Ticket ticket{m_id, m_spec.groupName(), m_priority,
                                 std::exchange(m_keptQueueKey, std::nullopt)};
        Scheduler::Slot slot = co_await m_services.scheduler->admit(std::move(ticket), context);
        if (!slot) {
            apply(JobEvent::Cancel,
                  cancelReasonText(context->reason().value_or(CancelReason::User)));
            co_return;
        }
        ++m_attempt;
        m_traceId = newTraceId();
        m_attemptStarts.append({m_traceId, QDateTime::currentDateTimeUtc()});
        m_machine.setLabel(QStringLiteral("job %1 [%2]").arg(m_id).arg(m_traceId));
        if (attemptOfRun() == 1)
            m_startedAt = QDateTime::currentDateTimeUtc();
        m_outputError.clear();

        AttemptResult result;
        bool deadlinePassed = false;
        bool limitExceeded = false;
        if (const QString invalid = m_spec.validate(); !invalid.isEmpty()) {
            // Checked again per attempt: a working directory can vanish between attempts.
            result.outcome.error = invalid;
        } else {
            const CancellationContext::Ptr attemptContext =
                m_spec.timeout.count() > 0
                    ? CancellationContext::withDeadline(context, m_spec.timeout)
                    : CancellationContext::withCancel(context);
            result = co_await runAttempt(attemptContext);
            deadlinePassed = attemptContext->reason() == CancelReason::Timeout;
            limitExceeded = attemptContext->reason() == CancelReason::Limit;
        }

        m_stragglers = result.stragglers;
        m_killedProcesses = result.killedProcesses;
        m_exitCode.reset();
        m_exitSignal.reset();
        if (result.outcome.kind == AttemptOutcome::Kind::Exited)
            m_exitCode = result.outcome.exitCode;
        else if (result.outcome.kind == AttemptOutcome::Kind::Signalled)
            m_exitSignal = result.outcome.signal;
        m_error = result.outcome.kind == AttemptOutcome::Kind::FailedToStart ||
                          result.outcome.kind == AttemptOutcome::Kind::Lost
                      ? result.outcome.error
                      : QString();
        if (!result.outputError.isEmpty())
            m_outputError = result.outputError;
        m_peakRssBytes =
            result.peakRssBytes >= 0 ? std::optional(result.peakRssBytes) : std::nullopt;
        m_cpuTimeMs = result.cpuTimeMs >= 0 ? std::optional(result.cpuTimeMs) : std::nullopt;

        Q_EMIT attemptEnded(m_attempt, attemptStartedAt(m_attempt), QDateTime::currentDateTimeUtc(),
                            result);

        const bool attemptsLeft = attemptOfRun() < m_spec.maxAttempts;
        const JobEvent event = decideAttemptEnd({
            state(),
            result.outcome.kind,
            result.outcome.succeeded(),
            context->reason(),
            deadlinePassed,
            limitExceeded,
            result.stopTookEffect,
            attemptsLeft,
        });
        const QString outcome = result.describe();
        spdlog::info("job {} [{}]: attempt {} ended: {}", m_id, m_traceId, m_attempt, outcome);
        const std::chrono::milliseconds delay = m_spec.backoff.delayBeforeRetry(attemptOfRun());
        QString reason;
        switch (event) {
        case JobEvent::Cancel:
        case JobEvent::StoppedCancel:
            reason = cancelReasonText(context->reason().value_or(CancelReason::User));
            if (event == JobEvent::StoppedCancel)
                reason += QStringLiteral("; ") + outcome;
            break;
        case JobEvent::StoppedTimeout:
            reason =
                QStringLiteral("deadline %1 passed; ").arg(durationText(m_spec.timeout)) + outcome;
            break;
        case JobEvent::StoppedLimit:
            reason = memoryLimitText(m_spec.memoryLimitBytes, result.peakRssBytes) +
                     QStringLiteral("; ") + outcome;
            break;
        case JobEvent::ScheduleRetry:
            reason = (deadlinePassed && result.stopTookEffect
                          ? QStringLiteral("deadline %1 passed; ").arg(durationText(m_spec.timeout))
                      : limitExceeded && result.stopTookEffect
                          ? memoryLimitText(m_spec.memoryLimitBytes, result.peakRssBytes) +
                                QStringLiteral("; ")
                          : QString()) +
                     outcome +
                     QStringLiteral("; attempt %1 in %2")
                         .arg(attemptOfRun() + 1)
                         .arg(durationText(delay));
            break;
        default:
            reason = outcome;
            break;
        }
        const bool hasStatus = event != JobEvent::Cancel && event != JobEvent::LaunchFailed;
        apply(event, reason, hasStatus ? m_exitCode : std::nullopt,
              hasStatus ? m_exitSignal : std::nullopt);
        // Given back only once the ending is known: an ending that pauses the job's group
        // (pause on failure) must do so before the next job of the group is let in.
        slot.release();

        if (state() != JobState::Retrying)
            co_return;
        m_deadline = QDeadlineTimer(delay);
        Q_EMIT deadlineChanged();
        spdlog::info("job {} [{}]: retry in {} ms", m_id, m_traceId, delay.count());
        if (!co_await context->sleepFor(delay)) {
            apply(JobEvent::Cancel, cancelReasonText(*context->reason()));
            co_return;
        }
    }
}

} // namespace jobmonitor
