#include "resourcehistory.h"

#include <algorithm>

namespace jobmonitor {

ResourceHistory::ResourceHistory(int capacity)
    : m_capacity(std::max(capacity, 2)) {}

ResourceHistory::Point ResourceHistory::merged(const Point &a, const Point &b) {
    return {std::max(a.timeMs, b.timeMs), std::max(a.cpuPercent, b.cpuPercent),
            std::max(a.rssBytes, b.rssBytes)};
}

void ResourceHistory::add(const Point &sample) {
    m_maxCpu = std::max(m_maxCpu, sample.cpuPercent);
    m_maxRss = std::max(m_maxRss, sample.rssBytes);
    m_pending = m_pendingCount == 0 ? sample : merged(m_pending, sample);
    if (++m_pendingCount < m_stride)
        return;
    m_points.push_back(m_pending);
    m_pendingCount = 0;
    if (qsizetype(m_points.size()) < m_capacity)
        return;
    std::vector<Point> halved;
    halved.reserve(m_points.size() / 2 + 1);
    for (size_t i = 0; i + 1 < m_points.size(); i += 2)
        halved.push_back(merged(m_points[i], m_points[i + 1]));
    // An odd point left over covers half a new point's samples: it waits for the rest.
    if (m_points.size() % 2) {
        m_pending = m_points.back();
        m_pendingCount = m_stride;
    }
    m_points = std::move(halved);
    m_stride *= 2;
}

std::vector<ResourceHistory::Point> ResourceHistory::points() const {
    std::vector<Point> all = m_points;
    if (m_pendingCount > 0)
        all.push_back(m_pending);
    return all;
}

} // namespace jobmonitor
