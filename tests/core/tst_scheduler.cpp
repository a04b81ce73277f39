// The scheduler (core/scheduler.h): admission under max-parallel, in arrival order, with
// cancellation while waiting, slots given back however they are dropped, and a limit that
// can change at any time.

#include "scheduler.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <map>
#include <memory>

using jobmonitor::CancellationContext;
using jobmonitor::CancelReason;
using jobmonitor::Scheduler;

namespace {

constexpr auto kEventually = std::chrono::seconds(60);

// One job asking for a slot, as a job's coroutine does.
struct Request {
    qint64 id = 0;
    CancellationContext::Ptr context =
        CancellationContext::withCancel(CancellationContext::background());
    bool done = false;
    Scheduler::Slot slot;
};

// Runs the event loop until nothing is posted any more (each grant resumes its waiter from
// the event loop, never inside the call that granted it).
void settle() {
    for (int i = 0; i < 4; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

class Harness {
public:
    explicit Harness(int maxParallel)
        : scheduler(Scheduler::create(maxParallel))
        , raw(scheduler.get()) {}

    // The waiters' coroutines refer to this harness: they all end before it does.
    ~Harness() {
        for (const auto &[id, r] : requests)
            r->context->cancel(CancelReason::Shutdown);
        settle();
    }

    // Asks for a slot; onGranted runs in the waiter's coroutine when it gets one.
    Request &ask(std::function<void(Request &)> onGranted = {}) {
        auto request = std::make_unique<Request>();
        request->id = nextId++;
        Request &r = *request;
        requests[r.id] = std::move(request);
        scheduler->admit(r.id, r.context).then([this, &r, onGranted](Scheduler::Slot slot) {
            r.slot = std::move(slot);
            r.done = true;
            if (r.slot) {
                granted << r.id;
                // Checked at every grant: the limit holds, and the count is the truth.
                ++held;
                if (raw->running() > raw->maxParallel() || raw->running() < held)
                    violations << QStringLiteral("grant of %1: %2 running, limit %3, %4 held")
                                      .arg(r.id)
                                      .arg(raw->running())
                                      .arg(raw->maxParallel())
                                      .arg(held);
                if (onGranted)
                    onGranted(r);
            }
        });
        return r;
    }

    void release(Request &r) {
        if (r.slot)
            --held;
        r.slot.release();
    }

    QList<qint64> waitingIds() const {
        QList<qint64> ids;
        for (const auto &[id, r] : requests)
            if (!r->done)
                ids << id;
        return ids;
    }

    std::shared_ptr<Scheduler> scheduler;
    Scheduler *raw; // the grant checks work while a slot alone keeps it alive
    std::map<qint64, std::unique_ptr<Request>> requests;
    QList<qint64> granted;
    QStringList violations;
    int held = 0;
    qint64 nextId = 1;
};

QList<qint64> range(qint64 first, qint64 last) {
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids << id;
    return ids;
}

} // namespace

class TestScheduler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A gate of the machine (the memory guard) holds every start while closed, and says so;
    // opened, the waiters start in their order.
    void gateHoldsStarts() {
        Harness h(2);
        bool open = false;
        QSignalSpy held(h.scheduler.get(), &Scheduler::heldByGateChanged);
        h.scheduler->setStartGate([&open] { return open; });
        QVERIFY(!h.scheduler->isHeldByGate()); // nobody waits yet
        for (int i = 0; i < 3; ++i)
            h.ask();
        settle();
        QCOMPARE(h.granted, QList<qint64>());
        QVERIFY(h.scheduler->isHeldByGate());
        QCOMPARE(held.size(), 1);
        open = true;
        h.scheduler->gateChanged();
        settle();
        QCOMPARE(h.granted, range(1, 2));
        // Slots are full now: the third waits for a slot, not for the gate.
        QVERIFY(!h.scheduler->isHeldByGate());
        QCOMPARE(held.size(), 2);
        open = false;
        h.release(*h.requests[1]);
        settle();
        QCOMPARE(h.granted, range(1, 2));
        QVERIFY(h.scheduler->isHeldByGate());
        h.scheduler->setStartGate({});
        settle();
        QCOMPARE(h.granted, range(1, 3));
        QCOMPARE(h.violations, QStringList());
    }

    void admitsInArrivalOrderUnderTheLimit_data() {
        QTest::addColumn<int>("maxParallel");
        QTest::addColumn<int>("jobs");
        QTest::newRow("one at a time") << 1 << 6;
        QTest::newRow("two of seven") << 2 << 7;
        QTest::newRow("three of ten") << 3 << 10;
        QTest::newRow("fewer jobs than slots") << 5 << 3;
    }
    void admitsInArrivalOrderUnderTheLimit() {
        QFETCH(int, maxParallel);
        QFETCH(int, jobs);
        Harness h(maxParallel);
        for (int i = 0; i < jobs; ++i)
            h.ask();
        settle();
        const int first = std::min(maxParallel, jobs);
        QCOMPARE(h.granted, range(1, first));
        QCOMPARE(h.scheduler->running(), first);
        QCOMPARE(h.scheduler->waiting(), jobs - first);
        // Each release lets exactly the next one in.
        for (qint64 id = 1; id <= jobs; ++id) {
            h.release(*h.requests[id]);
            settle();
            QCOMPARE(h.granted, range(1, std::min<qint64>(id + first, jobs)));
            QCOMPARE(h.scheduler->running(), int(std::min<qint64>(first, jobs - id)));
        }
        QCOMPARE(h.scheduler->running(), 0);
        QCOMPARE(h.scheduler->waiting(), 0);
        QCOMPARE(h.violations, QStringList());
    }

    // Whichever way a slot is dropped, it is given back once.
    void slotsAreGivenBackOnce() {
        Harness h(1);
        Request &a = h.ask();
        Request &b = h.ask();
        Request &c = h.ask();
        Request &d = h.ask();
        settle();
        QCOMPARE(h.granted, QList<qint64>{1});

        // Destroyed.
        { const Scheduler::Slot dropped = std::move(a.slot); }
        --h.held;
        QVERIFY(!a.slot); // moved from: empty
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 2}));
        QCOMPARE(h.scheduler->running(), 1);

        // Released twice: the second time is nothing.
        h.release(b);
        b.slot.release();
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 2, 3}));
        QCOMPARE(h.scheduler->running(), 1);

        // Overwritten by a move assignment: the old one goes back.
        Scheduler::Slot empty;
        QVERIFY(!empty);
        c.slot = std::move(empty);
        --h.held;
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 2, 3, 4}));
        QCOMPARE(h.scheduler->running(), 1);

        // Moved into another slot: still one.
        Scheduler::Slot moved(std::move(d.slot));
        QVERIFY(moved);
        QVERIFY(!d.slot);
        QCOMPARE(h.scheduler->running(), 1);
        Scheduler::Slot &same = moved;
        moved = std::move(same); // self-assignment keeps it
        QVERIFY(moved);
        QCOMPARE(h.scheduler->running(), 1);
        moved.release();
        QCOMPARE(h.scheduler->running(), 0);
        QCOMPARE(h.violations, QStringList());
    }

    // A slot keeps its scheduler alive; so does a waiter.
    void slotsAndWaitersKeepTheSchedulerAlive() {
        auto h = std::make_unique<Harness>(1);
        Request &a = h->ask();
        Request &b = h->ask();
        settle();
        const std::weak_ptr<Scheduler> weak = h->scheduler;
        h->scheduler.reset();
        QVERIFY(!weak.expired());
        h->release(a);
        settle();
        QVERIFY(b.slot);
        QVERIFY(!weak.expired());
        h->release(b);
        QVERIFY(weak.expired());
    }

    void cancelledWhileWaiting() {
        Harness h(1);
        Request &a = h.ask();
        Request &b = h.ask();
        h.ask();
        settle();
        QCOMPARE(h.scheduler->waiting(), 2);
        b.context->cancel(CancelReason::User);
        settle();
        QVERIFY(b.done);
        QVERIFY(!b.slot);
        QCOMPARE(h.scheduler->waiting(), 1); // it left the queue
        QCOMPARE(h.scheduler->running(), 1);
        h.release(a);
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 3}));
        QCOMPARE(h.scheduler->running(), 1);
        QCOMPARE(h.scheduler->waiting(), 0);
    }

    void cancelledBeforeAsking() {
        Harness h(1);
        auto request = std::make_unique<Request>();
        request->context->cancel(CancelReason::Shutdown);
        bool done = false;
        bool gotSlot = true;
        h.scheduler->admit(1, request->context).then([&](Scheduler::Slot slot) {
            done = true;
            gotSlot = bool(slot);
        });
        settle();
        QVERIFY(done);
        QVERIFY(!gotSlot);
        QCOMPARE(h.scheduler->running(), 0);
        QCOMPARE(h.scheduler->waiting(), 0);
    }

    // Granted, then cancelled before its coroutine could go on: the slot goes to the next.
    void grantedAndCancelledInTheSameTurn() {
        Harness h(1);
        Request &a = h.ask();
        Request &b = h.ask();
        h.ask();
        settle();
        h.release(a); // grants b, which resumes only from the event loop...
        b.context->cancel(CancelReason::User); // ... by then cancelled
        settle();
        QVERIFY(b.done);
        QVERIFY(!b.slot);
        QCOMPARE(h.granted, (QList<qint64>{1, 3}));
        QCOMPARE(h.scheduler->running(), 1);
        QCOMPARE(h.scheduler->waiting(), 0);
        QCOMPARE(h.violations, QStringList());
    }

    void limitChangesUpAndDown() {
        Harness h(1);
        QSignalSpy changed(h.scheduler.get(), &Scheduler::maxParallelChanged);
        for (int i = 0; i < 8; ++i)
            h.ask();
        settle();
        QCOMPARE(h.granted, QList<qint64>{1});

        h.scheduler->setMaxParallel(3);
        settle();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toInt(), 3);
        QCOMPARE(h.granted, range(1, 3));
        h.scheduler->setMaxParallel(3);
        QCOMPARE(changed.count(), 1); // no change, no signal

        // Down: nobody is stopped, and nobody new starts until the running fall below it.
        h.scheduler->setMaxParallel(1);
        settle();
        QCOMPARE(h.scheduler->maxParallel(), 1);
        QCOMPARE(h.scheduler->running(), 3);
        h.release(*h.requests[1]);
        settle();
        h.release(*h.requests[2]);
        settle();
        QCOMPARE(h.granted, range(1, 3));
        QCOMPARE(h.scheduler->running(), 1);
        h.release(*h.requests[3]);
        settle();
        QCOMPARE(h.granted, range(1, 4));

        // Below 1 means 1.
        h.scheduler->setMaxParallel(0);
        QCOMPARE(h.scheduler->maxParallel(), 1);
        QCOMPARE(changed.count(), 2);
        h.scheduler->setMaxParallel(-5);
        QCOMPARE(h.scheduler->maxParallel(), 1);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(Scheduler::create(0)->maxParallel(), 1);
        QCOMPARE(h.violations, QStringList());
    }

    // A long random mix of asking, releasing, cancelling and changing the limit: at every
    // grant the limit holds, grants keep the arrival order, and no slot stays idle while a job
    // waits.
    void neverMoreThanTheLimit_data() {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {1u, 2u, 3u, 42u, 2026u})
            QTest::addRow("seed %u", seed) << seed;
    }
    void neverMoreThanTheLimit() {
        QFETCH(quint32, seed);
        QRandomGenerator random(seed);
        Harness h(2);
        for (int step = 0; step < 2000; ++step) {
            const quint32 what = random.bounded(100u);
            QList<Request *> holding;
            QList<Request *> waiting;
            for (const auto &[id, r] : h.requests) {
                if (r->slot)
                    holding << r.get();
                else if (!r->done)
                    waiting << r.get();
            }
            if (what < 40) {
                h.ask();
            } else if (what < 75 && !holding.isEmpty()) {
                h.release(*holding[random.bounded(int(holding.size()))]);
            } else if (what < 90 && !waiting.isEmpty()) {
                waiting[random.bounded(int(waiting.size()))]->context->cancel(CancelReason::User);
            } else if (what < 95) {
                h.scheduler->setMaxParallel(int(random.bounded(1u, 6u)));
            } else if (!holding.isEmpty()) {
                // Released and a new job asks in the same turn.
                h.release(*holding.first());
                h.ask();
            }
            settle();
            QVERIFY2(h.violations.isEmpty(), qPrintable(h.violations.join(QLatin1Char('\n'))));
            QCOMPARE(h.scheduler->running(), h.held);
            QCOMPARE(h.scheduler->waiting(), int(h.waitingIds().size()));
            if (h.scheduler->waiting() > 0)
                QVERIFY(h.scheduler->running() >= h.scheduler->maxParallel());
        }
        QVERIFY(std::is_sorted(h.granted.cbegin(), h.granted.cend()));
        QCOMPARE(h.violations, QStringList());
    }

    // Each job gives its slot back as soon as it gets it: ten thousand grants in a chain, in
    // order, each resumed from the event loop (no recursion: the stack does not grow).
    void tenThousandWaitersInOrder() {
        constexpr int kJobs = 10000;
        Harness h(1);
        QList<qint64> order;
        quintptr lowest = std::numeric_limits<quintptr>::max();
        quintptr highest = 0;
        for (int i = 0; i < kJobs; ++i)
            h.ask([&](Request &r) {
                // The frame itself, not a local's address: AddressSanitizer may move locals to
                // a stack of its own on the heap.
                const auto frame = quintptr(__builtin_frame_address(0));
                lowest = std::min(lowest, frame);
                highest = std::max(highest, frame);
                order << r.id;
                h.release(r);
            });
        QDeadlineTimer deadline(kEventually);
        while (order.size() < kJobs && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        QCOMPARE(order.size(), kJobs);
        QCOMPARE(order, range(1, kJobs));
        QVERIFY2(highest - lowest < 64 * 1024,
                 qPrintable(QStringLiteral("the stack grew by %1 bytes").arg(highest - lowest)));
        QCOMPARE(h.scheduler->running(), 0);
        QCOMPARE(h.scheduler->waiting(), 0);
        QCOMPARE(h.violations, QStringList());
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
