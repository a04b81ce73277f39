// What a job's view in the desktop's job tracker shows (JobViews::properties): its name or
// command, the command beside a name, its folder (the application's when it names none), its state,
// and its progress with the count it comes from. Real jobs, whose output the engine reads for their
// progress; after each test no process of any of them is alive. The D-Bus side is
// tst_e2e_jobview's.
#include "job.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "jobviews.h"
#include "localexecutor.h"
#include "logging.h"
#include "resourcemonitor.h"
#include "testutil.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {
constexpr int StateTimeoutMs = 20000;
} // namespace

class TestJobViews : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<JobSupervisor> m_supervisor;
    std::unique_ptr<JobService> m_service;

    Job *start(const JobSpec &spec) {
        const JobService::AddResult added = m_service->add(spec);
        if (!added)
            return nullptr;
        // Shown in the window: sampled at once and every second, so its progress comes soon.
        m_service->resources()->setFocused(added.id, true);
        return m_service->job(added.id);
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging(spdlog::level::warn);
        QVERIFY(m_dir.isValid());
    }

    void init() {
        m_supervisor = std::make_unique<JobSupervisor>(JobSupervisor::Config{
            .maxParallel = 4,
            .outputDirectory = m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction())),
        });
        m_service = std::make_unique<JobService>(m_supervisor.get());
    }

    void cleanup() {
        QVERIFY(runTask(m_supervisor->shutdown(), 60s));
        QCOMPARE(m_supervisor->processesAlive(), 0);
        QCOMPARE(LocalExecutor::liveShims(), 0);
        m_service.reset();
        m_supervisor.reset();
    }

    void runningJob_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("inFolder");
        QTest::newRow("command only") << QString() << false;
        QTest::newRow("named") << QStringLiteral("compile") << false;
        QTest::newRow("in a folder") << QString() << true;
    }
    void runningJob() {
        QFETCH(QString, name);
        QFETCH(bool, inFolder);
        JobSpec spec;
        spec.command = QStringLiteral("echo '[100/400] compiling'; sleep 300");
        spec.name = name;
        if (inFolder)
            spec.workingDirectory = m_dir.path();
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(JobViews::properties(*job).contains("percent"), StateTimeoutMs);

        const QVariantMap shown = JobViews::properties(*job);
        QCOMPARE(shown.value("title").toString(), name.isEmpty() ? spec.command : name);
        QCOMPARE(shown.value("descriptionLabel1").toString(),
                 name.isEmpty() ? QString() : QStringLiteral("Command"));
        QCOMPARE(shown.value("descriptionValue1").toString(),
                 name.isEmpty() ? QString() : spec.command);
        // A job without a folder runs in the application's.
        QCOMPARE(shown.value("destUrl").toString(),
                 QUrl::fromLocalFile(inFolder ? m_dir.path() : QDir::currentPath()).toString());
        QVERIFY2(shown.value("infoMessage").toString().startsWith("Running"),
                 qPrintable(shown.value("infoMessage").toString()));
        QVERIFY(!shown.value("infoMessage").toString().contains("estimated"));
        QCOMPARE(shown.value("suspended"), QVariant(false));
        QCOMPARE(shown.value("percent"), QVariant(25u));
        QCOMPARE(shown.value("processedItems"), QVariant(qulonglong(100)));
        QCOMPARE(shown.value("totalItems"), QVariant(qulonglong(400)));
    }

    // A percentage gives no count; a paused job is suspended; one that prints nothing shows
    // no progress.
    void statesAndForms_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<bool>("pause");
        QTest::addColumn<int>("percent"); // -1: none
        QTest::newRow("percentage")
            << "echo '[ 45%] Building C object f.o'; sleep 300" << false << 45;
        QTest::newRow("paused") << "echo '[ 45%] Building C object f.o'; sleep 300" << true << 45;
        QTest::newRow("no progress") << "sleep 300" << false << -1;
    }
    void statesAndForms() {
        QFETCH(QString, command);
        QFETCH(bool, pause);
        QFETCH(int, percent);
        JobSpec spec;
        spec.command = command;
        Job *job = start(spec);
        QVERIFY(job);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Running, StateTimeoutMs);
        if (percent >= 0)
            QTRY_VERIFY_WITH_TIMEOUT(JobViews::properties(*job).contains("percent"),
                                     StateTimeoutMs);
        if (pause) {
            QTRY_VERIFY_WITH_TIMEOUT(job->processes().commandPid > 0, StateTimeoutMs);
            QVERIFY(m_service->pause(job->id()));
            QCOMPARE(job->state(), JobState::Paused);
        }
        const QVariantMap shown = JobViews::properties(*job);
        QCOMPARE(shown.value("suspended"), QVariant(pause));
        QVERIFY2(shown.value("infoMessage").toString().startsWith(pause ? "Paused" : "Running"),
                 qPrintable(shown.value("infoMessage").toString()));
        QCOMPARE(shown.value("percent"), percent < 0 ? QVariant() : QVariant(uint(percent)));
        QVERIFY(!shown.contains("processedItems") && !shown.contains("totalItems"));
    }
};

QTEST_GUILESS_MAIN(TestJobViews)
#include "tst_jobviews.moc"
