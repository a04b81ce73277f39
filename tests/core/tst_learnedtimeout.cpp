// The rule behind a timeout of `auto` and a job's expected duration, row by row.
#include "learnedtimeout.h"

#include <QTest>

using jobmonitor::LearnedTiming;
using std::chrono::milliseconds;
using Durations = QList<milliseconds>;

Q_DECLARE_METATYPE(Durations)

class TestLearnedTimeout : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fromDurations_data() {
        QTest::addColumn<Durations>("durations"); // newest first
        QTest::addColumn<int>("runs");
        QTest::addColumn<qint64>("expected"); // -1: none
        QTest::addColumn<qint64>("timeout");  // 0: none

        QTest::newRow("no history") << Durations{} << 0 << qint64(-1) << qint64(0);
        QTest::newRow("two runs are not enough")
            << Durations{milliseconds(100), milliseconds(200)} << 2 << qint64(-1) << qint64(0);
        QTest::newRow("three runs")
            << Durations{milliseconds(100), milliseconds(200), milliseconds(300)} << 3
            << qint64(200) << qint64(240);
        QTest::newRow("rounded up to the millisecond")
            << Durations{milliseconds(1), milliseconds(1), milliseconds(2)} << 3 << qint64(1)
            << qint64(2);
        QTest::newRow("instant runs still get a timeout")
            << Durations{milliseconds(0), milliseconds(0), milliseconds(0)} << 3 << qint64(0)
            << qint64(1);
        Durations many;
        for (int i = 0; i < 10; ++i)
            many << milliseconds(1000);
        many << milliseconds(1000000); // the eleventh is too old to count
        QTest::newRow("only the last ten count") << many << 10 << qint64(1000) << qint64(1200);
        QTest::newRow("hours") << Durations{milliseconds(3600000), milliseconds(3600000),
                                            milliseconds(3600000)}
                               << 3 << qint64(3600000) << qint64(4320000);
    }
    void fromDurations() {
        QFETCH(Durations, durations);
        QFETCH(int, runs);
        QFETCH(qint64, expected);
        QFETCH(qint64, timeout);
        const LearnedTiming timing = LearnedTiming::fromDurations(durations);
        QCOMPARE(timing.runs, runs);
        QCOMPARE(timing.expectedDuration.has_value(), expected >= 0);
        if (expected >= 0)
            QCOMPARE(timing.expectedDuration->count(), expected);
        QCOMPARE(timing.timeout.count(), timeout);
    }

    void notes() {
        QCOMPARE(LearnedTiming::fromDurations({}).timeoutNote(),
                 QStringLiteral("auto: no timeout, 0 successful runs of this command in this "
                                "folder (3 needed)"));
        QCOMPARE(LearnedTiming::fromDurations({milliseconds(5)}).timeoutNote(),
                 QStringLiteral("auto: no timeout, 1 successful run of this command in this "
                                "folder (3 needed)"));
        QCOMPARE(LearnedTiming::fromDurations({milliseconds(41000), milliseconds(41200),
                                               milliseconds(41400), milliseconds(41200)})
                     .timeoutNote(),
                 QStringLiteral("auto: 1.2 × 41.2 s, the mean of the last 4 successful runs"));
    }
};

QTEST_GUILESS_MAIN(TestLearnedTimeout)
#include "tst_learnedtimeout.moc"
