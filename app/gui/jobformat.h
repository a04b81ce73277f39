#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace jobmonitor {

class Job;

// How a job ended, for people: "exit 0", "signal 9 (SIGKILL)", "failed to start", or empty
// while no attempt has ended.
QString jobResultText(const Job &job);
// "0:07", "1:02:33": time from the first start to the end (or to now while not ended).
QString jobElapsedText(const Job &job, const QDateTime &now);
// Milliseconds since the epoch at which the job's deadline (SIGKILL while Stopping, the next
// attempt while Retrying) falls; 0 when it has none.
qint64 jobDeadlineEpochMs(const Job &job);

} // namespace jobmonitor
