// Tests of jobmonitor-shim (core/shim/main.cpp), started the way the application starts it:
// in its own session, dying with its parent, with its report on fd 3. Each test ends by
// proving that the shim exited and that no process of the job is alive (cleanup()).

#include "testutil.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

constexpr int kFinishTimeoutMs = 15000;
constexpr auto kPidTimeout = 10s;

QString shimPath() {
    return QCoreApplication::applicationDirPath() + QStringLiteral("/jobmonitor-shim");
}

char processState(qint64 pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close >= 0 && close + 2 < line.size() ? line.at(close + 2) : 0;
}

// One shim, started like the application's JobProcess starts it.
class ShimRun {
public:
    ShimRun(const QStringList &shimArguments, const QStringList &command) {
        int report[2];
        if (pipe2(report, O_CLOEXEC) != 0)
            return;
        m_reportFd = report[0];
        const int writeFd = report[1];
        const pid_t parent = getpid();
        m_process.setProgram(shimPath());
        m_process.setArguments(QStringList{QStringLiteral("--report-fd"), QStringLiteral("3")} +
                               shimArguments + QStringList{QStringLiteral("--")} + command);
        m_process.setStandardInputFile(QProcess::nullDevice());
        m_process.setChildProcessModifier([writeFd, parent] {
            setsid();
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(126);
            if (writeFd == 3)
                fcntl(writeFd, F_SETFD, 0);
            else
                dup2(writeFd, 3);
        });
        m_process.start();
        close(writeFd);
        if (m_process.waitForStarted())
            m_pid = m_process.processId();
    }

    ~ShimRun() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
        if (m_reportFd >= 0)
            close(m_reportFd);
    }

    qint64 pid() const { return m_pid; }
    QProcess &process() { return m_process; }

    // What the application does to signal the job through the shim.
    bool request(int signal) const {
        sigval value{};
        value.sival_int = signal;
        return sigqueue(static_cast<pid_t>(m_pid), SIGRTMIN, value) == 0;
    }

    bool finish() { return m_process.waitForFinished(kFinishTimeoutMs); }

    // The report, read to its end (the shim's exit closes the pipe).
    QByteArray report() const {
        QByteArray data;
        char buffer[256];
        for (;;) {
            pollfd readable{m_reportFd, POLLIN, 0};
            if (poll(&readable, 1, kFinishTimeoutMs) <= 0)
                return data;
            const ssize_t n = read(m_reportFd, buffer, sizeof buffer);
            if (n <= 0)
                return data;
            data.append(buffer, n);
        }
    }

private:
    QProcess m_process;
    qint64 m_pid = 0;
    int m_reportFd = -1;
};

QByteArray exitReport(int stragglers, int code) {
    return QByteArrayLiteral("stragglers ") + QByteArray::number(stragglers) +
           QByteArrayLiteral("\nexit ") + QByteArray::number(code) + '\n';
}

QByteArray signalReport(int stragglers, int signal) {
    return QByteArrayLiteral("stragglers ") + QByteArray::number(stragglers) +
           QByteArrayLiteral("\nsignal ") + QByteArray::number(signal) + '\n';
}

} // namespace

class TestShim : public QObject {
    Q_OBJECT

private:
    // The job: the helper child with a pid file, run directly or through /bin/sh -c.
    QStringList childCommand(const QStringList &arguments, bool viaShell = false) const {
        const QStringList withPidFile =
            QStringList{QStringLiteral("--pidfile"), m_pidFile} + arguments;
        if (viaShell)
            return {QStringLiteral("/bin/sh"), QStringLiteral("-c"), testChildCommand(withPidFile)};
        return QStringList{testChildPath()} + withPidFile;
    }

    ShimRun &startShim(const QStringList &shimArguments, const QStringList &command) {
        m_run = std::make_unique<ShimRun>(shimArguments, command);
        return *m_run;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_pidFile;
    std::unique_ptr<ShimRun> m_run;
    QList<qint64> m_otherPids; // processes of a test that are neither the job's nor m_run's

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_pidFile = m_dir->filePath(QStringLiteral("pids"));
        m_otherPids.clear();
    }

    // The shim exits only once its whole job has ended, so by now nothing may be alive.
    void cleanup() {
        QList<qint64> pids = readPidFile(m_pidFile).values() + m_otherPids;
        if (m_run)
            pids << m_run->pid();
        QList<qint64> alive;
        for (qint64 pid : pids)
            if (isPidAlive(pid))
                alive << pid;
        // Whatever failed, leave nothing behind for the next test.
        for (qint64 pid : alive)
            kill(static_cast<pid_t>(pid), SIGKILL);
        m_run.reset();
        QCOMPARE(alive, QList<qint64>{});
    }

    void exitCodePassesThrough_data() {
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("viaShell");
        for (int code : {0, 1, 3, 127, 255})
            QTest::addRow("exit %d", code) << code << false;
        QTest::addRow("exit 3 through /bin/sh -c") << 3 << true;
    }

    void exitCodePassesThrough() {
        QFETCH(int, code);
        QFETCH(bool, viaShell);
        ShimRun &run = startShim(
            {}, childCommand({QStringLiteral("--exit"), QString::number(code)}, viaShell));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), code);
        QCOMPARE(run.report(), exitReport(0, code));
        QCOMPARE(run.process().readAllStandardOutput(), QByteArray());
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
        QCOMPARE(readPidFile(m_pidFile).values(QStringLiteral("main")).size(), 1);
    }

    void signalPassesThrough_data() {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGKILL") << int(SIGKILL);
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGSEGV") << int(SIGSEGV);
        QTest::newRow("SIGABRT") << int(SIGABRT);
    }

    // Qt 6.4 reports a child killed by a signal as CrashExit with the signal as exit code.
    void signalPassesThrough() {
        QFETCH(int, signal);
        ShimRun &run =
            startShim({}, childCommand({QStringLiteral("--signal"), QString::number(signal)}));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), signal);
        QCOMPARE(run.report(), signalReport(0, signal));
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
        QCOMPARE(readPidFile(m_pidFile).size(), 1);
    }

    void execFailureIsReported() {
        ShimRun &run = startShim({}, {QStringLiteral("/nonexistent/jm-program")});
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 127);
        QCOMPARE(
            run.report(),
            QByteArrayLiteral("error exec /nonexistent/jm-program: No such file or directory\n") +
                exitReport(0, 127));
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
    }

    void forwardedSignalsEndTheJob_data() {
        QTest::addColumn<QStringList>("childArguments");
        QTest::addColumn<int>("processes");
        QTest::addColumn<bool>("stopped");
        QTest::addColumn<QList<int>>("requests");
        QTest::addColumn<int>("endedBy");
        QTest::addColumn<bool>("scanProc");
        const QStringList family{QStringLiteral("--grandchild"), QStringLiteral("--escape")};
        const QStringList sleepForever{QStringLiteral("--sleep"), QStringLiteral("-1")};
        QTest::newRow("TERM ends a sleeper")
            << sleepForever << 1 << false << QList<int>{SIGTERM} << int(SIGTERM) << false;
        QTest::newRow("TERM then CONT end a stopped child")
            << QStringList{QStringLiteral("--stop")} + sleepForever << 1 << true
            << QList<int>{SIGTERM, SIGCONT} << int(SIGTERM) << false;
        for (const bool scanProc : {false, true}) {
            const char *how = scanProc ? " (scanning /proc)" : "";
            QTest::addRow("TERM ends grandchild and escapee%s", how)
                << family + sleepForever << 3 << false << QList<int>{SIGTERM} << int(SIGTERM)
                << scanProc;
            QTest::addRow("KILL ends TERM-ignoring grandchild and escapee%s", how)
                << QStringList{QStringLiteral("--ignore-term")} + family + sleepForever << 3
                << false << QList<int>{SIGKILL} << int(SIGKILL) << scanProc;
        }
    }

    void forwardedSignalsEndTheJob() {
        QFETCH(QStringList, childArguments);
        QFETCH(int, processes);
        QFETCH(bool, stopped);
        QFETCH(QList<int>, requests);
        QFETCH(int, endedBy);
        QFETCH(bool, scanProc);
        QStringList shimArguments{QStringLiteral("--grace-ms"), QStringLiteral("500")};
        if (scanProc)
            shimArguments << QStringLiteral("--scan-proc");
        ShimRun &run = startShim(shimArguments, childCommand(childArguments));
        QCOMPARE(waitForPids(m_pidFile, processes, kPidTimeout).size(), processes);
        if (stopped) {
            const qint64 main = readPidFile(m_pidFile).value(QStringLiteral("main"));
            QTRY_COMPARE_WITH_TIMEOUT(processState(main), 'T', 10000);
        }
        for (int signal : requests)
            QVERIFY(run.request(signal));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), endedBy);
        // Processes still ending after a forwarded TERM are not stragglers.
        QCOMPARE(run.report(), signalReport(0, endedBy));
    }

    void termIgnoringChildSurvivesTermAndDiesOnKill() {
        ShimRun &run =
            startShim({}, childCommand({QStringLiteral("--ignore-term"), QStringLiteral("--sleep"),
                                        QStringLiteral("-1")}));
        const QList<qint64> pids = waitForPids(m_pidFile, 1, kPidTimeout);
        QCOMPARE(pids.size(), 1);
        QVERIFY(run.request(SIGTERM));
        QTest::qWait(300);
        QVERIFY(isPidAlive(pids.first()));
        QCOMPARE(run.process().state(), QProcess::Running);
        QVERIFY(run.request(SIGKILL));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), int(SIGKILL));
        QCOMPARE(run.report(), signalReport(0, SIGKILL));
    }

    void stragglersAreCountedAndEnded_data() {
        QTest::addColumn<QStringList>("childArguments");
        const QStringList family{QStringLiteral("--grandchild"), QStringLiteral("--escape"),
                                 QStringLiteral("--exit"), QStringLiteral("5")};
        QTest::newRow("ended by TERM") << family;
        QTest::newRow("killed after the grace period")
            << QStringList{QStringLiteral("--ignore-term")} + family;
    }

    void stragglersAreCountedAndEnded() {
        QFETCH(QStringList, childArguments);
        ShimRun &run = startShim({QStringLiteral("--grace-ms"), QStringLiteral("300")},
                                 childCommand(childArguments));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 5);
        QCOMPARE(run.report(), exitReport(2, 5));
        QCOMPARE(readPidFile(m_pidFile).size(), 3);
    }

    // The application may force SIGKILL while the shim is still waiting for stragglers.
    void killRequestCutsStragglersGraceShort() {
        ShimRun &run =
            startShim({QStringLiteral("--grace-ms"), QStringLiteral("600000")},
                      childCommand({QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                                    QStringLiteral("--escape"), QStringLiteral("--exit"),
                                    QStringLiteral("6")}));
        const QList<qint64> pids = waitForPids(m_pidFile, 3, kPidTimeout);
        QCOMPARE(pids.size(), 3);
        const qint64 main = readPidFile(m_pidFile).value(QStringLiteral("main"));
        QCOMPARE(waitUntilDead({main}, kPidTimeout), QList<qint64>{});
        QVERIFY(run.request(SIGKILL));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 6);
        QCOMPARE(run.report(), exitReport(2, 6));
    }

    void trappingChildGetsItsGracePeriod() {
        const QString marker = m_dir->filePath(QStringLiteral("marker"));
        ShimRun &run = startShim({QStringLiteral("--grace-ms"), QStringLiteral("10000")},
                                 childCommand({QStringLiteral("--trap-term"), QStringLiteral("300"),
                                               QStringLiteral("--marker"), marker,
                                               QStringLiteral("--sleep"), QStringLiteral("-1")}));
        QCOMPARE(waitForPids(m_pidFile, 1, kPidTimeout).size(), 1);
        QVERIFY(kill(static_cast<pid_t>(run.pid()), SIGTERM) == 0);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 0);
        QCOMPARE(run.report(), exitReport(0, 0));
        QFile file(marker);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArrayLiteral("done\n"));
    }

    void shimSignalRunsTheSequence_data() {
        QTest::addColumn<int>("shimSignal");
        QTest::addColumn<QStringList>("shimArguments");
        QTest::addColumn<QStringList>("childArguments");
        QTest::addColumn<int>("processes");
        QTest::addColumn<int>("endedBy");
        const QStringList shortGrace{QStringLiteral("--grace-ms"), QStringLiteral("300")};
        const QStringList sleepForever{QStringLiteral("--sleep"), QStringLiteral("-1")};
        const QStringList stubborn =
            QStringList{QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                        QStringLiteral("--escape")} +
            sleepForever;
        QTest::newRow("SIGTERM ends a sleeper")
            << int(SIGTERM) << shortGrace << sleepForever << 1 << int(SIGTERM);
        QTest::newRow("SIGTERM kills a TERM-ignoring family after the grace period")
            << int(SIGTERM) << shortGrace << stubborn << 3 << int(SIGKILL);
        QTest::newRow("SIGINT kills a TERM-ignoring family after the grace period")
            << int(SIGINT) << shortGrace << stubborn << 3 << int(SIGKILL);
        QTest::newRow("SIGHUP kills a TERM-ignoring family after the grace period")
            << int(SIGHUP) << shortGrace << stubborn << 3 << int(SIGKILL);
        QTest::newRow("custom termination signals")
            << int(SIGTERM)
            << shortGrace + QStringList{QStringLiteral("--term-signals"), QStringLiteral("10")}
            << sleepForever << 1 << int(SIGUSR1);
    }

    void shimSignalRunsTheSequence() {
        QFETCH(int, shimSignal);
        QFETCH(QStringList, shimArguments);
        QFETCH(QStringList, childArguments);
        QFETCH(int, processes);
        QFETCH(int, endedBy);
        ShimRun &run = startShim(shimArguments, childCommand(childArguments));
        QCOMPARE(waitForPids(m_pidFile, processes, kPidTimeout).size(), processes);
        QVERIFY(kill(static_cast<pid_t>(run.pid()), shimSignal) == 0);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), endedBy);
        QCOMPARE(run.report(), signalReport(0, endedBy));
    }

    // The application killed with SIGKILL: its shim gets PR_SET_PDEATHSIG and ends the job.
    void dyingParentEndsTheJob() {
        const QStringList arguments =
            QStringList{QStringLiteral("--grace-ms"), QStringLiteral("300"), QStringLiteral("--")} +
            childCommand({QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                          QStringLiteral("--escape"), QStringLiteral("--sleep"),
                          QStringLiteral("-1")});
        // Everything the forked processes use is prepared before fork: after it, only
        // async-signal-safe calls.
        std::vector<std::string> strings{shimPath().toStdString()};
        for (const QString &argument : arguments)
            strings.push_back(argument.toStdString());
        std::vector<char *> argv;
        for (std::string &s : strings)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        int shimPidPipe[2];
        QVERIFY(pipe2(shimPidPipe, O_CLOEXEC) == 0);

        const pid_t parent = fork();
        QVERIFY(parent >= 0);
        if (parent == 0) {
            const pid_t self = getpid();
            const pid_t shim = fork();
            if (shim == 0) {
                setsid();
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != self)
                    _exit(126);
                execv(argv[0], argv.data());
                _exit(127);
            }
            (void)!write(shimPidPipe[1], &shim, sizeof shim);
            for (;;)
                pause();
        }
        m_otherPids << parent;
        close(shimPidPipe[1]);
        pid_t shim = 0;
        pollfd readable{shimPidPipe[0], POLLIN, 0};
        const bool gotShimPid = poll(&readable, 1, kFinishTimeoutMs) == 1 &&
                                read(shimPidPipe[0], &shim, sizeof shim) == sizeof shim;
        close(shimPidPipe[0]);
        QVERIFY(gotShimPid);
        m_otherPids << shim;

        const QList<qint64> pids = waitForPids(m_pidFile, 3, kPidTimeout);
        QCOMPARE(pids.size(), 3);
        QVERIFY(kill(parent, SIGKILL) == 0);
        QCOMPARE(waitpid(parent, nullptr, 0), parent);
        QCOMPARE(waitUntilDead(pids + QList<qint64>{shim}, 3s), QList<qint64>{});
    }
};

QTEST_GUILESS_MAIN(TestShim)
#include "tst_shim.moc"
