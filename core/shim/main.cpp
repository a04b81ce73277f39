// jobmonitor-shim: the per-job process between the application and a job's command. It runs
// the command, is the subreaper of everything the command starts, saves the command's output,
// runs the job's whole termination sequence step by step (whether the application asked or
// died) and exits only when nothing of the job is alive, exactly as the command did.
//
// Plain C++ and POSIX (no Qt), and on purpose nothing that needs the C++ runtime library (no
// containers, strings or exceptions): it is exec'd once per job, so it is linked statically
// and kept small — libstdc++'s start-up would double what a job's launch costs.
//
// Usage:
//   jobmonitor-shim [OPTIONS] -- PROGRAM ARGS...   runs a job
//   jobmonitor-shim --adopt SID --trace ID [--report-fd N] [--termseq SEQ]
//       ends what a shim that died left behind (see "Adopting" below)
// Options:
//   --report-fd N      where the report goes (see "Report"); without it, nothing is reported
//   --termseq SEQ      the termination sequence: signal numbers and the milliseconds to wait
//                      after each, "15,0,18,5000" (the default: SIGTERM and SIGCONT at once,
//                      then 5 s); SIGKILL always follows the last wait
//   --output-dir DIR   saves the command's stdout and stderr byte for byte in DIR/stdout and
//                      DIR/stderr, and the order they arrived in, in DIR/index (DIR is created,
//                      mode 0700; the files 0600). Without it, or once a file cannot take more
//                      (a full disk), output is relayed on the report pipe instead.
//   --big-pipes        1 MiB pipes for the command's stdout and stderr (fewer wake-ups when it
//                      floods; pipe memory counts against a per-user limit, so the application
//                      asks for it only for a few jobs at a time)
//   --env NAME=VALUE   sets a variable in the command's environment (repeatable)
//   --nice N           the command's niceness (the shim takes it too)
//   --ionice C,L       the command's I/O scheduling class (1 realtime, 2 best-effort, 3 idle)
//                      and level (0-7)
//   --nofile N         the command's soft limit of open files: the application raises its own
//                      to run many jobs at once, and gives each command back the limit it was
//                      started with (a program using select() breaks on fds above 1023)
//   --scan-proc        finds the job's processes by reading all of /proc, as on kernels
//                      without /proc/PID/task/TID/children (so tests can cover that path)
//   --copy-output      saves output by copying it through a buffer, as on file systems that
//                      cannot splice (so tests can cover that path)
//
// The caller puts the shim in its own session and sets PR_SET_PDEATHSIG before exec'ing it.
// The command gets exactly fds 0 (the shim's stdin), 1 and 2 (pipes to the shim): every other
// inherited descriptor is closed first.
//
// Control (from the application):
// - sigqueue(shim, SIGRTMIN, {.sival_int = 0}) starts the termination sequence.
// - ... {.sival_int = SIGKILL} kills the job now: SIGKILL to every process of it, round after
//   round, until none is left.
// - ... {.sival_int = S} sends S to the job's process group and to every other descendant of
//   the shim (escapees in other groups or sessions): SIGSTOP and SIGCONT pause and resume.
// - SIGTERM, SIGINT or SIGHUP to the shim (PR_SET_PDEATHSIG when the application dies) starts
//   the termination sequence.
// Each step of the sequence sends its signal to the whole job, then waits its time or until
// nothing of the job is left. When the command's main process (the job leader) ends by itself
// while other processes of the job still live, those are stragglers: they are counted and
// ended by the same sequence.
//
// Report, written to --report-fd as it happens, one line each ("out"/"err" lines are followed
// by their bytes):
//   leader PID                 the command started
//   error WHAT: REASON         the command could not be exec'd (the status is then exit 127)
//   output-error CH: REASON    channel CH (stdout/stderr) can no longer be saved; from now on
//                              it is relayed
//   out N / err N              N bytes of relayed output follow the newline
//   stopping CAUSE             the sequence began: request, signal, parent or stragglers
//   step SIGNAL                a step's signal went to the job
//   kill CAUSE                 SIGKILL from now on: sequence (the waits ran out) or request
//   stragglers N               (end) processes left when the leader ended by itself
//   killed N M                 (end) processes that lived until SIGKILL; M of them had left
//                              the job's process group
//   stop-effect 0|1            (end, after a stop request) whether the leader was still
//                              running when the first stop signal went out
//   usage CPU_MS MAXRSS_KIB    (end) user + system CPU time of every process of the job
//                              (all of them were reaped here or by a reaped ancestor), and the
//                              largest resident size any one of them reached
//   exit CODE | signal N       (end) how the job leader ended
//   done                       (end) the report is complete
// When the shim itself fails before the job starts it writes only "error WHAT: REASON" and
// exits 125. A report without "done" means the shim was killed.
//
// Exit status: the job leader's, unchanged; if the leader died by signal N the shim re-raises
// N on itself (without a core dump), so its parent sees the same signal.
//
// The shim exits only when no process of the job is alive: every descendant that is alive
// has a live ancestor that is a child of the shim (orphans are re-parented to it), so "no
// children left" after reaping means "nothing of the job left".
//
// Adopting: when a shim is killed (SIGKILL, the OOM killer, the job itself), its processes are
// re-parented to the application, which is a child subreaper for that reason. The application
// then starts a shim with --adopt: it signals the dead shim's processes — the application's
// children in session SID (the dead shim's own) or carrying JOBMONITOR_TRACE_ID=ID in their
// environment, and their descendants — with the same termination sequence, reports
// "adopted PID" for each process it found so that the application can reap it, and exits
// when none of them is alive. Status 0; its report ends with "killed N M" and "done".

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <utility>

namespace {

constexpr int kShimFailure = 125;
// How often the SIGKILL phase re-scans for processes forked after the previous round, and how
// often an adopting shim looks for its processes (they are not its children: no SIGCHLD).
constexpr long kKillRoundMs = 20;
constexpr long kAdoptPollMs = 20;
// More processes than one job can sensibly have; bounds a walk confused by pid reuse.
constexpr size_t kMaxProcesses = 1 << 20;
constexpr int kMaxSteps = 32;
constexpr int kMaxEnv = 256;
constexpr int kBigPipeSize = 1024 * 1024;
// Splices move at most this much per call, so neither channel starves the other.
constexpr size_t kChunk = 1024 * 1024;
// A run of output in the index gets a fresh timestamp at most this often.
constexpr long kIndexTimeSliceMs = 100;
// Relayed output waiting for the application beyond this stops the shim reading the job's
// pipes until the application catches up (the job then waits on its full pipe, as without a
// shim).
constexpr size_t kRelayHighWater = 1024 * 1024;

enum Channel { Stdout = 0, Stderr = 1 };
const char *const kChannelName[2] = {"stdout", "stderr"};

struct Step {
    int signal;
    long waitMs;
};

struct Options {
    int reportFd = -1;
    Step steps[kMaxSteps] = {{SIGTERM, 0}, {SIGCONT, 5000}};
    int stepCount = 2;
    const char *outputDir = nullptr;
    bool bigPipes = false;
    char *env[kMaxEnv];
    int envCount = 0;
    std::optional<int> nice;
    std::optional<int> ioniceClass;
    int ioniceLevel = 0;
    std::optional<rlim_t> nofile;
    bool scanProc = false;
    bool copyOutput = false;
    pid_t adoptSession = 0;
    const char *adoptTrace = nullptr;
    char **command = nullptr;
};

bool parseNumber(const char *text, long min, long max, long &value, char stop = '\0',
                 const char **end = nullptr) {
    char *after = nullptr;
    errno = 0;
    const long parsed = std::strtol(text, &after, 10);
    if (errno != 0 || after == text || *after != stop || parsed < min || parsed > max)
        return false;
    value = parsed;
    if (end)
        *end = after;
    return true;
}

// "15,0,18,5000": pairs of signal number and wait.
bool parseSteps(const char *text, Options &options) {
    options.stepCount = 0;
    const char *item = text;
    for (;;) {
        if (options.stepCount == kMaxSteps)
            return false;
        long signal = 0;
        long wait = 0;
        const char *end = nullptr;
        if (!parseNumber(item, 1, _NSIG - 1, signal, ',', &end) || signal == SIGKILL)
            return false;
        item = end + 1;
        const char *comma = std::strchr(item, ',');
        if (!parseNumber(item, 0, LONG_MAX / 4, wait, comma ? ',' : '\0', &end))
            return false;
        options.steps[options.stepCount++] = Step{static_cast<int>(signal), wait};
        if (comma == nullptr)
            return true;
        item = comma + 1;
    }
}

std::optional<Options> parseOptions(int argc, char **argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (std::strcmp(arg, "--") == 0) {
            if (i + 1 >= argc || options.adoptSession != 0)
                return std::nullopt;
            options.command = argv + i + 1;
            return options;
        }
        if (std::strcmp(arg, "--scan-proc") == 0) {
            options.scanProc = true;
            continue;
        }
        if (std::strcmp(arg, "--copy-output") == 0) {
            options.copyOutput = true;
            continue;
        }
        if (std::strcmp(arg, "--big-pipes") == 0) {
            options.bigPipes = true;
            continue;
        }
        if (i + 1 >= argc)
            return std::nullopt;
        char *value = argv[++i];
        long number = 0;
        if (std::strcmp(arg, "--report-fd") == 0 && parseNumber(value, 0, INT_MAX, number)) {
            options.reportFd = static_cast<int>(number);
        } else if (std::strcmp(arg, "--termseq") == 0 && parseSteps(value, options)) {
        } else if (std::strcmp(arg, "--output-dir") == 0 && *value != '\0') {
            options.outputDir = value;
        } else if (std::strcmp(arg, "--env") == 0 && std::strchr(value, '=') != nullptr &&
                   *value != '=' && options.envCount < kMaxEnv) {
            options.env[options.envCount++] = value;
        } else if (std::strcmp(arg, "--nice") == 0 && parseNumber(value, -20, 19, number)) {
            options.nice = static_cast<int>(number);
        } else if (std::strcmp(arg, "--ionice") == 0) {
            long level = 0;
            const char *end = nullptr;
            if (!parseNumber(value, 1, 3, number, ',', &end) || !parseNumber(end + 1, 0, 7, level))
                return std::nullopt;
            options.ioniceClass = static_cast<int>(number);
            options.ioniceLevel = static_cast<int>(level);
        } else if (std::strcmp(arg, "--nofile") == 0 && parseNumber(value, 1, LONG_MAX, number)) {
            options.nofile = static_cast<rlim_t>(number);
        } else if (std::strcmp(arg, "--adopt") == 0 && parseNumber(value, 1, INT_MAX, number)) {
            options.adoptSession = static_cast<pid_t>(number);
        } else if (std::strcmp(arg, "--trace") == 0 && *value != '\0') {
            options.adoptTrace = value;
        } else {
            return std::nullopt;
        }
    }
    // Only an adopting shim runs without a command.
    if (options.adoptSession == 0 || options.adoptTrace == nullptr)
        return std::nullopt;
    return options;
}

long nowMs() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t wallClockMs() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return int64_t(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// Everything written to the report pipe goes through here, in order. The pipe is non-blocking:
// the shim never waits for the application while the job needs it (a signal to forward, a
// step to take); what the application has not read yet waits in this buffer.
class Report {
public:
    explicit Report(int fd)
        : m_fd(fd) {
        if (m_fd >= 0)
            fcntl(m_fd, F_SETFL, fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    }

    bool enabled() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    size_t pending() const { return m_size; }

    void line(const char *format, ...) __attribute__((format(printf, 2, 3))) {
        if (m_fd < 0)
            return;
        char text[PATH_MAX + 256];
        va_list arguments;
        va_start(arguments, format);
        const int n = std::vsnprintf(text, sizeof text - 1, format, arguments);
        va_end(arguments);
        if (n <= 0)
            return;
        size_t size = std::min(static_cast<size_t>(n), sizeof text - 2);
        text[size++] = '\n';
        append(text, size);
    }

    void relay(Channel channel, const char *data, size_t size) {
        if (m_fd < 0 || size == 0)
            return;
        line("%s %zu", channel == Stdout ? "out" : "err", size);
        append(data, size);
    }

    // Writes what the pipe takes now.
    void flush() {
        while (m_fd >= 0 && m_size > 0) {
            const ssize_t n = write(m_fd, m_data, m_size);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                return;
            if (n <= 0) {
                // The application is gone (EPIPE): nobody is left to read the rest.
                m_fd = -1;
                m_size = 0;
                return;
            }
            std::memmove(m_data, m_data + n, m_size - static_cast<size_t>(n));
            m_size -= static_cast<size_t>(n);
        }
    }

    // At the end: waits until the application has everything (or is gone).
    void flushAll() {
        while (m_fd >= 0 && m_size > 0) {
            flush();
            if (m_fd >= 0 && m_size > 0) {
                pollfd writable{m_fd, POLLOUT, 0};
                poll(&writable, 1, -1);
            }
        }
    }

private:
    void append(const char *data, size_t size) {
        if (m_size + size > m_capacity) {
            const size_t capacity = std::max({size_t(64 * 1024), m_capacity * 2, m_size + size});
            char *grown = static_cast<char *>(std::realloc(m_data, capacity));
            if (grown == nullptr)
                return; // out of memory: a lost report line beats a dead shim
            m_data = grown;
            m_capacity = capacity;
        }
        std::memcpy(m_data + m_size, data, size);
        m_size += size;
        flush();
    }

    int m_fd;
    char *m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
};

[[noreturn]] void failBeforeStart(Report &report, const char *what) {
    report.line("error %s: %s", what, strerror(errno));
    report.flushAll();
    if (!report.enabled())
        dprintf(STDERR_FILENO, "jobmonitor-shim: %s: %s\n", what, strerror(errno));
    _exit(kShimFailure);
}

// Closes every descriptor from 3 up except keep, so that the command sees only 0, 1 and 2.
// close_range (Linux 5.9) does it in one or two calls; older kernels get a walk of
// /proc/self/fd.
void closeInheritedFds(int keep) {
    const bool closed =
        keep < 3 ? syscall(SYS_close_range, 3u, ~0u, 0u) == 0
                 : (keep == 3 || syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u) == 0) &&
                       syscall(SYS_close_range, unsigned(keep + 1), ~0u, 0u) == 0;
    if (closed)
        return;
    DIR *fds = opendir("/proc/self/fd");
    if (fds == nullptr) {
        for (int fd = 3; fd < 1024; ++fd)
            if (fd != keep)
                close(fd);
        return;
    }
    const int own = dirfd(fds);
    int found[1024];
    int count = 0;
    while (const dirent *entry = readdir(fds)) {
        long fd = 0;
        if (parseNumber(entry->d_name, 3, INT_MAX, fd) && fd != own && fd != keep && count < 1024)
            found[count++] = static_cast<int>(fd);
    }
    closedir(fds);
    for (int i = 0; i < count; ++i)
        close(found[i]);
}

// A signal ends a process by default unless it is one of these.
bool endsProcessByDefault(int signal) {
    switch (signal) {
    case SIGCHLD:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
    case SIGWINCH:
        return false;
    default:
        return true;
    }
}

struct ProcessInfo {
    pid_t pid = 0;
    pid_t parent = 0;
    pid_t group = 0;
    pid_t session = 0;
    bool alive = false; // zombies have ended
    bool liveDescendant = false;
    int signalsSent = 0; // adopting: how many of the sequence's signals it has been sent
};

bool readProcessInfo(pid_t pid, ProcessInfo &info) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char line[512];
    const ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0)
        return false;
    line[n] = '\0';
    // The state follows the last ')': the command name may itself contain parentheses.
    const char *nameEnd = std::strrchr(line, ')');
    char state = 0;
    info = ProcessInfo{pid, 0, 0, 0, false, false};
    if (nameEnd == nullptr || std::sscanf(nameEnd + 1, " %c %d %d %d", &state, &info.parent,
                                          &info.group, &info.session) != 4)
        return false;
    info.alive = state != 'Z' && state != 'X';
    return true;
}

bool childrenFilesAvailable(pid_t self) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", self, self);
    return access(path, R_OK) == 0;
}

// Whether the environment of pid holds exactly `entry` ("NAME=VALUE").
bool environmentHas(pid_t pid, const char *entry) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d/environ", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const size_t length = std::strlen(entry);
    // Variables are NUL-separated; a match must start after a NUL (or at 0) and end at one.
    char buffer[8192];
    char carry[512];
    size_t carried = 0;
    bool found = false;
    bool atStart = true;
    ssize_t n;
    while (!found && (n = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < n && !found; ++i) {
            const char c = buffer[i];
            if (c == '\0') {
                found = atStart && carried == length && std::memcmp(carry, entry, length) == 0;
                carried = 0;
                atStart = true;
            } else if (carried < sizeof carry) {
                carry[carried++] = c;
            } else {
                atStart = false;
            }
        }
    }
    close(fd);
    return found;
}

// The processes found by a walk, sorted by pid where a lookup needs it; reused between walks.
class ProcessList {
public:
    ProcessList() = default;
    ~ProcessList() { std::free(m_items); }
    ProcessList(const ProcessList &) = delete;
    ProcessList &operator=(const ProcessList &) = delete;

    size_t size() const { return m_count; }
    ProcessInfo &operator[](size_t i) { return m_items[i]; }
    const ProcessInfo &operator[](size_t i) const { return m_items[i]; }
    void clear() { m_count = 0; }

    bool append(const ProcessInfo &info) {
        if (!reserve(m_count + 1))
            return false; // what was found so far is still worth signalling
        m_items[m_count++] = info;
        return true;
    }

    void sortByPid() {
        std::sort(m_items, m_items + m_count,
                  [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    }

    // Looks pid up among the first `within` entries, which must be sorted by pid.
    ProcessInfo *find(pid_t pid, size_t within) {
        ProcessInfo *begin = m_items;
        ProcessInfo *end = begin + std::min(within, m_count);
        ProcessInfo *found = std::lower_bound(
            begin, end, pid, [](const ProcessInfo &info, pid_t p) { return info.pid < p; });
        return found != end && found->pid == pid ? found : nullptr;
    }
    const ProcessInfo *find(pid_t pid) const {
        const ProcessInfo *begin = m_items;
        const ProcessInfo *end = begin + m_count;
        const ProcessInfo *found = std::lower_bound(
            begin, end, pid, [](const ProcessInfo &info, pid_t p) { return info.pid < p; });
        return found != end && found->pid == pid ? found : nullptr;
    }

    bool contains(pid_t pid) const {
        for (size_t i = 0; i < m_count; ++i)
            if (m_items[i].pid == pid)
                return true;
        return false;
    }

    // Removes the entries from `from` on whose pid is among the entries before it (which it
    // sorts by pid).
    void dropKnown(size_t from) {
        std::sort(m_items, m_items + from,
                  [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
        size_t kept = from;
        for (size_t i = from; i < m_count; ++i)
            if (find(m_items[i].pid, from) == nullptr)
                m_items[kept++] = m_items[i];
        m_count = kept;
    }

    // Appends the children of pid, made by any of its threads, as entries to be read.
    void appendChildren(pid_t pid) {
        char path[64];
        std::snprintf(path, sizeof path, "/proc/%d/task", pid);
        DIR *tasks = opendir(path);
        if (tasks == nullptr)
            return; // it has ended: its children are re-parented, found from there
        while (const dirent *task = readdir(tasks)) {
            if (task->d_name[0] == '.')
                continue;
            std::snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", pid, task->d_name);
            const int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            char buffer[4096];
            long number = 0;
            bool inNumber = false;
            ssize_t n;
            while ((n = read(fd, buffer, sizeof buffer)) > 0) {
                for (ssize_t i = 0; i < n; ++i) {
                    if (buffer[i] >= '0' && buffer[i] <= '9') {
                        number = number * 10 + (buffer[i] - '0');
                        inNumber = true;
                    } else if (inNumber) {
                        append(ProcessInfo{pid_t(number), pid, 0, 0, false, false});
                        number = 0;
                        inNumber = false;
                    }
                }
            }
            close(fd);
        }
        closedir(tasks);
    }

    // Reads the entries from `from` on and walks down from each live one, breadth first: the
    // list grows while it is walked. Returns how many live processes were found.
    size_t walkFrom(size_t from) {
        size_t count = 0;
        // The limit guards against a cycle made of pids reused during the walk.
        for (size_t i = from; i < m_count && i < kMaxProcesses; ++i) {
            ProcessInfo info;
            if (!readProcessInfo(m_items[i].pid, info) || !info.alive) {
                m_items[i].alive = false;
                continue;
            }
            info.liveDescendant = true;
            m_items[i] = info;
            ++count;
            appendChildren(info.pid);
        }
        return count;
    }

private:
    bool reserve(size_t count) {
        if (count <= m_capacity)
            return true;
        const size_t capacity = std::max({size_t(256), m_capacity * 2, count});
        void *grown = std::realloc(m_items, capacity * sizeof(ProcessInfo));
        if (grown == nullptr)
            return false;
        m_items = static_cast<ProcessInfo *>(grown);
        m_capacity = capacity;
        return true;
    }

    ProcessInfo *m_items = nullptr;
    size_t m_count = 0;
    size_t m_capacity = 0;
};

// Reads every process in /proc and keeps those whose parent chain leads to root.
size_t scanAllProcesses(ProcessList &list, pid_t root) {
    list.clear();
    DIR *proc = opendir("/proc");
    if (proc == nullptr)
        return 0;
    while (const dirent *entry = readdir(proc)) {
        long pid = 0;
        ProcessInfo info;
        if (parseNumber(entry->d_name, 1, INT_MAX, pid) &&
            readProcessInfo(static_cast<pid_t>(pid), info))
            list.append(info);
    }
    closedir(proc);
    list.sortByPid();
    size_t count = 0;
    for (size_t i = 0; i < list.size(); ++i) {
        ProcessInfo &info = list[i];
        pid_t ancestor = info.parent;
        // The step limit guards against a cycle made of pids reused during the scan.
        for (size_t steps = 0; ancestor > 1 && ancestor != root && steps < list.size(); ++steps) {
            const ProcessInfo *parent = list.find(ancestor);
            ancestor = parent == nullptr ? 0 : parent->parent;
        }
        info.liveDescendant = info.alive && ancestor == root;
        if (info.liveDescendant)
            ++count;
    }
    return count;
}

// Signals a process found by a walk, unless its pid has been given to another process since:
// its own parent may have reaped it in between. A pidfd pins the process; the parent is then
// checked again (the expected reaper, if the parent ended meanwhile). Kernels without pidfds
// get a plain kill().
void signalProcess(const ProcessInfo &info, pid_t reaper, int signal) {
    // Raw system calls: Debian 12's <sys/pidfd.h> cannot be used from C++ (no extern "C").
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, info.pid, 0));
    if (pidfd < 0) {
        if (errno == ENOSYS)
            kill(info.pid, signal);
        return; // ESRCH: it has ended
    }
    ProcessInfo now;
    if (readProcessInfo(info.pid, now) && (now.parent == info.parent || now.parent == reaper))
        syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
    close(pidfd);
}

// The termination sequence, step by step: which signal goes out next and when.
class Sequence {
public:
    explicit Sequence(const Options &options)
        : m_options(options) {}

    enum class KillCause { None, Sequence, Request };

    bool running() const { return m_running; }
    bool killing() const { return m_killCause != KillCause::None; }
    KillCause killCause() const { return m_killCause; }

    void start() {
        if (m_running)
            return;
        m_running = true;
        m_next = 0;
        m_stepDeadline = nowMs();
    }
    void killNow() {
        m_running = true;
        if (m_killCause == KillCause::None)
            m_killCause = KillCause::Request;
    }

    // The signal to send now, or 0 when the current step is still waiting (or SIGKILL time).
    int nextSignal(long now) {
        if (!m_running || killing() || now < m_stepDeadline)
            return 0;
        if (m_next < m_options.stepCount) {
            const Step &step = m_options.steps[m_next++];
            m_stepDeadline = now + step.waitMs;
            return step.signal;
        }
        m_killCause = KillCause::Sequence;
        return 0;
    }

    // Milliseconds until the sequence needs the shim again; -1: it does not.
    long timeoutMs(long now) const {
        if (!m_running)
            return -1;
        if (killing())
            return kKillRoundMs;
        return std::max(0L, m_stepDeadline - now);
    }

private:
    const Options &m_options;
    bool m_running = false;
    KillCause m_killCause = KillCause::None;
    int m_next = 0;
    long m_stepDeadline = 0;
};

// One of the command's output channels: the pipe the shim reads and the file it saves to.
struct Output {
    int pipe = -1;    // read end; -1 once at end of file
    int file = -1;    // -1: relayed
    int64_t size = 0; // bytes saved to file
};

// Where the two channels' output goes, and the index of the order it arrived in.
//
// DIR/index: a 16-byte header ("JMINDEX1" and 8 reserved bytes), then 16-byte records, each two
// little-endian 64-bit words: (channel << 63 | offset), and the wall-clock milliseconds since
// the epoch. A record says: from `offset` on, bytes of `channel` arrived from that time on. It
// is written before those bytes, so a reader that sees a record for channel C knows that the
// earlier run of C ended at `offset`; the last run of a channel ends at its file's size.
// Channel 0 is stdout, 1 stderr.
//
// DIR and its files are made when the first byte arrives, not when the attempt starts: most
// short jobs print nothing, and four inodes for each of them cost more than the job (ext4
// searches its bitmap past recently deleted inodes). No DIR means the attempt printed nothing.
class OutputSaver {
public:
    OutputSaver(Report &report, bool copyInstead)
        : m_report(report)
        , m_copyInstead(copyInstead) {}

    // Output goes to files under dir (and its parent, the job's folder) once there is some.
    void saveTo(const char *dir) { m_dir = dir; }

    Output &channel(Channel c) { return m_out[c]; }

    // Moves what the pipe holds now to its file, or relays it; returns whether bytes moved.
    // readable: poll() said the pipe holds bytes, so they need not be asked for (a job that
    // prints a line a millisecond wakes the shim a thousand times a second).
    bool take(Channel c, bool readable = false) {
        Output &out = m_out[c];
        if (out.pipe < 0)
            return false;
        if (m_dir != nullptr && (readable || buffered(out.pipe) > 0)) {
            const char *dir = std::exchange(m_dir, nullptr);
            if (!open(dir))
                m_report.line("output-error %s: %s: %s", kChannelName[c], dir, strerror(errno));
        }
        if (out.file >= 0) {
            const std::optional<bool> saved = save(c, readable);
            if (saved)
                return *saved;
        }
        return relay(c);
    }

    // Everything the pipes hold: the job has ended, nothing more can come from it.
    void drain() {
        for (Channel c : {Stdout, Stderr})
            while (take(c)) {
            }
    }

private:
    static int buffered(int pipe) {
        int available = 0;
        return ioctl(pipe, FIONREAD, &available) == 0 ? available : 0;
    }

    // Creates DIR and the three files; on failure everything is relayed and false returned.
    bool open(const char *dir) {
        char parent[PATH_MAX];
        const char *slash = strrchr(dir, '/');
        const size_t length = slash == nullptr ? 0 : static_cast<size_t>(slash - dir);
        if (length >= sizeof parent) {
            errno = ENAMETOOLONG;
            return false;
        }
        memcpy(parent, dir, length);
        parent[length] = '\0';
        if (length > 0 && mkdir(parent, 0700) != 0 && errno != EEXIST)
            return false;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return false;
        const int dirFd = ::open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dirFd < 0)
            return false;
        const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        // The index and its header come first: a reader that finds the data files must find
        // the index too, or it would take the directory for one without an index for good.
        static const char header[16] = {'J', 'M', 'I', 'N', 'D', 'E', 'X', '1'};
        m_index = openat(dirFd, "index", flags, 0600);
        bool opened = m_index >= 0 && writeAll(m_index, header, sizeof header);
        for (Channel c : {Stdout, Stderr})
            if (opened)
                opened = (m_out[c].file = openat(dirFd, kChannelName[c], flags, 0600)) >= 0;
        const int error = errno;
        close(dirFd);
        if (!opened) {
            closeFiles();
            errno = error;
            return false;
        }
        return true;
    }

    // Returns how many bytes were written: all of them, or fewer with errno set.
    static size_t writeSome(int fd, const char *data, size_t size) {
        size_t written = 0;
        while (written < size) {
            const ssize_t n = write(fd, data + written, size - written);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            written += static_cast<size_t>(n);
        }
        return written;
    }
    static bool writeAll(int fd, const char *data, size_t size) {
        return writeSome(fd, data, size) == size;
    }

    // Starts a run in the index before its first bytes are written.
    bool indexRun(Channel c) {
        const long now = nowMs();
        if (m_lastChannel == c && now - m_lastRecordMs < kIndexTimeSliceMs)
            return true;
        const uint64_t record[2] = {(uint64_t(c) << 63) | uint64_t(m_out[c].size),
                                    uint64_t(wallClockMs())};
        if (!writeAll(m_index, reinterpret_cast<const char *>(record), sizeof record))
            return false;
        m_lastChannel = c;
        m_lastRecordMs = now;
        return true;
    }

    // Whether bytes moved; nullopt when the file failed and the bytes must be relayed.
    std::optional<bool> save(Channel c, bool readable) {
        Output &out = m_out[c];
        if (!readable && buffered(out.pipe) <= 0) {
            // Nothing buffered: end of file, or a spurious wake-up.
            if (pollHangUp(out.pipe))
                closePipe(out);
            return false;
        }
        if (!indexRun(c)) {
            failFiles(c, "index");
            return std::nullopt;
        }
        for (;;) {
            const ssize_t n = m_copyInstead ? copyOnce(c)
                                            : splice(out.pipe, nullptr, out.file, nullptr, kChunk,
                                                     SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                out.size += n;
                return true;
            }
            if (n == 0) {
                closePipe(out);
                return false;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return false;
            if (errno == EINVAL && !m_copyInstead) {
                // A file system that cannot splice: copy through a buffer instead.
                m_copyInstead = true;
                continue;
            }
            failFiles(c, kChannelName[c]);
            return std::nullopt;
        }
    }

    // One read from the pipe and its write to the file; like splice, -1 with errno on failure.
    // Bytes read but not written are relayed (only those: a full disk often takes part of a
    // write), so nothing is lost and nothing doubled.
    ssize_t copyOnce(Channel c) {
        Output &out = m_out[c];
        const ssize_t n = read(out.pipe, m_buffer, sizeof m_buffer);
        if (n <= 0)
            return n;
        const size_t written = writeSome(out.file, m_buffer, static_cast<size_t>(n));
        if (written < static_cast<size_t>(n)) {
            const int error = errno;
            m_report.relay(c, m_buffer + written, static_cast<size_t>(n) - written);
            errno = error;
            return -1;
        }
        return n;
    }

    bool relay(Channel c) {
        Output &out = m_out[c];
        const ssize_t n = read(out.pipe, m_buffer, sizeof m_buffer);
        if (n == 0)
            closePipe(out);
        if (n <= 0)
            return false;
        m_report.relay(c, m_buffer, static_cast<size_t>(n));
        return true;
    }

    static bool pollHangUp(int fd) {
        pollfd p{fd, POLLIN, 0};
        return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0 && (p.revents & POLLIN) == 0;
    }

    static void closePipe(Output &out) {
        close(out.pipe);
        out.pipe = -1;
    }

    void closeFiles() {
        for (Output &out : m_out) {
            if (out.file >= 0)
                close(out.file);
            out.file = -1;
        }
        if (m_index >= 0)
            close(m_index);
        m_index = -1;
    }

    // A file stopped taking bytes (a full disk, say): both channels are relayed from now on,
    // so that what the application shows stays in arrival order.
    void failFiles(Channel c, const char *what) {
        const int error = errno;
        closeFiles();
        m_report.line("output-error %s: %s: %s", kChannelName[c], what, strerror(error));
    }

    Report &m_report;
    const char *m_dir = nullptr;
    Output m_out[2];
    int m_index = -1;
    int m_lastChannel = -1;
    long m_lastRecordMs = 0;
    bool m_copyInstead;
    char m_buffer[65536];
};

class Shim {
public:
    Shim(const Options &options, int signalFd, Report &report)
        : m_options(options)
        , m_signalFd(signalFd)
        , m_report(report)
        , m_sequence(options)
        , m_output(report, options.copyOutput) {}

    [[noreturn]] void run();

private:
    void startLeader();
    bool reapChildren();
    size_t findLiveDescendants();
    size_t signalJob(int signal);
    void startSequence(const char *cause);
    void requestKill();
    void handle(const signalfd_siginfo &info);
    void takeSteps();
    void writeFinalReport();
    [[noreturn]] void exitLikeLeader() const;

    const Options &m_options;
    const int m_signalFd;
    Report &m_report;
    Sequence m_sequence;
    OutputSaver m_output;
    pid_t m_self = getpid();
    pid_t m_parent = getppid();
    pid_t m_leader = 0;
    int m_execError = 0;
    std::optional<int> m_leaderStatus;
    // Children are reaped when SIGCHLD says one ended (and once at the start), not on every
    // wake-up: a wait costs more than taking a line of output.
    bool m_childEnded = true;
    bool m_childrenLeft = true;
    bool m_endingRequested = false; // a signal that ends processes went to the job
    std::optional<bool> m_stopEffect;
    size_t m_stragglers = 0;
    size_t m_killed = 0;
    size_t m_killedEscapees = 0;
    bool m_killCounted = false;
    bool m_childrenFiles = childrenFilesAvailable(m_self);
    ProcessList m_processes;
};

void Shim::startLeader() {
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        failBeforeStart(m_report, "pipe");
    if (m_options.bigPipes) {
        // The kernel may refuse (the per-user pipe memory limit); the pipe then keeps 64 KiB.
        fcntl(out[0], F_SETPIPE_SZ, kBigPipeSize);
        fcntl(err[0], F_SETPIPE_SZ, kBigPipeSize);
    }
    for (int fd : {out[0], err[0]})
        fcntl(fd, F_SETFL, O_NONBLOCK);
    m_output.channel(Stdout).pipe = out[0];
    m_output.channel(Stderr).pipe = err[0];

    // posix_spawn (a vfork underneath): cheaper than fork, and it reports a failed exec itself.
    // The leader gets its own process group, default dispositions and an empty signal mask.
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_adddup2(&files, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&files, err[1], STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                              POSIX_SPAWN_SETSIGDEF);
    const int error = posix_spawnp(&m_leader, m_options.command[0], &files, &attributes,
                                   m_options.command, environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&files);
    // The job holds the write ends now; the shim's copies would keep the pipes open forever.
    close(out[1]);
    close(err[1]);
    if (error != 0) {
        // Reported like a shell does: status 127, no process of the job ever ran.
        m_leader = 0;
        m_execError = error;
        m_leaderStatus = 127 << 8;
        m_report.line("error exec %.*s: %s", PATH_MAX, m_options.command[0], strerror(error));
        return;
    }
    m_report.line("leader %d", m_leader);
}

// Reaps every child that has ended; returns whether the shim still has children. What lives
// on when the leader is found to have ended by itself are stragglers, counted here, wherever
// its end is noticed: a stop request may be what makes the shim look.
bool Shim::reapChildren() {
    m_childEnded = false;
    bool leaderReaped = false;
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        if (pid > 0 && pid == m_leader) {
            m_leaderStatus = status;
            leaderReaped = true;
        }
        if (pid > 0)
            continue;
        if (pid < 0 && errno == EINTR)
            continue;
        const bool childrenLeft = pid == 0;
        if (leaderReaped && childrenLeft && !m_endingRequested)
            m_stragglers = findLiveDescendants();
        m_childrenLeft = childrenLeft;
        return childrenLeft;
    }
}

// Finds the live descendants and marks them; returns how many there are. Descendants are
// found through parent-child links, which also finds processes that left the job's group or
// session. The walk down from the shim costs what the job is big, which matters when hundreds
// of jobs stop at once; kernels without /proc/PID/task/TID/children get a scan of all of /proc.
//
// A process that ends during the walk (often of the very signal that was just sent to the
// job's group) hands its children to the shim after the shim's own children were read, and
// before the walk reached it: they are in no children file the walk reads. So the shim's
// children are read again after each walk, and the new ones walked, until none turn up.
size_t Shim::findLiveDescendants() {
    if (!m_childrenFiles || m_options.scanProc)
        return scanAllProcesses(m_processes, m_self);
    m_processes.clear();
    size_t count = 0;
    size_t walked = 0;
    for (;;) {
        m_processes.appendChildren(m_self);
        m_processes.dropKnown(walked);
        if (m_processes.size() == walked)
            return count;
        count += m_processes.walkFrom(walked);
        walked = m_processes.size();
    }
}

// Sends signal to the job's group and to every other live descendant; returns how many live
// descendants there were.
size_t Shim::signalJob(int signal) {
    if (endsProcessByDefault(signal))
        m_endingRequested = true;
    // The group id cannot be reused while the leader is unreaped; signalling the group first
    // reaches all its members at once, before they can fork more.
    if (!m_leaderStatus)
        kill(-m_leader, signal);
    const size_t count = findLiveDescendants();
    bool groupLives = false;
    for (size_t i = 0; i < m_processes.size(); ++i) {
        const ProcessInfo &info = m_processes[i];
        if (!info.liveDescendant)
            continue;
        if (info.group == m_leader)
            groupLives = true;
        else
            signalProcess(info, m_self, signal);
    }
    if (m_leaderStatus && groupLives)
        kill(-m_leader, signal);
    return count;
}

void Shim::startSequence(const char *cause) {
    if (m_sequence.running())
        return;
    m_report.line("stopping %s", cause);
    m_sequence.start();
}

void Shim::requestKill() {
    m_sequence.killNow();
}

void Shim::handle(const signalfd_siginfo &info) {
    const int signo = static_cast<int>(info.ssi_signo);
    if (signo == SIGCHLD) {
        m_childEnded = true; // reaped by the main loop
        return;
    }
    const bool fromApplication = signo == SIGRTMIN;
    const int request = fromApplication ? info.ssi_int : 0;
    // The first stop tells whether it reached a running command (see stop-effect).
    if (fromApplication && (request == 0 || request == SIGKILL) && !m_stopEffect) {
        reapChildren();
        m_stopEffect = !m_leaderStatus.has_value();
    }
    if (!fromApplication) {
        // SIGTERM, SIGINT, SIGHUP: somebody wants the job gone, or the application died
        // (PR_SET_PDEATHSIG).
        startSequence(getppid() != m_parent ? "parent" : "signal");
    } else if (request == 0) {
        startSequence("request");
    } else if (request == SIGKILL) {
        requestKill();
    } else if (request > 0 && request < _NSIG) {
        signalJob(request);
    }
}

// Sends whatever the sequence says is due now; counts what lives on when SIGKILL starts.
void Shim::takeSteps() {
    const long now = nowMs();
    while (const int signal = m_sequence.nextSignal(now)) {
        signalJob(signal);
        m_report.line("step %d", signal);
    }
    if (!m_sequence.killing())
        return;
    if (!m_killCounted) {
        // Once, at the first SIGKILL round: what did not end by the sequence's signals.
        m_killCounted = true;
        const size_t alive = findLiveDescendants();
        for (size_t i = 0; i < m_processes.size(); ++i)
            if (m_processes[i].liveDescendant && m_processes[i].group != m_leader)
                ++m_killedEscapees;
        m_killed = alive;
        if (alive > 0)
            m_report.line("kill %s", m_sequence.killCause() == Sequence::KillCause::Request
                                         ? "request"
                                         : "sequence");
    }
    signalJob(SIGKILL);
}

void Shim::run() {
    if (m_options.outputDir != nullptr)
        m_output.saveTo(m_options.outputDir);
    startLeader();
    for (;;) {
        const bool childrenLeft = m_childEnded ? reapChildren() : m_childrenLeft;
        if (m_leaderStatus && !childrenLeft) {
            // Every writer of the pipes was a process of the job: what they hold is all.
            m_output.drain();
            break;
        }
        if (m_leaderStatus && !m_sequence.running() && childrenLeft)
            startSequence("stragglers");
        takeSteps();

        // One wait for everything: signals (SIGCHLD is raised for every child of the shim that
        // ends, and the last process of the job always is one), output, a step's deadline,
        // and room in the report pipe. No polling is needed to notice that the job is gone.
        pollfd fds[4];
        nfds_t count = 0;
        fds[count++] = pollfd{m_signalFd, POLLIN, 0};
        const bool relayFull = m_report.pending() > kRelayHighWater;
        for (Channel c : {Stdout, Stderr})
            if (m_output.channel(c).pipe >= 0 && !relayFull)
                fds[count++] = pollfd{m_output.channel(c).pipe, POLLIN, 0};
        if (m_report.pending() > 0)
            fds[count++] = pollfd{m_report.fd(), POLLOUT, 0};
        // A job whose leader ended and whose pipes are still held by a process that is gone
        // cannot be: every writer is a process of the job.
        const int timeout =
            static_cast<int>(std::min(m_sequence.timeoutMs(nowMs()), long(INT_MAX)));
        const int ready = poll(fds, count, timeout);
        if (ready < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; ready > 0 && i < count; ++i) {
            if (fds[i].revents == 0)
                continue;
            if (fds[i].fd == m_signalFd) {
                signalfd_siginfo info;
                while (read(m_signalFd, &info, sizeof info) == sizeof info)
                    handle(info);
            } else if (fds[i].fd == m_report.fd()) {
                m_report.flush();
            } else {
                m_output.take(fds[i].fd == m_output.channel(Stdout).pipe ? Stdout : Stderr,
                              (fds[i].revents & POLLIN) != 0);
            }
        }
    }
    writeFinalReport();
    exitLikeLeader();
}

void Shim::writeFinalReport() {
    const int status = *m_leaderStatus;
    m_report.line("stragglers %zu", m_stragglers);
    m_report.line("killed %zu %zu", m_killed, m_killedEscapees);
    if (m_stopEffect)
        m_report.line("stop-effect %d", *m_stopEffect ? 1 : 0);
    rusage usage{};
    if (getrusage(RUSAGE_CHILDREN, &usage) == 0) {
        const long long cpuMs =
            (static_cast<long long>(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1000 +
            (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
        m_report.line("usage %lld %ld", cpuMs, usage.ru_maxrss);
    }
    m_report.line("%s %d", WIFEXITED(status) ? "exit" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    m_report.line("done");
    m_report.flushAll();
    if (!m_report.enabled() && m_execError != 0)
        dprintf(STDERR_FILENO, "jobmonitor-shim: exec %s: %s\n", m_options.command[0],
                strerror(m_execError));
}

void Shim::exitLikeLeader() const {
    const int status = *m_leaderStatus;
    if (WIFEXITED(status))
        _exit(WEXITSTATUS(status));
    const int signal = WTERMSIG(status);
    // The job's crash was reported already; the shim's own core would only waste space.
    const rlimit noCore{0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
    prctl(PR_SET_DUMPABLE, 0);
    if (signal == SIGKILL)
        kill(getpid(), SIGKILL);
    struct sigaction defaultAction {};
    defaultAction.sa_handler = SIG_DFL;
    sigaction(signal, &defaultAction, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal);
    sigprocmask(SIG_UNBLOCK, &only, nullptr);
    raise(signal);
    _exit(128 + signal);
}

// The adopting shim (see the top of the file).
class Adopter {
public:
    Adopter(const Options &options, int signalFd, Report &report)
        : m_options(options)
        , m_signalFd(signalFd)
        , m_report(report)
        , m_sequence(options) {
        std::snprintf(m_marker, sizeof m_marker, "JOBMONITOR_TRACE_ID=%s", options.adoptTrace);
    }

    [[noreturn]] void run();

private:
    bool belongs(const ProcessInfo &info) const {
        return info.session == m_options.adoptSession || m_adopted.contains(info.pid) ||
               environmentHas(info.pid, m_marker);
    }
    size_t findProcesses();
    void catchUp();
    void signalAll(int signal);

    const Options &m_options;
    const int m_signalFd;
    Report &m_report;
    Sequence m_sequence;
    pid_t m_parent = getppid();
    char m_marker[PATH_MAX];
    ProcessList m_walk;
    ProcessList m_adopted; // every process ever found: reported once, for the parent to reap
    ProcessList m_reached; // every process ever signalled, sorted by pid
    int m_signalsSent[kMaxSteps + 1];
    int m_signalsSentCount = 0;
};

// The dead shim's processes among the parent's children, and their descendants.
size_t Adopter::findProcesses() {
    m_walk.clear();
    ProcessList children;
    children.appendChildren(m_parent);
    for (size_t i = 0; i < children.size(); ++i) {
        ProcessInfo info;
        if (children[i].pid == getpid() || !readProcessInfo(children[i].pid, info))
            continue;
        if (!belongs(info))
            continue;
        if (!m_adopted.contains(info.pid)) {
            m_adopted.append(info);
            m_report.line("adopted %d", info.pid);
        }
        if (info.alive)
            m_walk.append(ProcessInfo{info.pid, m_parent, 0, 0, false, false});
    }
    return m_walk.walkFrom(0);
}

// Sends each process found the sequence's signals it has not been sent yet, in order: every
// process gets each step's signal once, and one found late (re-parented to us when its own
// parent ended) catches up, so that a stopped one is continued too.
void Adopter::catchUp() {
    const size_t known = m_reached.size();
    for (size_t i = 0; i < m_walk.size(); ++i) {
        const ProcessInfo &info = m_walk[i];
        if (!info.liveDescendant)
            continue;
        ProcessInfo *reached = m_reached.find(info.pid, known);
        for (int s = reached ? reached->signalsSent : 0; s < m_signalsSentCount; ++s)
            signalProcess(info, m_parent, m_signalsSent[s]);
        if (reached != nullptr) {
            reached->signalsSent = m_signalsSentCount;
        } else {
            ProcessInfo first = info;
            first.signalsSent = m_signalsSentCount;
            m_reached.append(first);
        }
    }
    if (m_reached.size() != known)
        m_reached.sortByPid();
}

void Adopter::signalAll(int signal) {
    for (size_t i = 0; i < m_walk.size(); ++i)
        if (m_walk[i].liveDescendant)
            signalProcess(m_walk[i], m_parent, signal);
}

void Adopter::run() {
    m_sequence.start();
    size_t killed = 0;
    size_t escapees = 0;
    bool killCounted = false;
    for (;;) {
        const size_t alive = findProcesses();
        if (alive == 0)
            break;
        const long now = nowMs();
        while (const int signal = m_sequence.nextSignal(now)) {
            m_report.line("step %d", signal);
            if (m_signalsSentCount <= kMaxSteps)
                m_signalsSent[m_signalsSentCount++] = signal;
        }
        catchUp();
        if (m_sequence.killing()) {
            if (!killCounted) {
                killCounted = true;
                killed = alive;
                for (size_t i = 0; i < m_walk.size(); ++i)
                    if (m_walk[i].liveDescendant && m_walk[i].session != m_options.adoptSession)
                        ++escapees;
                m_report.line("kill sequence");
            }
            signalAll(SIGKILL);
        }
        m_report.flush();
        const long timeout = std::min(std::max(m_sequence.timeoutMs(nowMs()), 0L), kAdoptPollMs);
        pollfd fds[1] = {pollfd{m_signalFd, POLLIN, 0}};
        if (poll(fds, 1, static_cast<int>(timeout)) > 0) {
            signalfd_siginfo info;
            while (read(m_signalFd, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == static_cast<uint32_t>(SIGRTMIN) && info.ssi_int == SIGKILL)
                    m_sequence.killNow();
            }
        }
    }
    m_report.line("killed %zu %zu", killed, escapees);
    m_report.line("done");
    m_report.flushAll();
    _exit(0);
}

} // namespace

int main(int argc, char **argv) {
    // Blocked before anything else, so a request that arrives early waits in the queue
    // instead of killing the shim, and is read from a signalfd, never in a handler.
    sigset_t handled;
    sigemptyset(&handled);
    for (const int signal : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGRTMIN})
        sigaddset(&handled, signal);
    sigprocmask(SIG_BLOCK, &handled, nullptr);

    const std::optional<Options> options = parseOptions(argc, argv);
    if (!options) {
        dprintf(STDERR_FILENO,
                "jobmonitor-shim: usage: jobmonitor-shim [--report-fd N] [--termseq SEQ] "
                "[--output-dir DIR] [--env NAME=VALUE]... -- PROGRAM ARGS...\n"
                "       jobmonitor-shim --adopt SID --trace ID [--report-fd N] [--termseq SEQ]\n");
        return kShimFailure;
    }
    closeInheritedFds(options->reportFd);
    Report report(options->reportFd);
    if (options->reportFd >= 0 && fcntl(options->reportFd, F_SETFD, FD_CLOEXEC) != 0)
        failBeforeStart(report, "report fd");
    // An inherited SIG_IGN for SIGCHLD would make the kernel reap the leader for us and lose
    // its status; a closed report pipe must give EPIPE, not kill the shim; an output file that
    // reaches the file size limit (ulimit -f) must give EFBIG, so that the rest is relayed.
    // The command gets default actions for all of them (POSIX_SPAWN_SETSIGDEF).
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    const int signalFd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signalFd < 0)
        failBeforeStart(report, "signalfd");

    if (options->adoptSession != 0)
        Adopter(*options, signalFd, report).run();

    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        failBeforeStart(report, "PR_SET_CHILD_SUBREAPER");
    for (int i = 0; i < options->envCount; ++i)
        putenv(options->env[i]);
    // Set on the shim itself, before the command starts, so the command inherits them.
    if (options->nice && setpriority(PRIO_PROCESS, 0, *options->nice) != 0)
        failBeforeStart(report, "setpriority");
    if (options->ioniceClass) {
        constexpr int kIoprioClassShift = 13;
        constexpr int kIoprioWhoProcess = 1;
        const int priority = (*options->ioniceClass << kIoprioClassShift) | options->ioniceLevel;
        if (syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, priority) != 0)
            failBeforeStart(report, "ioprio_set");
    }
    if (options->nofile) {
        rlimit files{};
        getrlimit(RLIMIT_NOFILE, &files);
        files.rlim_cur = std::min(*options->nofile, files.rlim_max);
        if (setrlimit(RLIMIT_NOFILE, &files) != 0)
            failBeforeStart(report, "setrlimit");
    }

    Shim shim(*options, signalFd, report);
    shim.run();
}
