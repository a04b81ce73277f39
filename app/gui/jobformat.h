#pragma once

#include "jobstate.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace jobmonitor {

class Job;
struct JobSpec;
struct JobRecord;

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
QString dateTimeText(const QDateTime &when);
// "signal 15 (SIGTERM)".
QString signalText(int signal);

// How a job ended, for people: "exit 0", "signal 9 (SIGKILL)", "failed to start", or empty
// while no attempt has ended.
QString jobResultText(const Job &job);
QString jobResultText(const JobRecord &job);
// Time from the first start to the end (or to now while not ended), as clockText.
QString jobElapsedText(const Job &job, const QDateTime &now);
QString jobElapsedText(const JobRecord &job, const QDateTime &now);
// Milliseconds since the epoch at which the job's deadline (SIGKILL while Stopping, the next
// attempt while Retrying) falls; 0 when it has none.
qint64 jobDeadlineEpochMs(const Job &job);
// "starts in 9:58" while the job has not started and its start time is ahead; else empty.
QString jobStartsInText(const Job &job, const QDateTime &now);

// CPU use in percent of one core, whole from 10 on: "0.4%", "12%", "143%".
QString cpuText(double percent);
// A size in binary units: "240 MiB", "2.3 GiB".
QString bytesText(qint64 bytes);
// What a running job uses now, "12% · 240 MiB", from its latest sample; empty before one.
QString jobResourcesText(double cpuPercent, qint64 rssBytes, bool sampled);
// The limits a job was given: "memory limit 2 GiB · nice 5 · I/O idle"; empty for none.
QString jobLimitsText(const JobSpec &spec);
// What the last attempt used, once it ended: "peak 2.3 GiB · CPU time 1:23"; empty when not
// known.
QString jobUsageText(const Job &job);
// The running attempt's time left: "2:15 left", or "about 2:15 left" when it comes from the
// expected duration rather than the job's output; empty when not known.
QString jobEtaText(const Job &job);

} // namespace jobmonitor
