#pragma once

#include "cancellationcontext.h"
#include "executor.h"
#include "jobstate.h"

#include <optional>

namespace jobmonitor {

// The decision table: which event ends an attempt. A pure function of what the job knows when
// the attempt is over; with the transition table (jobstate.cpp) it is the only code that knows
// the state machine.
struct AttemptEnding {
    // Pending or Retrying when the attempt never started; Paused when it ended while stopped.
    JobState state = JobState::Running;
    AttemptOutcome::Kind outcome = AttemptOutcome::Kind::Exited;
    bool succeeded = false;                // exited with status 0
    std::optional<CancelReason> jobCancel; // why the job itself was cancelled, if it was
    bool deadlinePassed = false;           // the attempt's own deadline fired
    bool limitExceeded = false;            // the attempt was stopped for exceeding its memory limit
    bool stopTookEffect = false;           // a stop reached the command while it ran
    bool attemptsLeft = false;             // another attempt is allowed
};

JobEvent decideAttemptEnd(const AttemptEnding &ending);

} // namespace jobmonitor
