#pragma once

#include "jobstate.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace jobmonitor {

class Job;

// One formatter per concept, so every view says a thing the same way.

// A state as the window names it: "Queued" (for Pending), "Running", "Timed out", ...
QString stateLabel(JobState state);
// A count of things in the user's locale, never in scientific notation: "3,841,150".
QString countText(qint64 count);
// A duration as a clock: "0:07", "1:02:33".
QString clockText(qint64 milliseconds);
// A countdown in seconds with one decimal, in the user's locale: "3.2 s".
QString secondsText(qint64 milliseconds);
// A moment of today or any day, to the second, in the user's locale.
QString dateTimeText(const QDateTime &time);
// "signal 15 (SIGTERM)".
QString signalText(int signal);

// How a job ended, for people: "exit 0", "signal 9 (SIGKILL)", "failed to start", or empty
// while no attempt has ended.
QString jobResultText(const Job &job);
// Time from the first start to the end (or to now while not ended), as clockText.
QString jobElapsedText(const Job &job, const QDateTime &now);
// Milliseconds since the epoch at which the job's deadline (SIGKILL while Stopping, the next
// attempt while Retrying) falls; 0 when it has none.
qint64 jobDeadlineEpochMs(const Job &job);
// "starts in 9:58" while the job has not started and its start time is ahead; else empty.
QString jobStartsInText(const Job &job, const QDateTime &now);

} // namespace jobmonitor
