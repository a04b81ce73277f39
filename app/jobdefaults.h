#pragma once

#include "commandline.h"

#include <chrono>
#include <optional>

namespace jobmonitor {

// The window's defaults that the settings dialog edits, kept in the settings file
// (settingsfile.h, the [defaults] group): the grace period between SIGTERM and SIGKILL of a job
// the window starts without one given (from the New job form, its own --job, `jobmonitor add`
// and a second start's hand-over), and how many jobs run at once (the overall limit the status
// bar shows). A headless run is what its command line says and reads neither.
struct JobDefaults {
    // The built-in values: those of a command line that gives neither option.
    std::chrono::milliseconds grace = JobSpec().termination.grace();
    int maxParallel = CommandLineOptions().maxParallel;

    // The file's values; the built-in one (and a line in the log) for a value that is missing,
    // not a number or outside the limits of joblimits.h.
    static JobDefaults load();
    void save() const;
    bool operator==(const JobDefaults &) const = default;
};

// What this run's command line set of those (--grace or --termseq, --max-parallel): it wins
// over the settings until the window exits, and the settings dialog says so.
struct CommandLineDefaults {
    std::optional<std::chrono::milliseconds> grace;
    std::optional<int> maxParallel;

    static CommandLineDefaults of(const CommandLineOptions &options);
    // What the run holds to: these values where given, the settings' elsewhere.
    JobDefaults over(JobDefaults settings) const;
};

// Why a grace period cannot end a job (JobSpec::problems(), as for every job's termination),
// or an empty string.
QString graceProblem(std::chrono::milliseconds grace);

// The window's command line: main() sets it before the window loads; until then it sets
// nothing.
void setCommandLineDefaults(const CommandLineDefaults &defaults);
CommandLineDefaults commandLineDefaults();

// The defaults of this run: the settings file's, with the command line's on top.
JobDefaults effectiveJobDefaults();

} // namespace jobmonitor
