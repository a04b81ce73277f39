// Shutdown latency: time from shutdown() to its completion with 200 running jobs, first
// plain `sleep` jobs (they end on SIGTERM at once), then jobs that ignore SIGTERM (they end
// by SIGKILL after the grace period, so the figure is the time beyond the grace); then with
// 1000 plain jobs.

#include "benchutil.h"
#include "logging.h"

#include <QCoreApplication>

using namespace jobmonitor;
using namespace jobmonitor::bench;

static double timeShutdown(int jobs, const QString &command, milliseconds grace) {
    JobSupervisor supervisor(JobSupervisor::Config{jobs, {}});
    JobSpec spec;
    spec.command = command;
    spec.termination = TerminationSequence::standard(grace);
    for (int i = 0; i < jobs; ++i)
        supervisor.start(spec);
    spinUntil([&]() { return supervisor.count(JobState::Running) == jobs; });
    // Let the shells reach their sleep (and set up their traps) before stopping them.
    runEventLoopFor(500);
    QElapsedTimer timer;
    timer.start();
    awaitTask(supervisor.shutdown());
    return double(timer.nsecsElapsed()) / 1e6;
}

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const int jobs = 200;
    const int manyJobs = 1000;
    const int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 3;
    const milliseconds grace(1000);
    QList<double> plain, stubborn, many;
    for (int round = 0; round < rounds; ++round) {
        plain << timeShutdown(jobs, QStringLiteral("exec sleep 600"), grace);
        stubborn << timeShutdown(jobs, QStringLiteral("trap '' TERM; exec sleep 600"), grace);
        many << timeShutdown(manyJobs, QStringLiteral("exec sleep 600"), grace);
    }
    const double p = median(plain), s = median(stubborn), m = median(many);
    std::printf("shutdown: %d running jobs, grace %lld ms, median of %d rounds\n", jobs,
                qint64(grace.count()), rounds);
    std::printf("  sleep jobs (end on SIGTERM)     : %8.1f ms (target <= 100 ms)\n", p);
    std::printf(
        "  SIGTERM-ignoring jobs           : %8.1f ms = grace + %.1f ms (target <= 50 ms)\n", s,
        s - double(grace.count()));
    std::printf("  %d sleep jobs                 : %8.1f ms (target <= 150 ms)\n", manyJobs, m);
    return 0;
}
