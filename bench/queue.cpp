// Queue admission: 10 000 jobs queued at once in 20 groups, each job after the one before it
// in its group and every tenth also after a job of another group, against the same number of
// plain jobs in one group (the baseline, same run). Every group is paused while they are
// added, so the figure is what queueing costs (specs, ids, dependency tracking, the queues
// and their order), not running them. Then the groups run their queues (2 at a time each)
// while a 5 ms timer probes how late the event loop serves it: the window shares this loop,
// so its longest stall is the window's. Baselines: the same probe on an idle loop, and with
// as many plain jobs running at once in one queue.
//
//   jm-bench-queue [JOBS]    (default 10 000)

#include "benchutil.h"
#include "logging.h"
#include "scheduler.h"

#include <QCoreApplication>

using namespace jobmonitor;
using namespace jobmonitor::bench;

namespace {

constexpr int Groups = 20;
constexpr int PerGroup = 2;
constexpr int ProbeIntervalMs = 5;
constexpr int ProbeMs = 5000;

QString groupName(int i) {
    return QStringLiteral("g%1").arg(i);
}

struct Stall {
    double longestMs = 0;
    double p99Ms = 0;
};

// How late a 5 ms timer fires over `ms` milliseconds of the event loop.
Stall probe(int ms) {
    QList<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(ProbeIntervalMs);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness << std::max(0.0, double(now - last) / 1e6 - ProbeIntervalMs);
        last = now;
    });
    last = clock.nsecsElapsed();
    timer.start();
    runEventLoopFor(ms);
    std::sort(lateness.begin(), lateness.end());
    return {lateness.isEmpty() ? 0 : lateness.last(),
            lateness.isEmpty() ? 0 : lateness[qsizetype(double(lateness.size() - 1) * 0.99)]};
}

// Microseconds per job of queueing `jobs` jobs in one batch.
double admit(JobSupervisor &supervisor, const QList<BatchJob> &batch) {
    QElapsedTimer timer;
    timer.start();
    const BatchStartResult started = supervisor.startBatch(batch);
    const double us = double(timer.nsecsElapsed()) / 1e3 / double(batch.size());
    if (started.jobs.size() != batch.size())
        std::fprintf(stderr, "queueing failed: %s\n", qPrintable(started.error));
    return us;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const int jobs = argc > 1 ? std::max(Groups, atoi(argv[1])) : 10000;
    JobSpec spec;
    spec.command = QStringLiteral("true");

    // The baseline: plain jobs, one group, paused.
    double plainUs = 0;
    Stall plainRunning;
    int plainCompleted = 0;
    {
        JobSupervisor supervisor(JobSupervisor::Config{
            .maxParallel = Groups * PerGroup, .outputDirectory = {}, .keepTails = false});
        supervisor.pauseGroup(QString(), false);
        plainUs = admit(supervisor, QList<BatchJob>(jobs, BatchJob{spec, {}}));
        // The same number running at once, one plain queue: what starting and ending the
        // processes costs the loop by itself.
        supervisor.resumeGroup(QString());
        plainRunning = probe(ProbeMs);
        plainCompleted = supervisor.count(JobState::Completed);
        awaitTask(supervisor.shutdown());
    }

    JobSupervisor supervisor(JobSupervisor::Config{
        .maxParallel = Groups * PerGroup, .outputDirectory = {}, .keepTails = false});
    for (int g = 0; g < Groups; ++g) {
        supervisor.scheduler().setGroup({groupName(g), PerGroup, {}, false});
        supervisor.pauseGroup(groupName(g), false);
    }
    QList<BatchJob> batch;
    for (int i = 0; i < jobs; ++i) {
        BatchJob job{spec, {}};
        job.spec.group = groupName(i % Groups);
        job.spec.priority = i % 3;
        if (i >= Groups)
            job.afterBatch.append({i - Groups, JobDependency::Condition::Success});
        if (i % 10 == 9)
            job.afterBatch.append({i - 1, JobDependency::Condition::AnyEnd});
        batch.append(job);
    }
    const double queueUs = admit(supervisor, batch);

    const Stall idle = probe(ProbeMs);
    for (int g = 0; g < Groups; ++g)
        supervisor.resumeGroup(groupName(g));
    const Stall running = probe(ProbeMs);
    const int completed = supervisor.count(JobState::Completed);
    QElapsedTimer cancelTimer;
    cancelTimer.start();
    awaitTask(supervisor.shutdown());
    const double shutdownMs = double(cancelTimer.nsecsElapsed()) / 1e6;

    std::printf("queue: %d jobs in %d groups with dependencies, queued while paused\n", jobs,
                Groups);
    std::printf("  plain jobs, one group (baseline)  : %8.1f us per job\n", plainUs);
    std::printf("  groups, dependencies, priorities  : %8.1f us per job  ratio %.2f\n", queueUs,
                queueUs / plainUs);
    std::printf("  event loop, idle (baseline)       : longest stall %6.1f ms, p99 %5.1f ms\n",
                idle.longestMs, idle.p99Ms);
    std::printf("  event loop, plain jobs running    : longest stall %6.1f ms, p99 %5.1f ms"
                "  (%d jobs completed in %d s)\n",
                plainRunning.longestMs, plainRunning.p99Ms, plainCompleted, ProbeMs / 1000);
    std::printf("  event loop, %2d groups running     : longest stall %6.1f ms, p99 %5.1f ms"
                "  (%d jobs completed in %d s)\n",
                Groups, running.longestMs, running.p99Ms, completed, ProbeMs / 1000);
    std::printf("  shutdown, cancelling the rest     : %8.1f ms\n", shutdownMs);
    return 0;
}
