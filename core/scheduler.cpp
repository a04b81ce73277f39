#include "scheduler.h"

#include "joblimits.h"
#include "jobspec.h"
#include "logging.h"
#include "wakeup.h"

#include <QTimer>

#include <algorithm>

namespace jobmonitor {

using std::chrono::nanoseconds;

namespace {

// Room between the queue keys of jobs that join one after another, so that a job placed
// between two (by its priority) rarely needs its queue renumbered.
constexpr qint64 KeyGap = qint64(1) << 20;

class SteadyClock : public SchedulerClock {
public:
    SteadyClock() {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            if (now() < m_at) {
                arm(); // a QTimer may fire a little early, or the wait was longer than a lap
                return;
            }
            if (const std::function<void()> call = std::exchange(m_call, {}))
                call();
        });
    }

    nanoseconds now() const override { return std::chrono::steady_clock::now().time_since_epoch(); }

    void callAt(nanoseconds at, std::function<void()> onTime) override {
        m_at = at;
        m_call = std::move(onTime);
        arm();
    }

private:
    void arm() {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(m_at - now());
        m_timer.start(int(std::clamp<qint64>(left.count(), 0, limits::maxTimerInterval.count())));
    }

    QTimer m_timer;
    nanoseconds m_at{0};
    std::function<void()> m_call;
};

} // namespace

std::shared_ptr<SchedulerClock> steadyClock() {
    return std::make_shared<SteadyClock>();
}

// The time the bucket takes to gain one start.
static nanoseconds emissionInterval(const StartRate &rate) {
    return nanoseconds(rate.interval) / rate.starts;
}

std::optional<nanoseconds> Scheduler::Group::nextStartAt() const {
    if (!settings.rate.isLimited() || !tat)
        return std::nullopt;
    return *tat - emissionInterval(settings.rate) * (settings.rate.burst - 1);
}

Scheduler::Slot &Scheduler::Slot::operator=(Slot &&other) noexcept {
    if (this != &other) {
        release();
        m_scheduler = std::move(other.m_scheduler);
        m_group = std::exchange(other.m_group, nullptr);
    }
    return *this;
}

void Scheduler::Slot::release() {
    if (const std::shared_ptr<Scheduler> scheduler = std::exchange(m_scheduler, nullptr))
        scheduler->releaseSlot(std::exchange(m_group, nullptr));
}

std::shared_ptr<Scheduler> Scheduler::create(int maxParallel,
                                             std::shared_ptr<SchedulerClock> clock) {
    return std::shared_ptr<Scheduler>(
        new Scheduler(maxParallel, clock ? std::move(clock) : steadyClock()));
}

Scheduler::Scheduler(int maxParallel, std::shared_ptr<SchedulerClock> clock)
    : m_maxParallel(std::clamp(maxParallel, 1, limits::maxParallel))
    , m_clock(std::move(clock)) {
    groupFor(defaultGroupName());
}

Scheduler::~Scheduler() = default;

Scheduler::Group *Scheduler::groupFor(const QString &name) {
    const QString key = name.isEmpty() ? defaultGroupName() : name;
    auto it = m_groups.find(key);
    if (it == m_groups.end()) {
        auto group = std::make_unique<Group>();
        group->settings.name = key;
        it = m_groups.emplace(key, std::move(group)).first;
    }
    return it->second.get();
}

const Scheduler::Group *Scheduler::findGroup(const QString &name) const {
    const auto it = m_groups.find(name.isEmpty() ? defaultGroupName() : name);
    return it == m_groups.end() ? nullptr : it->second.get();
}

QCoro::Task<Scheduler::Slot> Scheduler::admit(Ticket ticket, CancellationContext::Ptr context) {
    const std::shared_ptr<Scheduler> self = shared_from_this();
    if (context->isCancelled())
        co_return Slot();
    if (!findGroup(ticket.group)) {
        spdlog::warn("job {}: group '{}' does not exist; it is made with no limits of its own",
                     ticket.jobId, ticket.group);
        groupFor(ticket.group);
        Q_EMIT groupsChanged();
    }
    Wakeup wakeup;
    Waiter waiter{ticket.jobId, ticket.priority, 0, groupFor(ticket.group), &wakeup};
    QObject::connect(context.get(), &CancellationContext::cancelledWith, &wakeup,
                     [&wakeup] { wakeup.wake(); });
    if (ticket.queueKey) {
        waiter.key = *ticket.queueKey;
        enqueueAtKey(&waiter);
    } else {
        enqueue(&waiter);
    }
    dispatch();
    while (!waiter.granted && !context->isCancelled())
        co_await wakeup.wait();
    if (!waiter.granted) {
        dequeue(&waiter);
        co_return Slot();
    }
    if (context->isCancelled()) {
        // Granted and cancelled in the same turn: the slot goes to the next job.
        releaseSlot(waiter.group);
        co_return Slot();
    }
    co_return Slot(self, waiter.group);
}

// A job joins its queue behind every waiting job of its priority or a higher one.
void Scheduler::enqueue(Waiter *waiter) {
    Queue &queue = waiter->group->queue;
    auto at = queue.end();
    while (at != queue.begin() && (*std::prev(at))->priority < waiter->priority)
        --at;
    if (at == queue.end()) {
        waiter->key = std::max(m_lastKey, queue.empty() ? m_lastKey : queue.back()->key) + KeyGap;
        m_lastKey = waiter->key;
    } else if (at == queue.begin()) {
        waiter->key = queue.front()->key - KeyGap;
    } else {
        const qint64 before = (*std::prev(at))->key;
        const qint64 after = (*at)->key;
        if (after - before < 2) {
            renumber(waiter->group);
            return enqueue(waiter);
        }
        waiter->key = before + (after - before) / 2;
    }
    m_waiting[waiter->jobId] = queue.insert(at, waiter);
    Q_EMIT queueChanged(waiter->jobId);
}

void Scheduler::enqueueAtKey(Waiter *waiter) {
    Queue &queue = waiter->group->queue;
    const auto at = std::upper_bound(queue.begin(), queue.end(), waiter->key,
                                     [](qint64 key, const Waiter *w) { return key < w->key; });
    const bool taken = at != queue.begin() && (*std::prev(at))->key == waiter->key;
    m_waiting[waiter->jobId] = queue.insert(at, waiter);
    m_lastKey = std::max(m_lastKey, waiter->key);
    Q_EMIT queueChanged(waiter->jobId);
    // Keys are unique within a queue (moves swap them); one that came twice spreads them out.
    if (taken)
        renumber(waiter->group);
}

void Scheduler::dequeue(Waiter *waiter) {
    const auto it = m_waiting.find(waiter->jobId);
    if (it == m_waiting.end())
        return;
    waiter->group->queue.erase(it->second);
    m_waiting.erase(it);
    Q_EMIT queueChanged(waiter->jobId);
}

// Spreads a queue's keys out again, in the same order, from where it starts.
void Scheduler::renumber(Group *group) {
    if (group->queue.empty())
        return;
    qint64 key = group->queue.front()->key;
    for (Waiter *waiter : group->queue) {
        waiter->key = key;
        key += KeyGap;
    }
    m_lastKey = std::max(m_lastKey, group->queue.back()->key);
    for (Waiter *waiter : group->queue)
        Q_EMIT queueChanged(waiter->jobId);
}

// Grants slots while any may be granted: each turn, of the groups that may start a job now,
// the one whose queue head comes first (by priority, then key) starts it. Costs a look at each
// group per grant, whatever the queues' lengths.
void Scheduler::dispatch() {
    const bool held = m_running < m_maxParallel && !m_waiting.empty() && m_gate && !m_gate();
    if (held != m_heldByGate) {
        m_heldByGate = held;
        Q_EMIT heldByGateChanged(held);
    }
    if (held)
        return;
    const nanoseconds now = m_clock->now();
    std::optional<nanoseconds> nextStart;
    while (m_running < m_maxParallel) {
        Group *best = nullptr;
        for (const auto &[name, group] : m_groups) {
            if (group->paused || group->queue.empty())
                continue;
            if (group->settings.maxParallel > 0 && group->running >= group->settings.maxParallel)
                continue;
            if (const std::optional<nanoseconds> at = group->nextStartAt(); at && *at > now) {
                nextStart = nextStart ? std::min(*nextStart, *at) : *at;
                continue;
            }
            const Waiter *head = group->queue.front();
            const Waiter *bestHead = best ? best->queue.front() : nullptr;
            if (!bestHead || head->priority > bestHead->priority ||
                (head->priority == bestHead->priority && head->key < bestHead->key))
                best = group.get();
        }
        if (!best)
            break;
        grant(best, now);
    }
    if (nextStart) {
        m_clock->callAt(*nextStart, [weak = weak_from_this()] {
            if (const std::shared_ptr<Scheduler> self = weak.lock())
                self->dispatch();
        });
    }
}

void Scheduler::grant(Group *group, nanoseconds now) {
    Waiter *next = group->queue.front();
    group->queue.pop_front();
    m_waiting.erase(next->jobId);
    next->granted = true;
    ++m_running;
    ++group->running;
    if (group->settings.rate.isLimited()) {
        group->tat =
            std::max(group->tat.value_or(now), now) + emissionInterval(group->settings.rate);
    }
    next->wakeup->wake();
    Q_EMIT queueChanged(next->jobId);
}

void Scheduler::releaseSlot(Group *group) {
    --m_running;
    --group->running;
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

QList<GroupSettings> Scheduler::groups() const {
    QList<GroupSettings> all{findGroup(defaultGroupName())->settings};
    for (const auto &[name, group] : m_groups)
        if (name != defaultGroupName())
            all.append(group->settings);
    return all;
}

std::optional<GroupSettings> Scheduler::group(const QString &name) const {
    const Group *group = findGroup(name);
    return group ? std::optional(group->settings) : std::nullopt;
}

void Scheduler::setGroup(const GroupSettings &settings) {
    Group *group = groupFor(settings.name);
    if (group->settings.rate != settings.rate)
        group->tat.reset();
    group->settings = settings;
    Q_EMIT groupsChanged();
    dispatch();
}

bool Scheduler::removeGroup(const QString &name) {
    const auto it = m_groups.find(name);
    if (it == m_groups.end() || name == defaultGroupName() || it->second->running > 0 ||
        !it->second->queue.empty())
        return false;
    m_groups.erase(it);
    Q_EMIT groupsChanged();
    return true;
}

void Scheduler::setGroupPaused(const QString &name, bool paused, const QString &reason) {
    Group *group = groupFor(name);
    if (group->paused == paused && (!paused || group->pauseReason == reason))
        return;
    group->paused = paused;
    group->pauseReason = paused ? reason : QString();
    spdlog::info("group {}: {}{}", group->settings.name, paused ? "paused" : "resumed",
                 reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    Q_EMIT groupsChanged();
    if (!paused)
        dispatch();
}

bool Scheduler::isGroupPaused(const QString &name) const {
    const Group *group = findGroup(name);
    return group && group->paused;
}

QString Scheduler::pauseReason(const QString &name) const {
    const Group *group = findGroup(name);
    return group ? group->pauseReason : QString();
}

int Scheduler::running(const QString &name) const {
    const Group *group = findGroup(name);
    return group ? group->running : 0;
}

int Scheduler::waiting(const QString &name) const {
    const Group *group = findGroup(name);
    return group ? int(group->queue.size()) : 0;
}

QList<qint64> Scheduler::queue(const QString &name) const {
    QList<qint64> ids;
    if (const Group *group = findGroup(name))
        for (const Waiter *waiter : group->queue)
            ids.append(waiter->jobId);
    return ids;
}

std::optional<qint64> Scheduler::queueKey(qint64 jobId) const {
    const auto it = m_waiting.find(jobId);
    return it == m_waiting.end() ? std::nullopt : std::optional((*it->second)->key);
}

void Scheduler::swapPlaces(Queue::iterator a, Queue::iterator b) {
    std::swap((*a)->key, (*b)->key);
    std::iter_swap(a, b);
    m_waiting[(*a)->jobId] = a;
    m_waiting[(*b)->jobId] = b;
    Q_EMIT queueChanged((*a)->jobId);
    Q_EMIT queueChanged((*b)->jobId);
}

bool Scheduler::moveUp(qint64 jobId) {
    const auto it = m_waiting.find(jobId);
    if (it == m_waiting.end() || it->second == (*it->second)->group->queue.begin())
        return false;
    swapPlaces(std::prev(it->second), it->second);
    return true;
}

bool Scheduler::moveDown(qint64 jobId) {
    const auto it = m_waiting.find(jobId);
    if (it == m_waiting.end())
        return false;
    const auto next = std::next(it->second);
    if (next == (*it->second)->group->queue.end())
        return false;
    swapPlaces(it->second, next);
    return true;
}

bool Scheduler::moveToFront(qint64 jobId) {
    const auto it = m_waiting.find(jobId);
    if (it == m_waiting.end())
        return false;
    Waiter *waiter = *it->second;
    Queue &queue = waiter->group->queue;
    if (it->second == queue.begin())
        return false;
    waiter->key = queue.front()->key - KeyGap;
    queue.splice(queue.begin(), queue, it->second);
    Q_EMIT queueChanged(jobId);
    return true;
}

bool Scheduler::setPriority(qint64 jobId, int priority) {
    const auto it = m_waiting.find(jobId);
    if (it == m_waiting.end())
        return false;
    Waiter *waiter = *it->second;
    if (waiter->priority == priority)
        return true;
    waiter->group->queue.erase(it->second);
    m_waiting.erase(it);
    waiter->priority = priority;
    // Where a job stands in its queue never decides whether its group may start one.
    enqueue(waiter);
    return true;
}

} // namespace jobmonitor
