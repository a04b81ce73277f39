// The job list with the history over a real store in a temporary folder: stored jobs of an
// earlier run read a page at a time, newest first, filtered by the store (state, text, date),
// this run's jobs on top and never listed twice; a stored job shown in the details with its
// whole spec and saved output, run again and removed; the form's Recent list from the store;
// a running job's expected progress from its command's history.
#include "historylistmodel.h"
#include "jobdetails.h"
#include "jobfiltermodel.h"
#include "jobform.h"
#include "joblistmodel.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

constexpr int Stored = 250;
const QDateTime Epoch = QDateTime::currentDateTime().addDays(-10);

// Stored job i: created i minutes after Epoch, so the newest has the highest i; every tenth
// failed, the rest completed after 10 s; each with a folder and FOO=<i> in its environment.
JobRecord storedJob(JobStore &store, int i, const QString &command = {}) {
    JobRecord job;
    job.id = store.allocateJobId();
    job.spec.command = command.isEmpty() ? QStringLiteral("make test-%1").arg(i) : command;
    job.spec.name = i % 7 == 0 ? QStringLiteral("nightly %1").arg(i) : QString();
    job.spec.workingDirectory = QDir::tempPath();
    job.spec.environment.insert(QStringLiteral("FOO"), QString::number(i));
    job.createdAt = Epoch.addSecs(i * 60);
    store.writeJob(job);
    AttemptRecord attempt;
    attempt.jobId = job.id;
    attempt.attempt = 1;
    attempt.traceId = QStringLiteral("trace-%1").arg(i);
    attempt.startedAt = job.createdAt;
    attempt.endedAt = job.createdAt.addSecs(10);
    attempt.outcome = QStringLiteral("Exited");
    attempt.exitCode = i % 10 == 0 ? 2 : 0;
    // Where its output would be; the tests that read it write the files.
    attempt.outputDirectory = store.outputRoot() + QStringLiteral("/%1/1").arg(job.id);
    store.writeAttempt(attempt);
    job.attempts = 1;
    job.startedAt = attempt.startedAt;
    job.traceId = attempt.traceId;
    job.state = JobState::Running;
    store.writeTransition(job.id,
                          {JobState::Pending,
                           JobState::Running,
                           JobEvent::Launch,
                           job.startedAt,
                           QStringLiteral("attempt 1 of 1 started"),
                           1,
                           {},
                           {}},
                          job);
    job.state = i % 10 == 0 ? JobState::Failed : JobState::Completed;
    job.exitCode = attempt.exitCode;
    job.endedAt = attempt.endedAt;
    store.writeTransition(job.id,
                          {JobState::Running,
                           job.state,
                           i % 10 == 0 ? JobEvent::ExitedWithError : JobEvent::Exited,
                           job.endedAt,
                           QStringLiteral("exit code %1").arg(*job.exitCode),
                           1,
                           job.exitCode,
                           {}},
                          job);
    return job;
}

QList<qint64> ids(const QAbstractItemModel &model) {
    QList<qint64> result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.index(row, 0).data(JobListModel::JobIdRole).toLongLong();
    return result;
}

// Asks for pages until the model has read every stored job that matches.
void readAll(HistoryListModel &model) {
    for (int pages = 0; pages < 100 && !model.isComplete(); ++pages) {
        QTRY_VERIFY(!model.isLoading());
        model.fetchMore({});
        QTRY_VERIFY(!model.isLoading());
    }
    QVERIFY(model.isComplete());
}

} // namespace

class TestHistoryList : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QList<JobRecord> m_stored; // oldest first
    std::unique_ptr<JobStore> m_store;
    std::unique_ptr<JobSupervisor> m_supervisor;
    std::unique_ptr<JobService> m_service;
    std::unique_ptr<JobListModel> m_live;

    // Stored ids matching pred, newest first.
    QList<qint64> storedIds(const std::function<bool(const JobRecord &)> &pred) const {
        QList<qint64> result;
        for (auto it = m_stored.crbegin(); it != m_stored.crend(); ++it)
            if (pred(*it))
                result << it->id;
        return result;
    }
    std::unique_ptr<HistoryListModel> model() {
        auto model = std::make_unique<HistoryListModel>();
        model->setSources(m_service.get(), m_live.get());
        return model;
    }

private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging();
        QVERIFY(m_dir.isValid());
        {
            JobStore earlier(m_dir.path(), RunKind::Headless);
            for (int i = 0; i < Stored; ++i)
                m_stored << storedJob(earlier, i);
            QVERIFY(earlier.flush());
        }
        m_store = std::make_unique<JobStore>(m_dir.path(), RunKind::Window);
        m_supervisor = std::make_unique<JobSupervisor>(JobSupervisor::Config{
            .maxParallel = 2, .outputDirectory = m_store->outputRoot(), .recorder = m_store.get()});
        m_service = std::make_unique<JobService>(m_supervisor.get(), m_store.get());
        m_live = std::make_unique<JobListModel>(m_service.get());
    }

    void cleanupTestCase() {
        QVERIFY(test::runTask(m_supervisor->shutdown(), 20s));
        QCOMPARE(m_supervisor->processesAlive(), 0);
    }

    // The first page only, then one more page each time the view asks.
    void readsPagesNewestFirst() {
        auto history = model();
        QTRY_COMPARE(history->rowCount(), HistoryListModel::PageSize);
        QVERIFY(history->canFetchMore({}));
        QCOMPARE(ids(*history), storedIds([](const JobRecord &) {
                                    return true;
                                }).mid(0, HistoryListModel::PageSize));
        history->fetchMore({});
        QTRY_COMPARE(history->rowCount(), 2 * HistoryListModel::PageSize);
        readAll(*history);
        QCOMPARE(history->rowCount(), Stored);
        QVERIFY(!history->canFetchMore({}));
        QCOMPARE(ids(*history), storedIds([](const JobRecord &) { return true; }));
    }

    void filters_data() {
        QTest::addColumn<JobFilterModel::Filter>("filter");
        QTest::addColumn<QString>("search");
        QTest::addColumn<int>("sinceMinute"); // -1: any time
        QTest::newRow("failed") << JobFilterModel::Filter::Failed << QString() << -1;
        QTest::newRow("finished") << JobFilterModel::Filter::Finished << QString() << -1;
        QTest::newRow("active") << JobFilterModel::Filter::Active << QString() << -1;
        QTest::newRow("command") << JobFilterModel::Filter::All << QStringLiteral("TEST-1") << -1;
        QTest::newRow("name") << JobFilterModel::Filter::All << QStringLiteral("nightly") << -1;
        QTest::newRow("since") << JobFilterModel::Filter::All << QString() << 200;
        QTest::newRow("all three")
            << JobFilterModel::Filter::Failed << QStringLiteral("test-1") << 100;
        QTest::newRow("no match") << JobFilterModel::Filter::All << QStringLiteral("%_") << -1;
    }
    // The store filters, the list shows exactly the stored jobs that match, newest first; the
    // filter model over it agrees.
    void filters() {
        QFETCH(JobFilterModel::Filter, filter);
        QFETCH(QString, search);
        QFETCH(int, sinceMinute);
        const QDateTime since = sinceMinute < 0 ? QDateTime() : Epoch.addSecs(sinceMinute * 60);
        auto history = model();
        // The tester asks for more rows itself, as a view does.
        QAbstractItemModelTester tester(history.get(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        history->setFilter(filter);
        history->setSearch(search);
        history->setSince(since);
        readAll(*history);
        const QList<JobState> states = JobFilterModel::statesOf(filter);
        const QList<qint64> expected = storedIds([&](const JobRecord &job) {
            return (states.isEmpty() || states.contains(job.state)) &&
                   (search.isEmpty() || job.spec.command.contains(search, Qt::CaseInsensitive) ||
                    job.spec.name.contains(search, Qt::CaseInsensitive)) &&
                   (!since.isValid() || job.createdAt >= since);
        });
        QCOMPARE(ids(*history), expected);
        JobFilterModel view;
        view.setSourceModel(history.get());
        view.setFilter(filter);
        view.setSearch(search);
        view.setSince(since);
        QCOMPARE(ids(view), expected);
    }

    // This run's jobs come first and are never listed again among the stored ones, whatever
    // page the store returns them in.
    void liveJobsOnTopOnce() {
        auto history = model();
        QTRY_COMPARE(history->rowCount(), HistoryListModel::PageSize);
        JobSpec spec;
        spec.command = QStringLiteral("exit 0");
        const qint64 id = m_service->add(spec).id;
        QVERIFY(id > 0);
        QCOMPARE(history->index(0, 0).data(JobListModel::JobIdRole).toLongLong(), id);
        QVERIFY(history->index(0, 0).data(JobListModel::LiveRole).toBool());
        QTRY_COMPARE(m_service->job(id)->state(), JobState::Completed);
        QVERIFY(m_store->flush());
        // Read again from the first page, which now holds the live job too.
        history->setFilter(JobFilterModel::Filter::Finished);
        readAll(*history);
        QCOMPARE(ids(*history).count(id), 1);
        QCOMPARE(history->rowOf(id), 0);
        QCOMPARE(history->rowCount(),
                 1 + storedIds([](const JobRecord &job) { return isFinal(job.state); }).size());
        QVERIFY(!history->index(1, 0).data(JobListModel::LiveRole).toBool());
    }

    // A stored job in the details: its record, its transitions and its saved output (every
    // attempt), and Run again takes its whole spec.
    void storedJobInDetails() {
        const JobRecord &job = m_stored[42];
        const QString attemptDir = m_store->outputRoot() + QStringLiteral("/%1/1").arg(job.id);
        QVERIFY(QDir().mkpath(attemptDir));
        for (const auto &[name, text] : {std::pair{"stdout", "first line\nsecond line\n"},
                                         std::pair{"stderr", "a warning\n"}}) {
            QFile file(attemptDir + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text);
        }

        JobDetails details;
        details.setService(m_service.get());
        details.setJobId(job.id);
        QTRY_VERIFY(details.isValid());
        QVERIFY(!details.isLive());
        QCOMPARE(details.command(), job.spec.command);
        QCOMPARE(details.workingDirectory(), job.spec.workingDirectory);
        QCOMPARE(details.environment(), QStringList{QStringLiteral("FOO=42")});
        QCOMPARE(details.stateName(), QStringLiteral("Completed"));
        QVERIFY(details.canRetry());
        QVERIFY(details.canRemove());
        QVERIFY(!details.canCancel());
        QTRY_COMPARE(details.transitions()->rowCount(), 2);
        QTRY_VERIFY(!details.isOutputLoading());
        OutputModel *output = details.output();
        QStringList texts;
        for (int row = 0; row < output->rowCount(); ++row)
            texts << output->index(row, 0).data(OutputModel::TextRole).toString();
        QVERIFY2(texts.contains(QStringLiteral("first line")), qPrintable(texts.join('|')));
        QVERIFY(texts.contains(QStringLiteral("second line")));
        QVERIFY(texts.contains(QStringLiteral("a warning")));

        JobForm form;
        form.setService(m_service.get());
        QVERIFY(form.loadFromJob(job.id));
        QTRY_COMPARE(form.command(), job.spec.command);
        QCOMPARE(form.environment(), QStringLiteral("FOO=42"));
        QCOMPARE(form.workingDirectory(), job.spec.workingDirectory);
        QVERIFY(form.isValid());
    }

    // Search over the whole saved output, every attempt, beyond the tail the window keeps:
    // the matches with their line numbers, stream and attempt.
    void wholeOutputSearch() {
        const JobRecord &job = m_stored[43];
        for (int attempt = 1; attempt <= 2; ++attempt) {
            const QString dir =
                m_store->outputRoot() + QStringLiteral("/%1/%2").arg(job.id).arg(attempt);
            QVERIFY(QDir().mkpath(dir));
            QFile out(dir + QStringLiteral("/stdout"));
            QVERIFY(out.open(QIODevice::WriteOnly));
            QFile err(dir + QStringLiteral("/stderr"));
            QVERIFY(err.open(QIODevice::WriteOnly));
            if (attempt == 1) {
                for (int line = 1; line <= 20000; ++line)
                    out.write(line == 3 ? "a NEEDLE here\n" : "hay\n");
                err.write("\x1b[31mneedle\x1b[0m on stderr\n");
            } else {
                out.write("needle again\n");
            }
            if (attempt == 1)
                continue; // stored with the job
            AttemptRecord record;
            record.jobId = job.id;
            record.attempt = attempt;
            record.startedAt = job.startedAt;
            record.endedAt = job.endedAt;
            record.outcome = QStringLiteral("Exited");
            record.exitCode = 0;
            record.outputDirectory = dir;
            m_store->writeAttempt(record);
        }
        QVERIFY(m_store->flush());

        JobDetails details;
        details.setService(m_service.get());
        details.setJobId(job.id);
        QTRY_VERIFY(details.isValid());
        QTRY_VERIFY(!details.isOutputLoading());
        QTRY_COMPARE(details.outputSearch()->sources().size(), 2);
        // The tail keeps the last lines only; the earlier ones are read back when asked for.
        OutputModel *output = details.output();
        QTRY_VERIFY_WITH_TIMEOUT(output->isPaged() && !details.isOutputLoading(), 20000);
        QVERIFY(output->droppedLines() > 0);
        QVERIFY(!output->isLineLoaded(3));
        OutputSearchModel *search = details.outputSearch();
        search->start(QStringLiteral("needle"));
        QTRY_VERIFY_WITH_TIMEOUT(search->isFinished(), 20000);
        QVERIFY(!search->isRunning());
        QStringList found;
        for (int row = 0; row < search->count(); ++row)
            found << search->index(row, 0).data(OutputSearchModel::TextRole).toString();
        QCOMPARE(found,
                 (QStringList{QStringLiteral("a NEEDLE here"), QStringLiteral("needle on stderr"),
                              QStringLiteral("needle again")}));
        auto at = [&](int row, int role) { return search->index(row, 0).data(role); };
        QCOMPARE(at(0, OutputSearchModel::LineRole).toLongLong(), 3);
        QCOMPARE(at(0, OutputSearchModel::TextRole).toString(), QStringLiteral("a NEEDLE here"));
        QCOMPARE(at(0, OutputSearchModel::StderrRole).toBool(), false);
        QCOMPARE(at(1, OutputSearchModel::LineRole).toLongLong(), 20001);
        QCOMPARE(at(1, OutputSearchModel::TextRole).toString(), QStringLiteral("needle on stderr"));
        QCOMPARE(at(1, OutputSearchModel::StderrRole).toBool(), true);
        QCOMPARE(at(2, OutputSearchModel::AttemptRole).toInt(), 2);
        // Every match can be shown: the first one is long gone from the tail.
        QSignalSpy revealed(output, &OutputModel::lineRevealed);
        output->revealLine(3);
        QTRY_COMPARE(revealed.size(), 1);
        QCOMPARE(output->index(output->rowOfLine(3), 0).data(OutputModel::TextRole).toString(),
                 QStringLiteral("a NEEDLE here"));
        // The same numbers as the tail's: the last match is a line it keeps.
        const int row =
            details.output()->rowOfLine(at(2, OutputSearchModel::LineRole).toLongLong());
        QVERIFY(row >= 0);
        QCOMPARE(details.output()->index(row, 0).data(OutputModel::TextRole).toString(),
                 QStringLiteral("needle again"));
        search->start(QStringLiteral("no such text"));
        QTRY_VERIFY(search->isFinished());
        QCOMPARE(search->count(), 0);
    }

    // Recent: the distinct commands of the latest jobs, each with its whole spec.
    void recentFromTheStore() {
        JobForm form;
        form.setService(m_service.get());
        form.refreshRecent();
        QTRY_VERIFY(!form.recentCommands().isEmpty());
        QCOMPARE(form.recentCommands().size(), 10);
        QCOMPARE(form.recentCommands().removeDuplicates(), 0);
        // The newest stored job of an earlier run is among them with its environment.
        const int at = int(form.recentCommands().indexOf(m_stored.constLast().spec.command));
        QVERIFY(at >= 0);
        form.useRecent(at);
        QCOMPARE(form.environment(), QStringLiteral("FOO=%1").arg(Stored - 1));
    }

    // Remove deletes a stored job's rows and output files and takes it off the list; a job
    // that has not ended stays.
    void removeStoredJob() {
        const JobRecord &job = m_stored[42];
        const QString jobDir = m_store->outputRoot() + QStringLiteral("/%1").arg(job.id);
        QVERIFY(QFileInfo::exists(jobDir + QStringLiteral("/1/stdout")));
        auto history = model();
        history->setSearch(job.spec.command);
        readAll(*history);
        QVERIFY(history->rowOf(job.id) >= 0);
        QSignalSpy removed(history.get(), &HistoryListModel::jobRemoved);
        // Reading the history again takes rows away without removing a job.
        history->setSearch(QStringLiteral("make"));
        history->setSearch(job.spec.command);
        readAll(*history);
        QCOMPARE(removed.size(), 0);
        QVERIFY(m_service->remove(job.id));
        QCOMPARE(history->rowOf(job.id), -1);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.constFirst().constFirst().toLongLong(), job.id);
        QVERIFY(m_store->flush());
        QVERIFY(!m_store->job(job.id));
        QVERIFY(!QFileInfo::exists(jobDir));
    }

    // Expected progress: from the mean of the command's last successful runs in its folder
    // (three stored runs of 10 s); none for a command without history.
    void expectedProgress_data() {
        QTest::addColumn<bool>("withHistory");
        QTest::newRow("with history") << true;
        QTest::newRow("without") << false;
    }
    void expectedProgress() {
        QFETCH(bool, withHistory);
        const QString command =
            test::testChildCommand({QStringLiteral("--sleep"), QStringLiteral("-1")}) +
            (withHistory ? QStringLiteral(" # known") : QStringLiteral(" # new"));
        if (withHistory) {
            JobStore earlier(m_dir.path(), RunKind::Headless);
            for (int i = 1; i <= 3; ++i)
                QCOMPARE(storedJob(earlier, 1000 + i, command).state, JobState::Completed);
            QVERIFY(earlier.flush());
        }
        JobSpec spec;
        spec.command = command;
        spec.workingDirectory = QDir::tempPath();
        const qint64 id = m_service->add(spec).id;
        QVERIFY(id > 0);
        QTRY_VERIFY(m_service->job(id)->isAttemptRunning());
        const QModelIndex row = m_live->index(m_live->rowOf(id), 0);
        const double progress = row.data(JobListModel::ProgressRole).toDouble();
        JobDetails details;
        details.setService(m_service.get());
        details.setJobId(id);
        QCOMPARE(details.expectedDuration(), withHistory ? 10000.0 : 0.0);
        QCOMPARE(details.expectedFromRuns(), withHistory ? 3 : 0);
        if (withHistory) {
            QVERIFY2(progress >= 0 && progress <= 1, qPrintable(QString::number(progress)));
            QCOMPARE(row.data(JobListModel::ProgressEstimatedRole).toBool(), true);
        } else {
            QCOMPARE(progress, -1.0);
        }
        QVERIFY(m_service->cancel(id));
        QTRY_VERIFY(isFinal(m_service->job(id)->state()));
        QCOMPARE(row.data(JobListModel::ProgressRole).toDouble(), -1.0);
    }
};

QTEST_MAIN(TestHistoryList)
#include "tst_historylist.moc"
