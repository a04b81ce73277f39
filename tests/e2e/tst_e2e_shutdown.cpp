// The real jobmonitor binary with the fault matrix of jobs, ended every way a process can be
// told to go: SIGTERM, SIGINT, SIGHUP, a second SIGINT during a long grace period, and SIGKILL.
// Every test checks every pid of every job afterwards.
#include "e2eutil.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestE2eShutdown : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FaultMatrix> m_matrix;
    QProcess m_app;

    // Starts jobmonitor with the fault matrix and waits until every job process is up.
    void startWithMatrix(std::chrono::milliseconds grace, const QStringList &modeArguments) {
        m_matrix = std::make_unique<FaultMatrix>(m_dir->path());
        startJobmonitor(m_app, modeArguments +
                                   QStringList{"--max-parallel", "10", "--grace",
                                               QString::number(grace.count()), "--state-dir",
                                               m_dir->filePath("state")} +
                                   m_matrix->jobArguments());
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
        QVERIFY2(m_matrix->waitUntilStarted(30s), m_app.readAllStandardError().constData());
    }

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() {
        if (m_app.state() != QProcess::NotRunning) {
            m_app.kill();
            m_app.waitForFinished(10000);
        }
        // Whatever a failed test left behind must not outlive it.
        if (m_matrix) {
            const QList<qint64> leftovers = alivePids(m_matrix->pids());
            for (qint64 pid : leftovers)
                ::kill(pid_t(pid), SIGKILL);
            QCOMPARE(waitUntilDead(leftovers, 5s), QList<qint64>());
        }
        m_matrix.reset();
    }

    void signalEndsEveryJobGracefully_data() {
        QTest::addColumn<QStringList>("modeArguments");
        QTest::addColumn<int>("signalNumber");
        QTest::addColumn<int>("exitStatus");
        // The window runs on the offscreen platform here (ctest sets QT_QPA_PLATFORM).
        const QList<std::pair<const char *, QStringList>> modes{{"headless", {"--headless"}},
                                                                {"window", {}}};
        for (const auto &[mode, arguments] : modes) {
            QTest::addRow("%s SIGTERM", mode) << arguments << SIGTERM << 143;
            QTest::addRow("%s SIGINT", mode) << arguments << SIGINT << 130;
            QTest::addRow("%s SIGHUP", mode) << arguments << SIGHUP << 129;
        }
    }

    void signalEndsEveryJobGracefully() {
        QFETCH(QStringList, modeArguments);
        QFETCH(int, signalNumber);
        QFETCH(int, exitStatus);
        const auto grace = 1000ms;
        startWithMatrix(grace, modeArguments);
        if (QTest::currentTestFailed())
            return;

        const std::chrono::milliseconds took = signalAndTimeExit(m_app, signalNumber, 30s);
        QVERIFY2(took >= 0ms, "jobmonitor did not exit");
        const QList<qint64> survivors = alivePids(m_matrix->pids());
        const QByteArray log = m_app.readAllStandardError();
        QVERIFY2(survivors.isEmpty(), log.constData());
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), exitStatus);
        // The TERM-ignoring job went only after its grace period, by the job's own sequence.
        QVERIFY2(log.contains("process(es) killed after the termination sequence"),
                 log.constData());
        QVERIFY2(!log.contains("killed on request"), log.constData());
        QVERIFY2(m_matrix->markerWritten(),
                 "the job trapping SIGTERM was not given time to clean up");
    }

    void secondSigintForcesKill() {
        const auto grace = 60000ms;
        startWithMatrix(grace, {"--headless"});
        if (QTest::currentTestFailed())
            return;
        ::kill(pid_t(m_app.processId()), SIGINT);
        // The trapping job writes its marker once it has had SIGTERM: the shutdown is under way.
        QTRY_VERIFY_WITH_TIMEOUT(m_matrix->markerWritten(), 20000);
        QCOMPARE(m_app.state(), QProcess::Running); // the TERM-ignoring job holds it

        // Well within the 60 s grace: only the forced SIGKILL can end the TERM-ignoring job.
        const std::chrono::milliseconds took = signalAndTimeExit(m_app, SIGINT, 30s);
        QVERIFY2(took >= 0ms, "jobmonitor did not exit before the grace period would have ended");
        QCOMPARE(alivePids(m_matrix->pids()), QList<qint64>());
        QCOMPARE(m_app.exitCode(), 130); // the first request's status
        const QByteArray log = m_app.readAllStandardError();
        QVERIFY2(log.contains("second shutdown request: killing every job now"), log.constData());
        QVERIFY2(log.contains("killed on request"), log.constData());
    }

    void sigkillOfTheAppLeavesNoJob() {
        // Each job's shim outlives the app just long enough to run the job's termination
        // sequence: the jobs still get SIGTERM and their grace period, then SIGKILL.
        startWithMatrix(1000ms, {"--headless"});
        if (QTest::currentTestFailed())
            return;
        QVERIFY(signalAndTimeExit(m_app, SIGKILL, 10s) >= 0ms);
        QCOMPARE(m_app.exitStatus(), QProcess::CrashExit);
        QCOMPARE(waitUntilDead(m_matrix->pids(), 20s), QList<qint64>());
        QVERIFY2(m_matrix->markerWritten(),
                 "the job trapping SIGTERM was not given time to clean up");
    }
};

QTEST_GUILESS_MAIN(TestE2eShutdown)
#include "tst_e2e_shutdown.moc"
