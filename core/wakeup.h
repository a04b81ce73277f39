#pragma once

#include <QMetaObject>
#include <QObject>

#include <coroutine>
#include <utility>

namespace jobmonitor {

// Lets one coroutine sleep until "something happened" without caring what: any number of
// sources call wake(), the coroutine co_awaits wait() and then re-examines the world.
//
// Unlike awaiting a Qt signal with qCoro(), several wake() calls in one event-loop turn resume
// the coroutine exactly once (QCoro 0.8 would queue one resume per emission and resume a
// finished awaiter), and the resume always happens from the event loop, never inside the
// caller of wake() — a QProcess or a cancellation context in the middle of emitting a signal.
// A wake() while nobody waits makes the next wait() return at once.
class Wakeup : public QObject {
public:
    void wake() {
        if (!m_waiter) {
            m_pending = true;
            return;
        }
        if (m_scheduled)
            return;
        m_scheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this]() {
                m_scheduled = false;
                if (auto waiter = std::exchange(m_waiter, nullptr))
                    waiter.resume();
            },
            Qt::QueuedConnection);
    }

    auto wait() {
        struct Awaiter {
            Wakeup *wakeup;
            bool await_ready() const noexcept { return std::exchange(wakeup->m_pending, false); }
            void await_suspend(std::coroutine_handle<> waiter) noexcept {
                wakeup->m_waiter = waiter;
            }
            void await_resume() const noexcept {}
        };
        return Awaiter{this};
    }

private:
    std::coroutine_handle<> m_waiter;
    bool m_pending = false;
    bool m_scheduled = false;
};

} // namespace jobmonitor
