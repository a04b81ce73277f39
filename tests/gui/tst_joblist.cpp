// The job list as the window shows it: filtered by state, ordered, and selected by job id,
// over a real supervisor with real jobs in every kind of state; one group's jobs in their
// queue's order, a delayed job's countdown, and the groups with their counts.
#include "grouplistmodel.h"
#include "jobfiltermodel.h"
#include "joblistmodel.h"
#include "jobselection.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

JobSpec spec(const QString &command, const QString &name) {
    JobSpec s;
    s.command = command;
    s.name = name;
    return s;
}

QStringList labels(const JobFilterModel &model) {
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row, 0).data(JobListModel::LabelRole).toString());
    return result;
}

} // namespace

class TestJobList : public QObject {
    Q_OBJECT
private:
    JobSupervisor m_supervisor{JobSupervisor::Config{1, QString()}};
    JobService m_service{&m_supervisor};
    JobListModel m_jobs{&m_service};
    QMap<QString, int> m_ids;

    int start(const JobSpec &s) {
        const StartResult started = m_supervisor.start(s);
        m_ids.insert(s.name, started.job->id());
        return started.job->id();
    }
    JobState state(const QString &name) const { return m_supervisor.job(m_ids[name])->state(); }

private Q_SLOTS:
    // One job per kind of state, one at a time (one may run at once): completed, failed,
    // timed out, running and queued behind it.
    void initTestCase() {
        setupStderrLogging();
        start(spec(QStringLiteral("exit 0"), QStringLiteral("completed")));
        QTRY_COMPARE(state(QStringLiteral("completed")), JobState::Completed);
        start(spec(QStringLiteral("exit 3"), QStringLiteral("failed")));
        QTRY_COMPARE(state(QStringLiteral("failed")), JobState::Failed);
        JobSpec slow = spec(QStringLiteral("exec sleep 30"), QStringLiteral("timed out"));
        slow.timeout = 100ms;
        start(slow);
        QTRY_COMPARE_WITH_TIMEOUT(state(QStringLiteral("timed out")), JobState::TimedOut, 15000);
        start(spec(test::testChildCommand({QStringLiteral("--sleep"), QStringLiteral("-1")}),
                   QStringLiteral("running")));
        QTRY_COMPARE(state(QStringLiteral("running")), JobState::Running);
        start(spec(QStringLiteral("exit 0"), QStringLiteral("queued")));
        QCOMPARE(state(QStringLiteral("queued")), JobState::Pending);
    }

    void cleanupTestCase() {
        QVERIFY(test::runTask(m_supervisor.shutdown(), 20s));
        QCOMPARE(m_supervisor.processesAlive(), 0);
    }

    void filters_data() {
        QTest::addColumn<JobFilterModel::Filter>("filter");
        QTest::addColumn<QStringList>("shown");
        QTest::newRow("all") << JobFilterModel::Filter::All
                             << QStringList{"queued", "running", "timed out", "failed",
                                            "completed"};
        QTest::newRow("active") << JobFilterModel::Filter::Active
                                << QStringList{"queued", "running"};
        QTest::newRow("running") << JobFilterModel::Filter::Running << QStringList{"running"};
        QTest::newRow("failed") << JobFilterModel::Filter::Failed
                                << QStringList{"timed out", "failed"};
        QTest::newRow("finished") << JobFilterModel::Filter::Finished
                                  << QStringList{"timed out", "failed", "completed"};
    }
    void filters() {
        QFETCH(JobFilterModel::Filter, filter);
        QFETCH(QStringList, shown);
        JobFilterModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSourceModel(&m_jobs);
        model.setFilter(filter);
        QCOMPARE(labels(model), shown);
        QCOMPARE(model.count(), shown.size());
        QCOMPARE(model.jobIds().size(), shown.size());
    }

    // A running job shows what its processes use, as sampled; the others show nothing, and
    // none shows progress it does not have.
    void resourcesOfRunningJobsOnly() {
        const auto row = [this](const QString &name) {
            return m_jobs.index(m_jobs.rowOf(m_ids[name]), 0);
        };
        // Its first sample comes within about a second and a half, not at once.
        QTRY_VERIFY_WITH_TIMEOUT(
            !row(QStringLiteral("running")).data(JobListModel::ResourcesRole).toString().isEmpty(),
            30000);
        QVERIFY(row(QStringLiteral("running"))
                    .data(JobListModel::ResourcesRole)
                    .toString()
                    .contains(QLatin1Char('%')));
        for (const char *name : {"queued", "timed out", "failed", "completed"})
            QCOMPARE(row(QLatin1String(name)).data(JobListModel::ResourcesRole).toString(),
                     QString());
        for (const char *name : {"running", "queued", "completed"}) {
            QCOMPARE(row(QLatin1String(name)).data(JobListModel::ProgressRole).toDouble(), -1.0);
            QCOMPARE(row(QLatin1String(name)).data(JobListModel::EtaRole).toString(), QString());
        }
        // No memory guard here: the queued job waits for its slot, not for memory.
        QCOMPARE(row(QStringLiteral("queued")).data(JobListModel::ResultRole).toString(),
                 QString());
    }

    // While the machine is short of memory (the memory guard), a queued job says so; once
    // there is memory, it runs.
    void queuedJobSaysItWaitsForMemory() {
        QTemporaryDir dir;
        const QString meminfo = dir.filePath(QStringLiteral("meminfo"));
        const auto writeAvailable = [&meminfo](qint64 kib) {
            QFile file(meminfo);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(QByteArray("MemAvailable: ") + QByteArray::number(kib) + " kB\n");
        };
        writeAvailable(1024);
        JobSupervisor::Config config;
        config.maxParallel = 2;
        config.minAvailableMemoryBytes = qint64(1) << 30;
        config.meminfoPath = meminfo;
        JobSupervisor supervisor(config);
        JobService service(&supervisor);
        JobListModel jobs(&service);
        QSignalSpy changed(&jobs, &QAbstractItemModel::dataChanged);
        const StartResult started = supervisor.start(spec(QStringLiteral("exit 0"), "held"));
        QVERIFY(started);
        QCOMPARE(jobs.index(0, 0).data(JobListModel::ResultRole).toString(),
                 QStringLiteral("waiting for memory"));
        writeAvailable(qint64(8) << 20);
        QTRY_COMPARE_WITH_TIMEOUT(started.job->state(), JobState::Completed, 15000);
        QCOMPARE(jobs.index(0, 0).data(JobListModel::ResultRole).toString(),
                 QStringLiteral("exit 0"));
        // The row was told when the wait ended, not only when the job's state moved.
        QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
            return args.at(2).value<QList<int>>() == QList<int>{JobListModel::ResultRole};
        }));
        QVERIFY(test::runTask(supervisor.shutdown(), 20s));
    }

    void orders_data() {
        QTest::addColumn<JobFilterModel::Order>("order");
        QTest::addColumn<QStringList>("shown");
        QTest::newRow("newest first")
            << JobFilterModel::Order::Newest
            << QStringList{"queued", "running", "timed out", "failed", "completed"};
        // What needs watching first.
        QTest::newRow("by state") << JobFilterModel::Order::State
                                  << QStringList{"running", "queued", "failed", "timed out",
                                                 "completed"};
        // The queued job starts next; then the latest started.
        QTest::newRow("by start time")
            << JobFilterModel::Order::Started
            << QStringList{"queued", "running", "timed out", "failed", "completed"};
    }
    void orders() {
        QFETCH(JobFilterModel::Order, order);
        QFETCH(QStringList, shown);
        JobFilterModel model;
        model.setSourceModel(&m_jobs);
        model.setOrder(order);
        QCOMPARE(labels(model), shown);
        model.setOrder(JobFilterModel::Order::Newest);
        QCOMPARE(labels(model),
                 (QStringList{"queued", "running", "timed out", "failed", "completed"}));
    }

    // Selected by id: a range follows the rows as shown, and the selection survives a filter
    // that hides part of it.
    void selection() {
        JobFilterModel model;
        model.setSourceModel(&m_jobs);
        model.setOrder(JobFilterModel::Order::State);
        JobSelection selection;
        selection.select(m_ids[QStringLiteral("queued")]);
        selection.extendTo(&model, m_ids[QStringLiteral("timed out")]);
        QCOMPARE(selection.ids(),
                 (QList<int>{m_ids[QStringLiteral("queued")], m_ids[QStringLiteral("failed")],
                             m_ids[QStringLiteral("timed out")]}));
        selection.toggle(m_ids[QStringLiteral("failed")]);
        selection.toggle(m_ids[QStringLiteral("completed")]);
        QCOMPARE(selection.count(), 3);
        QVERIFY(!selection.contains(m_ids[QStringLiteral("failed")]));
        // Shift from the anchor (the last job picked with Ctrl) upwards.
        selection.extendTo(&model, m_ids[QStringLiteral("failed")]);
        QCOMPARE(selection.ids(),
                 (QList<int>{m_ids[QStringLiteral("completed")], m_ids[QStringLiteral("timed out")],
                             m_ids[QStringLiteral("failed")]}));

        model.setFilter(JobFilterModel::Filter::Active);
        selection.selectAll(&model);
        QCOMPARE(selection.count(), 2);
        model.setFilter(JobFilterModel::Filter::Failed);
        QCOMPARE(selection.count(), 2); // hidden, still selected
        selection.remove(m_ids[QStringLiteral("running")]);
        QCOMPARE(selection.ids(), QList<int>{m_ids[QStringLiteral("queued")]});
        // The anchor is hidden by the filter: Shift starts afresh.
        selection.extendTo(&model, m_ids[QStringLiteral("failed")]);
        QCOMPARE(selection.ids(), QList<int>{m_ids[QStringLiteral("failed")]});
    }

    // A state change moves a job to its place in the order and out of a filter at once.
    void groupsAndTheirQueues() {
        JobSupervisor supervisor{JobSupervisor::Config{1, QString()}};
        JobService service{&supervisor};
        JobListModel jobs{&service};
        GroupListModel groups{&service};
        QAbstractItemModelTester groupsTester(
            &groups, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(service.setGroupForThisRun({QStringLiteral("net"), 2, {}, true}).isEmpty());
        QVERIFY(service.pauseGroup(QStringLiteral("net"), false).isEmpty());
        QVERIFY(service.pauseGroup(defaultGroupName(), false).isEmpty());
        const auto add = [&](const QString &name, const QString &group, int delaySeconds = 0) {
            JobSpec s = spec(QStringLiteral("true"), name);
            s.group = group;
            if (delaySeconds > 0)
                s.startAt = QDateTime::currentDateTime().addSecs(delaySeconds);
            return service.add(s).id;
        };
        add(QStringLiteral("a"), QStringLiteral("net"));
        const qint64 b = add(QStringLiteral("b"), QStringLiteral("net"));
        add(QStringLiteral("c"), QString());
        const qint64 d = add(QStringLiteral("d"), QStringLiteral("net"), 3600);
        QTRY_COMPARE(service.job(d)->state(), JobState::Waiting);

        JobFilterModel view;
        view.setSourceModel(&jobs);
        view.setGroup(QStringLiteral("net"));
        QCOMPARE(labels(view), (QStringList{"d", "b", "a"}));
        view.setOrder(JobFilterModel::Order::Queue);
        QCOMPARE(labels(view), (QStringList{"a", "b", "d"}));
        QVERIFY(service.moveToFront(b));
        QTRY_COMPARE(labels(view), (QStringList{"b", "a", "d"}));
        view.setGroup(QString());
        QCOMPARE(view.rowCount(), 4);

        const QModelIndex delayed = jobs.index(jobs.rowOf(d), 0);
        QVERIFY2(delayed.data(JobListModel::StartsInRole)
                     .toString()
                     .contains(QRegularExpression("^starts in (59:5\\d|1:00:00)$")),
                 qPrintable(delayed.data(JobListModel::StartsInRole).toString()));
        QVERIFY(delayed.data(JobListModel::WaitReasonRole).toString().startsWith("starts at "));
        QCOMPARE(delayed.data(JobListModel::GroupRole).toString(), QStringLiteral("net"));
        QCOMPARE(jobs.index(jobs.rowOf(b), 0).data(JobListModel::StartsInRole).toString(),
                 QString());

        QCOMPARE(groups.rowCount(), 2);
        const QModelIndex net = groups.index(1, 0);
        QCOMPARE(net.data(GroupListModel::NameRole).toString(), QStringLiteral("net"));
        QCOMPARE(net.data(GroupListModel::MaxParallelRole).toInt(), 2);
        QCOMPARE(net.data(GroupListModel::PauseOnFailureRole).toBool(), true);
        QCOMPARE(net.data(GroupListModel::PausedRole).toBool(), true);
        QCOMPARE(net.data(GroupListModel::QueuedRole).toInt(), 3);
        QCOMPARE(net.data(GroupListModel::RunningRole).toInt(), 0);
        QCOMPARE(net.data(GroupListModel::DeletableRole).toBool(), true);
        QCOMPARE(groups.index(0, 0).data(GroupListModel::DeletableRole).toBool(), false);
        QVERIFY(service.resumeGroup(QStringLiteral("net")).isEmpty());
        QTRY_COMPARE(net.data(GroupListModel::PausedRole).toBool(), false);
        QTRY_COMPARE(service.job(b)->state(), JobState::Completed);
        QTRY_COMPARE(groups.index(1, 0).data(GroupListModel::TotalRole).toInt(), 3);
        QVERIFY(test::runTask(supervisor.shutdown(), 20s));
    }

    void stateChangeMovesTheRow() {
        JobFilterModel byState;
        byState.setSourceModel(&m_jobs);
        byState.setOrder(JobFilterModel::Order::State);
        JobFilterModel active;
        active.setSourceModel(&m_jobs);
        active.setFilter(JobFilterModel::Filter::Active);
        QVERIFY(m_supervisor.cancel(m_ids[QStringLiteral("running")]));
        QTRY_COMPARE_WITH_TIMEOUT(state(QStringLiteral("running")), JobState::Cancelled, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(state(QStringLiteral("queued")), JobState::Completed, 15000);
        QCOMPARE(labels(byState),
                 (QStringList{"failed", "timed out", "running", "queued", "completed"}));
        QCOMPARE(active.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJobList)
#include "tst_joblist.moc"
