// Tests of ResourceMonitor (core/resourcemonitor.cpp) on real jobs: the helper child run by
// the real shim, started the way the application starts it, the shim's pid as the root.
// Bounds are generous where the machine decides (CPU use), exact where it does not (process
// counts, limits, which samples arrive). Each test ends by proving that no process of its jobs
// is alive (cleanup()).

#include "resourcemonitor.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr int kTimeoutMs = 30000;

// One job: the shim running the helper child, which records its processes in a pid file.
class ShimJob {
public:
    ShimJob(const QString &pidFile, const QStringList &shimArguments,
            const QStringList &childArguments)
        : m_pidFile(pidFile) {
        const pid_t parent = getpid();
        m_process.setProgram(QCoreApplication::applicationDirPath() +
                             QStringLiteral("/jobmonitor-shim"));
        m_process.setArguments(shimArguments +
                               QStringList{QStringLiteral("--"), testChildPath(),
                                           QStringLiteral("--pidfile"), pidFile} +
                               childArguments);
        m_process.setStandardInputFile(QProcess::nullDevice());
        m_process.setChildProcessModifier([parent] {
            setsid();
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(126);
        });
        m_process.start();
        if (m_process.waitForStarted())
            m_pid = m_process.processId();
    }

    ~ShimJob() { end(); }

    qint64 pid() const { return m_pid; }
    // The job's processes as its pid file lists them, once it lists at least count.
    QMultiMap<QString, qint64> waitForProcesses(int count) const {
        waitForPids(m_pidFile, count, 10s);
        return readPidFile(m_pidFile);
    }
    QList<qint64> allPids() const { return readPidFile(m_pidFile).values() << m_pid; }

    // What the application does to kill a job: the shim kills every descendant, then exits.
    void end() {
        if (m_process.state() == QProcess::NotRunning)
            return;
        sigval value{};
        value.sival_int = SIGKILL;
        sigqueue(pid_t(m_pid), SIGRTMIN, value);
        if (!m_process.waitForFinished(kTimeoutMs)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

private:
    QString m_pidFile;
    QProcess m_process;
    qint64 m_pid = 0;
};

// Every sample of one key, as they arrive.
class SampleLog {
public:
    SampleLog(ResourceMonitor &monitor, qint64 key) {
        QObject::connect(&monitor, &ResourceMonitor::sampled, &m_context,
                         [this, key](qint64 sampledKey, const ResourceSample &sample) {
                             if (sampledKey == key)
                                 m_samples << sample;
                         });
    }
    const QList<ResourceSample> &samples() const { return m_samples; }
    qsizetype count() const { return m_samples.size(); }
    const ResourceSample &last() const { return m_samples.constLast(); }

private:
    QObject m_context;
    QList<ResourceSample> m_samples;
};

ResourceMonitor::Config fastConfig() {
    ResourceMonitor::Config config;
    config.focusedInterval = 200ms;
    config.backgroundInterval = 200ms;
    config.limitInterval = 100ms;
    config.pssInterval = 200ms;
    return config;
}

int threadsNamed(const QString &name) {
    int count = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == name.toUtf8())
            ++count;
    }
    return count;
}

int threadCount() {
    return int(QDir(QStringLiteral("/proc/self/task"))
                   .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                   .size());
}

bool totalsNeverWentBack(const QList<ResourceSample> &samples) {
    for (qsizetype i = 1; i < samples.size(); ++i) {
        const ResourceSample &before = samples[i - 1], &after = samples[i];
        if (after.cpuTimeMs < before.cpuTimeMs || after.peakRssBytes < before.peakRssBytes ||
            after.logicalReadBytes < before.logicalReadBytes ||
            after.logicalWriteBytes < before.logicalWriteBytes || after.cpuPercent < 0)
            return false;
    }
    return true;
}

} // namespace

class TestResourceMonitor : public QObject {
    Q_OBJECT

private:
    ShimJob &startJob(const QStringList &childArguments, const QStringList &shimArguments = {}) {
        const QString pidFile = m_dir->filePath(QStringLiteral("pids-%1").arg(m_jobs.size()));
        m_jobs.push_back(std::make_unique<ShimJob>(pidFile, shimArguments, childArguments));
        return *m_jobs.back();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::unique_ptr<ShimJob>> m_jobs;

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() {
        QList<qint64> pids;
        for (const auto &job : m_jobs) {
            job->end();
            pids << job->allPids();
        }
        m_jobs.clear();
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>{});
    }

    void residentMemoryOfAllocatingJob() {
        ResourceMonitor monitor(fastConfig());
        SampleLog log(monitor, 1);
        ShimJob &job = startJob({QStringLiteral("--allocate"), QStringLiteral("200"),
                                 QStringLiteral("--sleep"), QStringLiteral("-1")});
        QVERIFY(job.pid() > 0);
        monitor.setFocused(1, true);
        monitor.watch(1, job.pid());
        QTRY_VERIFY_WITH_TIMEOUT(log.count() > 0 && log.last().rssBytes >= 200 * kMiB, kTimeoutMs);
        const ResourceSample sample = log.last();
        QCOMPARE(sample.processes, 1);
        QCOMPARE(sample.threads, 1);
        QVERIFY(sample.peakRssBytes >= 200 * kMiB);
        QVERIFY(sample.ioComplete);
        QVERIFY(!sample.ended);
        QVERIFY(sample.timestampMs > 0);
        QCOMPARE(monitor.processCount(1), 1);
        QVERIFY(monitor.totals().rssBytes >= 200 * kMiB);
        QCOMPARE(monitor.totals().jobs, 1);
        // The pages are the job's alone, so its proportional share is all of them.
        QTRY_VERIFY_WITH_TIMEOUT(log.last().pssBytes >= 200 * kMiB, kTimeoutMs);

        job.end();
        QTRY_VERIFY_WITH_TIMEOUT(log.last().ended, kTimeoutMs);
        const ResourceSample last = log.last();
        QCOMPARE(last.processes, 0);
        QCOMPARE(last.rssBytes, 0);
        QVERIFY(last.peakRssBytes >= 200 * kMiB);
        QCOMPARE(monitor.processCount(1), 0);
        QCOMPARE(monitor.totals(), ResourceTotals{});
        QVERIFY(totalsNeverWentBack(log.samples()));
    }

    void cpuOfBusyJob() {
        // A busy loop uses one core only on an idle machine; this one is shared. What the
        // monitor shows is compared with what the kernel's own clock of the busy process
        // (clock_getcpuclockid, nanoseconds, not /proc) says it got over the same samples.
        ResourceMonitor::Config config;
        config.focusedInterval = 500ms;
        ResourceMonitor monitor(config);
        ShimJob &job = startJob({QStringLiteral("--burn-cpu"), QStringLiteral("-1")});
        const qint64 busy = job.waitForProcesses(1).value(QStringLiteral("main"));
        clockid_t busyClock = 0;
        QCOMPARE(clock_getcpuclockid(pid_t(busy), &busyClock), 0);
        const auto nowNs = [](clockid_t clock) {
            timespec now{};
            clock_gettime(clock, &now);
            return double(now.tv_sec) * 1e9 + double(now.tv_nsec);
        };
        QList<ResourceSample> samples;
        QList<double> wallNs, cpuNs;
        connect(&monitor, &ResourceMonitor::sampled, this,
                [&](qint64, const ResourceSample &sample) {
                    samples << sample;
                    wallNs << nowNs(CLOCK_MONOTONIC);
                    cpuNs << nowNs(busyClock);
                });
        monitor.setFocused(1, true);
        monitor.watch(1, job.pid());
        QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 7, kTimeoutMs);
        disconnect(&monitor, &ResourceMonitor::sampled, this, nullptr);
        // The first sample averages since the job started; the others are intervals.
        double shown = 0;
        for (qsizetype i = 2; i <= 6; ++i)
            shown += samples[i].cpuPercent / 5;
        const double got = (cpuNs[6] - cpuNs[1]) / (wallNs[6] - wallNs[1]) * 100;
        qInfo("busy job: monitor %.1f%%, kernel clock %.1f%% of one core", shown, got);
        QVERIFY(got > 0);
        QVERIFY2(shown >= got - 25 && shown <= got + 25, qPrintable(QString::number(shown)));
        QVERIFY(samples[6].cpuTimeMs > samples[1].cpuTimeMs);
        QVERIFY(monitor.totals().cpuPercent > 0);
        QVERIFY(totalsNeverWentBack(samples));
    }

    void processesOfForkingJob() {
        ResourceMonitor monitor(fastConfig());
        ShimJob &job = startJob({QStringLiteral("--children"), QStringLiteral("5"),
                                 QStringLiteral("--sleep"), QStringLiteral("-1")});
        const QMultiMap<QString, qint64> processes = job.waitForProcesses(6);
        QCOMPARE(processes.values(QStringLiteral("child")).size(), 5);
        monitor.watch(1, job.pid());
        QTRY_COMPARE_WITH_TIMEOUT(monitor.processCount(1), 6, kTimeoutMs);
        QCOMPARE(monitor.latestSample(1)->threads, 6);
        QCOMPARE(monitor.totals().processes, 6);
        // Killed, a child stays a zombie (the helper never reaps it): it has ended.
        QCOMPARE(::kill(pid_t(processes.values(QStringLiteral("child")).first()), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(monitor.processCount(1), 5, kTimeoutMs);
        QCOMPARE(monitor.totals().processes, 5);
    }

    void cpuOfEndedProcessesStaysInTotal() {
        // The leader burns 1.5 s of CPU and exits; its child ignores SIGTERM, so the shim
        // waits out its grace and the job goes on with one process. The leader's CPU time is
        // now only in the shim's cutime/cstime.
        ResourceMonitor monitor(fastConfig());
        SampleLog log(monitor, 1);
        ShimJob &job =
            startJob({QStringLiteral("--ignore-term"), QStringLiteral("--children"),
                      QStringLiteral("1"), QStringLiteral("--burn-cpu"), QStringLiteral("1500")},
                     {QStringLiteral("--termseq"), QStringLiteral("15,0,18,60000")});
        const QMultiMap<QString, qint64> processes = job.waitForProcesses(2);
        monitor.watch(1, job.pid());
        QTRY_VERIFY_WITH_TIMEOUT(log.count() > 0 && log.last().processes == 2, kTimeoutMs);
        QCOMPARE(waitUntilDead({processes.value(QStringLiteral("main"))}, 20s), QList<qint64>{});
        // A sample taken before the shim reaped the leader still counts it.
        QTRY_COMPARE_WITH_TIMEOUT(log.last().processes, 1, kTimeoutMs);
        // Ticks of 10 ms, truncated once for each of utime and stime.
        QVERIFY2(log.last().cpuTimeMs >= 1480, qPrintable(QString::number(log.last().cpuTimeMs)));
        QVERIFY(totalsNeverWentBack(log.samples()));

        QCOMPARE(::kill(pid_t(processes.value(QStringLiteral("child"))), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(log.last().ended, kTimeoutMs);
        QVERIFY(log.last().cpuTimeMs >= 1480);
    }

    void memoryLimitFiresOnceForGrowingJob() {
        // Without the limit this job would be sampled once an hour: only its limit makes the
        // monitor see the growth.
        ResourceMonitor::Config config;
        config.backgroundInterval = 1h;
        config.limitInterval = 250ms;
        ResourceMonitor monitor(config);
        SampleLog log(monitor, 1);
        QSignalSpy exceeded(&monitor, &ResourceMonitor::limitExceeded);
        ShimJob &job = startJob({QStringLiteral("--grow"), QStringLiteral("200")});
        monitor.watch(1, job.pid());
        monitor.setMemoryLimit(1, 100 * kMiB);
        QTRY_COMPARE_WITH_TIMEOUT(exceeded.size(), 1, kTimeoutMs);
        QCOMPARE(exceeded[0][0].toLongLong(), 1);
        const qint64 rss = exceeded[0][1].toLongLong();
        const qint64 peak = exceeded[0][2].toLongLong();
        QVERIFY(rss > 100 * kMiB);
        QVERIFY(peak >= rss);
        // Once per limit: later samples over it say nothing more...
        const qsizetype seen = log.count();
        QTRY_VERIFY_WITH_TIMEOUT(log.count() >= seen + 3, kTimeoutMs);
        QVERIFY(log.last().rssBytes > 100 * kMiB);
        QCOMPARE(exceeded.size(), 1);
        // ...until a new limit is set.
        monitor.setMemoryLimit(1, log.last().rssBytes + 50 * kMiB);
        QTRY_COMPARE_WITH_TIMEOUT(exceeded.size(), 2, kTimeoutMs);
        QVERIFY(exceeded[1][2].toLongLong() >= exceeded[1][1].toLongLong());

        // The engine then ends the job; the last sample keeps the peak.
        job.end();
        QTRY_VERIFY_WITH_TIMEOUT(log.last().ended, kTimeoutMs);
        QVERIFY(log.last().peakRssBytes >= exceeded[1][2].toLongLong());
    }

    void focusedJobsAreSampledMoreOften() {
        ResourceMonitor::Config config;
        config.focusedInterval = 100ms;
        config.backgroundInterval = 1h;
        config.pssInterval = 100ms;
        ResourceMonitor monitor(config);
        SampleLog a(monitor, 1), b(monitor, 2);
        ShimJob &jobA = startJob({QStringLiteral("--sleep"), QStringLiteral("-1")});
        ShimJob &jobB = startJob({QStringLiteral("--sleep"), QStringLiteral("-1")});
        jobA.waitForProcesses(1);
        jobB.waitForProcesses(1);
        monitor.setFocused(1, true); // before it is watched: kept
        monitor.watch(1, jobA.pid());
        monitor.watch(2, jobB.pid());
        // A job's first sample comes within about a second, whatever its interval, but not at
        // once (at least half a second later); the next one of the background job only in an
        // hour.
        QTest::qWait(200);
        QCOMPARE(b.count(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(a.count() >= 5, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(b.count(), 1, kTimeoutMs);
        const qsizetype aSeen = a.count();
        QTRY_VERIFY_WITH_TIMEOUT(a.count() >= aSeen + 5, kTimeoutMs);
        QCOMPARE(b.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(a.last().pssBytes > 0, kTimeoutMs);
        QCOMPARE(b.last().pssBytes, -1); // only read for what the window shows
        QCOMPARE(monitor.totals().jobs, 2);
        QCOMPARE(monitor.totals().processes, 2);

        monitor.setFocused(2, true);
        monitor.setFocused(1, false);
        const qsizetype aBefore = a.count();
        QTRY_VERIFY_WITH_TIMEOUT(b.count() >= 6, kTimeoutMs);
        QVERIFY(a.count() <= aBefore + 1); // one that was already due, if any
        QCOMPARE(a.last().pssBytes, -1);
    }

    void unwatchedAndRewatchedKeys() {
        ResourceMonitor::Config config;
        config.backgroundInterval = 10ms; // many samples in flight
        ResourceMonitor monitor(config);
        SampleLog log(monitor, 1), other(monitor, 2);
        QSignalSpy totals(&monitor, &ResourceMonitor::totalsChanged);
        ShimJob &three = startJob({QStringLiteral("--children"), QStringLiteral("2"),
                                   QStringLiteral("--sleep"), QStringLiteral("-1")});
        ShimJob &one = startJob({QStringLiteral("--sleep"), QStringLiteral("-1")});
        three.waitForProcesses(3);
        monitor.watch(1, three.pid());
        monitor.watch(2, one.pid());
        QTRY_VERIFY_WITH_TIMEOUT(log.count() >= 20 && log.last().processes == 3, kTimeoutMs);

        // A new attempt under the same key: nothing of the old tree arrives after it, though
        // samples of it are queued (the sampling thread goes on while this thread sleeps).
        QThread::msleep(200);
        monitor.watch(1, one.pid());
        const qsizetype rewatched = log.count();
        QVERIFY(!monitor.latestSample(1).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(log.count() >= rewatched + 20, kTimeoutMs);
        for (qsizetype i = rewatched; i < log.count(); ++i)
            QCOMPARE(log.samples()[i].processes, 1);

        const int totalsBefore = int(totals.size());
        QThread::msleep(200);
        monitor.unwatch(1);
        QVERIFY(!monitor.isWatched(1));
        QCOMPARE(monitor.processCount(1), 0);
        QCOMPARE(totals.size(), totalsBefore + 1);
        QCOMPARE(monitor.totals().jobs, 1);
        const qsizetype unwatched = log.count();
        QTRY_VERIFY_WITH_TIMEOUT(other.count() >= 40, kTimeoutMs);
        QCOMPARE(log.count(), unwatched);
        monitor.unwatch(1); // twice is harmless
    }

    void missingRootEndsAtOnce_data() {
        QFile pidMax(QStringLiteral("/proc/sys/kernel/pid_max"));
        QVERIFY(pidMax.open(QIODevice::ReadOnly));
        QTest::addColumn<qint64>("root");
        QTest::newRow("above pid_max") << pidMax.readAll().trimmed().toLongLong() + 1;
        QTest::newRow("zero") << qint64(0);
        QTest::newRow("negative") << qint64(-1);
        // Cut to a pid_t, this would be the test itself.
        QTest::newRow("beyond pid_t") << (qint64(1) << 32) + getpid();
    }

    void missingRootEndsAtOnce() {
        QFETCH(qint64, root);
        ResourceMonitor monitor;
        SampleLog log(monitor, 7);
        monitor.watch(7, root);
        QTRY_COMPARE_WITH_TIMEOUT(log.count(), 1, kTimeoutMs);
        QVERIFY(log.last().ended);
        QCOMPARE(log.last().processes, 0);
        QCOMPARE(log.last().cpuTimeMs, 0);
        QCOMPARE(monitor.totals().jobs, 0);
    }

    void samplingThreadStopsWithTheMonitor() {
        const int before = threadCount();
        QCOMPARE(threadsNamed(QStringLiteral("jm-sampler")), 0);
        {
            ResourceMonitor monitor(fastConfig());
            SampleLog log(monitor, 1);
            ShimJob &job = startJob({QStringLiteral("--sleep"), QStringLiteral("-1")});
            monitor.watch(1, job.pid());
            QTRY_VERIFY_WITH_TIMEOUT(log.count() >= 3, kTimeoutMs);
            QCOMPARE(threadsNamed(QStringLiteral("jm-sampler")), 1);
            QVERIFY(monitor.samplerCpuTime() > 0ns);
            // Destroyed while it samples every 200 ms.
        }
        // QThread::wait() returns once the thread has run its last line of ours; Qt's threads
        // are detached, so the kernel may need a moment more to remove it.
        QTRY_COMPARE_WITH_TIMEOUT(threadsNamed(QStringLiteral("jm-sampler")), 0, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(threadCount(), before, kTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestResourceMonitor)
#include "tst_resourcemonitor.moc"
