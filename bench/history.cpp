// The job history at scale: a store of 100 000 jobs against an empty one. Lists the newest 50
// with the real `jobmonitor history` (process start, store opening and all, as a script would)
// and searches it, each as a ratio against the same command on the empty store; and the page
// queries the window will make (the first page, a page deep down, a search), in process.

#include "benchutil.h"
#include "jobstore.h"
#include "logging.h"

#include <QCoreApplication>
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

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
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
    return 0;
}
