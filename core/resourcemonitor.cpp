#include "resourcemonitor.h"

#include "processtree.h"

#include <QDateTime>
#include <QTimer>

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <unordered_map>
#include <unordered_set>

namespace jobmonitor {

namespace {

using namespace std::chrono;

// Jobs due this close to a round are sampled in it rather than waking up again for them.
constexpr qint64 kRoundSlackMs = 10;
// A big job's PSS is read no more often than this many times its last reading's cost.
constexpr qint64 kPssCostFactor = 100;
// A new job's first sample comes within about this long (on the grid of its interval, or of
// this when that is shorter): soon enough for the window, late enough that most short jobs
// have ended without costing a reading.
constexpr qint64 kFirstSampleMs = 1000;

qint64 monotonicNs() {
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

// Process start times in /proc count clock ticks since boot, suspend included.
quint64 bootTimeTicks() {
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    const long ticks = proc::clockTicksPerSecond();
    return quint64(now.tv_sec) * quint64(ticks) +
           quint64(now.tv_nsec) * quint64(ticks) / 1000000000;
}

// The next point of the interval's grid at least half an interval away, so that jobs sampled
// at the same interval share rounds and no interval is much shorter than asked for.
qint64 nextDueMs(qint64 nowMs, qint64 intervalMs) {
    return ((nowMs + intervalMs / 2) / intervalMs + 1) * intervalMs;
}

void raiseTo(proc::ProcessIo &total, const proc::ProcessIo &reading) {
    total.logicalReadBytes = std::max(total.logicalReadBytes, reading.logicalReadBytes);
    total.logicalWriteBytes = std::max(total.logicalWriteBytes, reading.logicalWriteBytes);
    total.storageReadBytes = std::max(total.storageReadBytes, reading.storageReadBytes);
    total.storageWriteBytes = std::max(total.storageWriteBytes, reading.storageWriteBytes);
}

qint64 atLeast10Ms(milliseconds interval) {
    return std::max<qint64>(10, interval.count());
}

} // namespace

// Everything that reads /proc: lives on the monitor's sampling thread, only touched there.
class ResourceMonitor::Worker : public QObject {
public:
    Worker(const Config &config, ResourceMonitor *monitor)
        : m_monitor(monitor)
        , m_focusedMs(atLeast10Ms(config.focusedInterval))
        , m_backgroundMs(atLeast10Ms(config.backgroundInterval))
        , m_limitMs(atLeast10Ms(config.limitInterval))
        , m_pssMs(config.pssInterval.count()) {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &Worker::sampleDueJobs);
    }

    void watch(qint64 key, quint64 generation, pid_t root, const QString &outputDirectory) {
        Job &job = m_jobs[key];
        job = Job();
        job.generation = generation;
        job.root = root;
        job.outputDirectory = outputDirectory;
        // Soon, not at once: a tree read as it starts shows nothing yet, and most short jobs
        // end before their first sample (their totals come with their end).
        job.dueMs =
            nextDueMs(monotonicNs() / 1000000, std::min(intervalMs(key, job), kFirstSampleMs));
        schedule();
    }

    void unwatch(qint64 key) {
        m_jobs.erase(key);
        schedule();
    }

    void setFocused(qint64 key, bool focused) {
        if (focused)
            m_focused.insert(key);
        else
            m_focused.erase(key);
        const auto it = m_jobs.find(key);
        if (it == m_jobs.end())
            return;
        // A job coming into view is sampled at once, its PSS too; out of view, PSS is no
        // longer read, and a stale figure is worse than none.
        if (focused) {
            it->second.dueMs = 0;
            it->second.pssDueMs = 0;
            schedule();
        } else {
            it->second.pssBytes = -1;
        }
    }

    void setLimited(qint64 key, bool limited) {
        const auto it = m_jobs.find(key);
        if (it == m_jobs.end())
            return;
        if (it->second.limited == limited)
            return;
        it->second.limited = limited;
        it->second.dueMs = std::min(
            it->second.dueMs, nextDueMs(monotonicNs() / 1000000, intervalMs(key, it->second)));
        schedule();
    }

private:
    struct Job {
        quint64 generation = 0;
        pid_t root = 0;
        // The root's start time, from its first reading: a root pid with another start time
        // is another process that was given the pid after the job's shim was reaped.
        std::optional<quint64> rootStartTicks;
        bool limited = false;
        bool ended = false;
        qint64 dueMs = 0;
        qint64 lastNs = -1;
        // Totals only ever grow: a reading that fell short (a process reaped mid-walk) must
        // not make CPU use negative or totals go back.
        quint64 cpuTicks = 0;
        proc::ProcessIo io;
        qint64 peakRssBytes = 0;
        qint64 pssBytes = -1;
        qint64 pssDueMs = 0;
        QString outputDirectory;
    };

    qint64 intervalMs(qint64 key, const Job &job) const {
        const qint64 interval = m_focused.contains(key) ? m_focusedMs : m_backgroundMs;
        return job.limited ? std::min(interval, m_limitMs) : interval;
    }

    void schedule() {
        qint64 earliest = -1;
        for (const auto &[key, job] : m_jobs)
            if (!job.ended && (earliest < 0 || job.dueMs < earliest))
                earliest = job.dueMs;
        if (earliest < 0) {
            m_timer.stop();
            return;
        }
        m_timer.start(int(std::clamp<qint64>(earliest - monotonicNs() / 1000000, 0, INT_MAX)));
    }

    void sampleDueJobs() {
        const qint64 nowMs = monotonicNs() / 1000000;
        m_reader.forgetScan();
        std::vector<Result> results;
        for (auto &[key, job] : m_jobs) {
            if (job.ended || job.dueMs > nowMs + kRoundSlackMs)
                continue;
            results.push_back(Result{key, job.generation, sample(key, job, nowMs)});
            job.dueMs = nextDueMs(nowMs, intervalMs(key, job));
        }
        if (!results.empty()) {
            ResourceMonitor *monitor = m_monitor;
            QMetaObject::invokeMethod(
                monitor, [monitor, results = std::move(results)] { monitor->deliver(results); });
        }
        schedule();
    }

    ResourceSample sample(qint64 key, Job &job, qint64 nowMs) {
        const bool focused = m_focused.contains(key);
        const bool readPss = focused && m_pssMs > 0 && nowMs >= job.pssDueMs;
        const proc::TreeReading reading = m_reader.read(job.root, proc::TreeOptions{true, readPss});
        const qint64 nowNs = monotonicNs();
        ResourceSample sample;
        sample.timestampMs = QDateTime::currentMSecsSinceEpoch();
        const bool sameRoot =
            reading.rootFound &&
            (!job.rootStartTicks || *job.rootStartTicks == reading.root.stat.startTicks);
        if (sameRoot) {
            job.rootStartTicks = reading.root.stat.startTicks;
            const proc::TreeUsage usage = proc::usageOf(reading);
            const quint64 previousTicks = job.cpuTicks;
            job.cpuTicks = std::max(job.cpuTicks, usage.cpuTicks);
            raiseTo(job.io, usage.io);
            job.peakRssBytes = std::max(job.peakRssBytes, usage.residentBytes);
            if (readPss) {
                if (usage.pssBytes >= 0)
                    job.pssBytes = usage.pssBytes;
                const qint64 costMs = duration_cast<milliseconds>(reading.pssCost).count();
                job.pssDueMs = nowMs + std::max(m_pssMs, kPssCostFactor * costMs);
            }
            sample.ended = reading.root.stat.hasEnded();
            if (!sample.ended) {
                sample.cpuPercent = cpuPercent(job, previousTicks, nowNs);
                sample.rssBytes = usage.residentBytes;
                sample.pssBytes = job.pssBytes;
                sample.processes = usage.processes;
                sample.threads = usage.threads;
            }
            sample.ioComplete = usage.ioComplete;
        } else {
            sample.ended = true;
        }
        job.ended = sample.ended;
        job.lastNs = nowNs;
        sample.cpuTimeMs = qint64(job.cpuTicks * 1000 / quint64(proc::clockTicksPerSecond()));
        sample.peakRssBytes = job.peakRssBytes;
        sample.readBytes = qint64(job.io.storageReadBytes);
        sample.writeBytes = qint64(job.io.storageWriteBytes);
        sample.logicalReadBytes = qint64(job.io.logicalReadBytes);
        sample.logicalWriteBytes = qint64(job.io.logicalWriteBytes);
        if (!job.outputDirectory.isEmpty())
            sample.latestLine = readLatestLine(job.outputDirectory);
        return sample;
    }

    double cpuPercent(const Job &job, quint64 previousTicks, qint64 nowNs) const {
        const double ticksPerSecond = double(proc::clockTicksPerSecond());
        double percent = 0;
        if (job.lastNs >= 0) {
            const double seconds = double(nowNs - job.lastNs) / 1e9;
            if (seconds > 0)
                percent = double(job.cpuTicks - previousTicks) / ticksPerSecond / seconds * 100;
        } else {
            const quint64 now = bootTimeTicks();
            const quint64 start = *job.rootStartTicks;
            if (now > start)
                percent = double(job.cpuTicks) / double(now - start) * 100;
        }
        // After a reading that fell short, the next one catches up in one interval.
        return std::min(percent, 100.0 * double(m_cores));
    }

    ResourceMonitor *const m_monitor;
    const qint64 m_focusedMs;
    const qint64 m_backgroundMs;
    const qint64 m_limitMs;
    const qint64 m_pssMs;
    const long m_cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    QTimer m_timer{this};
    proc::ProcessTreeReader m_reader;
    std::unordered_map<qint64, Job> m_jobs;
    std::unordered_set<qint64> m_focused;
};

ResourceMonitor::ResourceMonitor(QObject *parent)
    : ResourceMonitor(Config{}, parent) {}

ResourceMonitor::ResourceMonitor(Config config, QObject *parent)
    : QObject(parent)
    , m_worker(new Worker(config, this)) {
    m_thread.setObjectName(QStringLiteral("jm-sampler"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // Runs on the new thread: its CPU clock is what watching costs.
    connect(&m_thread, &QThread::started, [this] {
        clockid_t clock = 0;
        if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
            m_workerClock = clock;
            m_workerClockKnown = true;
        }
    });
    m_thread.start();
}

ResourceMonitor::~ResourceMonitor() {
    m_thread.quit();
    m_thread.wait();
}

void ResourceMonitor::watch(qint64 key, qint64 rootPid, const QString &outputDirectory) {
    Watched &watched = m_watched[key];
    watched = Watched();
    watched.generation = m_nextGeneration++;
    // Not a pid: the watch ends at its first sample, as for a root that has gone.
    const pid_t root = rootPid > 0 && rootPid <= INT_MAX ? pid_t(rootPid) : 0;
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, key, generation = watched.generation, root, outputDirectory] {
            worker->watch(key, generation, root, outputDirectory);
        });
}

void ResourceMonitor::unwatch(qint64 key) {
    if (m_watched.remove(key) == 0)
        return;
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, key] { worker->unwatch(key); });
    updateTotals();
}

void ResourceMonitor::setFocused(qint64 key, bool focused) {
    if (focused == m_focused.contains(key))
        return;
    if (focused)
        m_focused.insert(key);
    else
        m_focused.remove(key);
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, key, focused] { worker->setFocused(key, focused); });
}

void ResourceMonitor::setMemoryLimit(qint64 key, qint64 bytes) {
    const auto it = m_watched.find(key);
    if (it == m_watched.end())
        return;
    bytes = std::max<qint64>(bytes, 0);
    it->memoryLimit = bytes;
    it->limitExceeded = false;
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, key, limited = bytes > 0] { worker->setLimited(key, limited); });
}

std::optional<ResourceSample> ResourceMonitor::latestSample(qint64 key) const {
    const auto it = m_watched.constFind(key);
    return it == m_watched.cend() ? std::nullopt : it->latest;
}

int ResourceMonitor::processCount(qint64 key) const {
    const auto sample = latestSample(key);
    return sample ? sample->processes : 0;
}

std::chrono::nanoseconds ResourceMonitor::samplerCpuTime() const {
    timespec used{};
    if (!m_workerClockKnown || clock_gettime(m_workerClock, &used) != 0)
        return std::chrono::nanoseconds(0);
    return std::chrono::seconds(used.tv_sec) + std::chrono::nanoseconds(used.tv_nsec);
}

void ResourceMonitor::deliver(const std::vector<Result> &results) {
    bool any = false;
    for (const Result &result : results) {
        auto it = m_watched.find(result.key);
        // Unwatched or watched again since this was read: it describes a tree nobody asked for.
        if (it == m_watched.end() || it->generation != result.generation)
            continue;
        any = true;
        it->latest = result.sample;
        const bool exceeded =
            it->memoryLimit > 0 && !it->limitExceeded && result.sample.rssBytes > it->memoryLimit;
        if (exceeded)
            it->limitExceeded = true;
        // Receivers may watch or unwatch: nothing of m_watched is used after emitting.
        Q_EMIT sampled(result.key, result.sample);
        if (exceeded)
            Q_EMIT limitExceeded(result.key, result.sample.rssBytes, result.sample.peakRssBytes);
    }
    if (any)
        updateTotals();
}

void ResourceMonitor::updateTotals() {
    ResourceTotals totals;
    for (const Watched &watched : std::as_const(m_watched)) {
        if (!watched.latest || watched.latest->ended)
            continue;
        ++totals.jobs;
        totals.processes += watched.latest->processes;
        totals.threads += watched.latest->threads;
        totals.cpuPercent += watched.latest->cpuPercent;
        totals.rssBytes += watched.latest->rssBytes;
    }
    m_totals = totals;
    Q_EMIT totalsChanged(m_totals);
}

} // namespace jobmonitor
