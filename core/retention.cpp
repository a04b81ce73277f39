#include "retention.h"

#include <QDir>
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

QString RetentionPolicy::settingsFile(const QString &stateDir, bool stateDirGiven) {
    const QString name = QStringLiteral("jobmonitor.conf");
    if (stateDirGiven)
        return QDir(stateDir).filePath(name);
    // A relative $XDG_CONFIG_HOME is invalid and ignored (XDG base directory spec).
    const QString xdg = qEnvironmentVariable("XDG_CONFIG_HOME");
    const QString base =
        QDir::isAbsolutePath(xdg) ? xdg : QDir::homePath() + QStringLiteral("/.config");
    return QDir(base).filePath(QStringLiteral("jobmonitor/") + name);
}

} // namespace jobmonitor
