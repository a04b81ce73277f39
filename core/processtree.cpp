#include "processtree.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

namespace jobmonitor::proc {

namespace {

// More processes than one job can sensibly have; bounds a walk that pid reuse keeps feeding.
constexpr size_t kMaxProcesses = 1 << 20;

template<typename T>
bool parseNumber(std::string_view text, T &value) {
    const char *end = text.data() + text.size();
    const auto [next, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && next == end;
}

// Splits on single spaces, as the kernel writes stat lines.
class Fields {
public:
    explicit Fields(std::string_view text)
        : m_text(text) {}

    std::optional<std::string_view> next() {
        while (!m_text.empty() && m_text.front() == ' ')
            m_text.remove_prefix(1);
        if (m_text.empty())
            return std::nullopt;
        const size_t end = std::min(m_text.find(' '), m_text.size());
        const std::string_view field = m_text.substr(0, end);
        m_text.remove_prefix(end);
        return field;
    }

private:
    std::string_view m_text;
};

// The value of "key: number [kB]" in text made of such lines; kilobytes are converted.
std::optional<quint64> keyedValue(std::string_view text, std::string_view key) {
    for (size_t start = 0; start < text.size();) {
        const size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':')
            continue;
        line.remove_prefix(key.size() + 1);
        Fields fields(line);
        const auto number = fields.next();
        quint64 value = 0;
        if (!number || !parseNumber(*number, value))
            return std::nullopt;
        const auto unit = fields.next();
        if (unit && *unit == "kB")
            return value * 1024;
        return unit ? std::nullopt : std::optional(value);
    }
    return std::nullopt;
}

} // namespace

ProcessIo &ProcessIo::operator+=(const ProcessIo &other) {
    logicalReadBytes += other.logicalReadBytes;
    logicalWriteBytes += other.logicalWriteBytes;
    storageReadBytes += other.storageReadBytes;
    storageWriteBytes += other.storageWriteBytes;
    return *this;
}

std::optional<ProcessStat> parseStat(std::string_view line) {
    // "PID (COMM) STATE PPID ...": COMM is any 16 bytes but NUL, ')' and '\n' included.
    const size_t open = line.find(" (");
    const size_t close = line.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    ProcessStat stat;
    if (!parseNumber(line.substr(0, open), stat.pid))
        return std::nullopt;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\0'))
        line.remove_suffix(1);
    Fields fields(line.substr(close + 1));
    // Fields 3 to 24 of proc(5), numbered from 1.
    std::string_view field[25];
    for (int number = 3; number <= 24; ++number) {
        const auto next = fields.next();
        if (!next)
            return std::nullopt;
        field[number] = *next;
    }
    if (field[3].size() != 1)
        return std::nullopt;
    stat.state = field[3][0];
    // cutime and cstime are printed signed ("%ld"); never negative in practice.
    qint64 reapedUser = 0, reapedSystem = 0;
    if (!parseNumber(field[4], stat.parent) || !parseNumber(field[14], stat.userTicks) ||
        !parseNumber(field[15], stat.systemTicks) || !parseNumber(field[16], reapedUser) ||
        !parseNumber(field[17], reapedSystem) || !parseNumber(field[20], stat.threads) ||
        !parseNumber(field[22], stat.startTicks) || !parseNumber(field[24], stat.residentPages))
        return std::nullopt;
    stat.reapedUserTicks = quint64(std::max<qint64>(reapedUser, 0));
    stat.reapedSystemTicks = quint64(std::max<qint64>(reapedSystem, 0));
    return stat;
}

std::optional<ProcessIo> parseIo(std::string_view text) {
    const auto rchar = keyedValue(text, "rchar");
    const auto wchar = keyedValue(text, "wchar");
    const auto readBytes = keyedValue(text, "read_bytes");
    const auto writeBytes = keyedValue(text, "write_bytes");
    if (!rchar || !wchar || !readBytes || !writeBytes)
        return std::nullopt;
    return ProcessIo{*rchar, *wchar, *readBytes, *writeBytes};
}

std::optional<qint64> parsePss(std::string_view smapsRollup) {
    const auto pss = keyedValue(smapsRollup, "Pss");
    return pss ? std::optional(qint64(*pss)) : std::nullopt;
}

std::optional<qint64> parseMemAvailable(std::string_view meminfo) {
    const auto available = keyedValue(meminfo, "MemAvailable");
    return available ? std::optional(qint64(*available)) : std::nullopt;
}

void parseChildren(std::string_view text, std::vector<pid_t> &pids) {
    Fields fields(text);
    while (const auto field = fields.next()) {
        pid_t pid = 0;
        std::string_view digits = *field;
        if (digits.ends_with('\n'))
            digits.remove_suffix(1);
        if (parseNumber(digits, pid) && pid > 0)
            pids.push_back(pid);
    }
}

long clockTicksPerSecond() {
    static const long ticks = sysconf(_SC_CLK_TCK);
    return ticks;
}

long pageSize() {
    static const long size = sysconf(_SC_PAGESIZE);
    return size;
}

std::optional<qint64> memoryAvailableBytes(const std::string &procRoot) {
    const std::string path = procRoot + "/meminfo";
    FILE *file = std::fopen(path.c_str(), "re");
    if (file == nullptr)
        return std::nullopt;
    char text[8192];
    const size_t size = std::fread(text, 1, sizeof text, file);
    std::fclose(file);
    return parseMemAvailable(std::string_view(text, size));
}

TreeUsage usageOf(const TreeReading &reading) {
    TreeUsage usage;
    if (!reading.rootFound)
        return usage;
    const TreeProcess &root = reading.root;
    usage.cpuTicks = root.stat.reapedCpuTicks();
    usage.io = root.io;
    usage.ioComplete = root.ioRead;
    qint64 pss = 0;
    bool pssKnown = reading.pssRead;
    for (const TreeProcess &process : reading.descendants) {
        usage.cpuTicks += process.stat.cpuTicks() + process.stat.reapedCpuTicks();
        usage.io += process.io;
        if (process.ioUnreadable)
            usage.ioComplete = false;
        if (process.stat.hasEnded())
            continue;
        ++usage.processes;
        usage.threads += process.stat.threads;
        usage.residentBytes += process.stat.residentPages * pageSize();
        if (process.pssBytes < 0)
            pssKnown = false;
        else
            pss += process.pssBytes;
    }
    usage.pssBytes = pssKnown ? pss : -1;
    return usage;
}

bool ProcessTreeReader::ScanEntry::operator<(const ScanEntry &other) const {
    return parent != other.parent ? parent < other.parent : pid < other.pid;
}

ProcessTreeReader::ProcessTreeReader(const std::string &procRoot)
    : m_procFd(open(procRoot.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    m_buffer.resize(4096);
}

ProcessTreeReader::~ProcessTreeReader() {
    if (m_procFd >= 0)
        close(m_procFd);
}

void ProcessTreeReader::forgetScan() {
    m_scanned = false;
    m_scan.clear();
}

int ProcessTreeReader::openProcess(pid_t pid) const {
    char name[16];
    std::snprintf(name, sizeof name, "%d", pid);
    return openat(m_procFd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int ProcessTreeReader::readFile(int dirFd, const char *name, size_t &size) {
    size = 0;
    const int fd = openat(dirFd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    for (;;) {
        if (size == m_buffer.size())
            m_buffer.resize(m_buffer.size() * 2);
        const ssize_t n = ::read(fd, m_buffer.data() + size, m_buffer.size() - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : 0;
            close(fd);
            return error;
        }
        size += size_t(n);
    }
}

bool ProcessTreeReader::readProcess(int dirFd, TreeProcess &process, TreeOptions options,
                                    std::chrono::nanoseconds &pssCost) {
    process = TreeProcess();
    size_t size = 0;
    if (readFile(dirFd, "stat", size) != 0)
        return false;
    const auto stat = parseStat(std::string_view(m_buffer.data(), size));
    if (!stat)
        return false;
    process.stat = *stat;
    if (options.io) {
        const int error = readFile(dirFd, "io", size);
        const auto io =
            error == 0 ? parseIo(std::string_view(m_buffer.data(), size)) : std::nullopt;
        if (io) {
            process.io = *io;
            process.ioRead = true;
        }
        // ESRCH: reaped since its stat was read; its I/O is its reaper's now.
        process.ioUnreadable = !io && error != ESRCH;
    }
    if (options.pss && !stat->hasEnded()) {
        const auto start = std::chrono::steady_clock::now();
        if (readFile(dirFd, "smaps_rollup", size) == 0)
            process.pssBytes = parsePss(std::string_view(m_buffer.data(), size)).value_or(-1);
        pssCost += std::chrono::steady_clock::now() - start;
    }
    return true;
}

ProcessTreeReader::Children ProcessTreeReader::readChildren(int dirFd, const ProcessStat &stat,
                                                            std::vector<pid_t> &children) {
    size_t size = 0;
    char name[48];
    // A single-threaded process has one task, itself: no need to list the task folder.
    if (stat.threads <= 1) {
        std::snprintf(name, sizeof name, "task/%d/children", stat.pid);
        const int error = readFile(dirFd, name, size);
        if (error == 0) {
            parseChildren(std::string_view(m_buffer.data(), size), children);
            return Children::Read;
        }
        if (error == ESRCH)
            return Children::Gone;
    }
    // Each thread's children file lists the children that thread forked.
    const int taskFd = openat(dirFd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (taskFd < 0)
        return errno == ENOENT ? Children::Missing : Children::Gone;
    DIR *tasks = fdopendir(taskFd);
    if (tasks == nullptr) {
        close(taskFd);
        return Children::Gone;
    }
    Children result = Children::Missing;
    while (const dirent *task = readdir(tasks)) {
        if (task->d_name[0] == '.')
            continue;
        std::snprintf(name, sizeof name, "%.16s/children", task->d_name);
        const int error = readFile(taskFd, name, size);
        if (error == 0) {
            parseChildren(std::string_view(m_buffer.data(), size), children);
            result = Children::Read;
        } else if (error != ENOENT && result == Children::Missing) {
            result = Children::Gone; // the thread or process ended, the feature is there
        }
    }
    closedir(tasks);
    return result;
}

TreeReading ProcessTreeReader::read(pid_t root, TreeOptions options) {
    TreeReading reading;
    reading.pssRead = options.pss;
    if (m_procFd < 0)
        return reading;
    const int rootFd = openProcess(root);
    if (rootFd < 0)
        return reading;
    // The root is read for what it reaped; its own PSS is not the job's.
    TreeOptions rootOptions = options;
    rootOptions.pss = false;
    reading.rootFound = readProcess(rootFd, reading.root, rootOptions, reading.pssCost);
    if (reading.rootFound && !reading.root.stat.hasEnded()) {
        m_children.clear();
        switch (readChildren(rootFd, reading.root.stat, m_children)) {
        case Children::Read:
            m_queue.clear();
            for (pid_t child : m_children)
                m_queue.emplace_back(child, root);
            walkChildrenFiles(reading, options);
            break;
        case Children::Missing:
            walkScan(reading, options);
            break;
        case Children::Gone:
            break;
        }
    }
    close(rootFd);
    return reading;
}

void ProcessTreeReader::walkChildrenFiles(TreeReading &reading, TreeOptions options) {
    const pid_t root = reading.root.stat.pid;
    // m_queue grows while it is walked: it is the breadth-first queue.
    for (size_t i = 0; i < m_queue.size() && i < kMaxProcesses; ++i) {
        const auto [pid, lister] = m_queue[i];
        const int fd = openProcess(pid);
        if (fd < 0)
            continue; // ended and reaped since it was listed
        TreeProcess process;
        // A pid that now has another parent was reused by a process outside the tree, unless
        // that parent is the root: the listing parent ended and the root adopted the orphan.
        if (readProcess(fd, process, options, reading.pssCost) &&
            (process.stat.parent == lister || process.stat.parent == root)) {
            if (!process.stat.hasEnded()) {
                m_children.clear();
                readChildren(fd, process.stat, m_children);
                for (pid_t child : m_children)
                    m_queue.emplace_back(child, pid);
            }
            reading.descendants.push_back(process);
        }
        close(fd);
    }
}

void ProcessTreeReader::scan() {
    m_scan.clear();
    m_scanned = true;
    const int fd = openat(m_procFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *all = fdopendir(fd);
    if (all == nullptr) {
        close(fd);
        return;
    }
    while (const dirent *entry = readdir(all)) {
        pid_t pid = 0;
        if (!parseNumber(std::string_view(entry->d_name), pid))
            continue;
        char name[32];
        std::snprintf(name, sizeof name, "%d/stat", pid);
        size_t size = 0;
        if (readFile(m_procFd, name, size) != 0)
            continue;
        if (const auto stat = parseStat(std::string_view(m_buffer.data(), size)))
            m_scan.push_back(ScanEntry{stat->parent, stat->pid, stat->startTicks});
    }
    closedir(all);
    std::sort(m_scan.begin(), m_scan.end());
}

void ProcessTreeReader::walkScan(TreeReading &reading, TreeOptions options) {
    reading.scannedAllProcesses = true;
    if (!m_scanned)
        scan();
    m_children.assign(1, reading.root.stat.pid);
    for (size_t i = 0; i < m_children.size() && i < kMaxProcesses; ++i) {
        const ScanEntry first{m_children[i], 0, 0};
        for (auto it = std::lower_bound(m_scan.begin(), m_scan.end(), first);
             it != m_scan.end() && it->parent == m_children[i]; ++it) {
            const int fd = openProcess(it->pid);
            if (fd < 0)
                continue;
            TreeProcess process;
            // The scan may be a few milliseconds old: a different start time is another
            // process that was given the same pid since.
            if (readProcess(fd, process, options, reading.pssCost) &&
                process.stat.startTicks == it->startTicks) {
                if (!process.stat.hasEnded())
                    m_children.push_back(it->pid);
                reading.descendants.push_back(process);
            }
            close(fd);
        }
    }
}

} // namespace jobmonitor::proc
