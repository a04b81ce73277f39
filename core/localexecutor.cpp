#include "localexecutor.h"

#include "logging.h"
#include "processidentity.h"
#include "shimreport.h"
#include "signalnames.h"
#include "wakeup.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSet>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace jobmonitor {

namespace {

// Pids of the shims started through QProcess and not yet reaped by it: the zombie sweep must
// never reap one of them behind QProcess's back.
QSet<qint64> s_shims;

// After SIGKILL has been requested, how long the shim may take to reap its job before we say
// so in the log. Killing the shim would only hand its job to the adopting shim: a process that
// survives SIGKILL is in uninterruptible sleep (a hung NFS mount, a device), and we wait.
constexpr std::chrono::milliseconds KillWarning{3000};
// Processes that came to us for another reason than a dead shim are reaped this often.
constexpr std::chrono::milliseconds ZombieSweepInterval{30000};

// The first few jobs get 1 MiB output pipes: a job writing at full speed then wakes its shim
// once per megabyte instead of once per 64 KiB. Only a few: pipe capacity counts against a
// per-user limit (fs/pipe-user-pages-soft, 64 MiB by default), past which every new pipe of
// the user's gets 8 KiB.
constexpr int BigPipeJobs = 16;

constexpr int ReportFd = 3;

// Each running job holds two or three of our descriptors (its report pipe, QProcess's), so the
// usual soft limit of 1024 open files would stop us far below limits::maxParallel. We raise it
// to the hard limit once and give every command the soft limit we were started with (the shim's
// --nofile): programs that use select() break on descriptors above 1023. Empty when there was
// nothing to raise.
std::optional<rlim_t> raiseFileLimit() {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max)
        return std::nullopt;
    const rlim_t original = files.rlim_cur;
    files.rlim_cur = files.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0) {
        spdlog::warn("cannot raise the limit of open files from {} to {} ({}): fewer jobs can run "
                     "at once",
                     original, files.rlim_max, strerror(errno));
        return std::nullopt;
    }
    return original;
}

const std::optional<rlim_t> &jobFileLimit() {
    static const std::optional<rlim_t> limit = raiseFileLimit();
    return limit;
}

// The processes that are our children now (all threads' children files).
QList<qint64> ownChildren() {
    QList<qint64> children;
    const QString self = QStringLiteral("/proc/%1/task").arg(::getpid());
    for (const QString &task : QDir(self).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile file(self + QLatin1Char('/') + task + QStringLiteral("/children"));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &pid : file.readAll().split(' '))
            if (const qint64 value = pid.trimmed().toLongLong(); value > 0)
                children.append(value);
    }
    return children;
}

bool isZombie(qint64 pid) {
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = file.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close >= 0 && close + 2 < line.size() && line.at(close + 2) == 'Z';
}

// Reaps processes that came to us as orphans and have ended. Never one of QProcess's shims.
void reapOrphans() {
    for (const qint64 pid : ownChildren()) {
        if (s_shims.contains(pid) || !isZombie(pid))
            continue;
        int status = 0;
        if (::waitpid(pid_t(pid), &status, WNOHANG) == pid)
            spdlog::debug("reaped orphan {}", pid);
    }
}

QString describeShimDeath(qint64 pid, const QProcess &process) {
    if (process.exitStatus() == QProcess::CrashExit)
        return QStringLiteral("its shim (pid %1) was killed by %2")
            .arg(pid)
            .arg(signalDescription(process.exitCode()));
    return QStringLiteral("its shim (pid %1) exited with status %2 without a report")
        .arg(pid)
        .arg(process.exitCode());
}

QString termseqArgument(const TerminationSequence &sequence) {
    QStringList items;
    for (const TerminationSequence::Step &step : sequence.steps)
        items << QString::number(step.signal) << QString::number(step.waitAfter.count());
    return items.join(QLatin1Char(','));
}

// One shim process (job or adopting): started through QProcess with its report pipe on fd 3,
// in its own session, dying with us. Its report is parsed as it arrives.
class ShimProcess : public QObject {
public:
    ShimProcess() {
        connect(&m_process, &QProcess::started, this, [this] {
            m_started = true;
            m_wakeup.wake();
        });
        connect(&m_process, &QProcess::finished, &m_wakeup, [this] { m_wakeup.wake(); });
        connect(&m_process, &QProcess::errorOccurred, &m_wakeup, [this] { m_wakeup.wake(); });
    }

    ~ShimProcess() override {
        if (m_reportFd >= 0)
            ::close(m_reportFd);
    }

    ShimReport &report() { return m_report; }
    QProcess &process() { return m_process; }
    qint64 pid() const { return m_pid; }
    bool hasStarted() const { return m_started; }
    Wakeup &wakeup() { return m_wakeup; }

    bool start(const QStringList &arguments, const QString &workingDirectory) {
        const QString program = LocalExecutor::shimPath(&m_startError);
        if (program.isEmpty())
            return false;
        int report[2];
        if (::pipe2(report, O_CLOEXEC) != 0) {
            m_startError = QStringLiteral("cannot create a pipe: %1").arg(strerror(errno));
            return false;
        }
        m_reportFd = report[0];
        ::fcntl(m_reportFd, F_SETFL, O_NONBLOCK);
        m_process.setProgram(program);
        m_process.setArguments(
            QStringList{QStringLiteral("--report-fd"), QString::number(ReportFd)} + arguments);
        // The shim reports on fd 3 and passes output through files or its report: its own
        // stdout and stderr carry nothing, and must not become pipes nobody reads.
        m_process.setStandardInputFile(QProcess::nullDevice());
        m_process.setStandardOutputFile(QProcess::nullDevice());
        m_process.setStandardErrorFile(QProcess::nullDevice());
        if (!workingDirectory.isEmpty())
            m_process.setWorkingDirectory(workingDirectory);
        const pid_t appPid = ::getpid();
        const int reportWriteFd = report[1];
        m_process.setChildProcessModifier([appPid, reportWriteFd]() {
            // Runs in the child between fork and exec: only async-signal-safe calls.
            ::setsid(); // a terminal's Ctrl+C reaches the app, never the job
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != appPid) // the app died before PDEATHSIG was armed
                ::_exit(127);
            // Requests that arrive before the shim's main() has set up its handling wait in
            // the queue instead of killing it; the mask survives exec and the shim clears it
            // for the job.
            sigset_t requests;
            ::sigemptyset(&requests);
            for (int signal : {SIGRTMIN, SIGTERM, SIGINT, SIGHUP})
                ::sigaddset(&requests, signal);
            ::sigprocmask(SIG_BLOCK, &requests, nullptr);
            if (reportWriteFd == ReportFd)
                ::fcntl(ReportFd, F_SETFD, 0);
            else
                ::dup2(reportWriteFd, ReportFd);
        });
        m_process.start();
        ::close(reportWriteFd);
        m_pid = m_process.processId();
        if (m_pid > 0)
            s_shims.insert(m_pid);
        m_notifier = std::make_unique<QSocketNotifier>(m_reportFd, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] { readReport(); });
        return true;
    }

    QString startError() const {
        return m_startError.isEmpty() ? m_process.errorString() : m_startError;
    }
    bool failedToStart() const {
        return !m_startError.isEmpty() || !m_started ||
               m_process.error() == QProcess::FailedToStart;
    }
    bool running() const { return m_process.state() != QProcess::NotRunning; }

    // 0 starts the termination sequence, SIGKILL kills now, anything else is forwarded.
    void request(int value) {
        if (m_pid <= 0 || !running())
            return;
        sigval data{};
        data.sival_int = value;
        if (::sigqueue(pid_t(m_pid), SIGRTMIN, data) == 0 || errno == ESRCH)
            return;
        // Queued signals can run out (RLIMIT_SIGPENDING); a plain SIGTERM still makes the shim
        // run the whole termination sequence by itself.
        spdlog::warn("cannot queue a request to job shim {}: {}; sending SIGTERM", m_pid,
                     strerror(errno));
        if (value == 0 || value == SIGKILL)
            ::kill(pid_t(m_pid), SIGTERM);
    }

    // After the process has ended: the rest of the report.
    void finish() {
        readReport();
        m_notifier.reset();
        s_shims.remove(m_pid);
    }

private:
    void readReport() {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::read(m_reportFd, buffer, sizeof buffer);
            if (n > 0) {
                m_report.feed(QByteArrayView(buffer, n));
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0 && m_notifier)
                m_notifier->setEnabled(false); // end of file: every writer is gone
            return;
        }
    }

    QProcess m_process;
    ShimReport m_report;
    Wakeup m_wakeup;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QString m_startError;
    int m_reportFd = -1;
    qint64 m_pid = 0;
    bool m_started = false;
};

// Waits until the shim process has ended, reacting to the context: a cancel starts the
// termination sequence (the request goes out at once, inside the cancel, so that every job of
// a shutdown is signalled in the same turn), forcing kills now. Calls onStopping once when a
// stop is first requested, with when SIGKILL follows.
QCoro::Task<bool> superviseShim(ShimProcess &shim, CancellationContext::Ptr context,
                                std::chrono::milliseconds grace,
                                std::function<void(QDeadlineTimer)> onStopping) {
    bool stopRequested = false;
    bool stopReported = false;
    bool killRequested = false;
    QDeadlineTimer killWarning(QDeadlineTimer::Forever);
    QTimer warningTimer;
    warningTimer.setSingleShot(true);
    QObject::connect(&warningTimer, &QTimer::timeout, &shim.wakeup(),
                     [&shim] { shim.wakeup().wake(); });
    const auto react = [&] {
        if (!context->isCancelled())
            return;
        if (context->isForced() && !killRequested) {
            killRequested = true;
            shim.request(SIGKILL);
            killWarning = QDeadlineTimer(KillWarning);
        } else if (!stopRequested && !killRequested) {
            shim.request(0);
        }
        stopRequested = true;
        shim.wakeup().wake();
    };
    // The stop is told after the start, even when requested before it: a job is Stopping only
    // once it has been Running.
    const auto reportStop = [&] {
        if (stopRequested && !stopReported && shim.hasStarted()) {
            stopReported = true;
            onStopping(killRequested ? QDeadlineTimer(0) : QDeadlineTimer(grace));
        }
    };
    // Disconnected before returning: react refers to this frame.
    const QMetaObject::Connection onCancel =
        QObject::connect(context.get(), &CancellationContext::cancelledWith, &shim.wakeup(), react);
    const QMetaObject::Connection onForce = QObject::connect(
        context.get(), &CancellationContext::forceRequested, &shim.wakeup(), react);
    react();
    while (shim.running()) {
        reportStop();
        if (killRequested && killWarning.hasExpired()) {
            spdlog::error("a process of the job under shim {} survives SIGKILL (uninterruptible "
                          "sleep?); waiting for it",
                          shim.pid());
            killWarning = QDeadlineTimer(QDeadlineTimer::Forever);
        }
        if (!killWarning.isForever())
            warningTimer.start(std::chrono::milliseconds(killWarning.remainingTime()));
        co_await shim.wakeup().wait();
    }
    // Started and ended in one turn after a stop was requested: the job was Stopping all the
    // same.
    reportStop();
    QObject::disconnect(onCancel);
    QObject::disconnect(onForce);
    shim.finish();
    co_return stopRequested;
}

class LocalAttempt : public Attempt {
public:
    LocalAttempt(AttemptRequest request, bool bigPipes)
        : m_request(std::move(request))
        , m_bigPipes(bigPipes) {}

    QCoro::Task<AttemptResult> run(CancellationContext::Ptr context) override;

    bool sendSignal(int signal) override {
        if (!m_shim || !m_shim->running() || m_commandPid == 0)
            return false;
        m_shim->request(signal);
        return true;
    }

    AttemptProcesses processes() const override {
        return {m_shim && m_shim->running() ? m_shim->pid() : 0, m_commandPid};
    }

private:
    QStringList shimArguments() const;
    QCoro::Task<> adoptRemains(ShimProcess &dead, CancellationContext::Ptr context,
                               AttemptResult &result);

    const AttemptRequest m_request;
    const bool m_bigPipes;
    ShimProcess *m_shim = nullptr;
    qint64 m_commandPid = 0;
};

QStringList LocalAttempt::shimArguments() const {
    const JobSpec &spec = m_request.spec;
    QStringList arguments{QStringLiteral("--termseq"), termseqArgument(spec.termination)};
    if (!m_request.outputDirectory.isEmpty())
        arguments << QStringLiteral("--output-dir") << m_request.outputDirectory;
    if (m_bigPipes)
        arguments << QStringLiteral("--big-pipes");
    if (const std::optional<rlim_t> &files = jobFileLimit())
        arguments << QStringLiteral("--nofile") << QString::number(*files);
    if (spec.niceness)
        arguments << QStringLiteral("--nice") << QString::number(*spec.niceness);
    if (spec.ioPriority)
        arguments
            << QStringLiteral("--ionice")
            << QStringLiteral("%1,%2").arg(spec.ioPriority->ioClass).arg(spec.ioPriority->level);
    // Every process of the job can tell which job it belongs to, and so can we, should its
    // shim die (see the class comment).
    arguments << QStringLiteral("--env")
              << QStringLiteral("JOBMONITOR_JOB_ID=%1").arg(m_request.jobId)
              << QStringLiteral("--env")
              << QStringLiteral("JOBMONITOR_TRACE_ID=%1").arg(m_request.traceId)
              // Which application process started it: after a crash, the next Job Monitor
              // finds what is left of the dead one's jobs by it (storerecovery.h).
              << QStringLiteral("--env")
              << QStringLiteral("JOBMONITOR_OWNER=%1").arg(ProcessIdentity::self().tag());
    for (auto it = spec.environment.cbegin(); it != spec.environment.cend(); ++it)
        arguments << QStringLiteral("--env") << it.key() + QLatin1Char('=') + it.value();
    arguments << QStringLiteral("--") << QStringLiteral("/bin/sh") << QStringLiteral("-c")
              << spec.command;
    return arguments;
}

QCoro::Task<AttemptResult> LocalAttempt::run(CancellationContext::Ptr context) {
    AttemptResult result;
    if (context->isCancelled()) {
        result.outcome.error = QStringLiteral("cancelled before it started");
        co_return result;
    }
    ShimProcess shim;
    m_shim = &shim;
    shim.report().onOutput = [this](OutputChannel channel, const QByteArray &data) {
        Q_EMIT output(channel, data);
    };
    shim.report().onOutputError = [this, &shim] {
        Q_EMIT outputFailed(shim.report().outputError());
    };
    shim.report().onLeader = [this](qint64 pid) {
        m_commandPid = pid;
        Q_EMIT processesChanged();
    };
    connect(&shim.process(), &QProcess::started, this, [this] {
        Q_EMIT started();
        Q_EMIT processesChanged();
    });
    if (!shim.start(shimArguments(), m_request.spec.workingDirectory)) {
        result.outcome.error = shim.startError();
        m_shim = nullptr;
        co_return result;
    }
    result.stopRequested = co_await superviseShim(
        shim, context, m_request.spec.termination.grace(),
        [this](QDeadlineTimer killDeadline) { Q_EMIT stopping(killDeadline); });

    const ShimReport &report = shim.report();
    for (const QByteArray &line : report.unknownLines())
        spdlog::warn("job {} [{}]: shim said: {}", m_request.jobId, m_request.traceId, line);
    result.stragglers = report.stragglers();
    result.killedProcesses = report.killed();
    result.killedEscapees = report.killedEscapees();
    if (report.killRequested())
        result.killed = KillCause::Request;
    else if (report.killedBySequence())
        result.killed = KillCause::Sequence;
    // No answer means the shim never saw the request: it had finished by then.
    result.stopTookEffect = result.stopRequested && report.stopEffect().value_or(false);
    result.outputError = report.outputError();
    result.cpuTimeMs = report.cpuTimeMs().value_or(-1);
    result.peakRssBytes = report.maxProcessRssBytes().value_or(-1);

    AttemptOutcome &outcome = result.outcome;
    if (shim.failedToStart()) {
        outcome.kind = AttemptOutcome::Kind::FailedToStart;
        outcome.error = shim.startError();
    } else if (!report.complete() && report.leaderPid() == 0 && !report.error().isEmpty()) {
        // The shim gave up before it started the command (it says why, and exits 125).
        outcome.kind = AttemptOutcome::Kind::FailedToStart;
        outcome.error = report.error();
    } else if (!report.complete()) {
        outcome.kind = AttemptOutcome::Kind::Lost;
        outcome.error = describeShimDeath(shim.pid(), shim.process());
        spdlog::error("job {} [{}]: {}; ending what it left behind", m_request.jobId,
                      m_request.traceId, outcome.error);
        co_await adoptRemains(shim, context, result);
    } else if (report.signal()) {
        outcome.kind = AttemptOutcome::Kind::Signalled;
        outcome.signal = *report.signal();
    } else {
        outcome.kind = AttemptOutcome::Kind::Exited;
        outcome.exitCode = report.exitCode().value_or(shim.process().exitCode());
        outcome.error = report.error(); // the shim ran, but could not exec the command
    }
    m_shim = nullptr;
    m_commandPid = 0;
    Q_EMIT processesChanged();
    co_return result;
}

QCoro::Task<> LocalAttempt::adoptRemains(ShimProcess &dead, CancellationContext::Ptr context,
                                         AttemptResult &result) {
    ShimProcess adopter;
    m_shim = &adopter;
    const QStringList arguments{
        QStringLiteral("--termseq"), termseqArgument(m_request.spec.termination),
        QStringLiteral("--adopt"),   QString::number(dead.pid()),
        QStringLiteral("--trace"),   m_request.traceId};
    if (!adopter.start(arguments, QString())) {
        spdlog::error("job {} [{}]: cannot end what its shim left: {}", m_request.jobId,
                      m_request.traceId, adopter.startError());
        co_return;
    }
    // The job is being ended now, whatever the context says; only forcing changes anything.
    const CancellationContext::Ptr forceOnly = CancellationContext::background();
    QObject::connect(context.get(), &CancellationContext::forceRequested, forceOnly.get(),
                     [raw = forceOnly.get()] { raw->cancel(CancelReason::Force); });
    if (context->isForced())
        forceOnly->cancel(CancelReason::Force);
    adopter.request(0);
    co_await superviseShim(adopter, forceOnly, m_request.spec.termination.grace(),
                           [](QDeadlineTimer) {});
    const ShimReport &report = adopter.report();
    for (const qint64 pid : report.adopted()) {
        int status = 0;
        if (::waitpid(pid_t(pid), &status, WNOHANG) != pid || pid != m_commandPid)
            continue;
        // The command came to us when its shim died: we know how it ended.
        result.outcome.error +=
            WIFSIGNALED(status)
                ? QStringLiteral("; the command then ended by %1")
                      .arg(signalDescription(WTERMSIG(status)))
                : QStringLiteral("; the command then exited with code %1").arg(WEXITSTATUS(status));
    }
    reapOrphans();
    result.killedProcesses += report.killed();
    result.killedEscapees += report.killedEscapees();
    if (report.killed() > 0 && result.killed == KillCause::None)
        result.killed = KillCause::Sequence;
    spdlog::info("job {} [{}]: {} process(es) of the dead shim ended", m_request.jobId,
                 m_request.traceId, report.adopted().size());
}

} // namespace

QString AttemptOutcome::describe() const {
    switch (kind) {
    case Kind::Exited:
        return QStringLiteral("exit code %1").arg(exitCode);
    case Kind::Signalled:
        return signalDescription(signal);
    case Kind::FailedToStart:
        return QStringLiteral("failed to start: %1").arg(error);
    case Kind::Lost:
        break;
    }
    return QStringLiteral("lost: %1").arg(error);
}

QString AttemptResult::describe() const {
    QString text = outcome.describe();
    if (outcome.kind == AttemptOutcome::Kind::Exited && !outcome.error.isEmpty())
        text += QStringLiteral(" (%1)").arg(outcome.error);
    if (stopRequested && !stopTookEffect)
        text += QStringLiteral(", ended before the stop reached it");
    if (stragglers > 0)
        text += QStringLiteral(", %1 straggler(s) ended").arg(stragglers);
    if (killedProcesses > 0) {
        text += killed == KillCause::Request
                    ? QStringLiteral(", %1 process(es) killed on request").arg(killedProcesses)
                    : QStringLiteral(", %1 process(es) killed after the termination sequence")
                          .arg(killedProcesses);
        if (killedEscapees > 0)
            text += QStringLiteral(" (%1 outside the job's process group)").arg(killedEscapees);
    }
    if (!outputError.isEmpty())
        text += QStringLiteral("; output not saved from some point on: %1").arg(outputError);
    return text;
}

LocalExecutor::LocalExecutor() {
    jobFileLimit();
    // See the class comment: a dead shim's processes must come to us, not to init.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        spdlog::warn("cannot become a child subreaper ({}): the processes of a job whose shim "
                     "is killed would outlive it",
                     strerror(errno));
    m_zombieSweep.setInterval(ZombieSweepInterval);
    QObject::connect(&m_zombieSweep, &QTimer::timeout, [] { reapOrphans(); });
    m_zombieSweep.start();
}

LocalExecutor::~LocalExecutor() = default;

std::unique_ptr<Attempt> LocalExecutor::createAttempt(AttemptRequest request) {
    return std::make_unique<LocalAttempt>(std::move(request), s_shims.size() < BigPipeJobs);
}

int LocalExecutor::liveShims() {
    return int(s_shims.size());
}

QString LocalExecutor::shimPath(QString *error) {
    // Looked up once: it does not move while the app runs, and every job start needs it.
    static QString found;
    if (!found.isEmpty())
        return found;
    const QString name = QStringLiteral("jobmonitor-shim");
    const QDir appDir(QCoreApplication::applicationDirPath());
    const QStringList candidates{
        appDir.filePath(name),
        QDir::cleanPath(appDir.filePath(QStringLiteral(JOBMONITOR_INSTALLED_SHIM_DIR "/") + name)),
    };
    for (const QString &candidate : candidates)
        if (const QFileInfo file(candidate); file.isFile() && file.isExecutable())
            return found = candidate;
    // Otherwise QProcess would report "execvp: No such file or directory", which reads as if
    // the job's own command were missing.
    if (error)
        *error = QStringLiteral("cannot find %1, which runs every job: looked for %2")
                     .arg(name, candidates.join(QStringLiteral(" and ")));
    return {};
}

} // namespace jobmonitor
