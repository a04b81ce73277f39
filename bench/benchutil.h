#pragma once

// Shared bits of the benchmarks: every figure is a ratio against a baseline measured in the
// same run, because the machines they run on are shared and noisy.

#include "jobsupervisor.h"

#include <QCoro/QCoroTask>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace jobmonitor::bench {

inline double median(QList<double> values) {
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values[values.size() / 2];
}

// Wall-clock milliseconds of `sh -c script`.
inline double timeShell(const QString &script) {
    QElapsedTimer timer;
    timer.start();
    QProcess::execute(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    return double(timer.nsecsElapsed()) / 1e6;
}

// Runs the event loop until predicate() holds.
template<typename Predicate>
void spinUntil(Predicate predicate) {
    QEventLoop loop;
    while (!predicate())
        loop.processEvents(QEventLoop::WaitForMoreEvents);
}

// Runs the event loop for a while.
inline void runEventLoopFor(int milliseconds) {
    QEventLoop loop;
    QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
    loop.exec();
}

inline void awaitTask(QCoro::Task<> task) {
    bool done = false;
    task.then([&done]() { done = true; });
    spinUntil([&done]() { return done; });
}

inline double peakRssMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

} // namespace jobmonitor::bench
