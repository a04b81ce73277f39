// Drives the real main window through the states worth showing and saves a PNG of each:
// empty, jobs running with coloured output and a search, a retried job's output and its state
// machine, the stopping overlay, and the history of earlier runs searched in the list. With
// --dark the application gets a dark palette first, as a
// dark desktop gives it, and the files are named *-dark.png.
// Run under a real display server (take-screenshots.sh uses Xvfb); not a test.
#include "guiapplication.h"
#include "jobdetails.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QPalette>
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

QString g_suffix;

// A dark desktop's palette, as KDE's Breeze Dark and GNOME's Adwaita dark give applications.
QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2a, 0x2e, 0x32), base(0x1b, 0x1e, 0x20), text(0xfc, 0xfc, 0xfc);
    const QColor button(0x31, 0x36, 0x3b), highlight(0x3d, 0xae, 0xe9);
    for (const auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, window);
        p.setColor(group, QPalette::WindowText, text);
        p.setColor(group, QPalette::Base, base);
        p.setColor(group, QPalette::AlternateBase, window);
        p.setColor(group, QPalette::Text, text);
        p.setColor(group, QPalette::Button, button);
        p.setColor(group, QPalette::ButtonText, text);
        p.setColor(group, QPalette::Highlight, highlight);
        p.setColor(group, QPalette::HighlightedText, QColor(0x1b, 0x1e, 0x20));
        p.setColor(group, QPalette::ToolTipBase, window);
        p.setColor(group, QPalette::ToolTipText, text);
        p.setColor(group, QPalette::PlaceholderText, QColor(0xa1, 0xa9, 0xb1));
        p.setColor(group, QPalette::Light, QColor(0x40, 0x46, 0x4c));
        p.setColor(group, QPalette::Midlight, QColor(0x36, 0x3b, 0x40));
        p.setColor(group, QPalette::Mid, QColor(0x20, 0x23, 0x26));
        p.setColor(group, QPalette::Dark, QColor(0x18, 0x1a, 0x1c));
        p.setColor(group, QPalette::Shadow, QColor(0x10, 0x10, 0x10));
        p.setColor(group, QPalette::Link, highlight);
    }
    p.setColor(QPalette::Disabled, QPalette::Window, window);
    p.setColor(QPalette::Disabled, QPalette::Base, base);
    p.setColor(QPalette::Disabled, QPalette::Button, button);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x6e, 0x74, 0x7a));
    return p;
}

bool save(QQuickWindow *window, const QDir &dir, QString name) {
    QTest::qWait(400); // let the last batch of output and the animations settle
    name.replace(QLatin1String(".png"), g_suffix + QLatin1String(".png"));
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

// A store that earlier runs left 300 jobs in, over the last two weeks.
void fillHistory(const QString &stateDir) {
    JobStore earlier(stateDir, RunKind::Headless);
    const QStringList commands{
        QStringLiteral("make -C ~/src/firmware test"),
        QStringLiteral("rsync -a --delete ~/photos/ /mnt/backup/photos/"),
        QStringLiteral("pytest -q tests/integration"),
        QStringLiteral("./scripts/nightly-backup.sh --verify"),
        QStringLiteral("ffmpeg -i talk.mkv -c:v libx264 talk.mp4"),
    };
    const QStringList names{QStringLiteral("Build firmware"), QString(), QString(),
                            QStringLiteral("Nightly backup"), QString()};
    const QDateTime start = QDateTime::currentDateTime().addDays(-14);
    for (int i = 0; i < 300; ++i) {
        JobRecord job;
        job.id = earlier.allocateJobId();
        job.spec.command = commands[i % commands.size()];
        job.spec.name = names[i % names.size()];
        job.spec.workingDirectory = QDir::homePath();
        job.createdAt = start.addSecs(i * 4000);
        job.startedAt = job.createdAt;
        job.endedAt = job.createdAt.addSecs(40 + (i * 37) % 600);
        job.attempts = 1;
        job.state = i % 11 == 0   ? JobState::Failed
                    : i % 17 == 0 ? JobState::TimedOut
                    : i % 23 == 0 ? JobState::Cancelled
                                  : JobState::Completed;
        if (job.state != JobState::TimedOut && job.state != JobState::Cancelled)
            job.exitCode = job.state == JobState::Failed ? 1 : 0;
        else
            job.signal = 15;
        const QString attemptDir = earlier.outputRoot() + QStringLiteral("/%1/1").arg(job.id);
        QDir().mkpath(attemptDir);
        QFile out(attemptDir + QStringLiteral("/stdout"));
        if (out.open(QIODevice::WriteOnly))
            for (int line = 1; line <= 40; ++line)
                out.write(QStringLiteral("[%1/40] %2: step %1 done\n")
                              .arg(line)
                              .arg(job.spec.label())
                              .toUtf8());
        QFile(attemptDir + QStringLiteral("/stderr")).open(QIODevice::WriteOnly);
        job.outputDirectory = attemptDir;
        earlier.writeJob(job);
        AttemptRecord attempt;
        attempt.jobId = job.id;
        attempt.attempt = 1;
        attempt.startedAt = job.startedAt;
        attempt.endedAt = job.endedAt;
        attempt.outcome = QStringLiteral("Exited");
        attempt.exitCode = job.exitCode;
        attempt.outputDirectory = attemptDir;
        earlier.writeAttempt(attempt);
    }
    earlier.flush();
}

// The list with the history of earlier runs, searched, a stored job's saved output shown.
bool historyShot(const QDir &out) {
    QTemporaryDir state;
    fillHistory(state.path());
    JobStore store(state.path(), RunKind::Window);
    JobSupervisor supervisor(JobSupervisor::Config{
        .maxParallel = 2, .outputDirectory = store.outputRoot(), .recorder = &store});
    JobService service(&supervisor, &store);
    ShutdownCoordinator coordinator(&supervisor);
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        return false;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    window->resize(1280, 800);
    if (!QTest::qWaitForWindowExposed(window))
        return false;
    auto *list = window->findChild<QObject *>(QStringLiteral("jobList"));
    window->findChild<QObject *>(QStringLiteral("listSearch"))
        ->setProperty("text", QStringLiteral("backup"));
    QObject *jobs = qvariant_cast<QObject *>(list->property("allJobs"));
    if (!waitFor(
            [&] {
                return list->property("search").toString() == QLatin1String("backup") &&
                       !jobs->property("loading").toBool() &&
                       list->property("count").toInt() >= 100;
            },
            10000))
        return false;
    QMetaObject::invokeMethod(list, "forceActiveFocus");
    QTest::keyClick(window, Qt::Key_Home);
    QTest::keyClick(window, Qt::Key_Down);
    auto *details = qvariant_cast<JobDetails *>(
        window->findChild<QObject *>(QStringLiteral("jobDetails"))->property("details"));
    if (!waitFor([&] { return details->isValid() && details->output()->rowCount() == 40; }, 10000))
        return false;
    QTest::qWait(300);
    return save(window, out, "07-history.png");
}

} // namespace

int main(int argc, char *argv[]) {
    QGuiApplication app(argc, argv);
    setupStderrLogging();
    QStringList arguments = app.arguments().mid(1);
    if (arguments.removeAll(QStringLiteral("--dark")) > 0) {
        QGuiApplication::setPalette(darkPalette());
        g_suffix = QStringLiteral("-dark");
    }
    const QDir out(!arguments.isEmpty() ? arguments.constFirst() : QDir::currentPath());
    if (!historyShot(out))
        return 1;
    QTemporaryDir logs;
    // Room for every job the pictures show running at once, the charted one included.
    JobSupervisor supervisor(JobSupervisor::Config{6, logs.path()});
    JobService service(&supervisor);
    ShutdownCoordinator coordinator(&supervisor);
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    window->resize(1280, 800);
    if (!QTest::qWaitForWindowExposed(window) || !save(window, out, "01-empty.png"))
        return 1;

    // The New job form, empty: Start is greyed out and says why.
    QObject *newJob = window->findChild<QObject *>(QStringLiteral("newJobDialog"));
    QMetaObject::invokeMethod(newJob, "openEmpty");
    if (!save(window, out, "06-new-job.png"))
        return 1;
    QMetaObject::invokeMethod(newJob, "close");

    // Three jobs running with output; the build is selected, its colours drawn, a search on.
    supervisor.start(spec(
        QStringLiteral("for i in $(seq 1 400); do printf '\\033[1;34m[%3d/400]\\033[0m compiling "
                       "src/module_%d.cpp\\n' $i $i; "
                       "if [ $((i % 7)) -eq 0 ]; then printf '\\033[33mwarning:\\033[0m unused "
                       "variable \\047x\\047 in module_%d.cpp\\n' $i >&2; fi; "
                       "sleep 0.01; done; sleep 600"),
        QStringLiteral("Build firmware")));
    supervisor.start(spec(QStringLiteral("while true; do date '+%T tick'; sleep 0.5; done")));
    const int build = supervisor.jobs().constFirst()->id();
    supervisor.start(spec(QStringLiteral("ping -c 1000 -i 0.2 127.0.0.1 2>&1 || "
                                         "while true; do echo 'syncing shard'; sleep 0.3; done"),
                          QStringLiteral("Sync shards")));
    select(window, build);
    QTest::qWait(2500);
    window->findChild<QObject *>(QStringLiteral("searchField"))
        ->setProperty("text", QStringLiteral("warning"));
    auto *details = qvariant_cast<JobDetails *>(
        window->findChild<QObject *>(QStringLiteral("jobDetails"))->property("details"));
    details->output()->search(QStringLiteral("warning"), 0);
    details->output()->previousMatch();
    QMetaObject::invokeMethod(window->findChild<QObject *>(QStringLiteral("outputView")),
                              "showCurrentMatch");
    if (!save(window, out, "02-running.png"))
        return 1;
    details->output()->search(QString(), 0);
    window->findChild<QObject *>(QStringLiteral("searchField"))->setProperty("text", QString());

    // A job that works and grows, its progress read from its output: the charts of its CPU and
    // memory, sampled once a second while it is shown, and its memory limit.
    JobSpec crunch = spec(QStringLiteral("for i in $(seq 1 100); do echo \"[$i/100] crunching "
                                         "chunk $i\"; x=\"$x$(head -c 400000 /dev/zero | tr "
                                         "'\\0' x)\"; sleep 0.15; done; sleep 600"),
                          QStringLiteral("Crunch data"));
    crunch.memoryLimitBytes = qint64(2) << 30;
    crunch.niceness = 10;
    Job *crunching = supervisor.start(crunch).job;
    select(window, crunching->id());
    showTab(window, 2);
    QTest::qWait(9000);
    if (!save(window, out, "07-resources.png"))
        return 1;
    showTab(window, 0);

    // A job that failed after retrying: its output, attempt by attempt, and its state machine.
    JobSpec flaky = spec(QStringLiteral("echo 'connecting to db.internal:5432'; "
                                        "echo 'error: connection refused' >&2; exit 3"),
                         QStringLiteral("Migrate database"));
    flaky.maxAttempts = 3;
    flaky.backoff.initial = std::chrono::milliseconds(200);
    Job *failed = supervisor.start(flaky).job;
    if (!waitFor([failed] { return failed->state() == JobState::Failed; }, 10000))
        return 1;
    select(window, failed->id());
    if (!save(window, out, "05-attempts.png"))
        return 1;
    showTab(window, 1);
    if (!save(window, out, "03-failed-state-machine.png"))
        return 1;

    // Groups: a pipeline waiting on its build, a rate-limited group paused, a delayed job.
    service.saveGroup({QStringLiteral("build"), 2, {}, true});
    service.saveGroup({QStringLiteral("net"), 0, {2, std::chrono::seconds(10), 1}, false});
    QList<BatchJob> pipeline;
    for (const auto &[command, name] :
         {std::pair{"sleep 600", "Compile"}, std::pair{"sleep 600", "Test"},
          std::pair{"sleep 600", "Install"}}) {
        BatchJob job{spec(QString::fromLatin1(command), QString::fromLatin1(name)), {}};
        job.spec.group = QStringLiteral("build");
        if (!pipeline.isEmpty())
            job.afterBatch.append({int(pipeline.size()) - 1, JobDependency::Condition::Success});
        pipeline.append(job);
    }
    service.addBatch(pipeline);
    for (int i = 1; i <= 3; ++i) {
        JobSpec upload =
            spec(QStringLiteral("sleep 600"), QStringLiteral("Upload shard %1").arg(i));
        upload.group = QStringLiteral("net");
        service.add(upload);
    }
    service.pauseGroup(QStringLiteral("net"), false);
    JobSpec nightly = spec(QStringLiteral("./backup.sh"), QStringLiteral("Nightly backup"));
    nightly.startAt = QDateTime::currentDateTime().addSecs(3 * 3600 + 17 * 60);
    service.add(nightly);
    // The pointer off the list, so that no row shows its tooltip.
    QTest::mouseMove(window, QPoint(window->width() - 5, window->height() - 5));
    QTest::qWait(1500);
    select(window, supervisor.jobs().constLast()->id());
    if (!save(window, out, "07-groups.png"))
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
