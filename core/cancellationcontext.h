#pragma once

#include <QCoro/QCoroTask>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace jobmonitor {

// Why a context was cancelled. The first reason a context receives is final and is handed
// down to every descendant.
enum class CancelReason {
    User,     // somebody pressed Cancel
    Timeout,  // a deadline passed
    Shutdown, // the application is quitting
    Force,    // stop at once, skipping the grace period
    Limit,    // the job went beyond a limit of its own (its memory)
};

QString cancelReasonText(CancelReason reason);

// A node in a tree of cancellation scopes, modelled on Go's context.Context: cancelling a node
// cancels its whole subtree at once, a child never outlives its parent's cancellation, and a
// deadline is a cancellation with reason Timeout that fires by itself.
//
// "Force" is an escalation as well as a reason: a context already cancelled for another reason
// still becomes forced (and tells its subtree), so a second Ctrl+C can skip the grace period
// of a shutdown that is already running.
class CancellationContext : public QObject {
    Q_OBJECT
public:
    using Ptr = std::shared_ptr<CancellationContext>;

    static Ptr background();
    static Ptr withCancel(const Ptr &parent);
    // A timeout of zero or less gives a context that is cancelled (reason Timeout) at once,
    // before this returns. A child of a cancelled parent is born cancelled with the parent's
    // reason (and forced if the parent is); a context born cancelled emits no signal.
    static Ptr withDeadline(const Ptr &parent, std::chrono::milliseconds timeout);

    ~CancellationContext() override;

    bool isCancelled() const { return m_reason.has_value(); }
    std::optional<CancelReason> reason() const { return m_reason; }
    bool isForced() const { return m_forced; }
    // Milliseconds left before this context's own deadline (or an ancestor's), if any. A
    // paused deadline's time left stands still.
    std::optional<std::chrono::milliseconds> remaining() const;

    // Stops the clock of this context's own deadline, and starts it again with the time that
    // was left: the time a job spends paused does not count towards its attempt's timeout.
    // Nothing happens to a context without a deadline of its own or one already cancelled;
    // pausing a paused deadline (or resuming a running one) changes nothing. Ancestors'
    // deadlines keep running.
    void pauseDeadline();
    void resumeDeadline();
    bool isDeadlinePaused() const { return m_pausedLeft.has_value(); }

    // Idempotent: the first reason wins. Force escalates even an already cancelled context.
    // Order: the state is set first (reason, and forced for Force), then cancelledWith (once),
    // then forceRequested (once, whenever forced becomes true, also for a context cancelled
    // with reason Force), then every live child in creation order, depth first: each child
    // is cancelled with this context's reason (a child already cancelled keeps its own), and
    // then forced if this context is forced.
    void cancel(CancelReason reason);

    // Completes when the context is cancelled (at once if it already is). Returns the reason.
    // A pending wait keeps the context alive, so cancelling an ancestor always ends it.
    QCoro::Task<CancelReason> cancelled();

    // Sleeps for the given time; returns false when woken early by cancellation (at once if
    // already cancelled, else on the event-loop turn after cancel(), never inside it).
    // A pending sleep keeps the context alive.
    QCoro::Task<bool> sleepFor(std::chrono::milliseconds duration);

Q_SIGNALS:
    void cancelledWith(jobmonitor::CancelReason reason);
    void forceRequested();

private:
    CancellationContext() = default;
    void attachTo(const Ptr &parent);

    std::optional<CancelReason> m_reason;
    bool m_forced = false;
    QDeadlineTimer m_deadline = QDeadlineTimer(QDeadlineTimer::Forever);
    QTimer m_deadlineTimer;
    std::optional<std::chrono::nanoseconds> m_pausedLeft; // while the deadline is paused
    Ptr m_parent; // keeps ancestors alive while a descendant lives
    QList<QPointer<CancellationContext>> m_children; // weak, in creation order
    qsizetype m_liveChildren = 0;                    // m_children's entries not yet null
    std::weak_ptr<CancellationContext> m_self;       // for staying alive while signals run
};

} // namespace jobmonitor
