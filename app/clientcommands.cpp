#include "clientcommands.h"

#include "attemptoutput.h"
#include "commandline.h"
#include "jobstore.h"
#include "logging.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QThread>

#include <cerrno>
#include <cstdio>
#include <limits>
#include <unistd.h>

namespace jobmonitor {

using namespace std::chrono_literals;

namespace {

// How often `log --follow` looks for new output and for the job's end.
constexpr std::chrono::milliseconds FollowInterval = 100ms;
// ... and how often it checks that the job's owner still lives.
constexpr int RecoveryEvery = 10; // follow intervals
constexpr qint64 CopyChunk = 1024 * 1024;

const QString Program = QStringLiteral("jobmonitor");

struct Failure {
    int status;
    QString message;
};

int fail(const Failure &failure) {
    std::fputs((Program + QStringLiteral(": ") + failure.message + QLatin1Char('\n'))
                   .toLocal8Bit()
                   .constData(),
               stderr);
    return failure.status;
}

int usage(const QString &message) {
    return fail({UsageErrorStatus, message});
}

// Writes everything to standard output, as it is: output is bytes, not text.
bool writeOut(const QByteArray &data) {
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n =
            ::write(STDOUT_FILENO, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

QJsonValue timeJson(const QDateTime &time) {
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

std::optional<QString> stateDirOf(const QCommandLineParser &parser,
                                  const QCommandLineOption &option, const QString &fallback) {
    const QString dir = parser.isSet(option) ? parser.value(option) : fallback;
    if (dir.trimmed().isEmpty())
        return std::nullopt;
    return QFileInfo(dir).absoluteFilePath();
}

QString durationText(std::optional<qint64> ms) {
    if (!ms)
        return QStringLiteral("-");
    if (*ms < 1000)
        return QStringLiteral("%1 ms").arg(*ms);
    const qint64 s = *ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(double(*ms) / 1000.0, 0, 'f', 1);
    if (s < 3600)
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString statusText(const QJsonObject &job) {
    if (job.contains(QStringLiteral("exitCode")))
        return QString::number(job.value(QStringLiteral("exitCode")).toInt());
    if (job.contains(QStringLiteral("signal")))
        return QStringLiteral("sig %1").arg(job.value(QStringLiteral("signal")).toInt());
    return QStringLiteral("-");
}

QByteArray historyTable(const QList<JobRecord> &records) {
    QList<QJsonObject> jobs;
    for (const JobRecord &record : records)
        jobs << jobRecordJson(record);
    return jobTable(jobs);
}

std::optional<QList<JobState>> parseStates(const QString &text, QString *error) {
    QList<JobState> states;
    for (const QString &name : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        std::optional<JobState> found;
        for (const JobState state : allJobStates())
            if (jobStateName(state).compare(name.trimmed(), Qt::CaseInsensitive) == 0)
                found = state;
        if (!found) {
            QStringList known;
            for (const JobState state : allJobStates())
                known << jobStateName(state);
            *error = QStringLiteral("--state: unknown state '%1' (one of %2)")
                         .arg(name.trimmed(), known.join(QStringLiteral(", ")));
            return std::nullopt;
        }
        states << *found;
    }
    if (states.isEmpty()) {
        *error = QStringLiteral("--state: no state given");
        return std::nullopt;
    }
    return states;
}

QDateTime parseSince(const QString &text) {
    const QString trimmed = text.trimmed();
    const QDateTime time = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (time.isValid())
        return time;
    const QDate date = QDate::fromString(trimmed, Qt::ISODate);
    return date.isValid() ? date.startOfDay() : QDateTime();
}

int runHistory(const QStringList &arguments, const QString &defaultStateDir) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lists stored jobs, newest first."));
    parser.addHelpOption();
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("One JSON object per job and line."));
    const QCommandLineOption state(QStringLiteral("state"),
                                   QStringLiteral("Only jobs in these states (comma-separated)."),
                                   QStringLiteral("state"));
    const QCommandLineOption search(
        QStringLiteral("search"), QStringLiteral("Only jobs whose command or name contains text."),
        QStringLiteral("text"));
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("Only jobs created at or after this ISO 8601 "
                                                  "date or time."),
                                   QStringLiteral("time"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("At most n jobs (the newest)."),
                                   QStringLiteral("n"));
    const QCommandLineOption stateDir(
        QStringLiteral("state-dir"),
        QStringLiteral("The state folder (default %1).").arg(defaultStateDir),
        QStringLiteral("dir"));
    parser.addOptions({json, state, search, since, limit, stateDir});
    if (!parser.parse(arguments))
        return usage(QStringLiteral("history: ") + parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(parser.helpText()
                     .replace(arguments.constFirst(), Program + QStringLiteral(" history"))
                     .toUtf8());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("history: unexpected argument '%1'")
                         .arg(parser.positionalArguments().constFirst()));
    JobQuery query;
    if (parser.isSet(state)) {
        QString error;
        const std::optional<QList<JobState>> states = parseStates(parser.value(state), &error);
        if (!states)
            return usage(QStringLiteral("history: ") + error);
        query.states = *states;
    }
    query.search = parser.value(search);
    if (parser.isSet(since)) {
        query.since = parseSince(parser.value(since));
        if (!query.since.isValid())
            return usage(QStringLiteral("history: --since: '%1' is not an ISO 8601 date or time "
                                        "(2024-05-01 or 2024-05-01T12:00:00Z)")
                             .arg(parser.value(since)));
    }
    if (parser.isSet(limit)) {
        bool ok = false;
        const qlonglong n = parser.value(limit).toLongLong(&ok);
        if (!ok || n < 0 || n > std::numeric_limits<int>::max())
            return usage(QStringLiteral("history: --limit: '%1' is not a whole number (0 or more)")
                             .arg(parser.value(limit)));
        query.limit = int(n);
    }
    const std::optional<QString> dir = stateDirOf(parser, stateDir, defaultStateDir);
    if (!dir)
        return usage(QStringLiteral("history: --state-dir: the directory name is empty"));
    // Without a store there is no history: nothing is created for asking.
    if (!QFileInfo::exists(JobStore::databasePath(*dir)))
        return parser.isSet(json) ? 0 : (writeOut(historyTable({})) ? 0 : 1);
    setupLogging(*dir, spdlog::level::warn);
    JobStore store(*dir, RunKind::Client);
    const QList<JobRecord> records = store.jobs(query);
    if (!parser.isSet(json))
        return writeOut(historyTable(records)) ? 0 : 1;
    for (const JobRecord &record : records)
        if (!writeOut(QJsonDocument(jobRecordJson(record)).toJson(QJsonDocument::Compact) + '\n'))
            return 1;
    return 0;
}

// Copies what the attempt's files gained since the last call: one stream byte for byte, or
// both in the order they arrived.
class OutputCopier {
public:
    OutputCopier(QString directory, std::optional<OutputChannel> only)
        : m_directory(std::move(directory))
        , m_only(only)
        , m_reader(m_directory) {}

    // False when a file cannot be read. No directory is no output (yet): see AttemptOutputReader.
    bool copy() {
        if (!m_open) {
            if (m_only) {
                m_file.setFileName(m_directory + (*m_only == OutputChannel::Stdout
                                                      ? QStringLiteral("/stdout")
                                                      : QStringLiteral("/stderr")));
                m_open = m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
                if (!m_open && !QFileInfo::exists(m_directory))
                    return true;
            } else {
                m_open = m_reader.open();
            }
            if (!m_open)
                return false;
        }
        if (m_only) {
            for (;;) {
                const QByteArray data = m_file.read(CopyChunk);
                if (data.isEmpty() || !writeOut(data))
                    return true;
            }
        }
        for (;;) {
            const QList<AttemptOutputReader::Chunk> chunks = m_reader.read(CopyChunk);
            if (chunks.isEmpty())
                return true;
            for (const AttemptOutputReader::Chunk &chunk : chunks)
                if (!writeOut(chunk.data))
                    return true;
        }
    }
    QString error() const { return m_only ? m_file.errorString() : m_reader.error(); }

private:
    const QString m_directory;
    const std::optional<OutputChannel> m_only;
    AttemptOutputReader m_reader;
    QFile m_file;
    bool m_open = false;
};

const AttemptRecord *findAttempt(const QList<AttemptRecord> &attempts, int number) {
    for (const AttemptRecord &attempt : attempts)
        if (attempt.attempt == number)
            return &attempt;
    return nullptr;
}

// Why there is no output to show, or nullopt.
std::optional<Failure> missingOutput(qint64 id, const AttemptRecord &attempt) {
    if (attempt.outputRemovedAt.isValid())
        return Failure{1, QStringLiteral("log: the output of job %1 attempt %2 was removed on %3 "
                                         "to keep the history within its limits")
                              .arg(id)
                              .arg(attempt.attempt)
                              .arg(QLocale().toString(attempt.outputRemovedAt.toLocalTime(),
                                                      QLocale::ShortFormat))};
    if (attempt.outputDirectory.isEmpty())
        return Failure{1, QStringLiteral("log: the output of job %1 attempt %2 was not saved")
                              .arg(id)
                              .arg(attempt.attempt)};
    return std::nullopt;
}

int runLog(const QStringList &arguments, const QString &defaultStateDir) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the output of a job's attempt (the last one unless --attempt): both streams in "
        "the order they arrived, or one of them exactly as the job wrote it."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The job's id."));
    const QCommandLineOption attemptOption(QStringLiteral("attempt"),
                                           QStringLiteral("The attempt (1 is the first)."),
                                           QStringLiteral("n"));
    const QCommandLineOption stdoutOption(QStringLiteral("stdout"),
                                          QStringLiteral("Only standard output, byte for byte."));
    const QCommandLineOption stderrOption(QStringLiteral("stderr"),
                                          QStringLiteral("Only standard error, byte for byte."));
    const QCommandLineOption followOption(
        QStringLiteral("follow"),
        QStringLiteral("Goes on printing what a running job writes, until the job ends."));
    const QCommandLineOption stateDir(
        QStringLiteral("state-dir"),
        QStringLiteral("The state folder (default %1).").arg(defaultStateDir),
        QStringLiteral("dir"));
    parser.addOptions({attemptOption, stdoutOption, stderrOption, followOption, stateDir});
    if (!parser.parse(arguments))
        return usage(QStringLiteral("log: ") + parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(parser.helpText()
                     .replace(arguments.constFirst(), Program + QStringLiteral(" log"))
                     .toUtf8());
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usage(positional.isEmpty() ? QStringLiteral("log: give a job id")
                                          : QStringLiteral("log: one job id only"));
    bool ok = false;
    const qint64 id = positional.constFirst().toLongLong(&ok);
    if (!ok || id <= 0)
        return usage(QStringLiteral("log: '%1' is not a job id").arg(positional.constFirst()));
    std::optional<int> wanted;
    if (parser.isSet(attemptOption)) {
        const int n = parser.value(attemptOption).toInt(&ok);
        if (!ok || n < 1)
            return usage(QStringLiteral("log: --attempt: '%1' is not an attempt number (1 or more)")
                             .arg(parser.value(attemptOption)));
        wanted = n;
    }
    if (parser.isSet(stdoutOption) && parser.isSet(stderrOption))
        return usage(QStringLiteral("log: --stdout and --stderr exclude each other"));
    std::optional<OutputChannel> only;
    if (parser.isSet(stdoutOption))
        only = OutputChannel::Stdout;
    else if (parser.isSet(stderrOption))
        only = OutputChannel::Stderr;
    const bool follow = parser.isSet(followOption);
    const std::optional<QString> dir = stateDirOf(parser, stateDir, defaultStateDir);
    if (!dir)
        return usage(QStringLiteral("log: --state-dir: the directory name is empty"));
    const Failure unknown{UnknownJobStatus, QStringLiteral("log: there is no job %1").arg(id)};
    if (!QFileInfo::exists(JobStore::databasePath(*dir)))
        return fail(unknown);
    setupLogging(*dir, spdlog::level::warn);
    JobStore store(*dir, RunKind::Client);

    std::optional<JobRecord> job = store.job(id);
    if (!job)
        return fail(unknown);
    int number = wanted.value_or(job->attempts); // 0: the job has not started
    std::unique_ptr<OutputCopier> copier;
    for (int round = 0;; ++round) {
        const QList<AttemptRecord> attempts = store.attempts(id);
        if (const AttemptRecord *attempt = number > 0 ? findAttempt(attempts, number) : nullptr) {
            if (const std::optional<Failure> missing = missingOutput(id, *attempt))
                return fail(*missing);
            if (!copier)
                copier = std::make_unique<OutputCopier>(attempt->outputDirectory, only);
            // An attempt's files are complete once its end is recorded.
            const bool ended = attempt->endedAt.isValid();
            if (!copier->copy() && ended)
                return fail({1, QStringLiteral("log: cannot read the output of job %1 attempt "
                                               "%2: %3")
                                    .arg(id)
                                    .arg(number)
                                    .arg(copier->error())});
            if (!follow)
                return 0;
            if (ended && !wanted && job->attempts > number) {
                // Following the job, not one attempt: on to the next one.
                ++number;
                copier.reset();
                continue;
            }
            if (ended && (wanted || isFinal(job->state)))
                return 0;
        } else if (!follow || isFinal(job->state) || (wanted && *wanted <= job->attempts)) {
            if (number > 0)
                return fail({UnknownJobStatus,
                             QStringLiteral("log: job %1 has no attempt %2").arg(id).arg(number)});
            std::fputs(
                qPrintable(
                    QStringLiteral("%1: log: job %2 has not started\n").arg(Program).arg(id)),
                stderr);
            return 0;
        }
        if (round % RecoveryEvery == RecoveryEvery - 1)
            store.recoverDeadOwners(); // a job whose owner died ends Interrupted
        QThread::msleep(ulong(FollowInterval.count()));
        job = store.job(id);
        if (!job)
            return fail(unknown); // removed meanwhile
        if (number == 0)
            number = job->attempts;
    }
}

} // namespace

bool isClientCommand(const QStringList &arguments) {
    return arguments.size() > 1 &&
           (arguments.at(1) == QLatin1String("history") || arguments.at(1) == QLatin1String("log"));
}

int runClientCommand(const QStringList &arguments, const QString &defaultStateDir) {
    const QString command = arguments.at(1);
    QStringList rest = arguments;
    rest.removeAt(1);
    if (command == QLatin1String("history"))
        return runHistory(rest, defaultStateDir);
    return runLog(rest, defaultStateDir);
}

QByteArray jobTable(const QList<QJsonObject> &jobs) {
    const auto text = [](const QJsonObject &job, const char *key) {
        return job.value(QLatin1String(key)).toVariant().toString();
    };
    int idWidth = 2;
    int stateWidth = 5;
    for (const QJsonObject &job : jobs) {
        idWidth = std::max(idWidth, int(text(job, "id").size()));
        stateWidth = std::max(stateWidth, int(text(job, "state").size()));
    }
    const auto row = [&](const QString &id, const QString &state, const QString &attempts,
                         const QString &status, const QString &created, const QString &duration,
                         const QString &command) {
        return QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
            .arg(id, idWidth)
            .arg(state, -stateWidth)
            .arg(attempts, 8)
            .arg(status, -6)
            .arg(created, -19)
            .arg(duration, 9)
            .arg(command);
    };
    QString table = row(QStringLiteral("ID"), QStringLiteral("STATE"), QStringLiteral("ATTEMPTS"),
                        QStringLiteral("EXIT"), QStringLiteral("CREATED"),
                        QStringLiteral("DURATION"), QStringLiteral("COMMAND"));
    for (const QJsonObject &job : jobs) {
        QString command = text(job, "name").isEmpty() ? text(job, "command") : text(job, "name");
        command.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
        const QJsonValue duration = job.value(QStringLiteral("durationMs"));
        table += row(text(job, "id"), text(job, "state"), text(job, "attempts"), statusText(job),
                     QDateTime::fromString(text(job, "createdAt"), Qt::ISODateWithMs)
                         .toLocalTime()
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                     durationText(duration.isDouble() ? std::optional<qint64>(duration.toInteger())
                                                      : std::nullopt),
                     command);
    }
    return table.toUtf8();
}

QJsonObject jobRecordJson(const JobRecord &record) {
    QJsonObject environment;
    for (auto it = record.spec.environment.cbegin(); it != record.spec.environment.cend(); ++it)
        environment.insert(it.key(), it.value());
    QJsonObject object{
        {QStringLiteral("id"), record.id},
        {QStringLiteral("name"), record.spec.name},
        {QStringLiteral("command"), record.spec.command},
        {QStringLiteral("workingDirectory"), record.spec.workingDirectory},
        {QStringLiteral("environment"), environment},
        {QStringLiteral("state"), jobStateName(record.state)},
        {QStringLiteral("attempts"), record.attempts},
        {QStringLiteral("maxAttempts"), record.spec.maxAttempts},
        {QStringLiteral("timeoutMs"), qint64(record.spec.timeout.count())},
        {QStringLiteral("timeoutAuto"), record.spec.timeoutAuto},
        {QStringLiteral("termination"), record.spec.termination.toString()},
        {QStringLiteral("createdAt"), timeJson(record.createdAt)},
        {QStringLiteral("startedAt"), timeJson(record.startedAt)},
        {QStringLiteral("endedAt"), timeJson(record.endedAt)},
        {QStringLiteral("durationMs"),
         record.durationMs() ? QJsonValue(*record.durationMs()) : QJsonValue()},
        {QStringLiteral("traceId"), record.traceId},
        {QStringLiteral("outputDirectory"), record.outputDirectory},
        {QStringLiteral("expectedDurationMs"),
         record.timing.expectedDuration
             ? QJsonValue(qint64(record.timing.expectedDuration->count()))
             : QJsonValue()},
    };
    if (record.exitCode)
        object.insert(QStringLiteral("exitCode"), *record.exitCode);
    if (record.signal)
        object.insert(QStringLiteral("signal"), *record.signal);
    if (!record.error.isEmpty())
        object.insert(QStringLiteral("error"), record.error);
    if (!record.outputError.isEmpty())
        object.insert(QStringLiteral("outputError"), record.outputError);
    if (!record.timeoutNote.isEmpty())
        object.insert(QStringLiteral("timeoutNote"), record.timeoutNote);
    if (record.spec.memoryLimitBytes > 0)
        object.insert(QStringLiteral("memoryLimitBytes"), record.spec.memoryLimitBytes);
    if (record.spec.niceness)
        object.insert(QStringLiteral("nice"), *record.spec.niceness);
    if (record.spec.ioPriority)
        object.insert(QStringLiteral("ioPriority"), record.spec.ioPriority->toString());
    if (!record.spec.progressPattern.isEmpty())
        object.insert(QStringLiteral("progressPattern"), record.spec.progressPattern);
    // Of the last attempt, like the exit status; null while it runs or when never measured.
    object.insert(QStringLiteral("peakRssBytes"),
                  record.peakRssBytes ? QJsonValue(*record.peakRssBytes) : QJsonValue());
    object.insert(QStringLiteral("cpuTimeMs"),
                  record.cpuTimeMs ? QJsonValue(*record.cpuTimeMs) : QJsonValue());
    // The queue: always the group and the priority, the rest when the job has them.
    object.insert(QStringLiteral("group"), record.spec.groupName());
    object.insert(QStringLiteral("priority"), record.spec.priority);
    if (!record.spec.dependencies.isEmpty()) {
        QJsonArray after;
        for (const JobDependency &dependency : record.spec.dependencies)
            after.append(QJsonObject{
                {QStringLiteral("job"), dependency.jobId},
                {QStringLiteral("condition"),
                 dependency.condition == JobDependency::Condition::Success
                     ? QStringLiteral("success")
                     : QStringLiteral("end")},
            });
        object.insert(QStringLiteral("dependencies"), after);
    }
    if (record.spec.startAt.isValid())
        object.insert(QStringLiteral("startAt"), timeJson(record.spec.startAt));
    if (record.queueOrder)
        object.insert(QStringLiteral("queueOrder"), *record.queueOrder);
    return object;
}

} // namespace jobmonitor
