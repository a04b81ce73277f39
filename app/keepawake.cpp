#include "keepawake.h"

#include "jobservice.h"
#include "logging.h"
#include "settingsfile.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace jobmonitor {

namespace {
const QString SettingsKey = QStringLiteral("power/keepAwake");
} // namespace

bool KeepAwake::enabledInSettings() {
    const std::unique_ptr<QSettings> settings = openSettings();
    return settings && settings->value(SettingsKey, false).toBool();
}

void KeepAwake::saveEnabled(bool enabled) {
    if (const std::unique_ptr<QSettings> settings = openSettings())
        settings->setValue(SettingsKey, enabled);
}

KeepAwake::KeepAwake(JobService *service, QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_bus(std::move(bus)) {
    connect(service, &JobService::countersChanged, this, &KeepAwake::update);
    update();
}

void KeepAwake::update() {
    const int active = m_service->activeCount();
    if (active == 0) {
        if (m_lock.isValid())
            spdlog::info("keep awake: no job runs, sleep allowed again");
        m_lock = QDBusUnixFileDescriptor(); // closing our copy releases it
        m_lockedFor = 0;
        return;
    }
    if (!m_available || m_requestPending || active == m_lockedFor)
        return;
    if (!m_bus.isConnected()) {
        m_available = false;
        spdlog::info("keep awake: no system D-Bus ({}); the computer may sleep while jobs run",
                     m_bus.lastError().message());
        return;
    }
    m_requestPending = true;
    QDBusMessage call = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.login1"), QStringLiteral("/org/freedesktop/login1"),
        QStringLiteral("org.freedesktop.login1.Manager"), QStringLiteral("Inhibit"));
    call << QStringLiteral("sleep:idle") << QStringLiteral("Job Monitor")
         << tr("%n job(s) running", "", active) << QStringLiteral("block");
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, active] {
        watcher->deleteLater();
        m_requestPending = false;
        const QDBusPendingReply<QDBusUnixFileDescriptor> reply = *watcher;
        if (reply.isError()) {
            m_available = false;
            spdlog::info("keep awake: logind refused ({}); the computer may sleep "
                         "while jobs run",
                         reply.error().message());
            return;
        }
        // The new lock is held before the old one (with the old count) goes.
        m_lock = reply.value();
        m_lockedFor = active;
        update(); // the count may have changed meanwhile
    });
}

} // namespace jobmonitor
