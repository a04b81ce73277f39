#include "commandline.h"

#include "joblimits.h"
#include "privatefiles.h"
#include "settingsfile.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>
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

QList<BatchJob> CommandLineOptions::batch(const QDateTime &now) const {
    QList<BatchJob> all;
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        const CommandLineQueueing queue = queueing.value(i);
        JobSpec spec = jobSpecAt(i);
        spec.group = queue.group;
        spec.priority = queue.priority;
        if (queue.startAt.isValid())
            spec.startAt = queue.startAt;
        else if (queue.delay)
            spec.startAt = now.addMSecs(queue.delay->count());
        all.append({spec, queue.after});
    }
    return all;
}

GroupSettings CommandLineGroup::appliedTo(GroupSettings settings) const {
    settings.name = name;
    if (maxParallel)
        settings.maxParallel = *maxParallel;
    if (rate)
        settings.rate = *rate;
    return settings;
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
        QStringLiteral("job"),          QStringLiteral("grace"),
        QStringLiteral("termseq"),      QStringLiteral("timeout"),
        QStringLiteral("retries"),      QStringLiteral("max-parallel"),
        QStringLiteral("state-dir"),    QStringLiteral("name"),
        QStringLiteral("cwd"),          QStringLiteral("env"),
        QStringLiteral("memory-limit"), QStringLiteral("nice"),
        QStringLiteral("ionice"),       QStringLiteral("progress"),
        QStringLiteral("memfree"),      QStringLiteral("after"),
        QStringLiteral("after-any"),    QStringLiteral("group"),
        QStringLiteral("at"),           QStringLiteral("delay"),
        QStringLiteral("priority"),     QStringLiteral("group-parallel"),
        QStringLiteral("group-rate"),
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
    case SpecProblem::Field::Group:
        return QStringLiteral("--group");
    case SpecProblem::Field::Priority:
        return QStringLiteral("--priority");
    case SpecProblem::Field::Dependencies:
        return QStringLiteral("--after");
    case SpecProblem::Field::StartTime:
        return QStringLiteral("--at");
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

// The options that apply to the --job before them.
const QStringList &queueingOptions() {
    static const QStringList names{
        QStringLiteral("after"), QStringLiteral("after-any"), QStringLiteral("group"),
        QStringLiteral("at"),    QStringLiteral("delay"),     QStringLiteral("priority"),
    };
    return names;
}

CommandLineGroup &groupNamed(QList<CommandLineGroup> &groups, const QString &name) {
    for (CommandLineGroup &group : groups)
        if (group.name == name)
            return group;
    groups.append({name, {}, {}});
    return groups.last();
}

// "NAME=VALUE" of --group-parallel and --group-rate.
std::optional<UsageError> splitGroupValue(const QString &option, const QString &text, QString *name,
                                          QString *value) {
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    if (equals < 0)
        return UsageError{QStringLiteral("%1: %2 is not NAME=VALUE").arg(option, quoted(text))};
    *name = text.left(equals).trimmed();
    *value = text.mid(equals + 1);
    if (const QString problem = groupNameProblem(*name); !problem.isEmpty())
        return UsageError{option + QStringLiteral(": ") + problem};
    return std::nullopt;
}

// One per-job queue option into queue; --after's numbers go to BatchDependency::index as
// given. seen: the options this job was given already (once each, --after aside). An error
// message naming the option, or an empty string.
// afterWhat: what --after's numbers name, for its message.
QString takeQueueOption(const QString &name, const QString &value, const QDateTime &now,
                        const QString &afterWhat, CommandLineQueueing &queue, QSet<QString> &seen) {
    const QString option = QStringLiteral("--") + name;
    const bool timing = name == QLatin1String("at") || name == QLatin1String("delay");
    if (name == QLatin1String("after") || name == QLatin1String("after-any")) {
        const auto condition = name == QLatin1String("after") ? JobDependency::Condition::Success
                                                              : JobDependency::Condition::AnyEnd;
        for (const QString &item : value.split(QLatin1Char(','))) {
            const std::optional<qint64> number = parseWholeNumber(item, 1);
            if (!number)
                return QStringLiteral("%1: %2 is not %3")
                    .arg(option, quoted(item.trimmed()), afterWhat);
            queue.after.append({int(std::min<qint64>(*number, INT_MAX)), condition});
        }
        return {};
    }
    if (seen.contains(timing ? QStringLiteral("at") : name))
        return timing ? QStringLiteral("--at and --delay: give one of them, once")
                      : QStringLiteral("%1: given twice").arg(option);
    seen.insert(timing ? QStringLiteral("at") : name);
    QString problem;
    if (name == QLatin1String("group")) {
        if (problem = groupNameProblem(value.trimmed()); !problem.isEmpty())
            return option + QStringLiteral(": ") + problem;
        queue.group = value.trimmed();
    } else if (name == QLatin1String("at")) {
        const std::optional<QDateTime> at = parseStartTime(value, now, &problem);
        if (!at)
            return option + QStringLiteral(": ") + problem;
        queue.startAt = *at;
    } else if (name == QLatin1String("delay")) {
        const std::optional<milliseconds> delay = parseDelay(value, &problem);
        if (!delay)
            return option + QStringLiteral(": ") + problem;
        queue.delay = *delay;
    } else if (name == QLatin1String("priority")) {
        bool ok = false;
        const qint64 priority = value.trimmed().toLongLong(&ok);
        if (!ok)
            return QStringLiteral("--priority: %1 is not a whole number (%2 to %3)")
                .arg(quoted(value))
                .arg(-limits::maxPriority)
                .arg(limits::maxPriority);
        // Beyond the range it only has to stay beyond it: JobSpec::validate() says so.
        queue.priority =
            int(std::clamp<qint64>(priority, -limits::maxPriority - 1, limits::maxPriority + 1));
    }
    return {};
}

// --after, --after-any, --group, --at, --delay and --priority, each for the --job before it,
// in the order given (QCommandLineParser keeps each option's values in order, and the order
// of all the options it found), and --group-parallel and --group-rate.
std::optional<UsageError> parseQueueing(const QCommandLineParser &parser,
                                        CommandLineOptions &options, const QDateTime &now) {
    QHash<QString, int> taken;
    int job = -1;
    QList<QSet<QString>> seen; // per job: the options given once already
    for (const QString &name : parser.optionNames()) {
        const int index = taken[name]++;
        if (name == QLatin1String("job")) {
            ++job;
            options.queueing.append(CommandLineQueueing{});
            seen.append(QSet<QString>());
            continue;
        }
        const QString value = parser.values(name).value(index);
        const QString option = QStringLiteral("--") + name;
        if (name == QLatin1String("group-parallel")) {
            QString group;
            QString number;
            if (const auto error = splitGroupValue(option, value, &group, &number))
                return error;
            const std::optional<qint64> parallel = parseWholeNumber(number, 0);
            if (!parallel)
                return UsageError{QStringLiteral("%1: %2 is not a whole number (0 for no limit "
                                                 "of the group's own)")
                                      .arg(option, quoted(number))};
            if (*parallel > limits::maxParallel)
                return UsageError{QStringLiteral("%1: %2 is too many: the limit is %3")
                                      .arg(option, number.trimmed())
                                      .arg(limits::maxParallel)};
            groupNamed(options.groups, group).maxParallel = int(*parallel);
            continue;
        }
        if (name == QLatin1String("group-rate")) {
            QString group;
            QString text;
            if (const auto error = splitGroupValue(option, value, &group, &text))
                return error;
            QString problem;
            const std::optional<StartRate> rate = StartRate::parse(text, &problem);
            if (rate)
                problem = GroupSettings{group, 0, *rate, false}.validate();
            if (!problem.isEmpty())
                return UsageError{option + QStringLiteral(": ") + problem};
            groupNamed(options.groups, group).rate = rate;
            continue;
        }
        if (!queueingOptions().contains(name))
            continue;
        if (job < 0)
            return UsageError{
                QStringLiteral("%1 %2: give it after the --job it applies to").arg(option, value)};
        CommandLineQueueing &queue = options.queueing[job];
        if (QString problem = takeQueueOption(
                name, value, now,
                QStringLiteral("the place of a --job on the command line (1 for the first)"), queue,
                seen[job]);
            !problem.isEmpty())
            return UsageError{problem + QStringLiteral(" (job %1)").arg(job + 1)};
        if (name == QLatin1String("group"))
            groupNamed(options.groups, queue.group);
    }
    for (CommandLineQueueing &queue : options.queueing)
        for (BatchDependency &dependency : queue.after)
            dependency.index -= 1; // places count from 1 on the command line

    // The places named exist, and the jobs do not wait for each other in a circle.
    QList<BatchJob> batch;
    for (qsizetype i = 0; i < options.queueing.size(); ++i) {
        for (const BatchDependency &dependency : std::as_const(options.queueing[i].after)) {
            const QString option = dependency.condition == JobDependency::Condition::Success
                                       ? QStringLiteral("--after")
                                       : QStringLiteral("--after-any");
            if (dependency.index >= options.jobs.size())
                return UsageError{
                    QStringLiteral("%1 %2 (job %3): there %4")
                        .arg(option)
                        .arg(dependency.index + 1)
                        .arg(i + 1)
                        .arg(options.jobs.size() == 1
                                 ? QStringLiteral("is only 1 --job")
                                 : QStringLiteral("are only %1 --jobs").arg(options.jobs.size()))};
            if (dependency.index == i)
                return UsageError{QStringLiteral("%1 %2 (job %2): a job cannot wait for itself")
                                      .arg(option)
                                      .arg(i + 1)};
        }
        batch.append({JobSpec{}, options.queueing[i].after});
    }
    if (const QString problem = dependencyProblem(batch, [](qint64) { return false; });
        !problem.isEmpty())
        return UsageError{QStringLiteral("--after: ") + problem};
    return std::nullopt;
}

} // namespace

std::optional<int> parseMaxParallel(const QString &text, QString *error) {
    const std::optional<qint64> maxParallel = parseWholeNumber(text, 1);
    if (!maxParallel) {
        *error = QStringLiteral("%1 is not a whole number (1 or more)").arg(quoted(text));
        return std::nullopt;
    }
    if (*maxParallel > limits::maxParallel) {
        *error = QStringLiteral("%1 is too many: the limit is %2")
                     .arg(text.trimmed())
                     .arg(limits::maxParallel);
        return std::nullopt;
    }
    return int(*maxParallel);
}

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

bool isQueueOption(const QString &name) {
    return queueingOptions().contains(name);
}

QString applyQueueOptions(const QList<QueueOption> &options, const QDateTime &now, JobSpec &spec) {
    CommandLineQueueing queue;
    QSet<QString> seen;
    for (const QueueOption &option : options) {
        if (!isQueueOption(option.name))
            return QStringLiteral("--%1: not an option of a job's queueing").arg(option.name);
        if (QString problem = takeQueueOption(option.name, option.value, now,
                                              QStringLiteral("a job id"), queue, seen);
            !problem.isEmpty())
            return problem;
    }
    spec.group = queue.group;
    spec.priority = queue.priority;
    spec.startAt = queue.startAt.isValid() ? queue.startAt
                   : queue.delay           ? now.addMSecs(queue.delay->count())
                                           : QDateTime();
    for (const BatchDependency &dependency : std::as_const(queue.after))
        spec.dependencies.append({dependency.index, dependency.condition});
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
        QStringLiteral(
            "Jobs running at once (default 4, or in a window its settings' value; at most %1).")
            .arg(limits::maxParallel),
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
    const QCommandLineOption afterOption(
        QStringLiteral("after"),
        QStringLiteral("The --job before it starts once job <n> (its place on the command line, "
                       "1 for the first; several as 1,2 or repeated) has completed; should it "
                       "fail, time out or be cancelled, this job is cancelled too."),
        QStringLiteral("n"));
    const QCommandLineOption afterAnyOption(
        QStringLiteral("after-any"),
        QStringLiteral("Like --after, but the job starts once job <n> has ended, whatever the "
                       "outcome."),
        QStringLiteral("n"));
    const QCommandLineOption groupOption(
        QStringLiteral("group"),
        QStringLiteral("The --job before it joins the queue of group <name> (default: "
                       "default), and its limits."),
        QStringLiteral("name"));
    const QCommandLineOption atOption(
        QStringLiteral("at"),
        QStringLiteral("The --job before it starts no earlier than <time>: a time of day "
                       "(23:00, the next one) or a date and time (2026-12-02T03:00)."),
        QStringLiteral("time"));
    const QCommandLineOption delayOption(
        QStringLiteral("delay"),
        QStringLiteral("The --job before it starts no earlier than <delay> from now: 90s, 10m, "
                       "2h, 1d, 1h30m."),
        QStringLiteral("delay"));
    const QCommandLineOption priorityOption(
        QStringLiteral("priority"),
        QStringLiteral("The --job before it joins its group's queue ahead of the waiting jobs "
                       "of a lower priority (%1 to %2, default 0).")
            .arg(-limits::maxPriority)
            .arg(limits::maxPriority),
        QStringLiteral("n"));
    const QCommandLineOption groupParallelOption(
        QStringLiteral("group-parallel"),
        QStringLiteral("Jobs of group <name> running at once, 0 for no limit of its own "
                       "(repeatable; for this run; --max-parallel still holds for all)."),
        QStringLiteral("name=n"));
    const QCommandLineOption groupRateOption(
        QStringLiteral("group-rate"),
        QStringLiteral("At most <n> starts of group <name> per <seconds>, <burst> of them at "
                       "once after a quiet spell (default 1) (repeatable; for this run)."),
        QStringLiteral("name=n/seconds[:burst]"));
    parser.addOptions({jobOption,      afterOption,       afterAnyOption,      groupOption,
                       atOption,       delayOption,       priorityOption,      headlessOption,
                       jsonOption,     graceOption,       termseqOption,       timeoutOption,
                       retriesOption,  maxParallelOption, groupParallelOption, groupRateOption,
                       stateDirOption, newInstanceOption, outputOption,        nameOption,
                       cwdOption,      envOption,         memoryLimitOption,   niceOption,
                       ioniceOption,   progressOption,    memfreeOption});

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
    if (const std::optional<UsageError> error =
            parseQueueing(parser, options, QDateTime::currentDateTime()))
        return usageError(error->message);

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
    options.terminationGiven = jobValues.grace || jobValues.termseq;
    if (parser.isSet(maxParallelOption)) {
        QString error;
        const std::optional<int> maxParallel =
            parseMaxParallel(parser.value(maxParallelOption), &error);
        if (!maxParallel)
            return usageError(QStringLiteral("--max-parallel: ") + error);
        options.maxParallel = *maxParallel;
        options.maxParallelGiven = true;
    }

    // The values given apply to every --job: check them once even without one.
    const QList<BatchJob> batch =
        options.jobs.isEmpty() ? QList<BatchJob>{{options.jobSpec(QStringLiteral("true")), {}}}
                               : options.batch(QDateTime::currentDateTime());
    for (const BatchJob &job : batch) {
        const QList<SpecProblem> problems = job.spec.problems();
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
