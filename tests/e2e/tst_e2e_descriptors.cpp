// What a job inherits from the app, on the real binary: started the way a shell or a build
// tool may start it, with descriptors of theirs open (fd 3 on /dev/null like `exec 3</dev/null`,
// a pipe at fd 251), a job sees exactly stdin, stdout and stderr; and every descriptor of the
// app's own beyond those three, whatever opened it (the log, the job logs, the settings, the
// signal socketpair, D-Bus, the window's platform), is close-on-exec, read from
// /proc/<pid>/fdinfo while the app runs. Headless and window (offscreen) alike.
#include "e2eutil.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestE2eDescriptors : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_app;
    QList<qint64> m_pids;
    int m_strayPipe[2] = {-1, -1};
    int m_devNull = -1;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCOMPARE(::pipe2(m_strayPipe, O_CLOEXEC), 0);
        m_devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        QVERIFY(m_devNull >= 0);
    }

    void cleanupTestCase() {
        for (int fd : {m_strayPipe[0], m_strayPipe[1], m_devNull})
            ::close(fd);
    }

    void cleanup() {
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

    void jobSeesOnlyItsStandardDescriptors_data() {
        QTest::addColumn<QStringList>("modeArguments");
        QTest::newRow("headless") << QStringList{"--headless"};
        QTest::newRow("window") << QStringList{};
    }

    void jobSeesOnlyItsStandardDescriptors() {
        QFETCH(QStringList, modeArguments);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        const QString listing = m_dir.filePath(tag + QStringLiteral("-fds"));
        const QString pidFile = m_dir.filePath(tag + QStringLiteral("-pids"));
        // The subshell lists the job's shell from outside; its own redirection stays its own.
        const QString listJob = QStringLiteral("(ls /proc/$$/fd) > '%1'").arg(listing);
        // Not the helper child: it keeps its pid file open.
        const QString sleeper =
            QStringLiteral("echo \"main $$\" > '%1' && exec sleep 300").arg(pidFile);

        const int devNull = m_devNull;
        const int strayPipe = m_strayPipe[1];
        m_app.setChildProcessModifier([devNull, strayPipe] {
            // dup2() leaves the copies inheritable, as a shell's `exec 3</dev/null` does.
            ::dup2(devNull, 3);
            ::dup2(strayPipe, 251);
        });
        startJobmonitor(m_app, modeArguments + QStringList{"--state-dir", m_dir.filePath(tag),
                                                           "--job", listJob, "--job", sleeper});
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
        m_pids = waitForPids(pidFile, 1, 30s);
        QCOMPARE(m_pids.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(listing).size() > 0, 30000);

        // The app, while a job runs (its log, the job's log and its pipes are open).
        QCOMPARE(inheritableDescriptors(m_app.processId()), QStringList());
        // It was given fd 3 and fd 251, and keeps them, just not for its children.
        QVERIFY(QFile::exists(QStringLiteral("/proc/%1/fd/3").arg(m_app.processId())));
        QVERIFY(QFile::exists(QStringLiteral("/proc/%1/fd/251").arg(m_app.processId())));

        QFile file(listing);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("0\n1\n2\n"));
        // The job that is still running, from outside: the same three, once `sleep` has
        // started (while it starts it may briefly have its locale files open).
        const QDir jobFds(QStringLiteral("/proc/%1/fd").arg(m_pids.first()));
        QStringList seen;
        const auto list = [&] {
            seen.clear();
            for (const QString &name : jobFds.entryList(
                     QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot, QDir::Name))
                seen << name + QStringLiteral(" -> ") + QFile::symLinkTarget(jobFds.filePath(name));
            return seen.size() == 3;
        };
        QVERIFY2(QTest::qWaitFor(list, 10000), qPrintable(seen.join(", ")));
        QVERIFY2(seen.at(0).startsWith("0 -> ") && seen.at(1).startsWith("1 -> ") &&
                     seen.at(2).startsWith("2 -> "),
                 qPrintable(seen.join(", ")));

        ::kill(pid_t(m_app.processId()), SIGTERM);
        QVERIFY(m_app.waitForFinished(30000));
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 143);
        QCOMPARE(waitUntilDead(m_pids, 10s), QList<qint64>());
    }

    // Started under a soft limit of 64 open files, the app still runs 40 jobs at once (each holds
    // descriptors of ours), and every command gets the limit the app was started with.
    void manyJobsUnderALowFileLimit() {
        const int jobs = 40;
        const QString pidFile = m_dir.filePath(QStringLiteral("limited-pids"));
        QStringList arguments{"--headless", "--max-parallel", QString::number(jobs), "--state-dir",
                              m_dir.filePath(QStringLiteral("limited"))};
        for (int i = 0; i < jobs; ++i)
            arguments << "--job"
                      << QStringLiteral("echo \"$$:$(ulimit -n) $$\" >> '%1' && exec sleep 300")
                             .arg(pidFile);
        m_app.setChildProcessModifier([] {
            rlimit files{};
            ::getrlimit(RLIMIT_NOFILE, &files);
            files.rlim_cur = 64;
            ::setrlimit(RLIMIT_NOFILE, &files);
        });
        startJobmonitor(m_app, arguments);
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
        m_pids = waitForPids(pidFile, jobs, 60s);
        QCOMPARE(m_pids.size(), jobs);
        // Each line names the job's shell and the limit it has.
        for (const QString &name : readPidFile(pidFile).keys())
            QCOMPARE(name.section(':', 1), QStringLiteral("64"));
        QCOMPARE(alivePids(m_pids).size(), jobs);

        ::kill(pid_t(m_app.processId()), SIGTERM);
        QVERIFY(m_app.waitForFinished(30000));
        QCOMPARE(m_app.exitCode(), 143);
        QCOMPARE(waitUntilDead(m_pids, 10s), QList<qint64>());
    }
};

QTEST_GUILESS_MAIN(TestE2eDescriptors)
#include "tst_e2e_descriptors.moc"
