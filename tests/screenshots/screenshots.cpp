// Drives the real main window through the states worth showing and saves a PNG of each:
// empty, three jobs running with output, a failed job's state machine, the stopping overlay.
// Run under a real display server (take-screenshots.sh uses Xvfb); not a test.
#include "guiapplication.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QDir>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;

namespace {

JobSpec spec(const QString &command, const QString &name = {}) {
    JobSpec s;
    s.command = command;
    s.name = name;
    return s;
}

void select(QQuickWindow *window, int jobId) {
    QMetaObject::invokeMethod(window->findChild<QObject *>(QStringLiteral("jobList")), "select",
                              Q_ARG(QVariant, jobId));
}

void showTab(QQuickWindow *window, int tab) {
    window->findChild<QObject *>(QStringLiteral("jobDetails"))->setProperty("currentTab", tab);
}

bool save(QQuickWindow *window, const QDir &dir, const QString &name) {
    QTest::qWait(400); // let the last batch of output and the animations settle
    const QString path = dir.filePath(name);
    if (!window->grabWindow().save(path)) {
        qCritical("cannot write %s", qPrintable(path));
        return false;
    }
    qInfo("wrote %s", qPrintable(path));
    return true;
}

template<typename Predicate>
bool waitFor(Predicate done, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QTest::qWait(20);
    return done();
}

} // namespace

int main(int argc, char *argv[]) {
    QGuiApplication app(argc, argv);
    setupStderrLogging();
    const QDir out(argc > 1 ? QString::fromLocal8Bit(argv[1]) : QDir::currentPath());
    QTemporaryDir logs;
    JobSupervisor supervisor(JobSupervisor::Config{4, logs.path()});
    JobService service(&supervisor);
    ShutdownCoordinator coordinator(&supervisor);
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    window->resize(1280, 800);
    if (!QTest::qWaitForWindowExposed(window) || !save(window, out, "01-empty.png"))
        return 1;

    // Three jobs running with output; the build is selected.
    supervisor.start(spec(
        QStringLiteral("for i in $(seq 1 400); do echo \"[$i/400] compiling src/module_$i.cpp\"; "
                       "if [ $((i % 7)) -eq 0 ]; then echo \"warning: unused variable 'x' in "
                       "module_$i.cpp\" >&2; fi; "
                       "sleep 0.01; done; sleep 600"),
        QStringLiteral("Build firmware")));
    supervisor.start(spec(QStringLiteral("while true; do date '+%T tick'; sleep 0.5; done")));
    const int build = supervisor.jobs().constFirst()->id();
    supervisor.start(spec(QStringLiteral("ping -c 1000 -i 0.2 127.0.0.1 2>&1 || "
                                         "while true; do echo 'syncing shard'; sleep 0.3; done"),
                          QStringLiteral("Sync shards")));
    select(window, build);
    QTest::qWait(2500);
    if (!save(window, out, "02-running.png"))
        return 1;

    // A job that failed after retrying: its state machine.
    JobSpec flaky = spec(QStringLiteral("echo 'connecting to db.internal:5432'; "
                                        "echo 'error: connection refused' >&2; exit 3"),
                         QStringLiteral("Migrate database"));
    flaky.maxAttempts = 3;
    flaky.backoff.initial = std::chrono::milliseconds(200);
    Job *failed = supervisor.start(flaky).job;
    if (!waitFor([failed] { return failed->state() == JobState::Failed; }, 10000))
        return 1;
    select(window, failed->id());
    showTab(window, 1);
    if (!save(window, out, "03-failed-state-machine.png"))
        return 1;

    // Quitting while jobs run: one ignores SIGTERM, so the overlay shows its countdown.
    JobSpec stubborn = spec(QStringLiteral("trap '' TERM; sleep 600"), QStringLiteral("Stubborn"));
    stubborn.termination = TerminationSequence::standard(std::chrono::milliseconds(8000));
    supervisor.start(stubborn);
    showTab(window, 0);
    QTest::qWait(300);
    coordinator.requestShutdown(QStringLiteral("window closed"), 0);
    QTest::qWait(1200);
    if (!save(window, out, "04-stopping-overlay.png"))
        return 1;

    coordinator.forceNow(QStringLiteral("kill all"));
    return waitFor(
               [&] { return supervisor.activeCount() == 0 && supervisor.processesAlive() == 0; },
               10000)
               ? 0
               : 1;
}
