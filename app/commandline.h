#pragma once

#include "dependencies.h"
#include "jobgroup.h"
#include "jobspec.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace jobmonitor {

// The options of one job as typed on a command line, not yet checked.
struct JobOptionValues {
    std::optional<QString> name;
    std::optional<QString> workingDirectory; // --cwd
    QStringList environment;                 // --env K=V, repeatable
    std::optional<QString> timeout;
    std::optional<QString> retries;
    std::optional<QString> grace;
    std::optional<QString> termseq;
    std::optional<QString> memoryLimit; // --memory-limit 2G
    std::optional<QString> nice;
    std::optional<QString> ionice;
    std::optional<QString> progress; // a regular expression
};

// How one --job queues, from the options that follow it (--after, --after-any, --group,
// --at or --delay, --priority).
struct CommandLineQueueing {
    QList<BatchDependency> after;                   // on earlier or later --jobs, by their place
    QString group;                                  // empty: the default group
    QDateTime startAt;                              // --at; invalid: none
    std::optional<std::chrono::milliseconds> delay; // --delay, counted from when jobs are added
    int priority = 0;
};

// One per-job queueing option as a front end that adds one job at a time (`jobmonitor add`,
// D-Bus) takes it: its name without "--" (after, after-any, group, at, delay, priority) and
// its value, in the order given.
struct QueueOption {
    QString name;
    QString value;
};
bool isQueueOption(const QString &name);
// The one parser of those options, shared with the headless command line: fills spec's
// group, priority, start time (a --delay counts from now) and dependencies (--after and
// --after-any name job ids, several as 12,13 or repeated). An error message naming the
// option, or an empty string; whether the group and the jobs exist is JobService::add's to
// check.
QString applyQueueOptions(const QList<QueueOption> &options, const QDateTime &now, JobSpec &spec);

// A group's limits as --group-parallel and --group-rate set them for this run; what is not
// given stays as the group has it.
struct CommandLineGroup {
    QString name;
    std::optional<int> maxParallel;
    std::optional<StartRate> rate;

    GroupSettings appliedTo(GroupSettings settings) const;
};

// What the command line asked for, validated: every value is usable as it stands.
struct CommandLineOptions {
    bool headless = false;
    bool json = false;
    bool newInstance = false; // --new-instance: a window of its own even when one runs
    bool output = false;      // --output: headless, every job's output lines too
    QStringList jobs;
    QList<JobOptionValues> jobOptions;   // per --job: the --name, --cwd and --env after it
    QList<CommandLineQueueing> queueing; // one per job, in the same order
    // Groups named by --group, --group-parallel or --group-rate, in the order first named.
    QList<CommandLineGroup> groups;
    // --termseq, or --grace as TerminationSequence::standard()
    TerminationSequence termination =
        TerminationSequence::standard(std::chrono::milliseconds(5000));
    std::chrono::milliseconds timeout{0}; // per attempt; 0: none
    bool timeoutAuto = false;             // --timeout auto: learned from history
    int retries = 0;
    qint64 memoryLimitBytes = 0;          // --memory-limit; 0: none
    std::optional<int> niceness;          // --nice
    std::optional<IoPriority> ioPriority; // --ionice
    QString progressPattern;              // --progress
    int maxParallel = 4;
    // Whether --grace or --termseq, and --max-parallel, were given: a window then holds to them
    // for this run, over the defaults of its settings (jobdefaults.h).
    bool terminationGiven = false;
    bool maxParallelGiven = false;
    qint64 memfreeBytes = 0; // --memfree: no job starts with less memory available; 0: none
    QString stateDir;        // absolute, private (ensurePrivateDirectory) and writable
    QString settingsFile;    // settingsFileInStateDir() with --state-dir, else the default
    QStringList notes;       // for the log once it is set up ("made state folder ... private")

    // The spec of a job started with --job, carrying the defaults given on the command line.
    JobSpec jobSpec(const QString &command) const;
    // The spec of the index-th --job: those defaults and its own options.
    JobSpec jobSpecAt(qsizetype index) const;
    // Every --job with its defaults and its queueing, ready for JobService::addBatch; a --delay
    // counts from now.
    QList<BatchJob> batch(const QDateTime &now) const;
};

// Applies the values to spec and checks the result with JobSpec::problems(): the one reading of
// job options for every command line that has them (the defaults of the window's and the
// headless mode's --job, `jobmonitor add`). Returns a usage message naming the option
// ("--timeout: ..."), or an empty string. Problems of the spec's command are the caller's.
QString applyJobOptions(const JobOptionValues &values, JobSpec *spec);

// The one reading of a number of jobs at once (--max-parallel, the settings file): a whole
// number from 1 to limits::maxParallel; nullopt and why for error (without the option's name).
std::optional<int> parseMaxParallel(const QString &text, QString *error);

// Either options to run with, or an early exit: --help and --version (status 0, text for
// stdout) or a usage error (status 64, one line naming the option, for stderr).
struct CommandLineResult {
    std::optional<CommandLineOptions> options;
    int exitStatus = 0;
    QString output;
    bool outputIsError = false;
};

inline constexpr int UsageErrorStatus = 64; // EX_USAGE from sysexits.h

// Parses arguments (argv, program name first) without needing an application object, so the
// caller can choose between a QCoreApplication and a QGuiApplication afterwards. The state
// directory is created when missing; defaultStateDir is used without --state-dir. Values are
// checked by JobSpec::validate() against the limits of joblimits.h, like every front end's.
CommandLineResult parseCommandLine(const QStringList &arguments, const QString &defaultStateDir);

} // namespace jobmonitor
