// Running jobs in KDE's job tracker, from the real window on a private session bus: a stand-in
// for Plasma's job view server (org.kde.JobViewServer, written here with QtDBus on a connection
// of its own, as plasmashell would answer) records the views the window requests, their updates
// and how they end, and sends what a user's clicks there send: cancel, pause, resume. The
// launcher entry's progress (com.canonical.Unity.LauncherEntry) is checked beside it.
#include "e2eutil.h"
#include "testutil.h"

#include <QDBusConnection>
#include <QDBusObjectPath>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <csignal>
#include <memory>
#include <optional>
#include <vector>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QString TestConnection = QStringLiteral("test-jobview-bus");
const QString ServerService = QStringLiteral("org.kde.JobViewServer");
const QString DesktopEntry = QStringLiteral("io.github.jobmonitor.JobMonitor");

class FakeJobView : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.JobViewV3")

public:
    QString path;
    QString desktopEntry;
    int capabilities = 0;
    QVariantMap hints;
    QList<QVariantMap> updates;
    std::optional<uint> errorCode;
    QString errorMessage;

    QString title() const {
        QString title = hints.value(QStringLiteral("title")).toString();
        for (const QVariantMap &update : updates)
            title = update.value(QStringLiteral("title"), title).toString();
        return title;
    }
    // Every percent the view was given, in order, the first state's included.
    QList<uint> percents() const {
        QList<uint> percents;
        if (hints.contains(QStringLiteral("percent")))
            percents << hints.value(QStringLiteral("percent")).toUInt();
        for (const QVariantMap &update : updates)
            if (update.contains(QStringLiteral("percent")))
                percents << update.value(QStringLiteral("percent")).toUInt();
        return percents;
    }
    // The value the view shows now for key.
    QVariant latest(const QString &key) const {
        QVariant value = hints.value(key);
        for (const QVariantMap &update : updates)
            value = update.value(key, value);
        return value;
    }
    bool anyUpdate(const QString &key, const QVariant &value) const {
        return std::any_of(updates.cbegin(), updates.cend(), [&](const QVariantMap &update) {
            return update.contains(key) && update.value(key) == value;
        });
    }
    bool anyInfoMessageContaining(const QString &text) const {
        return std::any_of(updates.cbegin(), updates.cend(), [&](const QVariantMap &update) {
            return update.value(QStringLiteral("infoMessage")).toString().contains(text);
        });
    }

public Q_SLOTS:
    void update(const QVariantMap &properties) {
        QVERIFY2(!errorCode, "an update after terminate");
        updates << properties;
    }
    void terminate(uint code, const QString &message, const QVariantMap &) {
        QVERIFY2(!errorCode, "terminated twice");
        errorCode = code;
        errorMessage = message;
    }

Q_SIGNALS:
    void cancelRequested();
    void suspendRequested();
    void resumeRequested();
    void updateRequested();
};

// Owns the server's name on a connection of its own: closing it is the server going away.
class FakeJobViewServer : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.JobViewServerV2")

public:
    FakeJobViewServer(const QString &address, const QString &connectionName)
        : m_connectionName(connectionName)
        , m_bus(QDBusConnection::connectToBus(address, connectionName)) {}
    ~FakeJobViewServer() override { QDBusConnection::disconnectFromBus(m_connectionName); }

    bool serve() {
        return m_bus.isConnected() &&
               m_bus.registerObject(QStringLiteral("/JobViewServer"), this,
                                    QDBusConnection::ExportAllSlots) &&
               m_bus.registerService(ServerService);
    }

    std::vector<std::unique_ptr<FakeJobView>> views;

    FakeJobView *viewTitled(const QString &title) const {
        for (auto it = views.crbegin(); it != views.crend(); ++it)
            if ((*it)->title() == title)
                return it->get();
        return nullptr;
    }

public Q_SLOTS:
    QDBusObjectPath requestView(const QString &desktopEntry, int capabilities,
                                const QVariantMap &hints) {
        auto view = std::make_unique<FakeJobView>();
        view->path =
            QStringLiteral("/org/kde/notificationmanager/jobs/JobView_%1").arg(views.size() + 1);
        view->desktopEntry = desktopEntry;
        view->capabilities = capabilities;
        view->hints = hints;
        m_bus.registerObject(view->path, view.get(),
                             QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals);
        views.push_back(std::move(view));
        return QDBusObjectPath(views.back()->path);
    }

private:
    QString m_connectionName;
    QDBusConnection m_bus;
};

class LauncherRecorder : public QObject {
    Q_OBJECT
public:
    QList<QVariantMap> updates;

    // The progress values shown, in order (progress-visible set).
    QList<double> shownProgress() const {
        QList<double> shown;
        for (const QVariantMap &update : updates)
            if (update.value(QStringLiteral("progress-visible")).toBool())
                shown << update.value(QStringLiteral("progress")).toDouble();
        return shown;
    }

public Q_SLOTS:
    void onUpdate(const QString &, const QVariantMap &properties) { updates << properties; }
};

bool isSorted(const QList<uint> &values) {
    return std::is_sorted(values.cbegin(), values.cend());
}

template<typename T>
QByteArray joined(const QList<T> &values) {
    QStringList texts;
    for (const T value : values)
        texts << QString::number(value);
    return texts.join(QLatin1Char(' ')).toUtf8();
}

} // namespace

class TestE2eJobView : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_busDaemon;
    QString m_busAddress;
    QProcess m_window;
    QByteArray m_log;
    std::unique_ptr<FakeJobViewServer> m_server;
    int m_servers = 0;

    QDBusConnection bus() const { return QDBusConnection(TestConnection); }

    QString path(const QString &name) const { return m_dir->filePath(name); }

    void startWindow(const QStringList &arguments) {
        startWindowOnBus(m_window, m_busAddress, path("state"), arguments);
        QVERIFY(m_window.waitForStarted(10000));
    }

    void serveJobViews() {
        m_server = std::make_unique<FakeJobViewServer>(
            m_busAddress, QStringLiteral("jobview-server-%1").arg(++m_servers));
        QVERIFY(m_server->serve());
    }

    // The window's log so far.
    const QByteArray &log() { return m_log += m_window.readAllStandardError(); }

    // A job that writes its shell's and a child's pid to pidFile, then waits for the child.
    static QString treeJob(const QString &pidFile) {
        return QStringLiteral("echo \"main $$\" >> '%1'; sleep 300 & echo \"child $!\" >> '%1'; "
                              "wait")
            .arg(pidFile);
    }

    // A job that writes its pid to <gate>.pid and waits on a FIFO of its own until open()
    // writes to it, then exits with status.
    QString gatedJob(const QString &gate, int status) {
        const QString fifo = path(gate);
        if (::mkfifo(QFile::encodeName(fifo).constData(), 0600) != 0)
            return {};
        return QStringLiteral("echo \"main $$\" >> '%1.pid'; read line < '%1'; exit %2")
            .arg(fifo)
            .arg(status);
    }
    bool open(const QString &gate) {
        QFile writer(path(gate));
        return writer.open(QIODevice::WriteOnly) && writer.write("go\n") == 3;
    }

private Q_SLOTS:
    void init() {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("dbus-daemon")).isEmpty(),
                 "dbus-daemon is missing: run .ci/setup");
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_log.clear();
        m_busAddress =
            startPrivateBus(m_busDaemon, QStringLiteral(JM_SESSION_BUS_CONFIG), path("bus"));
        QVERIFY2(!m_busAddress.isEmpty(), m_busDaemon.readAllStandardError().constData());
        QVERIFY(QDBusConnection::connectToBus(m_busAddress, TestConnection).isConnected());
    }

    void cleanup() {
        QList<qint64> pids = endWindow(m_window);
        for (const QString &file : QDir(m_dir->path()).entryList({"*.pid"}))
            pids << readPidFile(path(file)).values();
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
        m_server.reset();
        QDBusConnection::disconnectFromBus(TestConnection);
        m_busDaemon.terminate();
        m_busDaemon.waitForFinished(10000);
        m_dir.reset();
    }

    // One view per running job, killable and suspendable; a steady job's percent only goes up
    // and reaches 100 when it completes (error code 0); a failure ends its view with the
    // outcome. The launcher entry shows the running jobs' mean progress meanwhile.
    void viewPerRunningJob() {
        serveJobViews();
        LauncherRecorder launcher;
        QVERIFY(bus().connect(
            QString(), QString(), QStringLiteral("com.canonical.Unity.LauncherEntry"),
            QStringLiteral("Update"), &launcher, SLOT(onUpdate(QString, QVariantMap))));
        // About 12 s of steady progress: a few of the window's samples of its output see it.
        const QString steady = QStringLiteral(
            "i=0; while [ $i -lt 100 ]; do i=$((i+2)); echo \"$i%\"; sleep 0.25; done");
        const QString failing = gatedJob(QStringLiteral("gate"), 3);
        startWindow({"--job", steady, "--job", failing});
        QTRY_COMPARE_WITH_TIMEOUT(int(m_server->views.size()), 2, 30000);
        FakeJobView *steadyView = m_server->viewTitled(steady);
        FakeJobView *failingView = m_server->viewTitled(failing);
        QVERIFY(steadyView && failingView);
        for (const FakeJobView *view : {steadyView, failingView}) {
            QCOMPARE(view->desktopEntry, DesktopEntry);
            QCOMPARE(view->capabilities, 3); // killable | suspendable
            QVERIFY2(view->hints.value("infoMessage").toString().startsWith("Running"),
                     qPrintable(view->hints.value("infoMessage").toString()));
            QCOMPARE(view->hints.value("suspended"), QVariant(false));
        }

        QTRY_VERIFY_WITH_TIMEOUT(steadyView->errorCode.has_value(), 60000);
        QCOMPARE(*steadyView->errorCode, 0u);
        const QList<uint> percents = steadyView->percents();
        QVERIFY2(isSorted(percents), joined(percents).constData());
        QVERIFY(percents.size() >= 2);
        QVERIFY2(
            percents.constFirst() < 100 && percents.constFirst() < percents.constLast(),
            qPrintable(
                QStringLiteral("%1 .. %2").arg(percents.constFirst()).arg(percents.constLast())));
        QCOMPARE(percents.constLast(), 100u);
        // The launcher entry showed the steady job's progress (the other one shows none), only
        // ever forward, and within 0..1.
        const QList<double> shown = launcher.shownProgress();
        QVERIFY(!shown.isEmpty());
        QVERIFY2(std::is_sorted(shown.cbegin(), shown.cend()) && shown.constFirst() > 0 &&
                     shown.constLast() <= 1.0,
                 joined(shown).constData());
        QVERIFY(!failingView->errorCode);

        QVERIFY(open(QStringLiteral("gate")));
        QTRY_VERIFY_WITH_TIMEOUT(failingView->errorCode.has_value(), 30000);
        QCOMPARE(*failingView->errorCode, 100u);
        QVERIFY2(failingView->errorMessage.startsWith("Failed") &&
                     failingView->errorMessage.contains("exit code 3"),
                 qPrintable(failingView->errorMessage));
        QVERIFY(failingView->percents().isEmpty());
        // No job runs: neither a count nor a progress on the icon.
        QTRY_VERIFY_WITH_TIMEOUT(
            !launcher.updates.constLast().value("count-visible").toBool() &&
                !launcher.updates.constLast().value("progress-visible").toBool(),
            30000);
        QCOMPARE(int(m_server->views.size()), 2);
    }

    // Cancel in the job view ends the job's whole process tree through its termination
    // sequence; its view is dismissed as cancelled.
    void cancelEndsTheTree() {
        serveJobViews();
        const QString pidFile = path("tree.pid");
        const QString job = treeJob(pidFile);
        startWindow({"--job", job});
        const QList<qint64> pids = waitForPids(pidFile, 2, 30s);
        QCOMPARE(pids.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);
        FakeJobView *view = m_server->viewTitled(job);
        Q_EMIT view->cancelRequested();
        QCOMPARE(waitUntilDead(pids, 30s), QList<qint64>());
        QTRY_VERIFY_WITH_TIMEOUT(view->errorCode.has_value(), 30000);
        QCOMPARE(*view->errorCode, 1u);
        QVERIFY2(view->errorMessage.startsWith("Cancelled"), qPrintable(view->errorMessage));
        QVERIFY(m_window.state() == QProcess::Running);
    }

    // Pause in the job view stops every process of the job (state T), resume continues them;
    // the view is told it is suspended, then not.
    void suspendAndResume() {
        serveJobViews();
        const QString pidFile = path("tree.pid");
        const QString job = treeJob(pidFile);
        startWindow({"--job", job});
        const QList<qint64> pids = waitForPids(pidFile, 2, 30s);
        QCOMPARE(pids.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);
        FakeJobView *view = m_server->viewTitled(job);
        const auto allIn = [&](char state) {
            return std::all_of(pids.cbegin(), pids.cend(),
                               [state](qint64 pid) { return processState(pid) == state; });
        };
        QVERIFY(!allIn('T'));

        Q_EMIT view->suspendRequested();
        QTRY_VERIFY_WITH_TIMEOUT(allIn('T'), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(view->latest("suspended"), QVariant(true), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(view->anyInfoMessageContaining("Paused"), 30000);

        Q_EMIT view->resumeRequested();
        QTRY_VERIFY_WITH_TIMEOUT(std::none_of(pids.cbegin(), pids.cend(),
                                              [](qint64 pid) { return processState(pid) == 'T'; }),
                                 30000);
        QTRY_COMPARE_WITH_TIMEOUT(view->latest("suspended"), QVariant(false), 30000);
        QVERIFY(alivePids(pids).size() == 2);
        QVERIFY(!view->errorCode);
    }

    // The server goes away (plasmashell restarting) and comes back on another connection: the
    // running job gets a new view there, which its cancel reaches.
    void serverComesBack() {
        serveJobViews();
        const QString pidFile = path("tree.pid");
        const QString job = treeJob(pidFile);
        startWindow({"--job", job});
        const QList<qint64> pids = waitForPids(pidFile, 2, 30s);
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);

        m_server.reset();
        QTRY_VERIFY_WITH_TIMEOUT(log().contains("job view server (org.kde.JobViewServer) left"),
                                 30000);
        serveJobViews();
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);
        FakeJobView *view = m_server->viewTitled(job);
        QCOMPARE(int(m_server->views.size()), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!view->updates.isEmpty(), 30000);
        QCOMPARE(alivePids(pids), pids);

        Q_EMIT view->cancelRequested();
        QCOMPARE(waitUntilDead(pids, 30s), QList<qint64>());
        QTRY_VERIFY_WITH_TIMEOUT(view->errorCode.has_value(), 30000);
        QCOMPARE(*view->errorCode, 1u);
    }

    // A job that prints no progress but has run before: the expected duration drives its
    // percent, and the view says it is an estimate.
    void estimateSaysSo() {
        const QString job = QStringLiteral("sleep 3");
        QProcess history;
        startJobmonitor(history, {"--headless", "--state-dir", path("state"), "--max-parallel", "3",
                                  "--job", job, "--job", job, "--job", job});
        QVERIFY(history.waitForFinished(60000));
        QCOMPARE(history.exitCode(), 0);

        serveJobViews();
        LauncherRecorder launcher;
        QVERIFY(bus().connect(
            QString(), QString(), QStringLiteral("com.canonical.Unity.LauncherEntry"),
            QStringLiteral("Update"), &launcher, SLOT(onUpdate(QString, QVariantMap))));
        startWindow({"--job", job});
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);
        FakeJobView *view = m_server->viewTitled(job);
        QTRY_VERIFY_WITH_TIMEOUT(view->errorCode.has_value(), 30000);
        QCOMPARE(*view->errorCode, 0u);
        QVERIFY(view->anyInfoMessageContaining("progress estimated from earlier runs"));
        const QList<uint> percents = view->percents();
        QVERIFY2(isSorted(percents), joined(percents).constData());
        QVERIFY(percents.size() >= 2 && percents.constFirst() < 100);
        QCOMPARE(percents.constLast(), 100u);
        // Estimates count on the icon too.
        QVERIFY(!launcher.shownProgress().isEmpty());
    }

    // No server: one line in the log, and nothing else changes. When one starts later, the
    // running job appears in it.
    void withoutServerOneLogLine() {
        const QString job = gatedJob(QStringLiteral("gate"), 0);
        startWindow({"--job", job});
        QTRY_VERIFY_WITH_TIMEOUT(log().contains("no job view server"), 30000);
        serveJobViews();
        QTRY_VERIFY_WITH_TIMEOUT(m_server->viewTitled(job), 30000);
        FakeJobView *view = m_server->viewTitled(job);
        QVERIFY(open(QStringLiteral("gate")));
        QTRY_VERIFY_WITH_TIMEOUT(view->errorCode.has_value(), 30000);
        QCOMPARE(*view->errorCode, 0u);
        QCOMPARE(log().count("no job view server"), 1);
        QCOMPARE(log().count("job view"), 1);
    }

    // The setting off: no view is requested at all.
    void settingOff() {
        // With --state-dir, the settings file is the one in it.
        QVERIFY(QDir().mkpath(path("state")));
        QFile settings(path("state/jobmonitor.conf"));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write("[notifications]\nshowRunning=false\n");
        settings.close();
        serveJobViews();
        const QString job = gatedJob(QStringLiteral("gate"), 0);
        startWindow({"--job", job});
        QCOMPARE(waitForPids(path("gate.pid"), 1, 30s).size(), 1);
        // Several times the update interval: a view would have been requested by now.
        QTest::qWait(2000);
        QVERIFY(m_server->views.empty());
        QVERIFY(open(QStringLiteral("gate")));
    }
};

QTEST_GUILESS_MAIN(TestE2eJobView)
#include "tst_e2e_jobview.moc"
