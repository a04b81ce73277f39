// Sampler cost: 200 running jobs (each the real shim running a sleeping helper child) watched
// by one ResourceMonitor. Prints the sampling thread's own CPU time in % of one core (target
// <= 2%) for the usual case (one job on screen sampled every second, the rest every 5 s) and
// for the worst case (all 200 every second), plus the GUI thread's share of handling the
// samples. As a baseline measured in the same run: bare reads of /proc/PID/stat of the same
// processes, the least any /proc sampler pays, against the monitor's cost per job sample.
// Each job is watched with an output folder holding a few KiB of progress lines, so every
// sample also reads the latest line, as the window's samples do.
//
// Usage: jm-bench-sampler [SECONDS]   (default 60: the usual case for SECONDS, the worst for
// a third of it)

#include "processtree.h"
#include "resourcemonitor.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace jobmonitor;

namespace {

constexpr int kJobs = 200;

// Started before the monitor's thread exists: fork is then safe.
pid_t startJob(const std::string &shim, const std::string &child) {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(126);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execl(shim.c_str(), shim.c_str(), "--", child.c_str(), "--sleep", "-1", nullptr);
    _exit(127);
}

double threadCpuMs() {
    timespec used{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used);
    return double(used.tv_sec) * 1e3 + double(used.tv_nsec) / 1e6;
}

double processCpuMs() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

void runEventLoopFor(int milliseconds) {
    QEventLoop loop;
    QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
    loop.exec();
}

// Microseconds of CPU to read /proc/PID/stat once for each pid, the median of some rounds.
double bareStatReadsUs(const std::vector<pid_t> &pids) {
    std::vector<double> rounds;
    char buffer[1024];
    for (int round = 0; round < 21; ++round) {
        const double start = threadCpuMs();
        for (pid_t pid : pids) {
            char path[32];
            std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
            const int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            [[maybe_unused]] const ssize_t n = read(fd, buffer, sizeof buffer);
            close(fd);
        }
        rounds.push_back((threadCpuMs() - start) * 1e3);
    }
    std::sort(rounds.begin(), rounds.end());
    return rounds[rounds.size() / 2];
}

struct Cost {
    double samplerPercent = 0; // of one core
    double guiPercent = 0;
    double jobSamplesPerSecond = 0;
    double usPerJobSample = 0;
};

Cost measure(const std::vector<pid_t> &shims, const QString &outputs, bool allFocused,
             int seconds) {
    ResourceMonitor monitor;
    qint64 samples = 0;
    QObject::connect(&monitor, &ResourceMonitor::sampled, [&samples] { ++samples; });
    for (int key = 0; key < kJobs; ++key) {
        monitor.setFocused(key, allFocused || key == 0);
        monitor.watch(key, shims[size_t(key)], QDir(outputs).filePath(QString::number(key)));
    }
    // The first samples come at once; wait for all of them before measuring.
    QEventLoop loop;
    while (monitor.totals().processes < kJobs)
        loop.processEvents(QEventLoop::WaitForMoreEvents);
    const double sampler0 = double(monitor.samplerCpuTime().count()) / 1e6;
    const double process0 = processCpuMs();
    const qint64 samples0 = samples;
    QElapsedTimer wall;
    wall.start();
    runEventLoopFor(seconds * 1000);
    const double wallMs = double(wall.nsecsElapsed()) / 1e6;
    const double samplerMs = double(monitor.samplerCpuTime().count()) / 1e6 - sampler0;
    const double processMs = processCpuMs() - process0;
    const double count = double(samples - samples0);
    if (monitor.totals().processes != kJobs)
        std::printf("  warning: %d processes seen, not %d\n", monitor.totals().processes, kJobs);
    return Cost{samplerMs / wallMs * 100, (processMs - samplerMs) / wallMs * 100,
                count / wallMs * 1e3, count > 0 ? samplerMs * 1e3 / count : 0};
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(3, atoi(argv[1])) : 60;
    const std::string dir = QCoreApplication::applicationDirPath().toStdString();
    std::vector<pid_t> shims;
    for (int i = 0; i < kJobs; ++i)
        shims.push_back(startJob(dir + "/jobmonitor-shim", dir + "/jm-testchild"));

    // Every tree must hold its child before anything is measured.
    proc::ProcessTreeReader reader;
    std::vector<pid_t> all;
    for (pid_t shim : shims) {
        for (;;) {
            const proc::TreeReading reading = reader.read(shim, proc::TreeOptions{});
            if (proc::usageOf(reading).processes == 1) {
                all.push_back(shim);
                all.push_back(reading.descendants.front().stat.pid);
                break;
            }
            usleep(1000);
        }
    }

    QTemporaryDir outputs;
    for (int key = 0; key < kJobs; ++key) {
        QDir().mkpath(QDir(outputs.path()).filePath(QString::number(key)));
        QFile out(QDir(outputs.path()).filePath(QStringLiteral("%1/stdout").arg(key)));
        if (!out.open(QIODevice::WriteOnly))
            return 1;
        for (int line = 1; line <= 100; ++line)
            out.write(QStringLiteral("[%1/100] compiling src/module_%1.cpp\n").arg(line).toUtf8());
    }
    const double bareUs = bareStatReadsUs(all);
    const Cost usual = measure(shims, outputs.path(), false, seconds);
    const Cost worst = measure(shims, outputs.path(), true, std::max(3, seconds / 3));

    std::printf("sampler: %d jobs (shim + sleeping child each), %d s and %d s\n", kJobs, seconds,
                std::max(3, seconds / 3));
    const auto print = [&](const char *name, const Cost &cost) {
        std::printf("  %-38s: sampler %5.2f%% of a core (target <= 2%%), GUI thread %5.2f%%, "
                    "%6.1f job samples/s, %5.1f us each\n",
                    name, cost.samplerPercent, cost.guiPercent, cost.jobSamplesPerSecond,
                    cost.usPerJobSample);
    };
    print("1 focused (1 s), 199 in background (5 s)", usual);
    print("all 200 focused (1 s)", worst);
    const double bareJobUs = bareUs / kJobs;
    std::printf("  baseline: bare stat reads of a job's 2 processes: %5.1f us; ratio %.1f "
                "(sampler per job sample / baseline)\n",
                bareJobUs, worst.usPerJobSample / bareJobUs);

    for (pid_t shim : shims)
        kill(shim, SIGTERM); // the shim ends its job, then exits
    for (pid_t shim : shims)
        while (waitpid(shim, nullptr, 0) < 0 && errno == EINTR) {
        }
    return 0;
}
