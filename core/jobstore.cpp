#include "jobstore.h"

#include "job.h"
#include "logging.h"
#include "storerecovery.h"
#include "storeschema.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>
#include <QtEndian>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <future>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <variant>

namespace jobmonitor {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char Interruption[] = "Job Monitor stopped unexpectedly";
// A transaction holds the write lock while it runs: others wait at most this long for it.
constexpr int BusyTimeoutMs = 5000;
// Bigger batches are cut, so that no transaction keeps other processes waiting for long.
constexpr size_t MaxBatch = 4096;
// How long the worker gathers writes before it commits them: what a transition waits at most,
// beyond the commit itself, before it is visible.
constexpr std::chrono::milliseconds BatchWindow{5};
// Ids are reserved ahead in blocks, the next one fetched (with the next batch of writes when
// there is one) once half of the current one is used. A block that goes fast is followed by
// one twice its size; unused ids of the last block are given back at a clean exit.
constexpr qint64 MinIdBlock = 32;
constexpr qint64 MaxIdBlock = 4096;
constexpr std::chrono::seconds FastBlock{10};
// A failed write is tried again after this, doubling up to the maximum.
constexpr std::chrono::milliseconds FirstRetry = 500ms;
constexpr std::chrono::milliseconds MaxRetry = 30s;
constexpr std::chrono::hours RetentionInterval{24};

// SQLite's primary result codes for a damaged file, as QSQLITE reports them in
// nativeErrorCode().
constexpr int SqliteCorrupt = 11;
constexpr int SqliteNotADatabase = 26;

bool isDamage(const QSqlError &error) {
    const int code = error.nativeErrorCode().toInt();
    return code == SqliteCorrupt || code == SqliteNotADatabase;
}

QVariant timeValue(const QDateTime &time) {
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType::fromType<qint64>());
}

// A null QString would be bound as NULL: every text column is NOT NULL.
QString text(const QString &value) {
    return value.isNull() ? QStringLiteral("") : value;
}

QDateTime timeFrom(const QVariant &value) {
    return value.isNull() ? QDateTime()
                          : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QVariant optionalValue(const std::optional<int> &value) {
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<int>());
}

QVariant optionalValue(const std::optional<qint64> &value) {
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<int> optionalFrom(const QVariant &value) {
    return value.isNull() ? std::nullopt : std::optional<int>(value.toInt());
}

QString environmentText(const QMap<QString, QString> &environment) {
    QJsonObject object;
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        object.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> environmentFrom(const QString &text) {
    QMap<QString, QString> environment;
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        environment.insert(it.key(), it.value().toString());
    return environment;
}

QString dependenciesText(const QList<JobDependency> &dependencies) {
    QJsonArray array;
    for (const JobDependency &dependency : dependencies)
        array.append(QJsonObject{
            {QStringLiteral("job"), dependency.jobId},
            {QStringLiteral("after"), dependency.condition == JobDependency::Condition::Success
                                          ? QStringLiteral("success")
                                          : QStringLiteral("end")},
        });
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<JobDependency> dependenciesFrom(const QString &text) {
    QList<JobDependency> dependencies;
    for (const QJsonValue &value : QJsonDocument::fromJson(text.toUtf8()).array()) {
        const QJsonObject object = value.toObject();
        dependencies.append({object.value(QLatin1String("job")).toInteger(),
                             object.value(QLatin1String("after")).toString() == QLatin1String("end")
                                 ? JobDependency::Condition::AnyEnd
                                 : JobDependency::Condition::Success});
    }
    return dependencies;
}

QVariant queueOrderValue(const std::optional<qint64> &order) {
    return order ? QVariant(*order) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<JobState> stateFrom(const QString &name) {
    for (const JobState state : allJobStates())
        if (jobStateName(state) == name)
            return state;
    return std::nullopt;
}

std::optional<JobEvent> eventFrom(const QString &name) {
    for (int i = 0;; ++i) {
        const auto event = JobEvent(i);
        const QString known = jobEventName(event);
        if (known.isEmpty())
            return std::nullopt;
        if (known == name)
            return event;
    }
}

QString outcomeName(AttemptOutcome::Kind kind) {
    switch (kind) {
    case AttemptOutcome::Kind::Exited:
        return QStringLiteral("Exited");
    case AttemptOutcome::Kind::Signalled:
        return QStringLiteral("Signalled");
    case AttemptOutcome::Kind::FailedToStart:
        return QStringLiteral("FailedToStart");
    case AttemptOutcome::Kind::Lost:
        break;
    }
    return QStringLiteral("Lost");
}

qint64 outputSize(const QString &directory) {
    if (directory.isEmpty())
        return 0;
    qint64 total = 0;
    const QDir dir(directory);
    for (const char *name : {"stdout", "stderr", "index"})
        total += QFileInfo(dir.filePath(QLatin1String(name))).size();
    return total;
}

// An attempt's output directory, and its job's (<root>/<id>) once empty.
void removeOutput(qint64 jobId, const QString &attemptDirectory) {
    if (attemptDirectory.isEmpty())
        return;
    QDir(attemptDirectory).removeRecursively();
    const QFileInfo parent(QFileInfo(attemptDirectory).path());
    if (parent.fileName() == QString::number(jobId))
        QDir().rmdir(parent.filePath()); // only when empty
}

// Why the file at path cannot be a usable SQLite database, from its header: not one at all,
// or shorter than its header says (a truncated copy). Empty when it looks whole. Only
// checked while no write-ahead log holds pages of it.
QString damagedHeader(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = file.size();
    if (size == 0)
        return {};
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayLiteral("SQLite format 3\0")))
        return QStringLiteral("it is not an SQLite database");
    const QFileInfo wal(path + QStringLiteral("-wal"));
    if (wal.exists() && wal.size() > 0)
        return {};
    const auto *bytes = reinterpret_cast<const uchar *>(header.constData());
    qint64 pageSize = qFromBigEndian<quint16>(bytes + 16);
    if (pageSize == 1)
        pageSize = 65536;
    const quint32 pages = qFromBigEndian<quint32>(bytes + 28);
    // The page count in the header is valid only when written by the same change (SQLite
    // 3.7.0 and later).
    const bool countValid =
        qFromBigEndian<quint32>(bytes + 24) == qFromBigEndian<quint32>(bytes + 92);
    if (countValid && pages > 0 && size < qint64(pages) * pageSize)
        return QStringLiteral("it is truncated (%1 of %2 bytes)")
            .arg(size)
            .arg(qint64(pages) * pageSize);
    return {};
}

// Creates the file with mode 0600 before SQLite does (SQLite then gives -wal and -shm the
// same mode). An existing file of ours that others could read is made private.
QString preparePrivateFile(const QString &path) {
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return QString::fromLocal8Bit(strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) == 0 && (info.st_mode & 077) != 0)
        ::fchmod(fd, 0600);
    ::close(fd);
    return {};
}

QString moveAside(const QString &path, const QString &why) {
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    QString target = path + QStringLiteral(".corrupt-") + stamp;
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = path + QStringLiteral(".corrupt-%1-%2").arg(stamp).arg(n);
    if (!QFile::rename(path, target)) {
        spdlog::error("the job history {} is unusable ({}) and cannot be moved aside", path, why);
        return {};
    }
    for (const char *suffix : {"-wal", "-shm"}) {
        const QString side = path + QLatin1String(suffix);
        if (QFileInfo::exists(side))
            QFile::rename(side, target + QLatin1String(suffix));
    }
    spdlog::error("the job history {} is unusable ({}): moved it aside to {} and started a new "
                  "one; nothing was deleted",
                  path, why, target);
    return target;
}

struct RunRow {
    qint64 id = 0;
    ProcessIdentity identity;
    RunKind kind = RunKind::Client;
    QDateTime lastWrite;
    bool ended = false;
};

RunKind kindFrom(const QString &name) {
    if (name == QLatin1String("window"))
        return RunKind::Window;
    if (name == QLatin1String("headless"))
        return RunKind::Headless;
    return RunKind::Client;
}

const QString JobColumns = QStringLiteral(
    "id, command, name, working_directory, environment, timeout_ms, timeout_auto, timeout_note, "
    "learned_runs, expected_duration_ms, max_attempts, backoff_initial_ms, backoff_factor, "
    "backoff_cap_ms, termination, state, attempts, exit_code, signal, error, output_error, "
    "created_at, started_at, ended_at, trace_id, "
    "(SELECT output_directory FROM attempts a WHERE a.job_id = jobs.id AND a.attempt = "
    "jobs.attempts), "
    "(SELECT peak_rss_bytes FROM attempts a WHERE a.job_id = jobs.id AND a.attempt = "
    "jobs.attempts), "
    "(SELECT cpu_time_ms FROM attempts a WHERE a.job_id = jobs.id AND a.attempt = "
    "jobs.attempts), "
    "memory_limit_bytes, niceness, io_priority, progress_pattern, "
    "queue_group, priority, start_at, dependencies, queue_order");

JobRecord jobFrom(const QSqlQuery &q) {
    JobRecord r;
    r.id = q.value(0).toLongLong();
    r.spec.command = q.value(1).toString();
    r.spec.name = q.value(2).toString();
    r.spec.workingDirectory = q.value(3).toString();
    r.spec.environment = environmentFrom(q.value(4).toString());
    r.spec.timeout = std::chrono::milliseconds(q.value(5).toLongLong());
    r.spec.timeoutAuto = q.value(6).toBool();
    r.timeoutNote = q.value(7).toString();
    r.timing.runs = q.value(8).toInt();
    if (!q.value(9).isNull())
        r.timing.expectedDuration = std::chrono::milliseconds(q.value(9).toLongLong());
    if (r.spec.timeoutAuto)
        r.timing.timeout = r.spec.timeout;
    r.spec.maxAttempts = q.value(10).toInt();
    r.spec.backoff.initial = std::chrono::milliseconds(q.value(11).toLongLong());
    r.spec.backoff.factor = q.value(12).toDouble();
    r.spec.backoff.cap = std::chrono::milliseconds(q.value(13).toLongLong());
    if (const std::optional<TerminationSequence> termination =
            TerminationSequence::parse(q.value(14).toString(), nullptr))
        r.spec.termination = *termination;
    r.state = stateFrom(q.value(15).toString()).value_or(JobState::Interrupted);
    r.attempts = q.value(16).toInt();
    r.exitCode = optionalFrom(q.value(17));
    r.signal = optionalFrom(q.value(18));
    r.error = q.value(19).toString();
    r.outputError = q.value(20).toString();
    r.createdAt = timeFrom(q.value(21));
    r.startedAt = timeFrom(q.value(22));
    r.endedAt = timeFrom(q.value(23));
    r.traceId = q.value(24).toString();
    r.outputDirectory = q.value(25).toString();
    if (!q.value(26).isNull())
        r.peakRssBytes = q.value(26).toLongLong();
    if (!q.value(27).isNull())
        r.cpuTimeMs = q.value(27).toLongLong();
    r.spec.memoryLimitBytes = q.value(28).toLongLong();
    if (!q.value(29).isNull())
        r.spec.niceness = q.value(29).toInt();
    if (const QString io = q.value(30).toString(); !io.isEmpty())
        r.spec.ioPriority = IoPriority::parse(io, nullptr);
    r.spec.progressPattern = q.value(31).toString();
    r.spec.group = q.value(32).toString();
    r.spec.priority = q.value(33).toInt();
    r.spec.startAt = timeFrom(q.value(34));
    r.spec.dependencies = dependenciesFrom(q.value(35).toString());
    if (!q.value(36).isNull())
        r.queueOrder = q.value(36).toLongLong();
    return r;
}

} // namespace

QString runKindName(RunKind kind) {
    switch (kind) {
    case RunKind::Window:
        return QStringLiteral("window");
    case RunKind::Headless:
        return QStringLiteral("headless");
    case RunKind::Client:
        break;
    }
    return QStringLiteral("client");
}

struct WriteOp {
    enum class Kind {
        Job,
        AttemptStart,
        AttemptProcesses,
        AttemptEnd,
        Transition,
        QueueOrder,
        Remove
    };
    Kind kind = Kind::Job;
    quint64 sequence = 0;
    JobRecord job; // Job; the job after the transition for Transition
    AttemptRecord attempt;
    Transition transition;
    qint64 jobId = 0;
};

// Everything that touches the database, on a thread of its own with a connection of its own.
// The owner talks to it through a queue of writes (batched into transactions) and a queue of
// tasks (opening, reads, recovery), each under one mutex.
class StoreWorker {
public:
    StoreWorker(JobStore *owner, QString stateDir, RunKind kind)
        : m_owner(owner)
        , m_stateDir(std::move(stateDir))
        , m_kind(kind)
        , m_path(JobStore::databasePath(m_stateDir))
        , m_connection(
              QStringLiteral("jobmonitor-store-%1").arg(reinterpret_cast<quintptr>(this), 0, 16)) {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->setObjectName(QStringLiteral("job store"));
        m_thread->start();
    }

    ~StoreWorker() { stop(); }

    // --- on the owner's thread

    // Runs task on the worker thread and waits for its result.
    template<typename Task>
    auto call(Task task) -> decltype(task()) {
        using Result = decltype(task());
        auto packaged = std::make_shared<std::packaged_task<Result()>>(std::move(task));
        std::future<Result> future = packaged->get_future();
        if (!post([packaged] { (*packaged)(); }))
            return Result();
        return future.get();
    }

    bool post(std::function<void()> task) {
        std::lock_guard lock(m_mutex);
        if (m_finished)
            return false;
        m_tasks.push_back(std::move(task));
        m_wake.notify_all();
        return true;
    }

    void enqueue(WriteOp op) {
        std::lock_guard lock(m_mutex);
        if (m_finished || m_readOnly)
            return;
        if (!m_writable && m_pending.size() + m_inflight >= size_t(JobStore::MaxPendingWrites)) {
            // While writes fail, memory stays bounded (and the log says what was lost); while
            // they work, the worker catches up with any burst.
            if (m_dropped++ == 0)
                spdlog::error("the job history cannot keep up with {} unsaved changes: further "
                              "changes are not kept until saving works again",
                              JobStore::MaxPendingWrites);
            return;
        }
        m_pending.push_back(std::move(op));
        wakeWorker();
    }

    qint64 allocateId() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (!m_ranges.empty()) {
                IdRange &range = m_ranges.front();
                const qint64 id = range.next++;
                if (range.next == range.end)
                    m_ranges.pop_front();
                if (remainingIds() < m_blockSize / 2 && !m_refillWanted) {
                    m_refillWanted = true;
                    wakeWorker();
                }
                return id;
            }
            if (!m_writable || m_finished) {
                // Nothing reserved and nothing can be: an id above any this store has seen,
                // written down with the job once saving works again.
                if (!m_warnedUnreserved) {
                    m_warnedUnreserved = true;
                    spdlog::warn("job ids are not being reserved in the job history (it is not "
                                 "being saved): going on from {}",
                                 m_highestId + 1);
                }
                return ++m_highestId;
            }
            m_refillWanted = true;
            ++m_idWaiters;
            m_wake.notify_all();
            m_idsChanged.wait(lock);
            --m_idWaiters;
        }
    }

    // Waits until every write made so far is committed, or a try at it failed.
    bool flush(quint64 upTo) {
        std::unique_lock lock(m_mutex);
        m_flushWanted = true;
        m_wake.notify_all();
        m_written.wait(lock, [&] {
            return m_committed >= upTo || m_failedAt >= upTo || m_finished || m_readOnly ||
                   (m_pending.empty() && m_inflight == 0 && !m_flushWanted);
        });
        return m_committed >= upTo;
    }

    // Writes what is left (one more try if saving fails), gives back unused ids, marks the
    // run ended and ends the thread.
    void stop() {
        {
            std::lock_guard lock(m_mutex);
            if (m_finished && !m_thread)
                return;
            m_stopping = true;
            m_wake.notify_all();
        }
        if (m_thread) {
            m_thread->wait();
            m_thread.reset();
        }
    }

    quint64 committed() const {
        std::lock_guard lock(m_mutex);
        return m_committed;
    }

    // --- on the worker thread (through call() or post())

    struct OpenResult {
        StoreStatus status;
        QString outputRoot;
        QList<JobRecord> queued;
    };
    OpenResult open();
    QList<JobRecord> readJobs(const JobQuery &query);
    std::optional<JobRecord> readJob(qint64 id);
    int countJobs(const JobQuery &query);
    QList<AttemptRecord> readAttempts(qint64 jobId);
    QList<TransitionRecord> readTransitions(qint64 jobId);
    int recover();
    void applyRetention(const RetentionPolicy &policy);
    void discard(const QList<qint64> &ids);

private:
    struct IdRange {
        qint64 next;
        qint64 end;
    };

    void run();
    bool openDatabase(StoreStatus &status);
    void closeDatabase();
    bool prepareStatements();
    bool registerRun();
    bool reserveIds();
    std::optional<IdRange> reserveInTransaction();
    void takeRange(IdRange range);
    void giveBackIds();
    using Removals = QList<std::pair<qint64, QString>>; // job id, attempt directory
    bool writeBatch(std::vector<WriteOp> &batch, QString *error);
    bool apply(const WriteOp &op, Removals &removals);
    QList<JobRecord> claimQueued();
    void setWritable(bool writable, const QString &problem);
    void peekNextId();
    // Under the mutex. A busy worker looks at the queues before it waits: waking it for every
    // write would cost a system call each.
    void wakeWorker() {
        if (m_workerWaiting)
            m_wake.notify_one();
    }
    // Under the mutex: the size of the next block of ids.
    qint64 nextBlockSize() {
        const Clock::time_point now = Clock::now();
        m_blockSize =
            now - m_lastBlock < FastBlock ? std::min(2 * m_blockSize, MaxIdBlock) : MinIdBlock;
        m_lastBlock = now;
        return m_blockSize;
    }
    qint64 remainingIds() const {
        qint64 remaining = 0;
        for (const IdRange &range : m_ranges)
            remaining += range.end - range.next;
        return remaining;
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_connection, false); }
    bool exec(QSqlQuery &query, QString *error = nullptr) {
        if (query.exec())
            return true;
        if (error)
            *error = query.lastError().text();
        m_lastError = query.lastError();
        return false;
    }

    JobStore *const m_owner;
    const QString m_stateDir;
    const RunKind m_kind;
    const QString m_path;
    const QString m_connection;
    std::unique_ptr<QThread> m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_written;
    std::condition_variable m_idsChanged;
    std::deque<std::function<void()>> m_tasks;
    std::deque<WriteOp> m_pending;
    size_t m_inflight = 0;
    quint64 m_committed = 0;
    quint64 m_failedAt = 0; // the last sequence of a batch whose write failed
    qint64 m_dropped = 0;
    bool m_stopping = false;
    bool m_finished = false;
    bool m_flushWanted = false;
    std::deque<IdRange> m_ranges;
    qint64 m_highestId = 0; // the highest id reserved or handed out
    qint64 m_blockSize = MinIdBlock;
    Clock::time_point m_lastBlock{};
    bool m_refillWanted = false;
    int m_idWaiters = 0; // owner threads waiting in allocateId()
    bool m_workerWaiting = false;
    bool m_writable = false;
    bool m_warnedUnreserved = false;

    // The worker thread's own.
    bool m_open = false;
    std::atomic<bool> m_readOnly = false; // enqueue() reads it
    qint64 m_runId = 0;
    QSqlError m_lastError;
    QString m_problem;
    Clock::time_point m_retryAt{};
    std::chrono::milliseconds m_retryDelay = FirstRetry;
    QSqlQuery m_insertJob, m_updateJob, m_queueOrder, m_startAttempt, m_attemptProcesses,
        m_endAttempt, m_insertTransition, m_touchRun;
};

// --- the worker thread

void StoreWorker::run() {
    std::unique_lock lock(m_mutex);
    std::vector<WriteOp> batch;
    for (;;) {
        // Tasks (reads, requests) first: they never wait behind writes that keep failing.
        while (!m_tasks.empty()) {
            std::function<void()> task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
        const bool retryDue = Clock::now() >= m_retryAt || m_stopping || m_flushWanted;
        if (!m_open && !m_readOnly && retryDue && (!m_pending.empty() || m_refillWanted)) {
            lock.unlock();
            StoreStatus status;
            const bool opened = openDatabase(status) && registerRun();
            lock.lock();
            if (!opened) {
                m_failedAt = m_pending.empty() ? m_failedAt : m_pending.back().sequence;
                m_flushWanted = false;
                m_retryAt = Clock::now() + m_retryDelay;
                m_retryDelay = std::min(m_retryDelay * 2, MaxRetry);
                m_written.notify_all();
                if (m_stopping)
                    break;
                continue;
            }
        }
        // With writes to make, the block comes in their transaction.
        if (m_open && m_refillWanted && retryDue && m_pending.empty() && m_inflight == 0) {
            lock.unlock();
            const bool reserved = reserveIds();
            lock.lock();
            m_refillWanted = false;
            if (!reserved)
                m_writable = false;
            m_idsChanged.notify_all();
        }
        if (m_open && (!m_pending.empty() || m_inflight > 0) && retryDue) {
            if (batch.empty()) {
                // What comes within a few milliseconds goes into the same transaction: one
                // commit (and one fsync) for a burst instead of one per write.
                m_wake.wait_for(lock, BatchWindow, [this] {
                    return m_stopping || m_flushWanted || !m_tasks.empty() || m_idWaiters > 0 ||
                           m_pending.size() >= MaxBatch;
                });
                const size_t n = std::min(m_pending.size(), MaxBatch);
                batch.reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    batch.push_back(std::move(m_pending.front()));
                    m_pending.pop_front();
                }
                m_inflight = batch.size();
            }
            const quint64 last = batch.back().sequence;
            lock.unlock();
            QString error;
            const bool ok = writeBatch(batch, &error);
            lock.lock();
            if (ok) {
                batch.clear();
                m_inflight = 0;
                m_committed = last;
                m_failedAt = 0; // what failed before is being written now
                m_retryDelay = FirstRetry;
                m_retryAt = {};
                if (!m_writable || m_dropped > 0) {
                    if (m_dropped > 0)
                        spdlog::error("{} change(s) to the job history were lost while it could "
                                      "not be saved",
                                      m_dropped);
                    m_dropped = 0;
                    lock.unlock();
                    setWritable(true, {});
                    lock.lock();
                }
                QMetaObject::invokeMethod(
                    m_owner, [owner = m_owner, last] { owner->onCommitted(last); },
                    Qt::QueuedConnection);
            } else {
                m_failedAt = std::max(last, m_pending.empty() ? 0 : m_pending.back().sequence);
                m_retryAt = Clock::now() + m_retryDelay;
                m_retryDelay = std::min(m_retryDelay * 2, MaxRetry);
                lock.unlock();
                setWritable(false, QStringLiteral("history is not being saved: %1").arg(error));
                lock.lock();
            }
            if (m_pending.empty() || !ok)
                m_flushWanted = false;
            m_written.notify_all();
            if (!ok && m_stopping)
                break;
            continue;
        }
        if (m_stopping && m_tasks.empty())
            break;
        if (m_flushWanted && m_pending.empty() && m_inflight == 0) {
            m_flushWanted = false;
            m_written.notify_all();
        }
        const bool waitingToRetry =
            !m_pending.empty() || m_inflight > 0 || (m_refillWanted && m_retryAt > Clock::now());
        m_workerWaiting = true;
        if (waitingToRetry)
            m_wake.wait_until(lock, m_retryAt);
        else
            m_wake.wait(lock);
        m_workerWaiting = false;
    }
    // Stopping: whatever could not be written is lost (the log said so when it failed).
    lock.unlock();
    if (m_open) {
        giveBackIds();
        QSqlQuery ended(db());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (m_kind == RunKind::Client) {
            // A client owns no jobs: once it has ended, its record tells nobody anything.
            ended.prepare(QStringLiteral("DELETE FROM runs WHERE id = ?"));
        } else {
            ended.prepare(
                QStringLiteral("UPDATE runs SET ended_at = ?, last_write_at = ? WHERE id = ?"));
            ended.addBindValue(now);
            ended.addBindValue(now);
        }
        ended.addBindValue(m_runId);
        exec(ended);
    }
    closeDatabase();
    lock.lock();
    m_finished = true;
    m_written.notify_all();
    m_idsChanged.notify_all();
}

void StoreWorker::setWritable(bool writable, const QString &problem) {
    {
        std::lock_guard lock(m_mutex);
        m_writable = writable;
        m_idsChanged.notify_all();
    }
    if (problem == m_problem && writable)
        return;
    if (!writable && problem != m_problem)
        spdlog::error("{}; jobs go on running, and saving is tried again", problem);
    else if (writable && !m_problem.isEmpty())
        spdlog::info("the job history is being saved again");
    m_problem = problem;
    StoreStatus status;
    status.saving = writable;
    status.problem = problem;
    QMetaObject::invokeMethod(
        m_owner, [owner = m_owner, status] { owner->onStatus(status); }, Qt::QueuedConnection);
}

bool StoreWorker::openDatabase(StoreStatus &status) {
    for (int round = 0; round < 3; ++round) {
        closeDatabase();
        if (const QString why = damagedHeader(m_path); !why.isEmpty()) {
            status.movedAsideTo = moveAside(m_path, why);
            if (status.movedAsideTo.isEmpty()) {
                status.problem = QStringLiteral("history is not being saved: %1 is unusable (%2)")
                                     .arg(m_path, why);
                return false;
            }
            continue;
        }
        if (const QString error = preparePrivateFile(m_path); !error.isEmpty()) {
            status.problem = QStringLiteral("history is not being saved: cannot create %1: %2")
                                 .arg(m_path, error);
            m_problem = status.problem;
            return false;
        }
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        database.setDatabaseName(m_path);
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
        if (!database.open()) {
            status.problem = QStringLiteral("history is not being saved: cannot open %1: %2")
                                 .arg(m_path, database.lastError().text());
            m_problem = status.problem;
            return false;
        }
        QSqlQuery query(database);
        if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
            if (isDamage(query.lastError())) {
                const QString why = query.lastError().databaseText();
                query = QSqlQuery();
                closeDatabase();
                status.movedAsideTo = moveAside(m_path, why);
                if (!status.movedAsideTo.isEmpty())
                    continue;
            }
            status.problem = QStringLiteral("history is not being saved: cannot read %1: %2")
                                 .arg(m_path, query.lastError().text());
            m_problem = status.problem;
            return false;
        }
        const int version = query.value(0).toInt();
        if (version > storeschema::CurrentVersion) {
            query = QSqlQuery();
            closeDatabase();
            // Never write what a newer version wrote: its schema may mean something else.
            QSqlDatabase readOnly =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
            readOnly.setDatabaseName(m_path);
            readOnly.setConnectOptions(
                QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
            m_readOnly = readOnly.open();
            status.readOnly = true;
            status.problem = QStringLiteral("history is not being saved: %1 was written by a newer "
                                            "version of Job Monitor (schema %2; this version knows "
                                            "up to %3), so it is opened read-only")
                                 .arg(m_path)
                                 .arg(version)
                                 .arg(storeschema::CurrentVersion);
            m_problem = status.problem;
            spdlog::error("{}", status.problem);
            return false;
        }
        if (!query.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !query.next() ||
            query.value(0).toString() != QLatin1String("wal")) {
            status.problem = QStringLiteral("history is not being saved: %1 cannot use a "
                                            "write-ahead log: %2")
                                 .arg(m_path, query.lastError().text());
            m_problem = status.problem;
            return false;
        }
        // FULL: a commit is on disk before it is reported, so that what a front end shows
        // after committed() survives a power cut, not only a crash.
        query.exec(QStringLiteral("PRAGMA synchronous=FULL"));
        if (const QString error = storeschema::migrate(database, version); !error.isEmpty()) {
            if (isDamage(m_lastError) || error.contains(QLatin1String("malformed"))) {
                query = QSqlQuery();
                closeDatabase();
                status.movedAsideTo = moveAside(m_path, error);
                if (!status.movedAsideTo.isEmpty())
                    continue;
            }
            status.problem = QStringLiteral("history is not being saved: cannot bring %1 up to "
                                            "date: %2")
                                 .arg(m_path, error);
            m_problem = status.problem;
            return false;
        }
        if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_job_id'")) ||
            !query.next()) {
            const QSqlError error = query.lastError();
            if (isDamage(error)) {
                query = QSqlQuery();
                closeDatabase();
                status.movedAsideTo = moveAside(m_path, error.databaseText());
                if (!status.movedAsideTo.isEmpty())
                    continue;
            }
            status.problem = QStringLiteral("history is not being saved: %1 has no id counter: %2")
                                 .arg(m_path, error.text());
            m_problem = status.problem;
            return false;
        }
        {
            std::lock_guard lock(m_mutex);
            m_highestId = std::max(m_highestId, query.value(0).toLongLong() - 1);
        }
        if (!prepareStatements()) {
            status.problem =
                QStringLiteral("history is not being saved: %1").arg(m_lastError.text());
            m_problem = status.problem;
            return false;
        }
        m_open = true;
        status.saving = true;
        return true;
    }
    status.problem = QStringLiteral("history is not being saved: %1 stays unusable").arg(m_path);
    m_problem = status.problem;
    return false;
}

void StoreWorker::closeDatabase() {
    for (QSqlQuery *query : {&m_insertJob, &m_updateJob, &m_queueOrder, &m_startAttempt,
                             &m_attemptProcesses, &m_endAttempt, &m_insertTransition, &m_touchRun})
        *query = QSqlQuery();
    m_open = false;
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase database = QSqlDatabase::database(m_connection, false);
            database.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool StoreWorker::prepareStatements() {
    const QSqlDatabase database = db();
    struct Statement {
        QSqlQuery *query;
        const char *sql;
    };
    const Statement statements[] = {
        {&m_insertJob,
         "INSERT INTO jobs (id, run_id, command, name, working_directory, environment, "
         "timeout_ms, timeout_auto, timeout_note, learned_runs, expected_duration_ms, "
         "max_attempts, backoff_initial_ms, backoff_factor, backoff_cap_ms, termination, state, "
         "attempts, exit_code, signal, error, output_error, created_at, started_at, ended_at, "
         "trace_id, memory_limit_bytes, niceness, io_priority, progress_pattern, queue_group, "
         "priority, start_at, dependencies, queue_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
         "CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, "
         "state = excluded.state, attempts = excluded.attempts, "
         "priority = excluded.priority, queue_order = excluded.queue_order, "
         "timeout_ms = excluded.timeout_ms, timeout_note = excluded.timeout_note, "
         "learned_runs = excluded.learned_runs, "
         "expected_duration_ms = excluded.expected_duration_ms"},
        {&m_updateJob,
         "UPDATE jobs SET state = ?, attempts = ?, exit_code = ?, signal = ?, error = ?, "
         "output_error = ?, started_at = ?, ended_at = ?, trace_id = ?, priority = ?, "
         "queue_order = ? WHERE id = ?"},
        {&m_queueOrder, "UPDATE jobs SET priority = ?, queue_order = ? WHERE id = ?"},
        {&m_startAttempt,
         "INSERT INTO attempts (job_id, attempt, trace_id, started_at, output_directory, boot_id, "
         "shim_pid, shim_start_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, "
         "attempt) DO UPDATE SET trace_id = excluded.trace_id, started_at = excluded.started_at, "
         "output_directory = excluded.output_directory, boot_id = excluded.boot_id, "
         "shim_pid = excluded.shim_pid, shim_start_time = excluded.shim_start_time"},
        {&m_attemptProcesses,
         "UPDATE attempts SET boot_id = ?, shim_pid = ?, shim_start_time = ?, command_pid = ?, "
         "command_start_time = ? WHERE job_id = ? AND attempt = ?"},
        {&m_endAttempt,
         "INSERT INTO attempts (job_id, attempt, trace_id, started_at, ended_at, outcome, "
         "exit_code, signal, error, description, stragglers, killed_processes, killed_escapees, "
         "output_directory, output_error, output_bytes, peak_rss_bytes, cpu_time_ms) VALUES (?, "
         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, attempt) DO "
         "UPDATE SET ended_at = "
         "excluded.ended_at, outcome = excluded.outcome, exit_code = excluded.exit_code, "
         "signal = excluded.signal, error = excluded.error, description = excluded.description, "
         "stragglers = excluded.stragglers, killed_processes = excluded.killed_processes, "
         "killed_escapees = excluded.killed_escapees, output_error = excluded.output_error, "
         "output_bytes = excluded.output_bytes, peak_rss_bytes = excluded.peak_rss_bytes, "
         "cpu_time_ms = excluded.cpu_time_ms"},
        {&m_insertTransition,
         "INSERT INTO transitions (job_id, from_state, to_state, event, time, reason, attempt, "
         "exit_code, signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&m_touchRun, "UPDATE runs SET last_write_at = ? WHERE id = ?"},
    };
    for (const Statement &statement : statements) {
        *statement.query = QSqlQuery(database);
        if (!statement.query->prepare(QString::fromLatin1(statement.sql))) {
            m_lastError = statement.query->lastError();
            return false;
        }
    }
    return true;
}

bool StoreWorker::registerRun() {
    const ProcessIdentity self = ProcessIdentity::self();
    QSqlQuery query(db());
    query.prepare(QStringLiteral("INSERT INTO runs (pid, start_time, boot_id, kind, started_at, "
                                 "last_write_at) VALUES (?, ?, ?, ?, ?, ?)"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    query.addBindValue(self.pid);
    query.addBindValue(qint64(self.startTime));
    query.addBindValue(self.bootId);
    query.addBindValue(runKindName(m_kind));
    query.addBindValue(now);
    query.addBindValue(now);
    QString error;
    if (!exec(query, &error)) {
        m_problem = QStringLiteral("history is not being saved: %1").arg(error);
        closeDatabase();
        return false;
    }
    m_runId = query.lastInsertId().toLongLong();
    return true;
}

StoreWorker::OpenResult StoreWorker::open() {
    OpenResult result;
    const bool opened = openDatabase(result.status) && registerRun();
    if (!opened) {
        if (result.status.problem.isEmpty())
            result.status.problem = m_problem;
        peekNextId();
        if (!result.status.readOnly)
            spdlog::error("{}; jobs go on running, and saving is tried again",
                          result.status.problem);
        // Not permanent ids: a folder of this run's own keeps its output apart from anything
        // stored under the same numbers.
        result.outputRoot = QDir(m_stateDir)
                                .filePath(QStringLiteral("output/unsaved-%1-%2")
                                              .arg(QDateTime::currentDateTimeUtc().toString(
                                                  QStringLiteral("yyyyMMdd'T'HHmmss")))
                                              .arg(::getpid()));
        m_retryAt = Clock::now() + m_retryDelay;
        std::lock_guard lock(m_mutex);
        m_writable = false;
        return result;
    }
    m_problem.clear();
    result.outputRoot = QDir(m_stateDir).filePath(QStringLiteral("output"));
    recover();
    if (m_kind == RunKind::Window)
        result.queued = claimQueued();
    {
        std::lock_guard lock(m_mutex);
        m_writable = true;
    }
    // A client (history, log) adds no jobs: it reserves ids only if ever asked.
    if (m_kind != RunKind::Client)
        reserveIds();
    return result;
}

// The counter of a store that cannot be written, so that ids go on above what it holds.
void StoreWorker::peekNextId() {
    if (!QFileInfo::exists(m_path))
        return;
    const QString name = m_connection + QStringLiteral("-peek");
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        database.setDatabaseName(m_path);
        database.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (database.open()) {
            QSqlQuery query(database);
            qint64 next = 0;
            if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_job_id'")) &&
                query.next())
                next = query.value(0).toLongLong();
            if (query.exec(QStringLiteral("SELECT max(id) FROM jobs")) && query.next())
                next = std::max(next, query.value(0).toLongLong() + 1);
            std::lock_guard lock(m_mutex);
            m_highestId = std::max(m_highestId, next - 1);
        }
    }
    QSqlDatabase::removeDatabase(name);
}

bool StoreWorker::reserveIds() {
    QSqlDatabase database = db();
    QSqlQuery query(database);
    auto fail = [&] {
        m_lastError = query.lastError();
        query.exec(QStringLiteral("ROLLBACK"));
        setWritable(false, QStringLiteral("history is not being saved: cannot reserve job ids: %1")
                               .arg(m_lastError.text()));
        return false;
    };
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail();
    const std::optional<IdRange> range = reserveInTransaction();
    if (!range || !query.exec(QStringLiteral("COMMIT")))
        return fail();
    takeRange(*range);
    return true;
}

// Inside a transaction: the next block of ids, written down (not yet handed out).
std::optional<StoreWorker::IdRange> StoreWorker::reserveInTransaction() {
    QSqlQuery query(db());
    if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_job_id'")) ||
        !query.next()) {
        m_lastError = query.lastError();
        return std::nullopt;
    }
    qint64 first = query.value(0).toLongLong();
    qint64 size = 0;
    {
        // Above anything handed out while the store could not be written.
        std::lock_guard lock(m_mutex);
        first = std::max(first, m_highestId + 1);
        size = nextBlockSize();
    }
    query.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'next_job_id'"));
    query.addBindValue(first + size);
    if (!query.exec()) {
        m_lastError = query.lastError();
        return std::nullopt;
    }
    return IdRange{first, first + size};
}

// After the commit: the block is there to hand out.
void StoreWorker::takeRange(IdRange range) {
    std::lock_guard lock(m_mutex);
    m_ranges.push_back(range);
    m_highestId = std::max(m_highestId, range.end - 1);
    m_refillWanted = false;
    m_idsChanged.notify_all();
}

// At a clean exit, ids of the last block nobody used go back, when no other process has
// reserved any since: runs one after another then number their jobs without gaps.
void StoreWorker::giveBackIds() {
    IdRange range{0, 0};
    {
        std::lock_guard lock(m_mutex);
        if (m_ranges.size() != 1)
            return;
        range = m_ranges.front();
        m_ranges.clear();
    }
    QSqlQuery query(db());
    query.prepare(
        QStringLiteral("UPDATE meta SET value = ? WHERE key = 'next_job_id' AND value = ?"));
    query.addBindValue(range.next);
    query.addBindValue(range.end);
    exec(query);
}

bool StoreWorker::apply(const WriteOp &op, Removals &removals) {
    switch (op.kind) {
    case WriteOp::Kind::Job: {
        const JobRecord &r = op.job;
        QSqlQuery &q = m_insertJob;
        q.addBindValue(r.id);
        q.addBindValue(m_runId);
        q.addBindValue(text(r.spec.command));
        q.addBindValue(text(r.spec.name));
        q.addBindValue(text(r.spec.workingDirectory));
        q.addBindValue(environmentText(r.spec.environment));
        q.addBindValue(qint64(r.spec.timeout.count()));
        q.addBindValue(r.spec.timeoutAuto);
        q.addBindValue(text(r.timeoutNote));
        q.addBindValue(r.timing.runs);
        q.addBindValue(r.timing.expectedDuration
                           ? QVariant(qint64(r.timing.expectedDuration->count()))
                           : QVariant(QMetaType::fromType<qint64>()));
        q.addBindValue(r.spec.maxAttempts);
        q.addBindValue(qint64(r.spec.backoff.initial.count()));
        q.addBindValue(r.spec.backoff.factor);
        q.addBindValue(qint64(r.spec.backoff.cap.count()));
        q.addBindValue(r.spec.termination.toString());
        q.addBindValue(jobStateName(r.state));
        q.addBindValue(r.attempts);
        q.addBindValue(optionalValue(r.exitCode));
        q.addBindValue(optionalValue(r.signal));
        q.addBindValue(text(r.error));
        q.addBindValue(text(r.outputError));
        q.addBindValue(timeValue(r.createdAt));
        q.addBindValue(timeValue(r.startedAt));
        q.addBindValue(timeValue(r.endedAt));
        q.addBindValue(text(r.traceId));
        q.addBindValue(r.spec.memoryLimitBytes);
        q.addBindValue(optionalValue(r.spec.niceness));
        q.addBindValue(text(r.spec.ioPriority ? r.spec.ioPriority->toString() : QString()));
        q.addBindValue(text(r.spec.progressPattern));
        q.addBindValue(text(r.spec.group));
        q.addBindValue(r.spec.priority);
        q.addBindValue(timeValue(r.spec.startAt));
        q.addBindValue(dependenciesText(r.spec.dependencies));
        q.addBindValue(queueOrderValue(r.queueOrder));
        return exec(q);
    }
    case WriteOp::Kind::QueueOrder: {
        QSqlQuery &q = m_queueOrder;
        q.addBindValue(op.job.spec.priority);
        q.addBindValue(queueOrderValue(op.job.queueOrder));
        q.addBindValue(op.job.id);
        return exec(q);
    }
    case WriteOp::Kind::Transition: {
        const Transition &t = op.transition;
        QSqlQuery &q = m_insertTransition;
        q.addBindValue(op.jobId);
        q.addBindValue(jobStateName(t.from));
        q.addBindValue(jobStateName(t.to));
        q.addBindValue(jobEventName(t.event));
        q.addBindValue(timeValue(t.time));
        q.addBindValue(text(t.reason));
        q.addBindValue(t.attempt);
        q.addBindValue(optionalValue(t.exitCode));
        q.addBindValue(optionalValue(t.signal));
        if (!exec(q))
            return false;
        const JobRecord &r = op.job;
        QSqlQuery &u = m_updateJob;
        u.addBindValue(jobStateName(r.state));
        u.addBindValue(r.attempts);
        u.addBindValue(optionalValue(r.exitCode));
        u.addBindValue(optionalValue(r.signal));
        u.addBindValue(text(r.error));
        u.addBindValue(text(r.outputError));
        u.addBindValue(timeValue(r.startedAt));
        u.addBindValue(timeValue(r.endedAt));
        u.addBindValue(text(r.traceId));
        u.addBindValue(r.spec.priority);
        u.addBindValue(queueOrderValue(r.queueOrder));
        u.addBindValue(r.id);
        return exec(u);
    }
    case WriteOp::Kind::AttemptStart: {
        const AttemptRecord &a = op.attempt;
        QSqlQuery &q = m_startAttempt;
        q.addBindValue(a.jobId);
        q.addBindValue(a.attempt);
        q.addBindValue(text(a.traceId));
        q.addBindValue(timeValue(a.startedAt));
        q.addBindValue(text(a.outputDirectory));
        q.addBindValue(text(a.supervisor ? a.supervisor->bootId : QString()));
        q.addBindValue(a.supervisor ? QVariant(a.supervisor->pid)
                                    : QVariant(QMetaType::fromType<qint64>()));
        q.addBindValue(a.supervisor ? QVariant(qint64(a.supervisor->startTime))
                                    : QVariant(QMetaType::fromType<qint64>()));
        return exec(q);
    }
    case WriteOp::Kind::AttemptProcesses: {
        const AttemptRecord &a = op.attempt;
        const auto pid = [](const std::optional<ProcessIdentity> &p) {
            return p ? QVariant(p->pid) : QVariant(QMetaType::fromType<qint64>());
        };
        const auto start = [](const std::optional<ProcessIdentity> &p) {
            return p ? QVariant(qint64(p->startTime)) : QVariant(QMetaType::fromType<qint64>());
        };
        QSqlQuery &q = m_attemptProcesses;
        q.addBindValue(currentBootId());
        q.addBindValue(pid(a.supervisor));
        q.addBindValue(start(a.supervisor));
        q.addBindValue(pid(a.command));
        q.addBindValue(start(a.command));
        q.addBindValue(a.jobId);
        q.addBindValue(a.attempt);
        return exec(q);
    }
    case WriteOp::Kind::AttemptEnd: {
        const AttemptRecord &a = op.attempt;
        QSqlQuery &q = m_endAttempt;
        q.addBindValue(a.jobId);
        q.addBindValue(a.attempt);
        q.addBindValue(text(a.traceId));
        q.addBindValue(timeValue(a.startedAt));
        q.addBindValue(timeValue(a.endedAt));
        q.addBindValue(text(a.outcome));
        q.addBindValue(optionalValue(a.exitCode));
        q.addBindValue(optionalValue(a.signal));
        q.addBindValue(text(a.error));
        q.addBindValue(text(a.description));
        q.addBindValue(a.stragglers);
        q.addBindValue(a.killedProcesses);
        q.addBindValue(a.killedEscapees);
        q.addBindValue(text(a.outputDirectory));
        q.addBindValue(text(a.outputError));
        q.addBindValue(outputSize(a.outputDirectory));
        q.addBindValue(optionalValue(a.peakRssBytes));
        q.addBindValue(optionalValue(a.cpuTimeMs));
        return exec(q);
    }
    case WriteOp::Kind::Remove: {
        QSqlQuery q(db());
        // Only an ended job: one that runs belongs to the process running it.
        q.prepare(QStringLiteral("SELECT state FROM jobs WHERE id = ?"));
        q.addBindValue(op.jobId);
        if (!exec(q))
            return false;
        if (q.next()) {
            const std::optional<JobState> state = stateFrom(q.value(0).toString());
            if (!state || !isFinal(*state)) {
                spdlog::warn("job {} has not ended: it stays in the history", op.jobId);
                return true;
            }
        }
        q.prepare(QStringLiteral("SELECT output_directory FROM attempts WHERE job_id = ?"));
        q.addBindValue(op.jobId);
        if (!exec(q))
            return false;
        while (q.next())
            removals.append({op.jobId, q.value(0).toString()});
        for (const char *sql :
             {"DELETE FROM transitions WHERE job_id = ?", "DELETE FROM attempts WHERE job_id = ?",
              "DELETE FROM jobs WHERE id = ?"}) {
            q.prepare(QString::fromLatin1(sql));
            q.addBindValue(op.jobId);
            if (!exec(q))
                return false;
        }
        return true;
    }
    }
    return false;
}

bool StoreWorker::writeBatch(std::vector<WriteOp> &batch, QString *error) {
    QSqlDatabase database = db();
    QSqlQuery query(database);
    Removals removals;
    auto fail = [&](const QSqlError &sqlError) {
        *error = sqlError.text();
        query.exec(QStringLiteral("ROLLBACK"));
        return false;
    };
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail(query.lastError());
    qint64 highestJob = 0;
    for (const WriteOp &op : batch) {
        if (!apply(op, removals))
            return fail(m_lastError);
        if (op.kind == WriteOp::Kind::Job)
            highestJob = std::max(highestJob, op.job.id);
    }
    if (highestJob > 0) {
        // Ids handed out while the store could not be written are written down now.
        query.prepare(
            QStringLiteral("UPDATE meta SET value = max(value, ?) WHERE key = 'next_job_id'"));
        query.addBindValue(highestJob + 1);
        if (!query.exec())
            return fail(query.lastError());
    }
    m_touchRun.addBindValue(QDateTime::currentMSecsSinceEpoch());
    m_touchRun.addBindValue(m_runId);
    if (!exec(m_touchRun))
        return fail(m_lastError);
    bool refill = false;
    {
        std::lock_guard lock(m_mutex);
        refill = m_refillWanted;
    }
    std::optional<IdRange> range;
    if (refill && !(range = reserveInTransaction()))
        return fail(m_lastError);
    if (!query.exec(QStringLiteral("COMMIT")))
        return fail(query.lastError());
    if (range)
        takeRange(*range);
    // Files go only once their rows are gone for good.
    for (const auto &[jobId, directory] : std::as_const(removals))
        removeOutput(jobId, directory);
    return true;
}

// The WHERE clause of a query (empty when it takes every job), its values appended to values.
static QString filterOf(const JobQuery &query, QVariantList &values) {
    QStringList where;
    if (!query.states.isEmpty()) {
        for (const JobState state : query.states)
            values << jobStateName(state);
        where << QStringLiteral("state IN (%1)")
                     .arg(QStringList(query.states.size(), QStringLiteral("?"))
                              .join(QLatin1Char(',')));
    }
    if (!query.search.isEmpty()) {
        QString pattern = query.search;
        pattern.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
            .replace(QLatin1Char('%'), QStringLiteral("\\%"))
            .replace(QLatin1Char('_'), QStringLiteral("\\_"));
        pattern = QLatin1Char('%') + pattern + QLatin1Char('%');
        where << QStringLiteral("(command LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')");
        values << pattern << pattern;
    }
    if (query.since.isValid()) {
        where << QStringLiteral("created_at >= ?");
        values << query.since.toMSecsSinceEpoch();
    }
    if (query.after) {
        where << QStringLiteral("(created_at, id) < (?, ?)");
        values << query.after->createdAt.toMSecsSinceEpoch() << query.after->id;
    }
    return where.isEmpty() ? QString()
                           : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
}

QList<JobRecord> StoreWorker::readJobs(const JobQuery &query) {
    QList<JobRecord> records;
    if (!m_open && !m_readOnly)
        return records;
    QVariantList values;
    QString sql = QStringLiteral("SELECT %1 FROM jobs").arg(JobColumns) + filterOf(query, values) +
                  QStringLiteral(" ORDER BY created_at DESC, id DESC");
    if (query.limit >= 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit);
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        q.addBindValue(value);
    if (!exec(q)) {
        spdlog::error("cannot read the job history: {}", m_lastError.text());
        return records;
    }
    while (q.next())
        records << jobFrom(q);
    return records;
}

std::optional<JobRecord> StoreWorker::readJob(qint64 id) {
    if (!m_open && !m_readOnly)
        return std::nullopt;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM jobs WHERE id = ?").arg(JobColumns));
    q.addBindValue(id);
    if (!exec(q) || !q.next())
        return std::nullopt;
    return jobFrom(q);
}

int StoreWorker::countJobs(const JobQuery &query) {
    if (!m_open && !m_readOnly)
        return 0;
    JobQuery all = query;
    all.after.reset();
    QVariantList values;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT count(*) FROM jobs") + filterOf(all, values));
    for (const QVariant &value : std::as_const(values))
        q.addBindValue(value);
    if (!exec(q) || !q.next())
        return 0;
    return q.value(0).toInt();
}

QList<AttemptRecord> StoreWorker::readAttempts(qint64 jobId) {
    QList<AttemptRecord> records;
    if (!m_open && !m_readOnly)
        return records;
    QSqlQuery q(db());
    q.prepare(QStringLiteral(
        "SELECT attempt, trace_id, started_at, ended_at, outcome, exit_code, signal, error, "
        "description, stragglers, killed_processes, killed_escapees, output_directory, "
        "output_error, output_bytes, output_removed_at, boot_id, shim_pid, shim_start_time, "
        "command_pid, command_start_time, peak_rss_bytes, cpu_time_ms FROM attempts WHERE job_id = "
        "? ORDER BY attempt"));
    q.addBindValue(jobId);
    if (!exec(q))
        return records;
    while (q.next()) {
        AttemptRecord a;
        a.jobId = jobId;
        a.attempt = q.value(0).toInt();
        a.traceId = q.value(1).toString();
        a.startedAt = timeFrom(q.value(2));
        a.endedAt = timeFrom(q.value(3));
        a.outcome = q.value(4).toString();
        a.exitCode = optionalFrom(q.value(5));
        a.signal = optionalFrom(q.value(6));
        a.error = q.value(7).toString();
        a.description = q.value(8).toString();
        a.stragglers = q.value(9).toInt();
        a.killedProcesses = q.value(10).toInt();
        a.killedEscapees = q.value(11).toInt();
        a.outputDirectory = q.value(12).toString();
        a.outputError = q.value(13).toString();
        a.outputBytes = q.value(14).toLongLong();
        a.outputRemovedAt = timeFrom(q.value(15));
        const QString boot = q.value(16).toString();
        if (!q.value(17).isNull())
            a.supervisor =
                ProcessIdentity{q.value(17).toLongLong(), q.value(18).toULongLong(), boot};
        if (!q.value(19).isNull())
            a.command = ProcessIdentity{q.value(19).toLongLong(), q.value(20).toULongLong(), boot};
        if (!q.value(21).isNull())
            a.peakRssBytes = q.value(21).toLongLong();
        if (!q.value(22).isNull())
            a.cpuTimeMs = q.value(22).toLongLong();
        records << a;
    }
    return records;
}

QList<TransitionRecord> StoreWorker::readTransitions(qint64 jobId) {
    QList<TransitionRecord> records;
    if (!m_open && !m_readOnly)
        return records;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT from_state, to_state, event, time, reason, attempt, "
                             "exit_code, signal FROM transitions WHERE job_id = ? ORDER BY id"));
    q.addBindValue(jobId);
    if (!exec(q))
        return records;
    while (q.next()) {
        const std::optional<JobState> from = stateFrom(q.value(0).toString());
        const std::optional<JobState> to = stateFrom(q.value(1).toString());
        const std::optional<JobEvent> event = eventFrom(q.value(2).toString());
        if (!from || !to || !event)
            continue; // written by a newer version with states this one does not know
        records << TransitionRecord{jobId,
                                    {*from, *to, *event, timeFrom(q.value(3)),
                                     q.value(4).toString(), q.value(5).toInt(),
                                     optionalFrom(q.value(6)), optionalFrom(q.value(7))}};
    }
    return records;
}

int StoreWorker::recover() {
    if (!m_open)
        return 0;
    QSqlDatabase database = db();
    // 1. Which owners are dead, read without a lock: ending their processes may take a while.
    QList<RunRow> dead;
    {
        QSqlQuery q(database);
        q.prepare(QStringLiteral(
            "SELECT id, pid, start_time, boot_id, kind, last_write_at, ended_at FROM runs r "
            "WHERE recovered_at IS NULL AND id != ? AND (ended_at IS NULL OR EXISTS (SELECT 1 "
            "FROM jobs j WHERE j.run_id = r.id AND j.state NOT IN ('Completed', 'Failed', "
            "'TimedOut', 'Cancelled', 'Interrupted')))"));
        q.addBindValue(m_runId);
        if (!exec(q))
            return 0;
        while (q.next()) {
            RunRow run;
            run.id = q.value(0).toLongLong();
            run.identity = {q.value(1).toLongLong(), q.value(2).toULongLong(),
                            q.value(3).toString()};
            run.kind = kindFrom(q.value(4).toString());
            run.lastWrite = timeFrom(q.value(5));
            run.ended = !q.value(6).isNull();
            if (run.ended || !run.identity.isAlive())
                dead << run;
        }
    }
    if (dead.isEmpty())
        return 0;

    struct Candidate {
        qint64 id;
        JobState state;
        int attempts;
        qint64 runId;
    };
    QList<Candidate> candidates;
    QSet<qint64> unfinishedRemains;
    const QList<JobProcess> processes = jobProcesses();
    for (const RunRow &run : std::as_const(dead)) {
        QSqlQuery q(database);
        q.prepare(
            QStringLiteral("SELECT id, state, attempts, termination FROM jobs WHERE run_id = ?"));
        q.addBindValue(run.id);
        if (!exec(q))
            return 0;
        while (q.next()) {
            const std::optional<JobState> state = stateFrom(q.value(1).toString());
            if (!state || isFinal(*state))
                continue;
            // A dead window's queued jobs (waiting for a slot, for other jobs or for their
            // start time) wait for the next window.
            if (run.kind == RunKind::Window &&
                (*state == JobState::Pending || *state == JobState::Waiting))
                continue;
            const qint64 id = q.value(0).toLongLong();
            candidates << Candidate{id, *state, q.value(2).toInt(), run.id};
            const std::optional<TerminationSequence> termination =
                TerminationSequence::parse(q.value(3).toString(), nullptr);
            QList<ProcessIdentity> shims, commands;
            QStringList traces;
            for (const AttemptRecord &attempt : readAttempts(id)) {
                if (attempt.endedAt.isValid())
                    continue;
                traces << attempt.traceId;
                if (attempt.supervisor)
                    shims << *attempt.supervisor;
                if (attempt.command)
                    commands << *attempt.command;
            }
            // Also what was started before its attempt could be recorded.
            QList<qint64> remains;
            for (const JobProcess &process : processes)
                if (process.jobId == id &&
                    (process.owner == run.identity.tag() || traces.contains(process.traceId)))
                    remains << process.pid;
            QString report;
            const bool gone =
                endJobRemains(shims, commands, remains,
                              termination.value_or(TerminationSequence::standard(5s)), &report);
            if (!report.isEmpty())
                spdlog::warn("job {} of a Job Monitor that stopped unexpectedly: {}", id, report);
            if (!gone) {
                spdlog::error("job {} of a Job Monitor that stopped unexpectedly still has live "
                              "processes: it is left as it is and recovered later",
                              id);
                unfinishedRemains.insert(id);
            }
        }
    }

    // 2. The records, in one transaction that checks nobody else recovered them meanwhile.
    QSqlQuery q(database);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return 0;
    int interrupted = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const RunRow &run : std::as_const(dead)) {
        q.prepare(QStringLiteral("SELECT recovered_at FROM runs WHERE id = ?"));
        q.addBindValue(run.id);
        if (!exec(q) || !q.next() || !q.value(0).isNull())
            continue;
        bool complete = true;
        const QString reason = QString::fromLatin1(Interruption);
        const qint64 when = run.lastWrite.toMSecsSinceEpoch();
        for (const Candidate &job : std::as_const(candidates)) {
            if (job.runId != run.id)
                continue;
            if (unfinishedRemains.contains(job.id)) {
                complete = false;
                continue;
            }
            // Re-read: the state may have changed before the lock was taken.
            q.prepare(QStringLiteral("SELECT state FROM jobs WHERE id = ? AND run_id = ?"));
            q.addBindValue(job.id);
            q.addBindValue(run.id);
            if (!exec(q) || !q.next())
                continue;
            const std::optional<JobState> state = stateFrom(q.value(0).toString());
            const std::optional<JobState> to =
                state ? nextState(*state, JobEvent::Interrupt) : std::nullopt;
            if (!to)
                continue;
            q.prepare(QStringLiteral(
                "INSERT INTO transitions (job_id, from_state, to_state, event, time, reason, "
                "attempt) VALUES (?, ?, ?, ?, ?, ?, ?)"));
            q.addBindValue(job.id);
            q.addBindValue(jobStateName(*state));
            q.addBindValue(jobStateName(*to));
            q.addBindValue(jobEventName(JobEvent::Interrupt));
            q.addBindValue(when);
            q.addBindValue(reason);
            q.addBindValue(job.attempts);
            if (!exec(q))
                break;
            q.prepare(QStringLiteral("UPDATE jobs SET state = ?, ended_at = ? WHERE id = ?"));
            q.addBindValue(jobStateName(*to));
            q.addBindValue(when);
            q.addBindValue(job.id);
            if (!exec(q))
                break;
            q.prepare(QStringLiteral("UPDATE attempts SET ended_at = ?, outcome = 'Interrupted', "
                                     "description = ? WHERE job_id = ? AND ended_at IS NULL"));
            q.addBindValue(when);
            q.addBindValue(reason);
            q.addBindValue(job.id);
            if (!exec(q))
                break;
            ++interrupted;
            spdlog::warn("job {} was {} when its Job Monitor (pid {}) stopped unexpectedly: now "
                         "{}",
                         job.id, jobStateName(*state), run.identity.pid, jobStateName(*to));
        }
        if (!complete)
            continue;
        q.prepare(QStringLiteral("UPDATE runs SET recovered_at = ? WHERE id = ?"));
        q.addBindValue(now);
        q.addBindValue(run.id);
        exec(q);
    }
    if (!q.exec(QStringLiteral("COMMIT"))) {
        spdlog::error("cannot record the recovery of jobs: {}", q.lastError().text());
        q.exec(QStringLiteral("ROLLBACK"));
        return 0;
    }
    return interrupted;
}

QList<JobRecord> StoreWorker::claimQueued() {
    QList<JobRecord> records;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return records;
    q.prepare(QStringLiteral(
        "UPDATE jobs SET run_id = ? WHERE state IN ('Pending', 'Waiting') AND run_id IN (SELECT "
        "id FROM runs "
        "WHERE kind = 'window' AND recovered_at IS NOT NULL)"));
    q.addBindValue(m_runId);
    if (!exec(q) || !q.exec(QStringLiteral("COMMIT"))) {
        q.exec(QStringLiteral("ROLLBACK"));
        return records;
    }
    // In their queues' order, then the jobs that had not joined a queue yet, oldest first.
    q.prepare(QStringLiteral("SELECT %1 FROM jobs WHERE run_id = ? AND state IN ('Pending', "
                             "'Waiting') ORDER BY queue_order IS NULL, queue_order, created_at, "
                             "id")
                  .arg(JobColumns));
    q.addBindValue(m_runId);
    if (!exec(q))
        return records;
    while (q.next())
        records << jobFrom(q);
    if (!records.isEmpty())
        spdlog::info("{} queued job(s) from a window that stopped unexpectedly wait for a "
                     "decision",
                     records.size());
    return records;
}

void StoreWorker::discard(const QList<qint64> &ids) {
    if (!m_open || ids.isEmpty())
        return;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const qint64 id : ids) {
        q.prepare(QStringLiteral("INSERT INTO transitions (job_id, from_state, to_state, event, "
                                 "time, reason, attempt) SELECT id, state, ?, ?, ?, ?, attempts "
                                 "FROM jobs WHERE id = ? AND state IN ('Pending', 'Waiting')"));
        q.addBindValue(jobStateName(JobState::Cancelled));
        q.addBindValue(jobEventName(JobEvent::Cancel));
        q.addBindValue(now);
        q.addBindValue(QStringLiteral("discarded: queued when Job Monitor stopped unexpectedly"));
        q.addBindValue(id);
        exec(q);
        q.prepare(QStringLiteral("UPDATE jobs SET state = 'Cancelled', ended_at = ? WHERE id = ? "
                                 "AND state IN ('Pending', 'Waiting')"));
        q.addBindValue(now);
        q.addBindValue(id);
        exec(q);
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        q.exec(QStringLiteral("ROLLBACK"));
}

void StoreWorker::applyRetention(const RetentionPolicy &policy) {
    if (!m_open)
        return;
    QSqlDatabase database = db();
    const QString finals =
        QStringLiteral("('Completed', 'Failed', 'TimedOut', 'Cancelled', 'Interrupted')");
    // Jobs that ended more than keepDays ago: rows and files.
    const qint64 cutoff =
        QDateTime::currentDateTimeUtc().addDays(-policy.keepDays).toMSecsSinceEpoch();
    QList<qint64> expired;
    {
        QSqlQuery q(database);
        q.prepare(
            QStringLiteral("SELECT id FROM jobs WHERE state IN %1 AND ended_at < ?").arg(finals));
        q.addBindValue(cutoff);
        if (exec(q))
            while (q.next())
                expired << q.value(0).toLongLong();
    }
    if (!expired.isEmpty()) {
        std::vector<WriteOp> batch;
        for (const qint64 id : std::as_const(expired)) {
            WriteOp op;
            op.kind = WriteOp::Kind::Remove;
            op.jobId = id;
            batch.push_back(std::move(op));
        }
        QString error;
        if (writeBatch(batch, &error))
            spdlog::info("history: removed {} job(s) that ended more than {} days ago",
                         expired.size(), policy.keepDays);
        else
            spdlog::error("history: cannot remove old jobs: {}", error);
    }
    // Runs that have ended and own no job any more.
    {
        QSqlQuery q(database);
        q.prepare(QStringLiteral("DELETE FROM runs WHERE id != ? AND (ended_at IS NOT NULL OR "
                                 "recovered_at IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM jobs "
                                 "WHERE jobs.run_id = runs.id)"));
        q.addBindValue(m_runId);
        exec(q);
    }
    // Then output, oldest job first, until what is left fits.
    QSqlQuery total(database);
    if (!total.exec(QStringLiteral("SELECT coalesce(sum(output_bytes), 0) FROM attempts WHERE "
                                   "output_removed_at IS NULL AND output_directory != ''")) ||
        !total.next())
        return;
    qint64 bytes = total.value(0).toLongLong();
    if (bytes <= policy.maxOutputBytes)
        return;
    QSqlQuery q(database);
    q.prepare(
        QStringLiteral(
            "SELECT a.job_id, a.attempt, a.output_directory, a.output_bytes FROM attempts a JOIN "
            "jobs j ON j.id = a.job_id WHERE j.state IN %1 AND a.output_removed_at IS NULL AND "
            "a.output_directory != '' ORDER BY coalesce(j.ended_at, j.created_at), j.id, a.attempt")
            .arg(finals));
    if (!exec(q))
        return;
    struct Removal {
        qint64 jobId;
        int attempt;
        QString directory;
    };
    QList<Removal> removals;
    while (bytes > policy.maxOutputBytes && q.next()) {
        removals << Removal{q.value(0).toLongLong(), q.value(1).toInt(), q.value(2).toString()};
        bytes -= q.value(3).toLongLong();
    }
    q = QSqlQuery(database);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Removal &removal : std::as_const(removals)) {
        q.prepare(QStringLiteral(
            "UPDATE attempts SET output_removed_at = ? WHERE job_id = ? AND attempt = ?"));
        q.addBindValue(now);
        q.addBindValue(removal.jobId);
        q.addBindValue(removal.attempt);
        exec(q);
    }
    if (!q.exec(QStringLiteral("COMMIT"))) {
        q.exec(QStringLiteral("ROLLBACK"));
        return;
    }
    for (const Removal &removal : std::as_const(removals))
        QDir(removal.directory).removeRecursively();
    spdlog::info("history: removed the output of {} attempt(s), oldest first, to stay within "
                 "{} bytes",
                 removals.size(), policy.maxOutputBytes);
}

// --- JobStore, on the owner's thread

JobStore::JobStore(const QString &stateDir, RunKind kind, QObject *parent)
    : QObject(parent)
    , m_stateDir(stateDir)
    , m_kind(kind)
    , m_worker(std::make_unique<StoreWorker>(this, stateDir, kind)) {
    StoreWorker::OpenResult opened = m_worker->call([this] { return m_worker->open(); });
    m_status = opened.status;
    m_outputRoot = opened.outputRoot;
    m_queuedFromLastSession = opened.queued;
    m_retentionTimer.setInterval(
        std::chrono::duration_cast<std::chrono::milliseconds>(RetentionInterval));
    connect(&m_retentionTimer, &QTimer::timeout, this, [this] {
        const RetentionPolicy policy = m_retention;
        m_worker->post([worker = m_worker.get(), policy] { worker->applyRetention(policy); });
    });
}

JobStore::~JobStore() {
    close();
    if (!m_readerConnection.isEmpty())
        QSqlDatabase::removeDatabase(m_readerConnection);
}

QString JobStore::databasePath(const QString &stateDir) {
    return QDir(stateDir).filePath(QStringLiteral("jobs.db"));
}

QString JobStore::databasePath() const {
    return databasePath(m_stateDir);
}

quint64 JobStore::enqueue(WriteOp op) {
    op.sequence = ++m_lastSequence;
    m_worker->enqueue(std::move(op));
    return m_lastSequence;
}

qint64 JobStore::allocateJobId() {
    return m_worker->allocateId();
}

void JobStore::writeJob(const JobRecord &record) {
    WriteOp op;
    op.kind = WriteOp::Kind::Job;
    op.job = record;
    enqueue(std::move(op));
}

void JobStore::writeAttempt(const AttemptRecord &record) {
    WriteOp op;
    op.kind = record.endedAt.isValid() ? WriteOp::Kind::AttemptEnd : WriteOp::Kind::AttemptStart;
    op.attempt = record;
    enqueue(std::move(op));
}

void JobStore::writeTransition(qint64 jobId, const Transition &transition, const JobRecord &after) {
    WriteOp op;
    op.kind = WriteOp::Kind::Transition;
    op.jobId = jobId;
    op.transition = transition;
    op.job = after;
    enqueue(std::move(op));
}

void JobStore::jobAdded(const Job &job) {
    writeJob(JobRecord::fromJob(job));
}

void JobStore::attemptStarted(const Job &job, int attempt, const QDateTime &startedAt,
                              const QString &outputDirectory, const AttemptProcesses &processes) {
    AttemptRecord record;
    record.jobId = job.id();
    record.attempt = attempt;
    record.traceId = job.attemptTraceId(attempt);
    record.startedAt = startedAt;
    record.outputDirectory = outputDirectory;
    record.supervisor = ProcessIdentity::of(processes.supervisorPid);
    writeAttempt(record);
}

void JobStore::attemptProcessesChanged(const Job &job, int attempt,
                                       const AttemptProcesses &processes) {
    WriteOp op;
    op.kind = WriteOp::Kind::AttemptProcesses;
    op.attempt.jobId = job.id();
    op.attempt.attempt = attempt;
    op.attempt.supervisor = ProcessIdentity::of(processes.supervisorPid);
    op.attempt.command = ProcessIdentity::of(processes.commandPid);
    enqueue(std::move(op));
}

void JobStore::attemptEnded(const Job &job, int attempt, const QDateTime &startedAt,
                            const QDateTime &endedAt, const QString &outputDirectory,
                            const AttemptResult &result) {
    AttemptRecord record;
    record.jobId = job.id();
    record.attempt = attempt;
    record.traceId = job.attemptTraceId(attempt);
    record.startedAt = startedAt;
    record.endedAt = endedAt;
    record.outcome = outcomeName(result.outcome.kind);
    if (result.outcome.kind == AttemptOutcome::Kind::Exited)
        record.exitCode = result.outcome.exitCode;
    else if (result.outcome.kind == AttemptOutcome::Kind::Signalled)
        record.signal = result.outcome.signal;
    record.error = result.outcome.error;
    record.description = result.describe();
    record.stragglers = result.stragglers;
    record.killedProcesses = result.killedProcesses;
    record.killedEscapees = result.killedEscapees;
    record.outputDirectory = outputDirectory;
    record.outputError = result.outputError;
    if (result.peakRssBytes >= 0)
        record.peakRssBytes = result.peakRssBytes;
    if (result.cpuTimeMs >= 0)
        record.cpuTimeMs = result.cpuTimeMs;
    writeAttempt(record);
    if (result.outcome.succeeded()) {
        // What the next learnTiming() of this command would read once this is committed.
        const auto cached = m_timings.find({job.spec().command, job.spec().workingDirectory});
        if (cached != m_timings.end())
            m_timings.erase(cached);
    }
}

void JobStore::transitioned(const Job &job, const Transition &transition) {
    writeTransition(job.id(), transition, JobRecord::fromJob(job));
}

void JobStore::queueChanged(const Job &job) {
    WriteOp op;
    op.kind = WriteOp::Kind::QueueOrder;
    op.job.id = job.id();
    op.job.spec.priority = job.priority();
    op.job.queueOrder = job.queueKey();
    enqueue(std::move(op));
}

void JobStore::jobRemoved(qint64 id) {
    WriteOp op;
    op.kind = WriteOp::Kind::Remove;
    op.jobId = id;
    enqueue(std::move(op));
}

void JobStore::whenCommitted(QObject *context, std::function<void()> callback) {
    if (!m_status.saving || m_closed || m_committed >= m_lastSequence) {
        callback();
        return;
    }
    m_waiting.push_back({m_lastSequence, context, std::move(callback)});
}

void JobStore::onCommitted(quint64 sequence) {
    m_committed = std::max(m_committed, sequence);
    Q_EMIT committed(sequence);
    runCallbacks();
}

void JobStore::runCallbacks() {
    while (!m_waiting.empty() &&
           (m_waiting.front().sequence <= m_committed || !m_status.saving || m_closed)) {
        Waiting waiting = std::move(m_waiting.front());
        m_waiting.pop_front();
        if (waiting.context)
            waiting.callback();
    }
}

void JobStore::onStatus(StoreStatus status) {
    status.movedAsideTo = m_status.movedAsideTo;
    status.readOnly = m_status.readOnly;
    m_status = status;
    Q_EMIT statusChanged();
    runCallbacks();
}

bool JobStore::flush() {
    if (m_closed)
        return false;
    const bool ok = m_worker->flush(m_lastSequence);
    m_committed = std::max(m_committed, m_worker->committed());
    runCallbacks();
    return ok;
}

void JobStore::close() {
    if (m_closed)
        return;
    m_retentionTimer.stop();
    m_worker->stop();
    m_committed = std::max(m_committed, m_worker->committed());
    m_closed = true;
    runCallbacks();
}

QList<JobRecord> JobStore::jobs(const JobQuery &query) {
    return m_worker->call([this, query] { return m_worker->readJobs(query); });
}

std::optional<JobRecord> JobStore::job(qint64 id) {
    return m_worker->call([this, id] { return m_worker->readJob(id); });
}

QList<AttemptRecord> JobStore::attempts(qint64 jobId) {
    return m_worker->call([this, jobId] { return m_worker->readAttempts(jobId); });
}

QList<TransitionRecord> JobStore::transitions(qint64 jobId) {
    return m_worker->call([this, jobId] { return m_worker->readTransitions(jobId); });
}

int JobStore::count(const JobQuery &query) {
    return m_worker->call([this, query] { return m_worker->countJobs(query); });
}

namespace {

// Runs read on the store's worker and hands its result to callback on the store's thread, unless
// context has gone meanwhile: the one shape of every asynchronous read.
template<typename Result>
void answerLater(JobStore *store, StoreWorker *worker, QObject *context,
                 std::function<Result(StoreWorker *)> read, std::function<void(Result)> callback) {
    QPointer<QObject> guard(context);
    worker->post([store, worker, guard, read = std::move(read), callback = std::move(callback)] {
        Result result = read(worker);
        QMetaObject::invokeMethod(
            store,
            [guard, callback, result = std::move(result)] {
                if (guard)
                    callback(result);
            },
            Qt::QueuedConnection);
    });
}

} // namespace

void JobStore::fetchJobs(JobQuery query, QObject *context,
                         std::function<void(QList<JobRecord>)> callback) {
    answerLater<QList<JobRecord>>(
        this, m_worker.get(), context, [query](StoreWorker *w) { return w->readJobs(query); },
        std::move(callback));
}

void JobStore::fetchJob(qint64 id, QObject *context,
                        std::function<void(std::optional<JobRecord>)> callback) {
    answerLater<std::optional<JobRecord>>(
        this, m_worker.get(), context, [id](StoreWorker *w) { return w->readJob(id); },
        std::move(callback));
}

void JobStore::fetchCount(JobQuery query, QObject *context, std::function<void(int)> callback) {
    answerLater<int>(
        this, m_worker.get(), context, [query](StoreWorker *w) { return w->countJobs(query); },
        std::move(callback));
}

void JobStore::fetchAttempts(qint64 jobId, QObject *context,
                             std::function<void(QList<AttemptRecord>)> callback) {
    answerLater<QList<AttemptRecord>>(
        this, m_worker.get(), context, [jobId](StoreWorker *w) { return w->readAttempts(jobId); },
        std::move(callback));
}

void JobStore::fetchTransitions(qint64 jobId, QObject *context,
                                std::function<void(QList<TransitionRecord>)> callback) {
    answerLater<QList<TransitionRecord>>(
        this, m_worker.get(), context,
        [jobId](StoreWorker *w) { return w->readTransitions(jobId); }, std::move(callback));
}

LearnedTiming JobStore::learnTiming(const QString &command, const QString &workingDirectory) {
    const std::pair<QString, QString> key{command, workingDirectory};
    if (const auto cached = m_timings.find(key); cached != m_timings.end())
        return cached->second;
    if (m_readerConnection.isEmpty()) {
        m_readerConnection = QStringLiteral("jobmonitor-store-reader-%1")
                                 .arg(reinterpret_cast<quintptr>(this), 0, 16);
        QSqlDatabase reader =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_readerConnection);
        reader.setDatabaseName(databasePath());
        reader.setConnectOptions(
            QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
    }
    QSqlDatabase reader = QSqlDatabase::database(m_readerConnection, false);
    if (!reader.isOpen() && (!QFileInfo::exists(databasePath()) || !reader.open()))
        return {};
    QSqlQuery q(reader);
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral(
            "SELECT a.ended_at - a.started_at FROM jobs j JOIN attempts a ON a.job_id = j.id WHERE "
            "j.command = ? AND j.working_directory = ? AND a.outcome = 'Exited' AND a.exit_code = "
            "0 "
            "AND a.ended_at IS NOT NULL ORDER BY j.created_at DESC, a.attempt DESC LIMIT %1")
            .arg(LearnedTiming::SampleSize));
    q.addBindValue(command);
    q.addBindValue(workingDirectory);
    QList<std::chrono::milliseconds> durations;
    if (q.exec())
        while (q.next())
            durations << std::chrono::milliseconds(q.value(0).toLongLong());
    const LearnedTiming timing = LearnedTiming::fromDurations(durations);
    m_timings[key] = timing;
    return timing;
}

QList<JobRecord> JobStore::takeQueuedFromLastSession() {
    QList<JobRecord> queued = std::exchange(m_queuedFromLastSession, {});
    if (!queued.isEmpty())
        Q_EMIT queuedFromLastSessionChanged();
    return queued;
}

void JobStore::discardQueuedFromLastSession() {
    QList<qint64> ids;
    for (const JobRecord &record : std::as_const(m_queuedFromLastSession))
        ids << record.id;
    m_queuedFromLastSession.clear();
    Q_EMIT queuedFromLastSessionChanged();
    m_worker->post([worker = m_worker.get(), ids] { worker->discard(ids); });
}

int JobStore::recoverDeadOwners() {
    return m_worker->call([this] { return m_worker->recover(); });
}

void JobStore::setRetention(const RetentionPolicy &policy) {
    m_retention = policy;
    m_worker->post([worker = m_worker.get(), policy] { worker->applyRetention(policy); });
    m_retentionTimer.start();
}

void JobStore::applyRetentionNow() {
    const RetentionPolicy policy = m_retention;
    m_worker->call([this, policy] {
        m_worker->applyRetention(policy);
        return true;
    });
}

} // namespace jobmonitor

#include "moc_jobstore.cpp"
