#include "cancellationcontext.h"

#include <QCoroSignal>

#include <algorithm>
#include <coroutine>
#include <limits>

namespace jobmonitor {

namespace {

// Starts (or restarts) a single-shot timer so that it fires at the deadline. A QTimer takes an
// int of milliseconds, so a deadline further away than that is reached in several laps: the
// owner checks the deadline when the timer fires and starts another lap if it has not passed.
void startUntil(QTimer &timer, const QDeadlineTimer &deadline) {
    constexpr qint64 longestLap = std::numeric_limits<int>::max();
    timer.start(int(std::min(deadline.remainingTime(), longestLap)));
}

// What sleepFor() awaits: a precise timer that cancellation cuts short. Cancellation only
// restarts the timer with no delay, so the sleeping coroutine resumes from the timer event on
// the next turn of the event loop, never in the middle of a cancel() cascade. Every
// connection has the timer as its context, so destroying the awaiter (with the coroutine
// frame) leaves nothing behind. The state lives on the heap so that the awaiter can be moved
// (as QCoro's await_transform may) without moving the timer the connections point to.
class CancellableSleep {
public:
    CancellableSleep(CancellationContext *context, std::chrono::milliseconds duration)
        : m_state(std::make_unique<State>(context, duration)) {}

    bool await_ready() const noexcept { return false; }

    void await_suspend(std::coroutine_handle<> sleeper) {
        State *state = m_state.get();
        QObject::connect(state->context, &CancellationContext::cancelledWith, &state->timer,
                         [state] {
                             state->wokenByCancel = true;
                             state->timer.start(0);
                         });
        QObject::connect(&state->timer, &QTimer::timeout, &state->timer, [state, sleeper] {
            if (!state->wokenByCancel && !state->deadline.hasExpired()) {
                startUntil(state->timer, state->deadline);
                return;
            }
            sleeper.resume();
        });
        startUntil(state->timer, state->deadline);
    }

    bool await_resume() const noexcept { return !m_state->wokenByCancel; }

private:
    struct State {
        State(CancellationContext *sleeping, std::chrono::milliseconds duration)
            : context(sleeping)
            , deadline(duration, Qt::PreciseTimer) {
            timer.setSingleShot(true);
            timer.setTimerType(Qt::PreciseTimer);
        }
        CancellationContext *context;
        QDeadlineTimer deadline;
        QTimer timer;
        bool wokenByCancel = false;
    };
    std::unique_ptr<State> m_state;
};

} // namespace

QString cancelReasonText(CancelReason reason) {
    switch (reason) {
    case CancelReason::User:
        return QStringLiteral("cancelled by user");
    case CancelReason::Timeout:
        return QStringLiteral("deadline passed");
    case CancelReason::Shutdown:
        return QStringLiteral("shutdown");
    case CancelReason::Limit:
        return QStringLiteral("limit exceeded");
    case CancelReason::Force:
        break;
    }
    return QStringLiteral("forced");
}

CancellationContext::Ptr CancellationContext::background() {
    Ptr context(new CancellationContext);
    context->m_self = context;
    return context;
}

CancellationContext::Ptr CancellationContext::withCancel(const Ptr &parent) {
    Ptr context = background();
    context->attachTo(parent);
    return context;
}

CancellationContext::Ptr CancellationContext::withDeadline(const Ptr &parent,
                                                           std::chrono::milliseconds timeout) {
    Ptr context = withCancel(parent);
    CancellationContext *raw = context.get();
    raw->m_deadline =
        QDeadlineTimer(std::max(timeout, std::chrono::milliseconds(0)), Qt::PreciseTimer);
    if (raw->isCancelled())
        return context;
    if (timeout <= std::chrono::milliseconds(0)) {
        raw->cancel(CancelReason::Timeout);
        return context;
    }
    raw->m_deadlineTimer.setSingleShot(true);
    raw->m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&raw->m_deadlineTimer, &QTimer::timeout, raw, [raw] {
        if (raw->m_deadline.hasExpired())
            raw->cancel(CancelReason::Timeout);
        else
            startUntil(raw->m_deadlineTimer, raw->m_deadline);
    });
    startUntil(raw->m_deadlineTimer, raw->m_deadline);
    return context;
}

CancellationContext::~CancellationContext() {
    // Its entry in the parent's list turns null by itself; removing it here would walk the
    // list, and a supervisor's context has one child per job: quadratic for 1000 jobs.
    if (m_parent)
        --m_parent->m_liveChildren;
}

void CancellationContext::attachTo(const Ptr &parent) {
    m_parent = parent;
    // The entries of ended children go once they are the majority: amortised O(1) per child.
    if (parent->m_children.size() >= 2 * parent->m_liveChildren + 16)
        parent->m_children.removeIf(
            [](const QPointer<CancellationContext> &child) { return child.isNull(); });
    parent->m_children.append(QPointer<CancellationContext>(this));
    ++parent->m_liveChildren;
    m_reason = parent->m_reason;
    m_forced = parent->m_forced;
}

std::optional<std::chrono::milliseconds> CancellationContext::remaining() const {
    std::optional<std::chrono::milliseconds> nearest;
    for (const CancellationContext *context = this; context; context = context->m_parent.get()) {
        if (context->m_deadline.isForever())
            continue;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            context->m_pausedLeft.value_or(context->m_deadline.remainingTimeAsDuration()));
        nearest = nearest ? std::min(*nearest, left) : left;
    }
    return nearest;
}

void CancellationContext::pauseDeadline() {
    if (m_reason || m_deadline.isForever() || m_pausedLeft)
        return;
    m_pausedLeft = m_deadline.remainingTimeAsDuration();
    m_deadlineTimer.stop();
}

void CancellationContext::resumeDeadline() {
    if (!m_pausedLeft)
        return;
    m_deadline = QDeadlineTimer(*std::exchange(m_pausedLeft, std::nullopt), Qt::PreciseTimer);
    if (!m_reason)
        startUntil(m_deadlineTimer, m_deadline);
}

void CancellationContext::cancel(CancelReason reason) {
    const bool force = reason == CancelReason::Force;
    if (m_reason && (!force || m_forced))
        return;
    // A slot may drop the last outside reference to this context.
    const Ptr keepAlive = m_self.lock();
    const bool newlyCancelled = !m_reason;
    if (newlyCancelled) {
        m_reason = reason;
        m_deadlineTimer.stop();
    }
    if (force)
        m_forced = true;

    if (newlyCancelled)
        Q_EMIT cancelledWith(reason);
    if (force)
        Q_EMIT forceRequested();

    const QList<QPointer<CancellationContext>> children = m_children;
    for (const QPointer<CancellationContext> &child : children) {
        if (child)
            child->cancel(*m_reason);
        if (child && m_forced)
            child->cancel(CancelReason::Force);
    }
}

QCoro::Task<CancelReason> CancellationContext::cancelled() {
    if (m_reason)
        co_return *m_reason;
    const Ptr keepAlive = m_self.lock();
    co_return co_await qCoro(this, &CancellationContext::cancelledWith);
}

QCoro::Task<bool> CancellationContext::sleepFor(std::chrono::milliseconds duration) {
    if (m_reason)
        co_return false;
    const Ptr keepAlive = m_self.lock();
    co_return co_await CancellableSleep(this, duration);
}

} // namespace jobmonitor

#include "moc_cancellationcontext.cpp"
