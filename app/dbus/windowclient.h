#pragma once

#include "commandline.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace jobmonitor {

// The subcommands that act on the running window's jobs over the session bus:
//   jobmonitor add [--name N] [--cwd DIR] [--env K=V]... [--timeout S|auto] [--retries N]
//                  [--grace MS | --termseq SEQ] [--wait] [--state-dir DIR] -- COMMAND...
//   jobmonitor status [--json] [ID...]
//   jobmonitor cancel|kill|retry|remove ID...
//   jobmonitor wait ID...
// `add` starts the window (detached, in a session of its own) when none runs. Exit status: 0;
// 1 when a job did not complete or an action was not allowed; 2 for an unknown id; 64 for a
// bad command line; 69 when no window runs (add: none could be started); 77 when the window
// refuses the caller. add --wait: the job's exit code, 128 + its signal, or 1.
bool isWindowCommand(const QStringList &arguments);
// arguments: argv, program name first. Needs an application object.
int runWindowCommand(const QStringList &arguments);

// For `jobmonitor [--job CMD]...` while a window runs on the session bus: hands it the jobs,
// raises it and prints the new ids, one a line; returns the exit status. nullopt when no
// window can be reached (no session bus, or nobody owns the name): start one.
std::optional<int> handOverToRunningWindow(const CommandLineOptions &options);

inline constexpr int NoWindowStatus = 69; // EX_UNAVAILABLE
inline constexpr int RefusedStatus = 77;  // EX_NOPERM

} // namespace jobmonitor
