// The JobService over a real store and real jobs: transitions reach front ends only once
// stored, history pages newest first with live jobs as they are now, counts, removing stored
// jobs, a directory and a learned timeout given to every job added, and a crashed window's
// queue coming back with its groups, dependencies and order.
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

struct Service {
    explicit Service(const QString &stateDir, RunKind kind = RunKind::Headless)
        : store(stateDir, kind) {}
    JobStore store;
    JobSupervisor supervisor{JobSupervisor::Config{.maxParallel = 4,
                                                   .outputDirectory = store.outputRoot(),
                                                   .keepTails = false,
                                                   .recorder = &store}};
    JobService service{&supervisor, &store};

    ~Service() { test::runTask(supervisor.shutdown(), 20s); }

    qint64 run(const QString &command) {
        JobSpec spec;
        spec.command = command;
        const JobService::AddResult added = service.add(spec);
        return added.id;
    }
    QList<JobRecord> history(const JobQuery &query) {
        std::optional<QList<JobRecord>> result;
        service.history(query, &service, [&](QList<JobRecord> records) { result = records; });
        QDeadlineTimer limit(10s);
        while (!result && !limit.hasExpired())
            QTest::qWait(5);
        return result.value_or(QList<JobRecord>());
    }
};

// The store of a live window as it is at this moment, copied to crashedDir as the store of a
// window that died (on another boot, so it cannot be alive): the next window there finds its
// queue.
bool copyAsCrashed(const QString &liveDir, const QString &crashedDir) {
    bool copied = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "copy");
        db.setDatabaseName(JobStore::databasePath(liveDir));
        QSqlQuery q(db);
        copied = db.open() && QDir().mkpath(crashedDir) &&
                 q.exec(QStringLiteral("VACUUM INTO '%1'").arg(JobStore::databasePath(crashedDir)));
        if (!copied)
            qWarning() << "copying the store:" << q.lastError().text();
    }
    QSqlDatabase::removeDatabase("copy");
    if (!copied)
        return false;
    bool dead = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "dead");
        db.setDatabaseName(JobStore::databasePath(crashedDir));
        QSqlQuery q(db);
        dead = db.open() &&
               q.exec(QStringLiteral("UPDATE runs SET boot_id = 'another-boot', ended_at = NULL"));
    }
    QSqlDatabase::removeDatabase("dead");
    return dead;
}

} // namespace

class TestJobServiceHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::err); }

    // Durable before visible: when transitionRecorded comes, the store has committed it.
    void transitionsAreShownOnlyOnceStored() {
        QTemporaryDir dir;
        Service s(dir.path());
        // The store's last write when each transition happened, in order.
        QList<quint64> writtenAt;
        connect(&s.supervisor, &JobSupervisor::jobTransitioned, this,
                [&] { writtenAt << s.store.lastSequence(); });
        int shown = 0;
        int shownEarly = 0;
        connect(&s.service, &JobService::transitionRecorded, this, [&](Job *, const Transition &) {
            if (s.store.committedSequence() < writtenAt.value(shown))
                ++shownEarly;
            ++shown;
        });
        for (int i = 0; i < 20; ++i)
            QVERIFY(s.run(QStringLiteral("true")) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(shown, 40, 30000); // Pending -> Running -> Completed each
        QCOMPARE(writtenAt.size(), 40);
        QCOMPARE(shownEarly, 0);
    }

    void historyPagesNewestFirstWithLiveJobs() {
        QTemporaryDir dir;
        Service s(dir.path());
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids << s.run(QStringLiteral("echo %1").arg(i));
        const QString gate = dir.filePath("gate");
        const qint64 running =
            s.run(QStringLiteral("while [ ! -e '%1' ]; do sleep 0.02; done").arg(gate));
        QTRY_COMPARE_WITH_TIMEOUT(s.service.job(running)->state(), JobState::Running, 20000);
        for (const qint64 id : std::as_const(ids))
            QTRY_COMPARE_WITH_TIMEOUT(s.service.job(id)->state(), JobState::Completed, 20000);
        QVERIFY(s.store.flush());

        JobQuery query;
        query.limit = 4;
        const QList<JobRecord> first = s.history(query);
        QCOMPARE(first.size(), 4);
        QCOMPARE(first.constFirst().id, running);
        QCOMPARE(first.constFirst().state, JobState::Running);
        QVERIFY(first.constFirst().live);
        query.after = JobQuery::cursorOf(first.constLast());
        const QList<JobRecord> second = s.history(query);
        QCOMPARE(second.size(), 2);
        QCOMPARE(second.constLast().id, ids.constFirst());
        std::optional<int> count;
        s.service.historyCount({}, this, [&](int n) { count = n; });
        QTRY_COMPARE(count, 6);

        // list() and get(): this process's jobs, at once.
        QCOMPARE(s.service.list().size(), 6);
        QCOMPARE(s.service.get(running)->state, JobState::Running);
        QVERIFY(!s.service.get(123456));
        // Every job was given the folder it ran in.
        QCOMPARE(s.service.get(ids.constFirst())->spec.workingDirectory, QDir::currentPath());
        QFile(gate).open(QIODevice::WriteOnly);
        QTRY_COMPARE_WITH_TIMEOUT(s.service.job(running)->state(), JobState::Completed, 20000);
    }

    // A stored job of an earlier run can be removed (records and files); one that has not
    // ended cannot.
    void removesStoredJobs() {
        QTemporaryDir dir;
        qint64 ended = 0, unfinished = 0;
        QString endedOutput;
        {
            Service earlier(dir.path());
            ended = earlier.run(QStringLiteral("echo earlier"));
            QTRY_COMPARE_WITH_TIMEOUT(earlier.service.job(ended)->state(), JobState::Completed,
                                      20000);
            endedOutput = earlier.service.job(ended)->outputDirectory(1);
        }
        QVERIFY(QFileInfo::exists(endedOutput));
        Service s(dir.path());
        {
            // A job of a live process that is still running.
            JobRecord record;
            record.id = s.store.allocateJobId();
            record.spec.command = QStringLiteral("sleep 1000");
            record.state = JobState::Running;
            record.createdAt = QDateTime::currentDateTime();
            s.store.writeJob(record);
            unfinished = record.id;
        }
        QVERIFY(!s.service.job(ended));
        QVERIFY(s.service.remove(ended));
        QVERIFY(s.service.remove(unfinished));
        QVERIFY(s.store.flush());
        QVERIFY(!s.store.job(ended));
        QVERIFY(!QFileInfo::exists(endedOutput));
        QVERIFY(s.store.job(unfinished));
    }

    // A window dies with a queue: a paused group's jobs in an order of the user's making, a job
    // waiting for one of them, and one waiting for a job that had completed. The next window
    // runs them under their ids, in their groups, in that order, still waiting for what they
    // waited for.
    void aCrashedWindowsQueueComesBack() {
        QTemporaryDir dir;
        const QString crashed = dir.filePath(QStringLiteral("crashed"));
        qint64 done = 0, first = 0, second = 0, dependent = 0, afterDone = 0;
        {
            Service s(dir.filePath(QStringLiteral("live")), RunKind::Window);
            done = s.run(QStringLiteral("true"));
            QTRY_COMPARE_WITH_TIMEOUT(s.service.job(done)->state(), JobState::Completed, 20000);
            QVERIFY(
                s.service.setGroupForThisRun({QStringLiteral("build"), 1, {}, false}).isEmpty());
            QVERIFY(s.service.pauseGroup(QStringLiteral("build"), false).isEmpty());
            JobSpec spec;
            spec.command = QStringLiteral("true");
            spec.group = QStringLiteral("build");
            first = s.service.add(spec).id;
            second = s.service.add(spec).id;
            JobSpec waiting = spec;
            waiting.dependencies = {{first, JobDependency::Condition::AnyEnd}};
            dependent = s.service.add(waiting).id;
            JobSpec late = spec;
            late.dependencies = {{done, JobDependency::Condition::Success}};
            late.priority = -1;
            afterDone = s.service.add(late).id;
            QTRY_COMPARE(s.service.job(dependent)->state(), JobState::Waiting);
            QTRY_COMPARE(s.service.queue(QStringLiteral("build")).size(), 3);
            QVERIFY(s.service.moveToFront(second));
            QCOMPARE(s.service.queue(QStringLiteral("build")),
                     (QList<qint64>{second, first, afterDone}));
            QVERIFY(s.store.flush());
            QVERIFY(copyAsCrashed(dir.filePath(QStringLiteral("live")), crashed));
        }
        Service s(crashed, RunKind::Window);
        QCOMPARE(s.service.queuedFromLastSession().size(), 4);
        QVERIFY(s.service.setGroupForThisRun({QStringLiteral("build"), 1, {}, false}).isEmpty());
        QVERIFY(s.service.pauseGroup(QStringLiteral("build"), false).isEmpty());
        QCOMPARE(s.service.startQueuedFromLastSession(), 4);
        QTRY_COMPARE(s.service.queue(QStringLiteral("build")),
                     (QList<qint64>{second, first, afterDone}));
        QCOMPARE(s.service.job(dependent)->state(), JobState::Waiting);
        QCOMPARE(s.service.job(dependent)->spec().dependencies,
                 (QList<JobDependency>{{first, JobDependency::Condition::AnyEnd}}));
        QCOMPARE(s.service.job(afterDone)->spec().groupName(), QStringLiteral("build"));
        QCOMPARE(s.service.job(afterDone)->priority(), -1);
        QVERIFY(s.service.resumeGroup(QStringLiteral("build")).isEmpty());
        for (const qint64 id : {first, second, dependent, afterDone})
            QTRY_COMPARE_WITH_TIMEOUT(s.service.job(id)->state(), JobState::Completed, 20000);
        // In the order of the queue: the moved job first, the dependent after its dependency.
        QVERIFY(s.service.job(second)->startedAt() <= s.service.job(first)->startedAt());
        QVERIFY(s.service.job(first)->endedAt() <= s.service.job(dependent)->startedAt());
    }

    // Jobs moved ahead of jobs of a higher priority (one to the front, one up) are still ahead
    // of them when a crashed window's queue comes back, and every job starts in the order the
    // queue had: whether the group is paused while the jobs come back or they start at once.
    void movesAheadOfHigherPrioritiesComeBack_data() {
        QTest::addColumn<bool>("pausedWhileRestored");
        QTest::newRow("paused") << true;
        QTest::newRow("starting at once") << false;
    }
    void movesAheadOfHigherPrioritiesComeBack() {
        QFETCH(bool, pausedWhileRestored);
        QTemporaryDir dir;
        const QString crashed = dir.filePath(QStringLiteral("crashed"));
        const QString build = QStringLiteral("build");
        qint64 a = 0, b = 0, c = 0, d = 0;
        {
            Service s(dir.filePath(QStringLiteral("live")), RunKind::Window);
            QVERIFY(s.service.setGroupForThisRun({build, 1, {}, false}).isEmpty());
            QVERIFY(s.service.pauseGroup(build, false).isEmpty());
            JobSpec spec;
            spec.command = QStringLiteral("true");
            spec.group = build;
            spec.priority = 5;
            a = s.service.add(spec).id;
            spec.priority = 0;
            b = s.service.add(spec).id;
            c = s.service.add(spec).id;
            spec.priority = 5;
            d = s.service.add(spec).id;
            QTRY_COMPARE(s.service.queue(build), (QList<qint64>{a, d, b, c}));
            QVERIFY(s.service.moveToFront(b));
            QVERIFY(s.service.moveUp(c));
            QCOMPARE(s.service.queue(build), (QList<qint64>{b, a, c, d}));
            QVERIFY(s.store.flush());
            QVERIFY(copyAsCrashed(dir.filePath(QStringLiteral("live")), crashed));
        }

        Service s(crashed, RunKind::Window);
        QCOMPARE(s.service.queuedFromLastSession().size(), 4);
        QVERIFY(s.service.setGroupForThisRun({build, 1, {}, false}).isEmpty());
        if (pausedWhileRestored)
            QVERIFY(s.service.pauseGroup(build, false).isEmpty());
        QList<qint64> started;
        connect(&s.supervisor, &JobSupervisor::jobTransitioned, this,
                [&](Job *job, const Transition &t) {
                    if (t.to == JobState::Running)
                        started << job->id();
                });
        QCOMPARE(s.service.startQueuedFromLastSession(), 4);
        if (pausedWhileRestored) {
            QTRY_COMPARE(s.service.queue(build), (QList<qint64>{b, a, c, d}));
            QVERIFY(s.service.resumeGroup(build).isEmpty());
        }
        for (const qint64 id : {a, b, c, d})
            QTRY_COMPARE_WITH_TIMEOUT(s.service.job(id)->state(), JobState::Completed, 20000);
        QCOMPARE(started, (QList<qint64>{b, a, c, d}));
        QCOMPARE(s.service.job(a)->priority(), 5);
        QCOMPARE(s.service.job(b)->priority(), 0);
    }

    // --timeout auto: learned when the job is added, from the runs before it.
    void learnsTheTimeoutWhenAdded() {
        QTemporaryDir dir;
        Service s(dir.path());
        JobSpec spec;
        spec.command = QStringLiteral("sleep 0.05");
        spec.timeoutAuto = true;
        for (int i = 0; i < 4; ++i) {
            const qint64 id = s.service.add(spec).id;
            // The fourth run gets 1.2 × the mean of the three before it, which a loaded machine
            // may well exceed: it only has to end, the timeout it was given is what counts.
            if (i < 3)
                QTRY_COMPARE_WITH_TIMEOUT(s.service.job(id)->state(), JobState::Completed, 20000);
            else
                QTRY_VERIFY_WITH_TIMEOUT(isFinal(s.service.job(id)->state()), 20000);
            QVERIFY(s.store.flush());
            const JobRecord record = *s.service.get(id);
            if (i < 3) {
                QCOMPARE(record.spec.timeout, 0ms);
                QVERIFY(record.timeoutNote.contains(QStringLiteral("%1 successful run").arg(i)));
            } else {
                QVERIFY(record.spec.timeout >= 60ms); // 1.2 × at least 50 ms
                QVERIFY(record.timing.expectedDuration);
                QCOMPARE(record.timing.runs, 3);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestJobServiceHistory)
#include "tst_jobservicehistory.moc"
