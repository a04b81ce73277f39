// GUI stall benchmark: 50 jobs each print a line every millisecond while the real main window
// shows one of them. A 5 ms timer probe records how late the event loop serves it (the longest
// stall) and the window's frame rate. A baseline run with no jobs comes first, in the same
// process. Run under a display server (xvfb-run -a) for a real frame rate.
//
//   jm-bench-guistall [SECONDS] [--charts]
//                                    the benchmark (default 10 s of load); with --charts the
//                                    lines show progress ("[12/8000] ..."), the list shows
//                                    every job's CPU, memory and bar, and the details show the
//                                    CPU and memory charts of one of them
//   jm-bench-guistall --child S [--progress]
//                                    a job: one line per millisecond for S seconds
#include "guiapplication.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

constexpr int Jobs = 50;
constexpr int ProbeIntervalMs = 5;

int runChild(int seconds, bool progress) {
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 1; i <= seconds * 1000L; ++i) {
        if (progress)
            std::printf("[%ld/%ld] the quick brown fox jumps over the lazy dog\n", i,
                        seconds * 1000L);
        else
            std::printf("line %ld: the quick brown fox jumps over the lazy dog\n", i);
        std::fflush(stdout);
        next.tv_nsec += 1000000;
        if (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            ++next.tv_sec;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
    return 0;
}

struct Figures {
    double longestStallMs = 0;
    double p99StallMs = 0;
    double framesPerSecond = 0;
};

// Measures for `ms` milliseconds while the event loop runs.
Figures measure(QQuickWindow *window, int ms) {
    QList<qint64> lateness;
    QElapsedTimer clock;
    qint64 last = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(ProbeIntervalMs);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.append(std::max<qint64>(0, now - last - ProbeIntervalMs * 1000000LL));
        last = now;
    });
    int frames = 0;
    const auto frameConnection =
        QObject::connect(window, &QQuickWindow::frameSwapped, [&] { ++frames; });
    // Keep the window busy drawing, as an animation would, so frames measure capacity.
    QTimer repaint;
    repaint.setInterval(0);
    QObject::connect(&repaint, &QTimer::timeout, window, &QQuickWindow::update);
    clock.start();
    probe.start();
    repaint.start();
    QTest::qWait(ms);
    probe.stop();
    repaint.stop();
    QObject::disconnect(frameConnection);
    Figures f;
    std::sort(lateness.begin(), lateness.end());
    if (!lateness.isEmpty()) {
        f.longestStallMs = lateness.last() / 1e6;
        f.p99StallMs = lateness[qsizetype(lateness.size() * 0.99)] / 1e6;
    }
    f.framesPerSecond = frames * 1000.0 / ms;
    return f;
}

void print(const char *what, const Figures &f) {
    std::printf("%-28s longest stall %7.1f ms   p99 stall %6.1f ms   %6.1f frames/s\n", what,
                f.longestStallMs, f.p99StallMs, f.framesPerSecond);
}

} // namespace

int main(int argc, char *argv[]) {
    if (argc >= 3 && qstrcmp(argv[1], "--child") == 0)
        return runChild(std::atoi(argv[2]), argc > 3 && qstrcmp(argv[3], "--progress") == 0);

    QGuiApplication app(argc, argv);
    setupStderrLogging();
    QStringList arguments = app.arguments().mid(1);
    const bool charts = arguments.removeAll(QStringLiteral("--charts")) > 0;
    const int seconds = !arguments.isEmpty() ? std::max(2, arguments.constFirst().toInt()) : 10;
    QTemporaryDir logs;
    JobSupervisor supervisor(JobSupervisor::Config{Jobs, logs.path()});
    JobService service(&supervisor);
    ShutdownCoordinator coordinator(&supervisor);
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!QTest::qWaitForWindowExposed(window))
        return 1;

    std::printf("platform %s, %d jobs x 1 line/ms, %d s%s\n",
                qPrintable(QGuiApplication::platformName()), Jobs, seconds,
                charts ? ", progress and resource charts" : "");
    const Figures baseline = measure(window, 2000);
    print("baseline (no jobs)", baseline);

    const QString child = QStringLiteral("'%1' --child %2%3")
                              .arg(QCoreApplication::applicationFilePath())
                              .arg(seconds + 2)
                              .arg(charts ? QStringLiteral(" --progress") : QString());
    for (int i = 0; i < Jobs; ++i) {
        JobSpec spec;
        spec.command = child;
        spec.name = QStringLiteral("flood %1").arg(i + 1);
        supervisor.start(spec);
    }
    // Show the newest job's live output, the most expensive view.
    QMetaObject::invokeMethod(window->findChild<QObject *>(QStringLiteral("jobList")), "select",
                              Q_ARG(QVariant, supervisor.jobs().constLast()->id()));
    if (charts)
        window->findChild<QObject *>(QStringLiteral("jobDetails"))->setProperty("currentTab", 2);
    QTest::qWait(500); // every job started
    const Figures loaded = measure(window, seconds * 1000);
    print(charts ? "50 jobs, charts shown" : "50 jobs flooding output", loaded);
    qint64 lines = 0;
    for (Job *job : supervisor.jobs())
        lines += job->output()->totalLines();
    std::printf("lines received: %lld (%.0f per second)\n", lines, lines / (seconds + 0.5));
    std::printf("stall ratio to baseline: %.1fx; target: no stall over 16 ms: %s\n",
                loaded.longestStallMs / std::max(0.1, baseline.longestStallMs),
                loaded.longestStallMs <= 16 ? "met" : "NOT met");

    bool done = false;
    supervisor.shutdown().then([&] { done = true; });
    QDeadlineTimer deadline(30s);
    while (!done && !deadline.hasExpired())
        QTest::qWait(20);
    return done && supervisor.processesAlive() == 0 ? 0 : 1;
}
