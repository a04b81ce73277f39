#include "job.h"

#include "jobprocess.h"
#include "logging.h"

#include <QRandomGenerator>

namespace jobmonitor {

namespace {

QString newTraceId() {
    return QString::number(QRandomGenerator::global()->generate64() & 0xffffffffffffULL, 16)
        .rightJustified(12, QLatin1Char('0'));
}

constexpr std::chrono::milliseconds LogFlushInterval{250};

QString durationText(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0)
        return QStringLiteral("%1 s").arg(duration.count() / 1000);
    return QStringLiteral("%1 ms").arg(duration.count());
}

} // namespace

Job::Job(int id, JobSpec spec, QString logPath, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_spec(std::move(spec))
    , m_logPathTemplate(std::move(logPath))
    , m_machine(QStringLiteral("job %1").arg(id))
    , m_createdAt(QDateTime::currentDateTime()) {
    // The log is flushed a few times a second rather than per chunk of output, so a flood
    // costs the event loop few write(2) calls; a user opening the log sees it nearly live.
    m_logFlush.setSingleShot(true);
    m_logFlush.setInterval(LogFlushInterval);
    connect(&m_logFlush, &QTimer::timeout, this, [this]() { m_log.flush(); });
    connect(&m_machine, &JobStateMachine::transitioned, this, [this](const Transition &t) {
        if (isFinal(t.to))
            m_endedAt = t.time;
        Q_EMIT transitioned(t);
    });
}

Job::~Job() = default;

qint64 Job::pid() const {
    return m_process ? m_process->pid() : 0;
}

bool Job::apply(JobEvent event, const QString &reason, std::optional<int> exitCode,
                std::optional<int> signal) {
    return m_machine.apply(event, reason, m_attempt, exitCode, signal);
}

bool Job::cancelPending(CancelReason reason) {
    if (state() != JobState::Pending)
        return false;
    return apply(JobEvent::Cancel, cancelReasonText(reason));
}

bool Job::requeue() {
    if (!apply(JobEvent::Requeue, QStringLiteral("run again by user")))
        return false;
    m_attempt = 0;
    m_exitCode.reset();
    m_exitSignal.reset();
    m_stragglers = 0;
    m_error.clear();
    m_startedAt = {};
    m_endedAt = {};
    return true;
}

QCoro::Task<ProcessResult> Job::runAttempt(CancellationContext::Ptr attemptContext) {
    JobProcess process;
    m_process = &process;
    connect(&process, &JobProcess::started, this, [this](qint64 pid) {
        spdlog::info("job {} [{}]: attempt {} started, shim pid {}", m_id, m_traceId, m_attempt,
                     pid);
        apply(JobEvent::Launch,
              QStringLiteral("attempt %1 of %2 started").arg(m_attempt).arg(m_spec.maxAttempts));
        Q_EMIT pidChanged(pid);
    });
    connect(&process, &JobProcess::stopping, this,
            [this, attemptContext](QDeadlineTimer killDeadline) {
                const CancelReason reason = attemptContext->reason().value_or(CancelReason::User);
                QString text =
                    reason == CancelReason::Timeout
                        ? QStringLiteral("deadline %1 passed").arg(durationText(m_spec.timeout))
                        : cancelReasonText(reason);
                m_deadline = killDeadline;
                Q_EMIT deadlineChanged();
                spdlog::info("job {} [{}]: stopping ({}), SIGKILL in {} ms", m_id, m_traceId, text,
                             killDeadline.remainingTime());
                apply(JobEvent::Stop, text);
            });
    connect(&process, &JobProcess::output, this,
            [this](OutputChannel channel, const QByteArray &data) {
                m_log.write(data);
                if (!m_logFlush.isActive())
                    m_logFlush.start();
                m_output.append(channel, data);
            });
    ProcessResult result = co_await process.run(m_spec, attemptContext);
    m_output.finish(); // the next attempt's output starts on a line of its own
    m_process = nullptr;
    Q_EMIT pidChanged(0);
    co_return result;
}

QCoro::Task<> Job::run(CancellationContext::Ptr context) {
    for (;;) {
        ++m_attempt;
        m_traceId = newTraceId();
        const QString logLabel = QStringLiteral("job %1 [%2]").arg(m_id).arg(m_traceId);
        m_machine.setLabel(logLabel);
        m_log.setLabel(logLabel);
        if (m_attempt == 1)
            m_startedAt = QDateTime::currentDateTime();
        const bool attemptsLeft = m_attempt < m_spec.maxAttempts;

        if (context->isCancelled()) {
            apply(JobEvent::Cancel, cancelReasonText(*context->reason()));
            co_return;
        }
        if (!m_logPathTemplate.isEmpty() && !m_log.isOpen() && m_log.error().isEmpty() &&
            !m_log.open(m_logPathTemplate))
            spdlog::warn("job {} [{}]: {}", m_id, m_traceId, m_log.error());
        m_log.writeNote(QStringLiteral("attempt %1 of %2 [%3]: %4")
                            .arg(m_attempt)
                            .arg(m_spec.maxAttempts)
                            .arg(m_traceId, m_spec.command));

        ProcessResult result;
        QString deadlineText; // set when the attempt was stopped by its deadline
        if (const QString invalid = m_spec.validate(); !invalid.isEmpty()) {
            // Checked again per attempt: a working directory can vanish between attempts.
            result.error = invalid;
        } else {
            const CancellationContext::Ptr attemptContext =
                m_spec.timeout.count() > 0
                    ? CancellationContext::withDeadline(context, m_spec.timeout)
                    : CancellationContext::withCancel(context);
            result = co_await runAttempt(attemptContext);
            if (result.stopped && attemptContext->reason() == CancelReason::Timeout &&
                !context->isCancelled()) {
                deadlineText =
                    QStringLiteral("deadline %1 passed").arg(durationText(m_spec.timeout));
            }
        }

        m_stragglers = result.stragglers;
        m_exitCode.reset();
        m_exitSignal.reset();
        if (result.outcome == ProcessResult::Outcome::Exited)
            m_exitCode = result.exitCode;
        else if (result.outcome == ProcessResult::Outcome::Signalled)
            m_exitSignal = result.signal;
        m_error = result.error;

        QString reason = result.describe();
        if (result.outcome != ProcessResult::Outcome::FailedToStart && !result.error.isEmpty())
            reason += QStringLiteral(" (%1)").arg(result.error);
        if (result.stragglers > 0)
            reason += QStringLiteral(", %1 straggler(s) ended").arg(result.stragglers);
        if (result.killed)
            reason += QStringLiteral(", killed after the grace period");
        m_log.writeNote(QStringLiteral("attempt %1 ended: %2").arg(m_attempt).arg(reason));
        spdlog::info("job {} [{}]: attempt {} ended: {}", m_id, m_traceId, m_attempt, reason);

        const auto code = m_exitCode;
        const auto sig = m_exitSignal;
        const bool cancelled = context->isCancelled();
        const std::chrono::milliseconds delay = m_spec.backoff.delayBeforeRetry(m_attempt);
        const QString retryText =
            QStringLiteral("; attempt %1 in %2").arg(m_attempt + 1).arg(durationText(delay));
        if (result.outcome == ProcessResult::Outcome::FailedToStart &&
            (state() == JobState::Pending || state() == JobState::Retrying)) {
            // Nothing ran: retrying would fail the same way (a missing directory, no shim).
            if (cancelled)
                apply(JobEvent::Cancel, cancelReasonText(*context->reason()));
            else
                apply(JobEvent::LaunchFailed, result.describe());
        } else if (state() == JobState::Stopping) {
            if (cancelled)
                apply(JobEvent::StoppedCancel,
                      cancelReasonText(*context->reason()) + QStringLiteral("; ") + reason, code,
                      sig);
            else if (attemptsLeft)
                apply(JobEvent::ScheduleRetry,
                      deadlineText + QStringLiteral("; ") + reason + retryText, code, sig);
            else
                apply(JobEvent::StoppedTimeout, deadlineText + QStringLiteral("; ") + reason, code,
                      sig);
        } else if (cancelled) {
            apply(JobEvent::Cancel,
                  cancelReasonText(*context->reason()) + QStringLiteral("; ") + reason, code, sig);
        } else if (result.succeeded()) {
            apply(JobEvent::Exited, reason, code, sig);
        } else if (attemptsLeft) {
            apply(JobEvent::ScheduleRetry, reason + retryText, code, sig);
        } else {
            apply(JobEvent::ExitedWithError, reason, code, sig);
        }

        if (state() != JobState::Retrying) {
            m_log.close();
            co_return;
        }
        m_deadline = QDeadlineTimer(delay);
        Q_EMIT deadlineChanged();
        spdlog::info("job {} [{}]: retry in {} ms", m_id, m_traceId, delay.count());
        if (!co_await context->sleepFor(delay)) {
            apply(JobEvent::Cancel, cancelReasonText(*context->reason()));
            m_log.close();
            co_return;
        }
    }
}

} // namespace jobmonitor
