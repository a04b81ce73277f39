#include "jobstate.h"

#include "logging.h"

#include <QMetaEnum>

#include <algorithm>

namespace jobmonitor {

namespace {

template<typename Enum>
QString enumKey(Enum value) {
    return QString::fromLatin1(QMetaEnum::fromType<Enum>().valueToKey(int(value)));
}

QString describeOutcome(const Transition &transition) {
    QString text = QStringLiteral("attempt %1").arg(transition.attempt);
    if (transition.exitCode)
        text += QStringLiteral(", exit code %1").arg(*transition.exitCode);
    if (transition.signal)
        text += QStringLiteral(", signal %1").arg(*transition.signal);
    if (!transition.reason.isEmpty())
        text += QStringLiteral(", ") + transition.reason;
    return text;
}

} // namespace

QString jobStateName(JobState state) {
    return enumKey(state);
}

bool isFinal(JobState state) {
    switch (state) {
#define JOBMONITOR_STATE_FINAL(name, final, active)                                                \
    case JobState::name:                                                                           \
        return final;
        JOBMONITOR_JOB_STATES(JOBMONITOR_STATE_FINAL)
#undef JOBMONITOR_STATE_FINAL
    }
    return false;
}

bool isActive(JobState state) {
    switch (state) {
#define JOBMONITOR_STATE_ACTIVE(name, final, active)                                               \
    case JobState::name:                                                                           \
        return active;
        JOBMONITOR_JOB_STATES(JOBMONITOR_STATE_ACTIVE)
#undef JOBMONITOR_STATE_ACTIVE
    }
    return false;
}

QList<JobState> allJobStates() {
    return {
#define JOBMONITOR_STATE_ITEM(name, final, active) JobState::name,
        JOBMONITOR_JOB_STATES(JOBMONITOR_STATE_ITEM)
#undef JOBMONITOR_STATE_ITEM
    };
}

QString jobEventName(JobEvent event) {
    return enumKey(event);
}

const QList<TransitionRule> &transitionTable() {
    using enum JobState;
    using E = JobEvent;
    static const QList<TransitionRule> table{
        {Pending, E::Wait, Waiting},
        {Pending, E::Launch, Running},
        {Pending, E::LaunchFailed, Failed},
        {Pending, E::Cancel, Cancelled},
        // A dependency that failed or was cancelled cancels the job too.
        {Waiting, E::Ready, Pending},
        {Waiting, E::Cancel, Cancelled},
        {Running, E::Exited, Completed},
        {Running, E::ExitedWithError, Failed},
        {Running, E::Lost, Failed},
        {Running, E::ScheduleRetry, Retrying},
        {Running, E::Stop, Stopping},
        {Running, E::Pause, Paused},
        {Paused, E::Resume, Running},
        // A paused job still holds its processes: a stop (cancel, shutdown) continues them for
        // the termination sequence, and they can end while stopped (SIGKILL from outside, the
        // shim lost).
        {Paused, E::Stop, Stopping},
        {Paused, E::Exited, Completed},
        {Paused, E::ExitedWithError, Failed},
        {Paused, E::Lost, Failed},
        {Paused, E::ScheduleRetry, Retrying},
        {Stopping, E::StoppedCancel, Cancelled},
        {Stopping, E::StoppedTimeout, TimedOut},
        {Stopping, E::StoppedLimit, Failed},
        {Stopping, E::ScheduleRetry, Retrying},
        // The attempt ended by itself before the stop reached it: it ended as it would have.
        {Stopping, E::Exited, Completed},
        {Stopping, E::ExitedWithError, Failed},
        {Stopping, E::Lost, Failed},
        {Retrying, E::Launch, Running},
        {Retrying, E::LaunchFailed, Failed},
        {Retrying, E::Cancel, Cancelled},
        {Failed, E::Requeue, Pending},
        {TimedOut, E::Requeue, Pending},
        {Cancelled, E::Requeue, Pending},
        // Recovery (jobstore.cpp) finds these in the store after their owner died, once nothing
        // of them runs any more: what they would have become is unknown, so nothing is guessed.
        {Pending, E::Interrupt, Interrupted},
        {Waiting, E::Interrupt, Interrupted},
        {Running, E::Interrupt, Interrupted},
        {Paused, E::Interrupt, Interrupted},
        {Stopping, E::Interrupt, Interrupted},
        {Retrying, E::Interrupt, Interrupted},
    };
    return table;
}

std::optional<JobState> nextState(JobState from, JobEvent event) {
    const QList<TransitionRule> &table = transitionTable();
    const auto rule = std::find_if(table.cbegin(), table.cend(), [&](const TransitionRule &r) {
        return r.from == from && r.event == event;
    });
    if (rule == table.cend())
        return std::nullopt;
    return rule->to;
}

JobStateMachine::JobStateMachine(QString jobLabel, QObject *parent)
    : QObject(parent)
    , m_label(std::move(jobLabel)) {
    qRegisterMetaType<jobmonitor::Transition>();
}

bool JobStateMachine::apply(JobEvent event, const QString &reason, int attempt,
                            std::optional<int> exitCode, std::optional<int> signal) {
    const std::optional<JobState> to = nextState(m_state, event);
    if (!to) {
        spdlog::warn("{}: rejected event {} in state {}", m_label, jobEventName(event),
                     jobStateName(m_state));
        return false;
    }
    const Transition transition{
        m_state, *to, event, QDateTime::currentDateTimeUtc(), reason, attempt, exitCode, signal,
    };
    m_history.append(transition);
    m_state = *to;
    spdlog::info("{}: {} -> {} on {} ({})", m_label, jobStateName(transition.from),
                 jobStateName(transition.to), jobEventName(event), describeOutcome(transition));
    Q_EMIT transitioned(transition);
    return true;
}

} // namespace jobmonitor

#include "moc_jobstate.cpp"
