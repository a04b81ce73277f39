// Tests of jobmonitor-shim (core/shim/main.cpp) against the protocol in its header comment,
// started the way the application's ShimProcess starts it: in its own session, dying with its
// parent, requests blocked until it handles them, its report on fd 3. Each test ends by
// proving that the shim and every process of its job are dead (cleanup()).
//
// The test process is a child subreaper, as the application is: what a killed shim leaves
// comes to it, for the adopting shim to find and for the test to reap.

#include "testutil.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

// Generous bounds for what must happen eventually; nothing here measures how fast.
constexpr int kEventuallyMs = 30000;
constexpr auto kEventually = std::chrono::milliseconds(kEventuallyMs);

QString shimPath() {
    return QCoreApplication::applicationDirPath() + QStringLiteral("/jobmonitor-shim");
}

qint64 monotonicUs() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

qint64 wallClockMs() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// The fields of /proc/PID/stat after the command name: [0] is the state (field 3).
QList<QByteArray> statFields(qint64 pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close < 0 ? QList<QByteArray>() : line.mid(close + 2).trimmed().split(' ');
}

int niceness(qint64 pid) {
    return statFields(pid).value(19 - 3).toInt(); // field 19
}

int ioPriority(qint64 pid) {
    constexpr int kIoprioWhoProcess = 1;
    return int(syscall(SYS_ioprio_get, kIoprioWhoProcess, pid_t(pid)));
}

QByteArray sha256(const QByteArray &data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray readAll(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The report, split into its lines and the bytes of its "out"/"err" frames.
struct Report {
    // every line but the frame headers and the usage line; the leader's pid as "PID"
    QList<QByteArray> lines;
    QList<qint64> usage;                       // the usage line's CPU ms and largest RSS in KiB
    QList<std::pair<char, QByteArray>> frames; // 'o' or 'e', and the bytes, in order
    qint64 leader = 0;

    QByteArray relayed(char channel) const {
        QByteArray bytes;
        for (const auto &[c, data] : frames)
            if (c == channel)
                bytes += data;
        return bytes;
    }
    bool has(const QByteArray &line) const { return lines.contains(line); }
    // The lines without those starting with prefix.
    QList<QByteArray> without(const QByteArray &prefix) const {
        QList<QByteArray> kept;
        for (const QByteArray &line : lines)
            if (!line.startsWith(prefix))
                kept << line;
        return kept;
    }
    QList<qint64> numbersAfter(const QByteArray &prefix) const {
        QList<qint64> numbers;
        for (const QByteArray &line : lines)
            if (line.startsWith(prefix))
                numbers << line.mid(prefix.size()).toLongLong();
        return numbers;
    }
};

// An incomplete last line or frame is left out: it has not fully arrived.
Report parseReport(const QByteArray &raw) {
    Report report;
    qsizetype at = 0;
    for (;;) {
        const qsizetype newline = raw.indexOf('\n', at);
        if (newline < 0)
            return report;
        const QByteArray line = raw.mid(at, newline - at);
        at = newline + 1;
        if (line.startsWith("out ") || line.startsWith("err ")) {
            const qsizetype size = line.mid(4).toLongLong();
            if (at + size > raw.size())
                return report;
            report.frames.append({line.at(0), raw.mid(at, size)});
            at += size;
        } else if (line.startsWith("leader ")) {
            report.leader = line.mid(7).toLongLong();
            report.lines << QByteArrayLiteral("leader PID");
        } else if (line.startsWith("usage ")) {
            // Its figures differ from run to run; the tests that care look at them.
            for (const QByteArray &figure : line.mid(6).split(' '))
                report.usage << figure.toLongLong();
        } else {
            report.lines << line;
        }
    }
}

// How the job's process starts beyond its arguments.
struct ShimSetup {
    QString stdinFile; // empty: /dev/null
    rlim_t fileSizeLimit = RLIM_INFINITY;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
};

// One shim, started like the application's ShimProcess starts it.
class ShimRun {
public:
    // arguments: everything after "--report-fd 3".
    explicit ShimRun(const QStringList &arguments, const ShimSetup &setup = {}) {
        int report[2];
        if (pipe2(report, O_CLOEXEC) != 0)
            return;
        m_reportFd = report[0];
        const int writeFd = report[1];
        const pid_t parent = getpid();
        const rlim_t fileSizeLimit = setup.fileSizeLimit;
        m_process.setProgram(shimPath());
        m_process.setArguments(QStringList{QStringLiteral("--report-fd"), QStringLiteral("3")} +
                               arguments);
        m_process.setProcessEnvironment(setup.environment);
        if (setup.stdinFile.isEmpty())
            m_process.setStandardInputFile(QProcess::nullDevice());
        else
            m_process.setStandardInputFile(setup.stdinFile);
        m_process.setChildProcessModifier([writeFd, parent, fileSizeLimit] {
            setsid();
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(126);
            sigset_t requests;
            sigemptyset(&requests);
            for (int signal : {SIGRTMIN, SIGTERM, SIGINT, SIGHUP})
                sigaddset(&requests, signal);
            sigprocmask(SIG_BLOCK, &requests, nullptr);
            if (fileSizeLimit != RLIM_INFINITY) {
                const rlimit limit{fileSizeLimit, fileSizeLimit};
                setrlimit(RLIMIT_FSIZE, &limit);
            }
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

    // What the application does: 0 stops, SIGKILL kills now, anything else is forwarded.
    bool request(int value) const {
        sigval data{};
        data.sival_int = value;
        return sigqueue(pid_t(m_pid), SIGRTMIN, data) == 0;
    }

    // Reads the report until `line` has arrived (false if it does not, eventually).
    bool waitForLine(const QByteArray &line) {
        QDeadlineTimer deadline(kEventually);
        while (!parseReport(m_raw).has(line)) {
            if (!readMore(int(deadline.remainingTime())))
                return parseReport(m_raw).has(line);
        }
        return true;
    }

    // The whole report: read until the shim's end closes the pipe.
    QByteArray report() {
        while (readMore(kEventuallyMs)) {
        }
        return m_raw;
    }
    Report parsed() { return parseReport(report()); }

    // Reads the report to its end, then waits for the shim's exit.
    bool finish() {
        report();
        return m_process.waitForFinished(kEventuallyMs);
    }

private:
    bool readMore(int timeoutMs) {
        if (m_eof || m_reportFd < 0)
            return false;
        pollfd readable{m_reportFd, POLLIN, 0};
        if (poll(&readable, 1, std::max(0, timeoutMs)) <= 0)
            return false;
        char buffer[65536];
        const ssize_t n = read(m_reportFd, buffer, sizeof buffer);
        if (n <= 0) {
            m_eof = true;
            return false;
        }
        m_raw.append(buffer, n);
        return true;
    }

    QProcess m_process;
    qint64 m_pid = 0;
    int m_reportFd = -1;
    QByteArray m_raw;
    bool m_eof = false;
};

// A line of a --catch file: which process got which signal, when.
struct Caught {
    qint64 pid;
    int signal;
    qint64 us;
};

QList<Caught> readCaught(const QString &path) {
    QList<Caught> caught;
    for (const QByteArray &line : readAll(path).split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() == 3)
            caught.append({parts[0].toLongLong(), parts[1].toInt(), parts[2].toLongLong()});
    }
    return caught;
}

QList<int> signalsOf(const QList<Caught> &caught, qint64 pid) {
    QList<int> received;
    for (const Caught &c : caught)
        if (c.pid == pid)
            received << c.signal;
    return received;
}

struct Step {
    int signal;
    qint64 waitMs;
};

QList<Step> parseTermseq(const QString &termseq) {
    const QStringList items = termseq.split(QLatin1Char(','));
    QList<Step> steps;
    for (qsizetype i = 0; i + 1 < items.size(); i += 2)
        steps.append({items[i].toInt(), items[i + 1].toLongLong()});
    return steps;
}

// The earliest a step's signal can have gone out, in microseconds after the stop was asked
// for: each earlier step waited its time (the shim counts whole milliseconds, so each wait may
// start up to 1 ms early).
qint64 earliestStepUs(const QList<Step> &steps, int signal) {
    qint64 us = 0;
    for (const Step &step : steps) {
        if (step.signal == signal)
            return us;
        us += (step.waitMs - 1) * 1000;
    }
    return us;
}

QList<QByteArray> lines(std::initializer_list<const char *> texts) {
    QList<QByteArray> list;
    for (const char *text : texts)
        list << QByteArray(text);
    return list;
}

// The index of a --output-dir: its records, each (channel, offset, wall-clock ms).
struct IndexRecord {
    int channel;
    qint64 offset;
    qint64 timeMs;
};

std::optional<QList<IndexRecord>> readIndex(const QString &path) {
    const QByteArray index = readAll(path);
    if (index.size() < 16 || !index.startsWith("JMINDEX1") ||
        index.mid(8, 8) != QByteArray(8, '\0') || (index.size() - 16) % 16 != 0)
        return std::nullopt;
    QList<IndexRecord> records;
    for (qsizetype at = 16; at < index.size(); at += 16) {
        const auto *record = reinterpret_cast<const uchar *>(index.constData() + at);
        const quint64 word = qFromLittleEndian<quint64>(record);
        records.append({int(word >> 63), qint64(word & ~(quint64(1) << 63)),
                        qFromLittleEndian<qint64>(record + 8)});
    }
    return records;
}

// The saved output in arrival order, cut where the index says a run began.
QList<std::pair<char, QByteArray>> runsOf(const QList<IndexRecord> &records, const QByteArray &out,
                                          const QByteArray &err) {
    QList<std::pair<char, QByteArray>> runs;
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QByteArray &file = records[i].channel == 0 ? out : err;
        qint64 end = file.size();
        for (qsizetype next = i + 1; next < records.size(); ++next)
            if (records[next].channel == records[i].channel) {
                end = records[next].offset;
                break;
            }
        runs.append({records[i].channel == 0 ? 'o' : 'e',
                     file.mid(records[i].offset, end - records[i].offset)});
    }
    return runs;
}

QList<std::pair<char, QByteArray>> interleaved(int lines) {
    QList<std::pair<char, QByteArray>> expected;
    for (int i = 1; i <= lines; ++i)
        expected.append(
            {i % 2 == 1 ? 'o' : 'e', (i % 2 == 1 ? QByteArray("out ") : QByteArray("err ")) +
                                         QByteArray::number(i) + '\n'});
    return expected;
}

QByteArray floodBytes(qsizetype size) {
    QByteArray bytes(size, 'x');
    for (qsizetype i = 79; i < size; i += 80)
        bytes[i] = '\n';
    return bytes;
}

QByteArray crProgress(int steps) {
    QByteArray bytes;
    for (int i = 1; i <= steps; ++i)
        bytes += "progress " + QByteArray::number(i) + "%\r";
    return bytes + '\n';
}

QStringList fdTargets(qint64 pid, int from) {
    QStringList targets;
    const QString dir = QStringLiteral("/proc/%1/fd").arg(pid);
    for (const QString &fd : QDir(dir).entryList(QDir::System | QDir::NoDotAndDotDot))
        if (fd.toInt() >= from)
            targets << QFile::symLinkTarget(dir + QLatin1Char('/') + fd);
    return targets;
}

} // namespace

class TestShim : public QObject {
    Q_OBJECT

private:
    // The job: the helper child with a pid file.
    QStringList child(const QStringList &arguments) const {
        return QStringList{testChildPath(), QStringLiteral("--pidfile"), m_pidFile} + arguments;
    }
    // The same through /bin/sh -c.
    QStringList childViaShell(const QStringList &arguments) const {
        return {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                testChildCommand(QStringList{QStringLiteral("--pidfile"), m_pidFile} + arguments)};
    }

    ShimRun &startShim(const QStringList &shimArguments, const QStringList &command,
                       const ShimSetup &setup = {}) {
        m_run = std::make_unique<ShimRun>(
            shimArguments + QStringList{QStringLiteral("--")} + command, setup);
        return *m_run;
    }

    qint64 pidOf(const QString &role) const { return readPidFile(m_pidFile).value(role); }

    // Substitutes the test's directory for %DIR% (data rows are made before it exists).
    QStringList inDir(QStringList list) const {
        for (QString &item : list)
            item.replace(QStringLiteral("%DIR%"), m_dir->path());
        return list;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_pidFile;
    std::unique_ptr<ShimRun> m_run;
    QList<qint64> m_otherPids; // processes of a test that are neither the job's nor m_run's
    QStringList m_mounts;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(QFileInfo(shimPath()).isExecutable());
        QCOMPARE(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    }

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
        const QList<qint64> alive = alivePids(pids);
        // Whatever failed, leave nothing behind for the next test.
        for (qint64 pid : alive)
            kill(pid_t(pid), SIGKILL);
        waitUntilDead(alive, kEventually);
        // Orphans that came to us (this process is a subreaper) are ours to reap.
        for (qint64 pid : pids)
            waitpid(pid_t(pid), nullptr, WNOHANG);
        m_run.reset();
        for (const QString &mount : std::exchange(m_mounts, {}))
            umount2(mount.toLocal8Bit().constData(), MNT_DETACH);
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
        const QStringList arguments{QStringLiteral("--exit"), QString::number(code)};
        ShimRun &run = startShim({}, viaShell ? childViaShell(arguments) : child(arguments));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), code);
        const Report report = run.parsed();
        QCOMPARE(report.lines, lines({"leader PID", "stragglers 0", "killed 0 0",
                                      qPrintable(QStringLiteral("exit %1").arg(code)), "done"}));
        QCOMPARE(report.leader, pidOf(QStringLiteral("main")));
        QCOMPARE(run.process().readAllStandardOutput(), QByteArray());
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
        QCOMPARE(readPidFile(m_pidFile).size(), 1);
    }

    // What the job used, from the kernel's count for every process the shim reaped: the CPU
    // time, and the largest resident size one of them reached.
    void usageIsReported() {
        ShimRun &run = startShim({}, child({QStringLiteral("--allocate"), QStringLiteral("64"),
                                            QStringLiteral("--burn-cpu"), QStringLiteral("200")}));
        QVERIFY(run.finish());
        const Report report = run.parsed();
        QCOMPARE(report.usage.size(), 2);
        QVERIFY2(report.usage.at(0) >= 200 && report.usage.at(0) < 5000,
                 qPrintable(QString::number(report.usage.at(0))));
        QVERIFY2(report.usage.at(1) >= 64 * 1024, qPrintable(QString::number(report.usage.at(1))));
    }

    void signalPassesThrough_data() {
        QTest::addColumn<int>("signal");
        for (int signal : {SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGUSR1})
            QTest::addRow("%s", sigabbrev_np(signal)) << signal;
    }
    // Qt 6.4 reports a child killed by a signal as CrashExit with the signal as exit code.
    void signalPassesThrough() {
        QFETCH(int, signal);
        ShimRun &run = startShim({}, child({QStringLiteral("--signal"), QString::number(signal)}));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), signal);
        const Report report = run.parsed();
        QCOMPARE(report.lines,
                 lines({"leader PID", "stragglers 0", "killed 0 0",
                        qPrintable(QStringLiteral("signal %1").arg(signal)), "done"}));
        QCOMPARE(report.leader, pidOf(QStringLiteral("main")));
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
    }

    void execFailureIsReported_data() {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("missing") << QStringLiteral("/nonexistent/jm-program")
                                 << QByteArray("No such file or directory");
        QTest::newRow("not executable")
            << QStringLiteral("%DIR%/plain-file") << QByteArray("Permission denied");
        QTest::newRow("not in PATH")
            << QStringLiteral("jm-no-such-program") << QByteArray("No such file or directory");
    }
    void execFailureIsReported() {
        QFETCH(QString, program);
        QFETCH(QByteArray, reason);
        program = inDir({program}).first();
        QFile plain(m_dir->filePath(QStringLiteral("plain-file")));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.write("echo never\n");
        plain.close();
        ShimRun &run = startShim({}, {program});
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 127);
        QCOMPARE(run.parsed().lines,
                 QList<QByteArray>{"error exec " + program.toLocal8Bit() + ": " + reason} +
                     lines({"stragglers 0", "killed 0 0", "exit 127", "done"}));
        QCOMPARE(run.process().readAllStandardError(), QByteArray());
    }

    void badOptionsAreRefused_data() {
        QTest::addColumn<QStringList>("options");
        const auto row = [](const char *name, QStringList options) {
            QTest::newRow(name) << options;
        };
        row("SIGKILL as a step", {QStringLiteral("--termseq"), QStringLiteral("9,100")});
        row("a step without its wait", {QStringLiteral("--termseq"), QStringLiteral("15")});
        row("a wait that is no number", {QStringLiteral("--termseq"), QStringLiteral("15,x")});
        row("a trailing comma", {QStringLiteral("--termseq"), QStringLiteral("15,100,")});
        row("a negative wait", {QStringLiteral("--termseq"), QStringLiteral("15,-1")});
        QStringList many;
        for (int i = 0; i < 33; ++i)
            many << QStringLiteral("15,1");
        row("33 steps", {QStringLiteral("--termseq"), many.join(QLatin1Char(','))});
        row("niceness 20", {QStringLiteral("--nice"), QStringLiteral("20")});
        row("I/O class 4", {QStringLiteral("--ionice"), QStringLiteral("4,0")});
        row("I/O level 8", {QStringLiteral("--ionice"), QStringLiteral("2,8")});
        row("I/O class alone", {QStringLiteral("--ionice"), QStringLiteral("2")});
        row("--env without =", {QStringLiteral("--env"), QStringLiteral("NAME")});
        row("--env without a name", {QStringLiteral("--env"), QStringLiteral("=value")});
        row("an unknown option", {QStringLiteral("--frobnicate"), QStringLiteral("1")});
        row("--adopt with a command", {QStringLiteral("--adopt"), QStringLiteral("1"),
                                       QStringLiteral("--trace"), QStringLiteral("t")});
    }
    void badOptionsAreRefused() {
        QFETCH(QStringList, options);
        ShimRun &run = startShim(options, child({}));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 125);
        QCOMPARE(run.report(), QByteArray());
        QVERIFY(run.process().readAllStandardError().startsWith("jobmonitor-shim: usage: "));
        QVERIFY(!QFile::exists(m_pidFile)); // nothing of the job ran
    }

    void adoptNeedsItsTrace() {
        m_run = std::make_unique<ShimRun>(
            QStringList{QStringLiteral("--adopt"), QString::number(getpid())});
        QVERIFY(m_run->finish());
        QCOMPARE(m_run->process().exitCode(), 125);
        QVERIFY(m_run->process().readAllStandardError().startsWith("jobmonitor-shim: usage: "));
    }

    // Descriptors the application leaves open (without close-on-exec) never reach the job.
    void commandSeesOnlyItsStandardFds() {
        const QString extraPath = m_dir->filePath(QStringLiteral("extra"));
        const int extraFile = open(extraPath.toLocal8Bit().constData(), O_WRONLY | O_CREAT, 0600);
        const int extraNull = open("/dev/null", O_RDONLY);
        int extraPipe[2];
        QVERIFY(extraFile >= 0 && extraNull >= 0 && pipe(extraPipe) == 0);
        const QString pipeTarget =
            QFile::symLinkTarget(QStringLiteral("/proc/self/fd/%1").arg(extraPipe[0]));
        ShimRun &run = startShim({}, child({QStringLiteral("--sleep"), QStringLiteral("-1")}));
        for (int fd : {extraFile, extraNull, extraPipe[0], extraPipe[1]})
            close(fd);
        QCOMPARE(waitForPids(m_pidFile, 1, kEventually).size(), 1);
        const qint64 main = pidOf(QStringLiteral("main"));
        QStringList fds = QDir(QStringLiteral("/proc/%1/fd").arg(main))
                              .entryList(QDir::System | QDir::NoDotAndDotDot);
        std::sort(fds.begin(), fds.end());
        QCOMPARE(fds, (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}));
        QCOMPARE(QFile::symLinkTarget(QStringLiteral("/proc/%1/fd/0").arg(main)),
                 QStringLiteral("/dev/null"));
        // The shim let go of them too.
        const QStringList shimFds = fdTargets(run.pid(), 3);
        QVERIFY2(!shimFds.contains(extraPath) && !shimFds.contains(pipeTarget) &&
                     !shimFds.contains(QStringLiteral("/dev/null")),
                 qPrintable(shimFds.join(QLatin1Char(' '))));
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
    }

    // The reproduction: the job lists its own descriptors.
    void jobListsOnlyItsStandardFds() {
        const int extra = open("/dev/null", O_RDONLY);
        QVERIFY(extra >= 0);
        ShimRun &run = startShim({}, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                      QStringLiteral("ls /proc/$$/fd")});
        close(extra);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        const Report report = run.parsed();
        QCOMPARE(report.relayed('o'), QByteArray("0\n1\n2\n"));
        QCOMPARE(report.relayed('e'), QByteArray());
    }

    void stdinIsTheShims() {
        QByteArray input;
        for (int i = 0; i < 4096; ++i)
            input += char(i * 7 % 256);
        input += "no newline at the end\r";
        const QString inputPath = m_dir->filePath(QStringLiteral("input"));
        QFile file(inputPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(input);
        file.close();
        ShimSetup setup;
        setup.stdinFile = inputPath;
        ShimRun &run = startShim({}, {QStringLiteral("/bin/cat")}, setup);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        QCOMPARE(run.parsed().relayed('o'), input);
    }

    // Each step's signal reaches every process of the job, in the order of --termseq, and the
    // next one does not go out before the step's wait has passed; SIGKILL follows the last.
    void termseqRunsStepByStep_data() {
        QTest::addColumn<QString>("termseq");
        QTest::addColumn<QStringList>("childArguments");
        QTest::addColumn<QString>("caught");
        QTest::addColumn<int>("processes");
        QTest::addColumn<QList<int>>("signalsSeen");
        QTest::addColumn<QList<QByteArray>>("expected");
        const QStringList sleepForever{QStringLiteral("--sleep"), QStringLiteral("-1")};
        const QStringList family =
            QStringList{QStringLiteral("--grandchild"), QStringLiteral("--escape")} + sleepForever;
        QTest::newRow("every step, then SIGKILL")
            << QStringLiteral("10,200,15,200") << sleepForever << QStringLiteral("10,15") << 1
            << QList<int>{10, 15}
            << lines({"leader PID", "stopping request", "step 10", "step 15", "kill sequence",
                      "stragglers 0", "killed 1 0", "stop-effect 1", "signal 9", "done"});
        QTest::newRow("every process, the escapee too")
            << QStringLiteral("10,200,15,200") << family << QStringLiteral("10,15") << 3
            << QList<int>{10, 15}
            << lines({"leader PID", "stopping request", "step 10", "step 15", "kill sequence",
                      "stragglers 0", "killed 3 1", "stop-effect 1", "signal 9", "done"});
        QTest::newRow("signals that end nobody")
            << QStringLiteral("18,150,28,150") << sleepForever << QStringLiteral("18,28") << 1
            << QList<int>{18, 28}
            << lines({"leader PID", "stopping request", "step 18", "step 28", "kill sequence",
                      "stragglers 0", "killed 1 0", "stop-effect 1", "signal 9", "done"});
        QTest::newRow("a step's signal ends the job: no later step, no SIGKILL")
            << QStringLiteral("10,200,15,600000,12,200") << family << QStringLiteral("10") << 3
            << QList<int>{10}
            << lines({"leader PID", "stopping request", "step 10", "step 15", "stragglers 0",
                      "killed 0 0", "stop-effect 1", "signal 15", "done"});
        // Their parents die of the first step as it goes out (they take the default action),
        // orphaning them while the shim looks for the job's processes.
        QTest::newRow("orphaned just as the step goes out")
            << QStringLiteral("10,300,15,300")
            << QStringList{QStringLiteral("--orphans"), QStringLiteral("50")} + sleepForever
            << QStringLiteral("10,15") << 101 << QList<int>{10, 15}
            << lines({"leader PID", "stopping request", "step 10", "step 15", "kill sequence",
                      "stragglers 0", "killed 51 50", "stop-effect 1", "signal 9", "done"});
        // A wait of ten minutes, cut short because nothing of the job is left.
        QTest::newRow("a wait ends with the job")
            << QStringLiteral("10,600000,15,600000") << family << QString() << 3 << QList<int>{}
            << lines({"leader PID", "stopping request", "step 10", "stragglers 0", "killed 0 0",
                      "stop-effect 1", "signal 10", "done"});
    }
    void termseqRunsStepByStep() {
        QFETCH(QString, termseq);
        QFETCH(QStringList, childArguments);
        QFETCH(QString, caught);
        QFETCH(int, processes);
        QFETCH(QList<int>, signalsSeen);
        QFETCH(QList<QByteArray>, expected);
        const QString marker = m_dir->filePath(QStringLiteral("caught"));
        if (!caught.isEmpty())
            childArguments =
                QStringList{QStringLiteral("--catch"), caught, marker} + childArguments;
        ShimRun &run = startShim({QStringLiteral("--termseq"), termseq}, child(childArguments));
        QCOMPARE(waitForPids(m_pidFile, processes, kEventually).size(), processes);
        const qint64 requested = monotonicUs();
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
        QCOMPARE(run.parsed().lines, expected);

        const QList<Step> steps = parseTermseq(termseq);
        const QList<Caught> seen = readCaught(marker);
        const QMultiMap<QString, qint64> pids = readPidFile(m_pidFile);
        for (auto it = pids.cbegin(); it != pids.cend(); ++it) {
            const bool catches = it.key() != QStringLiteral("orphan-parent");
            QCOMPARE(signalsOf(seen, it.value()), catches ? signalsSeen : QList<int>());
            for (const Caught &c : seen)
                QVERIFY2(c.us >= requested + earliestStepUs(steps, c.signal),
                         qPrintable(QStringLiteral("signal %1 came %2 us after the request")
                                        .arg(c.signal)
                                        .arg(c.us - requested)));
        }
        if (expected.contains("kill sequence")) {
            qint64 allWaits = 0;
            for (const Step &step : steps)
                allWaits += (step.waitMs - 1) * 1000;
            QVERIFY(monotonicUs() >= requested + allWaits);
        }
    }

    // A step's wait is the job's grace: it may clean up and exit as it likes.
    void trappingJobGetsTheWait() {
        const QString marker = m_dir->filePath(QStringLiteral("marker"));
        ShimRun &run = startShim(
            {QStringLiteral("--termseq"), QStringLiteral("15,600000")},
            child({QStringLiteral("--trap-term"), QStringLiteral("300"), QStringLiteral("--marker"),
                   marker, QStringLiteral("--sleep"), QStringLiteral("-1")}));
        QCOMPARE(waitForPids(m_pidFile, 1, kEventually).size(), 1);
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 0);
        QCOMPARE(run.parsed().lines,
                 lines({"leader PID", "stopping request", "step 15", "stragglers 0", "killed 0 0",
                        "stop-effect 1", "exit 0", "done"}));
        QCOMPARE(readAll(marker), QByteArray("done\n"));
    }

    void requestsEndTheJob_data() {
        QTest::addColumn<QStringList>("childArguments");
        QTest::addColumn<int>("processes");
        QTest::addColumn<QStringList>("shimArguments");
        QTest::addColumn<QList<int>>("requests");
        QTest::addColumn<QByteArray>("beforeLastRequest"); // a line to wait for, or empty
        QTest::addColumn<QList<QByteArray>>("expected");
        const QStringList sleepForever{QStringLiteral("--sleep"), QStringLiteral("-1")};
        const QStringList family =
            QStringList{QStringLiteral("--grandchild"), QStringLiteral("--escape")} + sleepForever;
        const QStringList stubborn = QStringList{QStringLiteral("--ignore-term")} + family;
        const QStringList shortWait{QStringLiteral("--termseq"), QStringLiteral("15,300")};
        const QStringList longWait{QStringLiteral("--termseq"), QStringLiteral("15,600000")};
        // The default sequence's steps with all the time TERM needs, so no SIGKILL follows.
        const QStringList patient{QStringLiteral("--termseq"), QStringLiteral("15,0,18,600000")};
        const QList<QByteArray> endedByTerm =
            lines({"leader PID", "stopping request", "step 15", "step 18", "stragglers 0",
                   "killed 0 0", "stop-effect 1", "signal 15", "done"});
        QTest::newRow("stop: the default sequence ends a sleeper")
            << sleepForever << 1 << QStringList() << QList<int>{0} << QByteArray() << endedByTerm;
        QTest::newRow("stop: SIGCONT of the default sequence wakes a stopped job")
            << QStringList{QStringLiteral("--stop")} + sleepForever << 1 << QStringList()
            << QList<int>{0} << QByteArray() << endedByTerm;
        for (const bool scanProc : {false, true}) {
            const char *how = scanProc ? " (scanning /proc)" : "";
            const QStringList scan =
                scanProc ? QStringList{QStringLiteral("--scan-proc")} : QStringList();
            QTest::addRow("stop: TERM ends grandchild and escapee%s", how)
                << family << 3 << scan + patient << QList<int>{0} << QByteArray() << endedByTerm;
            QTest::addRow("stop: SIGKILL after the wait%s", how)
                << stubborn << 3 << scan + shortWait << QList<int>{0} << QByteArray()
                << lines({"leader PID", "stopping request", "step 15", "kill sequence",
                          "stragglers 0", "killed 3 1", "stop-effect 1", "signal 9", "done"});
            QTest::addRow("kill: at once, no sequence%s", how)
                << stubborn << 3 << scan + longWait << QList<int>{SIGKILL} << QByteArray()
                << lines({"leader PID", "kill request", "stragglers 0", "killed 3 1",
                          "stop-effect 1", "signal 9", "done"});
        }
        QTest::newRow("kill: cuts a step's wait short")
            << stubborn << 3 << longWait << QList<int>{0, SIGKILL} << QByteArray("step 15")
            << lines({"leader PID", "stopping request", "step 15", "kill request", "stragglers 0",
                      "killed 3 1", "stop-effect 1", "signal 9", "done"});
        QTest::newRow("stop twice: one sequence")
            << stubborn << 3 << shortWait << QList<int>{0, 0} << QByteArray("step 15")
            << lines({"leader PID", "stopping request", "step 15", "kill sequence", "stragglers 0",
                      "killed 3 1", "stop-effect 1", "signal 9", "done"});
    }
    void requestsEndTheJob() {
        QFETCH(QStringList, childArguments);
        QFETCH(int, processes);
        QFETCH(QStringList, shimArguments);
        QFETCH(QList<int>, requests);
        QFETCH(QByteArray, beforeLastRequest);
        QFETCH(QList<QByteArray>, expected);
        ShimRun &run = startShim(shimArguments, child(childArguments));
        QCOMPARE(waitForPids(m_pidFile, processes, kEventually).size(), processes);
        if (childArguments.contains(QStringLiteral("--stop")))
            QTRY_COMPARE_WITH_TIMEOUT(processState(pidOf(QStringLiteral("main"))), 'T',
                                      kEventuallyMs);
        for (qsizetype i = 0; i < requests.size(); ++i) {
            if (i == requests.size() - 1 && !beforeLastRequest.isEmpty())
                QVERIFY(run.waitForLine(beforeLastRequest));
            QVERIFY(run.request(requests[i]));
        }
        QVERIFY(run.finish());
        QCOMPARE(run.parsed().lines, expected);
        const int endedBy = expected.at(expected.size() - 2).mid(7).toInt();
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), endedBy);
    }

    // SIGSTOP and SIGCONT are forwarded to every process, the escapee in its own session too.
    void pauseFreezesEveryProcess_data() {
        QTest::addColumn<bool>("scanProc");
        QTest::addColumn<bool>("resume");
        QTest::newRow("pause, resume, stop") << false << true;
        QTest::newRow("pause, resume, stop (scanning /proc)") << true << true;
        QTest::newRow("pause, stop: the sequence's SIGCONT wakes them") << false << false;
    }
    void pauseFreezesEveryProcess() {
        QFETCH(bool, scanProc);
        QFETCH(bool, resume);
        ShimRun &run =
            startShim(QStringList{QStringLiteral("--termseq"), QStringLiteral("15,0,18,600000")} +
                          (scanProc ? QStringList{QStringLiteral("--scan-proc")} : QStringList()),
                      child({QStringLiteral("--grandchild"), QStringLiteral("--escape"),
                             QStringLiteral("--sleep"), QStringLiteral("-1")}));
        const QList<qint64> pids = waitForPids(m_pidFile, 3, kEventually);
        QCOMPARE(pids.size(), 3);
        const auto states = [&pids] {
            QByteArray text;
            for (qint64 pid : pids)
                text += processState(pid);
            return text;
        };
        QVERIFY(run.request(SIGSTOP));
        QTRY_COMPARE_WITH_TIMEOUT(states(), QByteArray("TTT"), kEventuallyMs);
        if (resume) {
            QVERIFY(run.request(SIGCONT));
            QTRY_VERIFY_WITH_TIMEOUT(!states().contains('T'), kEventuallyMs);
        }
        QCOMPARE(run.process().state(), QProcess::Running);
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
        // Forwarded signals are not reported; they are no stop either.
        QCOMPARE(run.parsed().lines,
                 lines({"leader PID", "stopping request", "step 15", "step 18", "stragglers 0",
                        "killed 0 0", "stop-effect 1", "signal 15", "done"}));
    }

    void stragglersAreCountedAndEnded_data() {
        QTest::addColumn<QStringList>("childArguments");
        QTest::addColumn<QStringList>("shimArguments");
        QTest::addColumn<QList<QByteArray>>("expected");
        const QStringList family{QStringLiteral("--grandchild"), QStringLiteral("--escape"),
                                 QStringLiteral("--exit"), QStringLiteral("5")};
        QTest::newRow("ended by TERM")
            << family << QStringList{QStringLiteral("--termseq"), QStringLiteral("15,0,18,600000")}
            << lines({"leader PID", "stopping stragglers", "step 15", "step 18", "stragglers 2",
                      "killed 0 0", "exit 5", "done"});
        QTest::newRow("killed after the sequence")
            << QStringList{QStringLiteral("--ignore-term")} + family
            << QStringList{QStringLiteral("--termseq"), QStringLiteral("15,300")}
            << lines({"leader PID", "stopping stragglers", "step 15", "kill sequence",
                      "stragglers 2", "killed 2 1", "exit 5", "done"});
    }
    void stragglersAreCountedAndEnded() {
        QFETCH(QStringList, childArguments);
        QFETCH(QStringList, shimArguments);
        QFETCH(QList<QByteArray>, expected);
        ShimRun &run = startShim(shimArguments, child(childArguments));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 5);
        QCOMPARE(run.parsed().lines, expected);
        QCOMPARE(readPidFile(m_pidFile).size(), 3);
    }

    // A stop that comes after the leader ended by itself did not change how it ended.
    void stopAfterTheLeaderEnded() {
        ShimRun &run = startShim(
            {QStringLiteral("--termseq"), QStringLiteral("15,600000")},
            child({QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                   QStringLiteral("--escape"), QStringLiteral("--exit"), QStringLiteral("6")}));
        QVERIFY(run.waitForLine("step 15")); // the stragglers' sequence waits now
        QVERIFY(run.request(0));
        QVERIFY(run.request(SIGKILL));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 6);
        QCOMPARE(run.parsed().lines,
                 lines({"leader PID", "stopping stragglers", "step 15", "kill request",
                        "stragglers 2", "killed 2 1", "stop-effect 0", "exit 6", "done"}));
    }

    // The leader's end and the stop request reach the shim together (it was stopped while
    // both happened): the stop came too late, and what the leader left are stragglers.
    void stopTogetherWithTheLeadersEnd() {
        ShimRun &run =
            startShim({QStringLiteral("--termseq"), QStringLiteral("15,300")},
                      child({QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                             QStringLiteral("--sleep"), QStringLiteral("-1")}));
        QCOMPARE(waitForPids(m_pidFile, 2, kEventually).size(), 2);
        const qint64 main = pidOf(QStringLiteral("main"));
        QCOMPARE(kill(pid_t(run.pid()), SIGSTOP), 0);
        QTRY_COMPARE_WITH_TIMEOUT(processState(run.pid()), 'T', kEventuallyMs);
        QCOMPARE(kill(pid_t(main), SIGKILL), 0);
        QCOMPARE(waitUntilDead({main}, kEventually), QList<qint64>{});
        QVERIFY(run.request(0));
        QCOMPARE(kill(pid_t(run.pid()), SIGCONT), 0);
        QVERIFY(run.finish());
        QCOMPARE(run.parsed().lines,
                 lines({"leader PID", "stopping request", "step 15", "kill sequence",
                        "stragglers 1", "killed 1 0", "stop-effect 0", "signal 9", "done"}));
    }

    void shimSignalRunsTheSequence_data() {
        QTest::addColumn<int>("shimSignal");
        QTest::addColumn<bool>("stubborn");
        for (int signal : {SIGTERM, SIGINT, SIGHUP}) {
            QTest::addRow("%s ends a sleeper", sigabbrev_np(signal)) << signal << false;
            QTest::addRow("%s kills a TERM-ignoring family", sigabbrev_np(signal))
                << signal << true;
        }
    }
    void shimSignalRunsTheSequence() {
        QFETCH(int, shimSignal);
        QFETCH(bool, stubborn);
        const QStringList family{QStringLiteral("--grandchild"), QStringLiteral("--escape"),
                                 QStringLiteral("--sleep"), QStringLiteral("-1")};
        // A job that TERM ends gets all the time it needs: no SIGKILL may follow.
        ShimRun &run = startShim(
            {QStringLiteral("--termseq"),
             stubborn ? QStringLiteral("15,300") : QStringLiteral("15,600000")},
            child(stubborn ? QStringList{QStringLiteral("--ignore-term")} + family : family));
        QCOMPARE(waitForPids(m_pidFile, 3, kEventually).size(), 3);
        QCOMPARE(kill(pid_t(run.pid()), shimSignal), 0);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(run.process().exitCode(), stubborn ? SIGKILL : SIGTERM);
        QCOMPARE(run.parsed().lines,
                 stubborn ? lines({"leader PID", "stopping signal", "step 15", "kill sequence",
                                   "stragglers 0", "killed 3 1", "signal 9", "done"})
                          : lines({"leader PID", "stopping signal", "step 15", "stragglers 0",
                                   "killed 0 0", "signal 15", "done"}));
    }

    // The same termination sequence whether the application asks for it or dies (SIGKILL):
    // every process of the job sees the same signals in the same order, each after its wait.
    void sameSequenceWithParentAliveAndAfterItsDeath() {
        const QString termseq = QStringLiteral("2,300,15,300");
        const QList<Step> steps = parseTermseq(termseq);
        const auto jobArguments = [](const QString &pidFile, const QString &marker) {
            return QStringList{testChildPath(),
                               QStringLiteral("--pidfile"),
                               pidFile,
                               QStringLiteral("--catch"),
                               QStringLiteral("2,15"),
                               marker,
                               QStringLiteral("--grandchild"),
                               QStringLiteral("--escape"),
                               QStringLiteral("--sleep"),
                               QStringLiteral("-1")};
        };
        const auto signalsByRole = [](const QString &pidFile, const QList<Caught> &caught) {
            QMap<QString, QList<int>> byRole;
            const QMultiMap<QString, qint64> pids = readPidFile(pidFile);
            for (auto it = pids.cbegin(); it != pids.cend(); ++it)
                byRole[it.key()] = signalsOf(caught, it.value());
            return byRole;
        };
        const QMap<QString, QList<int>> expectedSignals{{QStringLiteral("main"), {2, 15}},
                                                        {QStringLiteral("grandchild"), {2, 15}},
                                                        {QStringLiteral("escapee"), {2, 15}}};

        // The application alive: it asks.
        const QString aliveMarker = m_dir->filePath(QStringLiteral("caught-alive"));
        ShimRun &run =
            startShim({QStringLiteral("--termseq"), termseq}, jobArguments(m_pidFile, aliveMarker));
        QCOMPARE(waitForPids(m_pidFile, 3, kEventually).size(), 3);
        const qint64 requested = monotonicUs();
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
        QCOMPARE(run.parsed().without("stopping "),
                 lines({"leader PID", "step 2", "step 15", "kill sequence", "stragglers 0",
                        "killed 3 1", "stop-effect 1", "signal 9", "done"}));
        QVERIFY(run.parsed().has("stopping request"));
        const QList<Caught> aliveCaught = readCaught(aliveMarker);
        const QMap<QString, QList<int>> alive = signalsByRole(m_pidFile, aliveCaught);
        QCOMPARE(alive, expectedSignals);
        for (const Caught &c : aliveCaught)
            QVERIFY(c.us >= requested + earliestStepUs(steps, c.signal));

        // The application killed: PR_SET_PDEATHSIG tells its shim.
        const QString deadPidFile = m_dir->filePath(QStringLiteral("pids-dead"));
        const QString deadMarker = m_dir->filePath(QStringLiteral("caught-dead"));
        const QStringList arguments =
            QStringList{QStringLiteral("--report-fd"), QStringLiteral("3"),
                        QStringLiteral("--termseq"), termseq, QStringLiteral("--")} +
            jobArguments(deadPidFile, deadMarker);
        int report[2];
        QVERIFY(pipe2(report, O_CLOEXEC) == 0);
        const pid_t shim = startShimUnderDoomedParent(arguments, report[1]);
        close(report[1]);
        QVERIFY(shim > 0);
        QCOMPARE(waitForPids(deadPidFile, 3, kEventually).size(), 3);
        m_otherPids << readPidFile(deadPidFile).values();
        const qint64 parentKilled = monotonicUs();
        QCOMPARE(kill(pid_t(m_otherPids.first()), SIGKILL), 0);
        QCOMPARE(waitpid(pid_t(m_otherPids.first()), nullptr, 0), pid_t(m_otherPids.first()));
        QByteArray raw;
        char buffer[4096];
        for (;;) {
            pollfd readable{report[0], POLLIN, 0};
            if (poll(&readable, 1, kEventuallyMs) <= 0)
                break;
            const ssize_t n = read(report[0], buffer, sizeof buffer);
            if (n <= 0)
                break;
            raw.append(buffer, n);
        }
        close(report[0]);
        // This process is a subreaper: the orphaned shim is its child now.
        int status = 0;
        QCOMPARE(waitpid(shim, &status, 0), shim);
        QVERIFY(WIFSIGNALED(status));
        QCOMPARE(WTERMSIG(status), SIGKILL);
        QCOMPARE(parseReport(raw).lines,
                 lines({"leader PID", "stopping parent", "step 2", "step 15", "kill sequence",
                        "stragglers 0", "killed 3 1", "signal 9", "done"}));
        const QList<Caught> deadCaught = readCaught(deadMarker);
        QCOMPARE(signalsByRole(deadPidFile, deadCaught), alive);
        for (const Caught &c : deadCaught)
            QVERIFY(c.us >= parentKilled + earliestStepUs(steps, c.signal));
    }

    // The application killed: its shim, orphaned, still ends the job (PR_SET_PDEATHSIG).
    void dyingParentEndsTheJob() {
        const QStringList arguments =
            QStringList{QStringLiteral("--termseq"), QStringLiteral("15,300"),
                        QStringLiteral("--")} +
            child({QStringLiteral("--ignore-term"), QStringLiteral("--grandchild"),
                   QStringLiteral("--escape"), QStringLiteral("--sleep"), QStringLiteral("-1")});
        const pid_t shim = startShimUnderDoomedParent(arguments, -1);
        QVERIFY(shim > 0);
        const QList<qint64> pids = waitForPids(m_pidFile, 3, kEventually);
        QCOMPARE(pids.size(), 3);
        QCOMPARE(kill(pid_t(m_otherPids.first()), SIGKILL), 0);
        QCOMPARE(waitpid(pid_t(m_otherPids.first()), nullptr, 0), pid_t(m_otherPids.first()));
        int status = 0;
        QCOMPARE(waitpid(shim, &status, 0), shim);
        QVERIFY(WIFSIGNALED(status));
        QCOMPARE(WTERMSIG(status), SIGKILL);
        QCOMPARE(waitUntilDead(pids, kEventually), QList<qint64>{});
    }

    void outputIsSavedByteForByte_data() { outputRows(); }
    void outputIsSavedByteForByte() {
        QFETCH(QStringList, command);
        QFETCH(QStringList, shimArguments);
        QFETCH(QByteArray, expectedOut);
        QFETCH(QByteArray, expectedErr);
        const QString dir = m_dir->filePath(QStringLiteral("output"));
        const qint64 started = wallClockMs();
        ShimRun &run = startShim(QStringList{QStringLiteral("--output-dir"), dir} + shimArguments,
                                 inDir(command));
        QVERIFY(run.finish());
        const qint64 finished = wallClockMs();
        QCOMPARE(run.process().exitCode(), 0);
        const Report report = run.parsed();
        QCOMPARE(report.lines,
                 lines({"leader PID", "stragglers 0", "killed 0 0", "exit 0", "done"}));
        QCOMPARE(report.frames.size(), 0);
        if (expectedOut.isNull()) // the job wrote noise into DIR/noise as well
            expectedOut = expectedErr = readAll(m_dir->filePath(QStringLiteral("noise")));
        const QByteArray out = readAll(dir + QStringLiteral("/stdout"));
        const QByteArray err = readAll(dir + QStringLiteral("/stderr"));
        QCOMPARE(out.size(), expectedOut.size());
        QCOMPARE(sha256(out), sha256(expectedOut));
        QCOMPARE(err.size(), expectedErr.size());
        QCOMPARE(sha256(err), sha256(expectedErr));

        const std::optional<QList<IndexRecord>> records = readIndex(dir + QStringLiteral("/index"));
        QVERIFY(records);
        qint64 previous[2] = {-1, -1};
        for (const IndexRecord &record : *records) {
            QVERIFY(record.offset > previous[record.channel]);
            previous[record.channel] = record.offset;
            QVERIFY(record.offset < (record.channel == 0 ? out : err).size());
            QVERIFY(record.timeMs >= started && record.timeMs <= finished);
        }
        QByteArray joined[2];
        for (const auto &[channel, bytes] : runsOf(*records, out, err))
            joined[channel == 'o' ? 0 : 1] += bytes;
        QCOMPARE(joined[0].size(), out.size());
        QCOMPARE(joined[1].size(), err.size());
    }

    void relayCarriesTheExactBytes_data() { outputRows(); }
    void relayCarriesTheExactBytes() {
        QFETCH(QStringList, command);
        QFETCH(QStringList, shimArguments);
        QFETCH(QByteArray, expectedOut);
        QFETCH(QByteArray, expectedErr);
        ShimRun &run = startShim(shimArguments, inDir(command));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        const Report report = run.parsed();
        QCOMPARE(report.lines,
                 lines({"leader PID", "stragglers 0", "killed 0 0", "exit 0", "done"}));
        if (expectedOut.isNull())
            expectedOut = expectedErr = readAll(m_dir->filePath(QStringLiteral("noise")));
        QCOMPARE(report.relayed('o').size(), expectedOut.size());
        QCOMPARE(sha256(report.relayed('o')), sha256(expectedOut));
        QCOMPARE(report.relayed('e').size(), expectedErr.size());
        QCOMPARE(sha256(report.relayed('e')), sha256(expectedErr));
    }

    void outputArrivesInOrder_data() {
        QTest::addColumn<bool>("files");
        QTest::newRow("saved, with the index") << true;
        QTest::newRow("relayed") << false;
    }
    void outputArrivesInOrder() {
        QFETCH(bool, files);
        const QString dir = m_dir->filePath(QStringLiteral("output"));
        ShimRun &run =
            startShim(files ? QStringList{QStringLiteral("--output-dir"), dir} : QStringList(),
                      child({QStringLiteral("--interleave"), QStringLiteral("9")}));
        QVERIFY(run.finish());
        const Report report = run.parsed();
        QCOMPARE(report.lines,
                 lines({"leader PID", "stragglers 0", "killed 0 0", "exit 0", "done"}));
        if (!files) {
            QCOMPARE(report.frames, interleaved(9));
            return;
        }
        QCOMPARE(report.frames.size(), 0);
        const std::optional<QList<IndexRecord>> records = readIndex(dir + QStringLiteral("/index"));
        QVERIFY(records);
        QCOMPARE(records->size(), 9);
        for (int i = 0; i < 9; ++i) {
            QCOMPARE(records->at(i).channel, i % 2);
            QCOMPARE(records->at(i).offset, qint64(i / 2 * 6)); // "out 1\n" is 6 bytes
        }
        QCOMPARE(runsOf(*records, readAll(dir + QStringLiteral("/stdout")),
                        readAll(dir + QStringLiteral("/stderr"))),
                 interleaved(9));
    }

    // Output of one channel that pauses gets a new record with a later time.
    void indexSlicesAChannelByTime() {
        const QString dir = m_dir->filePath(QStringLiteral("output"));
        ShimRun &run = startShim({QStringLiteral("--output-dir"), dir},
                                 {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                  QStringLiteral("echo a; sleep 0.3; echo b")});
        QVERIFY(run.finish());
        const std::optional<QList<IndexRecord>> records = readIndex(dir + QStringLiteral("/index"));
        QVERIFY(records);
        QCOMPARE(records->size(), 2);
        QCOMPARE(records->at(0).channel, 0);
        QCOMPARE(records->at(0).offset, 0);
        QCOMPARE(records->at(1).channel, 0);
        QCOMPARE(records->at(1).offset, 2);
        QVERIFY(records->at(1).timeMs > records->at(0).timeMs);
        QCOMPARE(readAll(dir + QStringLiteral("/stdout")), QByteArray("a\nb\n"));
    }

    // A reader that finds the data files finds the whole index header too: otherwise it would
    // take the directory for one without an index (stdout, then stderr) for good.
    void indexIsCompleteBeforeTheDataFilesExist() {
        const QString dir = m_dir->filePath(QStringLiteral("output"));
        QVERIFY(QDir().mkpath(dir));
        const int watch = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        QVERIFY(watch >= 0);
        QVERIFY(inotify_add_watch(watch, QFile::encodeName(dir).constData(),
                                  IN_CREATE | IN_MODIFY) >= 0);
        ShimRun &run = startShim({QStringLiteral("--output-dir"), dir},
                                 child({QStringLiteral("--stdout"), QStringLiteral("x")}));
        QVERIFY(run.finish());
        QList<QByteArray> events;
        alignas(inotify_event) char buffer[4096];
        for (;;) {
            const ssize_t n = read(watch, buffer, sizeof buffer);
            if (n <= 0)
                break;
            for (ssize_t at = 0; at < n;) {
                const auto *event = reinterpret_cast<const inotify_event *>(buffer + at);
                const QByteArray name(event->name);
                const QByteArray what = (event->mask & IN_CREATE ? "create " : "modify ") + name;
                if (events.isEmpty() || events.last() != what)
                    events << what;
                at += qsizetype(sizeof(inotify_event)) + event->len;
            }
        }
        close(watch);
        QCOMPARE(events.mid(0, 4),
                 lines({"create index", "modify index", "create stdout", "create stderr"}));
    }

    // An attempt that prints nothing costs no inode: its folder, and the job's, come with the
    // first byte. The job's folder is made too when it is not there yet.
    void outputFolderComesWithTheFirstByte_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("folder");
        QTest::newRow("silent") << QStringList{QStringLiteral("--exit"), QStringLiteral("0")}
                                << false;
        QTest::newRow("stdout") << QStringList{QStringLiteral("--stdout"), QStringLiteral("x")}
                                << true;
        QTest::newRow("stderr") << QStringList{QStringLiteral("--stderr"), QStringLiteral("x")}
                                << true;
    }
    void outputFolderComesWithTheFirstByte() {
        QFETCH(QStringList, arguments);
        QFETCH(bool, folder);
        const QString job = m_dir->filePath(QStringLiteral("job"));
        const QString dir = job + QStringLiteral("/1");
        ShimRun &run = startShim({QStringLiteral("--output-dir"), dir}, child(arguments));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        QCOMPARE(run.parsed().lines,
                 lines({"leader PID", "stragglers 0", "killed 0 0", "exit 0", "done"}));
        QCOMPARE(QFileInfo::exists(job), folder);
        QCOMPARE(QFileInfo::exists(dir), folder);
        if (folder)
            QCOMPARE(readAll(dir + QStringLiteral("/stdout")) +
                         readAll(dir + QStringLiteral("/stderr")),
                     QByteArray("x\n"));
    }

    void outputFilesArePrivate() {
        const QString dir = m_dir->filePath(QStringLiteral("job/output"));
        const mode_t previous = umask(0);
        ShimRun &run = startShim({QStringLiteral("--output-dir"), dir},
                                 child({QStringLiteral("--stdout"), QStringLiteral("x")}));
        umask(previous);
        QVERIFY(run.finish());
        struct stat info {};
        for (const QString &folder : {QFileInfo(dir).path(), dir}) {
            QCOMPARE(lstat(QFile::encodeName(folder).constData(), &info), 0);
            QVERIFY(S_ISDIR(info.st_mode));
            QCOMPARE(info.st_mode & 07777, mode_t(0700));
        }
        for (const char *name : {"stdout", "stderr", "index"}) {
            QCOMPARE(
                lstat(QFile::encodeName(dir + QLatin1Char('/') + QLatin1String(name)).constData(),
                      &info),
                0);
            QVERIFY(S_ISREG(info.st_mode));
            QCOMPARE(info.st_mode & 07777, mode_t(0600));
        }
    }

    // A planted symlink is never followed: the output is relayed instead.
    void outputDirDoesNotFollowSymlinks_data() {
        QTest::addColumn<QString>("link");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("stdout") << QStringLiteral("output/stdout") << QByteArray("File exists");
        QTest::newRow("stderr") << QStringLiteral("output/stderr") << QByteArray("File exists");
        QTest::newRow("index") << QStringLiteral("output/index") << QByteArray("File exists");
        QTest::newRow("the directory") << QStringLiteral("output") << QByteArray("Not a directory");
    }
    void outputDirDoesNotFollowSymlinks() {
        QFETCH(QString, link);
        QFETCH(QByteArray, reason);
        const QString dir = m_dir->filePath(QStringLiteral("output"));
        const QString target = m_dir->filePath(QStringLiteral("precious"));
        QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("precious-dir"))));
        QFile precious(target);
        QVERIFY(precious.open(QIODevice::WriteOnly));
        precious.write("precious\n");
        precious.close();
        if (link == QStringLiteral("output")) {
            QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("precious-dir")), dir));
        } else {
            QVERIFY(QDir().mkpath(dir));
            QVERIFY(QFile::link(target, m_dir->filePath(link)));
        }
        ShimRun &run = startShim({QStringLiteral("--output-dir"), dir},
                                 child({QStringLiteral("--stdout"), QStringLiteral("hello"),
                                        QStringLiteral("--stderr"), QStringLiteral("world")}));
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        const Report report = run.parsed();
        // The files are made with the first byte, so the error comes once the job runs.
        const QList<QByteArray> expected{
            "leader PID",   "output-error stdout: " + QFile::encodeName(dir) + ": " + reason,
            "stragglers 0", "killed 0 0",
            "exit 0",       "done"};
        QCOMPARE(report.lines, expected);
        QCOMPARE(report.relayed('o'), QByteArray("hello\n"));
        QCOMPARE(report.relayed('e'), QByteArray("world\n"));
        QCOMPARE(readAll(target), QByteArray("precious\n"));
        QVERIFY(QFileInfo(m_dir->filePath(link)).isSymLink());
        QCOMPARE(QDir(m_dir->filePath(QStringLiteral("precious-dir")))
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList());
    }

    // Once a file takes no more (a full disk, a file size limit), the rest is relayed: the
    // saved bytes and the relayed ones are the whole output, in order.
    void outputErrorLosesNothing_data() {
        QTest::addColumn<bool>("fullDisk");
        QTest::addColumn<bool>("copy");
        QTest::addColumn<QByteArray>("reason");
        for (const bool copy : {false, true}) {
            const char *how = copy ? ", copied" : ", spliced";
            QTest::addRow("a full file system%s", how)
                << true << copy << QByteArray("No space left on device");
            QTest::addRow("a file size limit%s", how)
                << false << copy << QByteArray("File too large");
        }
    }
    void outputErrorLosesNothing() {
        QFETCH(bool, fullDisk);
        QFETCH(bool, copy);
        QFETCH(QByteArray, reason);
        constexpr qsizetype kLimit = 64 * 1024;
        constexpr qsizetype kFlood = 1024 * 1024;
        const QString disk = m_dir->filePath(QStringLiteral("disk"));
        QVERIFY(QDir().mkpath(disk));
        ShimSetup setup;
        if (fullDisk) {
            if (mount("tmpfs", QFile::encodeName(disk).constData(), "tmpfs", 0,
                      qPrintable(QStringLiteral("size=%1").arg(kLimit))) != 0)
                QSKIP(qPrintable(QStringLiteral("cannot mount a small tmpfs here: %1")
                                     .arg(QString::fromLocal8Bit(strerror(errno)))));
            m_mounts << disk;
        } else {
            setup.fileSizeLimit = kLimit;
        }
        const QString dir = disk + QStringLiteral("/output");
        QStringList shimArguments{QStringLiteral("--output-dir"), dir};
        if (copy)
            shimArguments << QStringLiteral("--copy-output");
        ShimRun &run = startShim(shimArguments,
                                 child({QStringLiteral("--flood"), QString::number(kFlood),
                                        QStringLiteral("--interleave"), QStringLiteral("4")}),
                                 setup);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process().exitCode(), 0);
        const Report report = run.parsed();
        const QList<QByteArray> expected{"leader PID",   "output-error stdout: stdout: " + reason,
                                         "stragglers 0", "killed 0 0",
                                         "exit 0",       "done"};
        QCOMPARE(report.lines, expected);
        const QByteArray saved = readAll(dir + QStringLiteral("/stdout"));
        QVERIFY(saved.size() <= kLimit);
        const QByteArray expectedOut = floodBytes(kFlood) + "out 1\nout 3\n";
        QCOMPARE(saved, expectedOut.left(saved.size()));
        QCOMPARE(saved.size() + report.relayed('o').size(), expectedOut.size());
        QCOMPARE(sha256(saved + report.relayed('o')), sha256(expectedOut));
        QCOMPARE(readAll(dir + QStringLiteral("/stderr")) + report.relayed('e'),
                 QByteArray("err 2\nerr 4\n"));
    }

    void envSetsVariables_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("value");
        const QString env = QStringLiteral("--env");
        QTest::newRow("a new variable") << QStringList{env, QStringLiteral("JM_NEW=one")}
                                        << QStringLiteral("JM_NEW") << QByteArray("one");
        QTest::newRow("spaces and = in the value")
            << QStringList{env, QStringLiteral("JM_ODD=a b=c ")} << QStringLiteral("JM_ODD")
            << QByteArray("a b=c ");
        QTest::newRow("an empty value") << QStringList{env, QStringLiteral("JM_EMPTY=")}
                                        << QStringLiteral("JM_EMPTY") << QByteArray("");
        QTest::newRow("replaces the inherited value")
            << QStringList{env, QStringLiteral("JM_INHERITED=replaced")}
            << QStringLiteral("JM_INHERITED") << QByteArray("replaced");
        QTest::newRow("the last of two wins")
            << QStringList{env, QStringLiteral("JM_TWICE=1"), env, QStringLiteral("JM_TWICE=2")}
            << QStringLiteral("JM_TWICE") << QByteArray("2");
        QTest::newRow("inherited from the shim") << QStringList() << QStringLiteral("JM_INHERITED")
                                                 << QByteArray("from the application");
    }
    void envSetsVariables() {
        QFETCH(QStringList, options);
        QFETCH(QString, name);
        QFETCH(QByteArray, value);
        ShimSetup setup;
        setup.environment.insert(QStringLiteral("JM_INHERITED"),
                                 QStringLiteral("from the application"));
        ShimRun &run = startShim(options,
                                 {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                  QStringLiteral("printf '%s|%s' \"${%1+set}\" \"$%1\"").arg(name)},
                                 setup);
        QVERIFY(run.finish());
        QCOMPARE(run.process().exitCode(), 0);
        QCOMPARE(run.parsed().relayed('o'), "set|" + value);
    }

    void niceAndIoniceApply_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("nice");
        QTest::addColumn<int>("ioprio");
        constexpr int kClassShift = 13;
        const int inheritedNice = niceness(getpid());
        const int inheritedIoprio = ioPriority(getpid());
        // Nicer than this process, which it may be without privileges.
        const int nicer = std::min(19, inheritedNice + 5);
        QTest::newRow("nicer by 5") << QStringList{QStringLiteral("--nice"), QString::number(nicer)}
                                    << nicer << inheritedIoprio;
        QTest::newRow("nice 19") << QStringList{QStringLiteral("--nice"), QStringLiteral("19")}
                                 << 19 << inheritedIoprio;
        QTest::newRow("best effort, level 6")
            << QStringList{QStringLiteral("--ionice"), QStringLiteral("2,6")} << inheritedNice
            << (2 << kClassShift | 6);
        QTest::newRow("idle") << QStringList{QStringLiteral("--ionice"), QStringLiteral("3,0")}
                              << inheritedNice << (3 << kClassShift);
        QTest::newRow("both") << QStringList{QStringLiteral("--nice"), QString::number(nicer),
                                             QStringLiteral("--ionice"), QStringLiteral("2,1")}
                              << nicer << (2 << kClassShift | 1);
    }
    void niceAndIoniceApply() {
        QFETCH(QStringList, options);
        QFETCH(int, nice);
        QFETCH(int, ioprio);
        ShimRun &run = startShim(options, child({QStringLiteral("--grandchild"),
                                                 QStringLiteral("--sleep"), QStringLiteral("-1")}));
        QCOMPARE(waitForPids(m_pidFile, 2, kEventually).size(), 2);
        for (const qint64 pid : QList<qint64>{run.pid(), pidOf(QStringLiteral("main")),
                                              pidOf(QStringLiteral("grandchild"))}) {
            QCOMPARE(niceness(pid), nice);
            QCOMPARE(ioPriority(pid), ioprio);
        }
        QVERIFY(run.request(0));
        QVERIFY(run.finish());
    }

    // A shim killed by its own job: its processes come to this process (a subreaper, like the
    // application), and an adopting shim ends them with the same sequence, each signal once.
    void adoptingShimEndsWhatADeadShimLeft_data() {
        QTest::addColumn<QString>("termseq");
        QTest::addColumn<bool>("catchTerm");
        QTest::addColumn<bool>("stopFirst");
        QTest::addColumn<QList<QByteArray>>("expected");
        QTest::addColumn<int>("endedBy");
        QTest::newRow("a family that survives TERM")
            << QStringLiteral("15,300") << true << false
            << lines({"step 15", "kill sequence", "killed 3 1", "done"}) << int(SIGKILL);
        QTest::newRow("a family that TERM ends")
            << QStringLiteral("15,600000") << false << false
            << lines({"step 15", "killed 0 0", "done"}) << int(SIGTERM);
        QTest::newRow("a stopped family: TERM, then CONT lets it act")
            << QStringLiteral("15,0,18,600000") << false << true
            << lines({"step 15", "step 18", "killed 0 0", "done"}) << int(SIGTERM);
    }
    void adoptingShimEndsWhatADeadShimLeft() {
        QFETCH(QString, termseq);
        QFETCH(bool, catchTerm);
        QFETCH(bool, stopFirst);
        QFETCH(QList<QByteArray>, expected);
        QFETCH(int, endedBy);
        const QString trace = QStringLiteral("t%1").arg(QCoreApplication::applicationPid());
        const QString marker = m_dir->filePath(QStringLiteral("caught"));
        QStringList arguments{QStringLiteral("--grandchild"), QStringLiteral("--escape"),
                              QStringLiteral("--kill-parent"), QStringLiteral("--sleep"),
                              QStringLiteral("-1")};
        if (catchTerm)
            arguments =
                QStringList{QStringLiteral("--catch"), QStringLiteral("15"), marker} + arguments;
        ShimRun &dead = startShim(
            {QStringLiteral("--env"), QStringLiteral("JOBMONITOR_TRACE_ID=%1").arg(trace)},
            child(arguments));
        QVERIFY(dead.finish());
        QCOMPARE(dead.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(dead.process().exitCode(), SIGKILL);
        // No "done": it was killed (maybe even before it could say the leader had started).
        const QList<QByteArray> deadReport = dead.parsed().lines;
        QVERIFY2(deadReport.isEmpty() || deadReport == lines({"leader PID"}),
                 deadReport.join('|').constData());
        const QList<qint64> pids = waitForPids(m_pidFile, 3, kEventually);
        QCOMPARE(pids.size(), 3);
        QCOMPARE(alivePids(pids), pids);
        const qint64 deadShim = dead.pid();
        m_otherPids << deadShim;
        if (stopFirst) {
            for (const qint64 pid : pids)
                QCOMPARE(kill(pid_t(pid), SIGSTOP), 0);
            for (const qint64 pid : pids)
                QTRY_COMPARE_WITH_TIMEOUT(processState(pid), 'T', kEventuallyMs);
        }

        ShimRun adopter({QStringLiteral("--termseq"), termseq, QStringLiteral("--adopt"),
                         QString::number(deadShim), QStringLiteral("--trace"), trace});
        m_otherPids << adopter.pid();
        QVERIFY(adopter.finish());
        QCOMPARE(adopter.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(adopter.process().exitCode(), 0);
        const Report report = adopter.parsed();
        QCOMPARE(report.without("adopted "), expected);
        QList<qint64> adopted = report.numbersAfter("adopted ");
        QList<qint64> sortedPids = pids;
        std::sort(adopted.begin(), adopted.end());
        std::sort(sortedPids.begin(), sortedPids.end());
        QCOMPARE(adopted, sortedPids);
        QCOMPARE(alivePids(pids), QList<qint64>{});
        // Each was reported so that this process, their reaper now, can reap it.
        for (const qint64 pid : pids) {
            int status = 0;
            QCOMPARE(waitpid(pid_t(pid), &status, WNOHANG), pid_t(pid));
            QVERIFY(WIFSIGNALED(status));
            QCOMPARE(WTERMSIG(status), endedBy);
        }
        if (catchTerm) {
            const QList<Caught> caught = readCaught(marker);
            for (const qint64 pid : pids)
                QCOMPARE(signalsOf(caught, pid), QList<int>{SIGTERM});
        }
    }

    // The shim blocks and ignores signals for itself; the command starts with default actions
    // and an empty mask, as if the shim were not there.
    void commandGetsDefaultSignalActions_data() {
        QTest::addColumn<int>("signal");
        for (int signal : {SIGPIPE, SIGXFSZ, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGRTMIN})
            QTest::addRow("%s", signal == SIGRTMIN ? "RTMIN" : sigabbrev_np(signal)) << signal;
    }
    void commandGetsDefaultSignalActions() {
        QFETCH(int, signal);
        ShimRun &run = startShim({}, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                      QStringLiteral("kill -%1 $$; exit 7").arg(signal)});
        QVERIFY(run.finish());
        if (signal == SIGCHLD) { // ignored by default
            QCOMPARE(run.process().exitStatus(), QProcess::NormalExit);
            QCOMPARE(run.process().exitCode(), 7);
        } else {
            QCOMPARE(run.process().exitStatus(), QProcess::CrashExit);
            QCOMPARE(run.process().exitCode(), signal);
        }
    }

private:
    // Rows shared by the saved and the relayed output tests. A null expectedOut: the job
    // wrote the same bytes to %DIR%/noise, and to both channels.
    void outputRows() {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QStringList>("shimArguments");
        QTest::addColumn<QByteArray>("expectedOut");
        QTest::addColumn<QByteArray>("expectedErr");
        const auto testChild = [](QStringList arguments) {
            return QStringList{testChildPath()} + arguments;
        };
        QTest::newRow("both channels")
            << testChild({QStringLiteral("--stdout"), QStringLiteral("hello"),
                          QStringLiteral("--stderr"), QStringLiteral("world")})
            << QStringList() << QByteArray("hello\n") << QByteArray("world\n");
        QTest::newRow("invalid UTF-8")
            << testChild({QStringLiteral("--invalid-utf8")}) << QStringList()
            << QByteArray("invalid \xff\xfe\xc3\x28 utf8\n") << QByteArray("");
        QTest::newRow("NUL") << testChild({QStringLiteral("--nul")}) << QStringList()
                             << QByteArray("nul\0byte\n", 9) << QByteArray("");
        QTest::newRow("carriage returns")
            << testChild({QStringLiteral("--cr-progress"), QStringLiteral("100")}) << QStringList()
            << crProgress(100) << QByteArray("");
        QTest::newRow("50 MB without a newline")
            << testChild({QStringLiteral("--endless-line"), QStringLiteral("52428800")})
            << QStringList() << QByteArray(52428800, 'y') << QByteArray("");
        QTest::newRow("a flood through big pipes")
            << testChild({QStringLiteral("--flood"), QStringLiteral("20000001")})
            << QStringList{QStringLiteral("--big-pipes")} << floodBytes(20000001) << QByteArray("");
        QTest::newRow("a flood copied instead of spliced")
            << testChild({QStringLiteral("--flood"), QStringLiteral("3000001")})
            << QStringList{QStringLiteral("--copy-output")} << floodBytes(3000001)
            << QByteArray("");
        QTest::newRow("binary noise")
            << QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                           QStringLiteral("head -c 8388608 /dev/urandom > '%DIR%/noise' && "
                                          "cat '%DIR%/noise' && cat '%DIR%/noise' >&2")}
            << QStringList() << QByteArray() << QByteArray();
    }

    // Starts the shim as the child of a forked process that the test can kill, as the
    // application would be; returns the shim's pid. The forked parent goes to m_otherPids.
    pid_t startShimUnderDoomedParent(const QStringList &arguments, int reportFd) {
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
        if (pipe2(shimPidPipe, O_CLOEXEC) != 0)
            return -1;
        const pid_t parent = fork();
        if (parent < 0)
            return -1;
        if (parent == 0) {
            const pid_t self = getpid();
            const pid_t shim = fork();
            if (shim == 0) {
                setsid();
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != self)
                    _exit(126);
                sigset_t requests;
                sigemptyset(&requests);
                for (int signal : {SIGRTMIN, SIGTERM, SIGINT, SIGHUP})
                    sigaddset(&requests, signal);
                sigprocmask(SIG_BLOCK, &requests, nullptr);
                if (reportFd == 3)
                    fcntl(reportFd, F_SETFD, 0);
                else if (reportFd >= 0)
                    dup2(reportFd, 3);
                execv(argv[0], argv.data());
                _exit(127);
            }
            (void)!write(shimPidPipe[1], &shim, sizeof shim);
            for (;;)
                pause();
        }
        m_otherPids.prepend(parent);
        close(shimPidPipe[1]);
        pid_t shim = 0;
        pollfd readable{shimPidPipe[0], POLLIN, 0};
        const bool gotShimPid = poll(&readable, 1, kEventuallyMs) == 1 &&
                                read(shimPidPipe[0], &shim, sizeof shim) == sizeof shim;
        close(shimPidPipe[0]);
        if (!gotShimPid)
            return -1;
        m_otherPids << shim;
        return shim;
    }
};

QTEST_GUILESS_MAIN(TestShim)
#include "tst_shim.moc"
