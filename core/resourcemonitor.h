#pragma once

#include "latestline.h"

#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QThread>

#include <atomic>
#include <chrono>
#include <ctime>
#include <optional>
#include <vector>

namespace jobmonitor {

// One reading of what a job's process tree uses. The tree is every descendant of the job's
// root (its shim), whatever process group or session they moved to; the root itself is not
// counted, except for what it reaped. Running figures describe the tree now, "total" and
// "peak" figures its whole life so far.
struct ResourceSample {
    Q_GADGET
    Q_PROPERTY(double cpuPercent MEMBER cpuPercent)
    Q_PROPERTY(qint64 rssBytes MEMBER rssBytes)
    Q_PROPERTY(qint64 pssBytes MEMBER pssBytes)
    Q_PROPERTY(int processes MEMBER processes)
    Q_PROPERTY(int threads MEMBER threads)
    Q_PROPERTY(qint64 readBytes MEMBER readBytes)
    Q_PROPERTY(qint64 writeBytes MEMBER writeBytes)
    Q_PROPERTY(qint64 logicalReadBytes MEMBER logicalReadBytes)
    Q_PROPERTY(qint64 logicalWriteBytes MEMBER logicalWriteBytes)
    Q_PROPERTY(bool ioComplete MEMBER ioComplete)
    Q_PROPERTY(qint64 peakRssBytes MEMBER peakRssBytes)
    Q_PROPERTY(qint64 cpuTimeMs MEMBER cpuTimeMs)
    Q_PROPERTY(qint64 timestampMs MEMBER timestampMs)
    Q_PROPERTY(bool ended MEMBER ended)

public:
    // Percent of one core since the previous sample (100 = one core busy; up to 100 × the
    // number of cores). The first sample of a watch gives the average since the root started.
    double cpuPercent = 0;
    // Sum of the live processes' resident memory. Pages shared between them (a forked
    // server's heap, shared libraries) count once per process, so this can exceed what the
    // tree really costs; pssBytes shares them out fairly.
    qint64 rssBytes = 0;
    // Proportional set size of the live processes; -1 when not known. Costly to read, so only
    // read while the job is focused, and no more often than ResourceMonitor::Config says.
    qint64 pssBytes = -1;
    int processes = 0; // live descendants; zombies have ended
    int threads = 0;
    // Totals since the root started, of ended processes too (the kernel adds a reaped
    // process's counters to its reaper's): bytes fetched from and sent towards storage
    // (/proc/PID/io read_bytes, write_bytes), and bytes through read(2)/write(2) calls of any
    // kind, pipes and terminals included (rchar, wchar). Processes whose counters cannot be
    // read (another user's, a set-uid program) are left out, and ioComplete is then false.
    qint64 readBytes = 0;
    qint64 writeBytes = 0;
    qint64 logicalReadBytes = 0;
    qint64 logicalWriteBytes = 0;
    bool ioComplete = false;
    // The highest rssBytes sampled (a peak between two samples is not seen).
    qint64 peakRssBytes = 0;
    // User and system CPU time of every process of the tree so far, ended ones included, in
    // steps of a clock tick (10 ms). Lags the truth by at most one sampling interval.
    qint64 cpuTimeMs = 0;
    qint64 timestampMs = 0; // when it was read, in ms since the epoch
    // The root has ended (or its pid now belongs to another process): this is the last
    // sample, with no current use (CPU, memory, processes 0) and the final totals and peak.
    bool ended = false;
    // The latest line of the job's saved output, when watched with its output directory: read
    // here, off the owner's thread, for its progress.
    std::optional<LatestLine> latestLine;
};

// Sums of the latest samples of every watched job whose tree has not ended.
struct ResourceTotals {
    Q_GADGET
    Q_PROPERTY(int jobs MEMBER jobs)
    Q_PROPERTY(int processes MEMBER processes)
    Q_PROPERTY(int threads MEMBER threads)
    Q_PROPERTY(double cpuPercent MEMBER cpuPercent)
    Q_PROPERTY(qint64 rssBytes MEMBER rssBytes)

public:
    int jobs = 0;
    int processes = 0;
    int threads = 0;
    double cpuPercent = 0;
    qint64 rssBytes = 0;

    bool operator==(const ResourceTotals &) const = default;
};

// Samples the process trees of running jobs from /proc on a thread of its own, so that
// reading /proc never blocks the thread that owns the monitor (the GUI thread); samples and
// signals are delivered on the owner's thread. Jobs are named by an opaque key.
//
// How often a job is sampled: every focusedInterval while it is focused (shown in the
// window), every backgroundInterval otherwise, and every limitInterval while it has a memory
// limit. Samples of all jobs fall on one common grid of times, so that many jobs cost one
// wake-up rather than one each. Focusing a job or setting its limit samples it at once.
class ResourceMonitor : public QObject {
    Q_OBJECT
public:
    // Intervals under 10 ms are taken as 10 ms.
    struct Config {
        std::chrono::milliseconds focusedInterval{1000};
        std::chrono::milliseconds backgroundInterval{5000};
        // A job growing by 1 GiB/s can pass its limit by this much time's growth before the
        // limit is seen exceeded; the termination sequence adds its own grace on top.
        std::chrono::milliseconds limitInterval{250};
        // PSS of a focused job at most this often (0: never). Reading it costs about 19 ms per
        // GiB resident here (3 µs for the rest of a process's counters), so a big job's PSS is
        // also read no more often than a hundred times its last reading's cost: at most 1% of
        // a core on it.
        std::chrono::milliseconds pssInterval{5000};
    };

    explicit ResourceMonitor(QObject *parent = nullptr);
    explicit ResourceMonitor(Config config, QObject *parent = nullptr);
    // Stops the sampling thread and waits for it (at most one round of sampling).
    ~ResourceMonitor() override;

    // Starts sampling the tree of rootPid, the job's reaper. Watching a key again starts over
    // with the new root (a new attempt): totals and peak restart, focus is kept, the memory
    // limit is not. The first sample comes at once. The root should be the caller's own child
    // (the shim): then its pid cannot go to another process before the caller reaps it, and
    // after that the root's start time tells the two apart.
    // With outputDirectory, each sample also carries the latest line of the output saved there.
    void watch(qint64 key, qint64 rootPid, const QString &outputDirectory = QString());
    // Stops sampling; samples still in flight for the key are dropped.
    void unwatch(qint64 key);
    bool isWatched(qint64 key) const { return m_watched.contains(key); }

    // Which jobs the window shows. Kept per key, watched or not, until unfocused: a job can
    // be focused before it starts, and stays focused across attempts.
    void setFocused(qint64 key, bool focused);
    bool isFocused(qint64 key) const { return m_focused.contains(key); }

    // A limit on the tree's resident memory (rssBytes), 0 for none, for the current watch of
    // key (ignored when key is not watched). limitExceeded is emitted once per limit set, when
    // a sample exceeds it.
    void setMemoryLimit(qint64 key, qint64 bytes);

    std::optional<ResourceSample> latestSample(qint64 key) const;
    // Live processes of the job at its latest sample; 0 when not watched or not yet sampled.
    int processCount(qint64 key) const;
    ResourceTotals totals() const { return m_totals; }

    // CPU time the sampling thread has used so far: what watching costs.
    std::chrono::nanoseconds samplerCpuTime() const;

Q_SIGNALS:
    void sampled(qint64 key, jobmonitor::ResourceSample sample);
    // After each round of samples, and when a job stops being watched.
    void totalsChanged(jobmonitor::ResourceTotals totals);
    void limitExceeded(qint64 key, qint64 rssBytes, qint64 peakRssBytes);

private:
    class Worker;
    struct Result {
        qint64 key = 0;
        quint64 generation = 0;
        ResourceSample sample;
    };
    struct Watched {
        quint64 generation = 0;
        qint64 memoryLimit = 0;
        bool limitExceeded = false;
        std::optional<ResourceSample> latest;
    };

    void deliver(const std::vector<Result> &results);
    void updateTotals();

    QHash<qint64, Watched> m_watched;
    QSet<qint64> m_focused;
    quint64 m_nextGeneration = 1;
    ResourceTotals m_totals;
    QThread m_thread;
    Worker *m_worker = nullptr; // lives on m_thread, deleted there when it finishes
    std::atomic<bool> m_workerClockKnown{false};
    std::atomic<clockid_t> m_workerClock{0};
};

} // namespace jobmonitor
