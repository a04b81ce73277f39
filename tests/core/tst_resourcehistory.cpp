// A job's CPU and memory over its life, bounded for a chart (core/resourcehistory.h).

#include "resourcehistory.h"

#include <QTest>

using jobmonitor::ResourceHistory;
using Point = ResourceHistory::Point;

class TestResourceHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsEverySampleUntilFull() {
        ResourceHistory history(8);
        QVERIFY(history.isEmpty());
        for (int i = 0; i < 7; ++i)
            history.add({i * 1000, double(i), i * 10});
        QCOMPARE(history.points().size(), size_t(7));
        QCOMPARE(history.points().at(3), (Point{3000, 3, 30}));
        QCOMPARE(history.samplesPerPoint(), 1);
    }

    // Full: neighbours merge keeping the higher figures, and later points cover two samples.
    void halvesWhenFullKeepingPeaks() {
        ResourceHistory history(8);
        const double cpu[] = {10, 90, 20, 30, 40, 5, 60, 70};
        for (int i = 0; i < 8; ++i)
            history.add({i * 1000, cpu[i], i == 2 ? 999 : 100});
        QCOMPARE(history.samplesPerPoint(), 2);
        std::vector<Point> points = history.points();
        QCOMPARE(points.size(), size_t(4));
        QCOMPARE(points.at(0), (Point{1000, 90, 100}));
        QCOMPARE(points.at(1), (Point{3000, 30, 999}));
        QCOMPARE(points.at(3), (Point{7000, 70, 100}));
        history.add({8000, 1, 1});
        points = history.points();
        QCOMPARE(points.size(), size_t(5)); // a half-full last point shows too
        QCOMPARE(points.back(), (Point{8000, 1, 1}));
        history.add({9000, 3, 2});
        QCOMPARE(history.points().size(), size_t(5));
        QCOMPARE(history.points().back(), (Point{9000, 3, 2}));
        QCOMPARE(history.maxCpuPercent(), 90.0);
        QCOMPARE(history.maxRssBytes(), 999);
    }

    // However long a job runs, the chart stays within its points and spans the whole life.
    void boundedOverALongLife() {
        ResourceHistory history(240);
        for (int i = 0; i < 100000; ++i)
            history.add({qint64(i) * 1000, double(i % 100), i});
        const std::vector<Point> points = history.points();
        QVERIFY(points.size() <= 240);
        QVERIFY(points.size() >= 120);
        QCOMPARE(points.back().timeMs, qint64(99999) * 1000);
        QVERIFY(points.front().timeMs < qint64(1000) * 1000);
        QCOMPARE(history.maxRssBytes(), 99999);
        for (size_t i = 1; i < points.size(); ++i)
            QVERIFY(points[i].timeMs > points[i - 1].timeMs);
    }
};

QTEST_GUILESS_MAIN(TestResourceHistory)
#include "tst_resourcehistory.moc"
