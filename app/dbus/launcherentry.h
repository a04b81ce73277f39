#pragma once

#include "desktopentry.h"

#include <QDBusConnection>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace jobmonitor {

class JobService;

// The count of active jobs on the app's icon in docks and task managers (Plasma's, GNOME's Dash
// to Dock, Unity), and how far the running jobs have got: com.canonical.Unity.LauncherEntry's
// Update signal for the desktop file, sent whenever the count changes and, while jobs are
// active, whenever their mean progress moves by a whole percent (looked at every
// ProgressInterval). No count shown when none is active, no progress when none shows any.
class LauncherEntry : public QObject {
    Q_OBJECT
public:
    LauncherEntry(JobService *service, QDBusConnection bus, QObject *parent = nullptr);

    static inline const QString AppUri =
        QStringLiteral("application://%1.desktop").arg(DesktopEntryId);
    static constexpr std::chrono::milliseconds ProgressInterval{1000};

    // The mean progress (0..1) of the running jobs that show any, estimates included; nullopt
    // when none does.
    static std::optional<double> meanProgress(const JobService &service);

private:
    void update();

    JobService *m_service;
    QDBusConnection m_bus;
    QTimer m_progressCheck;
    int m_shown = -1;
    int m_shownPercent = -1; // -1: no progress shown
};

} // namespace jobmonitor
