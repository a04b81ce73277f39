// The queue end to end inside one process, with real jobs (the helper child behind the real
// shim): dependencies (chains, diamonds, failures passed on), groups' limits under a burst
// checked at every transition, pausing and resuming whole process trees, paused time not
// counted by the timeout, delayed starts, priorities and moves, a group paused by a failure.
// After every test no process of any job is alive.

#include "dependencies.h"
#include "jobsupervisor.h"
#include "localexecutor.h"
#include "logging.h"
#include "scheduler.h"
#include "testutil.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

constexpr auto StateTimeout = 20s;
constexpr int StateTimeoutMs = 20000;

QList<JobState> statesOf(const Job *job) {
    QList<JobState> states;
    if (!job->history().isEmpty())
        states << job->history().first().from;
    for (const Transition &t : job->history())
        states << t.to;
    return states;
}

// When the job's first transition to a state happened; invalid if it never did.
QDateTime timeOf(const Job *job, JobState state) {
    for (const Transition &t : job->history())
        if (t.to == state)
            return t.time;
    return {};
}

GroupSettings group(const QString &name, int maxParallel, StartRate rate = {}) {
    GroupSettings settings;
    settings.name = name;
    settings.maxParallel = maxParallel;
    settings.rate = rate;
    return settings;
}

JobDependency after(const Job *job, bool anyEnd = false) {
    return {job->id(),
            anyEnd ? JobDependency::Condition::AnyEnd : JobDependency::Condition::Success};
}

} // namespace

class TestQueue : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    QList<QString> m_pidFiles;
    int m_files = 0;
    // Every transition of every job, in the order they happened.
    QList<std::pair<qint64, Transition>> m_transitions;

    QString newFile(const QString &stem) {
        return m_dir.filePath(QStringLiteral("%1-%2").arg(stem).arg(++m_files));
    }

    JobSpec childJob(QStringList arguments, milliseconds grace = 500ms) {
        const QString pidFile = newFile(QStringLiteral("pids"));
        m_pidFiles << pidFile;
        arguments.prepend(pidFile);
        arguments.prepend(QStringLiteral("--pidfile"));
        JobSpec spec;
        spec.command = testChildCommand(arguments);
        spec.termination = TerminationSequence::standard(grace);
        return spec;
    }

    Job *start(JobSpec spec) {
        const StartResult result = m_supervisor->start(std::move(spec));
        if (!result)
            qWarning() << "start failed:" << result.error;
        return result.job;
    }

    QList<qint64> allPids() const {
        QList<qint64> pids;
        for (const QString &file : m_pidFiles)
            pids << readPidFile(file).values();
        return pids;
    }

    // The order jobs reached a state in.
    QList<qint64> orderReaching(JobState state) const {
        QList<qint64> ids;
        for (const auto &[id, t] : m_transitions)
            if (t.to == state)
                ids << id;
        return ids;
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        installProcessWarningCounter();
        QVERIFY(m_dir.isValid());
    }

    void init() {
        m_pidFiles.clear();
        m_transitions.clear();
        m_supervisor = std::make_unique<JobSupervisor>(
            JobSupervisor::Config{8, m_dir.filePath(QStringLiteral("logs"))});
        connect(m_supervisor.get(), &JobSupervisor::jobAdded, this, [this](Job *job) {
            connect(job, &Job::transitioned, this, [this, id = job->id()](const Transition &t) {
                m_transitions.append({id, t});
            });
        });
    }

    void cleanup() {
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(m_supervisor->activeCount(), 0);
        QCOMPARE(m_supervisor->coroutinesAlive(), 0);
        QCOMPARE(LocalExecutor::liveShims(), 0);
        QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>());
        QCOMPARE(destroyedWhileRunningWarnings(), 0);
        m_supervisor.reset();
    }

    // A chain a -> b -> c: each starts only once the one before has completed, and says
    // what it waits for until then.
    void chainRunsInOrder() {
        Job *a = start(childJob({"--sleep", "200"}));
        JobSpec second = childJob({"--sleep", "100"});
        second.dependencies = {after(a)};
        Job *b = start(second);
        JobSpec third = childJob({});
        third.dependencies = {after(b)};
        Job *c = start(third);
        QCOMPARE(b->state(), JobState::Waiting);
        QCOMPARE(b->waitingFor(), QStringLiteral("waiting for #%1").arg(a->id()));
        QCOMPARE(b->history().constFirst().reason, b->waitingFor());
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Completed, StateTimeoutMs);
        for (Job *job : {a, b, c})
            QCOMPARE(job->state(), JobState::Completed);
        QCOMPARE(statesOf(c),
                 (QList<JobState>{JobState::Pending, JobState::Waiting, JobState::Pending,
                                  JobState::Running, JobState::Completed}));
        QCOMPARE(c->history().at(1).reason, QStringLiteral("dependencies done"));
        // Each started after the one before it had ended.
        QVERIFY(timeOf(b, JobState::Running) >= timeOf(a, JobState::Completed));
        QVERIFY(timeOf(c, JobState::Running) >= timeOf(b, JobState::Completed));
        QCOMPARE(orderReaching(JobState::Running), (QList<qint64>{a->id(), b->id(), c->id()}));
        QCOMPARE(m_supervisor->dependencies().waiters(), 0);
    }

    // A diamond: b and c wait for a and run side by side; d waits for both.
    void diamond() {
        Job *a = start(childJob({"--sleep", "100"}));
        JobSpec left = childJob({"--sleep", "300"});
        left.dependencies = {after(a)};
        Job *b = start(left);
        JobSpec right = childJob({"--sleep", "100"});
        right.dependencies = {after(a)};
        Job *c = start(right);
        JobSpec bottom = childJob({});
        bottom.dependencies = {after(b), after(c)};
        Job *d = start(bottom);
        QCOMPARE(d->waitingFor(), QStringLiteral("waiting for #%1, #%2").arg(b->id()).arg(c->id()));
        QTRY_COMPARE_WITH_TIMEOUT(d->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(timeOf(b, JobState::Running) >= timeOf(a, JobState::Completed));
        QVERIFY(timeOf(c, JobState::Running) >= timeOf(a, JobState::Completed));
        QVERIFY(timeOf(d, JobState::Running) >= timeOf(b, JobState::Completed));
        QVERIFY(timeOf(d, JobState::Running) >= timeOf(c, JobState::Completed));
        const QList<qint64> started = orderReaching(JobState::Running);
        QCOMPARE(started.first(), a->id());
        QCOMPARE(started.last(), d->id());
    }

    // A failure is passed down the chain as Cancelled, each naming the job it needed; a job
    // that waits for the end whatever the outcome runs.
    void failurePropagates() {
        Job *a = start(childJob({"--exit", "3"}));
        JobSpec second = childJob({"--sleep", "-1"});
        second.dependencies = {after(a)};
        Job *b = start(second);
        JobSpec third = childJob({"--sleep", "-1"});
        third.dependencies = {after(b)};
        Job *c = start(third);
        JobSpec cleanup = childJob({});
        cleanup.dependencies = {after(a, true)};
        Job *d = start(cleanup);
        QCOMPARE(d->waitingFor(), QStringLiteral("waiting for #%1 to end").arg(a->id()));
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(a->state(), JobState::Failed);
        QCOMPARE(b->state(), JobState::Cancelled);
        QCOMPARE(b->history().last().reason, QStringLiteral("dependency #%1 failed").arg(a->id()));
        QCOMPARE(c->history().last().reason,
                 QStringLiteral("dependency #%1 was cancelled").arg(b->id()));
        QCOMPARE(statesOf(b),
                 (QList<JobState>{JobState::Pending, JobState::Waiting, JobState::Cancelled}));
        QVERIFY(timeOf(b, JobState::Running).isNull());
        QTRY_COMPARE_WITH_TIMEOUT(d->state(), JobState::Completed, StateTimeoutMs);
        QCOMPARE(readPidFile(m_pidFiles[1]).size(), 0); // b never ran
    }

    // Run again, a job that was cancelled by its dependency looks at it again: run again too
    // and not yet ended, the dependency is waited for; once it completes, the job runs.
    void retriedDependentWaitsAgain() {
        const QString flag = newFile(QStringLiteral("flag"));
        JobSpec first;
        first.command = QStringLiteral("test -e '%1'").arg(flag);
        Job *a = start(first);
        JobSpec second = childJob({});
        second.dependencies = {after(a)};
        Job *b = start(second);
        QTRY_COMPARE_WITH_TIMEOUT(b->state(), JobState::Cancelled, StateTimeoutMs);
        // Still failed: run again, it is cancelled again at once.
        QVERIFY(m_supervisor->retry(b->id()));
        QCOMPARE(b->state(), JobState::Cancelled);
        QCOMPARE(b->history().last().reason, QStringLiteral("dependency #%1 failed").arg(a->id()));
        QVERIFY(QFile(flag).open(QIODevice::WriteOnly));
        QVERIFY(m_supervisor->retry(a->id()));
        QVERIFY(m_supervisor->retry(b->id()));
        QCOMPARE(b->state(), JobState::Waiting);
        QTRY_COMPARE_WITH_TIMEOUT(b->state(), JobState::Completed, StateTimeoutMs);
        QCOMPARE(a->state(), JobState::Completed);
    }

    // Cancelled while waiting: its own cancel, not a dependency's.
    void cancelWhileWaiting_data() {
        QTest::addColumn<bool>("delayed");
        QTest::newRow("for a dependency") << false;
        QTest::newRow("for its start time") << true;
    }
    void cancelWhileWaiting() {
        QFETCH(bool, delayed);
        Job *blocker = start(childJob({"--sleep", "-1"}));
        JobSpec spec = childJob({});
        if (delayed)
            spec.startAt = QDateTime::currentDateTime().addSecs(3600);
        else
            spec.dependencies = {after(blocker)};
        Job *job = start(spec);
        QCOMPARE(job->state(), JobState::Waiting);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(job->history().last().reason, QStringLiteral("cancelled by user"));
        QCOMPARE(job->history().last().event, JobEvent::Cancel);
        QTRY_COMPARE_WITH_TIMEOUT(blocker->state(), JobState::Running, StateTimeoutMs);
    }

    // Jobs of a batch wait for each other by their places, in either direction.
    void batchWaitsByPlace() {
        JobSpec last = childJob({});
        JobSpec first = childJob({"--sleep", "100"});
        const BatchStartResult started = m_supervisor->startBatch(
            {{last, {{1, JobDependency::Condition::Success}}}, {first, {}}});
        QVERIFY2(started, qPrintable(started.error));
        QCOMPARE(started.jobs.size(), 2);
        QCOMPARE(started.jobs[1]->id(), started.jobs[0]->id() + 1);
        QCOMPARE(started.jobs[0]->spec().dependencies,
                 (QList<JobDependency>{after(started.jobs[1])}));
        QTRY_COMPARE_WITH_TIMEOUT(started.jobs[0]->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(timeOf(started.jobs[0], JobState::Running) >=
                timeOf(started.jobs[1], JobState::Completed));
        // All or none.
        JobSpec bad;
        const BatchStartResult refused = m_supervisor->startBatch({{childJob({}), {}}, {bad, {}}});
        QVERIFY(!refused);
        QCOMPARE(refused.error, QStringLiteral("job 2: command is empty"));
        QCOMPARE(m_supervisor->jobs().size(), 2);
    }

    // A burst of jobs into groups with their own limits under Job Monitor's overall one: at
    // every transition of every job, no group has more jobs with processes than its limit.
    void groupLimitsHoldAtEveryTransition() {
        m_supervisor->setMaxParallel(5);
        Scheduler &scheduler = m_supervisor->scheduler();
        scheduler.setGroup(group(QStringLiteral("build"), 2));
        scheduler.setGroup(group(QStringLiteral("net"), 1));
        const QMap<QString, int> limits{{QStringLiteral("build"), 2}, {QStringLiteral("net"), 1}};
        QStringList violations;
        QMap<QString, int> most;
        const auto check = [&] {
            for (auto it = limits.cbegin(); it != limits.cend(); ++it) {
                const int holding = m_supervisor->count(it.key(), JobState::Running) +
                                    m_supervisor->count(it.key(), JobState::Paused) +
                                    m_supervisor->count(it.key(), JobState::Stopping);
                most[it.key()] = std::max(most.value(it.key()), holding);
                if (holding > it.value())
                    violations << QStringLiteral("%1: %2 running").arg(it.key()).arg(holding);
            }
            int all = 0;
            for (const JobState state : {JobState::Running, JobState::Stopping, JobState::Paused})
                all += m_supervisor->count(state);
            if (all > 5)
                violations << QStringLiteral("%1 running overall").arg(all);
        };
        connect(m_supervisor.get(), &JobSupervisor::countersChanged, this, check);
        QList<Job *> jobs;
        for (int i = 0; i < 24; ++i) {
            JobSpec spec = childJob({"--sleep", "50"});
            spec.group = i % 3 == 0   ? QStringLiteral("build")
                         : i % 3 == 1 ? QStringLiteral("net")
                                      : QString();
            jobs << start(spec);
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(jobs.cbegin(), jobs.cend(), [](Job *job) { return isFinal(job->state()); }),
            60000);
        QCOMPARE(violations, QStringList());
        for (Job *job : jobs)
            QCOMPARE(job->state(), JobState::Completed);
        QCOMPARE(most.value(QStringLiteral("net")), 1);
        QVERIFY(most.value(QStringLiteral("build")) >= 1);
        QCOMPARE(m_supervisor->count(QStringLiteral("build"), JobState::Completed), 8);
        QCOMPARE(m_supervisor->count(QStringLiteral("net"), JobState::Completed), 8);
        QCOMPARE(m_supervisor->count(QString(), JobState::Completed), 8);
    }

    // Pausing stops every process of the job, its escapees included (each is in state T);
    // resuming continues them all; a cancel then ends them as usual.
    void pauseFreezesTheWholeJob() {
        Job *job =
            start(childJob({"--grandchild", "--escape", "--children", "2", "--sleep", "-1"}));
        const QList<qint64> pids = waitForPids(m_pidFiles.last(), 5, StateTimeout);
        QCOMPARE(pids.size(), 5);
        QTRY_VERIFY_WITH_TIMEOUT(job->processes().commandPid > 0, StateTimeoutMs);
        QVERIFY(!m_supervisor->resume(job->id())); // not paused
        QVERIFY(m_supervisor->pause(job->id()));
        QCOMPARE(job->state(), JobState::Paused);
        QCOMPARE(job->history().last().reason, QStringLiteral("paused by user"));
        QVERIFY(!m_supervisor->pause(job->id())); // paused already
        for (const qint64 pid : pids)
            QTRY_COMPARE_WITH_TIMEOUT(processState(pid), 'T', StateTimeoutMs);
        QVERIFY(m_supervisor->resume(job->id()));
        QCOMPARE(job->state(), JobState::Running);
        for (const qint64 pid : pids)
            QTRY_VERIFY_WITH_TIMEOUT(processState(pid) != 'T', StateTimeoutMs);
        QCOMPARE(alivePids(pids), pids);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(statesOf(job),
                 (QList<JobState>{JobState::Pending, JobState::Running, JobState::Paused,
                                  JobState::Running, JobState::Stopping, JobState::Cancelled}));
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
    }

    // Paused for longer than its timeout, a job does not time out: its time left stands
    // still, exactly, and once resumed it finishes its work and completes.
    void pausedTimeDoesNotCountTowardsTheTimeout() {
        JobSpec spec = childJob({"--sleep", "300"});
        spec.timeout = 1500ms;
        Job *job = start(spec);
        QCOMPARE(waitForPids(m_pidFiles.last(), 1, StateTimeout).size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(job->processes().commandPid > 0, StateTimeoutMs);
        QVERIFY(m_supervisor->pause(job->id()));
        const std::optional<milliseconds> left = job->timeoutLeft();
        QVERIFY(left);
        QTest::qWait(2500);
        QCOMPARE(job->state(), JobState::Paused);
        QCOMPARE(job->timeoutLeft(), left);
        QVERIFY(m_supervisor->resume(job->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Completed);
    }

    // A job that keeps running times out all the same, after its timeout's worth of running:
    // the time it ran before and after the pause adds up to at least the timeout.
    void timeoutCountsOnlyRunningTime() {
        JobSpec spec = childJob({"--sleep", "-1"});
        spec.timeout = 800ms;
        Job *job = start(spec);
        QTRY_VERIFY_WITH_TIMEOUT(job->processes().commandPid > 0, StateTimeoutMs);
        QVERIFY(m_supervisor->pause(job->id()));
        QTest::qWait(1000);
        QCOMPARE(job->state(), JobState::Paused);
        QVERIFY(m_supervisor->resume(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::TimedOut, StateTimeoutMs);
        // The attempt's start is taken before its deadline's clock starts, each transition just
        // after the clock changed: the running time measured here can only be more than what
        // the clock counted (to the millisecond each is rounded to).
        const QDateTime started = job->attemptStartedAt(1);
        QDateTime paused;
        QDateTime resumed;
        for (const Transition &t : job->history()) {
            if (t.event == JobEvent::Pause)
                paused = t.time;
            if (t.event == JobEvent::Resume)
                resumed = t.time;
        }
        const QDateTime stopped = timeOf(job, JobState::Stopping);
        const qint64 ran = started.msecsTo(stopped) - paused.msecsTo(resumed);
        QVERIFY2(ran >= 800 - 2, qPrintable(QString::number(ran)));
        QVERIFY(paused.msecsTo(resumed) >= 1000);
    }

    // Cancelling a paused job continues it for the termination sequence, even a sequence of
    // the user's that sends no SIGCONT: its SIGTERM handler runs.
    void cancelAPausedJob() {
        const QString marker = newFile(QStringLiteral("marker"));
        JobSpec spec = childJob({"--trap-term", "0", "--marker", marker, "--sleep", "-1"});
        spec.termination.steps = {{SIGTERM, 30s}};
        Job *job = start(spec);
        QCOMPARE(waitForPids(m_pidFiles.last(), 1, StateTimeout).size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(job->processes().commandPid > 0, StateTimeoutMs);
        QVERIFY(m_supervisor->pause(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(processState(readPidFile(m_pidFiles.last()).value("main")), 'T',
                                  StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QVERIFY(QFile::exists(marker));
        QCOMPARE(job->exitCode(), std::optional<int>(0)); // its handler's exit, not SIGKILL
        QCOMPARE(statesOf(job).mid(2),
                 (QList<JobState>{JobState::Paused, JobState::Stopping, JobState::Cancelled}));
    }

    // Shutting down with paused jobs: the standard sequence (SIGTERM with SIGCONT) ends them
    // gracefully, every process of them.
    void shutdownWithPausedJobs() {
        QList<Job *> jobs;
        QStringList markers;
        for (int i = 0; i < 3; ++i) {
            markers << newFile(QStringLiteral("marker"));
            jobs << start(childJob(
                {"--trap-term", "0", "--marker", markers.last(), "--grandchild", "--sleep", "-1"},
                10s));
        }
        for (qsizetype i = 0; i < jobs.size(); ++i) {
            QCOMPARE(waitForPids(m_pidFiles[i], 2, StateTimeout).size(), 2);
            QTRY_VERIFY_WITH_TIMEOUT(jobs[i]->processes().commandPid > 0, StateTimeoutMs);
            QVERIFY(m_supervisor->pause(jobs[i]->id()));
        }
        for (const qint64 pid : allPids())
            QTRY_COMPARE_WITH_TIMEOUT(processState(pid), 'T', StateTimeoutMs);
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        for (qsizetype i = 0; i < jobs.size(); ++i) {
            QCOMPARE(jobs[i]->state(), JobState::Cancelled);
            QVERIFY2(QFile::exists(markers[i]), qPrintable(markers[i]));
            QCOMPARE(jobs[i]->exitCode(), std::optional<int>(0));
        }
        QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>());
    }

    // Pausing a group stops it starting jobs and, when asked, pauses its running ones;
    // resuming it continues both. Other groups go on.
    void pauseAndResumeAGroup() {
        m_supervisor->scheduler().setGroup(group(QStringLiteral("g"), 1));
        JobSpec spec = childJob({"--sleep", "-1"});
        spec.group = QStringLiteral("g");
        Job *running = start(spec);
        QTRY_VERIFY_WITH_TIMEOUT(running->processes().commandPid > 0, StateTimeoutMs);
        JobSpec next = childJob({});
        next.group = QStringLiteral("g");
        Job *queued = start(next);
        m_supervisor->pauseGroup(QStringLiteral("g"), true);
        QCOMPARE(running->state(), JobState::Paused);
        QCOMPARE(running->history().last().reason, QStringLiteral("group g paused"));
        QVERIFY(m_supervisor->scheduler().isGroupPaused(QStringLiteral("g")));
        Job *other = start(childJob({}));
        QTRY_COMPARE_WITH_TIMEOUT(other->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(running->id()));
        QTRY_COMPARE_WITH_TIMEOUT(running->state(), JobState::Cancelled, StateTimeoutMs);
        QTest::qWait(200);
        QCOMPARE(queued->state(), JobState::Pending); // the group starts nothing
        m_supervisor->resumeGroup(QStringLiteral("g"));
        QTRY_COMPARE_WITH_TIMEOUT(queued->state(), JobState::Completed, StateTimeoutMs);
    }

    // Pause on failure: a failed job pauses its group's queue (running jobs go on), and says
    // which job did it.
    void failurePausesItsGroup() {
        GroupSettings careful = group(QStringLiteral("deploy"), 1);
        careful.pauseOnFailure = true;
        m_supervisor->scheduler().setGroup(careful);
        JobSpec failing = childJob({"--exit", "1"});
        failing.group = careful.name;
        Job *a = start(failing);
        JobSpec next = childJob({});
        next.group = careful.name;
        Job *b = start(next);
        QTRY_COMPARE_WITH_TIMEOUT(a->state(), JobState::Failed, StateTimeoutMs);
        QVERIFY(m_supervisor->scheduler().isGroupPaused(careful.name));
        QCOMPARE(m_supervisor->scheduler().pauseReason(careful.name),
                 QStringLiteral("paused after job #%1 failed").arg(a->id()));
        QTest::qWait(200);
        QCOMPARE(b->state(), JobState::Pending);
        m_supervisor->resumeGroup(careful.name);
        QTRY_COMPARE_WITH_TIMEOUT(b->state(), JobState::Completed, StateTimeoutMs);
        // Off by default: a failure elsewhere pauses nothing.
        Job *c = start(childJob({"--exit", "1"}));
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), JobState::Failed, StateTimeoutMs);
        QVERIFY(!m_supervisor->scheduler().isGroupPaused(defaultGroupName()));
    }

    // A delayed job waits, saying until when, and starts no earlier.
    void delayedStart() {
        const QDateTime at = QDateTime::currentDateTime().addMSecs(700);
        JobSpec spec = childJob({});
        spec.startAt = at;
        Job *job = start(spec);
        QCOMPARE(job->state(), JobState::Waiting);
        QVERIFY(job->waitingFor().startsWith(QLatin1String("starts at ")));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(timeOf(job, JobState::Running) >= at);
        QCOMPARE(job->history().at(1).reason, QStringLiteral("start time reached"));
    }

    // With one slot, queued jobs start by priority, then in the order they were moved to.
    void prioritiesAndMoves() {
        m_supervisor->setMaxParallel(1);
        Job *blocker = start(childJob({"--sleep", "-1"}));
        QTRY_COMPARE_WITH_TIMEOUT(blocker->state(), JobState::Running, StateTimeoutMs);
        QList<Job *> jobs;
        for (const int priority : {0, 0, 5, 0}) {
            JobSpec spec = childJob({});
            spec.priority = priority;
            jobs << start(spec);
        }
        Scheduler &scheduler = m_supervisor->scheduler();
        QCOMPARE(scheduler.queue(QString()),
                 (QList<qint64>{jobs[2]->id(), jobs[0]->id(), jobs[1]->id(), jobs[3]->id()}));
        QVERIFY(scheduler.moveToFront(jobs[3]->id()));
        QVERIFY(scheduler.moveDown(jobs[2]->id()));
        jobs[1]->setPriority(9);
        QCOMPARE(jobs[1]->priority(), 9);
        QCOMPARE(scheduler.queue(QString()),
                 (QList<qint64>{jobs[1]->id(), jobs[3]->id(), jobs[0]->id(), jobs[2]->id()}));
        QVERIFY(m_supervisor->cancel(blocker->id()));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(jobs.cbegin(), jobs.cend(), [](Job *job) { return isFinal(job->state()); }),
            StateTimeoutMs);
        QCOMPARE(orderReaching(JobState::Running).mid(1),
                 (QList<qint64>{jobs[1]->id(), jobs[3]->id(), jobs[0]->id(), jobs[2]->id()}));
    }
};

QTEST_GUILESS_MAIN(TestQueue)
#include "tst_queue.moc"
