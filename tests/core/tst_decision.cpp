// The decision table (core/decision.h): which event ends an attempt. First row by row, as
// specified, then every combination of its inputs against the rules it must keep, and against
// the transition table: whatever it decides must be a move the job can make from its state.

#include "decision.h"

#include <QTest>

using jobmonitor::AttemptEnding;
using jobmonitor::CancelReason;
using jobmonitor::JobEvent;
using jobmonitor::JobState;
using Kind = jobmonitor::AttemptOutcome::Kind;

namespace {

// How the attempt ended, as the rows name it.
enum class Ending { Exit0, Exit3, Signal, NeverStarted, Lost };

AttemptEnding ending(JobState state, Ending how, std::optional<CancelReason> cancel,
                     bool deadlinePassed, bool stopTookEffect, bool attemptsLeft,
                     bool limitExceeded = false) {
    AttemptEnding e;
    e.state = state;
    e.outcome = how == Ending::Exit0 || how == Ending::Exit3 ? Kind::Exited
                : how == Ending::Signal                      ? Kind::Signalled
                : how == Ending::NeverStarted                ? Kind::FailedToStart
                                                             : Kind::Lost;
    e.succeeded = how == Ending::Exit0;
    e.jobCancel = cancel;
    e.deadlinePassed = deadlinePassed;
    e.stopTookEffect = stopTookEffect;
    e.attemptsLeft = attemptsLeft;
    e.limitExceeded = limitExceeded;
    return e;
}

const char *name(Ending how) {
    switch (how) {
    case Ending::Exit0:
        return "exit 0";
    case Ending::Exit3:
        return "exit 3";
    case Ending::Signal:
        return "signal";
    case Ending::NeverStarted:
        return "never started";
    case Ending::Lost:
        break;
    }
    return "lost";
}

QString describe(const AttemptEnding &e, Ending how) {
    return QStringLiteral("%1, %2, cancel %3, deadline %4, stop took effect %5, attempts left %6, "
                          "limit %7")
        .arg(jobmonitor::jobStateName(e.state), QLatin1String(name(how)),
             e.jobCancel ? jobmonitor::cancelReasonText(*e.jobCancel) : QStringLiteral("none"))
        .arg(e.deadlinePassed)
        .arg(e.stopTookEffect)
        .arg(e.attemptsLeft)
        .arg(e.limitExceeded);
}

} // namespace

Q_DECLARE_METATYPE(Ending)
Q_DECLARE_METATYPE(std::optional<CancelReason>)

class TestDecision : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rows_data() {
        QTest::addColumn<JobState>("state");
        QTest::addColumn<Ending>("how");
        QTest::addColumn<std::optional<CancelReason>>("cancel");
        QTest::addColumn<bool>("deadlinePassed");
        QTest::addColumn<bool>("stopTookEffect");
        QTest::addColumn<bool>("attemptsLeft");
        QTest::addColumn<bool>("limitExceeded");
        QTest::addColumn<JobEvent>("event");
        QTest::addColumn<JobState>("endsIn");
        using enum JobState;
        using E = JobEvent;
        const std::optional<CancelReason> none;
        const std::optional<CancelReason> user = CancelReason::User;
        const std::optional<CancelReason> shutdown = CancelReason::Shutdown;
        const std::optional<CancelReason> force = CancelReason::Force;
        const auto row = [](const char *text, JobState state, Ending how,
                            std::optional<CancelReason> cancel, bool deadline, bool effect,
                            bool left, JobEvent event, JobState endsIn) {
            QTest::newRow(text) << state << how << cancel << deadline << effect << left << false
                                << event << endsIn;
        };
        const auto limitRow = [](const char *text, JobState state, Ending how,
                                 std::optional<CancelReason> cancel, bool effect, bool left,
                                 JobEvent event, JobState endsIn) {
            QTest::newRow(text) << state << how << cancel << false << effect << left << true
                                << event << endsIn;
        };

        // Nothing ran: a retry would fail the same way.
        row("never started", Pending, Ending::NeverStarted, none, false, false, false,
            E::LaunchFailed, Failed);
        row("never started, attempts left: no retry", Pending, Ending::NeverStarted, none, false,
            false, true, E::LaunchFailed, Failed);
        row("never started after a backoff", Retrying, Ending::NeverStarted, none, false, false,
            true, E::LaunchFailed, Failed);
        row("cancelled before it started", Pending, Ending::NeverStarted, user, false, false, true,
            E::Cancel, Cancelled);
        row("shutdown during the backoff", Retrying, Ending::NeverStarted, shutdown, false, false,
            true, E::Cancel, Cancelled);

        // The attempt ended by itself.
        row("exit 0", Running, Ending::Exit0, none, false, false, false, E::Exited, Completed);
        row("exit 0, attempts left", Running, Ending::Exit0, none, false, false, true, E::Exited,
            Completed);
        row("exit 3, last attempt", Running, Ending::Exit3, none, false, false, false,
            E::ExitedWithError, Failed);
        row("exit 3, attempts left", Running, Ending::Exit3, none, false, false, true,
            E::ScheduleRetry, Retrying);
        row("a crash, last attempt", Running, Ending::Signal, none, false, false, false,
            E::ExitedWithError, Failed);
        row("a crash, attempts left", Running, Ending::Signal, none, false, false, true,
            E::ScheduleRetry, Retrying);
        row("its shim died, last attempt", Running, Ending::Lost, none, false, false, false,
            E::Lost, Failed);
        row("its shim died, attempts left", Running, Ending::Lost, none, false, false, true,
            E::ScheduleRetry, Retrying);

        // The attempt ended while its processes were stopped: killed from outside, its shim
        // lost, or it exited in the turn the pause was asked for. As if it had been running.
        row("paused, exit 0 as it was paused", Paused, Ending::Exit0, none, false, false, false,
            E::Exited, Completed);
        row("paused, killed from outside, last attempt", Paused, Ending::Signal, none, false, false,
            false, E::ExitedWithError, Failed);
        row("paused, killed from outside, attempts left", Paused, Ending::Signal, none, false,
            false, true, E::ScheduleRetry, Retrying);
        row("paused, its shim died, last attempt", Paused, Ending::Lost, none, false, false, false,
            E::Lost, Failed);
        row("paused, its shim died, attempts left", Paused, Ending::Lost, none, false, false, true,
            E::ScheduleRetry, Retrying);
        row("paused, cancelled as it ended: not retried", Paused, Ending::Exit3, user, false, false,
            true, E::ExitedWithError, Failed);

        // A stop that came too late: the attempt ended as it would have without it (defect:
        // a job that exits 0 before a cancel takes effect was recorded Cancelled).
        row("exit 0 before the cancel took effect", Stopping, Ending::Exit0, user, false, false,
            false, E::Exited, Completed);
        row("exit 0 just as it was cancelled, not yet Stopping", Running, Ending::Exit0, user,
            false, false, true, E::Exited, Completed);
        row("exit 0 before the deadline's stop took effect", Stopping, Ending::Exit0, none, true,
            false, true, E::Exited, Completed);
        row("exit 3 before the cancel took effect: not retried", Stopping, Ending::Exit3, user,
            false, false, true, E::ExitedWithError, Failed);
        row("exit 3 before the deadline's stop took effect: retried", Stopping, Ending::Exit3, none,
            true, false, true, E::ScheduleRetry, Retrying);
        row("exit 3 before the deadline's stop, last attempt", Stopping, Ending::Exit3, none, true,
            false, false, E::ExitedWithError, Failed);
        row("cancelled while Running, failed: not retried", Running, Ending::Exit3, user, false,
            false, true, E::ExitedWithError, Failed);
        row("shim died while Stopping", Stopping, Ending::Lost, user, false, true, true, E::Lost,
            Failed);
        row("shim died during the deadline's stop, attempts left", Stopping, Ending::Lost, none,
            true, true, true, E::ScheduleRetry, Retrying);
        row("shim died during the deadline's stop, last attempt", Stopping, Ending::Lost, none,
            true, true, false, E::Lost, Failed);

        // The stop reached the command: it ended because it was told to.
        row("cancelled: ended by SIGTERM", Stopping, Ending::Signal, user, false, true, false,
            E::StoppedCancel, Cancelled);
        row("cancelled: its TERM handler exited 0", Stopping, Ending::Exit0, user, false, true,
            false, E::StoppedCancel, Cancelled);
        row("cancelled: exit 3, attempts left, not retried", Stopping, Ending::Exit3, user, false,
            true, true, E::StoppedCancel, Cancelled);
        row("shutdown", Stopping, Ending::Signal, shutdown, false, true, true, E::StoppedCancel,
            Cancelled);
        row("forced", Stopping, Ending::Signal, force, false, true, true, E::StoppedCancel,
            Cancelled);
        row("deadline, last attempt", Stopping, Ending::Signal, none, true, true, false,
            E::StoppedTimeout, TimedOut);
        row("deadline: its TERM handler exited 0", Stopping, Ending::Exit0, none, true, true, false,
            E::StoppedTimeout, TimedOut);
        row("deadline, attempts left", Stopping, Ending::Signal, none, true, true, true,
            E::ScheduleRetry, Retrying);
        row("deadline and cancel both: the cancel wins", Stopping, Ending::Signal, user, true, true,
            true, E::StoppedCancel, Cancelled);

        // Stopped for going beyond its memory limit: a failure, retried like a deadline.
        limitRow("memory limit, last attempt", Stopping, Ending::Signal, none, true, false,
                 E::StoppedLimit, Failed);
        limitRow("memory limit: its TERM handler exited 0", Stopping, Ending::Exit0, none, true,
                 false, E::StoppedLimit, Failed);
        limitRow("memory limit, attempts left", Stopping, Ending::Signal, none, true, true,
                 E::ScheduleRetry, Retrying);
        limitRow("memory limit and cancel both: the cancel wins", Stopping, Ending::Signal, user,
                 true, true, E::StoppedCancel, Cancelled);
        limitRow("exit 0 before the limit's stop took effect", Stopping, Ending::Exit0, none, false,
                 false, E::Exited, Completed);
        limitRow("shim died during the limit's stop", Stopping, Ending::Lost, none, true, false,
                 E::Lost, Failed);
    }
    void rows() {
        QFETCH(JobState, state);
        QFETCH(Ending, how);
        QFETCH(std::optional<CancelReason>, cancel);
        QFETCH(bool, deadlinePassed);
        QFETCH(bool, stopTookEffect);
        QFETCH(bool, attemptsLeft);
        QFETCH(bool, limitExceeded);
        QFETCH(JobEvent, event);
        QFETCH(JobState, endsIn);
        const JobEvent decided = jobmonitor::decideAttemptEnd(ending(
            state, how, cancel, deadlinePassed, stopTookEffect, attemptsLeft, limitExceeded));
        QCOMPARE(decided, event);
        QCOMPARE(jobmonitor::nextState(state, decided), std::optional(endsIn));
    }

    // Every combination the job can present: the state it is in when the attempt ends (Pending
    // or Retrying: the attempt never started; Running; Paused; Stopping), how it ended, why the job
    // was cancelled, if it was, whether the attempt's deadline passed, whether the stop reached the
    // command, and whether attempts are left.
    //
    // Not presented: an attempt that started and "failed to start", and one in Running whose
    // stop took effect (the attempt says it is stopping before it can end so, and the job is
    // Stopping then).
    void everyCombinationKeepsTheRules() {
        int checked = 0;
        const std::optional<CancelReason> cancels[] = {std::nullopt, CancelReason::User,
                                                       CancelReason::Timeout,
                                                       CancelReason::Shutdown, CancelReason::Force};
        for (JobState state : {JobState::Pending, JobState::Retrying, JobState::Running,
                               JobState::Paused, JobState::Stopping}) {
            const bool started = state == JobState::Running || state == JobState::Paused ||
                                 state == JobState::Stopping;
            for (Ending how : {Ending::Exit0, Ending::Exit3, Ending::Signal, Ending::NeverStarted,
                               Ending::Lost}) {
                if (started && how == Ending::NeverStarted)
                    continue;
                for (const std::optional<CancelReason> &cancel : cancels)
                    for (bool deadline : {false, true})
                        for (bool effect : {false, true})
                            for (bool left : {false, true})
                                for (bool limit : {false, true}) {
                                    if (effect && state != JobState::Stopping)
                                        continue;
                                    const AttemptEnding e =
                                        ending(state, how, cancel, deadline, effect, left, limit);
                                    checkRules(e, how);
                                    if (QTest::currentTestFailed())
                                        return;
                                    ++checked;
                                }
            }
        }
        // 2 unstarted states x 5 endings x 5 x 2 x 2, Running and Paused 4 x 5 x 2 x 2 each,
        // Stopping 4 x 5 x 2 x 2 x 2; each with and without the memory limit exceeded.
        QCOMPARE(checked, 2 * (200 + 80 + 80 + 160));
    }

private:
    static void checkRules(const AttemptEnding &e, Ending how) {
        const JobEvent event = jobmonitor::decideAttemptEnd(e);
        const QByteArray where =
            describe(e, how).toUtf8() + " -> " + jobmonitor::jobEventName(event).toUtf8();
        const std::optional<JobState> next = jobmonitor::nextState(e.state, event);
        QVERIFY2(next, "no transition for the event from the state: " + where);
        const bool cancelled = e.jobCancel.has_value();
        if (e.state == JobState::Pending || e.state == JobState::Retrying) {
            QVERIFY2(event == (cancelled ? JobEvent::Cancel : JobEvent::LaunchFailed), where);
            return;
        }
        // A cancelled job is never retried; nor is one without attempts left.
        if (cancelled || !e.attemptsLeft)
            QVERIFY2(event != JobEvent::ScheduleRetry, where);
        if (how == Ending::Lost) {
            // Its supervisor died: never a success, never "stopped".
            QVERIFY2(*next ==
                         (e.attemptsLeft && !cancelled ? JobState::Retrying : JobState::Failed),
                     where);
            return;
        }
        if (e.stopTookEffect && cancelled) {
            QVERIFY2(*next == JobState::Cancelled, where);
            return;
        }
        if (e.stopTookEffect && e.deadlinePassed) {
            QVERIFY2(*next == (e.attemptsLeft ? JobState::Retrying : JobState::TimedOut), where);
            return;
        }
        // Stopped for its memory: a failure even when its TERM handler exited 0.
        if (e.stopTookEffect && e.limitExceeded) {
            QVERIFY2(*next == (e.attemptsLeft ? JobState::Retrying : JobState::Failed), where);
            QVERIFY2(e.attemptsLeft || event == JobEvent::StoppedLimit, where);
            return;
        }
        // Ended by itself, whatever stop was asked for too late.
        if (how == Ending::Exit0) {
            QVERIFY2(*next == JobState::Completed, where);
            return;
        }
        QVERIFY2(*next == (e.attemptsLeft && !cancelled ? JobState::Retrying : JobState::Failed),
                 where);
    }
};

QTEST_GUILESS_MAIN(TestDecision)
#include "tst_decision.moc"
