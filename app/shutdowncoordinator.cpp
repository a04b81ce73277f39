#include "shutdowncoordinator.h"

#include "joblimits.h"
#include "jobsupervisor.h"
#include "logging.h"

#include <QCoreApplication>

#include <algorithm>

namespace jobmonitor {

// The overrun timer waits in one go: the limits keep the longest grace within what a QTimer
// can wait (a longer interval would silently disarm it).
static_assert(limits::maxTerminationWait + ShutdownCoordinator::overrunMargin <=
              limits::maxTimerInterval);

ShutdownCoordinator::ShutdownCoordinator(JobSupervisor *supervisor, QObject *parent)
    : QObject(parent)
    , m_supervisor(supervisor) {
    m_overrun.setSingleShot(true);
    connect(&m_overrun, &QTimer::timeout, this,
            [this] { forceNow(QStringLiteral("shutdown overran the grace period")); });
}

void ShutdownCoordinator::requestShutdown(const QString &why, int exitStatus) {
    if (m_shuttingDown) {
        forceNow(why);
        return;
    }
    spdlog::info("shutdown requested: {} (exit status {})", why, exitStatus);
    m_shuttingDown = true;
    m_exitStatus = exitStatus;
    Q_EMIT shuttingDownChanged();
    // Validated jobs never reach the bound; a spec that slipped past it gets forced early
    // rather than never.
    m_overrun.start(std::min(largestGrace(), limits::maxTimerInterval - overrunMargin) +
                    overrunMargin);
    QCoro::connect(m_supervisor->shutdown(), this, [this] { onShutdownCompleted(); });
}

void ShutdownCoordinator::forceNow(const QString &why) {
    if (!m_shuttingDown)
        requestShutdown(why, 0);
    if (m_forced)
        return;
    spdlog::warn("shutdown forced: {}: SIGKILL to every job", why);
    m_forced = true;
    m_overrun.stop();
    Q_EMIT forcedChanged();
    // The second call kills at once and completes together with the first, whose completion
    // ends the application.
    QCoro::connect(m_supervisor->shutdown(), this, [] {});
}

void ShutdownCoordinator::onShutdownCompleted() {
    m_overrun.stop();
    spdlog::info("shutdown complete, exit status {}", m_exitStatus);
    // Queued, so that a shutdown completing before the event loop runs still ends it.
    QMetaObject::invokeMethod(
        this,
        [this] {
            Q_EMIT finished(m_exitStatus);
            QCoreApplication::exit(m_exitStatus);
        },
        Qt::QueuedConnection);
}

std::chrono::milliseconds ShutdownCoordinator::largestGrace() const {
    std::chrono::milliseconds grace{0};
    for (const Job *job : m_supervisor->jobs())
        if (!isFinal(job->state()))
            grace = std::max(grace, job->spec().termination.grace());
    return grace;
}

} // namespace jobmonitor
