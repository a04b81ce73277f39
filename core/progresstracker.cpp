#include "progresstracker.h"

namespace jobmonitor {

ProgressTracker::ProgressTracker(const QString &pattern)
    : m_parser(pattern) {}

void ProgressTracker::reset() {
    m_parser.reset();
    m_estimator.reset();
    m_last.reset();
    m_lastReadAsEnded = false;
}

bool ProgressTracker::feed(const LatestLine &line, Clock::time_point at) {
    ProgressParser::LineEnd end =
        line.ended ? ProgressParser::LineEnd::Ended : ProgressParser::LineEnd::Open;
    if (m_last == line) {
        if (line.ended || m_lastReadAsEnded)
            return false;
        end = ProgressParser::LineEnd::Ended;
    }
    m_last = line;
    m_lastReadAsEnded = end == ProgressParser::LineEnd::Ended;
    const std::optional<Progress> before = m_parser.current();
    m_parser.feed(line.text, end);
    const std::optional<Progress> after = m_parser.current();
    if (after)
        m_estimator.addSample(at, after->fraction);
    return after != before;
}

} // namespace jobmonitor
