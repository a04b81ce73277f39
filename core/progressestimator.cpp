#include "progressestimator.h"

#include <algorithm>
#include <cmath>

namespace jobmonitor {

using std::chrono::duration;
using std::chrono::milliseconds;

namespace {

// The cap of an estimate from the expected duration: the job has not ended, so it is not done.
constexpr double estimateCap = 0.99;

double seconds(ProgressEstimator::Clock::duration d) {
    return duration<double>(d).count();
}

} // namespace

void ProgressEstimator::addSample(Clock::time_point at, double fraction) {
    if (std::isnan(fraction))
        return;
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (!m_samples.empty()) {
        if (at < m_samples.back().at)
            return;
        if (fraction < m_samples.back().fraction)
            m_samples.clear(); // a new phase: its rate has nothing to do with the last one's
    }
    const Clock::duration slot = m_options.window / 32;
    const std::size_t size = m_samples.size();
    if (size >= 2 && at - m_samples[size - 2].at < slot)
        m_samples.back() = {at, fraction};
    else
        m_samples.push_back({at, fraction});
    while (m_samples.size() > 2 && m_samples.back().at - m_samples[1].at >= m_options.window)
        m_samples.pop_front();
}

std::optional<double> ProgressEstimator::rate() const {
    if (m_samples.size() < 2)
        return std::nullopt;
    const Sample &oldest = m_samples.front();
    const Sample &newest = m_samples.back();
    const Clock::duration span = newest.at - oldest.at;
    const double advance = newest.fraction - oldest.fraction;
    if (span < m_options.minSpan || advance <= 0)
        return std::nullopt;
    return advance / seconds(span);
}

std::optional<milliseconds> ProgressEstimator::eta(Clock::time_point now) const {
    if (m_samples.empty())
        return std::nullopt;
    const Sample &newest = m_samples.back();
    if (newest.fraction >= 1)
        return milliseconds(0);
    const std::optional<double> perSecond = rate();
    if (!perSecond)
        return std::nullopt;
    const Clock::duration since = std::max(now - newest.at, Clock::duration::zero());
    const Clock::duration usualGap =
        (newest.at - m_samples.front().at) / Clock::rep(m_samples.size() - 1);
    if (since > std::max<Clock::duration>(m_options.stallAfter, 3 * usualGap))
        return std::nullopt;
    const double left = (1 - newest.fraction) / *perSecond - seconds(since);
    return milliseconds(std::max<qint64>(0, std::llround(left * 1000)));
}

std::optional<DurationEstimate> estimateFromExpectedDuration(milliseconds expected,
                                                             milliseconds elapsed) {
    if (expected <= milliseconds(0))
        return std::nullopt;
    elapsed = std::max(elapsed, milliseconds(0));
    DurationEstimate estimate;
    estimate.progress.kind = Progress::Kind::Estimate;
    estimate.progress.fraction =
        std::min(double(elapsed.count()) / double(expected.count()), estimateCap);
    if (elapsed < expected)
        estimate.remaining = expected - elapsed;
    return estimate;
}

} // namespace jobmonitor
