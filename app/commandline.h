#pragma once

#include "jobspec.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace jobmonitor {

// What the command line asked for, validated: every value is usable as it stands.
struct CommandLineOptions {
    bool headless = false;
    bool json = false;
    QStringList jobs;
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
};

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
