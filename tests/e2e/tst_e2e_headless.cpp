// The headless mode's standard output on the real binary, read through a pipe: each state line
// reaches the reader when it happens (not when libc's buffer fills or the app exits), and a
// reader that never reads holds up neither the shutdown nor the exit.
#include "e2eutil.h"
#include "testutil.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestE2eHeadless : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_app;
    QList<qint64> m_pids;

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() {
        m_app.setChildProcessModifier({});
        if (m_app.state() != QProcess::NotRunning) {
            m_app.kill();
            m_app.waitForFinished(10000);
        }
        const QList<qint64> leftovers = alivePids(m_pids);
        for (qint64 pid : leftovers)
            ::kill(pid_t(pid), SIGKILL);
        QCOMPARE(waitUntilDead(leftovers, 5s), QList<qint64>());
        m_pids.clear();
    }

    void linesArriveWhileTheJobRuns_data() {
        QTest::addColumn<QStringList>("format");
        QTest::addColumn<QByteArray>("running");
        QTest::newRow("text") << QStringList{} << QByteArray("Pending -> Running");
        QTest::newRow("json") << QStringList{"--json"} << QByteArray("\"to\":\"Running\"");
    }

    void linesArriveWhileTheJobRuns() {
        QFETCH(QStringList, format);
        QFETCH(QByteArray, running);
        const QString pidFile = m_dir->filePath(QStringLiteral("pids"));
        startJobmonitor(m_app,
                        QStringList{"--headless", "--state-dir", m_dir->filePath("state"), "--job",
                                    testChildCommand({"--pidfile", pidFile, "--sleep", "5000"})} +
                            format);
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
        QByteArray output;
        QDeadlineTimer deadline(30s);
        while (!output.contains(running) && !deadline.hasExpired() &&
               m_app.state() == QProcess::Running)
            if (m_app.waitForReadyRead(int(deadline.remainingTime())))
                output += m_app.readAllStandardOutput();
        QVERIFY2(output.contains(running), output.constData());
        // The line came while the job still runs: its process is alive, and nothing of its
        // end has been said.
        m_pids = waitForPids(pidFile, 1, 30s);
        QCOMPARE(m_pids.size(), 1);
        QCOMPARE(alivePids(m_pids), m_pids);
        QCOMPARE(m_app.state(), QProcess::Running);
        QVERIFY2(!output.contains("Completed"), output.constData());
        QCOMPARE(output.count('\n'), 1);

        QVERIFY(m_app.waitForFinished(30000));
        output += m_app.readAllStandardOutput();
        QCOMPARE(m_app.exitCode(), 0);
        QCOMPARE(output.count('\n'), 2);
        QVERIFY2(output.contains(format.isEmpty() ? QByteArray("Running -> Completed")
                                                  : QByteArray("\"to\":\"Completed\"")),
                 output.constData());
    }

    // Standard output is a pipe that is already full and never read (the pipe of `| less`
    // left on the first page, say). SIGTERM still ends every job and the app.
    void stalledReaderHoldsUpNothing() {
        int ends[2];
        QCOMPARE(::pipe2(ends, O_CLOEXEC), 0);
        const int flags = ::fcntl(ends[1], F_GETFL);
        QCOMPARE(::fcntl(ends[1], F_SETFL, flags | O_NONBLOCK), 0);
        const QByteArray chunk(4096, 'f');
        while (::write(ends[1], chunk.constData(), size_t(chunk.size())) > 0) {
        }
        QCOMPARE(errno, EAGAIN);
        QCOMPARE(::fcntl(ends[1], F_SETFL, flags), 0);
        const int stalled = ends[1];
        m_app.setChildProcessModifier([stalled] { ::dup2(stalled, STDOUT_FILENO); });

        const QString pidFile = m_dir->filePath(QStringLiteral("pids"));
        startJobmonitor(
            m_app, {"--headless", "--grace", "200", "--state-dir", m_dir->filePath("state"),
                    "--job", testChildCommand({"--pidfile", pidFile, "--sleep", "-1"}), "--job",
                    testChildCommand({"--pidfile", pidFile, "--ignore-term", "--sleep", "-1"})});
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
        ::close(ends[1]);
        m_pids = waitForPids(pidFile, 2, 30s);
        QCOMPARE(m_pids.size(), 2);

        ::kill(pid_t(m_app.processId()), SIGTERM);
        const bool exited = m_app.waitForFinished(30000);
        ::close(ends[0]);
        QVERIFY2(exited, "jobmonitor did not exit while its standard output was not read");
        const QByteArray log = m_app.readAllStandardError();
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 143);
        QCOMPARE(waitUntilDead(m_pids, 0ms), QList<qint64>());
        QVERIFY2(log.contains("standard output is not being read: 6 line(s) not written at exit"),
                 log.constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eHeadless)
#include "tst_e2e_headless.moc"
