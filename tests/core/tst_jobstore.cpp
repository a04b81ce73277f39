// The job store on real files: schema and modes, migration from the first schema, ids never
// reused, batches committed in order, damaged and newer stores, a read-only folder and a full
// disk (real mounts), recovery of dead owners' jobs (real processes), retention, and the
// engine recording into it.
#include "jobstore.h"

#include "jobsupervisor.h"
#include "logging.h"
#include "processidentity.h"
#include "storeschema.h"
#include "testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/mount.h>
#include <sys/stat.h>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

// Runs SQL on a database file through a connection of its own (what another program, or an
// older version, would do).
class RawDatabase {
public:
    explicit RawDatabase(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(++s_count)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDatabase() {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    QVariant value(const QString &sql) const {
        QSqlQuery q(db());
        if (!q.exec(sql) || !q.next()) {
            qWarning() << sql << q.lastError().text();
            return {};
        }
        return q.value(0);
    }
    bool exec(const QString &sql) const {
        QSqlDatabase database = db();
        const QString error = storeschema::execute(database, sql);
        if (!error.isEmpty())
            qWarning() << error;
        return error.isEmpty();
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

QByteArray fileHash(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

int fileMode(const QString &path) {
    struct stat info {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

JobRecord record(qint64 id, JobState state, const QString &command = QStringLiteral("true")) {
    JobRecord r;
    r.id = id;
    r.spec.command = command;
    r.spec.workingDirectory = QStringLiteral("/tmp");
    r.state = state;
    r.createdAt = QDateTime::currentDateTime();
    return r;
}

// A process that is gone, with the identity it had: an owner that died.
ProcessIdentity deadProcess() {
    QProcess process;
    process.start(QStringLiteral("sleep"), {QStringLiteral("30")});
    process.waitForStarted();
    const std::optional<ProcessIdentity> identity = ProcessIdentity::of(process.processId());
    process.kill();
    process.waitForFinished();
    return identity.value_or(ProcessIdentity{});
}

// Mounts a tmpfs of the given options on path; false when this machine does not allow it.
bool mountTmpfs(const QString &path, const QByteArray &options, unsigned long flags = 0) {
    return ::mount("tmpfs", QFile::encodeName(path).constData(), "tmpfs", flags,
                   options.constData()) == 0;
}

} // namespace

class TestJobStore : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString stateDir() const { return m_dir->filePath(QStringLiteral("state")); }

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::err); }

    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir().mkpath(stateDir()));
    }

    void createsThePrivateSchema() {
        JobStore store(stateDir(), RunKind::Headless);
        QVERIFY(store.isSaving());
        QVERIFY(store.status().problem.isEmpty());
        QCOMPARE(store.outputRoot(), QDir(stateDir()).filePath("output"));
        store.writeJob(record(store.allocateJobId(), JobState::Pending));
        QVERIFY(store.flush());
        const QString path = store.databasePath();
        // Written while open: the write-ahead log and its index exist, private like the file.
        for (const QString &file : {path, path + "-wal", path + "-shm"})
            QCOMPARE(fileMode(file), 0600);
        RawDatabase raw(path);
        QCOMPARE(raw.value("PRAGMA user_version").toInt(), storeschema::CurrentVersion);
        QCOMPARE(raw.value("PRAGMA journal_mode").toString(), QStringLiteral("wal"));
        for (const char *table : {"meta", "runs", "jobs", "attempts", "transitions"})
            QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = "
                                              "'table' AND name = '%1'")
                                   .arg(table))
                         .toInt(),
                     1);
        // This process is recorded as a run, by pid, start time and boot id.
        const ProcessIdentity self = ProcessIdentity::self();
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM runs WHERE pid = %1 AND "
                                          "start_time = %2 AND boot_id = '%3' AND kind = "
                                          "'headless' AND ended_at IS NULL")
                               .arg(self.pid)
                               .arg(self.startTime)
                               .arg(self.bootId))
                     .toInt(),
                 1);
    }

    // A command-line client owns no jobs: it leaves no record of itself behind.
    void clientsLeaveNoRunBehind() {
        for (int i = 0; i < 3; ++i)
            JobStore(stateDir(), RunKind::Client);
        { JobStore headless(stateDir(), RunKind::Headless); }
        RawDatabase raw(JobStore::databasePath(stateDir()));
        QCOMPARE(raw.value("SELECT count(*) FROM runs WHERE kind = 'client'").toInt(), 0);
        QCOMPARE(raw.value("SELECT count(*) FROM runs WHERE kind = 'headless' AND ended_at IS NOT "
                           "NULL")
                     .toInt(),
                 1);
    }

    void migratesTheFirstSchema() {
        QFile fixture(QStringLiteral(JM_TEST_DATA "/store/schema-v1.sql"));
        QVERIFY(fixture.open(QIODevice::ReadOnly));
        QString sql = QString::fromUtf8(fixture.readAll());
        sql.replace(QStringLiteral("@STATE@"), stateDir());
        const QString path = JobStore::databasePath(stateDir());
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(sql));
        }
        // Output of the old store, whose size the new schema counts.
        QVERIFY(QDir().mkpath(stateDir() + "/output/1/1"));
        QFile out(stateDir() + "/output/1/1/stdout");
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray(1234, 'x'));
        out.close();

        JobStore store(stateDir(), RunKind::Window);
        QVERIFY2(store.isSaving(), qPrintable(store.status().problem));
        {
            RawDatabase raw(path);
            QCOMPARE(raw.value("PRAGMA user_version").toInt(), storeschema::CurrentVersion);
            QCOMPARE(raw.value("SELECT output_bytes FROM attempts WHERE job_id = 1").toLongLong(),
                     1234);
        }
        const std::optional<JobRecord> build = store.job(1);
        QVERIFY(build);
        QCOMPARE(build->spec.command, QStringLiteral("make -j4"));
        QCOMPARE(build->spec.name, QStringLiteral("build"));
        QCOMPARE(build->spec.workingDirectory, QStringLiteral("/src"));
        QCOMPARE(build->spec.environment.value("CC"), QStringLiteral("clang"));
        QCOMPARE(build->state, JobState::Completed);
        QCOMPARE(build->exitCode, 0);
        QCOMPARE(build->durationMs(), 3000);
        QCOMPARE(build->outputDirectory, stateDir() + "/output/1/1");
        const std::optional<JobRecord> failed = store.job(2);
        QVERIFY(failed);
        QCOMPARE(failed->spec.timeout, 30000ms);
        QCOMPARE(failed->spec.maxAttempts, 2);
        QCOMPARE(failed->spec.termination.toString(), QStringLiteral("TERM,200,KILL"));
        QCOMPARE(store.attempts(2).size(), 2);
        QCOMPARE(store.transitions(2).size(), 4);

        // The window of the fixture died (another boot): its running job is Interrupted at
        // its last write, its queued job waits for this window, its cancelled job stays.
        const std::optional<JobRecord> running = store.job(5);
        QVERIFY(running);
        QCOMPARE(running->state, JobState::Interrupted);
        QCOMPARE(running->endedAt.toMSecsSinceEpoch(), 1700000200000);
        const TransitionRecord last = store.transitions(5).constLast();
        QCOMPARE(last.transition.from, JobState::Running);
        QCOMPARE(last.transition.to, JobState::Interrupted);
        QCOMPARE(last.transition.event, JobEvent::Interrupt);
        QCOMPARE(last.transition.reason, QStringLiteral("Job Monitor stopped unexpectedly"));
        QCOMPARE(last.transition.time.toMSecsSinceEpoch(), 1700000200000);
        QCOMPARE(store.attempts(5).constFirst().outcome, QStringLiteral("Interrupted"));
        QCOMPARE(store.queuedFromLastSession().size(), 1);
        QCOMPARE(store.queuedFromLastSession().constFirst().id, 6);
        QCOMPARE(store.queuedFromLastSession().constFirst().spec.environment.value("FOO"),
                 QStringLiteral("bar"));
        QCOMPARE(store.job(7)->state, JobState::Cancelled);
        // Jobs from before limits had none, and their attempts' use was never measured.
        QCOMPARE(build->spec.memoryLimitBytes, 0);
        QCOMPARE(build->spec.niceness, std::nullopt);
        QCOMPARE(build->spec.ioPriority, std::nullopt);
        QCOMPARE(build->peakRssBytes, std::nullopt);
        QCOMPARE(build->cpuTimeMs, std::nullopt);
        QCOMPARE(store.attempts(2).constFirst().cpuTimeMs, std::nullopt);
        // Jobs from before the queue: the default group, no priority, nothing to wait for.
        const JobRecord queued = store.queuedFromLastSession().constFirst();
        QCOMPARE(queued.spec.groupName(), defaultGroupName());
        QCOMPARE(queued.spec.priority, 0);
        QVERIFY(queued.spec.dependencies.isEmpty());
        QVERIFY(!queued.spec.startAt.isValid());
        QVERIFY(!queued.queueOrder);
        // New ids go on after the old counter.
        QCOMPARE(store.allocateJobId(), 8);
    }

    // A job's limits and each attempt's use of memory and CPU are kept, and read back by a
    // later process.
    void keepsLimitsAndUsage() {
        JobRecord job;
        job.spec.command = QStringLiteral("make");
        job.spec.memoryLimitBytes = 2LL << 30;
        job.spec.niceness = 5;
        job.spec.ioPriority = IoPriority{3, 0};
        job.spec.progressPattern = QStringLiteral(R"(step (?<done>\d+) of (?<total>\d+))");
        job.state = JobState::Failed;
        job.attempts = 2;
        job.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000000);
        AttemptRecord first;
        first.attempt = 1;
        first.traceId = QStringLiteral("a1");
        first.startedAt = job.createdAt;
        first.endedAt = job.createdAt.addSecs(1);
        first.outcome = QStringLiteral("Exited");
        first.peakRssBytes = 123456789;
        first.cpuTimeMs = 4321;
        AttemptRecord second = first;
        second.attempt = 2;
        second.traceId = QStringLiteral("a2");
        second.peakRssBytes = 2469135780;
        second.cpuTimeMs = 8642;
        AttemptRecord unmeasured = first;
        unmeasured.attempt = 3;
        unmeasured.peakRssBytes.reset();
        unmeasured.cpuTimeMs.reset();
        {
            JobStore store(stateDir(), RunKind::Headless);
            job.id = store.allocateJobId();
            first.jobId = second.jobId = unmeasured.jobId = job.id;
            store.writeJob(job);
            store.writeAttempt(first);
            store.writeAttempt(second);
            QVERIFY(store.flush());
        }
        JobStore store(stateDir(), RunKind::Client);
        const std::optional<JobRecord> read = store.job(job.id);
        QVERIFY(read);
        QCOMPARE(read->spec.memoryLimitBytes, 2LL << 30);
        QCOMPARE(read->spec.niceness, std::optional(5));
        QCOMPARE(read->spec.ioPriority, std::optional(IoPriority{3, 0}));
        QCOMPARE(read->spec.progressPattern, job.spec.progressPattern);
        // The job shows its last attempt's.
        QCOMPARE(read->peakRssBytes, std::optional<qint64>(2469135780));
        QCOMPARE(read->cpuTimeMs, std::optional<qint64>(8642));
        const QList<AttemptRecord> attempts = store.attempts(job.id);
        QCOMPARE(attempts.size(), 2);
        QCOMPARE(attempts[0].peakRssBytes, std::optional<qint64>(123456789));
        QCOMPARE(attempts[0].cpuTimeMs, std::optional<qint64>(4321));
        store.writeAttempt(unmeasured);
        QVERIFY(store.flush());
        QCOMPARE(store.attempts(job.id).constLast().peakRssBytes, std::nullopt);
        QCOMPARE(store.attempts(job.id).constLast().cpuTimeMs, std::nullopt);
    }

    void idsAreNeverReused() {
        QSet<qint64> seen;
        qint64 highest = 0;
        {
            JobStore first(stateDir(), RunKind::Headless);
            JobStore second(stateDir(), RunKind::Window); // at the same time
            for (int i = 0; i < 40; ++i) {
                for (JobStore *store : {&first, &second}) {
                    const qint64 id = store->allocateJobId();
                    QVERIFY2(!seen.contains(id), qPrintable(QString::number(id)));
                    seen.insert(id);
                    highest = std::max(highest, id);
                    store->writeJob(record(id, JobState::Completed));
                }
            }
        }
        // A clean exit may give back ids nobody used, never ones that were handed out.
        for (int round = 0; round < 3; ++round) {
            JobStore store(stateDir(), RunKind::Headless);
            const qint64 id = store.allocateJobId();
            QVERIFY(id > highest);
            QVERIFY(!seen.contains(id));
            seen.insert(id);
            highest = id;
            store.writeJob(record(id, JobState::Completed));
        }
        // Runs one after the other number their jobs without gaps.
        JobStore store(stateDir(), RunKind::Headless);
        QCOMPARE(store.allocateJobId(), highest + 1);
        // Removing jobs frees no ids.
        for (const qint64 id : std::as_const(seen))
            store.jobRemoved(id);
        QVERIFY(store.flush());
        QCOMPARE(store.jobs({}).size(), 0);
        QCOMPARE(store.allocateJobId(), highest + 2);
    }

    void commitsBatchesInOrder() {
        JobStore store(stateDir(), RunKind::Headless);
        QSignalSpy committed(&store, &JobStore::committed);
        QList<int> order;
        constexpr int Jobs = 500;
        for (int i = 0; i < Jobs; ++i) {
            JobRecord r = record(store.allocateJobId(), JobState::Pending);
            store.writeJob(r);
            Transition t{JobState::Pending,
                         JobState::Running,
                         JobEvent::Launch,
                         QDateTime::currentDateTime(),
                         QStringLiteral("started"),
                         1,
                         {},
                         {}};
            r.state = JobState::Running;
            store.writeTransition(r.id, t, r);
            const quint64 sequence = store.lastSequence();
            store.whenCommitted(this, [&order, &store, sequence, i] {
                QVERIFY(store.committedSequence() >= sequence);
                order << i;
            });
        }
        QCOMPARE(store.lastSequence(), quint64(2 * Jobs));
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), Jobs, 30000);
        for (int i = 0; i < Jobs; ++i)
            QCOMPARE(order.at(i), i);
        quint64 previous = 0;
        for (const QList<QVariant> &signal : std::as_const(committed)) {
            const quint64 sequence = signal.at(0).toULongLong();
            QVERIFY(sequence > previous);
            previous = sequence;
        }
        QCOMPARE(previous, store.lastSequence());
        QCOMPARE(store.count(JobQuery{{JobState::Running}, {}, {}, -1, {}}), Jobs);
    }

    void pagesNewestFirst() {
        JobStore store(stateDir(), RunKind::Headless);
        const QDateTime start = QDateTime::currentDateTime().addSecs(-1000);
        for (int i = 0; i < 25; ++i) {
            JobRecord r =
                record(store.allocateJobId(), i % 2 ? JobState::Failed : JobState::Completed,
                       i % 5 ? QStringLiteral("make %1").arg(i) : QStringLiteral("50%_done"));
            r.createdAt = start.addSecs(i);
            store.writeJob(r);
        }
        QVERIFY(store.flush());
        JobQuery query;
        query.limit = 10;
        QList<qint64> ids;
        for (;;) {
            const QList<JobRecord> page = store.jobs(query);
            for (const JobRecord &r : page)
                ids << r.id;
            if (page.size() < query.limit)
                break;
            query.after = JobQuery::cursorOf(page.constLast());
        }
        QCOMPARE(ids.size(), 25);
        for (qsizetype i = 1; i < ids.size(); ++i)
            QVERIFY(ids.at(i) < ids.at(i - 1));
        JobQuery search;
        search.search = QStringLiteral("%_"); // literally, not as a pattern
        QCOMPARE(store.jobs(search).size(), 5);
        JobQuery failed;
        failed.states = {JobState::Failed};
        failed.since = start.addSecs(20);
        QCOMPARE(store.jobs(failed).size(), 2); // 21 and 23
    }

    void movesGarbageAside() {
        const QString path = JobStore::databasePath(stateDir());
        QByteArray garbage(64 * 1024, Qt::Uninitialized);
        QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(garbage.data()),
                                      garbage.size() / 4);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(garbage);
        file.close();

        JobStore store(stateDir(), RunKind::Headless);
        const QString aside = store.status().movedAsideTo;
        QVERIFY(aside.startsWith(path + ".corrupt-"));
        QCOMPARE(fileHash(aside), QCryptographicHash::hash(garbage, QCryptographicHash::Sha256));
        QVERIFY(store.isSaving());
        const qint64 id = store.allocateJobId();
        store.writeJob(record(id, JobState::Completed));
        QVERIFY(store.flush());
        QVERIFY(store.job(id));
    }

    void movesATruncatedStoreAside() {
        const QString path = JobStore::databasePath(stateDir());
        {
            JobStore store(stateDir(), RunKind::Headless);
            for (int i = 0; i < 2000; ++i)
                store.writeJob(record(store.allocateJobId(), JobState::Completed,
                                      QStringLiteral("echo %1 ").arg(i).repeated(10)));
        }
        QFile file(path);
        QVERIFY(file.size() > 64 * 1024);
        QVERIFY(file.resize(file.size() / 2));
        const QByteArray truncated = fileHash(path);

        JobStore store(stateDir(), RunKind::Headless);
        const QString aside = store.status().movedAsideTo;
        QVERIFY2(!aside.isEmpty(), qPrintable(store.status().problem));
        QCOMPARE(fileHash(aside), truncated);
        QVERIFY(store.isSaving());
        QCOMPARE(store.jobs({}).size(), 0);
    }

    void refusesANewerSchema() {
        const QString path = JobStore::databasePath(stateDir());
        {
            JobStore store(stateDir(), RunKind::Headless);
            store.writeJob(record(store.allocateJobId(), JobState::Completed));
        }
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec("PRAGMA user_version = 99;"));
        }
        const QByteArray before = fileHash(path);
        {
            JobStore store(stateDir(), RunKind::Headless);
            QVERIFY(!store.isSaving());
            QVERIFY(store.status().readOnly);
            QVERIFY(store.status().problem.contains("newer version"));
            // Jobs still get ids, kept apart from what the newer store numbers.
            QVERIFY(store.allocateJobId() > 1);
            QVERIFY(store.outputRoot().contains("unsaved-"));
            store.writeJob(record(store.allocateJobId(), JobState::Completed));
            QVERIFY(!store.flush());
            bool ran = false;
            store.whenCommitted(this, [&ran] { ran = true; });
            QVERIFY(ran); // nothing is held back waiting for a store that does not save
            // It can still be read.
            QCOMPARE(store.jobs({}).size(), 1);
        }
        QCOMPARE(fileHash(path), before);
    }

    // A read-only state folder at start (a read-only mount: root ignores permissions), made
    // writable later: jobs get ids and run, and saving starts by itself.
    void readOnlyFolderThenWritable() {
        const QString dir = stateDir();
        if (!mountTmpfs(dir, "size=16m,mode=0700", MS_RDONLY))
            QSKIP("cannot mount a read-only tmpfs here (needs root)");
        auto unmount =
            qScopeGuard([&] { ::umount2(QFile::encodeName(dir).constData(), MNT_DETACH); });
        JobStore store(dir, RunKind::Headless);
        QVERIFY(!store.isSaving());
        QVERIFY2(store.status().problem.contains("not being saved"),
                 qPrintable(store.status().problem));
        QSignalSpy status(&store, &JobStore::statusChanged);
        JobSupervisor supervisor(JobSupervisor::Config{.maxParallel = 2,
                                                       .outputDirectory = store.outputRoot(),
                                                       .keepTails = false,
                                                       .recorder = &store});
        JobSpec spec;
        spec.command = QStringLiteral("echo still running");
        const StartResult started = supervisor.start(spec);
        QVERIFY(started);
        const qint64 id = started.job->id();
        QTRY_COMPARE_WITH_TIMEOUT(started.job->state(), JobState::Completed, 20000);

        QVERIFY(::mount(nullptr, QFile::encodeName(dir).constData(), nullptr, MS_REMOUNT,
                        nullptr) == 0);
        QTRY_VERIFY_WITH_TIMEOUT(store.isSaving(), 40000);
        QVERIFY(store.flush());
        const std::optional<JobRecord> saved = store.job(id);
        QVERIFY(saved);
        QCOMPARE(saved->state, JobState::Completed);
        QCOMPARE(store.transitions(id).size(), 2);
        QVERIFY(runTask(supervisor.shutdown(), 10s));
        store.close();
        QCOMPARE(fileMode(JobStore::databasePath(dir)), 0600);
    }

    // A full disk: writes fail, jobs go on, the failed batch is written once there is room.
    void fullDiskThenRoom() {
        const QString dir = stateDir();
        if (!mountTmpfs(dir, "size=1m,mode=0700"))
            QSKIP("cannot mount a tmpfs here (needs root)");
        auto unmount =
            qScopeGuard([&] { ::umount2(QFile::encodeName(dir).constData(), MNT_DETACH); });
        JobStore store(dir, RunKind::Headless);
        QVERIFY(store.isSaving());
        const qint64 first = store.allocateJobId();
        store.writeJob(record(first, JobState::Completed));
        QVERIFY(store.flush());

        // Fill what is left of the disk.
        const QString fillerPath = QDir(dir).filePath("filler");
        {
            QFile filler(fillerPath);
            QVERIFY(filler.open(QIODevice::WriteOnly));
            const QByteArray block(4096, 'f');
            while (filler.write(block) == block.size() && filler.flush()) {
            }
        }
        QList<qint64> ids;
        for (int i = 0; i < 300; ++i) {
            ids << store.allocateJobId();
            store.writeJob(record(ids.last(), JobState::Completed,
                                  QStringLiteral("a long command line %1 ").arg(i).repeated(20)));
        }
        QVERIFY(!store.flush());
        QTRY_VERIFY_WITH_TIMEOUT(!store.isSaving(), 20000);
        QVERIFY(store.status().problem.contains("not being saved"));

        QVERIFY(QFile::remove(fillerPath));
        QTRY_VERIFY_WITH_TIMEOUT(store.isSaving(), 40000);
        QVERIFY(store.flush());
        for (const qint64 id : std::as_const(ids))
            QVERIFY2(store.job(id), qPrintable(QString::number(id)));
    }

    // Owners that died: jobs of a dead headless run all end Interrupted, a dead window's
    // running jobs too while its queued ones come to the next window; a survivor of a dead
    // owner is ended first; a live owner's jobs are left alone.
    void recoversDeadOwners() {
        const QString path = JobStore::databasePath(stateDir());
        { JobStore store(stateDir(), RunKind::Client); }
        const ProcessIdentity deadHeadless = deadProcess();
        const ProcessIdentity deadWindow = deadProcess();
        QVERIFY(deadHeadless.pid > 0 && deadWindow.pid > 0);
        QVERIFY(!deadHeadless.isAlive());
        // A live owner: a process of this test that is not a Job Monitor.
        QProcess liveOwner;
        liveOwner.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(liveOwner.waitForStarted());
        const ProcessIdentity live = *ProcessIdentity::of(liveOwner.processId());
        // Survivors of the dead headless run: one found by its recorded identity, one only by
        // the trace id in its environment, one only by its owner (its attempt was never
        // recorded).
        QProcess shim;
        shim.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(shim.waitForStarted());
        const ProcessIdentity shimIdentity = *ProcessIdentity::of(shim.processId());
        QProcess escapee;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("JOBMONITOR_JOB_ID", "1");
        environment.insert("JOBMONITOR_TRACE_ID", "feedfacecafe");
        escapee.setProcessEnvironment(environment);
        escapee.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(escapee.waitForStarted());
        QProcess unrecorded;
        environment.insert("JOBMONITOR_JOB_ID", "2");
        environment.insert("JOBMONITOR_TRACE_ID", "000000000000");
        environment.insert("JOBMONITOR_OWNER", deadHeadless.tag());
        unrecorded.setProcessEnvironment(environment);
        unrecorded.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(unrecorded.waitForStarted());
        // And one with another owner's tag: not this job's, left alone.
        QProcess foreign;
        environment.insert("JOBMONITOR_OWNER", live.tag());
        foreign.setProcessEnvironment(environment);
        foreign.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(foreign.waitForStarted());

        {
            RawDatabase raw(path);
            const auto run = [&](int id, const ProcessIdentity &who, const char *kind) {
                return QStringLiteral("INSERT INTO runs (id, pid, start_time, boot_id, kind, "
                                      "started_at, last_write_at) VALUES (%1, %2, %3, '%4', '%5', "
                                      "1000, %6);")
                    .arg(id)
                    .arg(who.pid)
                    .arg(who.startTime)
                    .arg(who.bootId, QLatin1String(kind))
                    .arg(1700000000000 + id);
            };
            const auto job = [](int id, int run, const char *state) {
                return QStringLiteral("INSERT INTO jobs (id, run_id, command, termination, state, "
                                      "attempts, created_at) VALUES (%1, %2, 'sleep 60', "
                                      "'TERM,0,CONT,500,KILL', '%3', 1, %1);")
                    .arg(id)
                    .arg(run)
                    .arg(QLatin1String(state));
            };
            QStringList sql{run(100, deadHeadless, "headless"), run(101, deadWindow, "window"),
                            run(102, live, "headless")};
            sql << job(1, 100, "Running") << job(2, 100, "Pending") << job(3, 100, "Retrying")
                << job(4, 100, "Completed") << job(5, 101, "Stopping") << job(6, 101, "Pending")
                << job(7, 102, "Running") << job(8, 102, "Pending");
            sql << QStringLiteral("INSERT INTO attempts (job_id, attempt, trace_id, started_at, "
                                  "boot_id, shim_pid, shim_start_time) VALUES (1, 1, "
                                  "'feedfacecafe', 1, '%1', %2, %3);")
                       .arg(shimIdentity.bootId)
                       .arg(shimIdentity.pid)
                       .arg(shimIdentity.startTime);
            QVERIFY(raw.exec(sql.join('\n')));
        }

        JobStore store(stateDir(), RunKind::Window);
        // Nothing of the dead run's job is alive when it is called Interrupted.
        QVERIFY(!isPidAlive(shim.processId()));
        QVERIFY(!isPidAlive(escapee.processId()));
        QVERIFY(!isPidAlive(unrecorded.processId()));
        QVERIFY(isPidAlive(foreign.processId()));
        for (const qint64 id : {1, 2, 3}) {
            const std::optional<JobRecord> r = store.job(id);
            QVERIFY(r);
            QCOMPARE(r->state, JobState::Interrupted);
            QCOMPARE(r->endedAt.toMSecsSinceEpoch(), 1700000000100);
        }
        QCOMPARE(store.job(4)->state, JobState::Completed);
        QCOMPARE(store.job(5)->state, JobState::Interrupted);
        QCOMPARE(store.job(6)->state, JobState::Pending);
        QCOMPARE(store.queuedFromLastSession().size(), 1);
        QCOMPARE(store.queuedFromLastSession().constFirst().id, 6);
        // The live owner's jobs are its own.
        QCOMPARE(store.job(7)->state, JobState::Running);
        QCOMPARE(store.job(8)->state, JobState::Pending);
        QVERIFY(live.isAlive());

        // Discarded: cancelled in the store, with the reason.
        store.discardQueuedFromLastSession();
        QVERIFY(store.queuedFromLastSession().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(store.job(6)->state, JobState::Cancelled, 10000);
        QVERIFY(store.transitions(6).constLast().transition.reason.contains("discarded"));

        // Once the live owner dies, the next opener recovers its jobs too.
        liveOwner.kill();
        QVERIFY(liveOwner.waitForFinished());
        QCOMPARE(store.recoverDeadOwners(), 2);
        QCOMPARE(store.job(7)->state, JobState::Interrupted);
        QCOMPARE(store.job(8)->state, JobState::Interrupted);
        foreign.kill();
        QVERIFY(foreign.waitForFinished());
    }

    // A dead window's queue comes back whole: Pending and Waiting jobs, in their queues' order
    // (then those that had not joined a queue), with their groups, priorities, start times
    // and dependencies with their kind.
    void keepsTheQueueOfADeadWindow() {
        const QDateTime later = QDateTime::currentDateTime().addSecs(3600);
        qint64 first = 0;
        qint64 second = 0;
        qint64 waiting = 0;
        {
            JobStore store(stateDir(), RunKind::Window);
            QVERIFY2(store.isSaving(), qPrintable(store.status().problem));
            first = store.allocateJobId();
            second = store.allocateJobId();
            waiting = store.allocateJobId();
            JobRecord a = record(first, JobState::Pending, QStringLiteral("make"));
            a.spec.group = QStringLiteral("build");
            a.spec.priority = 5;
            a.queueOrder = 200;
            JobRecord b = record(second, JobState::Pending, QStringLiteral("make docs"));
            b.spec.group = QStringLiteral("build");
            b.queueOrder = 100;
            JobRecord c = record(waiting, JobState::Waiting, QStringLiteral("make install"));
            c.spec.dependencies = {{first, JobDependency::Condition::Success},
                                   {second, JobDependency::Condition::AnyEnd}};
            c.spec.startAt = later;
            c.spec.priority = -3;
            for (const JobRecord &r : {a, b, c, record(store.allocateJobId(), JobState::Completed)})
                store.writeJob(r);
            // Read back as written.
            QVERIFY(store.flush());
            const std::optional<JobRecord> stored = store.job(waiting);
            QVERIFY(stored);
            QCOMPARE(stored->spec.dependencies, c.spec.dependencies);
            QCOMPARE(stored->spec.startAt.toMSecsSinceEpoch(), later.toMSecsSinceEpoch());
            QCOMPARE(stored->spec.priority, -3);
            QCOMPARE(store.job(first)->spec.group, QStringLiteral("build"));
            QCOMPARE(store.job(first)->queueOrder, std::optional<qint64>(200));
        }
        {
            // Its window died.
            const ProcessIdentity dead = deadProcess();
            RawDatabase raw(JobStore::databasePath(stateDir()));
            QVERIFY(raw.exec(QStringLiteral("INSERT INTO runs (id, pid, start_time, boot_id, kind, "
                                            "started_at, last_write_at) VALUES (900, %1, %2, "
                                            "'%3', 'window', 1000, 2000);\nUPDATE jobs SET run_id "
                                            "= 900;")
                                 .arg(dead.pid)
                                 .arg(dead.startTime)
                                 .arg(dead.bootId)));
        }
        JobStore store(stateDir(), RunKind::Window);
        const QList<JobRecord> queued = store.queuedFromLastSession();
        QList<qint64> order;
        for (const JobRecord &r : queued)
            order << r.id;
        QCOMPARE(order, (QList<qint64>{second, first, waiting}));
        QCOMPARE(queued[1].spec.group, QStringLiteral("build"));
        QCOMPARE(queued[1].spec.priority, 5);
        QCOMPARE(queued[2].state, JobState::Waiting);
        QCOMPARE(queued[2].spec.dependencies,
                 (QList<JobDependency>{{first, JobDependency::Condition::Success},
                                       {second, JobDependency::Condition::AnyEnd}}));
        QCOMPARE(queued[2].spec.startAt.toMSecsSinceEpoch(), later.toMSecsSinceEpoch());
    }

    void retention() {
        JobStore store(stateDir(), RunKind::Headless);
        const QDateTime now = QDateTime::currentDateTime();
        const auto makeOutput = [&](qint64 id, qint64 bytes) {
            const QString dir = QStringLiteral("%1/%2/1").arg(store.outputRoot()).arg(id);
            QDir().mkpath(dir);
            QFile out(dir + "/stdout");
            out.open(QIODevice::WriteOnly);
            out.write(QByteArray(bytes, 'o'));
            return dir;
        };
        struct Row {
            JobState state;
            int endedDaysAgo; // -1: not ended
            qint64 outputBytes;
        };
        const QList<Row> rows{
            {JobState::Completed, 100, 1000}, // too old: rows and files go
            {JobState::Running, -1, 1000},    // not final: kept, however old
            {JobState::Failed, 30, 1000},     // oldest of those kept: its output goes
            {JobState::Completed, 20, 1000},  {JobState::Cancelled, 10, 1000},
        };
        QList<qint64> ids;
        for (const Row &row : rows) {
            JobRecord r = record(store.allocateJobId(), row.state);
            r.createdAt = now.addDays(-120);
            if (row.endedDaysAgo >= 0)
                r.endedAt = now.addDays(-row.endedDaysAgo);
            store.writeJob(r);
            AttemptRecord a;
            a.jobId = r.id;
            a.attempt = 1;
            a.traceId = QStringLiteral("t%1").arg(r.id);
            a.startedAt = r.createdAt;
            a.endedAt = r.endedAt.isValid() ? r.endedAt : now;
            a.outcome = QStringLiteral("Exited");
            a.outputDirectory = makeOutput(r.id, row.outputBytes);
            store.writeAttempt(a);
            ids << r.id;
        }
        QVERIFY(store.flush());
        RetentionPolicy policy;
        policy.keepDays = 90;
        policy.maxOutputBytes = 2500;
        store.setRetention(policy);
        store.applyRetentionNow();

        QVERIFY(!store.job(ids[0]));
        QVERIFY(!QFileInfo::exists(QStringLiteral("%1/%2").arg(store.outputRoot()).arg(ids[0])));
        QVERIFY(store.job(ids[1]));
        QVERIFY(QFileInfo::exists(store.attempts(ids[1]).constFirst().outputDirectory));
        // 4000 bytes left, 2500 allowed: the oldest final job's output goes (1000 of the
        // running job's count but cannot go), then the next.
        QVERIFY(store.job(ids[2]));
        QVERIFY(store.attempts(ids[2]).constFirst().outputRemovedAt.isValid());
        QVERIFY(!QFileInfo::exists(store.attempts(ids[2]).constFirst().outputDirectory));
        QVERIFY(store.attempts(ids[3]).constFirst().outputRemovedAt.isValid());
        QVERIFY(!store.attempts(ids[4]).constFirst().outputRemovedAt.isValid());
        QVERIFY(QFileInfo::exists(store.attempts(ids[4]).constFirst().outputDirectory));
    }

    void retentionSettings() {
        const QString file = m_dir->filePath("jobmonitor.conf");
        QCOMPARE(RetentionPolicy::load(file).keepDays, 90);
        QCOMPARE(RetentionPolicy::load(file).maxOutputBytes, qint64(2) << 30);
        RetentionPolicy policy;
        policy.keepDays = 7;
        policy.maxOutputBytes = 12345;
        policy.save(file);
        QCOMPARE(RetentionPolicy::load(file).keepDays, 7);
        QCOMPARE(RetentionPolicy::load(file).maxOutputBytes, 12345);
    }

    void learnsTimingFromSuccessfulRuns() {
        JobStore store(stateDir(), RunKind::Headless);
        const QDateTime start = QDateTime::currentDateTime().addSecs(-100);
        const auto run = [&](const QString &command, qint64 ms, bool ok) {
            JobRecord r =
                record(store.allocateJobId(), ok ? JobState::Completed : JobState::Failed, command);
            r.createdAt = start.addMSecs(r.id);
            store.writeJob(r);
            AttemptRecord a;
            a.jobId = r.id;
            a.attempt = 1;
            a.traceId = QStringLiteral("t");
            a.startedAt = start;
            a.endedAt = start.addMSecs(ms);
            a.outcome = QStringLiteral("Exited");
            a.exitCode = ok ? 0 : 1;
            store.writeAttempt(a);
        };
        run("build", 100, true);
        run("build", 5000, false); // failures teach nothing
        run("build", 200, true);
        run("other", 9000, true);
        QVERIFY(store.flush());
        LearnedTiming timing = store.learnTiming("build", "/tmp");
        QCOMPARE(timing.runs, 2);
        QCOMPARE(timing.timeout, 0ms);
        QVERIFY(!timing.expectedDuration);
        run("build", 300, true);
        QVERIFY(store.flush());
        // Remembered until a run of this process succeeds; this one came from elsewhere.
        QCOMPARE(store.learnTiming("build", "/tmp").runs, 2);
        JobStore other(stateDir(), RunKind::Client);
        timing = other.learnTiming("build", "/tmp");
        QCOMPARE(timing.runs, 3);
        QCOMPARE(timing.expectedDuration, 200ms);
        QCOMPARE(timing.timeout, 240ms);
        QCOMPARE(other.learnTiming("build", "/elsewhere").runs, 0);
    }

    // The engine records into the store as it runs real jobs: ids, attempts with their shim,
    // transitions in order, output under <root>/<id>/<attempt>; removing deletes rows and
    // files.
    void recordsTheEngine() {
        JobStore store(stateDir(), RunKind::Headless);
        JobSupervisor supervisor(JobSupervisor::Config{.maxParallel = 2,
                                                       .outputDirectory = store.outputRoot(),
                                                       .keepTails = false,
                                                       .recorder = &store});
        JobSpec spec;
        spec.command = QStringLiteral("echo out; echo err >&2; exit 4");
        spec.maxAttempts = 2;
        spec.backoff.initial = 10ms;
        spec.environment.insert("FOO", "bar");
        const StartResult started = supervisor.start(spec);
        QVERIFY(started);
        Job *job = started.job;
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, 20000);
        QVERIFY(store.flush());

        const std::optional<JobRecord> saved = store.job(job->id());
        QVERIFY(saved);
        QCOMPARE(saved->state, JobState::Failed);
        QCOMPARE(saved->attempts, 2);
        QCOMPARE(saved->exitCode, 4);
        QCOMPARE(saved->spec.environment.value("FOO"), QStringLiteral("bar"));
        QCOMPARE(saved->traceId, job->traceId());
        const QString jobDir = QStringLiteral("%1/%2").arg(store.outputRoot()).arg(job->id());
        QCOMPARE(saved->outputDirectory, jobDir + "/2");
        const QList<AttemptRecord> attempts = store.attempts(job->id());
        QCOMPARE(attempts.size(), 2);
        for (const AttemptRecord &a : attempts) {
            QCOMPARE(a.outputDirectory, QStringLiteral("%1/%2").arg(jobDir).arg(a.attempt));
            QCOMPARE(a.outcome, QStringLiteral("Exited"));
            QCOMPARE(a.exitCode, 4);
            QVERIFY(a.supervisor);
            QCOMPARE(a.outputBytes, 8 + QFileInfo(a.outputDirectory + "/index").size());
            // The shell ran: its use was measured, however small.
            QVERIFY(a.cpuTimeMs && *a.cpuTimeMs >= 0);
            QVERIFY(a.peakRssBytes && *a.peakRssBytes > 0);
        }
        const QList<TransitionRecord> transitions = store.transitions(job->id());
        QCOMPARE(transitions.size(), job->history().size());
        for (qsizetype i = 0; i < transitions.size(); ++i) {
            QCOMPARE(transitions[i].transition.from, job->history()[i].from);
            QCOMPARE(transitions[i].transition.to, job->history()[i].to);
            QCOMPARE(transitions[i].transition.reason, job->history()[i].reason);
            QCOMPARE(transitions[i].transition.time, job->history()[i].time);
        }

        // While an attempt runs, its shim and its command are recorded by pid and start time,
        // for the recovery after a crash.
        const QString gate = m_dir->filePath("gate");
        JobSpec waiting;
        waiting.command = QStringLiteral("while [ ! -e '%1' ]; do sleep 0.02; done").arg(gate);
        Job *running = supervisor.start(waiting).job;
        QVERIFY(running);
        QTRY_VERIFY_WITH_TIMEOUT(running->processes().commandPid > 0, 20000);
        const AttemptProcesses processes = running->processes();
        QVERIFY(store.flush());
        const AttemptRecord attempt = store.attempts(running->id()).constFirst();
        QVERIFY(attempt.supervisor && attempt.command);
        QCOMPARE(*attempt.supervisor, *ProcessIdentity::of(processes.supervisorPid));
        QCOMPARE(*attempt.command, *ProcessIdentity::of(processes.commandPid));
        QVERIFY(!attempt.endedAt.isValid());
        QFile(gate).open(QIODevice::WriteOnly);
        QTRY_COMPARE_WITH_TIMEOUT(running->state(), JobState::Completed, 20000);

        const qint64 id = job->id();
        QVERIFY(supervisor.remove(id));
        QVERIFY(store.flush());
        QVERIFY(!store.job(id));
        QVERIFY(store.attempts(id).isEmpty());
        QVERIFY(store.transitions(id).isEmpty());
        QVERIFY(!QFileInfo::exists(jobDir));
        QVERIFY(runTask(supervisor.shutdown(), 10s));
    }
};

QTEST_GUILESS_MAIN(TestJobStore)
#include "tst_jobstore.moc"
