#include "commandline.h"

#include "joblimits.h"
#include "privatefiles.h"
#include "settingsfile.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <limits>
#include <variant>

namespace jobmonitor {

using std::chrono::milliseconds;

JobSpec CommandLineOptions::jobSpec(const QString &command) const {
    JobSpec spec;
    spec.command = command;
    spec.timeout = timeout;
    spec.timeoutAuto = timeoutAuto;
    spec.maxAttempts = 1 + retries;
    spec.termination = termination;
    spec.memoryLimitBytes = memoryLimitBytes;
    spec.niceness = niceness;
    spec.ioPriority = ioPriority;
    spec.progressPattern = progressPattern;
    return spec;
}

JobSpec CommandLineOptions::jobSpecAt(qsizetype index) const {
    JobSpec spec = jobSpec(jobs.at(index));
    // Checked when the command line was parsed.
    [[maybe_unused]] const QString error = applyJobOptions(jobOptions.value(index), &spec);
    Q_ASSERT(error.isEmpty());
    return spec;
}

namespace {

struct UsageError {
    QString message;
};

const QString sequencePrefix = QStringLiteral("termination sequence: ");

// A whole number, at least minimum; digits beyond the range of int saturate, so that the
// limit check names the limit instead of calling a long number "not a number".
std::optional<qint64> parseWholeNumber(const QString &text, qint64 minimum) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    for (const QChar c : trimmed)
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
    bool ok = false;
    const qint64 value = trimmed.toLongLong(&ok);
    if (!ok)
        return std::numeric_limits<qint64>::max();
    return value >= minimum ? std::optional<qint64>(value) : std::nullopt;
}

QString quoted(const QString &value) {
    return QLatin1Char('\'') + value + QLatin1Char('\'');
}

// The options that take a value, as the parser knows them.
const QStringList &valueOptions() {
    static const QStringList names{
        QStringLiteral("job"),       QStringLiteral("grace"),        QStringLiteral("termseq"),
        QStringLiteral("timeout"),   QStringLiteral("retries"),      QStringLiteral("max-parallel"),
        QStringLiteral("state-dir"), QStringLiteral("name"),         QStringLiteral("cwd"),
        QStringLiteral("env"),       QStringLiteral("memory-limit"), QStringLiteral("nice"),
        QStringLiteral("ionice"),    QStringLiteral("progress"),     QStringLiteral("memfree"),
    };
    return names;
}

// --name, --cwd and --env belong to the --job before them, which the parser cannot tell: one
// JobOptionValues per --job, in order.
std::variant<QList<JobOptionValues>, UsageError> perJobOptions(const QStringList &arguments) {
    QList<JobOptionValues> jobs;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break;
        if (!argument.startsWith(QLatin1String("--")))
            continue;
        const qsizetype equals = argument.indexOf(QLatin1Char('='));
        const QString name = argument.mid(2, equals < 0 ? -1 : equals - 2);
        if (!valueOptions().contains(name))
            continue;
        QString value;
        if (equals >= 0)
            value = argument.mid(equals + 1);
        else if (i + 1 < arguments.size())
            value = arguments.at(++i);
        if (name == QLatin1String("job")) {
            jobs.append(JobOptionValues{});
            continue;
        }
        const bool perJob = name == QLatin1String("name") || name == QLatin1String("cwd") ||
                            name == QLatin1String("env");
        if (!perJob)
            continue;
        if (jobs.isEmpty())
            return UsageError{
                QStringLiteral("--%1: give it after the --job it belongs to").arg(name)};
        JobOptionValues &job = jobs.last();
        if (name == QLatin1String("env")) {
            job.environment << value;
            continue;
        }
        std::optional<QString> &slot =
            name == QLatin1String("name") ? job.name : job.workingDirectory;
        if (slot)
            return UsageError{QStringLiteral("--%1: one per --job").arg(name)};
        slot = value;
    }
    return jobs;
}

// "--state-dir" after "--job" is far more likely a forgotten command than a command named so:
// a value that looks like an option must be written --job=VALUE. Negative numbers ("-5") do
// not look like options; they get the number's own message.
std::optional<UsageError> checkOptionLikeValues(const QStringList &arguments) {
    for (qsizetype i = 1; i + 1 < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break;
        if (!argument.startsWith(QLatin1String("--")) || !valueOptions().contains(argument.mid(2)))
            continue;
        const QString &value = arguments.at(i + 1);
        const bool looksLikeOption = value.size() > 1 && value.startsWith(QLatin1Char('-')) &&
                                     !value.at(1).isDigit() && value.at(1) != QLatin1Char('.');
        if (looksLikeOption) {
            return UsageError{QStringLiteral("%1: %2 looks like an option, not its value; write "
                                             "%1=%3 if it is meant as the value")
                                  .arg(argument, quoted(value), value)};
        }
        ++i; // the value is not an option of its own
    }
    return std::nullopt;
}

// Creates the directory when missing, private (see ensurePrivateDirectory), and proves it
// writable by creating a file in it: a permission check alone says nothing when running as
// root or on a read-only mount.
std::optional<UsageError> checkStateDir(const QString &path, QStringList *notes) {
    if (path.trimmed().isEmpty())
        return UsageError{QStringLiteral("--state-dir: the directory name is empty")};
    if (const QString error = ensurePrivateDirectory(path, QStringLiteral("state folder"), notes);
        !error.isEmpty())
        return UsageError{QStringLiteral("--state-dir: ") + error};
    QTemporaryFile probe(QDir(path).filePath(QStringLiteral(".writable-XXXXXX")));
    if (!probe.open())
        return UsageError{QStringLiteral("--state-dir: cannot write in %1").arg(quoted(path))};
    return std::nullopt;
}

// The option a spec problem belongs to.
QString optionFor(SpecProblem::Field field, bool termseqGiven) {
    switch (field) {
    case SpecProblem::Field::Timeout:
        return QStringLiteral("--timeout");
    case SpecProblem::Field::Retries:
        return QStringLiteral("--retries");
    case SpecProblem::Field::Termination:
        return termseqGiven ? QStringLiteral("--termseq") : QStringLiteral("--grace");
    case SpecProblem::Field::MemoryLimit:
        return QStringLiteral("--memory-limit");
    case SpecProblem::Field::Niceness:
        return QStringLiteral("--nice");
    case SpecProblem::Field::IoPriority:
        return QStringLiteral("--ionice");
    case SpecProblem::Field::ProgressPattern:
        return QStringLiteral("--progress");
    case SpecProblem::Field::WorkingDirectory:
        return QStringLiteral("--cwd");
    case SpecProblem::Field::Environment:
        return QStringLiteral("--env");
    case SpecProblem::Field::Command:
    case SpecProblem::Field::Backoff:
        break;
    }
    return QStringLiteral("--job");
}

QString withoutSequencePrefix(QString message) {
    if (message.startsWith(sequencePrefix))
        message.remove(0, sequencePrefix.size());
    return message;
}

} // namespace

QString applyJobOptions(const JobOptionValues &values, JobSpec *spec) {
    const bool termseqGiven = values.termseq.has_value();
    if (termseqGiven && values.grace) {
        return QStringLiteral("--grace and --termseq: give one of them (--grace MS is short for "
                              "--termseq TERM,0,CONT,MS,KILL)");
    }
    if (values.grace) {
        const QString &text = *values.grace;
        const std::optional<qint64> grace = parseWholeNumber(text, 0);
        if (!grace)
            return QStringLiteral("--grace: %1 is not a whole number of milliseconds (0 or more)")
                .arg(quoted(text));
        if (*grace > limits::maxTerminationWait.count())
            return QStringLiteral("--grace: %1 ms is too long: the limit is %2 ms (%3)")
                .arg(text.trimmed())
                .arg(limits::maxTerminationWait.count())
                .arg(describeDuration(limits::maxTerminationWait));
        spec->termination = TerminationSequence::standard(milliseconds(*grace));
    }
    if (termseqGiven) {
        QString error;
        const std::optional<TerminationSequence> sequence =
            TerminationSequence::parse(*values.termseq, &error);
        if (!sequence)
            return QStringLiteral("--termseq: ") + withoutSequencePrefix(error);
        spec->termination = *sequence;
    }
    if (values.timeout) {
        const QString &text = *values.timeout;
        // auto: learned from the history when the job is added (JobService::add).
        spec->timeoutAuto = text.trimmed() == QLatin1String("auto");
        if (!spec->timeoutAuto) {
            QString error;
            const std::optional<milliseconds> timeout = parseSeconds(text, &error);
            if (!timeout)
                return QStringLiteral("--timeout: ") + error;
            spec->timeout = *timeout;
        }
    }
    if (values.retries) {
        const QString &text = *values.retries;
        const std::optional<qint64> retries = parseWholeNumber(text, 0);
        if (!retries)
            return QStringLiteral("--retries: %1 is not a whole number (0 or more)")
                .arg(quoted(text));
        // Beyond the limit it only has to stay beyond it: JobSpec::validate() says which it is.
        spec->maxAttempts = 1 + int(std::min<qint64>(*retries, limits::maxRetries + 1));
    }
    if (values.memoryLimit) {
        QString error;
        const std::optional<qint64> bytes = parseByteSize(*values.memoryLimit, &error);
        if (!bytes)
            return QStringLiteral("--memory-limit: ") + error;
        if (*bytes == 0)
            return QStringLiteral("--memory-limit: give a size, like 2G");
        spec->memoryLimitBytes = *bytes;
    }
    if (values.nice) {
        const QString text = values.nice->trimmed();
        bool ok = false;
        const int niceness = text.toInt(&ok);
        if (!ok)
            return QStringLiteral("--nice: %1 is not a whole number (%2 to %3)")
                .arg(quoted(text))
                .arg(limits::minNiceness)
                .arg(limits::maxNiceness);
        spec->niceness = niceness;
    }
    if (values.ionice) {
        QString error;
        const std::optional<IoPriority> priority = IoPriority::parse(*values.ionice, &error);
        if (!priority)
            return QStringLiteral("--ionice: ") + error;
        spec->ioPriority = priority;
    }
    if (values.progress)
        spec->progressPattern = *values.progress;
    if (values.name)
        spec->name = *values.name;
    if (values.workingDirectory) {
        if (values.workingDirectory->trimmed().isEmpty())
            return QStringLiteral("--cwd: the directory name is empty");
        spec->workingDirectory = QFileInfo(*values.workingDirectory).absoluteFilePath();
    }
    for (const QString &assignment : values.environment) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        if (equals < 0)
            return QStringLiteral("--env: %1 is not NAME=VALUE").arg(quoted(assignment));
        spec->environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    for (const SpecProblem &problem : spec->problems()) {
        if (problem.field == SpecProblem::Field::Command)
            continue;
        const QString option = optionFor(problem.field, termseqGiven);
        return option + QStringLiteral(": ") +
               (option == QLatin1String("--termseq") ? withoutSequencePrefix(problem.message)
                                                     : problem.message);
    }
    return {};
}

CommandLineResult parseCommandLine(const QStringList &arguments, const QString &defaultStateDir) {
    const QString program = QStringLiteral("jobmonitor");
    const JobSpec defaults;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs long shell commands as jobs and ends every job's whole process tree on exit."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption jobOption(
        QStringLiteral("job"),
        QStringLiteral("Starts a job running <command> with /bin/sh -c (repeatable). A command "
                       "that starts with '-' is written --job=<command>."),
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
        QStringLiteral("Time between SIGTERM and SIGKILL when a job is stopped (default %1, at "
                       "most %2). Short for --termseq TERM,0,CONT,<ms>,KILL.")
            .arg(defaults.termination.grace().count())
            .arg(limits::maxTerminationWait.count()),
        QStringLiteral("ms"));
    const QCommandLineOption termseqOption(
        QStringLiteral("termseq"),
        QStringLiteral("How a job is stopped, as in GNU parallel: signals and the milliseconds "
                       "to wait after each, SIGKILL last (default %1; waits add up to at most "
                       "%2 ms).")
            .arg(defaults.termination.toString())
            .arg(limits::maxTerminationWait.count()),
        QStringLiteral("sequence"));
    const QCommandLineOption timeoutOption(
        QStringLiteral("timeout"),
        QStringLiteral("Time limit of each attempt, 0 for none (default 0, at most %1, at least "
                       "0.001), or auto: 1.2 times the mean of the last successful runs of the "
                       "same command in the same folder.")
            .arg(describeDuration(limits::maxTimeout)),
        QStringLiteral("seconds"));
    const QCommandLineOption retriesOption(
        QStringLiteral("retries"),
        QStringLiteral("Retries after a failure or a timeout (default 0, at most %1).")
            .arg(limits::maxRetries),
        QStringLiteral("n"));
    const QCommandLineOption maxParallelOption(
        QStringLiteral("max-parallel"),
        QStringLiteral("Jobs running at once (default 4, at most %1).").arg(limits::maxParallel),
        QStringLiteral("n"));
    const QCommandLineOption memoryLimitOption(
        QStringLiteral("memory-limit"),
        QStringLiteral("Most resident memory a job's processes may use together, like 2G or "
                       "512M (at least %1, at most %2); beyond it the job is stopped and fails.")
            .arg(describeBytes(limits::minMemoryLimitBytes),
                 describeBytes(limits::maxMemoryLimitBytes)),
        QStringLiteral("size"));
    const QCommandLineOption niceOption(
        QStringLiteral("nice"),
        QStringLiteral("CPU priority of the jobs' processes, as nice(1): %1 to %2.")
            .arg(limits::minNiceness)
            .arg(limits::maxNiceness),
        QStringLiteral("n"));
    const QCommandLineOption ioniceOption(
        QStringLiteral("ionice"),
        QStringLiteral("I/O priority of the jobs' processes, as ionice(1): idle, best-effort,N "
                       "or realtime,N (N from 0, first served, to 7)."),
        QStringLiteral("class[,level]"));
    const QCommandLineOption progressOption(
        QStringLiteral("progress"),
        QStringLiteral("How to read the jobs' progress from their output: a regular expression "
                       "with a named group (?<percent>...), or (?<done>...) and (?<total>...). "
                       "Without it, common forms are recognised (45%, [12/400], tqdm, pip...)."),
        QStringLiteral("regex"));
    const QCommandLineOption memfreeOption(
        QStringLiteral("memfree"),
        QStringLiteral("Starts no job while the machine has less memory available than this, "
                       "like 1G (MemAvailable in /proc/meminfo); jobs wait for memory."),
        QStringLiteral("size"));
    const QCommandLineOption stateDirOption(
        QStringLiteral("state-dir"),
        QStringLiteral("Where logs and state go, private to you (default %1). Settings then go "
                       "there too.")
            .arg(defaultStateDir),
        QStringLiteral("dir"));
    const QCommandLineOption newInstanceOption(
        QStringLiteral("new-instance"),
        QStringLiteral("A window of its own, even when one runs already (which otherwise gets the "
                       "--job commands)."));
    const QCommandLineOption outputOption(
        QStringLiteral("output"),
        QStringLiteral("With --headless: prints every job's output lines too, each after its job "
                       "id and a tab (standard error's on standard error)."));
    const QCommandLineOption nameOption(QStringLiteral("name"),
                                        QStringLiteral("A label for the --job before it."),
                                        QStringLiteral("name"));
    const QCommandLineOption cwdOption(
        QStringLiteral("cwd"),
        QStringLiteral("Where the --job before it runs (default: the current folder)."),
        QStringLiteral("dir"));
    const QCommandLineOption envOption(
        QStringLiteral("env"),
        QStringLiteral("An environment variable for the --job before it (repeatable)."),
        QStringLiteral("name=value"));
    parser.addOptions({jobOption, headlessOption, jsonOption, graceOption, termseqOption,
                       timeoutOption, retriesOption, maxParallelOption, stateDirOption,
                       newInstanceOption, outputOption, nameOption, cwdOption, envOption,
                       memoryLimitOption, niceOption, ioniceOption, progressOption, memfreeOption});

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
        // Without an application object the parser says "<executable_name>", with one the
        // path it was started by: the program's name is what a user types.
        result.output = parser.helpText();
        const QString usage = QStringLiteral("Usage: ");
        if (const qsizetype end = result.output.indexOf(QStringLiteral(" [options]"));
            result.output.startsWith(usage) && end > 0)
            result.output.replace(usage.size(), end - usage.size(), program);
        return result;
    }
    if (parser.isSet(versionOption)) {
        CommandLineResult result;
        result.output =
            program + QLatin1Char(' ') + QStringLiteral(JOBMONITOR_VERSION) + QLatin1Char('\n');
        return result;
    }
    if (const std::optional<UsageError> error = checkOptionLikeValues(arguments))
        return usageError(error->message);
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument %1 (commands go after --job)")
                              .arg(quoted(parser.positionalArguments().constFirst())));

    CommandLineOptions options;
    options.headless = parser.isSet(headlessOption);
    options.json = parser.isSet(jsonOption);
    options.newInstance = parser.isSet(newInstanceOption);
    options.output = parser.isSet(outputOption);
    options.jobs = parser.values(jobOption);
    for (const QString &command : std::as_const(options.jobs))
        if (command.trimmed().isEmpty())
            return usageError(QStringLiteral("--job: the command is empty"));
    if (options.json && !options.headless)
        return usageError(QStringLiteral("--json: only with --headless"));
    if (options.output && !options.headless)
        return usageError(QStringLiteral("--output: only with --headless"));
    auto perJob = perJobOptions(arguments);
    if (const UsageError *error = std::get_if<UsageError>(&perJob))
        return usageError(error->message);
    options.jobOptions = std::get<QList<JobOptionValues>>(std::move(perJob));
    if (options.headless && options.jobs.isEmpty())
        return usageError(QStringLiteral("--headless: give at least one --job"));

    JobOptionValues jobValues;
    const auto valueOf = [&parser](const QCommandLineOption &option) {
        return parser.isSet(option) ? std::optional<QString>(parser.value(option)) : std::nullopt;
    };
    jobValues.grace = valueOf(graceOption);
    jobValues.termseq = valueOf(termseqOption);
    jobValues.timeout = valueOf(timeoutOption);
    jobValues.retries = valueOf(retriesOption);
    jobValues.memoryLimit = valueOf(memoryLimitOption);
    jobValues.nice = valueOf(niceOption);
    jobValues.ionice = valueOf(ioniceOption);
    jobValues.progress = valueOf(progressOption);
    JobSpec jobDefaults = options.jobSpec(QStringLiteral("true"));
    if (const QString error = applyJobOptions(jobValues, &jobDefaults); !error.isEmpty())
        return usageError(error);
    options.termination = jobDefaults.termination;
    options.timeout = jobDefaults.timeout;
    options.timeoutAuto = jobDefaults.timeoutAuto;
    options.retries = jobDefaults.maxAttempts - 1;
    options.memoryLimitBytes = jobDefaults.memoryLimitBytes;
    options.niceness = jobDefaults.niceness;
    options.ioPriority = jobDefaults.ioPriority;
    options.progressPattern = jobDefaults.progressPattern;
    if (parser.isSet(memfreeOption)) {
        QString error;
        const std::optional<qint64> bytes = parseByteSize(parser.value(memfreeOption), &error);
        if (!bytes)
            return usageError(QStringLiteral("--memfree: ") + error);
        if (*bytes > limits::maxMemoryLimitBytes)
            return usageError(QStringLiteral("--memfree: at most %1")
                                  .arg(describeBytes(limits::maxMemoryLimitBytes)));
        options.memfreeBytes = *bytes;
    }
    if (parser.isSet(maxParallelOption)) {
        const QString text = parser.value(maxParallelOption);
        const std::optional<qint64> maxParallel = parseWholeNumber(text, 1);
        if (!maxParallel)
            return usageError(QStringLiteral("--max-parallel: %1 is not a whole number (1 or more)")
                                  .arg(quoted(text)));
        if (*maxParallel > limits::maxParallel)
            return usageError(QStringLiteral("--max-parallel: %1 is too many: the limit is %2")
                                  .arg(text.trimmed())
                                  .arg(limits::maxParallel));
        options.maxParallel = int(*maxParallel);
    }

    // The values given apply to every --job: check them once even without one.
    const QStringList commands =
        options.jobs.isEmpty() ? QStringList{QStringLiteral("true")} : options.jobs;
    for (const QString &command : commands) {
        const QList<SpecProblem> problems = options.jobSpec(command).problems();
        if (problems.isEmpty())
            continue;
        const SpecProblem &problem = problems.constFirst();
        const QString option = optionFor(problem.field, jobValues.termseq.has_value());
        const QString message = option == QLatin1String("--termseq")
                                    ? withoutSequencePrefix(problem.message)
                                    : problem.message;
        return usageError(option + QStringLiteral(": ") + message);
    }

    for (qsizetype i = 0; i < options.jobs.size(); ++i) {
        JobSpec spec = options.jobSpec(options.jobs.at(i));
        if (const QString error = applyJobOptions(options.jobOptions.value(i), &spec);
            !error.isEmpty())
            return usageError(error);
    }

    const bool stateDirGiven = parser.isSet(stateDirOption);
    options.stateDir = stateDirGiven ? parser.value(stateDirOption) : defaultStateDir;
    if (const std::optional<UsageError> error = checkStateDir(options.stateDir, &options.notes))
        return usageError(error->message);
    options.stateDir = QFileInfo(options.stateDir).absoluteFilePath();
    options.settingsFile =
        stateDirGiven ? settingsFileInStateDir(options.stateDir) : defaultSettingsFile();

    CommandLineResult result;
    result.options = std::move(options);
    return result;
}

} // namespace jobmonitor
