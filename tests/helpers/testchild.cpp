// jm-testchild: the one child program process tests run; each test picks its behaviour with
// options. Plain C++ and POSIX, no Qt. Whatever the order on the command line, the options
// take effect in this order:
//
//   --pidfile F       append "<role> <pid>" to F for every process this program creates,
//                     itself included (roles: main, grandchild, escapee, child); each line is
//                     written, fsync'ed and closed before the program goes on; the main
//                     line is written once --ignore-term, --trap-term and --catch are in
//                     effect
//   --ignore-term     ignore SIGTERM (the grandchild, the escapee and the children inherit it)
//   --trap-term MS --marker F
//                     on SIGTERM: sleep MS milliseconds, write "done\n" to F, exit 0
//                     (only the main process; the others keep the default SIGTERM action)
//   --catch SIGS F    for each signal number in the comma-separated SIGS: on receipt, append
//                     "<pid> <signal> <CLOCK_MONOTONIC microseconds>\n" to F and go on (the
//                     grandchild and the escapee inherit this)
//   --grandchild      fork a child that stays in the process group and sleeps forever
//   --escape          setsid and double fork: an escapee in its own session that sleeps
//                     forever (the intermediate process is reaped before going on)
//   --children N      fork N children that sleep forever (role child), before --allocate so
//                     they share none of its memory
//   --orphans N       fork N processes that stay in the process group ("orphan-parent"), each
//                     with a child in a session of its own ("orphan") that keeps --catch and
//                     sleeps forever; the parents then take the default action of every
//                     --catch signal, so that one ends them and orphans their children just
//                     as it goes out
//   --stop            raise SIGSTOP (after the pid file is complete)
//   --kill-parent     SIGKILL the parent process (after the pid file is complete)
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
//   --interleave N    N lines "out 1\n", "err 2\n", "out 3\n", ... alternately to stdout and
//                     stderr, each written once the reader has taken the previous one out of
//                     its pipe, so a reader of both pipes sees them in this order
//   --sleep MS        sleep MS milliseconds; -1 sleeps forever
//   --exit N          exit with code N
//   --signal N        die by signal N (default action restored, no core dump)
// Then the program exits 0, unless --burn-cpu -1, --grow, --sleep, --exit or --signal says
// otherwise.

#include <fcntl.h>
#include <sys/ioctl.h>
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
    const char *catchSignals = nullptr;
    const char *catchFile = nullptr;
    bool grandchild = false;
    bool escape = false;
    long children = 0;
    long orphans = 0;
    bool stop = false;
    bool killParent = false;
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
    long interleave = 0;
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
        else if (arg == "--catch") {
            o.catchSignals = value();
            o.catchFile = value();
        } else if (arg == "--grandchild")
            o.grandchild = true;
        else if (arg == "--escape")
            o.escape = true;
        else if (arg == "--children")
            o.children = number(value());
        else if (arg == "--orphans")
            o.orphans = number(value());
        else if (arg == "--stop")
            o.stop = true;
        else if (arg == "--kill-parent")
            o.killParent = true;
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
        else if (arg == "--interleave")
            o.interleave = number(value());
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

// Where --catch records; set before the handlers are installed.
const char *s_catchFile = nullptr;

// Appends decimal digits of value to buffer at *at (async-signal-safe).
void appendNumber(char *buffer, size_t &at, unsigned long long value) {
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (n > 0)
        buffer[at++] = digits[--n];
}

void recordSignal(int signal) {
    const int saved = errno;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[80];
    size_t at = 0;
    appendNumber(line, at, static_cast<unsigned long long>(getpid()));
    line[at++] = ' ';
    appendNumber(line, at, static_cast<unsigned long long>(signal));
    line[at++] = ' ';
    appendNumber(line, at,
                 static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                     static_cast<unsigned long long>(now.tv_nsec / 1000));
    line[at++] = '\n';
    // One write to an O_APPEND file: lines of several processes never mix.
    const int fd = open(s_catchFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)!write(fd, line, at);
        close(fd);
    }
    errno = saved;
}

// Installs recordSignal, or handler, for every signal of --catch.
void installCatchers(const Options &o, void (*handler)(int) = recordSignal) {
    s_catchFile = o.catchFile;
    const char *item = o.catchSignals;
    while (*item != '\0') {
        char *end = nullptr;
        const long signal = std::strtol(item, &end, 10);
        if (end == item || (*end != ',' && *end != '\0') || signal <= 0 || signal >= NSIG)
            usage("bad --catch signal list");
        struct sigaction catcher {};
        catcher.sa_handler = handler;
        sigemptyset(&catcher.sa_mask);
        if (sigaction(static_cast<int>(signal), &catcher, nullptr) != 0)
            usage("cannot catch that signal");
        item = *end == ',' ? end + 1 : end;
    }
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
    if (pid == 0 && o.trapTermMs >= 0 && !o.ignoreTerm)
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

// The escapee's line is written once the intermediate process has been reaped: a test that
// sees it finds exactly the processes of the pid file.
void forkEscapee(const Options &o) {
    int channel[2];
    if (pipe2(channel, O_CLOEXEC) != 0)
        _exit(3);
    const pid_t intermediate = forkChild(o);
    if (intermediate == 0) {
        setsid();
        const pid_t escapee = forkChild(o);
        if (escapee == 0)
            sleepForever();
        writeAll(channel[1], reinterpret_cast<const char *>(&escapee), sizeof escapee);
        _exit(0);
    }
    close(channel[1]);
    pid_t escapee = 0;
    while (read(channel[0], &escapee, sizeof escapee) < 0 && errno == EINTR) {
    }
    close(channel[0]);
    int status = 0;
    while (waitpid(intermediate, &status, 0) < 0 && errno == EINTR) {
    }
    if (escapee <= 0)
        _exit(3);
    recordPid(o.pidFile, "escapee", escapee);
}

// Reads one pid from fd (the process that writes it goes on only once it is as promised).
pid_t readPid(int fd) {
    pid_t pid = 0;
    while (read(fd, &pid, sizeof pid) < 0 && errno == EINTR) {
    }
    if (pid <= 0)
        _exit(3);
    return pid;
}

// Each pair of lines is written once the orphan is in its own session and its parent has
// dropped the --catch handlers.
void forkOrphans(const Options &o) {
    for (long i = 0; i < o.orphans; ++i) {
        int toMain[2];
        int toParent[2];
        if (pipe2(toMain, O_CLOEXEC) != 0 || pipe2(toParent, O_CLOEXEC) != 0)
            _exit(3);
        const pid_t parent = forkChild(o);
        if (parent == 0) {
            const pid_t orphan = forkChild(o);
            if (orphan == 0) {
                setsid();
                const pid_t self = getpid();
                writeAll(toParent[1], reinterpret_cast<const char *>(&self), sizeof self);
                sleepForever();
            }
            readPid(toParent[0]);
            if (o.catchSignals != nullptr)
                installCatchers(o, SIG_DFL);
            writeAll(toMain[1], reinterpret_cast<const char *>(&orphan), sizeof orphan);
            sleepForever();
        }
        for (int fd : {toMain[1], toParent[0], toParent[1]})
            close(fd);
        const pid_t orphan = readPid(toMain[0]);
        close(toMain[0]);
        recordPid(o.pidFile, "orphan-parent", parent);
        recordPid(o.pidFile, "orphan", orphan);
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

// Waits until whoever reads fd's pipe has taken everything out of it (not a pipe: at once).
void waitUntilTaken(int fd) {
    int left = 0;
    while (ioctl(fd, FIONREAD, &left) == 0 && left > 0)
        sleepMs(1);
}

void writeInterleaved(long lines) {
    for (long i = 1; i <= lines; ++i) {
        const int fd = i % 2 == 1 ? STDOUT_FILENO : STDERR_FILENO;
        writeAll(fd, (fd == STDOUT_FILENO ? "out " : "err ") + std::to_string(i) + "\n");
        waitUntilTaken(fd);
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
    writeInterleaved(o.interleave);
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
    if (o.catchSignals != nullptr)
        installCatchers(o);
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
    forkOrphans(o);
    if (o.stop)
        raise(SIGSTOP);
    if (o.killParent)
        kill(getppid(), SIGKILL);
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
