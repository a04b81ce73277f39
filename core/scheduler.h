#pragma once

#include "cancellationcontext.h"

#include <QObject>

#include <functional>
#include <list>
#include <memory>

namespace jobmonitor {

class Wakeup;

// Admission: which job may start an attempt, and when. A job's coroutine asks for a slot before
// each attempt and holds it only while the attempt runs: a job waiting out its retry backoff
// holds none, and a job waiting for a slot holds nothing but its place in the queue.
//
// Today's rule is a max-parallel limit over one queue in arrival order. New rules (groups with
// their own limits, dependencies, start times, a start-rate limit, priorities) plug in where
// dispatch() picks the next waiter; a job's coroutine does not change.
class Scheduler : public QObject, public std::enable_shared_from_this<Scheduler> {
    Q_OBJECT
public:
    // Held while an attempt runs; releasing it (or destroying it) lets the next job start.
    class Slot {
    public:
        Slot() = default;
        Slot(Slot &&other) noexcept
            : m_scheduler(std::move(other.m_scheduler)) {}
        Slot &operator=(Slot &&other) noexcept;
        ~Slot() { release(); }
        explicit operator bool() const { return m_scheduler != nullptr; }
        void release();

    private:
        friend class Scheduler;
        explicit Slot(std::shared_ptr<Scheduler> scheduler)
            : m_scheduler(std::move(scheduler)) {}
        std::shared_ptr<Scheduler> m_scheduler;
    };

    static std::shared_ptr<Scheduler> create(int maxParallel);
    ~Scheduler() override;

    // Completes with a slot once the job may start an attempt, or with an empty one when the
    // context is cancelled first. Waiters are served in the order they asked.
    QCoro::Task<Slot> admit(qint64 jobId, CancellationContext::Ptr context);

    int maxParallel() const { return m_maxParallel; }
    void setMaxParallel(int maxParallel);
    int running() const { return m_running; } // slots held
    int waiting() const { return int(m_waiters.size()); }

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

private:
    struct Waiter {
        qint64 jobId;
        Wakeup *wakeup;
        bool granted = false;
    };
    explicit Scheduler(int maxParallel);
    void dispatch();
    void releaseSlot();

    int m_maxParallel;
    int m_running = 0;
    std::list<Waiter *> m_waiters;
    std::function<bool()> m_gate;
    bool m_heldByGate = false;
};

} // namespace jobmonitor
