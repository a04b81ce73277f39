#include "logindinhibitor.h"

#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace jobmonitor {

namespace {
const QString Service = QStringLiteral("org.freedesktop.login1");
const QString Path = QStringLiteral("/org/freedesktop/login1");
const QString Interface = QStringLiteral("org.freedesktop.login1.Manager");
} // namespace

LogindInhibitor::LogindInhibitor(JobSupervisor *supervisor, ShutdownCoordinator *coordinator,
                                 QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_supervisor(supervisor)
    , m_coordinator(coordinator)
    , m_bus(std::move(bus)) {
    if (!m_bus.isConnected()) {
        giveUp(QStringLiteral("no system D-Bus (%1)").arg(m_bus.lastError().message()));
        return;
    }
    m_bus.connect(Service, Path, Interface, QStringLiteral("PrepareForShutdown"), this,
                  SLOT(onPrepareForShutdown(bool)));
    connect(m_supervisor, &JobSupervisor::countersChanged, this, &LogindInhibitor::update);
    update();
}

void LogindInhibitor::update() {
    if (!m_available)
        return;
    if (m_supervisor->activeCount() > 0 && !m_coordinator->isShuttingDown())
        acquire();
    else if (m_supervisor->activeCount() == 0)
        release();
}

void LogindInhibitor::acquire() {
    if (m_lock.isValid() || m_requestPending)
        return;
    m_requestPending = true;
    QDBusMessage call =
        QDBusMessage::createMethodCall(Service, Path, Interface, QStringLiteral("Inhibit"));
    // Shutdown only: nothing needs doing before a suspend, and a sleep delay lock that is not
    // released on PrepareForSleep would hold up every suspend for logind's InhibitDelayMaxSec.
    call << QStringLiteral("shutdown") << QStringLiteral("Job Monitor")
         << QStringLiteral("Stopping running jobs gracefully") << QStringLiteral("delay");
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this](QDBusPendingCallWatcher *watcher) {
                watcher->deleteLater();
                m_requestPending = false;
                const QDBusPendingReply<QDBusUnixFileDescriptor> reply = *watcher;
                if (reply.isError()) {
                    giveUp(QStringLiteral("logind refused an inhibitor lock: %1")
                               .arg(reply.error().message()));
                    return;
                }
                m_lock = reply.value();
                spdlog::info("logind: holding a delay inhibitor for shutdown while jobs run");
                // Jobs may have ended while the call was under way.
                update();
            });
}

void LogindInhibitor::release() {
    if (!m_lock.isValid())
        return;
    // Closing our copy of the descriptor releases the lock.
    m_lock = QDBusUnixFileDescriptor();
    spdlog::info("logind: inhibitor released");
}

void LogindInhibitor::giveUp(const QString &why) {
    m_available = false;
    spdlog::info("logind: {}; shutdown and logout will not wait for jobs", why);
}

void LogindInhibitor::onPrepareForShutdown(bool starting) {
    if (starting)
        m_coordinator->requestShutdown(QStringLiteral("system shutdown"), 0);
}

} // namespace jobmonitor
