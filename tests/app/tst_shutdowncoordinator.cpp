// The shutdown coordinator with a real supervisor and real jobs: the first request stops every
// job gracefully and fixes the exit status, a later one forces SIGKILL, and the event loop ends
// with that status only after every job process has ended.
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestShutdownCoordinator : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    std::unique_ptr<ShutdownCoordinator> m_coordinator;
    QStringList m_pidFiles;
    int m_files = 0;

    QString newFile(const QString &stem) {
        return m_dir.filePath(QStringLiteral("%1-%2").arg(stem).arg(++m_files));
    }

    // Starts the helper child as a job and waits until it has written its pids.
    Job *startChild(QStringList arguments, int pidCount, milliseconds grace) {
        const QString pidFile = newFile(QStringLiteral("pids"));
        m_pidFiles << pidFile;
        arguments = QStringList{QStringLiteral("--pidfile"), pidFile} + arguments;
        JobSpec spec;
        spec.command = testChildCommand(arguments);
        spec.termination = TerminationSequence::standard(grace);
        const StartResult started = m_supervisor->start(spec);
        if (!started)
            qWarning() << "start failed:" << started.error;
        if (waitForPids(pidFile, pidCount, 20s).size() < pidCount)
            qWarning() << "no pids from" << spec.command;
        return started.job;
    }

    QList<qint64> allPids() const {
        QList<qint64> pids;
        for (const QString &file : m_pidFiles)
            pids << readPidFile(file).values();
        return pids;
    }

    // The application's own event loop, as main() runs it, with a limit so that a shutdown that
    // never completes fails the test instead of hanging it.
    static int runApplication(std::chrono::milliseconds limit) {
        QTimer limitTimer;
        limitTimer.setSingleShot(true);
        QObject::connect(&limitTimer, &QTimer::timeout, [] { QCoreApplication::exit(-1); });
        limitTimer.start(limit);
        return QCoreApplication::exec();
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        QVERIFY(m_dir.isValid());
    }

    void init() {
        m_pidFiles.clear();
        m_supervisor = std::make_unique<JobSupervisor>(JobSupervisor::Config{8, QString()});
        m_coordinator = std::make_unique<ShutdownCoordinator>(m_supervisor.get());
    }

    void cleanup() {
        QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>());
        QCOMPARE(m_supervisor->activeCount(), 0);
        QCOMPARE(m_supervisor->processesAlive(), 0);
        QCOMPARE(m_supervisor->coroutinesAlive(), 0);
        m_coordinator.reset();
        m_supervisor.reset();
    }

    void firstRequestFixesTheExitStatus_data() {
        QTest::addColumn<QString>("why");
        QTest::addColumn<int>("exitStatus");
        QTest::newRow("SIGINT") << "SIGINT" << 130;
        QTest::newRow("SIGTERM") << "SIGTERM" << 143;
        QTest::newRow("SIGHUP") << "SIGHUP" << 129;
        QTest::newRow("user quit") << "quit" << 0;
    }

    void firstRequestFixesTheExitStatus() {
        QFETCH(QString, why);
        QFETCH(int, exitStatus);
        const QString marker = newFile(QStringLiteral("marker"));
        startChild({"--sleep", "-1"}, 1, 500ms);
        startChild({"--trap-term", "200", "--marker", marker, "--sleep", "-1"}, 1, 5s);
        startChild({"--grandchild", "--sleep", "-1"}, 2, 500ms);

        QSignalSpy shuttingDown(m_coordinator.get(), &ShutdownCoordinator::shuttingDownChanged);
        QSignalSpy finished(m_coordinator.get(), &ShutdownCoordinator::finished);
        m_coordinator->requestShutdown(why, exitStatus);
        QVERIFY(m_coordinator->isShuttingDown());
        QVERIFY(m_supervisor->isShuttingDown());
        QCOMPARE(shuttingDown.count(), 1);
        QCOMPARE(m_coordinator->exitStatus(), exitStatus);

        QCOMPARE(runApplication(30s), exitStatus);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toInt(), exitStatus);
        QVERIFY(!m_coordinator->isForced());
        // Graceful: the job that cleans up on SIGTERM had the time to do so.
        QVERIFY(QFile::exists(marker));
        for (const Job *job : m_supervisor->jobs())
            QCOMPARE(job->state(), JobState::Cancelled);
    }

    void laterRequestForcesKill() {
        startChild({"--ignore-term", "--sleep", "-1"}, 1, 600s);
        startChild({"--ignore-term", "--grandchild", "--sleep", "-1"}, 2, 600s);
        QSignalSpy forced(m_coordinator.get(), &ShutdownCoordinator::forcedChanged);

        m_coordinator->requestShutdown(QStringLiteral("SIGINT"), 130);
        QTRY_COMPARE_WITH_TIMEOUT(m_supervisor->count(JobState::Stopping), 2, 10000);
        m_coordinator->requestShutdown(QStringLiteral("SIGTERM"), 143);
        QVERIFY(m_coordinator->isForced());
        QCOMPARE(forced.count(), 1);
        // A third request changes nothing.
        m_coordinator->forceNow(QStringLiteral("SIGINT"));
        QCOMPARE(forced.count(), 1);

        // The grace period is ten minutes: returning at all proves SIGKILL went out.
        QCOMPARE(runApplication(60s), 130);
        QCOMPARE(m_coordinator->exitStatus(), 130);
    }

    void forceNowStartsAShutdown() {
        startChild({"--ignore-term", "--sleep", "-1"}, 1, 600s);
        m_coordinator->forceNow(QStringLiteral("kill all"));
        QVERIFY(m_coordinator->isShuttingDown());
        QVERIFY(m_coordinator->isForced());
        QCOMPARE(runApplication(60s), 0);
    }

    // What stopping may take: an ended job's grace no longer counts (logind's deadline is
    // weighed against it).
    void largestGraceCountsJobsNotYetEnded() {
        JobSpec quick;
        quick.command = QStringLiteral("true");
        quick.termination = TerminationSequence::standard(600s);
        const StartResult ended = m_supervisor->start(quick);
        QVERIFY(ended);
        QTRY_COMPARE_WITH_TIMEOUT(ended.job->state(), JobState::Completed, 20000);
        QCOMPARE(m_coordinator->largestGrace(), 0ms);
        startChild({"--sleep", "-1"}, 1, 2s);
        startChild({"--sleep", "-1"}, 1, 700ms);
        QCOMPARE(m_coordinator->largestGrace(), 2000ms);
        m_coordinator->requestShutdown(QStringLiteral("quit"), 0);
        QCOMPARE(runApplication(30s), 0);
    }

    void completesBeforeTheEventLoopRuns() {
        // Nothing to stop: the shutdown completes inside requestShutdown(), and the exit must
        // still reach the event loop that starts afterwards.
        m_coordinator->requestShutdown(QStringLiteral("SIGTERM"), 143);
        QCOMPARE(runApplication(10s), 143);
    }
};

QTEST_GUILESS_MAIN(TestShutdownCoordinator)
#include "tst_shutdowncoordinator.moc"
