// The real main window on a real X server under a real window manager (Xvfb + openbox),
// driven with keys sent through the X server: every shortcut the README lists, and where the
// keyboard focus goes. Offscreen, QTest delivers keys straight to the window and hides what
// the desktop does to them (an ambiguous shortcut fires offscreen but never on xcb).
#include "e2eutil.h"
#include "guiapplication.h"
#include "jobdefaults.h"
#include "jobstore.h"
#include "logging.h"
#include "retention.h"
#include "settingsfile.h"
#include "testutil.h"
#include "windowfixture.h"
#include "xsession.h"

#include <QClipboard>
#include <QDeadlineTimer>
#include <QGuiApplication>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>

#include <csignal>

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

    QObject *selection() const {
        return qvariant_cast<QObject *>(find(QStringLiteral("jobList"))->property("selection"));
    }
    QObject *outputView() const { return find(QStringLiteral("outputView")); }
    QString searchStatus() const {
        return find(QStringLiteral("searchStatus"))->property("text").toString();
    }
    // Waits until the window has the keyboard focus inside the named item.
    bool focusWithin(const QString &name) const {
        return QTest::qWaitFor([&] { return focusIsIn(name); }, 5000);
    }
};

// The window that has the focus, as the window manager says (_NET_ACTIVE_WINDOW); 0 for none.
qulonglong activeWindow() {
    return runXTool(QStringLiteral("xdotool"), {"getactivewindow"})
        .value_or(QByteArray())
        .trimmed()
        .toULongLong();
}

// The managed window on top of all others (the last of _NET_CLIENT_LIST_STACKING); 0 for none.
qulonglong topWindow() {
    const QByteArray stacking =
        runXTool(QStringLiteral("xprop"), {"-root", "_NET_CLIENT_LIST_STACKING"})
            .value_or(QByteArray());
    const qsizetype last = stacking.lastIndexOf("0x");
    return last < 0 ? 0 : stacking.mid(last).trimmed().toULongLong(nullptr, 16);
}

JobSpec spec(const QString &command, const QString &name = {}) {
    JobSpec s;
    s.command = command;
    s.name = name;
    return s;
}

// The window over a real store that an earlier run left jobs in.
struct StoreWindow : test::StoredWindow {
    using StoredWindow::StoredWindow;
    bool keys(const QStringList &keys) const { return sendKeys(window->winId(), keys); }
    bool type(const QString &text) const { return typeText(window->winId(), text); }
    QQuickItem *list() const { return find<QQuickItem>(QStringLiteral("jobList")); }
    int currentJobId() const { return list()->property("currentJobId").toInt(); }
    int count() const { return list()->property("count").toInt(); }
    bool focusWithin(const QString &name) const {
        return QTest::qWaitFor(
            [&] {
                const QQuickItem *scope = find<QQuickItem>(name);
                for (const QQuickItem *item = window->activeFocusItem(); item && scope;
                     item = item->parentItem())
                    if (item == scope)
                        return true;
                return false;
            },
            5000);
    }
};

// Jobs of an earlier run: "echo alpha" (with FOO=bar, in folder), "echo beta", "echo gamma".
QList<qint64> storeEarlierJobs(const QString &stateDir, const QString &folder) {
    JobStore earlier(stateDir, RunKind::Headless);
    QList<qint64> ids;
    int minute = 0;
    for (const char *word : {"alpha", "beta", "gamma"}) {
        JobRecord job;
        job.id = earlier.allocateJobId();
        job.spec.command = QStringLiteral("echo %1").arg(QLatin1String(word));
        job.spec.workingDirectory = folder;
        job.spec.environment.insert(QStringLiteral("FOO"), QStringLiteral("bar"));
        job.createdAt = QDateTime::currentDateTime().addSecs(-3600 + 60 * minute++);
        job.state = JobState::Completed;
        job.exitCode = 0;
        job.startedAt = job.createdAt;
        job.endedAt = job.createdAt.addSecs(1);
        earlier.writeJob(job);
        ids << job.id;
    }
    earlier.flush();
    return ids;
}

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

    // Ctrl+N opens the form, Return starts the job, Delete cancels it, Ctrl+R runs it again,
    // Ctrl+E opens the form filled in from it.
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

        QVERIFY(w.focusWithin(QStringLiteral("jobList")));
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

        // Ctrl+E: the form again, filled in from the job; Escape leaves it.
        QObject *dialog = w.find(QStringLiteral("newJobDialog"));
        QVERIFY(w.keys({"ctrl+e"}));
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("commandField"))->property("text").toString(),
                 job->spec().command);
        QVERIFY(w.keys({"Escape"}));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(w.supervisor.jobs().size(), 1);
        QVERIFY(w.focusWithin(QStringLiteral("jobList")));

        // Ctrl+Enter starts the job from the environment box, where Enter is a new line.
        QVERIFY(w.keys({"ctrl+e"}));
        QTRY_VERIFY(dialog->property("opened").toBool());
        auto *environment = w.find<QQuickItem>(QStringLiteral("environmentField"));
        environment->forceActiveFocus();
        QVERIFY(w.type(QStringLiteral("A=1")));
        QVERIFY(w.keys({"Return"}));
        QVERIFY(w.type(QStringLiteral("B=2")));
        QTRY_COMPARE(environment->property("text").toString(), QStringLiteral("A=1\nB=2"));
        QVERIFY(w.keys({"ctrl+Return"}));
        QTRY_COMPARE(w.supervisor.jobs().size(), 2);
        QCOMPARE(w.supervisor.jobs().constLast()->spec().environment.value(QStringLiteral("B")),
                 QStringLiteral("2"));
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(waitUntilDead(waitForPids(pidFile, 3, 5s), 10s).isEmpty());
    }

    // The list from the keyboard: arrows move, Shift extends, Ctrl+A selects all; Delete cancels
    // what is selected, Ctrl+Shift+R retries every failed job, Ctrl+Shift+Delete clears the
    // finished ones.
    void listAndBulkKeys() {
        XWindow w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const QString sleeper = testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                                  QStringLiteral("--sleep"), QStringLiteral("-1")});
        Job *failed =
            w.supervisor.start(spec(QStringLiteral("exit 4"), QStringLiteral("failed"))).job;
        QTRY_COMPARE(failed->state(), JobState::Failed);
        QList<Job *> sleepers;
        for (int i = 0; i < 3; ++i)
            sleepers << w.supervisor.start(spec(sleeper)).job;
        QCOMPARE(waitForPids(pidFile, 3, 10s).size(), 3);

        // Rows, newest first: sleeper 3, sleeper 2, sleeper 1, failed.
        QMetaObject::invokeMethod(w.find(QStringLiteral("jobList")), "forceActiveFocus");
        QVERIFY(w.keys({"Home"}));
        QTRY_COMPARE(w.currentJobId(), sleepers[2]->id());
        QVERIFY(w.keys({"Down"}));
        QTRY_COMPARE(w.currentJobId(), sleepers[1]->id());
        QCOMPARE(w.details()->jobId(), sleepers[1]->id());
        QVERIFY(w.keys({"Up"}));
        QTRY_COMPARE(w.currentJobId(), sleepers[2]->id());
        QVERIFY(w.keys({"shift+Down"}));
        QTRY_COMPARE(w.selection()->property("count").toInt(), 2);
        QVERIFY(w.keys({"Delete"}));
        QTRY_COMPARE_WITH_TIMEOUT(sleepers[2]->state(), JobState::Cancelled, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(sleepers[1]->state(), JobState::Cancelled, 15000);
        QCOMPARE(sleepers[0]->state(), JobState::Running);

        // End goes to the last job; Space adds the shown job to the selection, or takes it out.
        QVERIFY(w.keys({"End"}));
        QTRY_COMPARE(w.currentJobId(), failed->id());
        QCOMPARE(w.selection()->property("count").toInt(), 1);
        QVERIFY(w.keys({"Up", "space"}));
        QTRY_COMPARE(w.selection()->property("count").toInt(), 0);
        QVERIFY(w.keys({"space"}));
        QTRY_COMPARE(w.selection()->property("count").toInt(), 1);

        QVERIFY(w.keys({"ctrl+a"}));
        QTRY_COMPARE(w.selection()->property("count").toInt(), 4);
        QVERIFY(w.keys({"ctrl+shift+r"}));
        QTRY_COMPARE(failed->history().size(), 5); // requeued, launched, failed again
        QCOMPARE(sleepers[2]->state(), JobState::Cancelled);

        QVERIFY(w.keys({"ctrl+shift+Delete"}));
        QTRY_COMPARE(w.supervisor.jobs().size(), 1);
        QCOMPARE(w.supervisor.jobs().constFirst(), sleepers[0]);
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(waitUntilDead(waitForPids(pidFile, 3, 0s), 10s).isEmpty());
    }

    // The queue from the keyboard: Alt+Home puts the shown queued job at the front of its
    // group's queue, Alt+Down and Alt+Up move it; Ctrl+P pauses the shown running job (every
    // process of it in state T) and Ctrl+P again resumes it.
    void queueKeys() {
        XWindow w;
        QVERIFY(w.load());
        w.supervisor.setMaxParallel(1);
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const QString sleeper = testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                                  QStringLiteral("--children"), QStringLiteral("2"),
                                                  QStringLiteral("--sleep"), QStringLiteral("-1")});
        Job *running = w.supervisor.start(spec(sleeper)).job;
        QList<qint64> queued;
        for (int i = 0; i < 3; ++i)
            queued << w.supervisor.start(spec(QStringLiteral("true"))).job->id();
        const QList<qint64> pids = waitForPids(pidFile, 3, 10s);
        QCOMPARE(pids.size(), 3);
        const QString group = defaultGroupName();
        QCOMPARE(w.service.queue(group), queued);

        // Rows, newest first: the last queued job is at the top.
        QMetaObject::invokeMethod(w.find(QStringLiteral("jobList")), "forceActiveFocus");
        QVERIFY(w.keys({"Home"}));
        QTRY_COMPARE(w.currentJobId(), queued[2]);
        QVERIFY(w.keys({"alt+Home"}));
        QTRY_COMPARE(w.service.queue(group), (QList<qint64>{queued[2], queued[0], queued[1]}));
        QVERIFY(w.keys({"alt+Down"}));
        QTRY_COMPARE(w.service.queue(group), (QList<qint64>{queued[0], queued[2], queued[1]}));
        QVERIFY(w.keys({"alt+Up"}));
        QTRY_COMPARE(w.service.queue(group), (QList<qint64>{queued[2], queued[0], queued[1]}));
        QCOMPARE(w.currentJobId(), queued[2]);

        QVERIFY(w.keys({"End"}));
        QTRY_COMPARE(w.currentJobId(), running->id());
        QVERIFY(w.keys({"ctrl+p"}));
        QTRY_COMPARE(running->state(), JobState::Paused);
        for (const qint64 pid : pids)
            QTRY_COMPARE(processState(pid), 'T');
        QVERIFY(w.keys({"ctrl+p"}));
        QTRY_COMPARE(running->state(), JobState::Running);
        for (const qint64 pid : pids)
            QTRY_VERIFY(processState(pid) != 'T');
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(waitUntilDead(pids, 10s).isEmpty());
    }

    // Ctrl+F puts the keyboard in the output search; typing searches, Return and Shift+Return
    // step through the matches, Escape ends the search and gives the keyboard to the lines,
    // where arrows select, Shift extends, Ctrl+C copies, Ctrl+A selects all and End follows
    // the tail again; Ctrl+Enter searches the whole saved output, Down and Return show a match.
    void searchAndOutputKeys() {
        XWindow w;
        QVERIFY(w.load());
        Job *job = w.supervisor.start(spec(QStringLiteral("seq 1 30"))).job;
        QMetaObject::invokeMethod(w.find(QStringLiteral("jobList")), "select",
                                  Q_ARG(QVariant, job->id()));
        QTRY_COMPARE(job->state(), JobState::Completed);
        QTRY_COMPARE(w.details()->output()->rowCount(), 30);

        QVERIFY(w.keys({"ctrl+f"}));
        QTRY_VERIFY(w.find<QQuickItem>(QStringLiteral("searchField"))->hasActiveFocus());
        QVERIFY(w.type(QStringLiteral("2")));
        // 2, 12, 20..29: 12 lines; the match shown is the first from the top of the view.
        QTRY_VERIFY(w.searchStatus().endsWith(QStringLiteral(" of 12")));
        const qint64 first = w.details()->output()->currentMatchLine();
        QVERIFY(w.keys({"Return"}));
        QTRY_VERIFY(w.details()->output()->currentMatchLine() != first);
        QVERIFY(w.keys({"shift+Return"}));
        QTRY_COMPARE(w.details()->output()->currentMatchLine(), first);

        QVERIFY(w.keys({"Escape"}));
        QTRY_COMPARE(w.details()->output()->matchCount(), 0);
        QVERIFY(w.focusWithin(QStringLiteral("outputLines")));
        QVERIFY(w.keys({"Home", "Down", "Down", "shift+Down"}));
        QTRY_COMPARE(w.outputView()->property("selectionEnd").toLongLong(), 3);
        QCOMPARE(w.outputView()->property("selectionAnchor").toLongLong(), 2);
        QVERIFY(!w.outputView()->property("following").toBool());
        QGuiApplication::clipboard()->clear();
        QVERIFY(w.keys({"ctrl+c"}));
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("2\n3"));
        QVERIFY(w.keys({"Next"})); // PageDown
        QTRY_VERIFY(w.outputView()->property("cursorLine").toLongLong() > 4);
        QVERIFY(w.keys({"Prior"})); // PageUp
        QTRY_VERIFY(w.outputView()->property("cursorLine").toLongLong() < 4);
        QVERIFY(w.keys({"ctrl+a"}));
        QTRY_COMPARE(w.outputView()->property("selectionEnd").toLongLong(), 30);
        QVERIFY(w.keys({"Escape", "End"}));
        QTRY_VERIFY(w.outputView()->property("following").toBool());
        QVERIFY(!w.outputView()->property("hasSelection").toBool());

        // Ctrl+Enter searches the whole saved output; Down goes to its matches, Return shows one.
        QVERIFY(w.keys({"ctrl+f"}));
        QTRY_VERIFY(w.find<QQuickItem>(QStringLiteral("searchField"))->hasActiveFocus());
        QVERIFY(w.type(QStringLiteral("2")));
        QTRY_VERIFY(w.searchStatus().endsWith(QStringLiteral(" of 12")));
        QVERIFY(w.keys({"ctrl+Return"}));
        OutputSearchModel *whole = w.details()->outputSearch();
        QTRY_VERIFY(whole->isFinished());
        QCOMPARE(whole->count(), 12);
        QVERIFY(w.keys({"Down"}));
        QVERIFY(w.focusWithin(QStringLiteral("wholeOutputList")));
        QVERIFY(w.keys({"Down", "Return"}));
        QTRY_COMPARE(w.outputView()->property("selectionAnchor").toLongLong(),
                     whole->index(1, 0).data(OutputSearchModel::LineRole).toLongLong());
        QVERIFY(w.keys({"Escape"}));
        QVERIFY(w.focusWithin(QStringLiteral("searchField")));
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
    }

    // Ctrl+Q with an active job asks first. Return presses the default, "Keep working", and so
    // does Escape; Tab then Return stops everything, and the stopping overlay keeps the
    // keyboard on "Kill all now".
    void quitAsksWhileJobsRun() {
        XWindow w;
        QVERIFY(w.load());
        QSignalSpy finished(&w.coordinator, &ShutdownCoordinator::finished);
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        JobSpec stubborn = spec(
            testChildCommand({QStringLiteral("--pidfile"), pidFile, QStringLiteral("--ignore-term"),
                              QStringLiteral("--sleep"), QStringLiteral("-1")}));
        stubborn.termination = TerminationSequence::standard(60s);
        w.supervisor.start(stubborn);
        const QList<qint64> pids = waitForPids(pidFile, 1, 10s);
        QCOMPARE(pids.size(), 1);
        QMetaObject::invokeMethod(w.find(QStringLiteral("jobList")), "forceActiveFocus");

        QObject *confirm = w.find(QStringLiteral("confirmQuitDialog"));
        for (const char *key : {"Return", "Escape"}) {
            QVERIFY(w.keys({"ctrl+q"}));
            QTRY_VERIFY_WITH_TIMEOUT(confirm->property("opened").toBool(), 5000);
            QVERIFY(w.keys({QLatin1String(key)}));
            QTRY_VERIFY(!confirm->property("visible").toBool());
            QVERIFY2(!w.coordinator.isShuttingDown(), key);
            QVERIFY(isPidAlive(pids.constFirst()));
            QVERIFY(w.focusWithin(QStringLiteral("jobList")));
        }
        QVERIFY(w.keys({"ctrl+q"}));
        QTRY_VERIFY_WITH_TIMEOUT(confirm->property("opened").toBool(), 5000);
        QVERIFY(w.keys({"Tab", "Return"}));
        QTRY_VERIFY(w.coordinator.isShuttingDown());

        QVERIFY(w.focusWithin(QStringLiteral("killAllButton")));
        QVERIFY(w.keys({"Tab", "Tab", "shift+Tab"}));
        QTest::qWait(200);
        QVERIFY(w.focusIsIn(QStringLiteral("killAllButton")));
        QVERIFY(w.keys({"space"}));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(waitUntilDead(pids, 10s).isEmpty());
    }

    // The application itself: Ctrl+Q with no job running quits at once.
    // Ctrl+, opens the settings with the keyboard in its first field; typing a number and
    // Return saves it; Tab goes on to the output to keep, the jobs at once (applied to the queue
    // at once) and the grace period of new jobs; Escape leaves without saving.
    void settingsKeys() {
        XWindow w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        const auto restore = qScopeGuard([] { setSettingsFile(defaultSettingsFile()); });
        QVERIFY(w.load());
        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QVERIFY(w.keys({"ctrl+comma"}));
        QTRY_VERIFY(dialog->property("opened").toBool());
        QVERIFY(w.focusWithin(QStringLiteral("keepDaysBox")));
        QVERIFY(w.keys({"ctrl+a"}));
        QVERIFY(w.type(QStringLiteral("30")));
        QVERIFY(w.keys({"Tab", "ctrl+a"}));
        QVERIFY(w.type(QStringLiteral("1")));
        QVERIFY(w.keys({"Tab"}));
        QVERIFY(w.focusWithin(QStringLiteral("defaultMaxParallelBox")));
        QVERIFY(w.keys({"ctrl+a"}));
        QVERIFY(w.type(QStringLiteral("6")));
        QVERIFY(w.keys({"Tab"}));
        QVERIFY(w.focusWithin(QStringLiteral("defaultGraceField")));
        QVERIFY(w.keys({"ctrl+a"}));
        QVERIFY(w.type(QStringLiteral("2.5")));
        QVERIFY(w.keys({"Return"}));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 30);
        QCOMPARE(RetentionPolicy::load(settingsFile()).maxOutputBytes, qint64(1) << 30);
        QCOMPARE(JobDefaults::load(), (JobDefaults{2500ms, 6}));
        QCOMPARE(w.supervisor.maxParallel(), 6);

        QVERIFY(w.keys({"ctrl+comma"}));
        QTRY_VERIFY(dialog->property("opened").toBool());
        QVERIFY(w.focusWithin(QStringLiteral("keepDaysBox")));
        QVERIFY(w.keys({"ctrl+a"}));
        QVERIFY(w.type(QStringLiteral("5")));
        QVERIFY(w.keys({"Escape"}));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 30);
    }

    void quitShortcutEndsTheApplication() {
        QProcess app;
        QTemporaryDir state;
        startJobmonitor(app, {QStringLiteral("--state-dir"), state.path()});
        QVERIFY(app.waitForStarted(10000));
        const auto cleanup = qScopeGuard([&] {
            app.kill();
            app.waitForFinished(5000);
        });
        // The application's main window, once it is mapped (by its pid: the test's own windows
        // have the same title).
        QByteArray window;
        const QStringList search{"search", "--onlyvisible",
                                 "--pid",  QString::number(app.processId()),
                                 "--name", "^Job Monitor"};
        QTRY_VERIFY2_WITH_TIMEOUT(
            !(window = runXTool(QStringLiteral("xdotool"), search).value_or(QByteArray()).trimmed())
                 .isEmpty(),
            app.readAllStandardError().constData(), 30000);
        QVERIFY(sendKeys(window.split('\n').constFirst().toULongLong(), {"ctrl+q"}));
        // The key is sent with the event loop running, so the exit may already have been seen.
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QProcess::NotRunning, 20000);
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
    }

    // The history in the list: Ctrl+Shift+F puts the keyboard in the list's search, typing
    // filters the stored jobs, Down goes back to the list; Ctrl+R runs a stored job again with
    // its whole spec as a new job, shown next; Shift+Delete asks before removing, Return keeps
    // (the default), Tab and Return remove.
    void historyKeys() {
        QTemporaryDir state, folder;
        const QList<qint64> stored = storeEarlierJobs(state.path(), folder.path());
        StoreWindow w(state.path());
        QVERIFY(w.load());
        QTRY_COMPARE(w.count(), 3);

        QMetaObject::invokeMethod(w.list(), "forceActiveFocus");
        QVERIFY(w.keys({"ctrl+shift+f"}));
        QVERIFY(w.focusWithin(QStringLiteral("listSearch")));
        QVERIFY(w.type(QStringLiteral("alpha")));
        QTRY_COMPARE(w.count(), 1);
        QVERIFY(w.keys({"Down"}));
        QVERIFY(w.focusWithin(QStringLiteral("jobList")));
        QVERIFY(w.keys({"Home"}));
        QTRY_COMPARE(w.currentJobId(), stored[0]);
        QTRY_VERIFY(w.details()->canRetry());

        QVERIFY(w.keys({"ctrl+r"}));
        QTRY_COMPARE(w.supervisor.jobs().size(), 1);
        Job *again = w.supervisor.jobs().constFirst();
        QCOMPARE(again->spec().command, QStringLiteral("echo alpha"));
        QCOMPARE(again->spec().workingDirectory, folder.path());
        QCOMPARE(again->spec().environment.value(QStringLiteral("FOO")), QStringLiteral("bar"));
        QTRY_COMPARE(w.currentJobId(), again->id());
        QTRY_COMPARE(again->state(), JobState::Completed);
        // The new job on top, the stored one below: both match.
        QTRY_COMPARE(w.count(), 2);

        QVERIFY(w.keys({"Down"}));
        QTRY_COMPARE(w.currentJobId(), stored[0]);
        QTRY_VERIFY(w.details()->canRemove());
        QObject *confirm = w.find(QStringLiteral("confirmRemoveDialog"));
        QVERIFY(w.keys({"shift+Delete"}));
        QTRY_VERIFY(confirm->property("opened").toBool());
        QVERIFY(w.keys({"Return"}));
        QTRY_VERIFY(!confirm->property("visible").toBool());
        QVERIFY(w.store.job(stored[0]).has_value());
        QVERIFY(w.focusWithin(QStringLiteral("jobList")));
        QVERIFY(w.keys({"shift+Delete"}));
        QTRY_VERIFY(confirm->property("opened").toBool());
        QVERIFY(w.keys({"Tab", "Return"}));
        QTRY_COMPARE(w.count(), 1);
        QVERIFY(w.store.flush());
        QVERIFY(!w.store.job(stored[0]).has_value());

        // Escape in the search shows every job again.
        QVERIFY(w.keys({"ctrl+shift+f"}));
        QVERIFY(w.focusWithin(QStringLiteral("listSearch")));
        QVERIFY(w.keys({"Escape"}));
        QTRY_COMPARE(w.count(), 3); // the new alpha, beta, gamma
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
    }

    // A second `jobmonitor --job` while the window is behind another client's window that the
    // user clicked into last (a terminal, say), and again while it is minimised: the job goes to
    // the window over D-Bus, and the window comes to the front with the focus past the window
    // manager's focus-stealing prevention, showing the new job. The real binary on a private
    // bus; every process it involves is proven gone.
    void secondStartRaisesTheWindowAtItsJob() {
        QTemporaryDir dir;
        QList<qint64> pids;
        QProcess bus, window, cover;
        const auto cleanup = qScopeGuard([&] {
            for (QProcess *process : {&window, &cover, &bus})
                if (process->state() != QProcess::NotRunning) {
                    process->kill();
                    process->waitForFinished(10000);
                }
            for (const qint64 pid : alivePids(pids))
                ::kill(pid_t(pid), SIGKILL);
        });
        bus.start(QStringLiteral("dbus-daemon"),
                  {"--session", "--nofork", "--nopidfile", "--print-address=1",
                   "--address=unix:path=" + dir.filePath("bus")});
        QVERIFY2(bus.waitForStarted(10000), "dbus-daemon is missing: run .ci/setup");
        pids << bus.processId();
        QByteArray address;
        while (!address.endsWith('\n') && bus.waitForReadyRead(20000))
            address += bus.readAllStandardOutput();
        QVERIFY(!address.trimmed().isEmpty());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                           QString::fromLatin1(address.trimmed()));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath("config"));

        window.setProcessEnvironment(environment);
        startJobmonitor(window, {"--state-dir", dir.filePath("state")});
        QVERIFY(window.waitForStarted(10000));
        pids << window.processId();
        QByteArray found;
        const QStringList search{"search", "--onlyvisible",
                                 "--pid",  QString::number(window.processId()),
                                 "--name", "^Job Monitor"};
        // Looked up once per round and the answer kept: a window that was just mapped can drop
        // out of a search for a moment (reparenting), and QTRY_VERIFY asks twice.
        const auto findWindow = [&found](const QStringList &arguments) {
            QDeadlineTimer deadline(30s);
            while ((found = runXTool(QStringLiteral("xdotool"), arguments)
                                .value_or(QByteArray())
                                .trimmed())
                       .isEmpty() &&
                   !deadline.hasExpired())
                QTest::qWait(50);
            return !found.isEmpty();
        };
        QVERIFY2(findWindow(search), window.readAllStandardError().constData());
        const qulonglong jobMonitor = found.split('\n').constFirst().toULongLong();
        QTRY_COMPARE_WITH_TIMEOUT(activeWindow(), jobMonitor, 10000);

        // Another client's window over it, clicked into well after the window's last event.
        QTest::qWait(1500);
        cover.start(QStringLiteral("xmessage"),
                    {"-name", "jmcover", "-geometry", "1380x980+0+0", "a window on top"});
        QVERIFY2(cover.waitForStarted(10000), "xmessage is missing: run .ci/setup");
        pids << cover.processId();
        QVERIFY(findWindow({"search", "--onlyvisible", "--classname", "^jmcover$"}));
        const qulonglong other = found.split('\n').constFirst().toULongLong();
        QVERIFY(
            runXTool(QStringLiteral("xdotool"),
                     {"mousemove", "--window", QString::number(other), "40", "40", "click", "1"}));
        QTRY_COMPARE_WITH_TIMEOUT(activeWindow(), other, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(topWindow(), other, 10000);
        QTest::qWait(1500);
        QVERIFY(
            runXTool(QStringLiteral("xdotool"),
                     {"mousemove", "--window", QString::number(other), "80", "60", "click", "1"}));
        QTest::qWait(1000);

        // `jobmonitor --job` from a terminal: its id, once the job has run; 0 on failure.
        int round = 0;
        const auto handOver = [&]() -> qint64 {
            QProcess second;
            second.setProcessEnvironment(environment);
            const QString pidFile = dir.filePath(QStringLiteral("job%1.pid").arg(++round));
            const QString command =
                QStringLiteral("echo \"main $$\" > '%1'; echo raised").arg(pidFile);
            startJobmonitor(second, {"--state-dir", dir.filePath("second"), "--job", command});
            if (!second.waitForStarted(10000))
                return 0;
            pids << second.processId();
            if (!QTest::qWaitFor([&] { return second.state() == QProcess::NotRunning; }, 30000) ||
                second.exitCode() != 0)
                return 0;
            pids << waitForPids(pidFile, 1, 30s);
            return second.readAllStandardOutput().trimmed().toLongLong();
        };
        // The window is active and on top, and its title names the job it shows.
        const auto showsJob = [&](qint64 id) {
            return QTest::qWaitFor(
                [&] {
                    return activeWindow() == jobMonitor && topWindow() == jobMonitor &&
                           runXTool(QStringLiteral("xdotool"),
                                    {"getwindowname", QString::number(jobMonitor)})
                               .value_or(QByteArray())
                               .contains(QStringLiteral(" — #%1 echo \"main").arg(id).toUtf8());
                },
                10000);
        };
        const qint64 first = handOver();
        QVERIFY(first > 0);
        QVERIFY(showsJob(first));

        // Minimised, it comes back too.
        QVERIFY(runXTool(QStringLiteral("xdotool"),
                         {"windowminimize", "--sync", QString::number(jobMonitor)}));
        QTRY_VERIFY_WITH_TIMEOUT(activeWindow() != jobMonitor, 10000);
        const qint64 second = handOver();
        QVERIFY(second > first);
        QVERIFY(showsJob(second));

        QCOMPARE(::kill(pid_t(window.processId()), SIGTERM), 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.state(), QProcess::NotRunning, 30000);
        QCOMPARE(window.exitCode(), 128 + SIGTERM);
        cover.terminate();
        bus.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(
            cover.state() == QProcess::NotRunning && bus.state() == QProcess::NotRunning, 10000);
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
    }

    // Ctrl+Home shows line 1 of an output far longer than the kept tail, read back from the
    // saved output; Ctrl+End goes back to its last line and follows it.
    void wholeOutputKeys() {
        XWindow w;
        QVERIFY(w.load());
        Job *job = w.supervisor.start(spec(QStringLiteral("seq 1 20000"))).job;
        QMetaObject::invokeMethod(w.find(QStringLiteral("jobList")), "select",
                                  Q_ARG(QVariant, job->id()));
        QTRY_COMPARE(job->state(), JobState::Completed);
        OutputModel *output = w.details()->output();
        QTRY_VERIFY(output->isPaged());
        QTRY_COMPARE(output->rowCount(), 20000);
        QVERIFY(output->droppedLines() > 0);
        QQuickItem *lines = w.find<QQuickItem>(QStringLiteral("outputLines"));
        QMetaObject::invokeMethod(lines, "forceActiveFocus");
        QVERIFY(w.focusWithin(QStringLiteral("outputLines")));
        // The number and the text of the line at the top of the view, once it is read.
        auto top = [&] {
            QQuickItem *line = nullptr;
            QMetaObject::invokeMethod(lines, "itemAt", Q_RETURN_ARG(QQuickItem *, line),
                                      Q_ARG(qreal, lines->property("contentX").toReal() + 2),
                                      Q_ARG(qreal, lines->property("contentY").toReal() + 2));
            const auto *text =
                line ? line->findChild<QQuickItem *>(QStringLiteral("lineText")) : nullptr;
            return text ? text->property("text").toString().remove(QChar(0x200e)) : QString();
        };
        QVERIFY(w.keys({"ctrl+Home"}));
        QTRY_COMPARE_WITH_TIMEOUT(top(), QStringLiteral("1"), 10000);
        QVERIFY(!w.outputView()->property("following").toBool());
        QVERIFY(w.keys({"ctrl+End"}));
        QTRY_VERIFY(w.outputView()->property("following").toBool());
        QTRY_VERIFY(lines->property("atYEnd").toBool());
        QVERIFY(runTask(w.supervisor.shutdown(), 10s));
    }

    void softwareRenderers_data() {
        QTest::addColumn<QByteArray>("renderer");
        QTest::addColumn<bool>("software");
        QTest::newRow("llvmpipe") << QByteArray("llvmpipe (LLVM 15.0.6, 256 bits)") << true;
        QTest::newRow("softpipe") << QByteArray("softpipe") << true;
        QTest::newRow("old swrast") << QByteArray("Software Rasterizer") << true;
        QTest::newRow("Intel") << QByteArray("Mesa Intel(R) UHD Graphics 620 (KBL GT2)") << false;
        QTest::newRow("AMD, built with LLVM")
            << QByteArray("AMD Radeon RX 580 Series (polaris10, LLVM 15.0.6, DRM 3.49)") << false;
        QTest::newRow("NVIDIA") << QByteArray("NVIDIA GeForce GTX 1050/PCIe/SSE2") << false;
        QTest::newRow("no OpenGL") << QByteArray() << false;
    }
    void softwareRenderers() {
        QFETCH(QByteArray, renderer);
        QFETCH(bool, software);
        QCOMPARE(drawsInSoftware(renderer), software);
    }

    // Xvfb's OpenGL is Mesa's llvmpipe: the window draws with Qt Quick's software renderer.
    void drawsWithTheSoftwareRendererWithoutGpu() {
        const QByteArray renderer = openGlRenderer();
        QVERIFY2(drawsInSoftware(renderer), renderer.constData());
        XWindow w;
        QVERIFY(w.load());
        QCOMPARE(w.window->rendererInterface()->graphicsApi(), QSGRendererInterface::Software);
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
