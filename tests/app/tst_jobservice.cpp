// The JobService's rules for every front end: which new jobs are refused and with what
// message (unknown groups and dependencies, cycles, start times not ahead), groups made,
// changed, kept in the settings file and deleted (not while they have jobs to run), and the
// queue's order. Real jobs, and after each test no process of any of them is alive.
#include "job.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "localexecutor.h"
#include "logging.h"
#include "settingsfile.h"
#include "testutil.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

constexpr int StateTimeoutMs = 20000;

JobSpec spec(const QString &command, const QString &group = {}) {
    JobSpec s;
    s.command = command;
    s.group = group;
    return s;
}

GroupSettings group(const QString &name, int maxParallel) {
    GroupSettings settings;
    settings.name = name;
    settings.maxParallel = maxParallel;
    return settings;
}

} // namespace

class TestJobService : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    std::unique_ptr<JobService> m_service;

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        QVERIFY(m_dir.isValid());
    }

    void init() {
        setSettingsFile(
            m_dir.filePath(QStringLiteral("settings-%1.conf")
                               .arg(QString::fromLatin1(QTest::currentTestFunction()))));
        m_supervisor = std::make_unique<JobSupervisor>(JobSupervisor::Config{4, {}});
        m_service = std::make_unique<JobService>(m_supervisor.get());
    }

    void cleanup() {
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(m_supervisor->processesAlive(), 0);
        QCOMPARE(LocalExecutor::liveShims(), 0);
        m_service.reset();
        m_supervisor.reset();
        setSettingsFile(QString());
    }

    void refusedJobs_data() {
        QTest::addColumn<QString>("group");
        QTest::addColumn<qint64>("dependency");
        QTest::addColumn<int>("startInMs");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown group")
            << "nope" << qint64(0) << 0 << "there is no group 'nope' (there are: default, build)";
        QTest::newRow("unknown dependency")
            << QString() << qint64(42) << 0 << "the job waits for job #42, which does not exist";
        QTest::newRow("start time not ahead")
            << QString() << qint64(0) << -1 << "the start time %1 is not in the future";
        QTest::newRow("bad group name") << "x y" << qint64(0) << 0
                                        << "group name 'x y' may hold only letters, digits, '.', "
                                           "'_' and '-', and starts with a letter or a digit";
    }
    void refusedJobs() {
        QFETCH(QString, group);
        QFETCH(qint64, dependency);
        QFETCH(int, startInMs);
        QFETCH(QString, error);
        QCOMPARE(m_service->saveGroup(::group(QStringLiteral("build"), 1)), QString());
        JobSpec s = spec(QStringLiteral("true"), group);
        if (dependency)
            s.dependencies = {{dependency, JobDependency::Condition::Success}};
        if (startInMs) {
            s.startAt = QDateTime::currentDateTime().addMSecs(startInMs);
            error = error.arg(startTimeText(s.startAt, QDateTime::currentDateTime()));
        }
        const JobService::AddResult added = m_service->add(s);
        QVERIFY(!added);
        QCOMPARE(added.error, error);
        QCOMPARE(m_service->jobs().size(), 0);
    }

    // A batch is all or nothing, and names the job that is wrong.
    void refusedBatches() {
        using C = JobDependency::Condition;
        const JobService::BatchResult cycle =
            m_service->addBatch({{spec(QStringLiteral("a")), {{2, C::Success}}},
                                 {spec(QStringLiteral("b")), {}},
                                 {spec(QStringLiteral("c")), {{0, C::AnyEnd}}}});
        QVERIFY(!cycle);
        QCOMPARE(cycle.error, QStringLiteral("job 1 waits for job 3, which waits for job 1: the "
                                             "jobs would wait for each other forever"));
        const JobService::BatchResult badGroup =
            m_service->addBatch({{spec(QStringLiteral("a")), {}},
                                 {spec(QStringLiteral("b"), QStringLiteral("x")), {}}});
        QCOMPARE(badGroup.error,
                 QStringLiteral("job 2: there is no group 'x' (there are: default)"));
        QCOMPARE(m_service->jobs().size(), 0);

        const JobService::BatchResult fine =
            m_service->addBatch({{spec(QStringLiteral("exit 0")), {}},
                                 {spec(QStringLiteral("exit 0")), {{0, C::Success}}}});
        QVERIFY2(fine, qPrintable(fine.error));
        QCOMPARE(fine.ids.size(), 2);
        // An existing job can be waited for; it then has an id of its own.
        JobSpec later = spec(QStringLiteral("exit 0"));
        later.dependencies = {{fine.ids[1], C::Success}};
        const JobService::AddResult added = m_service->add(later);
        QVERIFY2(added, qPrintable(added.error));
        QTRY_COMPARE_WITH_TIMEOUT(m_service->job(added.id)->state(), JobState::Completed,
                                  StateTimeoutMs);
    }

    void groupsAreMadeChangedAndDeleted() {
        QSignalSpy changed(m_service.get(), &JobService::groupsChanged);
        QCOMPARE(m_service->saveGroup(group(QStringLiteral("build"), 2)), QString());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(
            m_service->saveGroup(group(QStringLiteral("build"), -1)),
            QStringLiteral("a group runs 0 (no limit of its own) to 1024 jobs at once, not -1"));
        QCOMPARE(m_service->group(QStringLiteral("build"))->settings.maxParallel, 2);
        QCOMPARE(m_service->saveGroup(group(QStringLiteral("build"), 3)), QString());
        QCOMPARE(m_service->group(QStringLiteral("build"))->settings.maxParallel, 3);

        QCOMPARE(m_service->removeGroup(QStringLiteral("default")),
                 QStringLiteral("the default group cannot be deleted"));
        QCOMPARE(m_service->removeGroup(QStringLiteral("nope")),
                 QStringLiteral("there is no group 'nope'"));

        // Not while a job of it has not ended, queued, waiting or running.
        const qint64 sleeper =
            m_service->add(spec(QStringLiteral("sleep 60"), QStringLiteral("build"))).id;
        JobSpec waiting = spec(QStringLiteral("true"), QStringLiteral("build"));
        waiting.startAt = QDateTime::currentDateTime().addSecs(3600);
        QVERIFY(m_service->add(waiting));
        QCOMPARE(m_service->group(QStringLiteral("build"))->activeCount(), 2);
        QCOMPARE(m_service->removeGroup(QStringLiteral("build")),
                 QStringLiteral("group 'build' has 2 job(s) that have not ended: cancel them or "
                                "wait for them to end first"));
        for (Job *job : m_service->jobs())
            QVERIFY(m_service->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(m_service->activeCount(), 0, StateTimeoutMs);
        QCOMPARE(m_service->group(QStringLiteral("build"))->count(JobState::Cancelled), 2);
        QCOMPARE(m_service->removeGroup(QStringLiteral("build")), QString());
        QVERIFY(!m_service->group(QStringLiteral("build")));
        // Its ended jobs keep its name, and cannot run again without it.
        QCOMPARE(m_service->job(sleeper)->spec().group, QStringLiteral("build"));
        QVERIFY(!m_service->retry(sleeper));
        QCOMPARE(m_service->groups().size(), 1);
    }

    // Groups made or changed are kept in the settings file when the service keeps them;
    // groups for this run only are not; a deleted group leaves the file too.
    void groupsAreKeptInSettings() {
        m_service->setKeepsGroups(true);
        GroupSettings net = group(QStringLiteral("net"), 0);
        net.rate = {5, 60s, 2};
        net.pauseOnFailure = true;
        QCOMPARE(m_service->saveGroup(net), QString());
        QCOMPARE(m_service->saveGroup(group(QStringLiteral("default"), 6)), QString());
        QCOMPARE(m_service->setGroupForThisRun(group(QStringLiteral("adhoc"), 1)), QString());
        {
            QSettings settings(settingsFile(), QSettings::IniFormat);
            QCOMPARE(loadGroups(settings),
                     (QList<GroupSettings>{group(QStringLiteral("default"), 6), net}));
        }
        QCOMPARE(m_service->removeGroup(QStringLiteral("net")), QString());
        {
            QSettings settings(settingsFile(), QSettings::IniFormat);
            QCOMPARE(loadGroups(settings),
                     QList<GroupSettings>{group(QStringLiteral("default"), 6)});
        }
        // Loaded by another service, as the next start of the window does.
        JobSupervisor supervisor(JobSupervisor::Config{4, {}});
        JobService next(&supervisor);
        QSettings settings(settingsFile(), QSettings::IniFormat);
        next.loadGroups(loadGroups(settings));
        QCOMPARE(next.group(QStringLiteral("default"))->settings.maxParallel, 6);
        QVERIFY(!next.group(QStringLiteral("adhoc")));
    }

    // A group's pause is in the settings file as soon as it is paused (a crash loses none),
    // however it came (the user, pause on failure), with its reason; resuming or deleting the
    // group takes it out. The next start pauses the groups again before any of their jobs
    // starts, and leaves out a paused group that no longer exists (one for a run only).
    void pausedGroupsAreKeptInSettings() {
        const auto saved = [] {
            QSettings settings(settingsFile(), QSettings::IniFormat);
            return loadGroupPauses(settings);
        };
        const QString byUser = QStringLiteral("paused by user");
        m_service->setKeepsGroups(true);
        GroupSettings ci = group(QStringLiteral("ci"), 0);
        ci.pauseOnFailure = true;
        QCOMPARE(m_service->saveGroup(ci), QString());
        QCOMPARE(m_service->saveGroup(group(QStringLiteral("net"), 0)), QString());
        QCOMPARE(m_service->setGroupForThisRun(group(QStringLiteral("adhoc"), 1)), QString());
        QCOMPARE(m_service->pauseGroup(QStringLiteral("net"), false), QString());
        QCOMPARE(m_service->pauseGroup(QStringLiteral("default"), false), QString());
        QCOMPARE(m_service->pauseGroup(QStringLiteral("adhoc"), false), QString());
        QCOMPARE(saved(), (QMap<QString, QString>{{QStringLiteral("adhoc"), byUser},
                                                  {QStringLiteral("default"), byUser},
                                                  {QStringLiteral("net"), byUser}}));
        QCOMPARE(m_service->resumeGroup(QStringLiteral("default")), QString());
        const qint64 failed =
            m_service->add(spec(QStringLiteral("false"), QStringLiteral("ci"))).id;
        QTRY_COMPARE_WITH_TIMEOUT(m_service->job(failed)->state(), JobState::Failed,
                                  StateTimeoutMs);
        const QString afterFailure = QStringLiteral("paused after job #%1 failed").arg(failed);
        QCOMPARE(saved(), (QMap<QString, QString>{{QStringLiteral("adhoc"), byUser},
                                                  {QStringLiteral("ci"), afterFailure},
                                                  {QStringLiteral("net"), byUser}}));

        // The next start of the window, as AppRuntime does it.
        JobSupervisor supervisor(JobSupervisor::Config{4, {}});
        JobService next(&supervisor);
        {
            QSettings settings(settingsFile(), QSettings::IniFormat);
            next.loadGroups(loadGroups(settings));
            next.setKeepsGroups(true);
            next.loadGroupPauses(loadGroupPauses(settings));
        }
        QVERIFY(next.group(QStringLiteral("net"))->paused);
        QCOMPARE(next.group(QStringLiteral("net"))->pauseReason, byUser);
        QCOMPARE(next.group(QStringLiteral("ci"))->pauseReason, afterFailure);
        QVERIFY(!next.group(QStringLiteral("default"))->paused);
        QVERIFY(!next.group(QStringLiteral("adhoc")));
        QCOMPARE(saved(), (QMap<QString, QString>{{QStringLiteral("ci"), afterFailure},
                                                  {QStringLiteral("net"), byUser}}));
        const qint64 queued = next.add(spec(QStringLiteral("true"), QStringLiteral("net"))).id;
        QTest::qWait(100);
        QCOMPARE(next.job(queued)->state(), JobState::Pending);
        QCOMPARE(next.queue(QStringLiteral("net")), QList<qint64>{queued});
        QCOMPARE(next.resumeGroup(QStringLiteral("net")), QString());
        QCOMPARE(saved(), (QMap<QString, QString>{{QStringLiteral("ci"), afterFailure}}));
        QTRY_COMPARE_WITH_TIMEOUT(next.job(queued)->state(), JobState::Completed, StateTimeoutMs);
        QCOMPARE(next.removeGroup(QStringLiteral("ci")), QString());
        QCOMPARE(saved(), (QMap<QString, QString>{}));
        QVERIFY(runTask(supervisor.shutdown(), 60s));
    }

    void pausingGroups() {
        QCOMPARE(m_service->pauseGroup(QStringLiteral("nope"), false),
                 QStringLiteral("there is no group 'nope'"));
        QCOMPARE(m_service->resumeGroup(QStringLiteral("nope")),
                 QStringLiteral("there is no group 'nope'"));
        QSignalSpy changed(m_service.get(), &JobService::groupsChanged);
        QCOMPARE(m_service->pauseGroup(QStringLiteral("default"), false), QString());
        QVERIFY(m_service->group(QStringLiteral("default"))->paused);
        QCOMPARE(m_service->group(QStringLiteral("default"))->pauseReason,
                 QStringLiteral("paused by user"));
        const qint64 id = m_service->add(spec(QStringLiteral("true"))).id;
        QTest::qWait(100);
        QCOMPARE(m_service->job(id)->state(), JobState::Pending);
        QCOMPARE(m_service->queue(QStringLiteral("default")), QList<qint64>{id});
        QVERIFY(m_service->queueKey(id));
        QCOMPARE(m_service->resumeGroup(QStringLiteral("default")), QString());
        QTRY_COMPARE_WITH_TIMEOUT(m_service->job(id)->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(!m_service->queueKey(id));
        QCOMPARE(changed.count(), 2);
    }

    void priorities() {
        m_service->setMaxParallel(1);
        const qint64 blocker = m_service->add(spec(QStringLiteral("sleep 60"))).id;
        const qint64 a = m_service->add(spec(QStringLiteral("true"))).id;
        const qint64 b = m_service->add(spec(QStringLiteral("true"))).id;
        QTRY_COMPARE_WITH_TIMEOUT(m_service->job(blocker)->state(), JobState::Running,
                                  StateTimeoutMs);
        QCOMPARE(m_service->queue(QString()), (QList<qint64>{a, b}));
        QVERIFY(!m_service->setPriority(b, 1001));
        QVERIFY(!m_service->setPriority(99, 1));
        QVERIFY(m_service->setPriority(b, 1000));
        QCOMPARE(m_service->job(b)->priority(), 1000);
        QCOMPARE(m_service->queue(QString()), (QList<qint64>{b, a}));
        QVERIFY(m_service->moveUp(a));
        QCOMPARE(m_service->queue(QString()), (QList<qint64>{a, b}));
        QVERIFY(m_service->moveDown(a));
        QVERIFY(m_service->moveToFront(a));
        QVERIFY(!m_service->moveToFront(a));
        QVERIFY(!m_service->moveUp(blocker));
        QCOMPARE(m_service->queue(QString()), (QList<qint64>{a, b}));
        QVERIFY(m_service->cancel(blocker));
    }
};

QTEST_GUILESS_MAIN(TestJobService)
#include "tst_jobservice.moc"
