#include "windowclient.h"

#include "clientcommands.h"
#include "dbusprotocol.h"
#include "jobstate.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusServiceWatcher>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QThread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace jobmonitor {

using namespace std::chrono_literals;

namespace {

const QString Program = QStringLiteral("jobmonitor");
// How long `add` waits for a window it started to appear on the bus.
constexpr std::chrono::milliseconds WindowStartLimit = 30s;
constexpr std::chrono::milliseconds WindowStartPoll = 50ms;

int fail(int status, const QString &message) {
    std::fputs(qPrintable(Program + QStringLiteral(": ") + message + QLatin1Char('\n')), stderr);
    return status;
}

void printLine(const QByteArray &line) {
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QDBusConnection sessionBus() {
    dbus::registerTypes();
    return QDBusConnection::sessionBus();
}

bool windowRuns(const QDBusConnection &bus) {
    return bus.isConnected() && bus.interface()->isServiceRegistered(dbus::ServiceName).value();
}

QDBusMessage call(const QDBusConnection &bus, const QString &method,
                  const QVariantList &arguments = {}) {
    QDBusMessage message = QDBusMessage::createMethodCall(dbus::ServiceName, dbus::ObjectPath,
                                                          dbus::InterfaceName, method);
    message.setArguments(arguments);
    // A window may be busy, but never for minutes: wait as long as the user would.
    return bus.call(message, QDBus::Block, -1);
}

// The exit status for a failed call, and its message on stderr.
int failedCall(const QString &command, const QDBusMessage &reply) {
    const QString name = reply.errorName();
    int status = 1;
    if (name == dbus::UnknownJobError)
        status = UnknownJobStatus;
    else if (name == QLatin1String("org.freedesktop.DBus.Error.InvalidArgs"))
        status = UsageErrorStatus;
    else if (name == QLatin1String("org.freedesktop.DBus.Error.AccessDenied"))
        status = RefusedStatus;
    else if (name == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown") ||
             name == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner"))
        return fail(NoWindowStatus, command + QStringLiteral(": no Job Monitor window is running"));
    return fail(status, command + QStringLiteral(": ") + reply.errorMessage());
}

int noWindow(const QString &command, const QDBusConnection &bus) {
    if (!bus.isConnected())
        return fail(NoWindowStatus,
                    command +
                        QStringLiteral(": no session bus (%1)").arg(bus.lastError().message()));
    return fail(NoWindowStatus, command + QStringLiteral(": no Job Monitor window is running"));
}

std::optional<qint64> parseId(const QString &text) {
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    return ok && id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

// What a waiting client hears: the ends of jobs, and the window going away.
class EndWatcher : public QObject {
    Q_OBJECT
public:
    explicit EndWatcher(QDBusConnection bus)
        : m_bus(std::move(bus))
        , m_owner(dbus::ServiceName, m_bus, QDBusServiceWatcher::WatchForUnregistration) {
        m_bus.connect(dbus::ServiceName, dbus::ObjectPath, dbus::InterfaceName,
                      QStringLiteral("JobEnded"), this,
                      SLOT(onJobEnded(qlonglong, QString, int, int)));
        connect(&m_owner, &QDBusServiceWatcher::serviceUnregistered, this, [this] {
            m_windowGone = true;
            Q_EMIT changed();
        });
    }

    struct End {
        JobState state = JobState::Failed;
        int exitCode = -1;
        int signal = 0;
    };
    const QHash<qint64, End> &ends() const { return m_ends; }
    bool windowGone() const { return m_windowGone; }
    void noteEnded(qint64 id, const End &end) { m_ends.insert(id, end); }

    // Runs the event loop until every id has ended or the window is gone.
    void waitFor(const QList<qint64> &ids) {
        QEventLoop loop;
        connect(this, &EndWatcher::changed, &loop, [&] {
            if (m_windowGone || std::all_of(ids.begin(), ids.end(),
                                            [this](qint64 id) { return m_ends.contains(id); }))
                loop.quit();
        });
        Q_EMIT changed();
        if (!m_windowGone &&
            !std::all_of(ids.begin(), ids.end(), [this](qint64 id) { return m_ends.contains(id); }))
            loop.exec();
    }

Q_SIGNALS:
    void changed();

private Q_SLOTS:
    void onJobEnded(qlonglong id, const QString &state, int exitCode, int signal) {
        End end{JobState::Failed, exitCode, signal};
        for (const JobState known : allJobStates())
            if (jobStateName(known) == state)
                end.state = known;
        m_ends.insert(id, end);
        Q_EMIT changed();
    }

private:
    QDBusConnection m_bus;
    QDBusServiceWatcher m_owner;
    QHash<qint64, End> m_ends;
    bool m_windowGone = false;
};

// The job's state as Get tells it; an End when it has ended.
std::optional<EndWatcher::End> endOf(const QVariantMap &job) {
    const QJsonObject json = dbus::recordJsonFromMap(job);
    const QString state = json.value(QStringLiteral("state")).toString();
    for (const JobState known : allJobStates())
        if (jobStateName(known) == state && isFinal(known))
            return EndWatcher::End{known, json.value(QStringLiteral("exitCode")).toInt(-1),
                                   json.value(QStringLiteral("signal")).toInt(0)};
    return std::nullopt;
}

// The shell's view of how a job ended.
int exitStatusOf(const EndWatcher::End &end) {
    if (end.state == JobState::Completed)
        return 0;
    if (end.state == JobState::Failed && end.exitCode > 0)
        return end.exitCode;
    if (end.state == JobState::Failed && end.signal > 0)
        return 128 + end.signal;
    return 1;
}

// Starts the window in a session of its own, detached from our terminal (its log goes to its
// state folder), and waits until it serves the bus. An empty string, or why not.
QString startWindow(const QDBusConnection &bus, const QStringList &arguments) {
    QList<QByteArray> strings{QFile::encodeName(QCoreApplication::applicationFilePath())};
    for (const QString &argument : arguments)
        strings << argument.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &string : strings)
        argv.push_back(string.data());
    argv.push_back(nullptr);
    // Between fork and exec only async-signal-safe calls: the bus has a thread of its own.
    const pid_t pid = ::fork();
    if (pid < 0)
        return QString::fromLocal8Bit(std::strerror(errno));
    if (pid == 0) {
        ::setsid();
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const QDeadlineTimer deadline(WindowStartLimit);
    while (!windowRuns(bus)) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status)
                       ? QStringLiteral("the window exited with status %1 at start (its log is "
                                        "in the state folder)")
                             .arg(WEXITSTATUS(status))
                       : QStringLiteral("the window was ended by signal %1 at start")
                             .arg(WTERMSIG(status));
        if (deadline.hasExpired())
            return QStringLiteral("the window did not appear on the session bus within %1 s")
                .arg(WindowStartLimit.count() / 1000);
        QThread::msleep(ulong(WindowStartPoll.count()));
    }
    return {};
}

QStringList stateDirArguments(const QCommandLineParser &parser, const QCommandLineOption &option) {
    return parser.isSet(option) ? QStringList{QStringLiteral("--state-dir"), parser.value(option)}
                                : QStringList{};
}

void addHelp(QCommandLineParser &parser) {
    parser.addHelpOption();
}

bool helpAsked(const QCommandLineParser &parser, const QStringList &arguments,
               const QString &command) {
    if (!parser.isSet(QStringLiteral("help")))
        return false;
    printLine(parser.helpText()
                  .replace(arguments.constFirst(), Program + QLatin1Char(' ') + command)
                  .trimmed()
                  .toUtf8());
    return true;
}

int runAdd(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Adds a job to the running window (starting one when none runs) and "
                       "prints its id. COMMAND... is one shell command line."));
    addHelp(parser);
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("A label for the job."),
                                  QStringLiteral("name"));
    const QCommandLineOption cwd(QStringLiteral("cwd"),
                                 QStringLiteral("Where it runs (default: here)."),
                                 QStringLiteral("dir"));
    const QCommandLineOption env(QStringLiteral("env"),
                                 QStringLiteral("An environment variable for it (repeatable)."),
                                 QStringLiteral("name=value"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Time limit of each attempt, or auto."),
                                     QStringLiteral("seconds"));
    const QCommandLineOption retries(QStringLiteral("retries"),
                                     QStringLiteral("Retries after a failure or a timeout."),
                                     QStringLiteral("n"));
    const QCommandLineOption grace(QStringLiteral("grace"),
                                   QStringLiteral("Time between SIGTERM and SIGKILL."),
                                   QStringLiteral("ms"));
    const QCommandLineOption termseq(QStringLiteral("termseq"),
                                     QStringLiteral("How the job is stopped (as in GNU parallel)."),
                                     QStringLiteral("sequence"));
    const QCommandLineOption memoryLimit(
        QStringLiteral("memory-limit"),
        QStringLiteral("The most resident memory the job's processes may use together (2G)."),
        QStringLiteral("size"));
    const QCommandLineOption nice(QStringLiteral("nice"),
                                  QStringLiteral("CPU priority of its processes (-20 to 19)."),
                                  QStringLiteral("n"));
    const QCommandLineOption ionice(QStringLiteral("ionice"),
                                    QStringLiteral("I/O priority of its processes (as ionice)."),
                                    QStringLiteral("class[,level]"));
    const QCommandLineOption progress(
        QStringLiteral("progress"),
        QStringLiteral("How to read its progress: a regular expression with a named group."),
        QStringLiteral("regex"));
    const QCommandLineOption after(
        QStringLiteral("after"),
        QStringLiteral("Starts once job <id> has completed (several as 12,13 or repeated); "
                       "should it fail, this job is cancelled."),
        QStringLiteral("id"));
    const QCommandLineOption afterAny(QStringLiteral("after-any"),
                                      QStringLiteral("Starts once job <id> has ended, whatever "
                                                     "the outcome."),
                                      QStringLiteral("id"));
    const QCommandLineOption group(QStringLiteral("group"),
                                   QStringLiteral("Joins the queue of group <name>."),
                                   QStringLiteral("name"));
    const QCommandLineOption at(QStringLiteral("at"),
                                QStringLiteral("Starts no earlier than a time of day (23:00) or "
                                               "a date and time (2026-12-02T03:00)."),
                                QStringLiteral("time"));
    const QCommandLineOption delay(QStringLiteral("delay"),
                                   QStringLiteral("Starts no earlier than <delay> from now (90s, "
                                                  "10m, 1h30m)."),
                                   QStringLiteral("delay"));
    const QCommandLineOption priority(
        QStringLiteral("priority"),
        QStringLiteral("Goes ahead of the waiting jobs of a lower priority in its group."),
        QStringLiteral("n"));
    const QCommandLineOption wait(
        QStringLiteral("wait"),
        QStringLiteral("Waits for the job and exits with its exit code (128 + signal when "
                       "signalled, 1 when it did not complete otherwise)."));
    const QCommandLineOption stateDir(
        QStringLiteral("state-dir"),
        QStringLiteral("The state folder of a window started for the job."), QStringLiteral("dir"));
    parser.addOptions({name, cwd, env, timeout, retries, grace, termseq, memoryLimit, nice, ionice,
                       progress, after, afterAny, group, at, delay, priority, wait, stateDir});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command line."),
                                 QStringLiteral("-- COMMAND..."));
    if (!parser.parse(arguments))
        return fail(UsageErrorStatus, QStringLiteral("add: ") + parser.errorText());
    if (helpAsked(parser, arguments, QStringLiteral("add")))
        return 0;

    JobSpec spec;
    spec.command = parser.positionalArguments().join(QLatin1Char(' '));
    if (spec.command.trimmed().isEmpty())
        return fail(UsageErrorStatus, QStringLiteral("add: give the command after --"));
    // The job runs where the client is, not where the window happened to start.
    spec.workingDirectory = QDir::currentPath();
    JobOptionValues values;
    const auto valueOf = [&parser](const QCommandLineOption &option) {
        return parser.isSet(option) ? std::optional<QString>(parser.value(option)) : std::nullopt;
    };
    values.name = valueOf(name);
    values.workingDirectory = valueOf(cwd);
    values.environment = parser.values(env);
    values.timeout = valueOf(timeout);
    values.retries = valueOf(retries);
    values.grace = valueOf(grace);
    values.termseq = valueOf(termseq);
    values.memoryLimit = valueOf(memoryLimit);
    values.nice = valueOf(nice);
    values.ionice = valueOf(ionice);
    values.progress = valueOf(progress);
    if (const QString error = applyJobOptions(values, &spec); !error.isEmpty())
        return fail(UsageErrorStatus, QStringLiteral("add: ") + error);
    QList<QueueOption> queueing;
    for (const QCommandLineOption *option : {&after, &afterAny, &group, &at, &delay, &priority})
        for (const QString &value : parser.values(*option))
            queueing.append({option->names().constFirst(), value});
    if (const QString error = applyQueueOptions(queueing, QDateTime::currentDateTime(), spec);
        !error.isEmpty())
        return fail(UsageErrorStatus, QStringLiteral("add: ") + error);
    if (const QString error = spec.validate(); !error.isEmpty())
        return fail(UsageErrorStatus, QStringLiteral("add: ") + error);
    if (parser.isSet(stateDir) && parser.value(stateDir).trimmed().isEmpty())
        return fail(UsageErrorStatus,
                    QStringLiteral("add: --state-dir: the directory name is empty"));

    const QDBusConnection bus = sessionBus();
    if (!bus.isConnected())
        return noWindow(QStringLiteral("add"), bus);
    // Listening before the job exists, so that even its quickest end is heard.
    std::unique_ptr<EndWatcher> watcher;
    if (!windowRuns(bus))
        if (const QString error = startWindow(bus, stateDirArguments(parser, stateDir));
            !error.isEmpty())
            return fail(NoWindowStatus, QStringLiteral("add: ") + error);
    if (parser.isSet(wait))
        watcher = std::make_unique<EndWatcher>(bus);
    const QDBusMessage reply =
        call(bus, QStringLiteral("Add"),
             {dbus::specToMap(spec, parser.isSet(grace) || parser.isSet(termseq))});
    if (reply.type() != QDBusMessage::ReplyMessage)
        return failedCall(QStringLiteral("add"), reply);
    const qint64 id = reply.arguments().value(0).toLongLong();
    printLine(QByteArray::number(id));
    if (!watcher)
        return 0;
    if (const QDBusMessage job = call(bus, QStringLiteral("Get"), {qlonglong(id)});
        job.type() == QDBusMessage::ReplyMessage)
        if (const std::optional<EndWatcher::End> end =
                endOf(qdbus_cast<QVariantMap>(job.arguments().value(0))))
            watcher->noteEnded(id, *end);
    watcher->waitFor({id});
    if (!watcher->ends().contains(id))
        return fail(1, QStringLiteral("add: the window quit before job %1 ended").arg(id));
    return exitStatusOf(watcher->ends().value(id));
}

// Parses `command [--json] ID...`: the ids, or an exit status.
struct IdArguments {
    QList<qint64> ids;
    bool json = false;
    std::optional<int> exit;
};

IdArguments parseIds(const QStringList &arguments, const QString &command, bool withJson,
                     bool needIds, const QString &description) {
    QCommandLineParser parser;
    parser.setApplicationDescription(description);
    addHelp(parser);
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("One JSON object per job and line, as history "
                                                 "--json writes them."));
    if (withJson)
        parser.addOption(json);
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("Job ids."),
                                 needIds ? QStringLiteral("ID...") : QStringLiteral("[ID...]"));
    IdArguments result;
    if (!parser.parse(arguments)) {
        result.exit = fail(UsageErrorStatus, command + QStringLiteral(": ") + parser.errorText());
        return result;
    }
    if (helpAsked(parser, arguments, command)) {
        result.exit = 0;
        return result;
    }
    result.json = withJson && parser.isSet(json);
    for (const QString &text : parser.positionalArguments()) {
        const std::optional<qint64> id = parseId(text);
        if (!id) {
            result.exit = fail(UsageErrorStatus,
                               command + QStringLiteral(": '%1' is not a job id").arg(text));
            return result;
        }
        result.ids << *id;
    }
    if (needIds && result.ids.isEmpty())
        result.exit =
            fail(UsageErrorStatus, command + QStringLiteral(": give at least one job id"));
    return result;
}

int runStatus(const QStringList &arguments) {
    const QString command = QStringLiteral("status");
    IdArguments parsed = parseIds(arguments, command, true, false,
                                  QStringLiteral("Shows the running window's jobs (all of "
                                                 "them, or those given)."));
    if (parsed.exit)
        return *parsed.exit;
    const QDBusConnection bus = sessionBus();
    if (!windowRuns(bus))
        return noWindow(command, bus);
    QList<QVariantMap> jobs;
    int status = 0;
    if (parsed.ids.isEmpty()) {
        const QDBusMessage reply = call(bus, QStringLiteral("List"));
        if (reply.type() != QDBusMessage::ReplyMessage)
            return failedCall(command, reply);
        jobs = qdbus_cast<QList<QVariantMap>>(reply.arguments().value(0));
    }
    for (const qint64 id : std::as_const(parsed.ids)) {
        const QDBusMessage reply = call(bus, QStringLiteral("Get"), {qlonglong(id)});
        if (reply.type() != QDBusMessage::ReplyMessage) {
            status = std::max(status, failedCall(command, reply));
            continue;
        }
        jobs << qdbus_cast<QVariantMap>(reply.arguments().value(0));
    }
    QList<QJsonObject> lines;
    for (const QVariantMap &job : std::as_const(jobs))
        lines << dbus::recordJsonFromMap(job);
    if (parsed.json) {
        for (const QJsonObject &line : std::as_const(lines))
            printLine(QJsonDocument(line).toJson(QJsonDocument::Compact));
    } else if (!lines.isEmpty() || parsed.ids.isEmpty()) {
        const QByteArray table = jobTable(lines);
        std::fwrite(table.constData(), 1, size_t(table.size()), stdout);
    }
    return status;
}

int runAction(const QStringList &arguments, const QString &command) {
    const QString method = command.at(0).toUpper() + command.mid(1);
    IdArguments parsed =
        parseIds(arguments, command, false, true,
                 QStringLiteral("%1 the given jobs of the running window.").arg(method));
    if (parsed.exit)
        return *parsed.exit;
    const QDBusConnection bus = sessionBus();
    if (!windowRuns(bus))
        return noWindow(command, bus);
    int status = 0;
    for (const qint64 id : std::as_const(parsed.ids)) {
        const QDBusMessage reply = call(bus, method, {qlonglong(id)});
        if (reply.type() != QDBusMessage::ReplyMessage)
            status = std::max(status, failedCall(command, reply));
    }
    return status;
}

int runWait(const QStringList &arguments) {
    const QString command = QStringLiteral("wait");
    IdArguments parsed = parseIds(arguments, command, false, true,
                                  QStringLiteral("Waits until the given jobs have ended; exits 0 "
                                                 "when all completed, 1 otherwise."));
    if (parsed.exit)
        return *parsed.exit;
    const QDBusConnection bus = sessionBus();
    if (!windowRuns(bus))
        return noWindow(command, bus);
    EndWatcher watcher(bus);
    for (const qint64 id : std::as_const(parsed.ids)) {
        const QDBusMessage reply = call(bus, QStringLiteral("Get"), {qlonglong(id)});
        if (reply.type() != QDBusMessage::ReplyMessage)
            return failedCall(command, reply);
        if (const std::optional<EndWatcher::End> end =
                endOf(qdbus_cast<QVariantMap>(reply.arguments().value(0))))
            watcher.noteEnded(id, *end);
    }
    watcher.waitFor(parsed.ids);
    int status = 0;
    for (const qint64 id : std::as_const(parsed.ids)) {
        if (!watcher.ends().contains(id))
            return fail(1, QStringLiteral("wait: the window quit before job %1 ended").arg(id));
        if (watcher.ends().value(id).state != JobState::Completed)
            status = 1;
    }
    return status;
}

// `group pause|resume NAME [--running]`.
int runGroup(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pauses a group of the running window (it starts no more jobs; with --running its "
        "running jobs are paused too), or resumes it."));
    addHelp(parser);
    const QCommandLineOption running(QStringLiteral("running"),
                                     QStringLiteral("With pause: the group's running jobs too."));
    parser.addOption(running);
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("pause or resume."),
                                 QStringLiteral("pause|resume"));
    parser.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The group."));
    const QString command = QStringLiteral("group");
    if (!parser.parse(arguments))
        return fail(UsageErrorStatus, command + QStringLiteral(": ") + parser.errorText());
    if (helpAsked(parser, arguments, command))
        return 0;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (positional.size() != 2 ||
        (action != QLatin1String("pause") && action != QLatin1String("resume")))
        return fail(UsageErrorStatus, command + QStringLiteral(": give pause or resume, and the "
                                                               "group's name"));
    const QDBusConnection bus = sessionBus();
    if (!windowRuns(bus))
        return noWindow(command, bus);
    const QDBusMessage reply =
        action == QLatin1String("pause")
            ? call(bus, QStringLiteral("PauseGroup"), {positional.at(1), parser.isSet(running)})
            : call(bus, QStringLiteral("ResumeGroup"), {positional.at(1)});
    return reply.type() == QDBusMessage::ReplyMessage ? 0 : failedCall(command, reply);
}

const QStringList &windowCommands() {
    static const QStringList names{QStringLiteral("add"),    QStringLiteral("status"),
                                   QStringLiteral("cancel"), QStringLiteral("kill"),
                                   QStringLiteral("retry"),  QStringLiteral("remove"),
                                   QStringLiteral("wait"),   QStringLiteral("pause"),
                                   QStringLiteral("resume"), QStringLiteral("group")};
    return names;
}

} // namespace

bool isWindowCommand(const QStringList &arguments) {
    return arguments.size() > 1 && windowCommands().contains(arguments.at(1));
}

int runWindowCommand(const QStringList &arguments) {
    const QString command = arguments.at(1);
    QStringList rest = arguments;
    rest.removeAt(1);
    if (command == QLatin1String("add"))
        return runAdd(rest);
    if (command == QLatin1String("status"))
        return runStatus(rest);
    if (command == QLatin1String("wait"))
        return runWait(rest);
    if (command == QLatin1String("group"))
        return runGroup(rest);
    return runAction(rest, command);
}

std::optional<int> handOverToRunningWindow(const CommandLineOptions &options) {
    const QDBusConnection bus = sessionBus();
    if (!windowRuns(bus))
        return std::nullopt;
    int status = 0;
    qint64 last = 0;
    for (qsizetype i = 0; i < options.jobs.size(); ++i) {
        const QString &command = options.jobs.at(i);
        JobSpec spec = options.jobSpecAt(i);
        // The job runs where it was asked for, not where the window happened to start.
        if (spec.workingDirectory.isEmpty())
            spec.workingDirectory = QDir::currentPath();
        const QDBusMessage reply =
            call(bus, QStringLiteral("Add"), {dbus::specToMap(spec, options.terminationGiven)});
        if (reply.type() != QDBusMessage::ReplyMessage) {
            status = std::max(status, failedCall(QStringLiteral("--job ") + command, reply));
            continue;
        }
        last = reply.arguments().value(0).toLongLong();
        printLine(QByteArray::number(last));
    }
    if (const QDBusMessage reply = call(bus, QStringLiteral("Raise"), {qlonglong(last)});
        reply.type() != QDBusMessage::ReplyMessage)
        status = std::max(status, failedCall(QStringLiteral("raise"), reply));
    return status;
}

} // namespace jobmonitor

#include "windowclient.moc"
