#include "appsettings.h"

#include "appcontroller.h"
#include "jobdefaults.h"
#include "jobform.h"
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

QString seconds(std::chrono::milliseconds duration) {
    return QString::number(double(duration.count()) / 1000.0);
}

// The command line's messages start in lower case; the dialog's with a capital.
QString sentence(QString message) {
    if (!message.isEmpty())
        message[0] = message.at(0).toUpper();
    return message;
}
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
    const JobDefaults defaults = JobDefaults::load();
    m_grace = seconds(defaults.grace);
    m_maxParallel = defaults.maxParallel;
    const CommandLineDefaults given = commandLineDefaults();
    m_commandLineGrace = given.grace ? seconds(*given.grace) : QString();
    m_commandLineMaxParallel = given.maxParallel.value_or(0);
    Q_EMIT changed();
}

QString AppSettings::save() {
    if (m_keepDays < 1 || m_keepDays > MaxKeepDays)
        return tr("Keep jobs for 1 to %1 days").arg(MaxKeepDays);
    if (!std::isfinite(m_maxOutputGiB) || m_maxOutputGiB < 0 || m_maxOutputGiB > MaxOutputGiB)
        return tr("Keep output up to 0 to %1 GiB").arg(MaxOutputGiB, 0, 'f', 0);
    if (m_notifyAfterSeconds < 0 || m_notifyAfterSeconds > MaxNotifyAfterSeconds)
        return tr("Announce jobs that ran 0 to %1 seconds or longer").arg(MaxNotifyAfterSeconds);
    JobDefaults defaults;
    QString error;
    if (const std::optional<milliseconds> grace = JobForm::readGrace(m_grace, &error))
        defaults.grace = *grace;
    else
        return error;
    if (const std::optional<int> maxParallel =
            parseMaxParallel(QString::number(m_maxParallel), &error))
        defaults.maxParallel = *maxParallel;
    else
        return sentence(error);
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
    // Only a changed limit applies to the running queue, so that saving other settings keeps
    // what the status bar set for this run.
    const bool maxParallelChanged = defaults.maxParallel != JobDefaults::load().maxParallel;
    defaults.save();
    JobService *service = m_service;
    if (!service)
        if (const AppController *controller = AppController::of(this))
            service = controller->service();
    if (service) {
        service->setRetention(retention);
        if (maxParallelChanged && !commandLineDefaults().maxParallel)
            service->setMaxParallel(defaults.maxParallel);
    }
    return {};
}

} // namespace jobmonitor
