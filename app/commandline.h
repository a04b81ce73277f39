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
    std::chrono::milliseconds grace{5000};
    std::chrono::milliseconds timeout{0}; // per attempt; 0: none
    bool timeoutAuto = false;             // --timeout auto: learned from history
    int retries = 0;
    int maxParallel = 4;
    QString stateDir; // exists and is writable

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
// directory is created when missing; defaultStateDir is used without --state-dir.
CommandLineResult parseCommandLine(const QStringList &arguments, const QString &defaultStateDir);

} // namespace jobmonitor
