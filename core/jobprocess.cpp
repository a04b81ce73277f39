#include "jobprocess.h"

#include "logging.h"
#include "wakeup.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace jobmonitor {

namespace {

int s_alive = 0;

// After SIGKILL has been requested, how long the shim may take to reap its job before we say
// so in the log. Killing the shim would only hand its job to init: a process that survives
// SIGKILL is in uninterruptible sleep (a hung NFS mount, a device), and we wait for it.
constexpr std::chrono::milliseconds KillWarning{3000};

constexpr int BigPipeSize = 1024 * 1024;
constexpr int BigPipeJobs = 16;

QString signalName(int signal) {
    const char *description = strsignal(signal);
    return description ? QString::fromLocal8Bit(description) : QStringLiteral("unknown");
}

struct ShimReport {
    std::optional<int> exitCode;
    std::optional<int> signal;
    int stragglers = 0;
    QString error;
};

// Reads what the shim wrote on its report pipe. Called after the shim has exited, so the
// read end never blocks (it is non-blocking anyway, in case a process kept the pipe open).
ShimReport readReport(int fd) {
    QByteArray text;
    char buffer[512];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    ShimReport report;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype space = line.indexOf(' ');
        if (space < 0)
            continue;
        const QByteArray key = line.left(space);
        const QByteArray value = line.mid(space + 1);
        if (key == "exit")
            report.exitCode = value.toInt();
        else if (key == "signal")
            report.signal = value.toInt();
        else if (key == "stragglers")
            report.stragglers = value.toInt();
        else if (key == "error")
            report.error = QString::fromLocal8Bit(value);
    }
    return report;
}

QStringList shimArguments(const JobSpec &spec) {
    QStringList signalNumbers;
    for (const TerminationSequence::Step &step : spec.termination.steps)
        signalNumbers << QString::number(step.signal);
    return {QStringLiteral("--report-fd"),
            QStringLiteral("3"),
            QStringLiteral("--grace-ms"),
            QString::number(spec.termination.grace().count()),
            QStringLiteral("--term-signals"),
            signalNumbers.join(QLatin1Char(',')),
            QStringLiteral("--"),
            QStringLiteral("/bin/sh"),
            QStringLiteral("-c"),
            spec.command};
}

} // namespace

QString ProcessResult::describe() const {
    switch (outcome) {
    case Outcome::Exited:
        return QStringLiteral("exit code %1").arg(exitCode);
    case Outcome::Signalled:
        return QStringLiteral("signal %1 (%2)").arg(signal).arg(signalName(signal));
    case Outcome::FailedToStart:
        break;
    }
    return QStringLiteral("failed to start: %1").arg(error);
}

JobProcess::JobProcess(QObject *parent)
    : QObject(parent) {}

JobProcess::~JobProcess() = default;

int JobProcess::aliveCount() {
    return s_alive;
}

QString JobProcess::shimPath(QString *error) {
    const QString name = QStringLiteral("jobmonitor-shim");
    const QDir appDir(QCoreApplication::applicationDirPath());
    const QStringList candidates{
        appDir.filePath(name),
        QDir::cleanPath(appDir.filePath(QStringLiteral(JOBMONITOR_INSTALLED_SHIM_DIR "/") + name)),
    };
    for (const QString &candidate : candidates)
        if (const QFileInfo file(candidate); file.isFile() && file.isExecutable())
            return candidate;
    // Otherwise QProcess would report "execvp: No such file or directory", which reads as if
    // the job's own command were missing.
    if (error)
        *error = QStringLiteral("cannot find %1, which runs every job: looked for %2")
                     .arg(name, candidates.join(QStringLiteral(" and ")));
    return {};
}

void JobProcess::sendToJob(int signal) {
    if (m_pid <= 0)
        return;
    sigval value{};
    value.sival_int = signal;
    if (::sigqueue(pid_t(m_pid), SIGRTMIN, value) == 0 || errno == ESRCH)
        return;
    // Queued signals can run out (RLIMIT_SIGPENDING); a plain SIGTERM still makes the shim run
    // the whole termination sequence by itself.
    spdlog::warn("cannot queue a stop request to job shim {}: {}; sending SIGTERM", m_pid,
                 strerror(errno));
    ::kill(pid_t(m_pid), SIGTERM);
}

QCoro::Task<ProcessResult> JobProcess::run(JobSpec spec, CancellationContext::Ptr context) {
    ProcessResult result;
    const QString shimProgram = shimPath(&result.error);
    if (shimProgram.isEmpty())
        co_return result;

    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        result.error = QStringLiteral("cannot create a pipe: %1").arg(strerror(errno));
        co_return result;
    }
    ::fcntl(report[0], F_SETFL, O_NONBLOCK);

    QProcess process;
    process.setProgram(shimProgram);
    process.setArguments(shimArguments(spec));
    process.setStandardInputFile(QProcess::nullDevice());
    if (!spec.workingDirectory.isEmpty())
        process.setWorkingDirectory(spec.workingDirectory);
    if (!spec.environment.isEmpty()) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (auto it = spec.environment.cbegin(); it != spec.environment.cend(); ++it)
            environment.insert(it.key(), it.value());
        process.setProcessEnvironment(environment);
    }
    const pid_t appPid = ::getpid();
    const int reportWriteFd = report[1];
    const bool enlargeStdout = s_alive < BigPipeJobs;
    process.setChildProcessModifier([appPid, reportWriteFd, enlargeStdout]() {
        // Runs in the child between fork and exec: only async-signal-safe calls.
        ::setsid(); // a terminal's Ctrl+C reaches the app, never the job
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != appPid) // the app died before PDEATHSIG was armed
            ::_exit(127);
        // Requests that arrive before the shim's main() has set up its handling wait in the
        // queue instead of killing it; the mask survives exec and the shim clears it for the
        // job.
        sigset_t requests;
        ::sigemptyset(&requests);
        for (int signal : {SIGRTMIN, SIGTERM, SIGINT, SIGHUP})
            ::sigaddset(&requests, signal);
        ::sigprocmask(SIG_BLOCK, &requests, nullptr);
        // A bigger stdout pipe: a job writing at full speed then wakes the app once per
        // megabyte instead of once per 64 KiB. Only for the first few jobs: pipe capacity
        // counts against a per-user limit (fs/pipe-user-pages-soft, 64 MiB by default), past
        // which every new pipe of the user's gets 8 KiB. The kernel may refuse; then the
        // pipe keeps its 64 KiB.
        if (enlargeStdout)
            ::fcntl(STDOUT_FILENO, F_SETPIPE_SZ, BigPipeSize);
        if (reportWriteFd == 3)
            ::fcntl(3, F_SETFD, 0);
        else
            ::dup2(reportWriteFd, 3);
    });

    // Every event of interest to the loop below wakes it: the process started or ended, the
    // context was cancelled or forced, a termination step's wait ran out.
    Wakeup wakeup;
    const auto wake = [&wakeup]() { wakeup.wake(); };
    // Recorded when it happens, not when the loop next runs: by then the process may have
    // ended too, and a job that ran must never be taken for one that failed to start.
    bool hasStarted = false;
    connect(&process, &QProcess::started, &wakeup, [&]() {
        hasStarted = true;
        m_pid = process.processId();
        ++s_alive;
        Q_EMIT started(m_pid);
        wakeup.wake();
    });
    connect(&process, &QProcess::finished, &wakeup, wake);
    connect(&process, &QProcess::errorOccurred, &wakeup, wake);
    connect(context.get(), &CancellationContext::cancelledWith, &wakeup, wake);
    connect(context.get(), &CancellationContext::forceRequested, &wakeup, wake);
    connect(&process, &QProcess::readyReadStandardOutput, this, [this, &process]() {
        Q_EMIT output(OutputChannel::Stdout, process.readAllStandardOutput());
    });
    connect(&process, &QProcess::readyReadStandardError, this, [this, &process]() {
        Q_EMIT output(OutputChannel::Stderr, process.readAllStandardError());
    });
    QTimer stepTimer;
    stepTimer.setSingleShot(true);
    stepTimer.setTimerType(Qt::PreciseTimer);
    connect(&stepTimer, &QTimer::timeout, &wakeup, wake);

    process.start();
    ::close(report[1]);

    bool killSent = false;
    qsizetype nextStep = 0;
    QDeadlineTimer stepDeadline(0); // the current termination step's wait
    QDeadlineTimer killWarning;     // after SIGKILL: when to report a job that will not die
    const auto sendKill = [&]() {
        sendToJob(SIGKILL);
        killSent = true;
        result.killed = true;
        killWarning = QDeadlineTimer(KillWarning);
    };

    for (;;) {
        if (process.state() == QProcess::NotRunning)
            break;
        if (hasStarted && context->isCancelled()) {
            if (!result.stopped) {
                result.stopped = true;
                Q_EMIT stopping(context->isForced() ? QDeadlineTimer(0)
                                                    : QDeadlineTimer(spec.termination.grace()));
            }
            if (context->isForced() && !killSent)
                sendKill();
            while (!killSent && stepDeadline.hasExpired()) {
                if (nextStep < spec.termination.steps.size()) {
                    const TerminationSequence::Step &step = spec.termination.steps[nextStep++];
                    sendToJob(step.signal);
                    stepDeadline = QDeadlineTimer(step.waitAfter);
                } else {
                    sendKill();
                }
            }
            if (killSent && killWarning.hasExpired()) {
                spdlog::error(
                    "a process of the job under shim {} survives SIGKILL (uninterruptible "
                    "sleep?); waiting for it",
                    m_pid);
                killWarning = QDeadlineTimer(QDeadlineTimer::Forever);
            }
            const QDeadlineTimer next = killSent ? killWarning : stepDeadline;
            if (!next.isForever())
                stepTimer.start(std::max<qint64>(0, next.remainingTime()));
        }
        co_await wakeup.wait();
    }
    stepTimer.stop();

    // Data that arrived together with the end of the process.
    if (const QByteArray rest = process.readAllStandardOutput(); !rest.isEmpty())
        Q_EMIT output(OutputChannel::Stdout, rest);
    if (const QByteArray rest = process.readAllStandardError(); !rest.isEmpty())
        Q_EMIT output(OutputChannel::Stderr, rest);

    const ShimReport shim = readReport(report[0]);
    ::close(report[0]);
    if (hasStarted)
        --s_alive;
    m_pid = 0;

    result.stragglers = shim.stragglers;
    result.error = shim.error; // the shim ran, but could not start the shell (exit status 127)
    if (!hasStarted || process.error() == QProcess::FailedToStart) {
        result.outcome = ProcessResult::Outcome::FailedToStart;
        result.error = process.errorString();
    } else if (shim.signal) {
        result.outcome = ProcessResult::Outcome::Signalled;
        result.signal = *shim.signal;
    } else if (shim.exitCode) {
        result.outcome = ProcessResult::Outcome::Exited;
        result.exitCode = *shim.exitCode;
    } else if (process.exitStatus() == QProcess::CrashExit) {
        // The shim itself was killed before it could report; Qt gives the signal number.
        result.outcome = ProcessResult::Outcome::Signalled;
        result.signal = process.exitCode();
    } else {
        result.outcome = ProcessResult::Outcome::Exited;
        result.exitCode = process.exitCode();
    }
    co_return result;
}

} // namespace jobmonitor
