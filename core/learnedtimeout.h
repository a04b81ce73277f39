#pragma once

#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace jobmonitor {

// What the history of a command tells about its next run: the one rule for timeouts of
// `auto` and for the expected duration behind a running job's progress estimate. Both come
// from the last successful attempts of the same command in the same working directory.
struct LearnedTiming {
    static constexpr int MinimumRuns = 3; // fewer successful runs tell nothing reliable
    static constexpr int SampleSize = 10; // the most recent runs count, older ones not
    static constexpr double TimeoutFactor = 1.2;

    int runs = 0; // successful runs it is based on (at most SampleSize)
    std::optional<std::chrono::milliseconds> expectedDuration; // their mean, from MinimumRuns
    std::chrono::milliseconds timeout{0};                      // for `auto`; 0: none

    // durations: of the most recent successful attempts, newest first (more than SampleSize
    // may be given; the rest are ignored).
    static LearnedTiming fromDurations(const QList<std::chrono::milliseconds> &durations);

    // For a job's details: "auto: 1.2 × 41.2 s, the mean of the last 5 successful runs" or
    // "auto: no timeout, 2 successful runs of this command in this folder (3 needed)".
    QString timeoutNote() const;
};

} // namespace jobmonitor
