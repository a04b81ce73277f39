#pragma once

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

// What the command line asked for, validated: every value is usable as it stands.
struct CommandLineOptions {
    bool headless = false;
    bool json = false;
    bool newInstance = false; // --new-instance: a window of its own even when one runs
    bool output = false;      // --output: headless, every job's output lines too
    QStringList jobs;
    QList<JobOptionValues> jobOptions; // per --job: the --name, --cwd and --env after it
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
    qint64 memfreeBytes = 0; // --memfree: no job starts with less memory available; 0: none
    QString stateDir;        // absolute, private (ensurePrivateDirectory) and writable
    QString settingsFile;    // settingsFileInStateDir() with --state-dir, else the default
    QStringList notes;       // for the log once it is set up ("made state folder ... private")

    // The spec of a job started with --job, carrying the defaults given on the command line.
    JobSpec jobSpec(const QString &command) const;
    // The spec of the index-th --job: those defaults and its own options.
    JobSpec jobSpecAt(qsizetype index) const;
};

// Applies the values to spec and checks the result with JobSpec::problems(): the one reading of
// job options for every command line that has them (the defaults of the window's and the
// headless mode's --job, `jobmonitor add`). Returns a usage message naming the option
// ("--timeout: ..."), or an empty string. Problems of the spec's command are the caller's.
QString applyJobOptions(const JobOptionValues &values, JobSpec *spec);

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
