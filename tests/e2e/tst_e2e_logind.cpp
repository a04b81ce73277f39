// logind's part in every way out, on the real jobmonitor binary with real jobs: while jobs are
// active the app holds a logind delay inhibitor for shutdown, it releases it when none is, and
// PrepareForShutdown(true) stops every job gracefully before the app exits.
//
// systemd-logind and a system bus cannot run here, so the test starts a private dbus-daemon,
// points the app's system bus at it (DBUS_SYSTEM_BUS_ADDRESS) and plays logind on it itself.
// FakeLogind stands in for that OS service, not for any of our code: it implements the part of
// org.freedesktop.login1.Manager the app uses the way logind does. Inhibit() hands out one end
// of a pipe and keeps the other, whose hangup is the lock's release, PrepareForShutdown is
// a real D-Bus signal from the owner of org.freedesktop.login1, and InhibitDelayMaxUSec is a
// property of type 't' (logind's default: 5 s).
#include "e2eutil.h"
#include "testutil.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QDBusUnixFileDescriptor>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QString LogindService = QStringLiteral("org.freedesktop.login1");
const QString LogindPath = QStringLiteral("/org/freedesktop/login1");

class FakeLogind : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.login1.Manager")
    Q_PROPERTY(qulonglong InhibitDelayMaxUSec READ inhibitDelayMaxUSec)

public:
    struct Inhibitor {
        QString what;
        QString who;
        QString why;
        QString mode;
        int kept; // our end of the pipe
    };

    ~FakeLogind() override {
        for (const Inhibitor &inhibitor : m_inhibitors)
            ::close(inhibitor.kept);
    }

    const std::vector<Inhibitor> &inhibitors() const { return m_inhibitors; }

    qulonglong inhibitDelayMaxUSec() const { return m_delayMaxUSec; }
    void setInhibitDelayMaxUSec(qulonglong usec) { m_delayMaxUSec = usec; }

    // Released: every copy of the end handed out is closed, so ours sees the hangup.
    bool isReleased(const Inhibitor &inhibitor) const {
        pollfd watched{inhibitor.kept, POLLIN, 0};
        return ::poll(&watched, 1, 0) == 1 && (watched.revents & POLLHUP);
    }

public Q_SLOTS:
    QDBusUnixFileDescriptor Inhibit(const QString &what, const QString &who, const QString &why,
                                    const QString &mode) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0)
            qFatal("pipe2: %s", strerror(errno));
        m_inhibitors.push_back({what, who, why, mode, ends[0]});
        // The descriptor object holds a duplicate, closed once the reply has been sent.
        const QDBusUnixFileDescriptor handedOut(ends[1]);
        ::close(ends[1]);
        return handedOut;
    }

Q_SIGNALS:
    void PrepareForShutdown(bool start);

private:
    std::vector<Inhibitor> m_inhibitors;
    qulonglong m_delayMaxUSec = 5'000'000;
};

} // namespace

class TestE2eLogind : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_busDir;
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_busDaemon;
    QString m_busAddress;
    std::unique_ptr<FakeLogind> m_logind;
    QProcess m_app;
    QList<qint64> m_jobPids;

    QDBusConnection bus() const { return QDBusConnection(QStringLiteral("fake-system-bus")); }

    // The window on the offscreen platform, with the private bus as its system bus.
    void startApp(const QStringList &arguments) { startApp(arguments, m_busAddress); }
    void startApp(const QStringList &arguments, const QString &systemBusAddress) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), systemBusAddress);
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        m_app.setProcessEnvironment(environment);
        startJobmonitor(m_app, QStringList{"--grace", "1000", "--max-parallel", "10", "--state-dir",
                                           m_dir->filePath("state")} +
                                   arguments);
        QVERIFY2(m_app.waitForStarted(10000), qPrintable(m_app.errorString()));
    }

    QByteArray appLog() { return m_app.readAllStandardError(); }

    // A job that writes its pid and then waits on a FIFO until openGate() lets it exit 0.
    QStringList gatedJob() {
        const QString gate = m_dir->filePath("gate");
        if (::mkfifo(QFile::encodeName(gate).constData(), 0600) != 0)
            qFatal("mkfifo: %s", strerror(errno));
        return {"--job", QStringLiteral("echo \"main $$\" > '%1' && read line < '%2'")
                             .arg(m_dir->filePath("gate-pid"), gate)};
    }
    bool openGate() {
        QFile writer(m_dir->filePath("gate"));
        return writer.open(QIODevice::WriteOnly) && writer.write("go\n") == 3;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_busDir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("dbus-daemon")).isEmpty(),
                 "dbus-daemon is missing: run .ci/setup");
        m_busAddress = startPrivateBus(m_busDaemon, QStringLiteral(JM_LOGIND_BUS_CONFIG),
                                       m_busDir.filePath("system_bus_socket"));
        QVERIFY2(!m_busAddress.isEmpty(), m_busDaemon.readAllStandardError().constData());

        const QDBusConnection connection =
            QDBusConnection::connectToBus(m_busAddress, QStringLiteral("fake-system-bus"));
        QVERIFY2(connection.isConnected(), qPrintable(connection.lastError().message()));
        QVERIFY(connection.connectionCapabilities() & QDBusConnection::UnixFileDescriptorPassing);
    }

    void cleanupTestCase() {
        QDBusConnection::disconnectFromBus(QStringLiteral("fake-system-bus"));
        m_busDaemon.terminate();
        m_busDaemon.waitForFinished(10000);
    }

    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_logind = std::make_unique<FakeLogind>();
        QVERIFY(bus().registerObject(LogindPath, m_logind.get(),
                                     QDBusConnection::ExportAllSlots |
                                         QDBusConnection::ExportAllSignals |
                                         QDBusConnection::ExportAllProperties));
        QVERIFY(bus().registerService(LogindService));
    }

    void cleanup() {
        if (m_app.state() != QProcess::NotRunning) {
            m_app.kill();
            m_app.waitForFinished(10000);
        }
        // Whatever a failed test left behind must not outlive it.
        const QList<qint64> leftovers = alivePids(m_jobPids);
        for (qint64 pid : leftovers)
            ::kill(pid_t(pid), SIGKILL);
        QCOMPARE(waitUntilDead(leftovers, 5s), QList<qint64>());
        m_jobPids.clear();
        bus().unregisterService(LogindService);
        bus().unregisterObject(LogindPath);
        m_logind.reset();
        m_dir.reset();
    }

    // The lock follows the jobs: taken for a running job, released when that job has ended by
    // itself, while the window stays open.
    void inhibitsOnlyWhileJobsAreActive() {
        // The job writes its pid, then waits on a FIFO until the test lets it exit 0.
        startApp(gatedJob());
        m_jobPids = waitForPids(m_dir->filePath("gate-pid"), 1, 30s);
        QCOMPARE(m_jobPids.size(), 1);

        QTRY_VERIFY2_WITH_TIMEOUT(m_logind->inhibitors().size() == 1, appLog().constData(), 30000);
        const FakeLogind::Inhibitor inhibitor = m_logind->inhibitors().front();
        // Shutdown only: the app does nothing on PrepareForSleep, so a sleep delay lock would
        // only hold up every suspend.
        QCOMPARE(inhibitor.what, QStringLiteral("shutdown"));
        QCOMPARE(inhibitor.mode, QStringLiteral("delay"));
        QCOMPARE(inhibitor.who, QStringLiteral("Job Monitor"));
        QVERIFY(!inhibitor.why.isEmpty());
        QVERIFY(!m_logind->isReleased(inhibitor));

        QVERIFY(openGate());
        QTRY_VERIFY_WITH_TIMEOUT(m_logind->isReleased(inhibitor), 30000);
        QCOMPARE(alivePids(m_jobPids), QList<qint64>());
        // Released by the app, not by its exit: the window is still open, and no new lock was
        // taken without a job.
        QCOMPARE(m_app.state(), QProcess::Running);
        QCOMPARE(m_logind->inhibitors().size(), size_t(1));

        // Nothing to stop: the system's shutdown simply ends the app.
        Q_EMIT m_logind->PrepareForShutdown(true);
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state(), QProcess::NotRunning, 30000);
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 0);
    }

    // Without a system bus, or without logind on it, the app says so once and runs its jobs.
    void carriesOnWithoutLogind_data() {
        QTest::addColumn<bool>("busRuns");
        QTest::addRow("no system bus") << false;
        QTest::addRow("no logind on the bus") << true;
    }

    void carriesOnWithoutLogind() {
        QFETCH(bool, busRuns);
        QVERIFY(bus().unregisterService(LogindService));
        startApp(gatedJob(), busRuns
                                 ? m_busAddress
                                 : QStringLiteral("unix:path=") + m_dir->filePath("no_bus_socket"));
        m_jobPids = waitForPids(m_dir->filePath("gate-pid"), 1, 30s);
        QCOMPARE(m_jobPids.size(), 1);
        QByteArray log;
        QTRY_VERIFY2_WITH_TIMEOUT((log += appLog()).contains("shutdown and logout will not wait"),
                                  log.constData(), 30000);

        QVERIFY(openGate());
        QCOMPARE(waitUntilDead(m_jobPids, 30s), QList<qint64>());
        ::kill(pid_t(m_app.processId()), SIGTERM);
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state(), QProcess::NotRunning, 30000);
        log += appLog();
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 143);
        QCOMPARE(log.count("logind:"), 1);
        QVERIFY2(log.contains("attempt 1 ended: exit code 0"), log.constData());
        QVERIFY(m_logind->inhibitors().empty());
    }

    // A system shutdown or logout with the fault matrix running: every job is stopped
    // gracefully, the lock is released only when no job process is left, and the app exits 0.
    void prepareForShutdownStopsEveryJobGracefully() {
        FaultMatrix matrix(m_dir->path());
        startApp(matrix.jobArguments());
        QVERIFY2(matrix.waitUntilStarted(30s), appLog().constData());
        m_jobPids = matrix.pids();

        QTRY_VERIFY2_WITH_TIMEOUT(!m_logind->inhibitors().empty(), appLog().constData(), 30000);
        QCOMPARE(m_logind->inhibitors().size(), size_t(1));
        const FakeLogind::Inhibitor inhibitor = m_logind->inhibitors().front();
        QCOMPARE(inhibitor.what, QStringLiteral("shutdown"));
        QCOMPARE(inhibitor.mode, QStringLiteral("delay"));
        QVERIFY(!m_logind->isReleased(inhibitor));

        Q_EMIT m_logind->PrepareForShutdown(true);
        QTRY_VERIFY_WITH_TIMEOUT(m_logind->isReleased(inhibitor), 30000);
        QCOMPARE(alivePids(m_jobPids), QList<qint64>());

        QTRY_COMPARE_WITH_TIMEOUT(m_app.state(), QProcess::NotRunning, 30000);
        const QByteArray log = appLog();
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 0);
        QVERIFY2(matrix.markerWritten(), "the job trapping SIGTERM was not given time to clean up");
        QVERIFY2(log.contains("shutdown requested: system shutdown"), log.constData());
        // Every grace of the matrix (1 s) fits in logind's default 5 s: nothing is forced.
        QVERIFY2(log.contains("logind allows 5 s; every job's grace period is shorter"),
                 log.constData());
        QVERIFY2(!log.contains("shutdown forced"), log.constData());
        QCOMPARE(m_logind->inhibitors().size(), size_t(1));
    }

    // logind goes ahead after InhibitDelayMaxUSec whatever a delay lock says, and then kills
    // what is left without a termination sequence. A job ignoring SIGTERM with a ten-minute
    // grace is killed before that deadline, the job that honours SIGTERM ends by it, and the
    // lock is released with no job process left.
    void longGracesEndBeforeLogindsDeadline() {
        m_logind->setInhibitDelayMaxUSec(2'000'000);
        const QString stubborn = m_dir->filePath("pids-stubborn");
        const QString polite = m_dir->filePath("pids-polite");
        startApp({"--grace", "600000", "--job",
                  testChildCommand({"--pidfile", stubborn, "--ignore-term", "--sleep", "-1"}),
                  "--job", testChildCommand({"--pidfile", polite, "--sleep", "-1"})});
        m_jobPids = waitForPids(stubborn, 1, 30s) + waitForPids(polite, 1, 30s);
        QCOMPARE(m_jobPids.size(), 2);
        QTRY_VERIFY2_WITH_TIMEOUT(!m_logind->inhibitors().empty(), appLog().constData(), 30000);
        const FakeLogind::Inhibitor inhibitor = m_logind->inhibitors().front();
        // What the app holds, the lock and its D-Bus connection included, is not for its jobs.
        QCOMPARE(inheritableDescriptors(m_app.processId()), QStringList());

        Q_EMIT m_logind->PrepareForShutdown(true);
        // Released at all, long before the grace ran out: the stubborn job was killed.
        QTRY_VERIFY_WITH_TIMEOUT(m_logind->isReleased(inhibitor), 30000);
        QCOMPARE(alivePids(m_jobPids), QList<qint64>());
        QTRY_COMPARE_WITH_TIMEOUT(m_app.state(), QProcess::NotRunning, 30000);
        const QByteArray log = appLog();
        QCOMPARE(m_app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app.exitCode(), 0);
        QVERIFY2(log.contains("logind allows 2 s; jobs with a longer grace are killed after 1.8 s"),
                 log.constData());
        QVERIFY2(log.contains("shutdown forced: logind's shutdown delay is running out"),
                 log.constData());
        const QString text = QString::fromUtf8(log);
        const QRegularExpression killed(QStringLiteral(
            R"(job 1 \[\w+\]: Stopping -> Cancelled on StoppedCancel \(attempt 1, signal 9,)"));
        QVERIFY2(killed.match(text).hasMatch(), log.constData());
        const QRegularExpression terminated(QStringLiteral(
            R"(job 2 \[\w+\]: Stopping -> Cancelled on StoppedCancel \(attempt 1, signal 15,)"));
        QVERIFY2(terminated.match(text).hasMatch(), log.constData());
        QCOMPARE(m_logind->inhibitors().size(), size_t(1));
    }

    // Keep awake (off by default, on in the settings file here): a sleep and idle block lock
    // while jobs run, its reason counting them, released when none runs.
    void keepAwakeBlocksSleepWhileJobsRun() {
        QVERIFY(QDir().mkpath(m_dir->filePath("state")));
        QFile settings(m_dir->filePath("state/jobmonitor.conf"));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write("[power]\nkeepAwake=true\n");
        settings.close();
        startApp(gatedJob());
        m_jobPids = waitForPids(m_dir->filePath("gate-pid"), 1, 30s);
        QCOMPARE(m_jobPids.size(), 1);
        const auto blocker = [this]() -> const FakeLogind::Inhibitor * {
            for (const FakeLogind::Inhibitor &inhibitor : m_logind->inhibitors())
                if (inhibitor.what == QLatin1String("sleep:idle"))
                    return &inhibitor;
            return nullptr;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(blocker(), appLog().constData(), 30000);
        QCOMPARE(blocker()->mode, QStringLiteral("block"));
        QCOMPARE(blocker()->who, QStringLiteral("Job Monitor"));
        QCOMPARE(blocker()->why, QStringLiteral("1 job running"));
        QVERIFY(!m_logind->isReleased(*blocker()));
        QVERIFY(openGate());
        QTRY_VERIFY_WITH_TIMEOUT(m_logind->isReleased(*blocker()), 30000);
        QCOMPARE(m_app.state(), QProcess::Running);
    }
};

QTEST_GUILESS_MAIN(TestE2eLogind)
#include "tst_e2e_logind.moc"
