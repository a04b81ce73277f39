// Desktop notifications from the real window on a private session bus: a stand-in for the
// desktop's notification server (org.freedesktop.Notifications, written here with QtDBus, as
// a desktop's would answer) records what the app sends. A failed job is announced with Show
// and Retry, invoking Retry runs the job again, endings close together become one summary,
// and without a server the window says so once in its log and goes on. The launcher entry's
// count (com.canonical.Unity.LauncherEntry) follows the active jobs. Completions, which depend
// on the window being behind others, are checked on the app's notifier with real jobs in this
// process.
#include "e2eutil.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "notifier.h"
#include "testutil.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QString TestConnection = QStringLiteral("test-notifications-bus");
const QString AppService = QStringLiteral("io.github.jobmonitor.JobMonitor");

class FakeNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Sent {
        uint id;
        QString appName;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
    };
    QList<Sent> sent;

public Q_SLOTS:
    uint Notify(const QString &appName, uint, const QString &, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int) {
        sent << Sent{uint(sent.size() + 1), appName, summary, body, actions, hints};
        return sent.constLast().id;
    }
    QStringList GetCapabilities() { return {QStringLiteral("actions"), QStringLiteral("body")}; }

Q_SIGNALS:
    void ActionInvoked(uint id, const QString &action);
    void NotificationClosed(uint id, uint reason);
};

class LauncherRecorder : public QObject {
    Q_OBJECT
public:
    QStringList uris;
    QList<qlonglong> counts;
    QList<bool> visible;

public Q_SLOTS:
    void onUpdate(const QString &uri, const QVariantMap &properties) {
        uris << uri;
        counts << properties.value(QStringLiteral("count")).toLongLong();
        visible << properties.value(QStringLiteral("count-visible")).toBool();
    }
};

} // namespace

class TestE2eNotifications : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_busDaemon;
    QString m_busAddress;
    QProcess m_window;
    QByteArray m_log;
    std::unique_ptr<FakeNotifications> m_server;

    QDBusConnection bus() const { return QDBusConnection(TestConnection); }

    void startWindow(const QStringList &arguments) {
        startWindowOnBus(m_window, m_busAddress, m_dir->filePath("state"), arguments);
        QVERIFY(m_window.waitForStarted(10000));
    }

    void serveNotifications() {
        m_server = std::make_unique<FakeNotifications>();
        QVERIFY(bus().registerObject(
            QStringLiteral("/org/freedesktop/Notifications"), m_server.get(),
            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
        QVERIFY(bus().registerService(QStringLiteral("org.freedesktop.Notifications")));
    }

    // The window's log so far.
    const QByteArray &log() { return m_log += m_window.readAllStandardError(); }

    int attemptsOf(const QString &pidFile) const { return int(readPidFile(pidFile).size()); }

private Q_SLOTS:
    void init() {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("dbus-daemon")).isEmpty(),
                 "dbus-daemon is missing: run .ci/setup");
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_log.clear();
        m_busAddress = startPrivateBus(m_busDaemon, QStringLiteral(JM_SESSION_BUS_CONFIG),
                                       m_dir->filePath("bus"));
        QVERIFY2(!m_busAddress.isEmpty(), m_busDaemon.readAllStandardError().constData());
        QVERIFY(QDBusConnection::connectToBus(m_busAddress, TestConnection).isConnected());
    }

    void cleanup() {
        QList<qint64> pids = endWindow(m_window);
        for (const QString &file : QDir(m_dir->path()).entryList({"*.pid"}))
            pids << readPidFile(m_dir->filePath(file)).values();
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
        m_server.reset();
        QDBusConnection::disconnectFromBus(TestConnection);
        m_busDaemon.terminate();
        m_busDaemon.waitForFinished(10000);
        m_dir.reset();
    }

    // A failure is announced with Show and Retry; Retry runs the job again.
    void failureOffersRetry() {
        serveNotifications();
        const QString pids = m_dir->filePath("job.pid");
        startWindow({"--job", QStringLiteral("echo \"main $$\" >> '%1'; exit 3").arg(pids)});
        QTRY_COMPARE_WITH_TIMEOUT(m_server->sent.size(), 1, 30000);
        const FakeNotifications::Sent &sent = m_server->sent.constFirst();
        QCOMPARE(sent.appName, QStringLiteral("Job Monitor"));
        QCOMPARE(sent.summary, QStringLiteral("Job 1 failed"));
        QVERIFY2(sent.body.contains("exit code 3"), qPrintable(sent.body));
        QCOMPARE(sent.actions, QStringList({"default", "Show", "show", "Show", "retry", "Retry"}));
        QCOMPARE(sent.hints.value("desktop-entry").toString(), AppService);
        QCOMPARE(attemptsOf(pids), 1);

        Q_EMIT m_server->ActionInvoked(sent.id, QStringLiteral("retry"));
        QTRY_COMPARE_WITH_TIMEOUT(attemptsOf(pids), 2, 30000);
        // It failed again: announced again.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->sent.size(), 2, 30000);
        // Show on a notification of another application changes nothing.
        Q_EMIT m_server->ActionInvoked(999, QStringLiteral("retry"));
        QTest::qWait(100);
        QCOMPARE(attemptsOf(pids), 2);
    }

    // Endings that come together are one notification.
    void burstsBecomeOneSummary() {
        serveNotifications();
        startWindow({"--job", "exit 1", "--job", "exit 2", "--job", "exit 0", "--job", "exit 4",
                     "--job", "exit 5"});
        QTRY_VERIFY_WITH_TIMEOUT(!m_server->sent.isEmpty(), 30000);
        QTest::qWait(1000); // more than the burst window: nothing else comes
        QCOMPARE(m_server->sent.size(), 1);
        QCOMPARE(m_server->sent.constFirst().summary, QStringLiteral("4 jobs finished, 4 failed"));
        QCOMPARE(m_server->sent.constFirst().body,
                 QStringLiteral("exit 1\nexit 2\nexit 4\nand 1 more"));
        QCOMPARE(m_server->sent.constFirst().actions,
                 QStringList({"default", "Show", "show", "Show"}));
    }

    // The active count on the app's icon: up while jobs run, hidden when none does.
    void launcherEntryCountsActiveJobs() {
        LauncherRecorder recorder;
        QVERIFY(bus().connect(
            QString(), QString(), QStringLiteral("com.canonical.Unity.LauncherEntry"),
            QStringLiteral("Update"), &recorder, SLOT(onUpdate(QString, QVariantMap))));
        // Each job waits on a FIFO of its own until the test opens it.
        const auto gate = [this](int n) {
            return m_dir->filePath(QStringLiteral("gate%1").arg(n));
        };
        const auto gated = [&](int n) {
            return QStringLiteral("echo \"main $$\" >> '%1'; read line < '%2'")
                .arg(m_dir->filePath("gated.pid"), gate(n));
        };
        const auto open = [&](int n) {
            QFile writer(gate(n));
            return writer.open(QIODevice::WriteOnly) && writer.write("go\n") == 3;
        };
        for (int n : {1, 2})
            QCOMPARE(::mkfifo(QFile::encodeName(gate(n)).constData(), 0600), 0);
        startWindow({"--job", gated(1), "--job", gated(2)});
        QTRY_VERIFY_WITH_TIMEOUT(!recorder.counts.isEmpty() && recorder.counts.constLast() == 2,
                                 30000);
        QCOMPARE(recorder.uris.constLast(),
                 QStringLiteral("application://io.github.jobmonitor.JobMonitor.desktop"));
        QVERIFY(recorder.visible.constLast());
        QVERIFY(open(1));
        QTRY_VERIFY_WITH_TIMEOUT(recorder.counts.constLast() == 1, 30000);
        QVERIFY(recorder.visible.constLast());
        QVERIFY(open(2));
        QTRY_VERIFY_WITH_TIMEOUT(recorder.counts.constLast() == 0, 30000);
        QVERIFY(!recorder.visible.constLast());
    }

    // A completion is announced only when the job ran long enough while the window was not
    // active (the window's part is the predicate here: offscreen, the test cannot send the
    // real window behind others), with Show and no Retry.
    void completionWhileInactive_data() {
        QTest::addColumn<bool>("windowActive");
        QTest::addColumn<int>("minimumSeconds");
        QTest::addColumn<bool>("announced");
        QTest::newRow("inactive, long enough") << false << 0 << true;
        QTest::newRow("active") << true << 0 << false;
        QTest::newRow("inactive, too short") << false << 3600 << false;
    }
    void completionWhileInactive() {
        QFETCH(bool, windowActive);
        QFETCH(int, minimumSeconds);
        QFETCH(bool, announced);
        serveNotifications();
        jobmonitor::JobSupervisor supervisor{jobmonitor::JobSupervisor::Config{}};
        jobmonitor::JobService service{&supervisor};
        jobmonitor::Notifier::Settings settings;
        settings.minimumRun = std::chrono::seconds(minimumSeconds);
        const QDBusConnection appBus =
            QDBusConnection::connectToBus(m_busAddress, QStringLiteral("app-side"));
        {
            jobmonitor::Notifier notifier(
                &service, appBus, [=] { return windowActive; }, settings);
            jobmonitor::JobSpec spec;
            spec.command = QStringLiteral("true");
            const jobmonitor::JobService::AddResult added = service.add(spec);
            QVERIFY(added);
            QTRY_COMPARE(service.activeCount(), 0);
            // Past the burst window: whatever is sent has been sent.
            QTest::qWait(int(jobmonitor::Notifier::BurstWindow.count()) + 500);
            QCOMPARE(m_server->sent.size(), announced ? 1 : 0);
            if (announced) {
                QCOMPARE(m_server->sent.constFirst().summary,
                         QStringLiteral("Job %1 completed").arg(added.id));
                QCOMPARE(m_server->sent.constFirst().actions,
                         QStringList({"default", "Show", "show", "Show"}));
            }
        }
        QDBusConnection::disconnectFromBus(QStringLiteral("app-side"));
    }

    void withoutServerOneLogLine() {
        startWindow({"--job", "exit 1"});
        QTRY_VERIFY_WITH_TIMEOUT(log().contains("no notification server"), 30000);
        QCOMPARE(log().count("no notification server"), 1);
    }
};

QTEST_GUILESS_MAIN(TestE2eNotifications)
#include "tst_e2e_notifications.moc"
