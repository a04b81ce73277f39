#pragma once

#include <QtGlobal>

#include <vector>

namespace jobmonitor {

// A job's use of CPU and memory over its whole life, for a chart: bounded however long the job
// runs. When full, each two neighbouring points become one (the higher of each figure, so a
// peak never disappears from the chart) and from then on each point covers twice as many
// samples: the whole life stays in view, evenly spaced, in at most `capacity` points.
class ResourceHistory {
public:
    struct Point {
        qint64 timeMs = 0; // of the last sample it covers, in ms since the epoch
        double cpuPercent = 0;
        qint64 rssBytes = 0;
        bool operator==(const Point &) const = default;
    };

    explicit ResourceHistory(int capacity = 240);

    void add(const Point &sample);
    // Oldest first; the last point may cover fewer samples than the others.
    std::vector<Point> points() const;
    // Samples each full point covers: 1, 2, 4, ...
    int samplesPerPoint() const { return m_stride; }
    double maxCpuPercent() const { return m_maxCpu; }
    qint64 maxRssBytes() const { return m_maxRss; }
    bool isEmpty() const { return m_points.empty() && m_pendingCount == 0; }

private:
    static Point merged(const Point &a, const Point &b);

    int m_capacity;
    int m_stride = 1;
    std::vector<Point> m_points;
    Point m_pending;
    int m_pendingCount = 0;
    double m_maxCpu = 0;
    qint64 m_maxRss = 0;
};

} // namespace jobmonitor
