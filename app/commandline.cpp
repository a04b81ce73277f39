#include "commandline.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cmath>
#include <limits>

namespace jobmonitor {

using std::chrono::milliseconds;

JobSpec CommandLineOptions::jobSpec(const QString &command) const {
    JobSpec spec;
    spec.command = command;
    spec.timeout = timeout;
    spec.timeoutAuto = timeoutAuto;
    spec.maxAttempts = 1 + retries;
    spec.termination = TerminationSequence::standard(grace);
    return spec;
}

namespace {

struct UsageError {
    QString message;
};

std::optional<int> parseCount(const QString &text, int minimum) {
    bool ok = false;
    const qlonglong value = text.trimmed().toLongLong(&ok);
    if (!ok || value < minimum || value > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(value);
}

QString quoted(const QString &value) {
    return QLatin1Char('\'') + value + QLatin1Char('\'');
}

// Creates the directory when missing and proves it writable by creating a file in it: a
// permission check alone says nothing when running as root or on a read-only mount.
std::optional<UsageError> checkStateDir(const QString &path) {
    if (path.trimmed().isEmpty())
        return UsageError{QStringLiteral("--state-dir: the directory name is empty")};
    const QFileInfo info(path);
    if (info.exists() && !info.isDir())
        return UsageError{QStringLiteral("--state-dir: %1 is not a directory").arg(quoted(path))};
    if (!QDir().mkpath(path))
        return UsageError{QStringLiteral("--state-dir: cannot create %1").arg(quoted(path))};
    QTemporaryFile probe(QDir(path).filePath(QStringLiteral(".writable-XXXXXX")));
    if (!probe.open())
        return UsageError{QStringLiteral("--state-dir: cannot write in %1").arg(quoted(path))};
    return std::nullopt;
}

} // namespace

CommandLineResult parseCommandLine(const QStringList &arguments, const QString &defaultStateDir) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs long shell commands as jobs and ends every job's whole process tree on exit."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption jobOption(
        QStringLiteral("job"),
        QStringLiteral("Starts a job running <command> with /bin/sh -c (repeatable)."),
        QStringLiteral("command"));
    const QCommandLineOption headlessOption(
        QStringLiteral("headless"),
        QStringLiteral("No window: runs the jobs, prints each state change, exits when all have "
                       "ended (0 if all completed, 1 otherwise)."));
    const QCommandLineOption jsonOption(
        QStringLiteral("json"),
        QStringLiteral("With --headless: prints one JSON object per state change."));
    const QCommandLineOption graceOption(
        QStringLiteral("grace"),
        QStringLiteral("Time between SIGTERM and SIGKILL when a job is stopped (default 5000)."),
        QStringLiteral("ms"));
    const QCommandLineOption timeoutOption(
        QStringLiteral("timeout"),
        QStringLiteral("Time limit of each attempt, 0 for none, or auto: 1.2 times the mean "
                       "of the last successful runs of the same command in the same folder "
                       "(default 0)."),
        QStringLiteral("seconds"));
    const QCommandLineOption retriesOption(
        QStringLiteral("retries"),
        QStringLiteral("Retries after a failure or a timeout (default 0)."), QStringLiteral("n"));
    const QCommandLineOption maxParallelOption(QStringLiteral("max-parallel"),
                                               QStringLiteral("Jobs running at once (default 4)."),
                                               QStringLiteral("n"));
    const QCommandLineOption stateDirOption(
        QStringLiteral("state-dir"),
        QStringLiteral("Where logs and state go (default %1).").arg(defaultStateDir),
        QStringLiteral("dir"));
    parser.addOptions({jobOption, headlessOption, jsonOption, graceOption, timeoutOption,
                       retriesOption, maxParallelOption, stateDirOption});

    const QString program = QStringLiteral("jobmonitor");
    auto usageError = [&](const QString &message) {
        CommandLineResult result;
        result.exitStatus = UsageErrorStatus;
        result.output = program + QStringLiteral(": ") + message + QLatin1Char('\n');
        result.outputIsError = true;
        return result;
    };

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption)) {
        CommandLineResult result;
        result.output = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        CommandLineResult result;
        result.output =
            program + QLatin1Char(' ') + QStringLiteral(JOBMONITOR_VERSION) + QLatin1Char('\n');
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument %1 (commands go after --job)")
                              .arg(quoted(parser.positionalArguments().constFirst())));

    CommandLineOptions options;
    options.headless = parser.isSet(headlessOption);
    options.json = parser.isSet(jsonOption);
    options.jobs = parser.values(jobOption);
    for (const QString &command : std::as_const(options.jobs))
        if (command.trimmed().isEmpty())
            return usageError(QStringLiteral("--job: the command is empty"));
    if (options.json && !options.headless)
        return usageError(QStringLiteral("--json: only with --headless"));
    if (options.headless && options.jobs.isEmpty())
        return usageError(QStringLiteral("--headless: give at least one --job"));

    if (parser.isSet(graceOption)) {
        const QString text = parser.value(graceOption);
        const std::optional<int> grace = parseCount(text, 0);
        if (!grace)
            return usageError(
                QStringLiteral("--grace: %1 is not a whole number of milliseconds (0 or more)")
                    .arg(quoted(text)));
        options.grace = milliseconds(*grace);
    }
    if (parser.isSet(timeoutOption)) {
        const QString text = parser.value(timeoutOption);
        // auto: learned from the history when the job is added (JobService::add).
        options.timeoutAuto = text.trimmed() == QLatin1String("auto");
        if (!options.timeoutAuto) {
            bool ok = false;
            const double seconds = text.trimmed().toDouble(&ok);
            if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 365.0 * 24 * 3600)
                return usageError(
                    QStringLiteral("--timeout: %1 is not a number of seconds (0 or more) or auto")
                        .arg(quoted(text)));
            options.timeout = milliseconds(std::llround(seconds * 1000));
        }
    }
    if (parser.isSet(retriesOption)) {
        const QString text = parser.value(retriesOption);
        const std::optional<int> retries = parseCount(text, 0);
        if (!retries || *retries == std::numeric_limits<int>::max())
            return usageError(QStringLiteral("--retries: %1 is not a whole number (0 or more)")
                                  .arg(quoted(text)));
        options.retries = *retries;
    }
    if (parser.isSet(maxParallelOption)) {
        const QString text = parser.value(maxParallelOption);
        const std::optional<int> maxParallel = parseCount(text, 1);
        if (!maxParallel)
            return usageError(QStringLiteral("--max-parallel: %1 is not a whole number (1 or more)")
                                  .arg(quoted(text)));
        options.maxParallel = *maxParallel;
    }

    options.stateDir =
        parser.isSet(stateDirOption) ? parser.value(stateDirOption) : defaultStateDir;
    if (const std::optional<UsageError> error = checkStateDir(options.stateDir))
        return usageError(error->message);
    options.stateDir = QFileInfo(options.stateDir).absoluteFilePath();

    for (const QString &command : std::as_const(options.jobs))
        if (const QString problem = options.jobSpec(command).validate(); !problem.isEmpty())
            return usageError(QStringLiteral("--job: %1").arg(problem));

    CommandLineResult result;
    result.options = std::move(options);
    return result;
}

} // namespace jobmonitor
