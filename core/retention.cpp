#include "retention.h"

#include <QSettings>

namespace jobmonitor {

namespace {
constexpr char KeepDaysKey[] = "history/keepDays";
constexpr char MaxOutputKey[] = "history/maxOutputBytes";
constexpr int MaxKeepDays = 100 * 365;
} // namespace

RetentionPolicy RetentionPolicy::load(const QString &settingsFile) {
    RetentionPolicy policy;
    const QSettings settings(settingsFile, QSettings::IniFormat);
    bool ok = false;
    const int days = settings.value(QLatin1String(KeepDaysKey)).toInt(&ok);
    if (ok && days >= 1 && days <= MaxKeepDays)
        policy.keepDays = days;
    const qint64 bytes = settings.value(QLatin1String(MaxOutputKey)).toLongLong(&ok);
    if (ok && bytes >= 0)
        policy.maxOutputBytes = bytes;
    return policy;
}

void RetentionPolicy::save(const QString &settingsFile) const {
    QSettings settings(settingsFile, QSettings::IniFormat);
    settings.setValue(QLatin1String(KeepDaysKey), keepDays);
    settings.setValue(QLatin1String(MaxOutputKey), maxOutputBytes);
}

} // namespace jobmonitor
