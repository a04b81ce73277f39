#pragma once

#include <QDBusConnection>
#include <QObject>

namespace jobmonitor {

class JobService;

// The count of active jobs on the app's icon in docks and task managers (Plasma's, GNOME's Dash
// to Dock, Unity): com.canonical.Unity.LauncherEntry's Update signal for the desktop file,
// sent whenever the count changes; no count shown when none is active.
class LauncherEntry : public QObject {
    Q_OBJECT
public:
    LauncherEntry(JobService *service, QDBusConnection bus, QObject *parent = nullptr);

    static inline const QString AppUri =
        QStringLiteral("application://io.github.jobmonitor.JobMonitor.desktop");

private:
    void update();

    JobService *m_service;
    QDBusConnection m_bus;
    int m_shown = -1;
};

} // namespace jobmonitor
