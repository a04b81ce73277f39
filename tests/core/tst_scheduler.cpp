// The scheduler (core/scheduler.h): admission under max-parallel, in arrival order, with
// cancellation while waiting, slots given back however they are dropped, and a limit that
// can change at any time; groups with their own limits, start rates (on a clock of the test's
// own, to the nanosecond) and pauses; priorities and moves in a group's queue.

#include "scheduler.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <functional>
#include <map>
#include <memory>

using jobmonitor::CancellationContext;
using jobmonitor::CancelReason;
using jobmonitor::GroupSettings;
using jobmonitor::Scheduler;
using jobmonitor::SchedulerClock;
using jobmonitor::StartRate;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

constexpr auto kEventually = std::chrono::seconds(60);

// Time that moves only when the test says so; a due call-back runs inside advance().
class FakeClock : public SchedulerClock {
public:
    nanoseconds now() const override { return m_now; }
    void callAt(nanoseconds at, std::function<void()> onTime) override {
        m_at = at;
        m_call = std::move(onTime);
    }
    void advance(nanoseconds by) {
        m_now += by;
        if (m_call && m_now >= m_at)
            std::exchange(m_call, {})();
    }
    // When the scheduler asked to be called back, if it did and has not been yet.
    std::optional<nanoseconds> pendingCall() const {
        return m_call ? std::optional(m_at) : std::nullopt;
    }

private:
    nanoseconds m_now{1'000'000'000};
    nanoseconds m_at{0};
    std::function<void()> m_call;
};

GroupSettings group(const QString &name, int maxParallel, StartRate rate = {}) {
    GroupSettings settings;
    settings.name = name;
    settings.maxParallel = maxParallel;
    settings.rate = rate;
    return settings;
}

// One job asking for a slot, as a job's coroutine does.
struct Request {
    qint64 id = 0;
    QString group;
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
    explicit Harness(int maxParallel, std::shared_ptr<SchedulerClock> clock = {})
        : scheduler(Scheduler::create(maxParallel, std::move(clock)))
        , raw(scheduler.get()) {}

    // The waiters' coroutines refer to this harness: they all end before it does.
    ~Harness() {
        for (const auto &[id, r] : requests)
            r->context->cancel(CancelReason::Shutdown);
        settle();
    }

    // Asks for a slot; onGranted runs in the waiter's coroutine when it gets one.
    Request &ask(std::function<void(Request &)> onGranted = {}) { return askIn({}, 0, onGranted); }
    Request &askIn(const QString &groupName, int priority = 0,
                   std::function<void(Request &)> onGranted = {}) {
        return askWith({0, groupName, priority, {}}, onGranted);
    }
    // The ticket's job id is the harness's next one.
    Request &askWith(Scheduler::Ticket ticket, std::function<void(Request &)> onGranted = {}) {
        auto request = std::make_unique<Request>();
        request->id = nextId++;
        request->group = ticket.group;
        Request &r = *request;
        requests[r.id] = std::move(request);
        ticket.jobId = r.id;
        scheduler->admit(std::move(ticket), r.context)
            .then([this, &r, onGranted](Scheduler::Slot slot) {
                r.slot = std::move(slot);
                r.done = true;
                if (r.slot) {
                    granted << r.id;
                    // Checked at every grant: the limits hold, and the counts are the truth.
                    ++held;
                    ++heldIn[r.group];
                    if (raw->running() > raw->maxParallel() || raw->running() < held)
                        violations << QStringLiteral("grant of %1: %2 running, limit %3, %4 held")
                                          .arg(r.id)
                                          .arg(raw->running())
                                          .arg(raw->maxParallel())
                                          .arg(held);
                    const int groupLimit =
                        raw->group(r.group).value_or(GroupSettings{}).maxParallel;
                    const QString name = r.group.isEmpty() ? QStringLiteral("default") : r.group;
                    if ((groupLimit > 0 && raw->running(name) > groupLimit) ||
                        raw->running(name) < heldIn[r.group])
                        violations
                            << QStringLiteral("grant of %1 in %2: %3 running, limit %4, %5 held")
                                   .arg(r.id)
                                   .arg(name)
                                   .arg(raw->running(name))
                                   .arg(groupLimit)
                                   .arg(heldIn[r.group]);
                    if (onGranted)
                        onGranted(r);
                }
            });
        return r;
    }

    void release(Request &r) {
        if (r.slot) {
            --held;
            --heldIn[r.group];
        }
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
    QMap<QString, int> heldIn;
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
        --h.heldIn[QString()];
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
        --h.heldIn[QString()];
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
        h.scheduler->admit({1, {}, 0, {}}, request->context).then([&](Scheduler::Slot slot) {
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

    // Groups' own limits under a burst of jobs from every group, with Job Monitor's overall
    // limit above them: at every grant (checked in the harness) no group runs more than its
    // limit and the overall count holds; no slot a waiter could take stays idle.
    void groupLimitsHoldUnderABurst_data() {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {7u, 11u, 2026u})
            QTest::addRow("seed %u", seed) << seed;
    }
    void groupLimitsHoldUnderABurst() {
        QFETCH(quint32, seed);
        QRandomGenerator random(seed);
        Harness h(5);
        h.scheduler->setGroup(group(QStringLiteral("build"), 2));
        h.scheduler->setGroup(group(QStringLiteral("net"), 1));
        h.scheduler->setGroup(group(QStringLiteral("wide"), 0));
        const QStringList names{QString(), QStringLiteral("build"), QStringLiteral("net"),
                                QStringLiteral("wide")};
        for (int i = 0; i < 200; ++i)
            h.askIn(names[random.bounded(int(names.size()))]);
        settle();
        for (int step = 0; step < 400; ++step) {
            QList<Request *> holding;
            for (const auto &[id, r] : h.requests)
                if (r->slot)
                    holding << r.get();
            if (holding.isEmpty())
                break;
            if (random.bounded(4u) == 0)
                h.askIn(names[random.bounded(int(names.size()))]);
            else
                h.release(*holding[random.bounded(int(holding.size()))]);
            settle();
            QVERIFY2(h.violations.isEmpty(), qPrintable(h.violations.join(QLatin1Char('\n'))));
            // Work-conserving: whenever a job waits, either everything runs or its group is
            // at its limit.
            if (h.scheduler->running() < h.scheduler->maxParallel())
                for (const QString &name : {QStringLiteral("build"), QStringLiteral("net")})
                    if (h.scheduler->waiting(name) > 0)
                        QCOMPARE(h.scheduler->running(name), h.scheduler->group(name)->maxParallel);
            QCOMPARE(h.scheduler->waiting(QStringLiteral("wide")) > 0 ||
                         h.scheduler->waiting(QStringLiteral("default")) > 0,
                     h.scheduler->waiting() > h.scheduler->waiting(QStringLiteral("build")) +
                                                  h.scheduler->waiting(QStringLiteral("net")));
        }
        QCOMPARE(h.violations, QStringList());
    }

    // A group's start rate on the test's own clock: "2 starts per second, burst 1" starts one
    // job every 500 ms exactly, in queue order, and not a nanosecond before.
    void startRateSpacesStartsInOrder() {
        const auto clock = std::make_shared<FakeClock>();
        Harness h(10, clock);
        h.scheduler->setGroup(group(QStringLiteral("net"), 0, {2, 1000ms, 1}));
        for (int i = 0; i < 5; ++i)
            h.askIn(QStringLiteral("net"));
        settle();
        QCOMPARE(h.granted, QList<qint64>{1}); // a full bucket: one start at once
        QCOMPARE(clock->pendingCall(), clock->now() + 500ms);
        for (qint64 next = 2; next <= 5; ++next) {
            clock->advance(500ms - 1ns);
            settle();
            QCOMPARE(h.granted, range(1, next - 1));
            clock->advance(1ns);
            settle();
            QCOMPARE(h.granted, range(1, next));
        }
        // Nothing waits: the scheduler asks for no wake-up it does not need.
        QCOMPARE(clock->pendingCall(), std::nullopt);
        QCOMPARE(h.violations, QStringList());
    }

    // A burst lets that many start at once after a quiet spell, never more, however long the
    // spell; then the rate holds. Ticks below the rate's own grain add up exactly.
    void burstRefillsToItsSizeOnly() {
        const auto clock = std::make_shared<FakeClock>();
        Harness h(20, clock);
        h.scheduler->setGroup(group(QStringLiteral("api"), 0, {3, 1000ms, 3}));
        for (int i = 0; i < 8; ++i)
            h.askIn(QStringLiteral("api"));
        settle();
        QCOMPARE(h.granted, range(1, 3));
        // 1000 ms / 3: the next start is due after 333 333 333 ns.
        clock->advance(333'333'332ns);
        settle();
        QCOMPARE(h.granted, range(1, 3));
        clock->advance(1ns);
        settle();
        QCOMPARE(h.granted, range(1, 4));

        clock->advance(1h); // the bucket fills up to its burst, no more
        settle();
        QCOMPARE(h.granted, range(1, 7));
        clock->advance(333'333'332ns);
        settle();
        QCOMPARE(h.granted, range(1, 7));
        clock->advance(1ns);
        settle();
        QCOMPARE(h.granted, range(1, 8));
        QCOMPARE(h.violations, QStringList());
    }

    // A job held back by its group's limit takes no start from the bucket: when the limit lets
    // it go, it starts at once if the rate allows.
    void aBlockedGroupSpendsNoStarts() {
        const auto clock = std::make_shared<FakeClock>();
        Harness h(10, clock);
        h.scheduler->setGroup(group(QStringLiteral("g"), 1, {1, 100ms, 1}));
        Request &first = h.askIn(QStringLiteral("g"));
        h.askIn(QStringLiteral("g"));
        settle();
        QCOMPARE(h.granted, QList<qint64>{1});
        clock->advance(10s);
        settle();
        QCOMPARE(h.granted, QList<qint64>{1}); // the limit holds it back
        h.release(first);
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 2})); // and the rate lets it go at once
        QCOMPARE(h.violations, QStringList());
    }

    // Changing the rate starts with a full bucket; removing it lets everything go.
    void changingTheRate() {
        const auto clock = std::make_shared<FakeClock>();
        Harness h(10, clock);
        h.scheduler->setGroup(group(QStringLiteral("g"), 0, {1, 1h, 1}));
        for (int i = 0; i < 4; ++i)
            h.askIn(QStringLiteral("g"));
        settle();
        QCOMPARE(h.granted, QList<qint64>{1});
        h.scheduler->setGroup(group(QStringLiteral("g"), 0, {1, 1s, 2}));
        settle();
        QCOMPARE(h.granted, range(1, 3));
        h.scheduler->setGroup(group(QStringLiteral("g"), 0));
        settle();
        QCOMPARE(h.granted, range(1, 4));
    }

    // A paused group starts nothing, whatever its slots; its running jobs keep theirs. Other
    // groups go on. Resuming starts what may start.
    void pausedGroupStartsNothing() {
        Harness h(10);
        h.scheduler->setGroup(group(QStringLiteral("g"), 2));
        QSignalSpy groupsChanged(h.scheduler.get(), &Scheduler::groupsChanged);
        Request &a = h.askIn(QStringLiteral("g"));
        settle();
        h.scheduler->setGroupPaused(QStringLiteral("g"), true, QStringLiteral("paused by user"));
        QCOMPARE(groupsChanged.count(), 1);
        QVERIFY(h.scheduler->isGroupPaused(QStringLiteral("g")));
        QCOMPARE(h.scheduler->pauseReason(QStringLiteral("g")), QStringLiteral("paused by user"));
        h.askIn(QStringLiteral("g"));
        h.askIn(QStringLiteral("g"));
        h.ask();
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 4}));
        h.release(a);
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 4}));
        QCOMPARE(h.scheduler->waiting(QStringLiteral("g")), 2);
        h.scheduler->setGroupPaused(QStringLiteral("g"), false);
        settle();
        QCOMPARE(h.granted, (QList<qint64>{1, 4, 2, 3}));
        QVERIFY(!h.scheduler->isGroupPaused(QStringLiteral("g")));
        QCOMPARE(h.scheduler->pauseReason(QStringLiteral("g")), QString());
        QCOMPARE(h.violations, QStringList());
    }

    // A job joins its queue ahead of every waiting job of a lower priority and behind the
    // others; a new priority places it anew.
    void priorityDecidesWhereAJobJoins() {
        Harness h(1);
        Request &running = h.ask();
        h.askIn({}, 0);  // 2
        h.askIn({}, 5);  // 3
        h.askIn({}, 0);  // 4
        h.askIn({}, 5);  // 5
        h.askIn({}, -1); // 6
        h.askIn({}, 9);  // 7
        settle();
        const QString all = QStringLiteral("default");
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{7, 3, 5, 2, 4, 6}));
        QVERIFY(h.scheduler->setPriority(6, 5));
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{7, 3, 5, 6, 2, 4}));
        QVERIFY(!h.scheduler->setPriority(1, 3)); // running, not waiting
        // The keys order the queue as it stands.
        const QList<qint64> queue = h.scheduler->queue(all);
        for (qsizetype i = 1; i < queue.size(); ++i)
            QVERIFY(*h.scheduler->queueKey(queue[i - 1]) < *h.scheduler->queueKey(queue[i]));
        QVERIFY(!h.scheduler->queueKey(1));

        QList<qint64> order;
        for (int i = 0; i < 6; ++i) {
            h.release(i == 0 ? running : *h.requests[order.last()]);
            settle();
            order << h.granted.last();
        }
        QCOMPARE(order, (QList<qint64>{7, 3, 5, 6, 2, 4}));
        QCOMPARE(h.violations, QStringList());
    }

    // Moves within a group's queue: up, down, to the front; the ends refuse; other groups'
    // queues are untouched; a job's key changes only when it moves.
    void movesInAQueue() {
        Harness h(1);
        h.scheduler->setGroup(group(QStringLiteral("other"), 0));
        Request &running = h.ask();
        for (int i = 0; i < 4; ++i)
            h.ask();                      // 2..5
        h.askIn(QStringLiteral("other")); // 6
        settle();
        const QString all = QStringLiteral("default");
        QSignalSpy changed(h.scheduler.get(), &Scheduler::queueChanged);
        const qint64 keyOf5 = *h.scheduler->queueKey(5);
        QVERIFY(h.scheduler->moveUp(4));
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{2, 4, 3, 5}));
        QCOMPARE(changed.count(), 2);
        QVERIFY(h.scheduler->moveDown(2));
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{4, 2, 3, 5}));
        QVERIFY(h.scheduler->moveToFront(5));
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{5, 4, 2, 3}));
        QVERIFY(!h.scheduler->moveUp(5));
        QVERIFY(!h.scheduler->moveToFront(5));
        QVERIFY(!h.scheduler->moveDown(3));
        QVERIFY(!h.scheduler->moveUp(1)); // running
        QVERIFY(!h.scheduler->moveUp(6)); // first in its own queue
        QVERIFY(!h.scheduler->moveUp(99));
        QVERIFY(*h.scheduler->queueKey(5) < keyOf5);
        const qint64 keyOf3 = *h.scheduler->queueKey(3);
        h.ask(); // 7 joins: nobody else moves
        settle();
        QCOMPARE(*h.scheduler->queueKey(3), keyOf3);
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{5, 4, 2, 3, 7}));
        QCOMPARE(h.scheduler->queue(QStringLiteral("other")), QList<qint64>{6});

        h.release(running);
        settle();
        QCOMPARE(h.granted.last(), 5); // the default group's head, ahead of 6 by its key
        QCOMPARE(h.violations, QStringList());
    }

    // Across groups, when Job Monitor's own limit decides, the queue heads go by priority, then
    // by their keys (for jobs that did not move: by arrival).
    void acrossGroupsByPriorityThenKey() {
        Harness h(1);
        h.scheduler->setGroup(group(QStringLiteral("a"), 0));
        h.scheduler->setGroup(group(QStringLiteral("b"), 0));
        Request &running = h.ask();
        h.askIn(QStringLiteral("a"));    // 2
        h.askIn(QStringLiteral("b"));    // 3
        h.askIn(QStringLiteral("a"));    // 4
        h.askIn(QStringLiteral("b"), 1); // 5
        settle();
        QList<qint64> order;
        for (int i = 0; i < 4; ++i) {
            h.release(i == 0 ? running : *h.requests[order.last()]);
            settle();
            order << h.granted.last();
        }
        QCOMPARE(order, (QList<qint64>{5, 2, 3, 4}));
    }

    // Jobs queued again from an earlier run join by the keys they had there, whatever their
    // priorities and the order they ask in: a job the user moved ahead of a higher priority one
    // stays ahead. Jobs that join afterwards go by their priority; a key that comes twice
    // keeps both jobs, in the order they came, and the keys apart.
    void keptKeysRestoreTheOrder() {
        Harness h(1);
        Request &running = h.ask(); // 1
        h.askWith({0, {}, 5, 200}); // 2, was second
        h.askWith({0, {}, 0, 300}); // 3, was third
        h.askWith({0, {}, 0, 100}); // 4, moved to the front
        settle();
        const QString all = QStringLiteral("default");
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{4, 2, 3}));
        h.askIn({}, 5);             // 5: behind 2, of its priority
        h.askWith({0, {}, 0, 300}); // 6: the key 3 has
        h.ask();                    // 7: at the back
        settle();
        QCOMPARE(h.scheduler->queue(all), (QList<qint64>{4, 2, 5, 3, 6, 7}));
        const QList<qint64> queue = h.scheduler->queue(all);
        for (qsizetype i = 1; i < queue.size(); ++i)
            QVERIFY(*h.scheduler->queueKey(queue[i - 1]) < *h.scheduler->queueKey(queue[i]));

        QList<qint64> order;
        for (int i = 0; i < 6; ++i) {
            h.release(i == 0 ? running : *h.requests[order.last()]);
            settle();
            order << h.granted.last();
        }
        QCOMPARE(order, (QList<qint64>{4, 2, 5, 3, 6, 7}));
        QCOMPARE(h.violations, QStringList());
    }

    // So many jobs squeezed in between the same two that the room between keys runs out: the
    // queue is renumbered and keeps its order.
    void keysRenumberWhenTheyRunOutOfRoom() {
        Harness h(1);
        Request &running = h.ask();
        h.askIn({}, 10); // 2
        h.askIn({}, 0);  // 3
        // Each joins right behind 2 with a priority between: always between the same keys.
        for (int i = 0; i < 40; ++i)
            h.askIn({}, 9 - i / 5);
        settle();
        const QList<qint64> queue = h.scheduler->queue(QStringLiteral("default"));
        QCOMPARE(queue.size(), 42);
        QCOMPARE(queue.first(), 2);
        QCOMPARE(queue.last(), 3);
        for (qsizetype i = 1; i < queue.size(); ++i)
            QVERIFY(*h.scheduler->queueKey(queue[i - 1]) < *h.scheduler->queueKey(queue[i]));
        h.release(running);
        settle();
        QCOMPARE(h.granted.last(), 2);
    }

    void groupsAreManaged() {
        Harness h(2);
        QCOMPARE(h.scheduler->groups().size(), 1);
        QCOMPARE(h.scheduler->groups().constFirst().name, QStringLiteral("default"));
        h.scheduler->setGroup(group(QStringLiteral("zeta"), 1));
        h.scheduler->setGroup(group(QStringLiteral("alpha"), 3));
        QStringList names;
        for (const GroupSettings &g : h.scheduler->groups())
            names << g.name;
        QCOMPARE(names, (QStringList{"default", "alpha", "zeta"}));
        QCOMPARE(h.scheduler->group(QStringLiteral("alpha"))->maxParallel, 3);
        QVERIFY(!h.scheduler->group(QStringLiteral("nope")));
        QVERIFY(!h.scheduler->removeGroup(QStringLiteral("default")));
        QVERIFY(!h.scheduler->removeGroup(QStringLiteral("nope")));

        // Not while a job of it runs or waits.
        Request &a = h.askIn(QStringLiteral("zeta"));
        Request &b = h.askIn(QStringLiteral("zeta"));
        settle();
        QVERIFY(!h.scheduler->removeGroup(QStringLiteral("zeta")));
        h.release(a);
        settle();
        QVERIFY(!h.scheduler->removeGroup(QStringLiteral("zeta")));
        h.release(b);
        QVERIFY(h.scheduler->removeGroup(QStringLiteral("zeta")));
        QVERIFY(!h.scheduler->group(QStringLiteral("zeta")));

        // A group nobody made is made when a job asks to run in it, with no limit of its own.
        Request &c = h.askIn(QStringLiteral("adhoc"));
        settle();
        QVERIFY(c.slot);
        QCOMPARE(h.scheduler->group(QStringLiteral("adhoc"))->maxParallel, 0);
        h.release(c);

        // A higher limit starts the waiting at once.
        h.scheduler->setGroup(group(QStringLiteral("alpha"), 1));
        Request &d = h.askIn(QStringLiteral("alpha"));
        h.askIn(QStringLiteral("alpha"));
        settle();
        QCOMPARE(h.scheduler->running(QStringLiteral("alpha")), 1);
        h.scheduler->setGroup(group(QStringLiteral("alpha"), 2));
        settle();
        QCOMPARE(h.scheduler->running(QStringLiteral("alpha")), 2);
        h.release(d);
        QCOMPARE(h.violations, QStringList());
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
