#pragma once

#include <QString>

namespace jobmonitor {

// The application's name on the desktop: its desktop file's (without ".desktop"), by which
// notifications, the job tracker, the launcher entry and the window's task bar entry find it.
inline const QString DesktopEntryId = QStringLiteral("io.github.jobmonitor.JobMonitor");

} // namespace jobmonitor
