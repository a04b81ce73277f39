#pragma once

#include "cancellationcontext.h"
#include "jobgroup.h"

#include <QObject>

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

namespace jobmonitor {

class Wakeup;

// The time the scheduler's start rates are counted in: a monotonic clock and a way to be called
// back when it reaches a moment. Injected so that tests can drive the rate with a clock of
// their own, to the nanosecond.
class SchedulerClock {
public:
    virtual ~SchedulerClock() = default;
    virtual std::chrono::nanoseconds now() const = 0;
    // Calls onTime once, from the event loop, when now() has reached at; replaces whatever an
    // earlier call arranged and has not called yet.
    virtual void callAt(std::chrono::nanoseconds at, std::function<void()> onTime) = 0;
};
// std::chrono::steady_clock, with a precise QTimer.
std::shared_ptr<SchedulerClock> steadyClock();

// Admission: which job may start an attempt, and when. A job's coroutine asks for a slot before
// each attempt and holds it only while the attempt runs: a job waiting out its retry backoff
// holds none, and a job waiting for a slot holds nothing but its place in its group's queue.
// (What a job waits for before it queues at all, its dependencies and start time, is the job's
// own business: see Job::run and DependencyTracker.)
//
// The rules, all applied where dispatch() picks the next waiter:
// - Job Monitor's overall limit of attempts running at once (maxParallel);
// - each group's own limit (0: none) and start rate (a token bucket, see StartRate), and
//   whether the group is paused;
// - within a group, its queue's order: a job joins ahead of every waiting job of a lower
//   priority and behind the others, and the user can move it (up, down, to the front);
// - across groups, the queue heads that may start go by priority, then by queue key.
// A new rule plugs in there too; a job's coroutine does not change.
class Scheduler : public QObject, public std::enable_shared_from_this<Scheduler> {
    Q_OBJECT
public:
    struct Group;

    // Held while an attempt runs; releasing it (or destroying it) lets the next job start.
    class Slot {
    public:
        Slot() = default;
        Slot(Slot &&other) noexcept
            : m_scheduler(std::move(other.m_scheduler))
            , m_group(std::exchange(other.m_group, nullptr)) {}
        Slot &operator=(Slot &&other) noexcept;
        ~Slot() { release(); }
        explicit operator bool() const { return m_scheduler != nullptr; }
        void release();

    private:
        friend class Scheduler;
        Slot(std::shared_ptr<Scheduler> scheduler, Group *group)
            : m_scheduler(std::move(scheduler))
            , m_group(group) {}
        std::shared_ptr<Scheduler> m_scheduler;
        Group *m_group = nullptr;
    };

    // Who asks for a slot: the job, its group (empty: the default group) and its priority.
    struct Ticket {
        qint64 jobId = 0;
        QString group;
        int priority = 0;
        // Its place in the queue of an earlier run (that run's queueKey()): the job joins by
        // it, ahead of every waiting job with a higher key, whatever their priorities, so that a
        // queue comes back in exactly the order its user left it, moves included.
        std::optional<qint64> queueKey;
    };

    static std::shared_ptr<Scheduler> create(int maxParallel,
                                             std::shared_ptr<SchedulerClock> clock = {});
    ~Scheduler() override;

    // Completes with a slot once the job may start an attempt, or with an empty one when the
    // context is cancelled first. A group that does not exist is made, with no limits of its
    // own (front ends refuse unknown groups before they get here).
    QCoro::Task<Slot> admit(Ticket ticket, CancellationContext::Ptr context);

    int maxParallel() const { return m_maxParallel; }
    void setMaxParallel(int maxParallel);
    int running() const { return m_running; } // slots held
    int waiting() const { return int(m_waiting.size()); }

    // Groups. The default group always exists. Settings are taken as given (check them with
    // GroupSettings::validate()); a lower limit stops nobody, it only holds back new starts; a
    // changed start rate starts with a full bucket.
    QList<GroupSettings> groups() const; // the default group first, then by name
    std::optional<GroupSettings> group(const QString &name) const;
    void setGroup(const GroupSettings &settings);
    // False for the default group and for a group that holds a slot or has a job waiting.
    bool removeGroup(const QString &name);
    // A paused group starts no job; its running jobs go on. The reason is for people ("paused
    // after job #12 failed"); resuming clears it.
    void setGroupPaused(const QString &name, bool paused, const QString &reason = {});
    bool isGroupPaused(const QString &name) const;
    QString pauseReason(const QString &name) const;
    int running(const QString &group) const;
    int waiting(const QString &group) const;

    // The queue: the jobs of a group waiting for a slot, first to start first.
    QList<qint64> queue(const QString &group) const;
    // A number that orders every waiting job, whatever its group, by its place in its queue
    // (smaller: sooner); it changes only when the job moves (or its queue is renumbered, which
    // is rare), not when others join or leave. Empty when the job does not wait for a slot.
    std::optional<qint64> queueKey(qint64 jobId) const;
    // Moves a waiting job one place up or down in its group's queue, or to its front. False
    // when it does not wait or is already there.
    bool moveUp(qint64 jobId);
    bool moveDown(qint64 jobId);
    bool moveToFront(qint64 jobId);
    // A waiting job with a new priority takes its place anew, behind jobs of its priority.
    bool setPriority(qint64 jobId, int priority);

    // A rule of the machine, not of the jobs: while it says no (the memory guard,
    // memoryguard.h), no job starts, whatever slots are free. Call gateChanged() when its
    // answer may have changed. Null: always open.
    void setStartGate(std::function<bool()> gate);
    void gateChanged();
    // Jobs wait only because the gate is closed (slots are free).
    bool isHeldByGate() const { return m_heldByGate; }

Q_SIGNALS:
    void maxParallelChanged(int maxParallel);
    void heldByGateChanged(bool held);
    void groupsChanged();
    // The job joined or left a queue, or moved in it: its queueKey() changed.
    void queueChanged(qint64 jobId);

private:
    struct Waiter {
        qint64 jobId;
        int priority;
        qint64 key;
        Group *group;
        Wakeup *wakeup;
        bool granted = false;
    };
    using Queue = std::list<Waiter *>;

public:
    // The state of one group; only the scheduler looks inside.
    struct Group {
        GroupSettings settings;
        bool paused = false;
        QString pauseReason;
        int running = 0;
        Queue queue;
        // The start rate's bucket, kept as GCRA's theoretical arrival time: the bucket is full
        // at or after tat, and a start takes one interval/starts of it. Empty: full.
        std::optional<std::chrono::nanoseconds> tat;

        // When the start rate lets the next job start; empty: now (or no rate).
        std::optional<std::chrono::nanoseconds> nextStartAt() const;
    };

private:
    Scheduler(int maxParallel, std::shared_ptr<SchedulerClock> clock);
    Group *groupFor(const QString &name);
    const Group *findGroup(const QString &name) const;
    void enqueue(Waiter *waiter);
    void enqueueAtKey(Waiter *waiter);
    void dequeue(Waiter *waiter);
    void renumber(Group *group);
    void dispatch();
    void grant(Group *group, std::chrono::nanoseconds now);
    void releaseSlot(Group *group);
    void swapPlaces(Queue::iterator a, Queue::iterator b);

    int m_maxParallel;
    int m_running = 0;
    std::shared_ptr<SchedulerClock> m_clock;
    std::map<QString, std::unique_ptr<Group>> m_groups;
    std::unordered_map<qint64, Queue::iterator> m_waiting;
    qint64 m_lastKey = 0;
    std::function<bool()> m_gate;
    bool m_heldByGate = false;
};

} // namespace jobmonitor
