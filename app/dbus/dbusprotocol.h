#pragma once

#include "jobrecord.h"
#include "jobspec.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace jobmonitor::dbus {

// The window's D-Bus interface (io.github.jobmonitor.JobMonitor1.xml) as both ends use it: the
// names, and the one conversion of specs and jobs to and from their dictionaries.
inline const QString ServiceName = QStringLiteral("io.github.jobmonitor.JobMonitor");
inline const QString ObjectPath = QStringLiteral("/io/github/jobmonitor/JobMonitor");
inline const QString InterfaceName = QStringLiteral("io.github.jobmonitor.JobMonitor1");
inline const QString UnknownJobError =
    QStringLiteral("io.github.jobmonitor.JobMonitor1.Error.UnknownJob");
inline const QString NotAllowedError =
    QStringLiteral("io.github.jobmonitor.JobMonitor1.Error.NotAllowed");

// Registers the container types the interface carries (aa{sv}); call before the first call.
void registerTypes();

// A spec for Add: what equals a default JobSpec's value is left out, so the window applies
// its own defaults for nothing the caller chose (its settings' grace period, for one). A
// termination sequence the caller gave goes in even when it equals the built-in default.
QVariantMap specToMap(const JobSpec &spec, bool terminationGiven = false);
// The spec of an Add call, or nullopt and a message naming the bad key. The spec's values are
// checked by JobSpec::validate() afterwards, by the caller.
std::optional<JobSpec> specFromMap(const QVariantMap &map, QString *error);

// A job for Get and List: the fields of `history --json` without those not known (D-Bus has
// no null).
QVariantMap recordToMap(const JobRecord &record);
// The line of `history --json` for a job received as a map: what was left out as unknown is
// null again.
QJsonObject recordJsonFromMap(const QVariantMap &map);

} // namespace jobmonitor::dbus
