// A job must not outlive the application, even when the application is killed with SIGKILL
// and cannot clean up: the shim notices its parent's death (PR_SET_PDEATHSIG) and ends its
// whole job, escapees included.

#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestAppDeath : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jobsEndWhenTheHostIsKilled_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("processes");
        QTest::newRow("sleeper") << QStringList{"--sleep", "-1"} << 1;
        QTest::newRow("ignores SIGTERM") << QStringList{"--ignore-term", "--sleep", "-1"} << 1;
        QTest::newRow("grandchild") << QStringList{"--grandchild", "--sleep", "-1"} << 2;
        QTest::newRow("escapee") << QStringList{"--escape", "--sleep", "-1"} << 2;
        QTest::newRow("stopped") << QStringList{"--stop", "--sleep", "-1"} << 1;
    }

    void jobsEndWhenTheHostIsKilled() {
        QFETCH(QStringList, arguments);
        QFETCH(int, processes);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("pids"));
        arguments.prepend(pidFile);
        arguments.prepend(QStringLiteral("--pidfile"));

        QProcess host;
        host.setProgram(QCoreApplication::applicationDirPath() + QStringLiteral("/jm-jobhost"));
        host.setArguments({QStringLiteral("300"), testChildCommand(arguments)});
        host.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        host.start();
        QVERIFY(host.waitForStarted());
        QByteArray announced;
        QTRY_VERIFY_WITH_TIMEOUT((announced += host.readAllStandardOutput()).contains("running"),
                                 20000);
        const QList<qint64> pids = waitForPids(pidFile, processes, 20s);
        QCOMPARE(pids.size(), processes);
        for (qint64 pid : pids)
            QVERIFY(isPidAlive(pid));

        ::kill(pid_t(host.processId()), SIGKILL);
        QVERIFY(host.waitForFinished(10000));
        QCOMPARE(host.exitStatus(), QProcess::CrashExit);
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
    }
};

QTEST_GUILESS_MAIN(TestAppDeath)
#include "tst_appdeath.moc"
