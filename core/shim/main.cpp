// jobmonitor-shim: the per-job process between the application and a job's command. It runs
// the command, is the subreaper of everything the command starts, ends the whole job on its
// way out and then exits exactly as the command did. Plain C++ and POSIX (no Qt), and on
// purpose nothing that needs the C++ runtime library (no containers, strings or exceptions):
// it is exec'd once per job, so it is linked statically and kept small — libstdc++'s start-up
// would double what a job's launch costs.
//
// Usage: jobmonitor-shim [--report-fd N] [--grace-ms MS] [--term-signals 15,18] [--scan-proc]
//                        -- PROGRAM ARGS...
// (--scan-proc finds the job's processes by reading all of /proc, as on kernels without
// /proc/PID/task/TID/children; it is there so tests can cover that path.)
//
// The caller puts the shim in its own session and sets PR_SET_PDEATHSIG before exec'ing it.
//
// Control:
// - sigqueue(shim, SIGRTMIN, {.sival_int = S}) sends S to the job's process group and to every
//   other descendant of the shim (escapees in other groups or sessions). For SIGKILL the
//   shim keeps killing until no descendant is left. Requests are honoured in order.
// - SIGTERM, SIGINT or SIGHUP to the shim (PR_SET_PDEATHSIG when the application dies) runs
//   the termination sequence: each of --term-signals (default 15,18) to the whole job, up to
//   --grace-ms (default 5000) for it to end, then SIGKILL to whatever is left.
// - When the command's main process (the job leader) ends while other processes of the job
//   still live, those are stragglers: they are counted and ended by the same sequence. They
//   are not counted when the leader ended after a forwarded signal whose default action
//   ends a process: the job was being ended then, and the others are simply slower.
//
// Report, written to --report-fd just before exiting, one line each, newline-terminated:
//   error exec PROGRAM: REASON   only when PROGRAM could not be exec'd (status is then exit 127)
//   stragglers N
//   exit CODE | signal N         how the job leader ended
// When the shim itself fails before the job starts it writes only "error WHAT: REASON"
// (also to stderr) and exits 125.
//
// Exit status: the job leader's, unchanged; if the leader died by signal N the shim re-raises
// N on itself (without a core dump), so its parent sees the same signal.
//
// The shim exits only when no process of the job is alive: every descendant that is alive
// has a live ancestor that is a child of the shim (orphans are re-parented to it), so "no
// children left" after reaping means "nothing of the job left".

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

namespace {

constexpr int kShimFailure = 125;
// How often the SIGKILL phase re-scans for processes forked after the previous round.
constexpr long kKillRoundMs = 20;
// More processes than one job can sensibly have; bounds a walk confused by pid reuse.
constexpr size_t kMaxProcesses = 1 << 20;

struct Options {
    int reportFd = -1;
    long graceMs = 5000;
    int termSignals[_NSIG] = {SIGTERM, SIGCONT};
    int termSignalCount = 2;
    bool scanProc = false;
    char **command = nullptr;
};

bool parseNumber(const char *text, long min, long max, long &value, char stop = '\0') {
    char *end = nullptr;
    errno = 0;
    const long parsed = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != stop || parsed < min || parsed > max)
        return false;
    value = parsed;
    return true;
}

bool parseSignals(const char *text, Options &options) {
    options.termSignalCount = 0;
    for (const char *item = text;; ++item) {
        const char *comma = std::strchr(item, ',');
        long signal = 0;
        if (options.termSignalCount == _NSIG ||
            !parseNumber(item, 1, _NSIG - 1, signal, comma ? ',' : '\0'))
            return false;
        options.termSignals[options.termSignalCount++] = static_cast<int>(signal);
        if (comma == nullptr)
            return true;
        item = comma;
    }
}

std::optional<Options> parseOptions(int argc, char **argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (std::strcmp(arg, "--") == 0) {
            if (i + 1 >= argc)
                return std::nullopt;
            options.command = argv + i + 1;
            return options;
        }
        if (std::strcmp(arg, "--scan-proc") == 0) {
            options.scanProc = true;
            continue;
        }
        if (i + 1 >= argc)
            return std::nullopt;
        const char *value = argv[++i];
        long number = 0;
        if (std::strcmp(arg, "--report-fd") == 0 && parseNumber(value, 0, INT_MAX, number))
            options.reportFd = static_cast<int>(number);
        else if (std::strcmp(arg, "--grace-ms") == 0 && parseNumber(value, 0, LONG_MAX / 2, number))
            options.graceMs = number;
        else if (std::strcmp(arg, "--term-signals") != 0 || !parseSignals(value, options))
            return std::nullopt;
    }
    return std::nullopt;
}

long nowMs() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void writeAll(int fd, const char *text, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = write(fd, text + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            // The reader being gone is not worth a message: nobody is left to read it.
            if (errno != EPIPE)
                dprintf(STDERR_FILENO, "jobmonitor-shim: cannot write report: %s\n",
                        strerror(errno));
            return;
        }
        done += static_cast<size_t>(n);
    }
}

// Text for the report or stderr; room for a program name of PATH_MAX and a few short lines.
struct Line {
    char text[PATH_MAX + 256];
    size_t size = 0;

    void append(const char *format, ...) __attribute__((format(printf, 2, 3))) {
        va_list arguments;
        va_start(arguments, format);
        const int n = std::vsnprintf(text + size, sizeof text - size, format, arguments);
        va_end(arguments);
        if (n > 0)
            size = std::min(size + static_cast<size_t>(n), sizeof text - 1);
    }
};

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
    bool alive = false; // zombies have ended
    bool liveDescendant = false;
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
    info = ProcessInfo{pid, 0, 0, false, false};
    if (nameEnd == nullptr ||
        std::sscanf(nameEnd + 1, " %c %d %d", &state, &info.parent, &info.group) != 3)
        return false;
    info.alive = state != 'Z' && state != 'X';
    return true;
}

bool childrenFilesAvailable(pid_t self) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", self, self);
    return access(path, R_OK) == 0;
}

class Shim {
public:
    Shim(const Options &options, sigset_t handled)
        : m_options(options)
        , m_handled(handled) {}

    [[noreturn]] void run();

private:
    enum class Phase { Running, Grace, Killing };

    void startLeader();
    bool reapChildren();
    size_t findLiveDescendants();
    size_t walkDescendants();
    size_t scanAllProcesses();
    void appendChildren(pid_t pid);
    bool reserve(size_t count);
    const ProcessInfo *findProcess(pid_t pid) const;
    size_t signalJob(int signal);
    void signalDescendant(const ProcessInfo &info, int signal);
    size_t startTerminationSequence();
    void handle(const siginfo_t &info);
    long waitTimeoutMs() const;
    void writeReport() const;
    [[noreturn]] void exitLikeLeader() const;

    const Options &m_options;
    sigset_t m_handled;
    pid_t m_self = getpid();
    pid_t m_leader = 0;
    int m_execError = 0;
    std::optional<int> m_leaderStatus;
    Phase m_phase = Phase::Running;
    long m_graceDeadline = 0;
    bool m_endingRequested = false;
    size_t m_stragglers = 0;
    bool m_childrenFiles = childrenFilesAvailable(m_self);
    // The descendants found last, sorted by pid; kept to reuse its memory.
    ProcessInfo *m_processes = nullptr;
    size_t m_processCount = 0;
    size_t m_processCapacity = 0;
};

[[noreturn]] void failBeforeStart(int reportFd, const char *what) {
    Line line;
    line.append("error %s: %s\n", what, strerror(errno));
    if (reportFd >= 0)
        writeAll(reportFd, line.text, line.size);
    dprintf(STDERR_FILENO, "jobmonitor-shim: %s", line.text);
    _exit(kShimFailure);
}

void Shim::startLeader() {
    // posix_spawn (a vfork underneath): cheaper than fork, and it reports a failed exec itself.
    // The leader gets its own process group, default dispositions and an empty signal mask.
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
    const int error = posix_spawnp(&m_leader, m_options.command[0], nullptr, &attributes,
                                   m_options.command, environ);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        // Reported like a shell does: status 127, no process of the job ever ran.
        m_leader = 0;
        m_execError = error;
        m_leaderStatus = 127 << 8;
    }
}

// Reaps every child that has ended; returns whether the shim still has children.
bool Shim::reapChildren() {
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        if (pid > 0 && pid == m_leader)
            m_leaderStatus = status;
        if (pid > 0)
            continue;
        if (pid < 0 && errno == EINTR)
            continue;
        return pid == 0;
    }
}

const ProcessInfo *Shim::findProcess(pid_t pid) const {
    const ProcessInfo *begin = m_processes;
    const ProcessInfo *end = begin + m_processCount;
    const ProcessInfo *found = std::lower_bound(
        begin, end, pid, [](const ProcessInfo &info, pid_t p) { return info.pid < p; });
    return found != end && found->pid == pid ? found : nullptr;
}

// Finds the live descendants and marks them; returns how many there are. Descendants are
// found through parent-child links, which also finds processes that left the job's group or
// session. The walk down from the shim costs what the job is big, which matters when hundreds
// of jobs stop at once; kernels without /proc/PID/task/TID/children get a scan of all of
// /proc instead.
size_t Shim::findLiveDescendants() {
    m_processCount = 0;
    return m_childrenFiles && !m_options.scanProc ? walkDescendants() : scanAllProcesses();
}

bool Shim::reserve(size_t count) {
    if (count <= m_processCapacity)
        return true;
    const size_t capacity = std::max({size_t(256), m_processCapacity * 2, count});
    void *grown = std::realloc(m_processes, capacity * sizeof(ProcessInfo));
    if (grown == nullptr)
        return false; // what was found so far is still worth signalling
    m_processes = static_cast<ProcessInfo *>(grown);
    m_processCapacity = capacity;
    return true;
}

// Appends the children of pid, made by any of its threads, as entries to be read.
void Shim::appendChildren(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *tasks = opendir(path);
    if (tasks == nullptr)
        return; // it has ended: its children are the shim's now, found through the shim
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
                    if (reserve(m_processCount + 1))
                        m_processes[m_processCount++] =
                            ProcessInfo{pid_t(number), pid, 0, false, false};
                    number = 0;
                    inNumber = false;
                }
            }
        }
        close(fd);
    }
    closedir(tasks);
}

size_t Shim::walkDescendants() {
    appendChildren(m_self);
    size_t count = 0;
    // m_processes grows while it is walked: it is the queue of the breadth-first walk. The
    // limit guards against a cycle made of pids reused during the walk.
    for (size_t i = 0; i < m_processCount && i < kMaxProcesses; ++i) {
        const pid_t pid = m_processes[i].pid;
        ProcessInfo info;
        if (!readProcessInfo(pid, info) || !info.alive) {
            m_processes[i].alive = false;
            continue;
        }
        info.liveDescendant = true;
        m_processes[i] = info;
        ++count;
        appendChildren(pid);
    }
    return count;
}

// Reads every process in /proc and keeps those whose parent chain leads to the shim.
size_t Shim::scanAllProcesses() {
    DIR *proc = opendir("/proc");
    if (proc == nullptr) {
        dprintf(STDERR_FILENO, "jobmonitor-shim: cannot read /proc: %s\n", strerror(errno));
        return 0;
    }
    while (const dirent *entry = readdir(proc)) {
        long pid = 0;
        if (!parseNumber(entry->d_name, 1, INT_MAX, pid) || !reserve(m_processCount + 1))
            continue;
        if (readProcessInfo(static_cast<pid_t>(pid), m_processes[m_processCount]))
            ++m_processCount;
    }
    closedir(proc);
    std::sort(m_processes, m_processes + m_processCount,
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });

    size_t count = 0;
    for (size_t i = 0; i < m_processCount; ++i) {
        ProcessInfo &info = m_processes[i];
        pid_t ancestor = info.parent;
        // The step limit guards against a cycle made of pids reused during the scan.
        for (size_t steps = 0; ancestor > 1 && ancestor != m_self && steps < m_processCount;
             ++steps) {
            const ProcessInfo *parent = findProcess(ancestor);
            ancestor = parent == nullptr ? 0 : parent->parent;
        }
        info.liveDescendant = info.alive && ancestor == m_self;
        if (info.liveDescendant)
            ++count;
    }
    return count;
}

// Sends signal to the job's group and to every other live descendant; returns how many live
// descendants there were.
// Signals a process found by the walk, unless its pid has been given to another process since:
// its own parent (not the shim) may have reaped it in between. A pidfd pins the process; the
// parent is then checked again (the shim, if the parent ended meanwhile). Kernels without
// pidfds get a plain kill().
void Shim::signalDescendant(const ProcessInfo &info, int signal) {
    // Raw system calls: Debian 12's <sys/pidfd.h> cannot be used from C++ (no extern "C").
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, info.pid, 0));
    if (pidfd < 0) {
        if (errno == ENOSYS)
            kill(info.pid, signal);
        return; // ESRCH: it has ended
    }
    ProcessInfo now;
    if (readProcessInfo(info.pid, now) && (now.parent == info.parent || now.parent == m_self))
        syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
    close(pidfd);
}

size_t Shim::signalJob(int signal) {
    // The group id cannot be reused while the leader is unreaped; signalling the group first
    // reaches all its members at once, before they can fork more.
    if (!m_leaderStatus)
        kill(-m_leader, signal);
    const size_t count = findLiveDescendants();
    bool groupLives = false;
    for (size_t i = 0; i < m_processCount; ++i) {
        const ProcessInfo &info = m_processes[i];
        if (!info.liveDescendant)
            continue;
        if (info.group == m_leader)
            groupLives = true;
        else
            signalDescendant(info, signal);
    }
    if (m_leaderStatus && groupLives)
        kill(-m_leader, signal);
    return count;
}

size_t Shim::startTerminationSequence() {
    size_t alive = 0;
    for (int i = 0; i < m_options.termSignalCount; ++i) {
        const size_t found = signalJob(m_options.termSignals[i]);
        if (i == 0)
            alive = found;
    }
    m_phase = Phase::Grace;
    m_graceDeadline = nowMs() + m_options.graceMs;
    return alive;
}

void Shim::handle(const siginfo_t &info) {
    if (info.si_signo == SIGRTMIN) {
        const int signal = info.si_value.sival_int;
        if (signal <= 0 || signal >= _NSIG)
            return;
        if (endsProcessByDefault(signal))
            m_endingRequested = true;
        if (signal == SIGKILL)
            m_phase = Phase::Killing; // the main loop kills, round after round
        else
            signalJob(signal);
    } else if (info.si_signo != SIGCHLD && m_phase == Phase::Running) {
        startTerminationSequence();
    }
}

long Shim::waitTimeoutMs() const {
    switch (m_phase) {
    case Phase::Running:
        return -1;
    case Phase::Grace:
        return std::max(0L, m_graceDeadline - nowMs());
    case Phase::Killing:
        return kKillRoundMs;
    }
    return -1;
}

void Shim::run() {
    startLeader();
    for (;;) {
        const bool childrenLeft = reapChildren();
        if (m_leaderStatus && !childrenLeft)
            break;
        if (m_leaderStatus && m_phase == Phase::Running) {
            const size_t alive = startTerminationSequence();
            if (!m_endingRequested)
                m_stragglers = alive;
        }
        if (m_phase == Phase::Grace && nowMs() >= m_graceDeadline)
            m_phase = Phase::Killing;
        if (m_phase == Phase::Killing)
            signalJob(SIGKILL);

        // Every process of the job that ends while it is the shim's child raises SIGCHLD,
        // and the last one always is (see the top of the file): no polling is needed to
        // notice that the job is gone.
        siginfo_t info{};
        const long timeoutMs = waitTimeoutMs();
        int received;
        if (timeoutMs < 0) {
            received = sigwaitinfo(&m_handled, &info);
        } else {
            const timespec timeout{timeoutMs / 1000, (timeoutMs % 1000) * 1000000};
            received = sigtimedwait(&m_handled, &info, &timeout);
        }
        if (received > 0)
            handle(info);
    }
    writeReport();
    exitLikeLeader();
}

void Shim::writeReport() const {
    if (m_options.reportFd < 0) {
        if (m_execError != 0)
            dprintf(STDERR_FILENO, "jobmonitor-shim: exec %s: %s\n", m_options.command[0],
                    strerror(m_execError));
        return;
    }
    Line report;
    if (m_execError != 0)
        report.append("error exec %.*s: %s\n", PATH_MAX, m_options.command[0],
                      strerror(m_execError));
    const int status = *m_leaderStatus;
    report.append("stragglers %zu\n%s %d\n", m_stragglers, WIFEXITED(status) ? "exit" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    writeAll(m_options.reportFd, report.text, report.size);
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

} // namespace

int main(int argc, char **argv) {
    // Blocked before anything else, so a request that arrives early waits in the queue
    // instead of killing the shim, and is taken with sigwaitinfo, never in a handler.
    sigset_t handled;
    sigemptyset(&handled);
    for (const int signal : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGRTMIN})
        sigaddset(&handled, signal);
    sigprocmask(SIG_BLOCK, &handled, nullptr);

    const std::optional<Options> options = parseOptions(argc, argv);
    if (!options) {
        dprintf(STDERR_FILENO, "jobmonitor-shim: usage: jobmonitor-shim [--report-fd N] "
                               "[--grace-ms MS] [--term-signals 15,18] -- PROGRAM ARGS...\n");
        return kShimFailure;
    }
    // An inherited SIG_IGN for SIGCHLD would make the kernel reap the leader for us and lose
    // its status; a closed report pipe must give EPIPE, not kill the shim.
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    if (options->reportFd >= 0 && fcntl(options->reportFd, F_SETFD, FD_CLOEXEC) != 0)
        failBeforeStart(-1, "report fd");
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        failBeforeStart(options->reportFd, "PR_SET_CHILD_SUBREAPER");

    Shim(*options, handled).run();
}
