// The real main window on a real X server under a real window manager (Xvfb + openbox),
// driven with keys sent through the X server: every shortcut the README lists, and where the
// keyboard focus goes. Offscreen, QTest delivers keys straight to the window and hides what
// the desktop does to them (an ambiguous shortcut fires offscreen but never on xcb).
#include "e2eutil.h"
#include "logging.h"
#include "testutil.h"
#include "windowfixture.h"
#include "xsession.h"

#include <QGuiApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

struct XWindow : Window {
    unsigned long long id() const { return window->winId(); }
    bool keys(const QStringList &keys) const { return sendKeys(id(), keys); }
    bool type(const QString &text) const { return typeText(id(), text); }

    // Ctrl+N, the command typed, Return: a job started from the keyboard alone.
    int startJob(const QString &command) const {
        QObject *dialog = find(QStringLiteral("newJobDialog"));
        const qsizetype before = supervisor.jobs().size();
        if (!keys({"ctrl+n"}) ||
            !QTest::qWaitFor([&] { return dialog->property("opened").toBool(); }, 10000) ||
            !QTest::qWaitFor(
                [&] { return find<QQuickItem>(QStringLiteral("commandField"))->hasActiveFocus(); },
                5000) ||
            !type(command) ||
            !QTest::qWaitFor(
                [&] {
                    return find(QStringLiteral("commandField"))->property("text").toString() ==
                           command;
                },
                10000) ||
            !keys({"Return"}) ||
            !QTest::qWaitFor([&] { return supervisor.jobs().size() == before + 1; }, 10000))
            return -1;
        return supervisor.jobs().constLast()->id();
    }
};

} // namespace

class TestXcbWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        setupStderrLogging();
        QStandardPaths::setTestModeEnabled(true);
        installProcessWarningCounter();
    }

    // Ctrl+N opens the form, Return starts the job, Delete cancels it, Ctrl+R runs it again.
    void newStartCancelRetry() {
        XWindow w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const int id =
            w.startJob(testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                         QStringLiteral("--sleep"), QStringLiteral("-1")}));
        QVERIFY(id > 0);
        QTRY_VERIFY(!w.find(QStringLiteral("newJobDialog"))->property("visible").toBool());
        QCOMPARE(w.currentJobId(), id);
        Job *job = w.supervisor.job(id);
        QTRY_COMPARE(job->state(), JobState::Running);
        const QList<qint64> first = waitForPids(pidFile, 1, 10s);
        QCOMPARE(first.size(), 1);

        QTRY_VERIFY(w.focusIsIn(QStringLiteral("jobList")));
        QVERIFY(w.keys({"Delete"}));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, 15000);
        QVERIFY(waitUntilDead(first, 10s).isEmpty());

        QVERIFY(w.keys({"ctrl+r"}));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, 10000);
        const QList<qint64> second = waitForPids(pidFile, 2, 10s);
        QCOMPARE(second.size(), 2);
        QVERIFY(w.keys({"Delete"}));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, 15000);
        QVERIFY(waitUntilDead(second, 10s).isEmpty());
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
    }

    // Ctrl+F puts the keyboard in the output search.
    void findFocusesSearch() {
        XWindow w;
        QVERIFY(w.load());
        const int id =
            w.startJob(testChildCommand({QStringLiteral("--stdout"), QStringLiteral("needle"),
                                         QStringLiteral("--exit"), QStringLiteral("0")}));
        QVERIFY(id > 0);
        QTRY_COMPARE(w.supervisor.job(id)->state(), JobState::Completed);
        QVERIFY(w.keys({"ctrl+f"}));
        QTRY_VERIFY(w.find<QQuickItem>(QStringLiteral("searchField"))->hasActiveFocus());
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
    }

    // Ctrl+Q with an active job asks first; "Stop all and quit" ends everything.
    void quitAsksWhileJobsRun() {
        XWindow w;
        QVERIFY(w.load());
        QSignalSpy finished(&w.coordinator, &ShutdownCoordinator::finished);
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        QVERIFY(w.startJob(testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                             QStringLiteral("--sleep"), QStringLiteral("-1")})) >
                0);
        const QList<qint64> pids = waitForPids(pidFile, 1, 10s);
        QCOMPARE(pids.size(), 1);

        QObject *confirm = w.find(QStringLiteral("confirmQuitDialog"));
        QVERIFY(w.keys({"ctrl+q"}));
        QTRY_VERIFY_WITH_TIMEOUT(confirm->property("opened").toBool(), 5000);
        QVERIFY(w.keys({"Tab", "space"}));
        QTRY_VERIFY(w.coordinator.isShuttingDown());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(waitUntilDead(pids, 10s).isEmpty());
    }

    // The application itself: Ctrl+Q with no job running quits at once.
    void quitShortcutEndsTheApplication() {
        QProcess app;
        QTemporaryDir state;
        startJobmonitor(app, {QStringLiteral("--state-dir"), state.path()});
        QVERIFY(app.waitForStarted(10000));
        const auto cleanup = qScopeGuard([&] {
            app.kill();
            app.waitForFinished(5000);
        });
        QByteArray window;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(window = runXTool(QStringLiteral("xdotool"),
                                {"search", "--onlyvisible", "--pid",
                                 QString::number(app.processId()), "--name", "^Job Monitor$"})
                           .value_or(QByteArray())
                           .trimmed())
                 .isEmpty(),
            30000);
        QVERIFY(sendKeys(window.split('\n').constFirst().toULongLong(), {"ctrl+q"}));
        // The key is sent with the event loop running, so the exit may already have been seen.
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QProcess::NotRunning, 20000);
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
    }

    void cleanupTestCase() { QCOMPARE(destroyedWhileRunningWarnings(), 0); }
};

int main(int argc, char *argv[]) {
    if (const std::optional<int> status = runUnderXSession(argc, argv))
        return *status;
    QGuiApplication app(argc, argv);
    TestXcbWindow tests;
    return QTest::qExec(&tests, argc, argv);
}

#include "tst_xcb_window.moc"
