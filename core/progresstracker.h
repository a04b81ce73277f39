#pragma once

#include "latestline.h"
#include "progressestimator.h"
#include "progressparser.h"

#include <optional>

namespace jobmonitor {

// A running attempt's progress and time left, from the latest line of its output each time
// it is sampled (latestline.h; the resource monitor reads it off the GUI thread).
class ProgressTracker {
public:
    using Clock = ProgressEstimator::Clock;

    // pattern: the job's own (JobSpec::progressPattern), empty for the built-in forms.
    explicit ProgressTracker(const QString &pattern = QString());

    // A new attempt: all progress forgotten, the pattern kept.
    void reset();
    // The latest line as sampled at `at`. A line that has not changed since the last sample is
    // not read again, except that an open line (no line break after it yet) that stayed the
    // same for a whole sample is then read as ended: a tool redrawing "\rProcessing 12/400"
    // never ends its line, and a count cut short by a write would have been completed by then.
    // Returns true when the progress changed.
    bool feed(const LatestLine &line, Clock::time_point at);

    std::optional<Progress> progress() const { return m_parser.current(); }
    std::optional<std::chrono::milliseconds> eta(Clock::time_point now) const {
        return m_estimator.eta(now);
    }

private:
    ProgressParser m_parser;
    ProgressEstimator m_estimator;
    std::optional<LatestLine> m_last;
    bool m_lastReadAsEnded = false;
};

} // namespace jobmonitor
