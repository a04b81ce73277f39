// The running window on a real (private) session bus, reached by the real `jobmonitor`
// client from outside: add starts the window when none runs and the job runs in it; status,
// cancel, wait and log --follow work against it; a second launch hands its jobs over; a caller
// of another uid is refused by the window itself; a bad spec gets the form's message.
//
// Each test case gets its own dbus-daemon (session-bus.conf admits every uid, so that the
// refusal proven is the window's, not the bus policy's). Every window and job a test starts is
// found by pid (the window's from the bus) and proven gone.
#include "e2eutil.h"
#include "testutil.h"

#include "jobspec.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QString Service = QStringLiteral("io.github.jobmonitor.JobMonitor");
const QString Path = QStringLiteral("/io/github/jobmonitor/JobMonitor");
const QString Interface = QStringLiteral("io.github.jobmonitor.JobMonitor1");
const QString TestConnection = QStringLiteral("test-session-bus");

struct Run {
    int status = -1;
    QByteArray out;
    QByteArray err;
};

// Records the window's signals as the test's own connection receives them.
class SignalRecorder : public QObject {
    Q_OBJECT
public:
    QList<QVariantList> ended;
    QList<QVariantList> changed;

public Q_SLOTS:
    void onEnded(qlonglong id, const QString &state, int exitCode, int signal) {
        ended << QVariantList{id, state, exitCode, signal};
    }
    void onChanged(qlonglong id, const QString &state, const QString &previous, int attempt,
                   const QString &) {
        changed << QVariantList{id, state, previous, attempt};
    }
};

} // namespace

class TestE2eDBus : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_busDaemon;
    QString m_busAddress;
    QList<qint64> m_pids; // every window and job of the test case
    std::unique_ptr<QProcess> m_window;

    QString stateDir() const { return m_dir->filePath(QStringLiteral("state")); }
    QDBusConnection bus() const { return QDBusConnection(TestConnection); }

    QProcessEnvironment environment(const QString &busAddress) const {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress);
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath("config"));
        environment.insert(QStringLiteral("XDG_STATE_HOME"), m_dir->filePath("xdg-state"));
        return environment;
    }

    // The client (or any jobmonitor command line) to its end; prefix runs it through another
    // program first (setpriv).
    Run run(const QStringList &arguments, const QStringList &prefix = {}) {
        QProcess process;
        process.setProcessEnvironment(environment(m_busAddress));
        if (prefix.isEmpty()) {
            startJobmonitor(process, arguments);
        } else {
            process.setProgram(prefix.constFirst());
            process.setArguments(prefix.mid(1) + QStringList{jobmonitorPath()} + arguments);
            process.start();
        }
        if (!process.waitForFinished(60000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    qint64 windowPid() const {
        const QDBusReply<uint> pid = bus().interface()->servicePid(Service);
        return pid.isValid() ? qint64(pid.value()) : 0;
    }

    bool waitForWindow() {
        QDeadlineTimer deadline(30s);
        while (!bus().interface()->isServiceRegistered(Service).value()) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(20);
        }
        m_pids << windowPid();
        return true;
    }

    // The window started by the test, on the private bus.
    void startWindow(const QStringList &arguments = {}) {
        m_window = std::make_unique<QProcess>();
        m_window->setProcessEnvironment(environment(m_busAddress));
        startJobmonitor(*m_window,
                        QStringList{"--grace", "1000", "--state-dir", stateDir()} + arguments);
        QVERIFY(m_window->waitForStarted(10000));
        m_pids << m_window->processId();
        QVERIFY(waitForWindow());
        QCOMPARE(windowPid(), m_window->processId());
    }

    // The window quits like on SIGTERM (every job stopped first) and is gone.
    void stopWindow() {
        const qint64 pid = windowPid();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGTERM), 0);
        QCOMPARE(waitUntilDead({pid}, 30s), QList<qint64>());
        // The wait above runs the event loop: QProcess may have seen the exit already, and
        // waitForFinished() is false for a process that is not running.
        if (m_window)
            QVERIFY(m_window->state() == QProcess::NotRunning || m_window->waitForFinished(30000));
    }

    static qint64 idOf(const Run &result) {
        bool ok = false;
        const qint64 id = result.out.trimmed().toLongLong(&ok);
        return ok ? id : 0;
    }

    QString pidFile(const QString &name) const { return m_dir->filePath(name + ".pid"); }
    // A shell command that adds its pid to a file (one line per run), then runs rest.
    QString recording(const QString &name, const QString &rest) const {
        return QStringLiteral("echo \"main $$\" >> '%1'; %2").arg(pidFile(name), rest);
    }
    // The pid of the job's run number `run` (1 is the first); 0 when it did not start.
    qint64 noteJobPid(const QString &name, int run = 1) {
        const QList<qint64> pids = waitForPids(pidFile(name), run, 30s);
        if (pids.size() < run)
            return 0;
        m_pids << pids.at(run - 1);
        return pids.at(run - 1);
    }

    QJsonObject statusOf(qint64 id) {
        const Run status = run({"status", "--json", QString::number(id)});
        if (status.status != 0)
            return {};
        return QJsonDocument::fromJson(status.out).object();
    }

    bool waitForState(qint64 id, const QString &state) {
        QDeadlineTimer deadline(30s);
        while (statusOf(id).value(QStringLiteral("state")).toString() != state) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(50);
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("dbus-daemon")).isEmpty(),
                 "dbus-daemon is missing: run .ci/setup");
        qDBusRegisterMetaType<QList<QVariantMap>>();
    }

    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // Another uid must reach the socket for the window, not the file system, to refuse it.
        QVERIFY(QFile::setPermissions(m_dir->path(), QFile::ReadOwner | QFile::WriteOwner |
                                                         QFile::ExeOwner | QFile::ExeGroup |
                                                         QFile::ExeOther));
        m_busAddress = startPrivateBus(m_busDaemon, QStringLiteral(JM_SESSION_BUS_CONFIG),
                                       m_dir->filePath("bus"));
        QVERIFY2(!m_busAddress.isEmpty(), m_busDaemon.readAllStandardError().constData());
        QVERIFY(::chmod(QFile::encodeName(m_dir->filePath("bus")).constData(), 0777) == 0);
        const QDBusConnection connection =
            QDBusConnection::connectToBus(m_busAddress, TestConnection);
        QVERIFY2(connection.isConnected(), qPrintable(connection.lastError().message()));
    }

    void cleanup() {
        if (bus().isConnected() && bus().interface()->isServiceRegistered(Service).value())
            ::kill(pid_t(windowPid()), SIGKILL);
        if (m_window && m_window->state() != QProcess::NotRunning) {
            m_window->kill();
            m_window->waitForFinished(10000);
        }
        m_window.reset();
        const QList<qint64> leftovers = alivePids(m_pids);
        for (qint64 pid : leftovers)
            ::kill(pid_t(pid), SIGKILL);
        QCOMPARE(waitUntilDead(leftovers, 10s), QList<qint64>());
        QVERIFY2(leftovers.isEmpty(), "a window or job outlived its test");
        m_pids.clear();
        QDBusConnection::disconnectFromBus(TestConnection);
        m_busDaemon.terminate();
        m_busDaemon.waitForFinished(10000);
        m_dir.reset();
    }

    // No window runs: add starts one (detached, in its own session) and the job runs in it.
    void addStartsTheWindowAndTheJobRunsInIt() {
        QVERIFY(!bus().interface()->isServiceRegistered(Service).value());
        const Run added =
            run({"add", "--state-dir", stateDir(), "--name", "greeting", "--env", "GREETED=world",
                 "--", "echo", "hello", "$GREETED", "--retries", "x"});
        // Everything after -- is the command, options included.
        QCOMPARE(added.status, 0);
        const qint64 id = idOf(added);
        QVERIFY2(id > 0, added.out + added.err);
        QVERIFY(waitForWindow());
        const qint64 window = windowPid();
        QVERIFY(window > 0);
        // Its own session, not the client's (which has ended anyway).
        QCOMPARE(::getsid(pid_t(window)), pid_t(window));

        const Run waited = run({"wait", QString::number(id)});
        QCOMPARE(waited.status, 0);
        const QJsonObject job = statusOf(id);
        QCOMPARE(job.value("id").toInteger(), id);
        QCOMPARE(job.value("state").toString(), QStringLiteral("Completed"));
        QCOMPARE(job.value("name").toString(), QStringLiteral("greeting"));
        QCOMPARE(job.value("command").toString(),
                 QStringLiteral("echo hello $GREETED --retries x"));
        QCOMPARE(job.value("exitCode").toInt(-1), 0);
        QCOMPARE(job.value("workingDirectory").toString(), QDir::currentPath());
        const Run log = run({"log", QString::number(id), "--state-dir", stateDir()});
        QCOMPARE(log.status, 0);
        QCOMPARE(log.out, QByteArray("hello world --retries x\n"));

        // The same line as history --json (once the store holds the end).
        const Run history = run({"history", "--json", "--state-dir", stateDir()});
        QCOMPARE(history.status, 0);
        QCOMPARE(QJsonDocument::fromJson(history.out.trimmed()).object(), job);
        stopWindow();
    }

    void addWaitExitsLikeTheJob_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<int>("status");
        QTest::newRow("completes") << "true" << 0;
        QTest::newRow("exit code") << "exit 3" << 3;
        QTest::newRow("signalled") << "kill -USR1 $$" << 128 + SIGUSR1;
        QTest::newRow("timed out") << "exec sleep 30" << 1;
    }
    void addWaitExitsLikeTheJob() {
        QFETCH(QString, command);
        QFETCH(int, status);
        startWindow();
        const Run added = run({"add", "--wait", "--timeout", "0.5", "--", command});
        QCOMPARE(added.status, status);
        QVERIFY(idOf(added) > 0);
        stopWindow();
    }

    void statusCancelAndWait() {
        startWindow();
        SignalRecorder recorder;
        QVERIFY(bus().connect(Service, Path, Interface, "JobEnded", &recorder,
                              SLOT(onEnded(qlonglong, QString, int, int))));
        QVERIFY(bus().connect(Service, Path, Interface, "JobChanged", &recorder,
                              SLOT(onChanged(qlonglong, QString, QString, int, QString))));
        const qint64 id = idOf(run({"add", "--", recording("sleeper", "exec sleep 60")}));
        QVERIFY(id > 0);
        const qint64 sleeper = noteJobPid("sleeper");
        QVERIFY(sleeper > 0);
        QVERIFY(waitForState(id, "Running"));

        // A waiting client sees the end that another client causes.
        QProcess waiter;
        waiter.setProcessEnvironment(environment(m_busAddress));
        startJobmonitor(waiter, {"wait", QString::number(id)});
        QVERIFY(waiter.waitForStarted());
        // Time to subscribe, so that the end usually comes as a signal; had it not subscribed yet,
        // it would find the end with Get: either way it must exit 1.
        QTest::qWait(200);
        const Run status = run({"status"});
        QCOMPARE(status.status, 0);
        QVERIFY2(status.out.contains("Running"), status.out);
        QCOMPARE(run({"cancel", QString::number(id)}).status, 0);
        QVERIFY(waiter.waitForFinished(30000));
        QCOMPARE(waiter.exitCode(), 1);
        QCOMPARE(waitUntilDead({sleeper}, 10s), QList<qint64>());
        QCOMPARE(statusOf(id).value("state").toString(), QStringLiteral("Cancelled"));
        QTRY_VERIFY(!recorder.ended.isEmpty());
        QCOMPARE(recorder.ended.constLast().value(0).toLongLong(), id);
        QCOMPARE(recorder.ended.constLast().value(1).toString(), QStringLiteral("Cancelled"));
        QVERIFY(!recorder.changed.isEmpty());
        QCOMPARE(recorder.changed.constFirst().value(1).toString(), QStringLiteral("Running"));

        // Cancelling it again is not allowed; unknown ids are 2, bad ones 64.
        QCOMPARE(run({"cancel", QString::number(id)}).status, 1);
        QCOMPARE(run({"retry", QString::number(id)}).status, 0);
        const qint64 again = noteJobPid("sleeper", 2);
        QVERIFY(again > 0);
        QVERIFY(waitForState(id, "Running"));
        QCOMPARE(run({"kill", QString::number(id)}).status, 0);
        QCOMPARE(waitUntilDead({again}, 10s), QList<qint64>());
        QVERIFY(waitForState(id, "Cancelled"));
        QCOMPARE(run({"remove", QString::number(id)}).status, 0);
        const Run removed = run({"status", QString::number(id)});
        QCOMPARE(removed.status, 2);
        QCOMPARE(removed.err, QByteArray("jobmonitor: status: there is no job %1\n")
                                  .replace("%1", QByteArray::number(id)));
        QCOMPARE(run({"wait", "999999"}).status, 2);
        QCOMPARE(run({"cancel", "x"}).status, 64);
        const Run noCommand = run({"add", "--"});
        QCOMPARE(noCommand.status, 64);
        QCOMPARE(noCommand.err, QByteArray("jobmonitor: add: give the command after --\n"));
        QCOMPARE(run({"add", "--retries", "lots", "--", "true"}).status, 64);
        stopWindow();
        // Without a window: 69.
        const Run none = run({"status"});
        QCOMPARE(none.status, 69);
        QCOMPARE(none.err, QByteArray("jobmonitor: status: no Job Monitor window is running\n"));
    }

    // The queue from a terminal: pause and resume a running job (its process stops and goes
    // on), a job that waits for it, a dependency that fails, a paused group.
    void queueFromTheClient() {
        startWindow();
        const qint64 first = idOf(run({"add", "--", recording("first", "exec sleep 60")}));
        QVERIFY(first > 0);
        const qint64 sleeper = noteJobPid("first");
        QVERIFY(sleeper > 0);
        QVERIFY(waitForState(first, "Running"));
        QCOMPARE(run({"pause", QString::number(first)}).status, 0);
        QVERIFY(waitForState(first, "Paused"));
        QTRY_COMPARE(processState(sleeper), 'T');
        QCOMPARE(run({"resume", QString::number(first)}).status, 0);
        QVERIFY(waitForState(first, "Running"));
        QTRY_VERIFY(processState(sleeper) != 'T');

        const qint64 second =
            idOf(run({"add", "--after", QString::number(first), "--priority", "5", "--", "true"}));
        QVERIFY(second > 0);
        QVERIFY(waitForState(second, "Waiting"));
        const QJsonObject waiting = statusOf(second);
        QCOMPARE(waiting.value("priority").toInt(), 5);
        QCOMPARE(waiting.value("dependencies").toArray().at(0).toObject().value("job").toInteger(),
                 first);
        QCOMPARE(run({"cancel", QString::number(first)}).status, 0);
        QCOMPARE(waitUntilDead({sleeper}, 10s), QList<qint64>());
        QVERIFY(waitForState(second, "Cancelled"));

        QCOMPARE(run({"group", "pause", "nosuchgroup"}).status, 1);
        QCOMPARE(run({"group", "pause", "default"}).status, 0);
        const qint64 held = idOf(run({"add", "--", "true"}));
        QVERIFY(held > 0);
        QTest::qWait(300);
        QCOMPARE(statusOf(held).value("state").toString(), QStringLiteral("Pending"));
        QCOMPARE(run({"group", "resume", "default"}).status, 0);
        QVERIFY(waitForState(held, "Completed"));

        const Run badTime = run({"add", "--at", "25:00", "--", "true"});
        QCOMPARE(badTime.status, 64);
        QVERIFY2(badTime.err.startsWith("jobmonitor: add: --at: "), badTime.err);
        QCOMPARE(run({"group", "stop", "default"}).status, 64);
        stopWindow();
    }

    // A paused group is still paused when the window starts again on the same state folder,
    // after a crash too (the pause is kept when it is made, not when the window quits): its
    // queued jobs wait until it is resumed, and a resumed group stays resumed.
    void aPausedGroupStaysPausedAcrossRestarts() {
        startWindow();
        QCOMPARE(run({"group", "pause", "default"}).status, 0);
        const qint64 crashed = windowPid();
        QVERIFY(crashed > 0);
        QCOMPARE(::kill(pid_t(crashed), SIGKILL), 0);
        QCOMPARE(waitUntilDead({crashed}, 30s), QList<qint64>());
        QVERIFY(m_window->state() == QProcess::NotRunning || m_window->waitForFinished(30000));
        QTRY_VERIFY_WITH_TIMEOUT(!bus().interface()->isServiceRegistered(Service).value(), 30000);

        startWindow();
        const qint64 held = idOf(run({"add", "--", "true"}));
        QVERIFY(held > 0);
        QTest::qWait(300);
        QCOMPARE(statusOf(held).value("state").toString(), QStringLiteral("Pending"));
        QCOMPARE(run({"group", "resume", "default"}).status, 0);
        QVERIFY(waitForState(held, "Completed"));
        stopWindow();

        startWindow();
        const qint64 next = idOf(run({"add", "--", "true"}));
        QVERIFY(next > 0);
        QVERIFY(waitForState(next, "Completed"));
        stopWindow();
    }

    // log --follow on a job of the running window: lines arrive while it runs.
    void logFollowsTheWindowsJobLive() {
        startWindow();
        const QString gate = m_dir->filePath("gate");
        QCOMPARE(::mkfifo(QFile::encodeName(gate).constData(), 0600), 0);
        const qint64 id = idOf(run(
            {"add", "--",
             recording("talker",
                       QStringLiteral("echo first; read line < '%1'; echo second").arg(gate))}));
        QVERIFY(id > 0);
        QVERIFY(noteJobPid("talker") > 0);
        QProcess follower;
        follower.setProcessEnvironment(environment(m_busAddress));
        startJobmonitor(follower,
                        {"log", QString::number(id), "--follow", "--state-dir", stateDir()});
        QVERIFY(follower.waitForStarted());
        QByteArray out;
        QDeadlineTimer deadline(30s);
        while (!out.contains("first\n") && !deadline.hasExpired() &&
               follower.waitForReadyRead(1000))
            out += follower.readAllStandardOutput();
        QCOMPARE(out, QByteArray("first\n"));
        QCOMPARE(follower.state(), QProcess::Running); // the job waits on the gate
        {
            QFile writer(gate);
            QVERIFY(writer.open(QIODevice::WriteOnly));
            QCOMPARE(writer.write("go\n"), 3);
        }
        QVERIFY(follower.waitForFinished(30000));
        out += follower.readAllStandardOutput();
        QCOMPARE(out, QByteArray("first\nsecond\n"));
        QCOMPARE(follower.exitCode(), 0);
        stopWindow();
    }

    // A second `jobmonitor --job` hands its jobs to the running window and exits 0.
    void secondLaunchHandsOver() {
        startWindow();
        const Run second =
            run({"--state-dir", m_dir->filePath("other"), "--job", "echo one", "--job", "exit 4"});
        QCOMPARE(second.status, 0);
        const QList<QByteArray> ids = second.out.trimmed().split('\n');
        QCOMPARE(ids.size(), 2);
        for (const QByteArray &id : ids)
            QVERIFY(waitForState(id.toLongLong(), id == ids.constFirst() ? "Completed" : "Failed"));
        QCOMPARE(statusOf(ids.constFirst().toLongLong()).value("workingDirectory").toString(),
                 QDir::currentPath());
        // Raise: the window comes forward at a job it knows.
        QDBusMessage raise = QDBusMessage::createMethodCall(Service, Path, Interface, "Raise");
        raise.setArguments({qlonglong(ids.constFirst().toLongLong())});
        QCOMPARE(bus().call(raise).type(), QDBusMessage::ReplyMessage);
        raise.setArguments({qlonglong(999999)});
        QCOMPARE(bus().call(raise).errorName(),
                 QStringLiteral("io.github.jobmonitor.JobMonitor1.Error.UnknownJob"));
        // Nothing of the second start is left: its state folder stays unused.
        QVERIFY(!QFile::exists(m_dir->filePath("other/jobs.db")));
        // --new-instance: a window of its own.
        QProcess own;
        own.setProcessEnvironment(environment(m_busAddress));
        startJobmonitor(own, {"--new-instance", "--state-dir", m_dir->filePath("own")});
        QVERIFY(own.waitForStarted());
        m_pids << own.processId();
        QByteArray ownLog;
        QTRY_VERIFY_WITH_TIMEOUT(
            (ownLog += own.readAllStandardError()).contains("owned by another window"), 30000);
        QCOMPARE(windowPid(), m_window->processId());
        ::kill(pid_t(own.processId()), SIGTERM);
        QVERIFY(own.waitForFinished(30000));
        stopWindow();
    }

    // The settings' grace period is the window's default for every new job: its own --job,
    // `add` and a second start's hand-over. A grace given on a command line wins, also one
    // equal to the built-in default.
    void settingsGraceIsTheWindowsDefault() {
        QVERIFY(QDir().mkpath(stateDir()));
        {
            QSettings settings(stateDir() + "/jobmonitor.conf", QSettings::IniFormat);
            settings.setValue("defaults/graceMs", 12000);
        }
        m_window = std::make_unique<QProcess>();
        m_window->setProcessEnvironment(environment(m_busAddress));
        startJobmonitor(*m_window, {"--state-dir", stateDir(), "--job", "true"});
        QVERIFY(m_window->waitForStarted(10000));
        m_pids << m_window->processId();
        QVERIFY(waitForWindow());
        const auto handedOver = [&](const QStringList &arguments) {
            return run(arguments + QStringList{"--job", "true"}).out.trimmed().toLongLong();
        };
        const QList<std::pair<qint64, int>> jobs{
            {1, 12000}, // the window's own --job
            {idOf(run({"add", "--", "true"})), 12000},
            {idOf(run({"add", "--grace", "5000", "--", "true"})), 5000},
            {handedOver({}), 12000},
            {handedOver({"--grace", "3000"}), 3000},
        };
        for (const auto &[id, grace] : jobs) {
            QVERIFY(id > 0);
            QVERIFY(waitForState(id, "Completed"));
            QCOMPARE(statusOf(id).value("termination").toString(),
                     TerminationSequence::standard(std::chrono::milliseconds(grace)).toString());
        }
        stopWindow();
    }

    // No session bus: the window starts as before and says so in one line.
    void withoutSessionBusTheWindowStartsAlone() {
        QProcess window;
        window.setProcessEnvironment(
            environment(QStringLiteral("unix:path=") + m_dir->filePath("no-bus-here")));
        startJobmonitor(window,
                        {"--state-dir", stateDir(), "--job", recording("alone", "exec sleep 60")});
        QVERIFY(window.waitForStarted());
        m_pids << window.processId();
        QVERIFY(noteJobPid("alone") > 0);
        ::kill(pid_t(window.processId()), SIGTERM);
        QVERIFY(window.waitForFinished(30000));
        QCOMPARE(window.exitCode(), 128 + SIGTERM);
        const QByteArray log = window.readAllStandardError();
        QCOMPARE(log.count("no session bus"), 1);
        QCOMPARE(waitUntilDead(m_pids, 10s), QList<qint64>());
    }

    // The bus admits nobody here; the window refuses them.
    void callsOfAnotherUidAreRefused() {
        if (::getuid() != 0)
            QSKIP("needs root to run the client as nobody");
        startWindow();
        const QStringList asNobody{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                   "--"};
        const Run added = run({"add", "--", "touch", m_dir->filePath("intruded")}, asNobody);
        QCOMPARE(added.status, 77);
        QCOMPARE(added.err, QByteArray("jobmonitor: add: only the user running the window may "
                                       "use it\n"));
        const Run listed = run({"status"}, asNobody);
        QCOMPARE(listed.status, 77);
        QCOMPARE(listed.out, QByteArray());
        // Root still may, and nothing was added.
        const Run status = run({"status", "--json"});
        QCOMPARE(status.status, 0);
        QCOMPARE(status.out, QByteArray());
        QVERIFY(!QFile::exists(m_dir->filePath("intruded")));
        QByteArray windowLog;
        QTRY_VERIFY(
            (windowLog += m_window->readAllStandardError()).contains("refused a D-Bus call"));
        stopWindow();
    }

    // A bad spec over D-Bus: InvalidArgs with JobSpec::validate()'s message.
    void badSpecGetsTheFormsMessage_data() {
        QTest::addColumn<QVariantMap>("map");
        QTest::addColumn<QString>("message");
        JobSpec tooLong;
        tooLong.command = "true";
        tooLong.timeout = std::chrono::hours(24 * 400);
        QTest::newRow("timeout") << QVariantMap{{"command", "true"},
                                                {"timeoutMs", qlonglong(tooLong.timeout.count())}}
                                 << tooLong.validate();
        QTest::newRow("empty command") << QVariantMap{{"command", "  "}} << [] {
            JobSpec spec;
            spec.command = "  ";
            return spec.validate();
        }();
        QTest::newRow("no command")
            << QVariantMap{{"name", "x"}} << QString("spec: 'command' is missing");
        QTest::newRow("unknown key") << QVariantMap{{"command", "true"}, {"colour", "red"}}
                                     << QString("spec: unknown key 'colour'");
    }
    void badSpecGetsTheFormsMessage() {
        QFETCH(QVariantMap, map);
        QFETCH(QString, message);
        QVERIFY(!message.isEmpty());
        startWindow();
        QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, "Add");
        call.setArguments({map});
        const QDBusMessage reply = bus().call(call);
        QCOMPARE(reply.type(), QDBusMessage::ErrorMessage);
        QCOMPARE(reply.errorName(), QStringLiteral("org.freedesktop.DBus.Error.InvalidArgs"));
        QCOMPARE(reply.errorMessage(), message);
        stopWindow();
    }
};

QTEST_GUILESS_MAIN(TestE2eDBus)
#include "tst_e2e_dbus.moc"
