#include "learnedtimeout.h"

#include <cmath>

namespace jobmonitor {

using std::chrono::milliseconds;

namespace {

QString secondsText(milliseconds duration) {
    const double seconds = double(duration.count()) / 1000.0;
    return QStringLiteral("%1 s").arg(seconds, 0, 'g', seconds < 10 ? 3 : 6);
}

} // namespace

LearnedTiming LearnedTiming::fromDurations(const QList<milliseconds> &durations) {
    LearnedTiming timing;
    timing.runs = int(std::min<qsizetype>(durations.size(), SampleSize));
    if (timing.runs < MinimumRuns)
        return timing;
    double total = 0;
    for (int i = 0; i < timing.runs; ++i)
        total += double(std::max<qint64>(durations.at(i).count(), 0));
    const double mean = total / timing.runs;
    timing.expectedDuration = milliseconds(std::llround(mean));
    // Rounded up and at least 1 ms: a timeout of 0 would mean none.
    timing.timeout = milliseconds(std::max<qint64>(1, qint64(std::ceil(mean * TimeoutFactor))));
    return timing;
}

QString LearnedTiming::timeoutNote() const {
    if (!expectedDuration)
        return QStringLiteral("auto: no timeout, %1 successful run%2 of this command in this "
                              "folder (%3 needed)")
            .arg(runs)
            .arg(runs == 1 ? QString() : QStringLiteral("s"))
            .arg(MinimumRuns);
    return QStringLiteral("auto: %1 × %2, the mean of the last %3 successful runs")
        .arg(TimeoutFactor)
        .arg(secondsText(*expectedDuration))
        .arg(runs);
}

} // namespace jobmonitor
