#include "decision.h"

namespace jobmonitor {

JobEvent decideAttemptEnd(const AttemptEnding &ending) {
    using Kind = AttemptOutcome::Kind;
    // Nothing ran: retrying would fail the same way (a missing directory, no shim).
    if (ending.outcome == Kind::FailedToStart || ending.state == JobState::Pending ||
        ending.state == JobState::Retrying)
        return ending.jobCancel ? JobEvent::Cancel : JobEvent::LaunchFailed;

    // A stop that reached the command decides the ending: the command may have exited 0 from
    // its SIGTERM handler, but it ended because it was told to.
    if (ending.stopTookEffect && ending.outcome != Kind::Lost) {
        if (ending.jobCancel)
            return JobEvent::StoppedCancel;
        if (ending.deadlinePassed)
            return ending.attemptsLeft ? JobEvent::ScheduleRetry : JobEvent::StoppedTimeout;
        // Like a deadline: the limit ends this attempt, and a retry may fit.
        if (ending.limitExceeded)
            return ending.attemptsLeft ? JobEvent::ScheduleRetry : JobEvent::StoppedLimit;
    }

    // The attempt ended by itself (a stop may have come too late to matter). A cancelled job
    // is not retried, whatever its attempt did.
    const bool mayRetry = ending.attemptsLeft && !ending.jobCancel;
    if (ending.outcome == Kind::Lost)
        return mayRetry ? JobEvent::ScheduleRetry : JobEvent::Lost;
    if (ending.succeeded)
        return JobEvent::Exited;
    return mayRetry ? JobEvent::ScheduleRetry : JobEvent::ExitedWithError;
}

} // namespace jobmonitor
