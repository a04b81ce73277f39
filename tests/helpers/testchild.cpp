// jm-testchild: the one child program process tests run; each test picks its behaviour with
// options. Plain C++ and POSIX, no Qt. Whatever the order on the command line, the options
// take effect in this order:
//
//   --pidfile F       append "<role> <pid>" to F for every process this program creates,
//                     itself included (roles: main, grandchild, escapee, child); each line is
//                     written, fsync'ed and closed before the program goes on; the main
//                     line is written once --ignore-term or --trap-term is in effect
//   --ignore-term     ignore SIGTERM (the grandchild, the escapee and the children inherit it)
//   --trap-term MS --marker F
//                     on SIGTERM: sleep MS milliseconds, write "done\n" to F, exit 0
//                     (only the main process; the others keep the default SIGTERM action)
//   --grandchild      fork a child that stays in the process group and sleeps forever
//   --escape          setsid and double fork: an escapee in its own session that sleeps
//                     forever (the intermediate process is reaped before going on)
//   --children N      fork N children that sleep forever (role child), before --allocate so
//                     they share none of its memory
//   --stop            raise SIGSTOP (after the pid file is complete)
//   --allocate MIB    allocate MIB MiB and touch every page, so all of it is resident
//   --stdout TEXT     TEXT and a newline to stdout
//   --stderr TEXT     TEXT and a newline to stderr
//   --flood N         exactly N bytes to stdout in large writes: lines of 79 'x' and a
//                     newline; the last line is cut short if N is not a multiple of 80
//   --invalid-utf8    "invalid \xff\xfe\xc3\x28 utf8\n" to stdout
//   --nul             "nul\0byte\n" to stdout
//   --cr-progress N   "progress 1%\r" ... "progress N%\r" to stdout, one write each, then "\n"
//   --endless-line N  N bytes of 'y' without any newline to stdout, in large writes
//   --burn-cpu MS     busy loop until this process has used MS ms of CPU time (not wall
//                     time: a busy machine only makes it take longer); -1 loops forever
//   --grow MIB_PER_SEC
//                     allocate and touch MIB_PER_SEC MiB a second, a tenth every 100 ms,
//                     until killed
//   --sleep MS        sleep MS milliseconds; -1 sleeps forever
//   --exit N          exit with code N
//   --signal N        die by signal N (default action restored, no core dump)
// Then the program exits 0, unless --burn-cpu -1, --grow, --sleep, --exit or --signal says
// otherwise.

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Options {
    const char *pidFile = nullptr;
    bool ignoreTerm = false;
    long trapTermMs = -1;
    const char *marker = nullptr;
    bool grandchild = false;
    bool escape = false;
    long children = 0;
    bool stop = false;
    long allocateMib = 0;
    const char *stdoutText = nullptr;
    const char *stderrText = nullptr;
    long flood = 0;
    bool invalidUtf8 = false;
    bool nul = false;
    long crProgress = 0;
    long endlessLine = 0;
    long burnCpuMs = 0;
    long growMibPerSecond = 0;
    bool sleep = false;
    long sleepMs = 0;
    bool exit = false;
    long exitCode = 0;
    long signal = 0;
};

[[noreturn]] void usage(const char *problem) {
    std::fprintf(stderr, "jm-testchild: %s (see the top of testchild.cpp)\n", problem);
    std::exit(2);
}

long number(const char *text) {
    char *end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        usage("bad number");
    return value;
}

Options parseOptions(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        const auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage("missing value");
            return argv[++i];
        };
        if (arg == "--pidfile")
            o.pidFile = value();
        else if (arg == "--ignore-term")
            o.ignoreTerm = true;
        else if (arg == "--trap-term")
            o.trapTermMs = number(value());
        else if (arg == "--marker")
            o.marker = value();
        else if (arg == "--grandchild")
            o.grandchild = true;
        else if (arg == "--escape")
            o.escape = true;
        else if (arg == "--children")
            o.children = number(value());
        else if (arg == "--stop")
            o.stop = true;
        else if (arg == "--allocate")
            o.allocateMib = number(value());
        else if (arg == "--stdout")
            o.stdoutText = value();
        else if (arg == "--stderr")
            o.stderrText = value();
        else if (arg == "--flood")
            o.flood = number(value());
        else if (arg == "--invalid-utf8")
            o.invalidUtf8 = true;
        else if (arg == "--nul")
            o.nul = true;
        else if (arg == "--cr-progress")
            o.crProgress = number(value());
        else if (arg == "--endless-line")
            o.endlessLine = number(value());
        else if (arg == "--burn-cpu")
            o.burnCpuMs = number(value());
        else if (arg == "--grow")
            o.growMibPerSecond = number(value());
        else if (arg == "--sleep") {
            o.sleep = true;
            o.sleepMs = number(value());
        } else if (arg == "--exit") {
            o.exit = true;
            o.exitCode = number(value());
        } else if (arg == "--signal")
            o.signal = number(value());
        else
            usage("unknown option");
    }
    if (o.children < 0 || o.allocateMib < 0 || o.growMibPerSecond < 0)
        usage("negative count or size");
    if ((o.trapTermMs >= 0) != (o.marker != nullptr))
        usage("--trap-term and --marker go together");
    return o;
}

void writeAll(int fd, const char *data, size_t size) {
    while (size > 0) {
        const ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            _exit(3);
        data += n;
        size -= static_cast<size_t>(n);
    }
}

void writeAll(int fd, std::string_view text) {
    writeAll(fd, text.data(), text.size());
}

void recordPid(const char *pidFile, const char *role, pid_t pid) {
    if (pidFile == nullptr)
        return;
    const int fd = open(pidFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        _exit(3);
    writeAll(fd, std::string(role) + " " + std::to_string(pid) + "\n");
    fsync(fd);
    close(fd);
}

void sleepMs(long ms) {
    timespec until{};
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec += 1;
        until.tv_nsec -= 1000000000;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

[[noreturn]] void sleepForever() {
    for (;;)
        pause();
}

// What the trap needs, set before the handler is installed.
long s_trapMs = 0;
const char *s_marker = nullptr;

void trapTerm(int) {
    sleepMs(s_trapMs);
    const int fd = open(s_marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        static constexpr char done[] = "done\n";
        (void)!write(fd, done, sizeof done - 1);
        close(fd);
    }
    _exit(0);
}

// Forks a process that keeps only --ignore-term, not the main process's trap. SIGTERM stays
// blocked until the child's disposition is right, so an early SIGTERM cannot run the trap in it.
pid_t forkChild(const Options &o) {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, nullptr);
    const pid_t pid = fork();
    if (pid < 0)
        _exit(3);
    if (pid == 0 && !o.ignoreTerm)
        signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &term, nullptr);
    return pid;
}

void forkGrandchild(const Options &o) {
    const pid_t pid = forkChild(o);
    if (pid == 0)
        sleepForever();
    recordPid(o.pidFile, "grandchild", pid);
}

void forkEscapee(const Options &o) {
    const pid_t intermediate = forkChild(o);
    if (intermediate == 0) {
        setsid();
        const pid_t escapee = forkChild(o);
        if (escapee == 0)
            sleepForever();
        recordPid(o.pidFile, "escapee", escapee);
        _exit(0);
    }
    int status = 0;
    while (waitpid(intermediate, &status, 0) < 0 && errno == EINTR) {
    }
}

void forkChildren(const Options &o) {
    for (long i = 0; i < o.children; ++i) {
        const pid_t pid = forkChild(o);
        if (pid == 0)
            sleepForever();
        recordPid(o.pidFile, "child", pid);
    }
}

// Writing one byte per page is enough to make each page resident; the memory is never freed.
// The writes are volatile: memory that is never read again is otherwise not written at all.
void allocateAndTouch(size_t bytes) {
    auto *memory = static_cast<volatile char *>(std::malloc(bytes));
    if (memory == nullptr)
        _exit(3);
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    for (size_t offset = 0; offset < bytes; offset += page)
        memory[offset] = 1;
}

void burnCpu(long ms) {
    const auto cpuMs = [] {
        timespec used{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
        return used.tv_sec * 1000 + used.tv_nsec / 1000000;
    };
    const long until = cpuMs() + ms;
    volatile unsigned long spin = 0;
    while (ms < 0 || cpuMs() < until)
        for (int i = 0; i < 100000; ++i)
            spin = spin + 1;
}

// A tenth every 100 ms: steady growth rather than one step a second.
[[noreturn]] void growForever(long mibPerSecond) {
    const size_t tenth = (static_cast<size_t>(mibPerSecond) << 20) / 10;
    for (;;) {
        allocateAndTouch(tenth);
        sleepMs(100);
    }
}

void writeRepeated(char fill, long size, bool lines) {
    constexpr size_t kChunk = 80 * 1024; // a multiple of the line length keeps lines aligned
    std::vector<char> chunk(kChunk, fill);
    if (lines)
        for (size_t i = 79; i < kChunk; i += 80)
            chunk[i] = '\n';
    while (size > 0) {
        const size_t n = std::min<size_t>(kChunk, static_cast<size_t>(size));
        writeAll(STDOUT_FILENO, chunk.data(), n);
        size -= static_cast<long>(n);
    }
}

void writeOutput(const Options &o) {
    if (o.stdoutText != nullptr)
        writeAll(STDOUT_FILENO, std::string(o.stdoutText) + "\n");
    if (o.stderrText != nullptr)
        writeAll(STDERR_FILENO, std::string(o.stderrText) + "\n");
    writeRepeated('x', o.flood, true);
    if (o.invalidUtf8)
        writeAll(STDOUT_FILENO, "invalid \xff\xfe\xc3\x28 utf8\n");
    if (o.nul)
        writeAll(STDOUT_FILENO, std::string_view("nul\0byte\n", 9));
    for (long i = 1; i <= o.crProgress; ++i)
        writeAll(STDOUT_FILENO, "progress " + std::to_string(i) + "%\r");
    if (o.crProgress > 0)
        writeAll(STDOUT_FILENO, "\n");
    writeRepeated('y', o.endlessLine, false);
}

[[noreturn]] void dieBySignal(int signal) {
    const rlimit noCore{0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
    prctl(PR_SET_DUMPABLE, 0);
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
    const Options o = parseOptions(argc, argv);

    // SIGTERM is set up before the pid is recorded: a test that signals as soon as the pid
    // appears must find the behaviour it asked for.
    if (o.ignoreTerm)
        signal(SIGTERM, SIG_IGN);
    if (o.trapTermMs >= 0) {
        s_trapMs = o.trapTermMs;
        s_marker = o.marker;
        struct sigaction trap {};
        trap.sa_handler = trapTerm;
        sigaction(SIGTERM, &trap, nullptr);
    }
    recordPid(o.pidFile, "main", getpid());
    if (o.grandchild)
        forkGrandchild(o);
    if (o.escape)
        forkEscapee(o);
    forkChildren(o);
    if (o.stop)
        raise(SIGSTOP);
    if (o.allocateMib > 0)
        allocateAndTouch(static_cast<size_t>(o.allocateMib) << 20);
    writeOutput(o);
    if (o.burnCpuMs != 0)
        burnCpu(o.burnCpuMs);
    if (o.growMibPerSecond > 0)
        growForever(o.growMibPerSecond);
    if (o.sleep) {
        if (o.sleepMs < 0)
            sleepForever();
        sleepMs(o.sleepMs);
    }
    if (o.signal > 0)
        dieBySignal(static_cast<int>(o.signal));
    return o.exit ? static_cast<int>(o.exitCode) : 0;
}
