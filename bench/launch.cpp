// Launch throughput: 1000 jobs of `true` through the supervisor with max-parallel 2, against
// `xargs -P2 -n1 sh -c true` in the same run: once with the engine alone, once as the app runs
// them (every job, attempt and transition recorded in the store, each attempt's output saved,
// the last write committed before the clock stops). Rounds alternate between the variants so
// that drift in the machine's load hits all alike.

#include "benchutil.h"
#include "jobstore.h"
#include "logging.h"

#include <QCoreApplication>
#include <QTemporaryDir>

using namespace jobmonitor;
using namespace jobmonitor::bench;

// CPU time of this process (every thread: the store's worker too), not of the jobs.
static double cpuMs() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

struct Timing {
    double wallMs;
    double cpuMs;
};

static Timing timeSupervisor(int jobs, bool withStore) {
    QTemporaryDir stateDir;
    std::unique_ptr<JobStore> store;
    if (withStore)
        store = std::make_unique<JobStore>(stateDir.path(), RunKind::Headless);
    JobSupervisor supervisor(JobSupervisor::Config{
        .maxParallel = 2,
        .outputDirectory = store ? store->outputRoot() : QString(),
        .keepTails = false,
        .recorder = store.get(),
    });
    QElapsedTimer timer;
    timer.start();
    const double cpuStart = cpuMs();
    JobSpec spec;
    spec.command = QStringLiteral("true");
    for (int i = 0; i < jobs; ++i)
        supervisor.start(spec);
    spinUntil([&]() { return supervisor.count(JobState::Completed) == jobs; });
    if (store)
        store->flush();
    const Timing timing{double(timer.nsecsElapsed()) / 1e6, cpuMs() - cpuStart};
    awaitTask(supervisor.shutdown());
    return timing;
}

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const int jobs = 1000;
    const int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 5;
    const QString xargs = QStringLiteral("seq %1 | xargs -P2 -n1 sh -c true").arg(jobs);
    QList<double> baseline, engine, stored, engineCpu, storedCpu;
    for (int round = 0; round < rounds; ++round) {
        baseline << timeShell(xargs);
        const Timing e = timeSupervisor(jobs, false);
        const Timing s = timeSupervisor(jobs, true);
        engine << e.wallMs;
        engineCpu << e.cpuMs;
        stored << s.wallMs;
        storedCpu << s.cpuMs;
    }
    const double b = median(baseline), e = median(engine), s = median(stored);
    std::printf("launch: %d jobs of `true`, max-parallel 2, median of %d rounds\n", jobs, rounds);
    std::printf("  xargs -P2 -n1 sh -c true           : %8.1f ms\n", b);
    std::printf("  Job Monitor engine                 : %8.1f ms  ratio %.2f  (app CPU %.0f ms)\n",
                e, e / b, median(engineCpu));
    std::printf("  ... with the store and saved output: %8.1f ms  ratio %.2f  (app CPU %.0f ms)"
                "  target <= 1.5\n",
                s, s / b, median(storedCpu));
    return 0;
}
