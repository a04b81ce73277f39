// The job history at scale: a store of 100 000 jobs against an empty one. Lists the newest 50
// with the real `jobmonitor history` (process start, store opening and all, as a script would)
// and searches it, each as a ratio against the same command on the empty store; the page
// queries the window makes (the first page, a page deep down, a search), in process; and the
// real window on each store: the time to its first frame and to the first frame that shows
// the first page of the history, and a search typed into the list until its first page shows;
// and the search over a job's whole saved output (256 MiB) against grep on the same file.
// The window runs offscreen unless a display is given (QT_QPA_PLATFORM).

#include "benchutil.h"
#include "guiapplication.h"
#include "jobservice.h"
#include "jobstore.h"
#include "logging.h"
#include "outputsearch.h"
#include "shutdowncoordinator.h"

#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>

using namespace jobmonitor;
using namespace jobmonitor::bench;

namespace {

void fill(const QString &stateDir, int jobs) {
    JobStore store(stateDir, RunKind::Headless);
    const QDateTime start = QDateTime::currentDateTime().addDays(-30);
    for (int i = 0; i < jobs; ++i) {
        JobRecord job;
        job.id = store.allocateJobId();
        job.spec.command = QStringLiteral("make -C /src/project-%1 test-%2").arg(i % 97).arg(i);
        job.spec.workingDirectory = QStringLiteral("/src/project-%1").arg(i % 97);
        job.createdAt = start.addSecs(i * 20);
        store.writeJob(job);
        AttemptRecord attempt;
        attempt.jobId = job.id;
        attempt.attempt = 1;
        attempt.traceId = QStringLiteral("%1").arg(i, 12, 16, QLatin1Char('0'));
        attempt.startedAt = job.createdAt;
        attempt.endedAt = job.createdAt.addSecs(10);
        attempt.outcome = QStringLiteral("Exited");
        attempt.exitCode = i % 10 ? 0 : 2;
        attempt.outputDirectory = QStringLiteral("%1/output/%2/1").arg(stateDir).arg(job.id);
        store.writeAttempt(attempt);
        job.attempts = 1;
        job.startedAt = attempt.startedAt;
        job.state = JobState::Running;
        job.traceId = attempt.traceId;
        store.writeTransition(job.id,
                              {JobState::Pending,
                               JobState::Running,
                               JobEvent::Launch,
                               job.startedAt,
                               QStringLiteral("attempt 1 of 1 started"),
                               1,
                               {},
                               {}},
                              job);
        job.state = i % 10 ? JobState::Completed : JobState::Failed;
        job.exitCode = attempt.exitCode;
        job.endedAt = attempt.endedAt;
        store.writeTransition(job.id,
                              {JobState::Running,
                               job.state,
                               i % 10 ? JobEvent::Exited : JobEvent::ExitedWithError,
                               job.endedAt,
                               QStringLiteral("exit code %1").arg(*job.exitCode),
                               1,
                               job.exitCode,
                               {}},
                              job);
        if (i % 10000 == 9999)
            store.flush(); // as a long-lived app would: the worker keeps up
    }
    store.flush();
}

double timeCli(const QString &stateDir, const QStringList &arguments) {
    QElapsedTimer timer;
    timer.start();
    QProcess process;
    process.setProgram(QCoreApplication::applicationDirPath() + QStringLiteral("/jobmonitor"));
    process.setArguments(
        QStringList{QStringLiteral("history"), QStringLiteral("--state-dir"), stateDir} +
        arguments);
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start();
    process.waitForFinished(-1);
    return double(timer.nsecsElapsed()) / 1e6;
}

double timeQuery(JobStore &store, const JobQuery &query) {
    QElapsedTimer timer;
    timer.start();
    const QList<JobRecord> records = store.jobs(query);
    return records.isEmpty() && query.limit != 0 ? -1 : double(timer.nsecsElapsed()) / 1e6;
}

struct WindowTimes {
    double firstFrame = 0;   // ms from loading the window to its first frame
    double historyShown = 0; // ... to the first frame after the first page of jobs arrived
    double search = 0;       // ms from setting a search to the frame showing its first page
};

// The window as the application opens it on stateDir; expected: the rows the first page
// shows (0 for an empty store).
WindowTimes timeWindow(const QString &stateDir, int expected, const QString &searchText,
                       int searchExpected) {
    JobStore store(stateDir, RunKind::Window);
    JobSupervisor supervisor(JobSupervisor::Config{
        .maxParallel = 2, .outputDirectory = store.outputRoot(), .recorder = &store});
    JobService service(&supervisor, &store);
    ShutdownCoordinator coordinator(&supervisor);
    QElapsedTimer timer;
    timer.start();
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        std::exit(1);
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    auto *list = window->findChild<QQuickItem *>(QStringLiteral("jobList"));
    WindowTimes times;
    bool framed = false;
    QObject::connect(window, &QQuickWindow::frameSwapped, [&] {
        if (!framed)
            times.firstFrame = double(timer.nsecsElapsed()) / 1e6;
        framed = true;
    });
    spinUntil([&] { return framed; });
    // The first frame drawn once the list holds the first page.
    auto frameWith = [&](auto predicate) {
        bool shown = false;
        const auto connection = QObject::connect(window, &QQuickWindow::frameSwapped,
                                                 [&] { shown = shown || predicate(); });
        QTimer repaint;
        repaint.setInterval(1);
        QObject::connect(&repaint, &QTimer::timeout, window, &QQuickWindow::update);
        repaint.start();
        spinUntil([&] { return shown; });
        QObject::disconnect(connection);
        return double(timer.nsecsElapsed()) / 1e6;
    };
    times.historyShown = frameWith([&] { return list->property("count").toInt() >= expected; });
    QObject *history = qvariant_cast<QObject *>(list->property("allJobs"));
    timer.restart();
    list->setProperty("search", searchText);
    times.search = frameWith([&] {
        return !history->property("loading").toBool() &&
               list->property("count").toInt() == searchExpected;
    });
    return times;
}

// An attempt's saved output of about `mib` MiB of 80-byte lines, one in 10 000 with "needle".
void writeOutput(const QString &directory, int mib) {
    QFile out(directory + QStringLiteral("/stdout"));
    out.open(QIODevice::WriteOnly);
    QFile(directory + QStringLiteral("/stderr")).open(QIODevice::WriteOnly);
    const QByteArray hay(79, 'x');
    QByteArray block;
    for (int line = 0; line < 10000; ++line)
        block += (line == 5000 ? QByteArray("needle ").append(hay.left(72)) : hay) + '\n';
    for (qint64 written = 0; written < qint64(mib) * 1024 * 1024; written += block.size())
        out.write(block);
}

double timeWholeOutputSearch(const QString &directory) {
    OutputSearchModel search;
    search.setSources({{1, directory}});
    QElapsedTimer timer;
    timer.start();
    search.start(QStringLiteral("NEEDLE"));
    spinUntil([&] { return search.isFinished(); });
    return double(timer.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const int jobs = 100000;
    const int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 7;
    QTemporaryDir empty, full;
    fill(empty.path(), 0);
    QElapsedTimer filling;
    filling.start();
    fill(full.path(), jobs);
    std::printf("history: %d stored jobs (filled in %.1f s through the store's batches)\n", jobs,
                double(filling.elapsed()) / 1000.0);

    const QStringList newest{QStringLiteral("--limit"), QStringLiteral("50")};
    const QStringList search{QStringLiteral("--search"), QStringLiteral("test-4242"),
                             QStringLiteral("--json")};
    QList<double> newestEmpty, newestFull, searchEmpty, searchFull;
    for (int round = 0; round < rounds; ++round) {
        newestEmpty << timeCli(empty.path(), newest);
        newestFull << timeCli(full.path(), newest);
        searchEmpty << timeCli(empty.path(), search);
        searchFull << timeCli(full.path(), search);
    }
    const double ne = median(newestEmpty), nf = median(newestFull);
    const double se = median(searchEmpty), sf = median(searchFull);
    std::printf("  `history --limit 50`, empty store    : %7.1f ms\n", ne);
    std::printf("  `history --limit 50`, 100 000 jobs   : %7.1f ms  ratio %.2f\n", nf, nf / ne);
    std::printf("  `history --search TEXT`, empty store : %7.1f ms\n", se);
    std::printf("  `history --search TEXT`, 100 000 jobs: %7.1f ms  ratio %.2f\n", sf, sf / se);

    JobStore store(full.path(), RunKind::Client);
    JobQuery first;
    first.limit = 100;
    JobQuery deep = first;
    deep.after = JobQuery::Cursor{QDateTime::currentDateTime().addDays(-20), 0};
    JobQuery searching = first;
    searching.search = QStringLiteral("project-42 test-9");
    QList<double> firstPage, deepPage, searchPage;
    for (int round = 0; round < rounds; ++round) {
        firstPage << timeQuery(store, first);
        deepPage << timeQuery(store, deep);
        searchPage << timeQuery(store, searching);
    }
    std::printf(
        "  in process, a page of 100: newest %.2f ms, 30 000 deep %.2f ms, search %.2f ms\n",
        median(firstPage), median(deepPage), median(searchPage));

    // "test-4242" matches test-4242 and test-42420 .. test-42429: 11 jobs.
    QList<double> frameEmpty, frameFull, shownEmpty, shownFull, searchEmptyList, searchFullList;
    for (int round = 0; round < rounds; ++round) {
        const WindowTimes e = timeWindow(empty.path(), 0, QStringLiteral("test-4242"), 0);
        const WindowTimes f = timeWindow(full.path(), 100, QStringLiteral("test-4242"), 11);
        frameEmpty << e.firstFrame;
        frameFull << f.firstFrame;
        shownEmpty << e.historyShown;
        shownFull << f.historyShown;
        searchEmptyList << e.search;
        searchFullList << f.search;
    }
    std::printf("  window (%s), first frame: empty %.1f ms, 100 000 jobs %.1f ms  ratio %.2f\n",
                qPrintable(QGuiApplication::platformName()), median(frameEmpty), median(frameFull),
                median(frameFull) / median(frameEmpty));
    std::printf("  window, first frame with the history's first page: empty %.1f ms, "
                "100 000 jobs %.1f ms  ratio %.2f\n",
                median(shownEmpty), median(shownFull), median(shownFull) / median(shownEmpty));
    std::printf("  window, a search typed into the list until its jobs show: empty %.1f ms, "
                "100 000 jobs %.1f ms  ratio %.2f\n",
                median(searchEmptyList), median(searchFullList),
                median(searchFullList) / median(searchEmptyList));

    QTemporaryDir output;
    constexpr int OutputMiB = 256;
    writeOutput(output.path(), OutputMiB);
    QList<double> grepTimes, searchTimes;
    for (int round = 0; round < rounds; ++round) {
        // Through a pipe: grep stops at the first match when its output is /dev/null.
        grepTimes << timeShell(
            QStringLiteral("grep -ci needle '%1/stdout' | cat > /dev/null").arg(output.path()));
        searchTimes << timeWholeOutputSearch(output.path());
    }
    std::printf("  whole output search, %d MiB saved: grep -ci %.0f ms, Job Monitor %.0f ms  "
                "ratio %.1f (%.0f MiB/s, on a pool thread)\n",
                OutputMiB, median(grepTimes), median(searchTimes),
                median(searchTimes) / median(grepTimes),
                OutputMiB / (median(searchTimes) / 1000.0));
    return 0;
}
