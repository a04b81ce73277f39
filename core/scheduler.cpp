#include "scheduler.h"

#include "joblimits.h"
#include "wakeup.h"

#include <algorithm>

namespace jobmonitor {

Scheduler::Slot &Scheduler::Slot::operator=(Slot &&other) noexcept {
    if (this != &other) {
        release();
        m_scheduler = std::move(other.m_scheduler);
    }
    return *this;
}

void Scheduler::Slot::release() {
    if (const std::shared_ptr<Scheduler> scheduler = std::exchange(m_scheduler, nullptr))
        scheduler->releaseSlot();
}

std::shared_ptr<Scheduler> Scheduler::create(int maxParallel) {
    return std::shared_ptr<Scheduler>(new Scheduler(maxParallel));
}

Scheduler::Scheduler(int maxParallel)
    : m_maxParallel(std::clamp(maxParallel, 1, limits::maxParallel)) {}

Scheduler::~Scheduler() = default;

QCoro::Task<Scheduler::Slot> Scheduler::admit(qint64 jobId, CancellationContext::Ptr context) {
    const std::shared_ptr<Scheduler> self = shared_from_this();
    if (context->isCancelled())
        co_return Slot();
    Wakeup wakeup;
    Waiter waiter{jobId, &wakeup};
    QObject::connect(context.get(), &CancellationContext::cancelledWith, &wakeup,
                     [&wakeup] { wakeup.wake(); });
    const auto place = m_waiters.insert(m_waiters.end(), &waiter);
    dispatch();
    while (!waiter.granted && !context->isCancelled())
        co_await wakeup.wait();
    if (!waiter.granted) {
        m_waiters.erase(place);
        co_return Slot();
    }
    if (context->isCancelled()) {
        // Granted and cancelled in the same turn: the slot goes to the next job.
        releaseSlot();
        co_return Slot();
    }
    co_return Slot(self);
}

void Scheduler::dispatch() {
    const bool held = m_running < m_maxParallel && !m_waiters.empty() && m_gate && !m_gate();
    if (held != m_heldByGate) {
        m_heldByGate = held;
        Q_EMIT heldByGateChanged(held);
    }
    if (held)
        return;
    while (m_running < m_maxParallel && !m_waiters.empty()) {
        Waiter *next = m_waiters.front();
        m_waiters.pop_front();
        next->granted = true;
        ++m_running;
        next->wakeup->wake();
    }
}

void Scheduler::releaseSlot() {
    --m_running;
    dispatch();
}

void Scheduler::setStartGate(std::function<bool()> gate) {
    m_gate = std::move(gate);
    dispatch();
}

void Scheduler::gateChanged() {
    dispatch();
}

void Scheduler::setMaxParallel(int maxParallel) {
    maxParallel = std::clamp(maxParallel, 1, limits::maxParallel);
    if (maxParallel == m_maxParallel)
        return;
    m_maxParallel = maxParallel;
    Q_EMIT maxParallelChanged(maxParallel);
    dispatch();
}

} // namespace jobmonitor
