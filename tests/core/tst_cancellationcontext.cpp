#include "cancellationcontext.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace std::chrono_literals;
using jobmonitor::CancellationContext;
using jobmonitor::CancelReason;
using jobmonitor::test::runTask;

namespace {

// Generous bound for anything driven by timers: a loaded machine must never fail a test.
constexpr auto patience = 10s;

const QList<CancelReason> allReasons{CancelReason::User, CancelReason::Timeout,
                                     CancelReason::Shutdown, CancelReason::Force,
                                     CancelReason::Limit};

QByteArray reasonName(CancelReason reason) {
    switch (reason) {
    case CancelReason::User:
        return "User";
    case CancelReason::Timeout:
        return "Timeout";
    case CancelReason::Shutdown:
        return "Shutdown";
    case CancelReason::Limit:
        return "Limit";
    case CancelReason::Force:
        break;
    }
    return "Force";
}

} // namespace

class TestCancellationContext : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reasonText_data() {
        QTest::addColumn<CancelReason>("reason");
        QTest::addColumn<QString>("text");
        QTest::newRow("user") << CancelReason::User << QStringLiteral("cancelled by user");
        QTest::newRow("timeout") << CancelReason::Timeout << QStringLiteral("deadline passed");
        QTest::newRow("shutdown") << CancelReason::Shutdown << QStringLiteral("shutdown");
        QTest::newRow("force") << CancelReason::Force << QStringLiteral("forced");
        QTest::newRow("limit") << CancelReason::Limit << QStringLiteral("limit exceeded");
    }
    void reasonText() {
        QFETCH(CancelReason, reason);
        QFETCH(QString, text);
        QCOMPARE(jobmonitor::cancelReasonText(reason), text);
    }

    void backgroundNeverCancelsByItself() {
        const auto root = CancellationContext::background();
        QSignalSpy cancelled(root.get(), &CancellationContext::cancelledWith);
        QTest::qWait(20);
        QVERIFY(!root->isCancelled());
        QVERIFY(!root->reason());
        QVERIFY(!root->isForced());
        QVERIFY(!root->remaining());
        QCOMPARE(cancelled.count(), 0);
    }

    void firstReasonWins_data() {
        QTest::addColumn<CancelReason>("first");
        QTest::addColumn<CancelReason>("second");
        for (CancelReason first : allReasons) {
            for (CancelReason second : allReasons) {
                QTest::addRow("%s then %s", reasonName(first).constData(),
                              reasonName(second).constData())
                    << first << second;
            }
        }
    }
    void firstReasonWins() {
        QFETCH(CancelReason, first);
        QFETCH(CancelReason, second);
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        QSignalSpy cancelled(context.get(), &CancellationContext::cancelledWith);
        QSignalSpy forced(context.get(), &CancellationContext::forceRequested);

        context->cancel(first);
        context->cancel(second);

        QCOMPARE(context->reason(), first);
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(cancelled.at(0).at(0).value<CancelReason>(), first);
        const bool expectForced = first == CancelReason::Force || second == CancelReason::Force;
        QCOMPARE(context->isForced(), expectForced);
        QCOMPARE(forced.count(), expectForced ? 1 : 0);
    }

    void propagatesToGrandchildren() {
        const auto root = CancellationContext::background();
        const auto child = CancellationContext::withCancel(root);
        const auto grandchild = CancellationContext::withCancel(child);
        const auto sibling = CancellationContext::withCancel(root);
        QSignalSpy grandchildCancelled(grandchild.get(), &CancellationContext::cancelledWith);

        child->cancel(CancelReason::User);

        QCOMPARE(grandchild->reason(), CancelReason::User);
        QCOMPARE(grandchildCancelled.count(), 1);
        QCOMPARE(grandchildCancelled.at(0).at(0).value<CancelReason>(), CancelReason::User);
        QVERIFY(!root->isCancelled());
        QVERIFY(!sibling->isCancelled());
    }

    // A supervisor's context outlives thousands of job contexts: the ended ones leave no
    // trace, and the live ones, however many came and went around them, are cancelled once
    // each, in creation order.
    void childrenComeAndGo() {
        const auto root = CancellationContext::background();
        std::vector<std::pair<int, CancellationContext::Ptr>> live;
        QList<int> order;
        int next = 0;
        const auto add = [&] {
            const int name = next++;
            live.emplace_back(name, CancellationContext::withCancel(root));
            QObject::connect(live.back().second.get(), &CancellationContext::cancelledWith,
                             live.back().second.get(), [&order, name] { order << name; });
        };
        for (int round = 0; round < 50; ++round) {
            for (int i = 0; i < 40; ++i)
                add();
            // Three in four of this round's jobs end; the others run on.
            live.erase(std::remove_if(live.end() - 40, live.end(),
                                      [](const auto &job) { return job.first % 4 != 1; }),
                       live.end());
        }
        QCOMPARE(live.size(), size_t(500));
        root->cancel(CancelReason::Shutdown);
        QList<int> expected;
        for (const auto &[name, context] : live) {
            expected << name;
            QCOMPARE(context->reason(), CancelReason::Shutdown);
        }
        QCOMPARE(order, expected);
    }

    void parentSignalsFirstThenDescendantsInCreationOrder() {
        const auto root = CancellationContext::background();
        const auto first = CancellationContext::withCancel(root);
        const auto second = CancellationContext::withCancel(root);
        const auto firstChild = CancellationContext::withCancel(first);
        QStringList order;
        const auto record = [&order](const CancellationContext::Ptr &context, QString name) {
            QObject::connect(context.get(), &CancellationContext::cancelledWith, context.get(),
                             [&order, name] { order << name; });
        };
        record(second, QStringLiteral("second"));
        record(firstChild, QStringLiteral("firstChild"));
        record(first, QStringLiteral("first"));
        record(root, QStringLiteral("root"));

        root->cancel(CancelReason::Shutdown);

        QCOMPARE(order, QStringList({QStringLiteral("root"), QStringLiteral("first"),
                                     QStringLiteral("firstChild"), QStringLiteral("second")}));
    }

    void cancelledDescendantKeepsItsReason() {
        const auto root = CancellationContext::background();
        const auto child = CancellationContext::withCancel(root);
        child->cancel(CancelReason::Timeout);
        QSignalSpy childCancelled(child.get(), &CancellationContext::cancelledWith);

        root->cancel(CancelReason::Shutdown);

        QCOMPARE(child->reason(), CancelReason::Timeout);
        QCOMPARE(childCancelled.count(), 0);
    }

    void childrenOfCancelledParentAreBornCancelled_data() {
        QTest::addColumn<CancelReason>("parentReason");
        QTest::addColumn<bool>("forceAfterwards");
        QTest::addColumn<bool>("withDeadline");
        for (bool deadline : {false, true}) {
            const char *kind = deadline ? "deadline" : "cancel";
            for (CancelReason reason : allReasons) {
                QTest::addRow("%s under %s", kind, reasonName(reason).constData())
                    << reason << false << deadline;
            }
            QTest::addRow("%s under forced Shutdown", kind)
                << CancelReason::Shutdown << true << deadline;
        }
    }
    void childrenOfCancelledParentAreBornCancelled() {
        QFETCH(CancelReason, parentReason);
        QFETCH(bool, forceAfterwards);
        QFETCH(bool, withDeadline);
        const auto parent = CancellationContext::withCancel(CancellationContext::background());
        parent->cancel(parentReason);
        if (forceAfterwards)
            parent->cancel(CancelReason::Force);

        const auto child = withDeadline ? CancellationContext::withDeadline(parent, 1h)
                                        : CancellationContext::withCancel(parent);

        QCOMPARE(child->reason(), parentReason);
        QCOMPARE(child->isForced(), parent->isForced());
        QCOMPARE(child->isForced(), forceAfterwards || parentReason == CancelReason::Force);
    }

    void deadlineCancelsWithTimeout() {
        const auto root = CancellationContext::background();
        const auto context = CancellationContext::withDeadline(root, 30ms);
        QSignalSpy cancelled(context.get(), &CancellationContext::cancelledWith);
        QVERIFY(!context->isCancelled());

        QTRY_VERIFY_WITH_TIMEOUT(context->isCancelled(), int(patience.count() * 1000));

        QCOMPARE(context->reason(), CancelReason::Timeout);
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(cancelled.at(0).at(0).value<CancelReason>(), CancelReason::Timeout);
        QVERIFY(!context->isForced());
        QVERIFY(!root->isCancelled());
    }

    void passedDeadlineCancelsAtOnce_data() {
        QTest::addColumn<int>("timeoutMs");
        QTest::newRow("zero") << 0;
        QTest::newRow("negative") << -5;
    }
    void passedDeadlineCancelsAtOnce() {
        QFETCH(int, timeoutMs);
        const auto context = CancellationContext::withDeadline(
            CancellationContext::background(), std::chrono::milliseconds(timeoutMs));
        QCOMPARE(context->reason(), CancelReason::Timeout);
        QCOMPARE(context->remaining(), std::chrono::milliseconds(0));
    }

    void parentDeadlineCancelsChildWithTimeout() {
        const auto parent =
            CancellationContext::withDeadline(CancellationContext::background(), 30ms);
        const auto child = CancellationContext::withCancel(parent);
        const auto grandchild = CancellationContext::withDeadline(child, 1h);

        QTRY_VERIFY_WITH_TIMEOUT(grandchild->isCancelled(), int(patience.count() * 1000));

        QCOMPARE(parent->reason(), CancelReason::Timeout);
        QCOMPARE(child->reason(), CancelReason::Timeout);
        QCOMPARE(grandchild->reason(), CancelReason::Timeout);
    }

    void childDeadlineLeavesParentAlone() {
        const auto parent = CancellationContext::withCancel(CancellationContext::background());
        const auto child = CancellationContext::withDeadline(parent, 10ms);
        QSignalSpy parentCancelled(parent.get(), &CancellationContext::cancelledWith);

        QTRY_VERIFY_WITH_TIMEOUT(child->isCancelled(), int(patience.count() * 1000));
        QTest::qWait(20);

        QCOMPARE(child->reason(), CancelReason::Timeout);
        QVERIFY(!parent->isCancelled());
        QCOMPARE(parentCancelled.count(), 0);
    }

    void cancelledDeadlineContextNeverTimesOut() {
        const auto context =
            CancellationContext::withDeadline(CancellationContext::background(), 10ms);
        QSignalSpy cancelled(context.get(), &CancellationContext::cancelledWith);
        context->cancel(CancelReason::User);
        QTest::qWait(40);
        QCOMPARE(context->reason(), CancelReason::User);
        QCOMPARE(cancelled.count(), 1);
    }

    void remainingIsTheNearestDeadline() {
        const auto root = CancellationContext::background();
        QVERIFY(!CancellationContext::withCancel(root)->remaining());

        const auto near = CancellationContext::withDeadline(root, 60s);
        const auto far = CancellationContext::withDeadline(near, 1h);
        const auto underFar = CancellationContext::withCancel(far);
        const auto nearUnderFar =
            CancellationContext::withDeadline(CancellationContext::withDeadline(root, 1h), 60s);

        for (const auto &context : {near, far, underFar, nearUnderFar}) {
            const auto left = context->remaining();
            QVERIFY(left);
            QVERIFY(*left > 0ms);
            QVERIFY(*left <= 60s);
        }
    }

    // A paused deadline's time left stands still, however long the pause: the context is not
    // cancelled during it, and once resumed it runs out only after exactly what was left.
    void pausedDeadlineStandsStill() {
        const auto context =
            CancellationContext::withDeadline(CancellationContext::background(), 80ms);
        QSignalSpy cancelled(context.get(), &CancellationContext::cancelledWith);
        context->pauseDeadline();
        QVERIFY(context->isDeadlinePaused());
        const std::optional<std::chrono::milliseconds> left = context->remaining();
        QVERIFY(left);
        QVERIFY(*left > 0ms);
        QVERIFY(*left <= 80ms);

        QTest::qWait(300); // far past the deadline had it kept running
        QVERIFY(!context->isCancelled());
        QCOMPARE(cancelled.count(), 0);
        QCOMPARE(context->remaining(), left);

        QElapsedTimer sinceResume;
        sinceResume.start();
        context->resumeDeadline();
        QVERIFY(!context->isDeadlinePaused());
        QVERIFY(*context->remaining() <= *left);
        QTRY_VERIFY_WITH_TIMEOUT(context->isCancelled(), int(patience.count() * 1000));
        // remaining() rounds up to the millisecond.
        QVERIFY2(sinceResume.elapsed() >= left->count() - 1,
                 qPrintable(QStringLiteral("%1 ms after resuming, %2 ms were left")
                                .arg(sinceResume.elapsed())
                                .arg(left->count())));
        QCOMPARE(context->reason(), CancelReason::Timeout);
        QCOMPARE(cancelled.count(), 1);
    }

    // Several pauses: only the time between them counts, and it adds up to the timeout. Each
    // stretch is measured from before the clock starts to after it stops, so the sum can only
    // be more than what the deadline counted.
    void onlyUnpausedTimeCounts() {
        constexpr auto timeout = 150ms;
        QElapsedTimer running;
        running.start();
        const auto context =
            CancellationContext::withDeadline(CancellationContext::background(), timeout);
        std::chrono::nanoseconds ran{0};
        for (int lap = 0; lap < 3; ++lap) {
            if (lap > 0) {
                running.start();
                context->resumeDeadline();
            }
            QTest::qWait(30);
            context->pauseDeadline();
            ran += std::chrono::nanoseconds(running.nsecsElapsed());
            QTest::qWait(200);
            QVERIFY2(
                !context->isCancelled() || ran >= timeout,
                qPrintable(QStringLiteral("timed out after %1 ns of running").arg(ran.count())));
        }
        running.start();
        context->resumeDeadline();
        QTRY_VERIFY_WITH_TIMEOUT(context->isCancelled(), int(patience.count() * 1000));
        ran += std::chrono::nanoseconds(running.nsecsElapsed());
        QVERIFY2(ran >= timeout, qPrintable(QString::number(ran.count())));
        QCOMPARE(context->reason(), CancelReason::Timeout);
    }

    void pausingIsIdempotentAndOnlyForOwnDeadlines() {
        const auto root = CancellationContext::background();
        // No deadline of its own: nothing to pause.
        const auto plain = CancellationContext::withCancel(root);
        plain->pauseDeadline();
        QVERIFY(!plain->isDeadlinePaused());
        QVERIFY(!plain->remaining());

        // Twice is once; resuming a running deadline changes nothing.
        const auto context = CancellationContext::withDeadline(root, 1h);
        context->resumeDeadline();
        QVERIFY(!context->isDeadlinePaused());
        context->pauseDeadline();
        const auto left = context->remaining();
        QTest::qWait(20);
        context->pauseDeadline();
        QCOMPARE(context->remaining(), left);
        context->resumeDeadline();
        QVERIFY(!context->isDeadlinePaused());
        context->resumeDeadline();
        QVERIFY(*context->remaining() <= *left);

        // Cancelled: stays cancelled, with nothing to pause.
        const auto ended = CancellationContext::withDeadline(root, 1h);
        ended->cancel(CancelReason::User);
        ended->pauseDeadline();
        QVERIFY(!ended->isDeadlinePaused());
    }

    // A pause stops this context's own clock, not its ancestors'.
    void ancestorDeadlineRunsThroughAPause() {
        const auto parent =
            CancellationContext::withDeadline(CancellationContext::background(), 30ms);
        const auto child = CancellationContext::withDeadline(parent, 1h);
        child->pauseDeadline();
        QTRY_VERIFY_WITH_TIMEOUT(child->isCancelled(), int(patience.count() * 1000));
        QCOMPARE(child->reason(), CancelReason::Timeout);
        QCOMPARE(parent->reason(), CancelReason::Timeout);
    }

    // Cancelled while paused: the reason is the cancel's, and resuming starts no clock again.
    void cancelledWhilePausedNeverTimesOut() {
        const auto context =
            CancellationContext::withDeadline(CancellationContext::background(), 20ms);
        QSignalSpy cancelled(context.get(), &CancellationContext::cancelledWith);
        context->pauseDeadline();
        context->cancel(CancelReason::User);
        context->resumeDeadline();
        QTest::qWait(60);
        QCOMPARE(context->reason(), CancelReason::User);
        QCOMPARE(cancelled.count(), 1);
    }

    void forceEscalatesAShutdown() {
        const auto root = CancellationContext::background();
        const auto child = CancellationContext::withCancel(root);
        const auto grandchild = CancellationContext::withCancel(child);
        std::vector<std::unique_ptr<QSignalSpy>> forced;
        std::vector<std::unique_ptr<QSignalSpy>> cancelled;
        for (const auto &context : {root, child, grandchild}) {
            forced.push_back(
                std::make_unique<QSignalSpy>(context.get(), &CancellationContext::forceRequested));
            cancelled.push_back(
                std::make_unique<QSignalSpy>(context.get(), &CancellationContext::cancelledWith));
        }

        root->cancel(CancelReason::Shutdown);
        QVERIFY(!root->isForced());
        QVERIFY(!grandchild->isForced());
        root->cancel(CancelReason::Force);
        root->cancel(CancelReason::Force);
        child->cancel(CancelReason::Force);

        for (const auto &context : {root, child, grandchild}) {
            QCOMPARE(context->reason(), CancelReason::Shutdown);
            QVERIFY(context->isForced());
        }
        for (const auto &spy : forced)
            QCOMPARE(spy->count(), 1);
        for (const auto &spy : cancelled)
            QCOMPARE(spy->count(), 1);
    }

    void forceReachesDescendantsWithTheirOwnReason() {
        const auto root = CancellationContext::background();
        const auto child = CancellationContext::withCancel(root);
        child->cancel(CancelReason::Timeout);
        QSignalSpy childForced(child.get(), &CancellationContext::forceRequested);

        root->cancel(CancelReason::Force);

        QCOMPARE(root->reason(), CancelReason::Force);
        QCOMPARE(child->reason(), CancelReason::Timeout);
        QVERIFY(child->isForced());
        QCOMPARE(childForced.count(), 1);
    }

    void forceIsVisibleWhenCancelledWithIsEmitted() {
        const auto root = CancellationContext::background();
        const auto child = CancellationContext::withCancel(root);
        QStringList seen;
        for (const auto &context : {root, child}) {
            CancellationContext *raw = context.get();
            QObject::connect(raw, &CancellationContext::cancelledWith, raw, [&seen, raw] {
                seen << (raw->isForced() ? QStringLiteral("cancelled forced")
                                         : QStringLiteral("cancelled"));
            });
            QObject::connect(raw, &CancellationContext::forceRequested, raw,
                             [&seen] { seen << QStringLiteral("force"); });
        }

        root->cancel(CancelReason::Force);

        const QStringList once{QStringLiteral("cancelled forced"), QStringLiteral("force")};
        QCOMPARE(seen, once + once);
        QCOMPARE(child->reason(), CancelReason::Force);
    }

    void cancelledCompletesAtOnceWhenAlreadyCancelled() {
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        context->cancel(CancelReason::Shutdown);
        auto task = context->cancelled();
        QVERIFY(task.isReady());
        QCOMPARE(runTask(std::move(task), patience), CancelReason::Shutdown);
    }

    void cancelledCompletesWhenCancelledLater() {
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        auto task = context->cancelled();
        QVERIFY(!task.isReady());
        QTimer::singleShot(10ms, context.get(),
                           [&context] { context->cancel(CancelReason::User); });
        QCOMPARE(runTask(std::move(task), patience), CancelReason::User);
    }

    void pendingCancelledKeepsContextAlive() {
        const auto root = CancellationContext::background();
        auto context = CancellationContext::withCancel(root);
        const std::weak_ptr<CancellationContext> weak = context;
        auto task = context->cancelled();
        context.reset();
        QVERIFY(!weak.expired());

        root->cancel(CancelReason::Shutdown);

        QCOMPARE(runTask(std::move(task), patience), CancelReason::Shutdown);
        QTRY_VERIFY_WITH_TIMEOUT(weak.expired(), int(patience.count() * 1000));
    }

    void sleepForCompletes() {
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        QCOMPARE(runTask(context->sleepFor(20ms), patience), true);
        QVERIFY(!context->isCancelled());
    }

    void sleepForIsWokenByCancel() {
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        auto task = context->sleepFor(1h);
        QTimer::singleShot(10ms, context.get(),
                           [&context] { context->cancel(CancelReason::User); });
        QCOMPARE(runTask(std::move(task), patience), false);
    }

    void sleepForIsWokenByAncestorDeadline() {
        const auto parent =
            CancellationContext::withDeadline(CancellationContext::background(), 20ms);
        const auto context = CancellationContext::withCancel(parent);
        QCOMPARE(runTask(context->sleepFor(1h), patience), false);
        QCOMPARE(context->reason(), CancelReason::Timeout);
    }

    void sleepForReturnsAtOnceWhenAlreadyCancelled() {
        const auto context = CancellationContext::withCancel(CancellationContext::background());
        context->cancel(CancelReason::User);
        auto task = context->sleepFor(1h);
        QVERIFY(task.isReady());
        QCOMPARE(runTask(std::move(task), patience), false);
    }

    void pendingSleepKeepsContextAliveUntilItEnds() {
        auto context = CancellationContext::withCancel(CancellationContext::background());
        const std::weak_ptr<CancellationContext> weak = context;
        auto task = context->sleepFor(20ms);
        context.reset();
        QVERIFY(!weak.expired());

        QCOMPARE(runTask(std::move(task), patience), true);
        QTRY_VERIFY_WITH_TIMEOUT(weak.expired(), int(patience.count() * 1000));
    }

    void parentDoesNotKeepChildrenAlive() {
        const auto root = CancellationContext::background();
        auto live = CancellationContext::withCancel(root);
        auto cancelled = CancellationContext::withDeadline(root, 1h);
        cancelled->cancel(CancelReason::User);
        const QPointer<CancellationContext> liveWatch(live.get());
        const QPointer<CancellationContext> cancelledWatch(cancelled.get());

        live.reset();
        cancelled.reset();
        QVERIFY(liveWatch.isNull());
        QVERIFY(cancelledWatch.isNull());

        root->cancel(CancelReason::Force);
        QTest::qWait(10);
        QVERIFY(root->isForced());
    }

    void childDestroyedDuringCascade() {
        const auto root = CancellationContext::background();
        const auto first = CancellationContext::withCancel(root);
        auto second = CancellationContext::withCancel(root);
        const std::weak_ptr<CancellationContext> weakSecond = second;
        QObject::connect(first.get(), &CancellationContext::cancelledWith, first.get(),
                         [&second] { second.reset(); });

        root->cancel(CancelReason::Shutdown);

        QVERIFY(weakSecond.expired());
        QCOMPARE(first->reason(), CancelReason::Shutdown);
    }

    void lastReferenceDroppedWhileSignalling() {
        auto context = CancellationContext::withCancel(CancellationContext::background());
        CancellationContext *raw = context.get();
        const QPointer<CancellationContext> watch(raw);
        std::optional<CancelReason> seenByLaterSlot;
        QObject::connect(raw, &CancellationContext::cancelledWith, raw,
                         [&context] { context.reset(); });
        QObject::connect(raw, &CancellationContext::cancelledWith, raw,
                         [&seenByLaterSlot, raw] { seenByLaterSlot = raw->reason(); });

        raw->cancel(CancelReason::User);

        QCOMPARE(seenByLaterSlot, CancelReason::User);
        QVERIFY(watch.isNull());
    }

    void destroyedBeforeItsDeadline() {
        auto context = CancellationContext::withDeadline(CancellationContext::background(), 10ms);
        const QPointer<CancellationContext> watch(context.get());
        context.reset();
        QVERIFY(watch.isNull());
        QTest::qWait(40);
    }
};

QTEST_GUILESS_MAIN(TestCancellationContext)
#include "tst_cancellationcontext.moc"
