// Launch throughput: 1000 jobs of `true` through the supervisor with max-parallel 2, against
// `xargs -P2 -n1 sh -c true` in the same run. Rounds alternate between the two so that drift
// in the machine's load hits both alike.

#include "benchutil.h"
#include "logging.h"

#include <QCoreApplication>

using namespace jobmonitor;
using namespace jobmonitor::bench;

static double timeSupervisor(int jobs) {
    JobSupervisor supervisor(JobSupervisor::Config{2, {}});
    QElapsedTimer timer;
    timer.start();
    JobSpec spec;
    spec.command = QStringLiteral("true");
    for (int i = 0; i < jobs; ++i)
        supervisor.start(spec);
    spinUntil([&]() { return supervisor.count(JobState::Completed) == jobs; });
    const double elapsed = double(timer.nsecsElapsed()) / 1e6;
    awaitTask(supervisor.shutdown());
    return elapsed;
}

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const int jobs = 1000;
    const int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 5;
    const QString xargs = QStringLiteral("seq %1 | xargs -P2 -n1 sh -c true").arg(jobs);
    QList<double> baseline, ours;
    for (int round = 0; round < rounds; ++round) {
        baseline << timeShell(xargs);
        ours << timeSupervisor(jobs);
    }
    const double b = median(baseline), o = median(ours);
    std::printf("launch: %d jobs of `true`, max-parallel 2, median of %d rounds\n", jobs, rounds);
    std::printf("  xargs -P2 -n1 sh -c true : %8.1f ms\n", b);
    std::printf("  Job Monitor supervisor   : %8.1f ms\n", o);
    std::printf("  ratio                    : %8.2f (target <= 1.5)\n", o / b);
    return 0;
}
