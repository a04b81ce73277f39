#pragma once

#include "jobrecord.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace jobmonitor {

// The subcommands that read the job history from the state folder's store, with or without a
// window running (the store is shared; these open it as a client, which also recovers the
// jobs of runs that died):
//   jobmonitor history [--json] [--state STATE] [--search TEXT] [--since ISO-8601]
//                      [--limit N] [--state-dir DIR]
//   jobmonitor log ID [--attempt N] [--stdout | --stderr] [--follow] [--state-dir DIR]
// Exit status: 0; 1 when the output asked for is not there (not saved, removed by retention);
// 2 for an unknown job or attempt; 64 for a bad command line.
bool isClientCommand(const QStringList &arguments);
// arguments: argv, program name first. Needs an application object (for the SQL driver).
int runClientCommand(const QStringList &arguments, const QString &defaultStateDir);

inline constexpr int UnknownJobStatus = 2;

// One line of `history --json`: every field of the record, times in ISO 8601 UTC with
// milliseconds (null when not known), exitCode and signal only when known.
QJsonObject jobRecordJson(const JobRecord &record);

} // namespace jobmonitor
