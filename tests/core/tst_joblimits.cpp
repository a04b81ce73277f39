// A job's limits and what it used, end to end in the engine: real jobs (the helper child
// behind the real shim), the memory limit ending a growing job through the decision table,
// nice and ionice set on the command's processes, and each attempt's peak memory and CPU time.
// After every test: proof by pid that no process of any job is alive.

#include "jobsupervisor.h"
#include "localexecutor.h"
#include "logging.h"
#include "memoryguard.h"
#include "resourcemonitor.h"
#include "testutil.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/syscall.h>
#include <unistd.h>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(QList<JobState>)

namespace {

constexpr int StateTimeoutMs = 30000;
constexpr qint64 MiB = 1024 * 1024;

QList<JobState> statesOf(const Job *job) {
    QList<JobState> states{job->history().first().from};
    for (const Transition &t : job->history())
        states << t.to;
    return states;
}

// Field 19 of /proc/PID/stat (after the command name, which may hold spaces).
std::optional<int> nicenessOf(qint64 pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // Counting from field 3 (the state) after the name.
    return fields.size() > 16 ? std::optional(fields.at(16).toInt()) : std::nullopt;
}

// ioprio_get(IOPRIO_WHO_PROCESS, pid): (class << 13) | level. Not in /proc; the kernel tells.
int ioPriorityOf(qint64 pid) {
    return int(syscall(SYS_ioprio_get, 1, pid_t(pid)));
}

} // namespace

class TestJobLimits : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    QList<QString> m_pidFiles;
    int m_files = 0;

    JobSpec childJob(QStringList arguments) {
        const QString pidFile = m_dir.filePath(QStringLiteral("pids-%1").arg(++m_files));
        m_pidFiles << pidFile;
        arguments.prepend(pidFile);
        arguments.prepend(QStringLiteral("--pidfile"));
        JobSpec spec;
        spec.command = testChildCommand(arguments);
        spec.termination = TerminationSequence::standard(500ms);
        return spec;
    }

    Job *start(const JobSpec &spec) {
        const StartResult result = m_supervisor->start(spec);
        if (!result)
            qWarning() << "start failed:" << result.error;
        return result.job;
    }

    // Jobs start only while the meminfo file says 512 MiB are available.
    static JobSupervisor::Config guardedConfig(const QString &meminfo) {
        JobSupervisor::Config config;
        config.maxParallel = 8;
        config.minAvailableMemoryBytes = 512 * MiB;
        config.meminfoPath = meminfo;
        return config;
    }

    QList<qint64> allPids() const {
        QList<qint64> pids;
        for (const QString &file : m_pidFiles)
            pids << readPidFile(file).values();
        return pids;
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        QVERIFY(m_dir.isValid());
    }

    void init() {
        m_pidFiles.clear();
        m_supervisor = std::make_unique<JobSupervisor>(
            JobSupervisor::Config{8, m_dir.filePath(QStringLiteral("output"))});
    }

    void cleanup() {
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(m_supervisor->activeCount(), 0);
        QCOMPARE(LocalExecutor::liveShims(), 0);
        const QList<qint64> pids = allPids();
        QVERIFY(!pids.isEmpty());
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
        m_supervisor.reset();
    }

    void memoryLimitEndsAGrowingJob_data() {
        QTest::addColumn<int>("attempts");
        QTest::addColumn<QList<JobState>>("states");
        using S = JobState;
        QTest::newRow("last attempt")
            << 1 << QList<S>{S::Pending, S::Running, S::Stopping, S::Failed};
        // The limit holds for every attempt, not only the first.
        QTest::newRow("retried") << 2 << QList<S>{S::Pending, S::Running,  S::Stopping, S::Retrying,
                                                  S::Running, S::Stopping, S::Failed};
    }
    void memoryLimitEndsAGrowingJob() {
        QFETCH(int, attempts);
        QFETCH(QList<JobState>, states);
        JobSpec spec = childJob({"--grow", "200"});
        spec.memoryLimitBytes = 64 * MiB;
        spec.maxAttempts = attempts;
        spec.backoff = {10ms, 2.0, 10ms};
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(statesOf(job), states);

        static const QRegularExpression stopped(
            QStringLiteral(R"(^memory limit 64 MiB exceeded \(peak (\d+(\.\d)? MiB)\)$)"));
        const QRegularExpressionMatch stop = stopped.match(job->history().at(1).reason);
        QVERIFY2(stop.hasMatch(), qPrintable(job->history().at(1).reason));
        const Transition &last = job->history().constLast();
        QCOMPARE(last.event, JobEvent::StoppedLimit);
        static const QRegularExpression ended(QStringLiteral(
            R"(^memory limit 64 MiB exceeded \(peak \d+(\.\d)? MiB\); signal 15 \(SIGTERM\)$)"));
        QVERIFY2(ended.match(last.reason).hasMatch(), qPrintable(last.reason));
        QVERIFY(job->peakRssBytes());
        QVERIFY2(*job->peakRssBytes() > 64 * MiB,
                 qPrintable(QString::number(*job->peakRssBytes())));
        QCOMPARE(job->exitSignal(), std::optional(SIGTERM));
    }

    void jobBelowItsLimitCompletes() {
        JobSpec spec = childJob({"--allocate", "16", "--sleep", "300"});
        spec.memoryLimitBytes = 512 * MiB;
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Completed);
    }

    void niceAndIonice_data() {
        QTest::addColumn<int>("niceness");
        QTest::addColumn<int>("ioClass");
        QTest::addColumn<int>("ioLevel");
        QTest::newRow("nice 7, idle") << 7 << 3 << 0;
        QTest::newRow("nice 19, best-effort 6") << 19 << 2 << 6;
    }
    void niceAndIonice() {
        QFETCH(int, niceness);
        QFETCH(int, ioClass);
        QFETCH(int, ioLevel);
        JobSpec spec = childJob({"--children", "2", "--sleep", "-1"});
        spec.niceness = niceness;
        spec.ioPriority = IoPriority{ioClass, ioLevel};
        Job *job = start(spec);
        QVERIFY(job);
        // Every process of the job has them: the command and what it starts.
        const QList<qint64> pids = waitForPids(m_pidFiles.constLast(), 3, 20s);
        QCOMPARE(pids.size(), 3);
        for (const qint64 pid : pids) {
            QCOMPARE(nicenessOf(pid), std::optional(niceness));
            QCOMPARE(ioPriorityOf(pid), (ioClass << 13) | ioLevel);
        }
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
    }

    // What an attempt used is kept with it: CPU time from the kernel's own count of every
    // process of the job, peak memory at least what the largest process reached.
    void attemptUsage() {
        Job *busy = start(childJob({"--burn-cpu", "400"}));
        Job *big = start(childJob({"--allocate", "200"}));
        QVERIFY(busy && big);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(busy->state()) && isFinal(big->state()), StateTimeoutMs);
        QCOMPARE(busy->state(), JobState::Completed);
        QCOMPARE(big->state(), JobState::Completed);
        QVERIFY(busy->cpuTimeMs());
        // Generous: a tick of accounting either way, never a factor off.
        QVERIFY2(*busy->cpuTimeMs() >= 390 && *busy->cpuTimeMs() < 4000,
                 qPrintable(QString::number(*busy->cpuTimeMs())));
        QVERIFY(big->peakRssBytes());
        QVERIFY2(*big->peakRssBytes() >= 200 * MiB,
                 qPrintable(QString::number(*big->peakRssBytes())));
        QVERIFY(busy->peakRssBytes() && *busy->peakRssBytes() < 200 * MiB);
    }

    // The machine-wide guard: no job starts while less memory is available than it asks for;
    // the job waits, and starts once there is enough.
    void memoryGuardHoldsJobsBack() {
        const QString meminfo = m_dir.filePath(QStringLiteral("meminfo"));
        const auto writeAvailable = [&](qint64 kib) {
            QFile file(meminfo);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(QStringLiteral("MemTotal:       16000000 kB\nMemFree:         5000 kB\n"
                                      "MemAvailable:   %1 kB\nBuffers:  10 kB\n")
                           .arg(kib)
                           .toLatin1());
        };
        writeAvailable(1024);
        m_supervisor = std::make_unique<JobSupervisor>(guardedConfig(meminfo));
        QCOMPARE(MemoryGuard::readAvailable(meminfo), std::optional<qint64>(1024 * 1024));
        Job *job = start(childJob({"--sleep", "-1"}));
        QVERIFY(job);
        QVERIFY(m_supervisor->isWaitingForMemory());
        // Held across polls, not only at the first look.
        QTest::qWait(1500);
        QCOMPARE(job->state(), JobState::Pending);
        QVERIFY(m_supervisor->isWaitingForMemory());
        writeAvailable(4 * 1024 * 1024);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        QVERIFY(!m_supervisor->isWaitingForMemory());
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
    }

    void meminfoThatSaysNothingHoldsNothing() {
        const QString meminfo = m_dir.filePath(QStringLiteral("meminfo-empty"));
        QFile file(meminfo);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("MemTotal: 1 kB\n");
        file.close();
        QCOMPARE(MemoryGuard::readAvailable(meminfo), std::nullopt);
        QVERIFY(MemoryGuard::readAvailable(QStringLiteral("/proc/meminfo")));
        m_supervisor = std::make_unique<JobSupervisor>(guardedConfig(meminfo));
        Job *job = start(childJob({"--exit", "0"}));
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, StateTimeoutMs);
    }

    // The bar follows the job's own output, read from its saved output as it is sampled.
    void progressFromOutput() {
        JobSpec child = childJob({"--sleep", "-1"});
        JobSpec spec = child;
        spec.command = QStringLiteral("for i in 1 2 3 4 5 6 7 8; do echo \"[$i/10] step $i\"; "
                                      "sleep 0.2; done; ") +
                       child.command;
        Job *job = start(spec);
        QVERIFY(job);
        m_supervisor->resources()->setFocused(job->id(), true);
        QTRY_VERIFY_WITH_TIMEOUT(
            job->progress().progress && job->progress().progress->fraction >= 0.8, StateTimeoutMs);
        QCOMPARE(job->progress().progress->kind, Progress::Kind::Count);
        QCOMPARE(job->progress().progress->total, std::optional<qint64>(10));
        // The helper runs after the last step: it must be there to be proven gone.
        QCOMPARE(waitForPids(m_pidFiles.constLast(), 1, 20s).size(), 1);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(job->progress().progress, std::nullopt);
    }

    // A job that prints no progress: its expected duration from history drives the bar.
    void progressFromExpectedDuration() {
        LearnedTiming timing;
        timing.runs = 5;
        timing.expectedDuration = 2s;
        const StartResult started = m_supervisor->start(childJob({"--sleep", "-1"}), timing);
        QVERIFY(started);
        Job *job = started.job;
        QTRY_VERIFY_WITH_TIMEOUT(
            job->progress().progress && job->progress().progress->fraction > 0.2, StateTimeoutMs);
        QCOMPARE(job->progress().progress->kind, Progress::Kind::Estimate);
        QVERIFY(job->progress().progress->fraction <= 0.99);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestJobLimits)
#include "tst_joblimits.moc"
