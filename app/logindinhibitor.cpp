#include "logindinhibitor.h"

#include "joblimits.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>

#include <algorithm>

namespace jobmonitor {

namespace {
const QString Service = QStringLiteral("org.freedesktop.login1");
const QString Path = QStringLiteral("/org/freedesktop/login1");
const QString Interface = QStringLiteral("org.freedesktop.login1.Manager");
const QString DelayMaxProperty = QStringLiteral("InhibitDelayMaxUSec");

using std::chrono::milliseconds;
} // namespace

milliseconds LogindInhibitor::killDeadline(milliseconds allowed) {
    using namespace std::chrono_literals;
    const milliseconds margin = std::clamp(allowed / 10, milliseconds(100ms), milliseconds(1s));
    return std::max(allowed - margin, milliseconds(0));
}

LogindInhibitor::LogindInhibitor(JobSupervisor *supervisor, ShutdownCoordinator *coordinator,
                                 QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_supervisor(supervisor)
    , m_coordinator(coordinator)
    , m_bus(std::move(bus)) {
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, m_coordinator, [this] {
        m_coordinator->forceNow(QStringLiteral("logind's shutdown delay is running out"));
    });
    if (!m_bus.isConnected()) {
        giveUp(QStringLiteral("no system D-Bus (%1)").arg(m_bus.lastError().message()));
        return;
    }
    readDelayMax();
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

void LogindInhibitor::readDelayMax() {
    QDBusMessage call = QDBusMessage::createMethodCall(
        Service, Path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    call << Interface << DelayMaxProperty;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(
        watcher, &QDBusPendingCallWatcher::finished, this,
        [this](QDBusPendingCallWatcher *watcher) {
            watcher->deleteLater();
            const QDBusPendingReply<QDBusVariant> reply = *watcher;
            bool ok = false;
            const qulonglong usec = reply.isError() ? 0 : reply.value().variant().toULongLong(&ok);
            if (ok) {
                // Microseconds to milliseconds, saturated far below what overflows.
                m_delayMax = milliseconds(qint64(
                    std::min<qulonglong>(usec / 1000, qulonglong(limits::maxTimeout.count()))));
                return;
            }
            // Without logind on the bus, the lock request says so.
            const QDBusError::ErrorType type = reply.error().type();
            if (type == QDBusError::ServiceUnknown ||
                reply.error().name() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner"))
                return;
            spdlog::info("logind: cannot read {} ({}); assuming logind's default of {}",
                         DelayMaxProperty,
                         reply.isError() ? reply.error().message() : QStringLiteral("not a number"),
                         describeDuration(DefaultDelayMax));
        });
}

void LogindInhibitor::onPrepareForShutdown(bool starting) {
    if (!starting)
        return;
    const milliseconds grace = m_coordinator->largestGrace();
    const bool active = m_supervisor->activeCount() > 0;
    // A shutdown already under way goes on: a second request would skip every grace period
    // at once, and logind allows some of them.
    if (!m_coordinator->isShuttingDown())
        m_coordinator->requestShutdown(QStringLiteral("system shutdown"), 0);
    if (!active)
        return;
    const milliseconds allowed = m_delayMax.value_or(DefaultDelayMax);
    const milliseconds deadline = killDeadline(allowed);
    if (grace <= deadline) {
        spdlog::info("logind allows {}; every job's grace period is shorter",
                     describeDuration(allowed));
        return;
    }
    spdlog::warn("logind allows {}; jobs with a longer grace are killed after {}",
                 describeDuration(allowed), describeDuration(deadline));
    // Shorter than the longest grace, which the limits keep within a QTimer's range.
    m_deadline.start(deadline);
}

} // namespace jobmonitor
