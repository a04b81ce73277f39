#pragma once

#include <QString>

#include <optional>

namespace jobmonitor {

// The one place that names signals, for people and for parsing. Every text that mentions a
// signal goes through here, so a kill reads the same in the list, the timeline, the log and
// the headless stream.

// "KILL", "TERM", "RTMIN+2"; the number for a signal without a name.
QString signalAbbreviation(int signal);
// "signal 9 (SIGKILL)".
QString signalDescription(int signal);
// "TERM", "SIGTERM", "term" or "15"; nullopt for anything that is not a valid signal.
std::optional<int> parseSignal(const QString &text);
bool isValidSignal(int signal);

} // namespace jobmonitor
