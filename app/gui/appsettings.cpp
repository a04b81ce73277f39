#include "appsettings.h"

#include "appcontroller.h"
#include "jobservice.h"
#include "keepawake.h"
#include "notifier.h"
#include "retention.h"
#include "settingsfile.h"

#include <cmath>

namespace jobmonitor {

namespace {
constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
constexpr int MaxKeepDays = 100 * 365;
constexpr double MaxOutputGiB = 1024.0 * 1024.0; // 1 PiB
constexpr int MaxNotifyAfterSeconds = 7 * 24 * 3600;
} // namespace

AppSettings::AppSettings(QObject *parent)
    : QObject(parent) {
    reload();
}

void AppSettings::reload() {
    const RetentionPolicy retention = RetentionPolicy::load(settingsFile());
    m_keepDays = retention.keepDays;
    m_maxOutputGiB = double(retention.maxOutputBytes) / GiB;
    const Notifier::Settings notifications = Notifier::Settings::load();
    m_notificationsEnabled = notifications.enabled;
    m_notifyAfterSeconds = int(notifications.minimumRun.count());
    m_showRunning = notifications.showRunning;
    m_keepAwake = KeepAwake::enabledInSettings();
    Q_EMIT changed();
}

QString AppSettings::save() {
    if (m_keepDays < 1 || m_keepDays > MaxKeepDays)
        return tr("Keep jobs for 1 to %1 days").arg(MaxKeepDays);
    if (!std::isfinite(m_maxOutputGiB) || m_maxOutputGiB < 0 || m_maxOutputGiB > MaxOutputGiB)
        return tr("Keep output up to 0 to %1 GiB").arg(MaxOutputGiB, 0, 'f', 0);
    if (m_notifyAfterSeconds < 0 || m_notifyAfterSeconds > MaxNotifyAfterSeconds)
        return tr("Announce jobs that ran 0 to %1 seconds or longer").arg(MaxNotifyAfterSeconds);
    RetentionPolicy retention;
    retention.keepDays = m_keepDays;
    retention.maxOutputBytes = qint64(std::llround(m_maxOutputGiB * GiB));
    retention.save(settingsFile());
    Notifier::Settings notifications;
    notifications.enabled = m_notificationsEnabled;
    notifications.minimumRun = std::chrono::seconds(m_notifyAfterSeconds);
    notifications.showRunning = m_showRunning;
    notifications.save();
    KeepAwake::saveEnabled(m_keepAwake);
    JobService *service = m_service;
    if (!service)
        if (const AppController *controller = AppController::of(this))
            service = controller->service();
    if (service)
        service->setRetention(retention);
    return {};
}

} // namespace jobmonitor
