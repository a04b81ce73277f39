#pragma once

#include "progressparser.h"

#include <chrono>
#include <deque>
#include <optional>

namespace jobmonitor {

// The time a job has left, from the rate of its progress. The caller gives each sample's time
// (a steady clock), so the estimate depends on nothing else and tests are exact.
//
// The rate is the progress made over about the last `window` (from the newest sample back to
// the newest sample at least `window` old, or the oldest one kept): steady enough not to jump
// with each line, recent enough to follow a tool that speeds up or slows down. There is no
// estimate until the samples span at least `minSpan` and the fraction has moved in that time.
// A lower fraction than the last one is a new phase: what came before is forgotten. Between
// samples the estimate counts down. When no sample has come for `stallAfter` or three times the
// usual gap between samples (whichever is longer), the job looks stalled and there is no
// estimate until it moves again: a countdown stuck at "0 s" would be wrong.
class ProgressEstimator {
public:
    using Clock = std::chrono::steady_clock;
    using milliseconds = std::chrono::milliseconds;

    struct Options {
        milliseconds window{30000};
        milliseconds minSpan{1000};
        milliseconds stallAfter{10000};
    };

    ProgressEstimator() = default;
    explicit ProgressEstimator(Options options)
        : m_options(options) {}

    // fraction in 0..1; a sample older than the newest one is ignored.
    void addSample(Clock::time_point at, double fraction);
    // The time left as seen at `now` (not before the newest sample); 0 once the fraction is 1.
    std::optional<milliseconds> eta(Clock::time_point now) const;
    // Fraction per second over the window, when there is enough signal.
    std::optional<double> rate() const;
    void reset() { m_samples.clear(); }
    // How many samples are kept: at most about 70, however many came.
    qsizetype keptSamples() const { return qsizetype(m_samples.size()); }

private:
    struct Sample {
        Clock::time_point at;
        double fraction = 0;
    };

    Options m_options;
    // Oldest first, at most two per window/32: memory stays bounded however often samples
    // come.
    std::deque<Sample> m_samples;
};

// When a job prints no progress, its expected duration (from the history of earlier runs)
// drives the bar: the elapsed share of it, never more than 99% since the job has not ended.
struct DurationEstimate {
    Progress progress;                                  // kind Estimate
    std::optional<std::chrono::milliseconds> remaining; // none once the job runs over
};
// nullopt when there is no expected duration (zero or negative).
std::optional<DurationEstimate> estimateFromExpectedDuration(std::chrono::milliseconds expected,
                                                             std::chrono::milliseconds elapsed);

} // namespace jobmonitor
