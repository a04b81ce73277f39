#pragma once

#include <QtGlobal>

#include <chrono>
#include <climits>

// The one set of limits of a job and of the queue. JobSpec::validate() checks a job against
// them, and every front end (the command line, the New job form, the status bar's spin box,
// and those to come) takes its bounds from here, so that no front end accepts what another
// refuses. (Not named limits.h: this folder is on the include path, where that name would
// hide the C library's <limits.h>.)
namespace jobmonitor::limits {

using namespace std::chrono_literals;

inline constexpr int maxRetries = 100;
inline constexpr int maxAttempts = 1 + maxRetries;

// High enough for a thousand short jobs at once (the shutdown benchmark runs that many).
inline constexpr int maxParallel = 1024;

inline constexpr std::chrono::milliseconds maxTimeout = 365 * 24h;
// Timeouts and waits are counted in milliseconds: a positive time below this would become 0,
// which means "none", so it is refused instead.
inline constexpr std::chrono::milliseconds resolution = 1ms;

// All the waits of a termination sequence together (what --grace sets in one step).
inline constexpr std::chrono::milliseconds maxTerminationWait = 24h;
inline constexpr int maxTerminationSteps = 16;

// A job's priority goes from -maxPriority to maxPriority (0 unless given).
inline constexpr int maxPriority = 1000;
// Jobs one job may wait for.
inline constexpr int maxDependencies = 1000;
// How far ahead a start time (or a start delay) may be.
inline constexpr std::chrono::milliseconds maxStartDelay = 365 * 24h;

// Groups: how many there may be, how long a name may be, and a group's start rate: at most
// maxRateStarts starts per interval, an interval of at most maxRateInterval, a burst of at
// most maxRateStarts.
inline constexpr int maxGroups = 100;
inline constexpr int maxGroupNameLength = 40;
inline constexpr int maxRateStarts = 10000;
inline constexpr std::chrono::milliseconds maxRateInterval = 24h;

// The first delay before a retry and the longest one.
inline constexpr std::chrono::milliseconds maxBackoffDelay = 24h;
inline constexpr double maxBackoffFactor = 100;

// A job's memory limit: below a mebibyte not even a shell starts; above a pebibyte it is
// surely a typing mistake.
inline constexpr qint64 minMemoryLimitBytes = qint64(1) << 20;
inline constexpr qint64 maxMemoryLimitBytes = qint64(1) << 50;

// nice(1) values, and the I/O priority levels of ioprio_set(2).
inline constexpr int minNiceness = -20;
inline constexpr int maxNiceness = 19;
inline constexpr int maxIoPriorityLevel = 7;

// Linux refuses to exec an argument or an environment string longer than MAX_ARG_STRLEN
// (32 pages: 128 KiB, its terminating NUL included). A command runs as `sh -c COMMAND`, so
// the command is one such string, and so is each NAME=value of its environment.
inline constexpr qsizetype maxArgumentBytes = 128 * 1024 - 1;

// A QTimer takes its interval as an int number of milliseconds (Qt 6.4, chrono overloads
// included): longer waits must be cut into laps or bounded by the limits above.
inline constexpr std::chrono::milliseconds maxTimerInterval{INT_MAX};

} // namespace jobmonitor::limits
