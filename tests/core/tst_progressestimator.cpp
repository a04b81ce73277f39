#include "progressestimator.h"

#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = ProgressEstimator::Clock;

namespace {

// Explicit times: the estimate never looks at a clock of its own.
Clock::time_point at(Clock::duration offset) {
    return Clock::time_point() + offset;
}

} // namespace

class TestProgressEstimator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noEstimateWithoutSignal();
    void steadyRate();
    void countsDownBetweenSamples();
    void stalledJobHasNoEstimate();
    void stallIsMeasuredAgainstTheUsualGap();
    void followsTheRecentRate();
    void manySamplesKeepTheEstimate();
    void lowerFractionStartsOver();
    void doneIsZero();
    void outOfOrderSampleIsIgnored();
    void fractionIsClamped();
    void resetForgets();
    void expectedDuration_data();
    void expectedDuration();
};

void TestProgressEstimator::noEstimateWithoutSignal() {
    ProgressEstimator estimator;
    QCOMPARE(estimator.eta(at(0s)), std::nullopt);
    estimator.addSample(at(0s), 0.1);
    QCOMPARE(estimator.eta(at(0s)), std::nullopt); // one sample
    estimator.addSample(at(500ms), 0.2);
    QCOMPARE(estimator.eta(at(500ms)), std::nullopt); // less than a second
    QCOMPARE(estimator.rate(), std::nullopt);

    ProgressEstimator still;
    still.addSample(at(0s), 0.3);
    still.addSample(at(5s), 0.3);
    QCOMPARE(still.eta(at(5s)), std::nullopt); // the fraction has not moved
}

void TestProgressEstimator::steadyRate() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(1s), 0.1);
    QCOMPARE(estimator.rate(), std::optional<double>(0.1));
    QCOMPARE(estimator.eta(at(1s)), std::optional<milliseconds>(9s));
    estimator.addSample(at(2s), 0.2);
    QCOMPARE(estimator.eta(at(2s)), std::optional<milliseconds>(8s));
}

void TestProgressEstimator::countsDownBetweenSamples() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(2s), 0.2);
    QCOMPARE(estimator.eta(at(2s)), std::optional<milliseconds>(8s));
    QCOMPARE(estimator.eta(at(5s)), std::optional<milliseconds>(5s));
    QCOMPARE(estimator.eta(at(2s + 7500ms)), std::optional<milliseconds>(500ms));
    QCOMPARE(estimator.eta(at(1s)), std::optional<milliseconds>(8s)); // before the newest
    // Past the expected end but not stalled yet: "any moment now".
    QCOMPARE(estimator.eta(at(11s)), std::optional<milliseconds>(0ms));
}

void TestProgressEstimator::stalledJobHasNoEstimate() {
    ProgressEstimator estimator; // stallAfter 10 s
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(1s), 0.01);
    estimator.addSample(at(2s), 0.02);
    QCOMPARE(estimator.eta(at(12s)), std::optional<milliseconds>(88s));
    QCOMPARE(estimator.eta(at(12s + 1ms)), std::nullopt);
    // It moves again: an estimate again.
    estimator.addSample(at(13s), 0.03);
    QVERIFY(estimator.eta(at(13s)));
}

void TestProgressEstimator::stallIsMeasuredAgainstTheUsualGap() {
    // A build step every minute is not a stall after 10 s.
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(60s), 0.1);
    estimator.addSample(at(120s), 0.2);
    // Rate over the last 30 s or more: from 60 s to 120 s, 0.1 per minute.
    QCOMPARE(estimator.eta(at(120s)), std::optional<milliseconds>(480s));
    QCOMPARE(estimator.eta(at(220s)), std::optional<milliseconds>(380s));
    QCOMPARE(estimator.eta(at(300s)), std::optional<milliseconds>(300s)); // 3 gaps
    QCOMPARE(estimator.eta(at(300s + 1ms)), std::nullopt);
}

void TestProgressEstimator::followsTheRecentRate() {
    ProgressEstimator estimator; // window 30 s
    // Fast for 10 s (5% a second), then slow (0.1 in a minute).
    for (int s = 0; s <= 10; ++s)
        estimator.addSample(at(std::chrono::seconds(s)), 0.05 * s);
    for (int s = 11; s <= 70; ++s)
        estimator.addSample(at(std::chrono::seconds(s)), 0.5 + 0.1 * (s - 10) / 60.0);
    // From 40 s (0.55) to 70 s (0.6): 0.05 in 30 s, so 0.4 takes 240 s.
    QCOMPARE(estimator.eta(at(70s)), std::optional<milliseconds>(240s));
}

void TestProgressEstimator::manySamplesKeepTheEstimate() {
    ProgressEstimator estimator;
    // Every 10 ms for 100 s at 0.5% a second: the kept samples are thinned, the rate is not.
    for (int ms = 0; ms <= 100000; ms += 10)
        estimator.addSample(at(milliseconds(ms)), 0.005 * ms / 1000.0);
    QCOMPARE(estimator.eta(at(100s)), std::optional<milliseconds>(100s));
    QVERIFY2(estimator.keptSamples() <= 70, QByteArray::number(estimator.keptSamples()));
}

void TestProgressEstimator::lowerFractionStartsOver() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(10s), 1.0 / 3);
    QVERIFY(estimator.eta(at(10s)));
    // The next phase: what came before says nothing about it.
    estimator.addSample(at(11s), 0.01);
    QCOMPARE(estimator.eta(at(11s)), std::nullopt);
    estimator.addSample(at(12s), 0.11);
    QCOMPARE(estimator.eta(at(12s)), std::optional<milliseconds>(8900ms));
}

void TestProgressEstimator::doneIsZero() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 1.0);
    QCOMPARE(estimator.eta(at(0s)), std::optional<milliseconds>(0ms));
}

void TestProgressEstimator::outOfOrderSampleIsIgnored() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(2s), 0.2);
    estimator.addSample(at(1s), 0.9);
    QCOMPARE(estimator.eta(at(2s)), std::optional<milliseconds>(8s));
}

void TestProgressEstimator::fractionIsClamped() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), -0.5);
    estimator.addSample(at(1s), 0.1);
    QCOMPARE(estimator.eta(at(1s)), std::optional<milliseconds>(9s));
    estimator.addSample(at(2s), std::nan(""));
    QCOMPARE(estimator.eta(at(1s)), std::optional<milliseconds>(9s));
    estimator.addSample(at(2s), 1.5);
    QCOMPARE(estimator.eta(at(2s)), std::optional<milliseconds>(0ms));
}

void TestProgressEstimator::resetForgets() {
    ProgressEstimator estimator;
    estimator.addSample(at(0s), 0.0);
    estimator.addSample(at(1s), 0.5);
    estimator.reset();
    QCOMPARE(estimator.eta(at(1s)), std::nullopt);
    QCOMPARE(estimator.rate(), std::nullopt);
}

void TestProgressEstimator::expectedDuration_data() {
    QTest::addColumn<qint64>("expectedMs");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<double>("fraction");    // -1: no estimate
    QTest::addColumn<qint64>("remainingMs"); // -1: none
    QTest::newRow("a quarter") << 60000LL << 15000LL << 0.25 << 45000LL;
    QTest::newRow("just started") << 60000LL << 0LL << 0.0 << 60000LL;
    QTest::newRow("elapsed before the start") << 60000LL << -5000LL << 0.0 << 60000LL;
    QTest::newRow("nearly there: capped") << 60000LL << 59990LL << 0.99 << 10LL;
    QTest::newRow("at the expected end") << 60000LL << 60000LL << 0.99 << -1LL;
    QTest::newRow("running over") << 60000LL << 600000LL << 0.99 << -1LL;
    QTest::newRow("no history") << 0LL << 1000LL << -1.0 << -1LL;
    QTest::newRow("nonsense history") << -1000LL << 1000LL << -1.0 << -1LL;
}

void TestProgressEstimator::expectedDuration() {
    QFETCH(qint64, expectedMs);
    QFETCH(qint64, elapsedMs);
    QFETCH(double, fraction);
    QFETCH(qint64, remainingMs);
    const std::optional<DurationEstimate> estimate =
        estimateFromExpectedDuration(milliseconds(expectedMs), milliseconds(elapsedMs));
    if (fraction < 0) {
        QVERIFY(!estimate);
        return;
    }
    QVERIFY(estimate);
    QCOMPARE(estimate->progress.kind, Progress::Kind::Estimate);
    QCOMPARE(estimate->progress.fraction, fraction);
    QCOMPARE(estimate->progress.done, std::nullopt);
    QCOMPARE(estimate->remaining,
             remainingMs < 0 ? std::nullopt : std::optional<milliseconds>(remainingMs));
}

QTEST_GUILESS_MAIN(TestProgressEstimator)
#include "tst_progressestimator.moc"
