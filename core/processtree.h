#pragma once

// Read-only views of /proc for resource sampling: one process's counters, and a whole job tree
// (every descendant of the job's reaper, whatever group or session it moved to).
//
// Races are part of the design, not errors: a process can end, be reaped, or have its pid
// reused by an unrelated process at any moment between two reads. Each process is read
// through one descriptor of its /proc/PID directory, so everything read for it comes from the
// same process, or the read fails once that process has been reaped (ESRCH), even if its pid
// has already been given to another. A process that vanishes mid-walk is simply left out.

#include <QtGlobal>

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobmonitor::proc {

// The fields of /proc/PID/stat the sampler uses. Times are in clock ticks
// (clockTicksPerSecond()), for the whole process: all its threads, ended ones included.
struct ProcessStat {
    pid_t pid = 0;
    char state = 0; // R running, S sleeping, D disk, T stopped, t traced, Z zombie, X dead, I idle
    pid_t parent = 0;
    quint64 userTicks = 0;   // field 14, utime
    quint64 systemTicks = 0; // field 15, stime
    // Fields 16 and 17 (cutime, cstime): the CPU time of the children this process has waited
    // for, including what those had in turn waited for. A process's CPU time is therefore
    // always counted exactly once in a tree: in its own stat until it is reaped, then in its
    // reaper's. (Not for children auto-reaped because their parent ignores SIGCHLD: the kernel
    // adds their time nowhere.)
    quint64 reapedUserTicks = 0;
    quint64 reapedSystemTicks = 0;
    int threads = 0;          // field 20
    quint64 startTicks = 0;   // field 22: since boot; with the pid, identifies a process
    qint64 residentPages = 0; // field 24, rss; 0 for a zombie (its memory is gone)

    // A zombie has ended: it only waits to be reaped (in a container that can take a while).
    bool hasEnded() const { return state == 'Z' || state == 'X' || state == 'x'; }
    quint64 cpuTicks() const { return userTicks + systemTicks; }
    quint64 reapedCpuTicks() const { return reapedUserTicks + reapedSystemTicks; }
};

// /proc/PID/io. The kernel adds a reaped child's counters to its reaper's, as for CPU time,
// so the same once-in-the-tree rule holds.
struct ProcessIo {
    quint64 logicalReadBytes = 0;  // rchar: bytes through read(2) and the like, pipes and
    quint64 logicalWriteBytes = 0; // wchar: caches included
    quint64 storageReadBytes = 0;  // read_bytes: fetched from storage
    quint64 storageWriteBytes = 0; // write_bytes: sent towards storage (when pages are dirtied)

    ProcessIo &operator+=(const ProcessIo &other);
};

// Parsers of the files' text; nullopt when the text is not what the kernel writes.
// The command name in a stat line can hold spaces and parentheses: fields follow the last ')'.
std::optional<ProcessStat> parseStat(std::string_view line);
std::optional<ProcessIo> parseIo(std::string_view text);
// The "Pss:" line of smaps_rollup, in bytes.
std::optional<qint64> parsePss(std::string_view smapsRollup);
// The "MemAvailable:" line of meminfo, in bytes.
std::optional<qint64> parseMemAvailable(std::string_view meminfo);
// Appends the pids of a task's children file ("12 345 ").
void parseChildren(std::string_view text, std::vector<pid_t> &pids);

long clockTicksPerSecond();
long pageSize();

// What the kernel estimates can be allocated without swapping (MemAvailable of /proc/meminfo),
// for the scheduler's memory guard. In a container this is the host's figure. nullopt when
// the file cannot be read.
std::optional<qint64> memoryAvailableBytes(const std::string &procRoot = "/proc");

struct TreeProcess {
    ProcessStat stat;
    ProcessIo io; // zero unless ioRead
    bool ioRead = false;
    // EACCES/EPERM (another user's process, or a set-uid one) or no io file at all (a kernel
    // without I/O accounting). A process that vanished mid-read is not unreadable: it has ended.
    bool ioUnreadable = false;
    qint64 pssBytes = -1; // when asked for and readable
};

struct TreeOptions {
    bool io = true;
    // smaps_rollup walks every page table of the process and holds its mmap lock while it
    // does: about 19 ms per GiB resident here, against 3 µs for stat. Ask for it sparingly.
    bool pss = false;
};

struct TreeReading {
    bool rootFound = false; // false: the root pid does not exist (any more)
    TreeProcess root;
    // Breadth-first from the root, each parent before its children; zombies included (their
    // CPU time and I/O are not yet their reaper's).
    std::vector<TreeProcess> descendants;
    bool scannedAllProcesses = false; // no children files: found by reading all of /proc
    bool pssRead = false;
    std::chrono::nanoseconds pssCost{0}; // time spent reading smaps_rollup files
};

// What a tree uses, summed over the root's descendants. The root is taken to be the job's
// reaper (the shim): its own CPU time, memory and threads are not the job's, but what it has
// reaped is: the time and I/O of every descendant that has ended.
struct TreeUsage {
    quint64 cpuTicks = 0; // every descendant's, ended or alive, since the root started
    qint64 residentBytes = 0;
    qint64 pssBytes = -1; // -1 unless read, and readable for every live descendant
    int processes = 0;    // live descendants (zombies have ended)
    int threads = 0;
    ProcessIo io;            // every descendant's, as cpuTicks (plus the root's own, tiny)
    bool ioComplete = false; // every io file was readable
};
TreeUsage usageOf(const TreeReading &reading);

// Reads process trees from one /proc (another root for tests). Not thread-safe: one per thread.
class ProcessTreeReader {
public:
    explicit ProcessTreeReader(const std::string &procRoot = "/proc");
    ~ProcessTreeReader();
    ProcessTreeReader(const ProcessTreeReader &) = delete;
    ProcessTreeReader &operator=(const ProcessTreeReader &) = delete;

    bool isOpen() const { return m_procFd >= 0; }

    // Each process is read before its children, so a process reaped mid-walk is missed rather
    // than counted twice (in its own stat and in its reaper's): a reading can fall short of
    // the truth, never exceed it.
    TreeReading read(pid_t root, TreeOptions options);

    // Without children files (a kernel built without CONFIG_PROC_CHILDREN) finding a tree
    // means reading every process's stat; that scan is kept for all the trees read until this
    // is called. Call it once per round of sampling.
    void forgetScan();

private:
    struct ScanEntry {
        pid_t parent;
        pid_t pid;
        quint64 startTicks;
        bool operator<(const ScanEntry &other) const;
    };
    int openProcess(pid_t pid) const;
    bool readProcess(int dirFd, TreeProcess &process, TreeOptions options,
                     std::chrono::nanoseconds &pssCost);
    enum class Children { Read, Missing, Gone };
    Children readChildren(int dirFd, const ProcessStat &stat, std::vector<pid_t> &children);
    void walkChildrenFiles(TreeReading &reading, TreeOptions options);
    void walkScan(TreeReading &reading, TreeOptions options);
    void scan();
    // Reads a whole file relative to dirFd into m_buffer, its length into size; returns 0 or
    // an errno value.
    int readFile(int dirFd, const char *name, size_t &size);

    int m_procFd = -1;
    std::string m_buffer;
    std::vector<pid_t> m_children;
    std::vector<std::pair<pid_t, pid_t>> m_queue; // (pid, the parent that listed it)
    bool m_scanned = false;
    std::vector<ScanEntry> m_scan; // sorted by parent, then pid
};

} // namespace jobmonitor::proc
