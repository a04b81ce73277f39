// Dependencies (core/dependencies.h): which batches of new jobs are refused and with what
// message (unknown jobs, places outside the batch, a job waiting for itself, cycles spelled
// out), and the tracker that jobs wait on, driven by states alone.

#include "dependencies.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;
using Condition = JobDependency::Condition;
using Kind = DependencyTracker::Outcome::Kind;

Q_DECLARE_METATYPE(QList<BatchJob>)

namespace {

// A batch whose job i waits for the jobs of the batch listed in places[i] (1-based, as the
// messages name them), and for the existing jobs in existing[i].
QList<BatchJob> batchOf(const QList<QList<int>> &places,
                        const QList<QList<qint64>> &existing = {}) {
    QList<BatchJob> batch;
    for (qsizetype i = 0; i < places.size(); ++i) {
        BatchJob job;
        job.spec.command = QStringLiteral("true");
        for (const int place : places[i])
            job.afterBatch.append({place - 1, Condition::Success});
        for (const qint64 id : existing.value(i))
            job.spec.dependencies.append({id, Condition::Success});
        batch.append(job);
    }
    return batch;
}

void settle() {
    for (int i = 0; i < 4; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

} // namespace

class TestDependencies : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void problems_data() {
        QTest::addColumn<QList<BatchJob>>("batch");
        QTest::addColumn<QString>("problem");
        QTest::newRow("no dependencies") << batchOf({{}, {}}) << QString();
        QTest::newRow("a chain") << batchOf({{}, {1}, {2}}) << QString();
        QTest::newRow("a diamond") << batchOf({{}, {1}, {1}, {2, 3}}) << QString();
        QTest::newRow("on a later job") << batchOf({{2}, {}}) << QString();
        QTest::newRow("on existing jobs") << batchOf({{}, {1}}, {{7}, {8}}) << QString();
        QTest::newRow("an unknown job")
            << batchOf({{}, {}}, {{}, {99}}) << "job 2 waits for job #99, which does not exist";
        QTest::newRow("outside the batch")
            << batchOf({{}, {3}}) << "job 2 waits for job 3, but there are only 2 jobs";
        QTest::newRow("outside a batch of one")
            << batchOf({{2}}) << "the job waits for job 2, but there is only 1 job";
        QTest::newRow("itself") << batchOf({{}, {2}}) << "job 2 waits for itself";
        QTest::newRow("twice") << batchOf({{}, {1, 1}})
                               << "job 2 names job 1 twice among the jobs to wait for";
        QTest::newRow("two in a circle")
            << batchOf({{2}, {1}})
            << "job 1 waits for job 2, which waits for job 1: the jobs would wait for each "
               "other forever";
        QTest::newRow("three in a circle behind a chain")
            << batchOf({{}, {1, 4}, {2}, {3}})
            << "job 2 waits for job 4, which waits for job 3, which waits for job 2: the jobs "
               "would wait for each other forever";
    }
    void problems() {
        QFETCH(QList<BatchJob>, batch);
        QFETCH(QString, problem);
        QCOMPARE(dependencyProblem(batch, [](qint64 id) { return id == 7 || id == 8; }), problem);
    }

    void failureTexts_data() {
        QTest::addColumn<JobState>("state");
        QTest::addColumn<QString>("text");
        QTest::newRow("failed") << JobState::Failed << "dependency #12 failed";
        QTest::newRow("timed out") << JobState::TimedOut << "dependency #12 timed out";
        QTest::newRow("cancelled") << JobState::Cancelled << "dependency #12 was cancelled";
    }
    void failureTexts() {
        QFETCH(JobState, state);
        QFETCH(QString, text);
        QCOMPARE(dependencyFailureText(12, state), text);
    }

    // Met when every dependency ended as it needs; failed as soon as one cannot be met, even
    // while others still run; the first such in the list is the one named.
    void trackerOutcomes_data() {
        QTest::addColumn<QList<JobDependency>>("dependencies");
        QTest::addColumn<QList<JobState>>("states"); // of jobs 1, 2, 3
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        const QList<JobDependency> both{{1, Condition::Success}, {2, Condition::Success}};
        QTest::newRow("all completed")
            << both << QList<JobState>{JobState::Completed, JobState::Completed, JobState::Pending}
            << int(Kind::Ready) << QString();
        QTest::newRow("one failed, the other running")
            << both << QList<JobState>{JobState::Running, JobState::Failed, JobState::Pending}
            << int(Kind::Failed) << "dependency #2 failed";
        QTest::newRow("the first that failed is named")
            << both << QList<JobState>{JobState::TimedOut, JobState::Failed, JobState::Pending}
            << int(Kind::Failed) << "dependency #1 timed out";
        QTest::newRow("any end takes a failure")
            << QList<JobDependency>{{1, Condition::AnyEnd}, {2, Condition::AnyEnd}}
            << QList<JobState>{JobState::Failed, JobState::Cancelled, JobState::Pending}
            << int(Kind::Ready) << QString();
        QTest::newRow("no such job")
            << QList<JobDependency>{{1, Condition::AnyEnd}, {4, Condition::Success}}
            << QList<JobState>{JobState::Completed, JobState::Pending, JobState::Pending}
            << int(Kind::Failed) << "dependency #4 does not exist";
    }
    void trackerOutcomes() {
        QFETCH(QList<JobDependency>, dependencies);
        QFETCH(QList<JobState>, states);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        DependencyTracker tracker;
        for (qsizetype i = 0; i < states.size(); ++i)
            tracker.setState(i + 1, states[i]);
        const auto outcome =
            test::runTask(tracker.wait(dependencies, CancellationContext::background()), 10s);
        QVERIFY(outcome);
        QCOMPARE(int(outcome->kind), kind);
        QCOMPARE(outcome->reason, reason);
        QCOMPARE(tracker.waiters(), 0);
    }

    // A waiter wakes only when a job it waits for ends, and registers once per job.
    void waitsUntilTheEnd() {
        DependencyTracker tracker;
        tracker.setState(1, JobState::Pending);
        tracker.setState(2, JobState::Pending);
        std::optional<DependencyTracker::Outcome> outcome;
        tracker
            .wait({{1, Condition::Success}, {2, Condition::AnyEnd}},
                  CancellationContext::background())
            .then([&](DependencyTracker::Outcome o) { outcome = o; });
        settle();
        QVERIFY(!outcome);
        QCOMPARE(tracker.waiters(), 2);
        tracker.setState(1, JobState::Running);
        tracker.setState(2, JobState::Failed);
        settle();
        QVERIFY(!outcome);
        QCOMPARE(tracker.waiters(), 2);
        tracker.setState(1, JobState::Completed);
        settle();
        QVERIFY(outcome);
        QCOMPARE(outcome->kind, Kind::Ready);
        QCOMPARE(tracker.waiters(), 0);
        // A state stays known, however the job goes on (removed, say).
        QCOMPARE(tracker.state(2), JobState::Failed);
        QCOMPARE(tracker.state(3), std::nullopt);
    }

    void cancelledWhileWaiting() {
        DependencyTracker tracker;
        tracker.setState(1, JobState::Running);
        const CancellationContext::Ptr context =
            CancellationContext::withCancel(CancellationContext::background());
        std::optional<DependencyTracker::Outcome> outcome;
        tracker.wait({{1, Condition::Success}}, context).then([&](DependencyTracker::Outcome o) {
            outcome = o;
        });
        settle();
        QVERIFY(!outcome);
        context->cancel(CancelReason::User);
        settle();
        QVERIFY(outcome);
        QCOMPARE(outcome->kind, Kind::Cancelled);
        QCOMPARE(tracker.waiters(), 0);
    }

    // Ten thousand jobs in a chain: each end wakes only the next one.
    void longChain() {
        constexpr int jobs = 10000;
        DependencyTracker tracker;
        for (qint64 id = 1; id <= jobs; ++id)
            tracker.setState(id, JobState::Pending);
        int ready = 0;
        const CancellationContext::Ptr root = CancellationContext::background();
        for (qint64 id = 2; id <= jobs; ++id)
            tracker.wait({{id - 1, Condition::Success}}, root)
                .then([&, id](DependencyTracker::Outcome o) {
                    QCOMPARE(o.kind, Kind::Ready);
                    ++ready;
                    tracker.setState(id, JobState::Completed);
                });
        settle();
        QCOMPARE(tracker.waiters(), jobs - 1);
        tracker.setState(1, JobState::Completed);
        QTRY_COMPARE_WITH_TIMEOUT(ready, jobs - 1, 60000);
        QCOMPARE(tracker.waiters(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDependencies)
#include "tst_dependencies.moc"
