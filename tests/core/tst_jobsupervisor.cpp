// The job engine end to end inside one process: real jobs (the helper child program behind
// the real shim), real signals, and after every test proof that no process of any job is alive
// and that every live counter is back to zero.

#include "attemptoutput.h"
#include "jobsupervisor.h"
#include "localexecutor.h"
#include "logging.h"
#include "testutil.h"

#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(JobState)
Q_DECLARE_METATYPE(QList<JobState>)

namespace {

constexpr auto StateTimeout = 20s;
constexpr int StateTimeoutMs = 20000; // for the QTRY_ macros, which take milliseconds

QList<JobState> statesOf(const Job *job) {
    QList<JobState> states;
    if (!job->history().isEmpty())
        states << job->history().first().from;
    for (const Transition &t : job->history())
        states << t.to;
    return states;
}

} // namespace

class TestJobSupervisor : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    QList<QString> m_pidFiles;
    QList<QPointer<Job>> m_viewed;
    int m_files = 0;

    QString newFile(const QString &stem) {
        return m_dir.filePath(QStringLiteral("%1-%2").arg(stem).arg(++m_files));
    }

    // A job running the helper child, its pids recorded in a fresh pid file.
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

    Job *start(const JobSpec &spec) {
        const StartResult result = m_supervisor->start(spec);
        if (!result)
            qWarning() << "start failed:" << result.error;
        return result.job;
    }

    // Everything attempt n of the job saved, per channel, read back as a viewer would.
    static QByteArray savedOutput(const Job *job, int attempt, OutputChannel channel) {
        AttemptOutputReader reader(job->outputDirectory(attempt));
        if (!reader.open()) {
            qWarning() << reader.error();
            return {};
        }
        QByteArray bytes;
        for (const AttemptOutputReader::Chunk &chunk : reader.read(qint64(1) << 40))
            if (chunk.channel == channel)
                bytes += chunk.data;
        return bytes;
    }

    // The job's tail as the window sees it: retained, so read from the saved output (and
    // released again when the test ends).
    OutputBuffer *viewed(Job *job) {
        job->retainTail();
        m_viewed << job;
        return job->output();
    }

    QList<qint64> allPids() const {
        QList<qint64> pids;
        for (const QString &file : m_pidFiles)
            pids << readPidFile(file).values();
        return pids;
    }

    void verifyAllEnded() {
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(m_supervisor->activeCount(), 0);
        QCOMPARE(m_supervisor->processesAlive(), 0);
        QCOMPARE(m_supervisor->coroutinesAlive(), 0);
        QCOMPARE(LocalExecutor::liveShims(), 0);
        QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>());
        QCOMPARE(destroyedWhileRunningWarnings(), 0);
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        installProcessWarningCounter();
        QVERIFY(m_dir.isValid());
    }

    void init() {
        m_pidFiles.clear();
        m_supervisor = std::make_unique<JobSupervisor>(
            JobSupervisor::Config{8, m_dir.filePath(QStringLiteral("logs"))});
    }

    void cleanup() {
        for (const QPointer<Job> &job : std::exchange(m_viewed, {}))
            if (job)
                job->releaseTail();
        verifyAllEnded();
        m_supervisor.reset();
    }

    void endings_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<JobState>("finalState");
        QTest::addColumn<int>("exitCode"); // -1: none
        QTest::addColumn<int>("signal");   // 0: none
        QTest::addColumn<QString>("reason");

        QTest::newRow("exit 0") << QStringList{"--exit", "0"} << JobState::Completed << 0 << 0
                                << "exit code 0";
        QTest::newRow("exit 3") << QStringList{"--exit", "3"} << JobState::Failed << 3 << 0
                                << "exit code 3";
        QTest::newRow("exit 255") << QStringList{"--exit", "255"} << JobState::Failed << 255 << 0
                                  << "exit code 255";
        QTest::newRow("SIGKILL") << QStringList{"--signal", "9"} << JobState::Failed << -1 << 9
                                 << "signal 9 (SIGKILL)";
        QTest::newRow("SIGSEGV") << QStringList{"--signal", "11"} << JobState::Failed << -1 << 11
                                 << "signal 11 (SIGSEGV)";
        QTest::newRow("SIGTERM") << QStringList{"--signal", "15"} << JobState::Failed << -1 << 15
                                 << "signal 15 (SIGTERM)";
    }

    void endings() {
        QFETCH(QStringList, arguments);
        QFETCH(JobState, finalState);
        QFETCH(int, exitCode);
        QFETCH(int, signal);
        QFETCH(QString, reason);

        Job *job = start(childJob(arguments));
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), finalState);
        QCOMPARE(job->exitCode().value_or(-1), exitCode);
        QCOMPARE(job->exitSignal().value_or(0), signal);
        QCOMPARE(statesOf(job),
                 (QList<JobState>{JobState::Pending, JobState::Running, finalState}));
        QCOMPARE(job->history().last().reason, reason);
        QCOMPARE(job->history().last().exitCode.value_or(-1), exitCode);
        QCOMPARE(job->history().last().signal.value_or(0), signal);
        QCOMPARE(job->history().first().reason, QStringLiteral("attempt 1 of 1 started"));
        QCOMPARE(job->stragglers(), 0);
    }

    void missingProgramExits127() {
        JobSpec spec;
        spec.command = QStringLiteral("/nonexistent/program --flag");
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, StateTimeoutMs);
        QCOMPARE(job->exitCode(), std::optional<int>(127));
        QVERIFY(viewed(job)->lines().last().text.contains(QLatin1String("/nonexistent/program")));
    }

    void invalidSpecsAreRefused_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("directory");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty command") << "  "
                                       << ""
                                       << "command is empty";
        QTest::newRow("missing directory") << "true"
                                           << "/nonexistent/dir"
                                           << "working directory '/nonexistent/dir' does not exist";
    }

    void invalidSpecsAreRefused() {
        QFETCH(QString, command);
        QFETCH(QString, directory);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = command;
        spec.workingDirectory = directory;
        const StartResult result = m_supervisor->start(spec);
        QVERIFY(!result);
        QCOMPARE(result.error, error);
        QCOMPARE(m_supervisor->jobs().size(), 0);
    }

    void environmentAndDirectory() {
        JobSpec spec;
        spec.command = QStringLiteral("echo \"$JM_GREETING\" \"$(pwd)\"; echo err >&2");
        spec.workingDirectory = m_dir.path();
        spec.environment.insert(QStringLiteral("JM_GREETING"), QStringLiteral("hello there"));
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, StateTimeoutMs);
        const QList<OutputLine> lines = viewed(job)->lines();
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].channel, OutputChannel::Stdout);
        QCOMPARE(lines[0].text, QStringLiteral("hello there ") + m_dir.path());
        QCOMPARE(lines[1].channel, OutputChannel::Stderr);
        QCOMPARE(lines[1].text, QStringLiteral("err"));
        QCOMPARE(savedOutput(job, 1, OutputChannel::Stdout),
                 "hello there " + m_dir.path().toUtf8() + "\n");
        QCOMPARE(savedOutput(job, 1, OutputChannel::Stderr), QByteArray("err\n"));
    }

    void awkwardOutput_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<qint64>("bytes");     // on stdout
        QTest::addColumn<QString>("lastLine"); // the start of the tail's last line
        QTest::addColumn<QByteArray>("raw");   // bytes the saved output must end with
        const QChar replacement(0xfffd);
        QTest::newRow("invalid UTF-8")
            << QStringList{"--invalid-utf8"} << qint64(18)
            << QStringLiteral("invalid ") + QString(3, replacement) + QStringLiteral("( utf8")
            << QByteArray("invalid \xff\xfe\xc3\x28 utf8\n");
        QTest::newRow("NUL byte") << QStringList{"--nul"} << qint64(9)
                                  << QStringLiteral("nul") + QChar(0x2400) + QStringLiteral("byte")
                                  << QByteArray("nul\0byte\n", 9);
        QTest::newRow("progress") << QStringList{"--cr-progress", "100"} << qint64(1293)
                                  << QStringLiteral("progress 100%")
                                  << QByteArray("progress 99%\rprogress 100%\r\n");
        QTest::newRow("flood") << QStringList{"--flood", "20000000"} << qint64(20000000)
                               << QString(79, QLatin1Char('x')) << QByteArray(79, 'x') + '\n';
        QTest::newRow("100 MB line")
            << QStringList{"--endless-line", "100000000"} << qint64(100000000)
            << QString(1000, QLatin1Char('y')) << QByteArray(100000, 'y');
    }

    // Whatever a job writes, the tail stays bounded and the log file gets every byte.
    void awkwardOutput() {
        QFETCH(QStringList, arguments);
        QFETCH(qint64, bytes);
        QFETCH(QString, lastLine);
        QFETCH(QByteArray, raw);
        Job *job = start(childJob(arguments));
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, 60000);
        OutputBuffer *output = viewed(job);
        QCOMPARE(output->totalBytes(OutputChannel::Stdout), bytes);
        const QList<OutputLine> lines = output->lines();
        QVERIFY(lines.size() <= output->limits().maxLines);
        qsizetype kept = 0;
        for (const OutputLine &line : lines)
            kept += line.text.size();
        QVERIFY(kept <= output->limits().maxBytes + output->limits().maxLineBytes);
        QVERIFY2(lines.last().text.startsWith(lastLine), qPrintable(lines.last().text.left(80)));
        QVERIFY(job->outputError().isEmpty());
        // Every byte, exactly as written.
        const QByteArray saved = savedOutput(job, 1, OutputChannel::Stdout);
        QCOMPARE(saved.size(), bytes);
        QVERIFY(saved.endsWith(raw));
    }

    // Each attempt's output starts on a line of its own, even after a line without end.
    void outputOfRetriesStaysApart() {
        JobSpec spec;
        spec.command = QStringLiteral("printf 'partial'; exit 1");
        spec.maxAttempts = 2;
        spec.backoff = {10ms, 2.0, 10ms};
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, StateTimeoutMs);
        OutputBuffer *tail = viewed(job);
        const QList<OutputLine> lines = tail->lines();
        QCOMPARE(lines.size(), 2);
        for (const OutputLine &line : lines) {
            QCOMPARE(line.text, QStringLiteral("partial"));
            QVERIFY(line.complete);
        }
        // Each attempt's output is a section of its own, named by its attempt and trace id.
        const QList<OutputSection> &sections = tail->sections();
        QCOMPARE(sections.size(), 2);
        QCOMPARE(sections[0].attempt, 1);
        QCOMPARE(sections[0].firstLine, lines[0].number);
        QCOMPARE(sections[1].attempt, 2);
        QCOMPARE(sections[1].firstLine, lines[1].number);
        QCOMPARE(sections[1].traceId, job->traceId());
        QVERIFY(sections[1].startedAt >= sections[0].startedAt);
    }

    void stdinIsDevNull() {
        JobSpec spec;
        spec.command = QStringLiteral("cat; echo done");
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, StateTimeoutMs);
        QCOMPARE(viewed(job)->lines().last().text, QStringLiteral("done"));
    }

    void cancelInEveryState_data() {
        QTest::addColumn<JobState>("cancelIn");
        QTest::addColumn<QList<JobState>>("states");
        using S = JobState;
        QTest::newRow("Pending") << S::Pending << QList<S>{S::Pending, S::Cancelled};
        QTest::newRow("Running") << S::Running
                                 << QList<S>{S::Pending, S::Running, S::Stopping, S::Cancelled};
        QTest::newRow("Stopping") << S::Stopping
                                  << QList<S>{S::Pending, S::Running, S::Stopping, S::Cancelled};
        QTest::newRow("Retrying") << S::Retrying
                                  << QList<S>{S::Pending, S::Running, S::Retrying, S::Cancelled};
    }

    void cancelInEveryState() {
        QFETCH(JobState, cancelIn);
        QFETCH(QList<JobState>, states);

        m_supervisor->setMaxParallel(1);
        Job *blocker = nullptr;
        JobSpec spec;
        if (cancelIn == JobState::Pending) {
            blocker = start(childJob({"--sleep", "-1"}));
            QTRY_COMPARE_WITH_TIMEOUT(blocker->state(), JobState::Running, StateTimeoutMs);
            spec = childJob({"--sleep", "-1"});
        } else if (cancelIn == JobState::Running) {
            spec = childJob({"--sleep", "-1"});
        } else if (cancelIn == JobState::Stopping) {
            // A deadline starts the stop; the user's cancel arrives during the grace period.
            spec = childJob({"--ignore-term", "--sleep", "-1"}, 1s);
            spec.timeout = 200ms;
        } else {
            spec = childJob({"--exit", "1"});
            spec.maxAttempts = 3;
            spec.backoff.initial = 60s;
        }
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), cancelIn, StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(statesOf(job), states);
        QVERIFY(job->history().last().reason.startsWith(QLatin1String("cancelled by user")));
        QVERIFY(!m_supervisor->cancel(job->id())); // already ended
        if (blocker)
            QCOMPARE(blocker->state(), JobState::Running);
    }

    // The stop request races the shim's start-up: it must wait for the shim, not kill it.
    void cancelRightAfterStart() {
        m_supervisor->setMaxParallel(20);
        QList<Job *> jobs;
        for (int i = 0; i < 20; ++i)
            jobs << start(childJob({"--sleep", "-1"}));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(jobs.cbegin(), jobs.cend(),
                        [](Job *job) { return job->processes().supervisorPid > 0; }),
            StateTimeoutMs);
        for (Job *job : jobs)
            QVERIFY(m_supervisor->cancel(job->id()));
        for (Job *job : jobs) {
            QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
            if (job->exitSignal())
                QCOMPARE(*job->exitSignal(), SIGTERM);
            else
                QVERIFY(job->history().size() == 1); // cancelled before it launched
        }
    }

    void graceIsRespected() {
        const QString marker = newFile(QStringLiteral("marker"));
        Job *job =
            start(childJob({"--trap-term", "300", "--marker", marker, "--sleep", "-1"}, 10s));
        QVERIFY(job);
        QVERIFY(waitForPids(m_pidFiles.last(), 1, StateTimeout).size() == 1);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Stopping, StateTimeoutMs);
        QVERIFY(job->deadline().remainingTime() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QVERIFY(QFile::exists(marker));
        QVERIFY(!job->history().last().reason.contains(QLatin1String("killed")));
    }

    void termIgnoringJobIsKilledAfterGrace() {
        Job *job = start(childJob({"--ignore-term", "--grandchild", "--sleep", "-1"}, 300ms));
        QVERIFY(job);
        QCOMPARE(waitForPids(m_pidFiles.last(), 2, StateTimeout).size(), 2);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(job->exitSignal(), std::optional<int>(SIGKILL));
        QVERIFY(job->history().last().reason.contains(
            QLatin1String("2 process(es) killed after the termination sequence")));
        QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>());
    }

    void killNowSkipsGrace() {
        Job *job = start(childJob({"--ignore-term", "--sleep", "-1"}, 600s));
        QVERIFY(job);
        QCOMPARE(waitForPids(m_pidFiles.last(), 1, StateTimeout).size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Stopping, StateTimeoutMs);
        QVERIFY(m_supervisor->kill(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(job->exitSignal(), std::optional<int>(SIGKILL));
        // Killed because somebody asked, not because the grace period ran out.
        QVERIFY2(
            job->history().last().reason.contains(QLatin1String("1 process(es) killed on request")),
            qPrintable(job->history().last().reason));
    }

    // An escaped process that needed SIGKILL is said so, though the job's own process went on
    // SIGTERM.
    void escapeeNeedingKillIsCounted() {
        Job *job = start(childJob({"--ignore-term", "--escape", "--sleep", "-1"}, 300ms));
        QVERIFY(job);
        QCOMPARE(waitForPids(m_pidFiles.last(), 2, StateTimeout).size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        QCOMPARE(job->killedProcesses(), 2);
        QVERIFY2(job->history().last().reason.contains(QLatin1String(
                     "2 process(es) killed after the termination sequence (1 outside the job's "
                     "process group)")),
                 qPrintable(job->history().last().reason));
    }

    // The job's shim is killed (here by the job itself; the OOM killer would do the same):
    // nothing of the job may survive, and its record says what happened.
    void killedShimLeavesNothingBehind() {
        const QString pidFile = newFile(QStringLiteral("pids"));
        m_pidFiles << pidFile;
        JobSpec spec;
        spec.command = QStringLiteral("%1 & while [ \"$(wc -l < '%2' 2>/dev/null)\" != 3 ]; do "
                                      "sleep 0.05; done; kill -9 $PPID; wait")
                           .arg(testChildCommand({"--pidfile", pidFile, "--ignore-term",
                                                  "--grandchild", "--escape", "--sleep", "-1"}),
                                pidFile);
        spec.termination = TerminationSequence::standard(300ms);
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Failed);
        QCOMPARE(job->history().last().event, JobEvent::Lost);
        QVERIFY2(job->error().contains(QRegularExpression(QStringLiteral(
                     "^its shim \\(pid \\d+\\) was killed by signal 9 \\(SIGKILL\\)"))),
                 qPrintable(job->error()));
        QCOMPARE(readPidFile(pidFile).size(), 3);
        QCOMPARE(alivePids(allPids()), QList<qint64>());
    }

    // The command ended by itself (exit 0) while its straggler was being ended; a cancel that
    // arrives then reaches nothing of the command: the job completed.
    void exitBeforeCancelTakesEffectCompletes() {
        Job *job = start(childJob({"--ignore-term", "--grandchild", "--exit", "0"}, 2s));
        QVERIFY(job);
        const QList<qint64> pids = waitForPids(m_pidFiles.last(), 2, StateTimeout);
        QCOMPARE(pids.size(), 2);
        const qint64 main = readPidFile(m_pidFiles.last()).value(QStringLiteral("main"));
        QCOMPARE(waitUntilDead({main}, StateTimeout), QList<qint64>());
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Completed);
        QCOMPARE(job->exitCode(), std::optional<int>(0));
        QCOMPARE(job->stragglers(), 1);
        QVERIFY2(job->history().last().reason.startsWith(
                     QLatin1String("exit code 0, ended before the stop reached it, 1 "
                                   "straggler(s) ended")),
                 qPrintable(job->history().last().reason));
    }

    // A job waiting out its retry backoff holds no parallel slot: the next job runs meanwhile.
    void backoffHoldsNoSlot() {
        m_supervisor->setMaxParallel(1);
        JobSpec flaky = childJob({"--exit", "1"});
        flaky.maxAttempts = 2;
        flaky.backoff = {600s, 2.0, 600s};
        Job *first = start(flaky);
        Job *second = start(childJob({"--sleep", "-1"}));
        QVERIFY(first && second);
        QTRY_COMPARE_WITH_TIMEOUT(first->state(), JobState::Retrying, StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(second->state(), JobState::Running, StateTimeoutMs);
        QCOMPARE(m_supervisor->count(JobState::Running), 1);
    }

    // Ended jobs give their tails up first when all tails together pass the budget; a viewer
    // gets a dropped tail back, read from the saved output.
    void tailsStayWithinTheBudget() {
        m_supervisor = std::make_unique<JobSupervisor>(
            JobSupervisor::Config{1, m_dir.filePath(QStringLiteral("output")), true, 150 * 1000});
        // Each job viewed while it runs, as a user clicking through them would.
        QList<Job *> jobs;
        for (int i = 0; i < 5; ++i) {
            jobs << start(childJob({"--flood", "80000"}));
            jobs.last()->retainTail();
            QTRY_COMPARE_WITH_TIMEOUT(jobs.last()->state(), JobState::Completed, StateTimeoutMs);
            QCOMPARE(jobs.last()->output()->totalBytes(OutputChannel::Stdout), 80000);
            jobs.last()->releaseTail();
        }
        // The budget is checked a moment after jobs end, not at every ending.
        QTRY_VERIFY_WITH_TIMEOUT(!jobs.first()->isTailLoaded(), StateTimeoutMs);
        qint64 total = 0;
        for (Job *job : jobs)
            total += job->output()->keptBytes();
        QVERIFY2(total <= 150 * 1000, qPrintable(QString::number(total)));
        QVERIFY(!jobs.first()->isTailLoaded());
        QVERIFY(jobs.last()->isTailLoaded());
        // Output nobody views is not read at all.
        Job *unviewed = start(childJob({"--flood", "80000"}));
        QTRY_COMPARE_WITH_TIMEOUT(unviewed->state(), JobState::Completed, StateTimeoutMs);
        QVERIFY(!unviewed->isTailLoaded());
        QCOMPARE(unviewed->output()->totalBytes(OutputChannel::Stdout), 0);
        QCOMPARE(jobs.first()->output()->lines().size(), 0);
        jobs.first()->retainTail();
        QVERIFY(jobs.first()->isTailLoaded());
        const QList<OutputLine> lines = jobs.first()->output()->lines();
        QCOMPARE(lines.size(), 1000);
        QCOMPARE(lines.first().number, 1);
        QCOMPARE(lines.last().text, QString(79, QLatin1Char('x')));
        jobs.first()->releaseTail();
    }

    void noTailsWhenNobodyLooks() {
        m_supervisor = std::make_unique<JobSupervisor>(
            JobSupervisor::Config{2, m_dir.filePath(QStringLiteral("output")), false});
        Job *job = start(childJob({"--stdout", "hello"}));
        QVERIFY(job);
        QCOMPARE(job->output(), nullptr);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, StateTimeoutMs);
        QCOMPARE(savedOutput(job, 1, OutputChannel::Stdout), QByteArray("hello\n"));
    }

    // Destroying the supervisor while jobs run is a bug of its owner, but still leaves no
    // process: every shim is told to kill its job at once, without the destructor running an
    // event loop of its own, and the jobs' coroutines finish in the caller's event loop.
    void destroyedWhileJobsRunLeavesNoProcess() {
        Job *job = start(childJob({"--ignore-term", "--grandchild", "--sleep", "-1"}, 600s));
        QVERIFY(job);
        QCOMPARE(waitForPids(m_pidFiles.last(), 2, StateTimeout).size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        bool eventLoopRan = false;
        QTimer::singleShot(0, [&eventLoopRan] { eventLoopRan = true; });
        m_supervisor.reset();
        QVERIFY(!eventLoopRan);
        QCOMPARE(waitUntilDead(allPids(), StateTimeout), QList<qint64>());
        QTRY_COMPARE_WITH_TIMEOUT(LocalExecutor::liveShims(), 0, StateTimeoutMs);
        m_supervisor = std::make_unique<JobSupervisor>();
    }

    void stoppedJobIsEnded() {
        Job *job = start(childJob({"--stop", "--sleep", "-1"}, 10s));
        QVERIFY(job);
        const QList<qint64> pids = waitForPids(m_pidFiles.last(), 1, StateTimeout);
        QCOMPARE(pids.size(), 1);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        // SIGCONT let it act on SIGTERM: it ended by SIGTERM, not by the SIGKILL 10 s later.
        QCOMPARE(job->exitSignal(), std::optional<int>(SIGTERM));
    }

    void grandchildAndEscapeeAreEnded() {
        Job *job = start(childJob({"--grandchild", "--escape", "--sleep", "-1"}));
        QVERIFY(job);
        const QMultiMap<QString, qint64> before = readPidFile(m_pidFiles.last());
        QCOMPARE(waitForPids(m_pidFiles.last(), 3, StateTimeout).size(), 3);
        QVERIFY(m_supervisor->cancel(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, StateTimeoutMs);
        const QMultiMap<QString, qint64> pids = readPidFile(m_pidFiles.last());
        QCOMPARE(pids.count(QStringLiteral("escapee")), 1);
        QCOMPARE(pids.count(QStringLiteral("grandchild")), 1);
        QCOMPARE(waitUntilDead(pids.values(), 5s), QList<qint64>());
    }

    void stragglersAreEndedAndCounted() {
        Job *job = start(childJob({"--grandchild", "--escape", "--exit", "0"}));
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Completed);
        QCOMPARE(job->stragglers(), 2);
        QCOMPARE(job->history().last().reason, QStringLiteral("exit code 0, 2 straggler(s) ended"));
        QCOMPARE(waitUntilDead(readPidFile(m_pidFiles.last()).values(), 5s), QList<qint64>());
    }

    void retriesWithBackoff() {
        JobSpec spec = childJob({"--exit", "4"});
        spec.maxAttempts = 3;
        spec.backoff = {100ms, 3.0, 250ms};
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        using S = JobState;
        QCOMPARE(statesOf(job), (QList<S>{S::Pending, S::Running, S::Retrying, S::Running,
                                          S::Retrying, S::Running, S::Failed}));
        const QList<Transition> &h = job->history();
        QCOMPARE(h[1].reason, QStringLiteral("exit code 4; attempt 2 in 100 ms"));
        QCOMPARE(h[3].reason, QStringLiteral("exit code 4; attempt 3 in 250 ms"));
        QCOMPARE(h[5].reason, QStringLiteral("exit code 4"));
        QList<int> attempts;
        for (const Transition &t : h)
            attempts << t.attempt;
        QCOMPARE(attempts, (QList<int>{1, 1, 2, 2, 3, 3}));
        // The backoff was waited out (a lower bound only: the machine may be slow).
        QVERIFY(h[1].time.msecsTo(h[2].time) >= 100);
        QVERIFY(h[3].time.msecsTo(h[4].time) >= 250);
    }

    void retryUntilSuccess() {
        // Fails until a marker exists; the first attempt creates it.
        const QString marker = newFile(QStringLiteral("flag"));
        JobSpec spec;
        spec.command = QStringLiteral("test -e '%1' && exit 0; touch '%1'; exit 2").arg(marker);
        spec.maxAttempts = 5;
        spec.backoff = {10ms, 2.0, 10ms};
        Job *job = start(spec);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Completed);
        QCOMPARE(job->attempt(), 2);
    }

    void timeouts_data() {
        QTest::addColumn<int>("attempts");
        QTest::addColumn<QList<JobState>>("states");
        using S = JobState;
        QTest::newRow("no retry") << 1
                                  << QList<S>{S::Pending, S::Running, S::Stopping, S::TimedOut};
        QTest::newRow("one retry")
            << 2 << QList<S>{S::Pending, S::Running,  S::Stopping, S::Retrying,
                             S::Running, S::Stopping, S::TimedOut};
    }

    void timeouts() {
        QFETCH(int, attempts);
        QFETCH(QList<JobState>, states);
        JobSpec spec = childJob({"--sleep", "-1"});
        spec.timeout = 200ms;
        spec.maxAttempts = attempts;
        spec.backoff = {10ms, 2.0, 10ms};
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_VERIFY_WITH_TIMEOUT(isFinal(job->state()), StateTimeoutMs);
        QCOMPARE(statesOf(job), states);
        QCOMPARE(job->history().last().reason,
                 QStringLiteral("deadline 200 ms passed; signal 15 (SIGTERM)"));
        QCOMPARE(job->history()[1].reason, QStringLiteral("deadline 200 ms passed"));
    }

    void shutdownOfFiftyMixedJobs() {
        m_supervisor->setMaxParallel(50);
        QStringList markers;
        QList<Job *> jobs;
        for (int i = 0; i < 50; ++i) {
            QStringList arguments;
            switch (i % 6) {
            case 0:
                arguments = {"--sleep", "-1"};
                break;
            case 1:
                arguments = {"--ignore-term", "--sleep", "-1"};
                break;
            case 2:
                markers << newFile(QStringLiteral("marker"));
                arguments = {"--trap-term", "200", "--marker", markers.last(), "--sleep", "-1"};
                break;
            case 3:
                arguments = {"--grandchild", "--sleep", "-1"};
                break;
            case 4:
                arguments = {"--escape", "--sleep", "-1"};
                break;
            case 5:
                arguments = {"--stop", "--sleep", "-1"};
                break;
            }
            jobs << start(childJob(arguments, 1500ms));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_supervisor->count(JobState::Running), 50, 60000);
        for (const QString &file : m_pidFiles)
            QVERIFY(!waitForPids(file, 1, StateTimeout).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(allPids().size(), 50 + 8 + 8, StateTimeoutMs);
        // Processes, not jobs: the grandchildren and escapees count too.
        QTRY_COMPARE_WITH_TIMEOUT(m_supervisor->processesAlive(), 50 + 8 + 8, StateTimeoutMs);
        QCOMPARE(m_supervisor->coroutinesAlive(), 50);

        QSignalSpy finished(m_supervisor.get(), &JobSupervisor::shutdownFinished);
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(finished.size(), 1);
        for (Job *job : jobs) {
            QCOMPARE(job->state(), JobState::Cancelled);
            QVERIFY(job->history().last().reason.startsWith(QLatin1String("shutdown")));
        }
        for (const QString &marker : markers)
            QVERIFY2(QFile::exists(marker), qPrintable(marker));
        QCOMPARE(m_supervisor->count(JobState::Cancelled), 50);
        QCOMPARE(waitUntilDead(allPids(), 5s), QList<qint64>());
    }

    void shutdownRefusesNewJobsAndRetries() {
        Job *ended = start(childJob({"--exit", "1"}));
        QTRY_COMPARE_WITH_TIMEOUT(ended->state(), JobState::Failed, StateTimeoutMs);
        Job *job = start(childJob({"--sleep", "-1"}, 2s));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        auto done = std::make_shared<bool>(false);
        m_supervisor->shutdown().then([done]() { *done = true; });
        QVERIFY(m_supervisor->isShuttingDown());
        const StartResult refused = m_supervisor->start(childJob({"--exit", "0"}));
        QVERIFY(!refused);
        QCOMPARE(refused.error,
                 QStringLiteral("Job Monitor is shutting down and accepts no new jobs"));
        QVERIFY(!m_supervisor->retry(ended->id()));
        QTRY_VERIFY_WITH_TIMEOUT(*done, StateTimeoutMs);
        QCOMPARE(job->state(), JobState::Cancelled);
    }

    void secondShutdownForcesKill() {
        Job *job = start(childJob({"--ignore-term", "--grandchild", "--sleep", "-1"}, 600s));
        QVERIFY(job);
        QCOMPARE(waitForPids(m_pidFiles.last(), 2, StateTimeout).size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        auto firstDone = std::make_shared<bool>(false);
        m_supervisor->shutdown().then([firstDone]() { *firstDone = true; });
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Stopping, StateTimeoutMs);
        QTest::qWait(100);
        QVERIFY(!*firstDone);
        // A second request during the 600 s grace: SIGKILL now, and both requests complete.
        QVERIFY(runTask(m_supervisor->shutdown(), 30s));
        QVERIFY(*firstDone);
        QCOMPARE(job->state(), JobState::Cancelled);
        QCOMPARE(job->exitSignal(), std::optional<int>(SIGKILL));
    }

    void retryAndRemove() {
        Job *job = start(childJob({"--exit", "5"}));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, StateTimeoutMs);
        QVERIFY(m_supervisor->retry(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, StateTimeoutMs);
        using S = JobState;
        QCOMPARE(statesOf(job),
                 (QList<S>{S::Pending, S::Running, S::Failed, S::Pending, S::Running, S::Failed}));
        QCOMPARE(job->history()[2].reason, QStringLiteral("run again by user"));
        QCOMPARE(m_supervisor->count(JobState::Failed), 1);
        QSignalSpy removed(m_supervisor.get(), &JobSupervisor::jobRemoved);
        const qint64 id = job->id();
        QVERIFY(m_supervisor->remove(id));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(m_supervisor->job(id), nullptr);
        QCOMPARE(m_supervisor->count(JobState::Failed), 0);
        QVERIFY(!m_supervisor->remove(id));
    }

    void queueHonoursMaxParallel() {
        m_supervisor->setMaxParallel(2);
        QList<Job *> jobs;
        for (int i = 0; i < 5; ++i)
            jobs << start(childJob({"--sleep", "-1"}));
        QTRY_COMPARE_WITH_TIMEOUT(m_supervisor->count(JobState::Running), 2, StateTimeoutMs);
        QCOMPARE(m_supervisor->count(JobState::Pending), 3);
        QCOMPARE(jobs[0]->state(), JobState::Running);
        QCOMPARE(jobs[2]->state(), JobState::Pending);
        QVERIFY(m_supervisor->cancel(jobs[0]->id()));
        QTRY_COMPARE_WITH_TIMEOUT(jobs[2]->state(), JobState::Running, StateTimeoutMs);
        QCOMPARE(jobs[3]->state(), JobState::Pending);
        m_supervisor->setMaxParallel(4);
        QTRY_COMPARE_WITH_TIMEOUT(m_supervisor->count(JobState::Running), 4, StateTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestJobSupervisor)
#include "tst_jobsupervisor.moc"
