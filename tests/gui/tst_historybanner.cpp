// The window's history banner with a real store: the queued jobs of a window that died come
// back as "N queued jobs from the last session", Start them runs them under their ids,
// Discard cancels them in the store; a history that is not saved is said.
#include "guiapplication.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"
#include "testutil.h"
#include "windowfixture.h"

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

// A window on the store of stateDir, as the application runs it.
struct Window : test::StoredWindow {
    using StoredWindow::StoredWindow;
    QQuickItem *find(const QString &name) const { return StoredWindow::find<QQuickItem>(name); }
    void click(const QString &name) const {
        QQuickItem *item = find(name);
        QVERIFY2(item, qPrintable(name));
        QTRY_VERIFY(item->isVisible() && item->isEnabled());
        const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        QTest::mouseClick(window, Qt::LeftButton, {}, centre.toPoint());
    }
    // Every label text under the item.
    static QStringList texts(const QQuickItem *item) {
        QStringList found;
        for (const QQuickItem *child : item->childItems()) {
            const QVariant text = child->property("text");
            if (text.isValid())
                found << text.toString();
            found << texts(child);
        }
        return found;
    }
};

// Leaves a store whose window "crashed" with three queued jobs: a window run of a process
// that is gone, never closed.
void leaveQueuedJobs(const QString &stateDir) {
    {
        JobStore store(stateDir, RunKind::Window);
        for (int i = 0; i < 3; ++i) {
            JobRecord job;
            job.id = store.allocateJobId();
            job.spec.command = QStringLiteral("echo queued %1").arg(i);
            job.spec.workingDirectory = stateDir;
            job.spec.environment.insert(QStringLiteral("FOO"), QStringLiteral("bar"));
            job.createdAt = QDateTime::currentDateTime();
            store.writeJob(job);
        }
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(JobStore::databasePath(stateDir));
    QVERIFY(db.open());
    QSqlQuery query(db);
    // The run that wrote them never ended: as after a crash (another boot, so surely dead).
    QVERIFY(query.exec(QStringLiteral("UPDATE runs SET ended_at = NULL, boot_id = 'gone' WHERE "
                                      "kind = 'window'")));
    query = QSqlQuery();
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

} // namespace

class TestHistoryBanner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::err); }

    void startsTheLastSessionsQueue() {
        QTemporaryDir dir;
        leaveQueuedJobs(dir.path());
        Window w(dir.path());
        QCOMPARE(w.store.queuedFromLastSession().size(), 3);
        QVERIFY(w.load());
        QQuickItem *banner = w.find(QStringLiteral("queuedFromLastSession"));
        QVERIFY(banner);
        QTRY_VERIFY(banner->isVisible());
        const QString text = Window::texts(banner).join(' ');
        QVERIFY2(text.contains(QStringLiteral("3 queued job")) &&
                     text.contains(QStringLiteral("from the last session")),
                 qPrintable(text));
        const QList<JobRecord> queued = w.store.queuedFromLastSession();
        w.click(QStringLiteral("startQueuedButton"));
        QTRY_VERIFY(!banner->isVisible());
        for (const JobRecord &record : queued) {
            Job *job = w.service.job(record.id); // under its own id, with its whole spec
            QVERIFY(job);
            QCOMPARE(job->spec().environment.value("FOO"), QStringLiteral("bar"));
            QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, 20000);
        }
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(w.store.flush());
        for (const JobRecord &record : queued)
            QCOMPARE(w.store.job(record.id)->state, JobState::Completed);
    }

    void discardsTheLastSessionsQueue() {
        QTemporaryDir dir;
        leaveQueuedJobs(dir.path());
        Window w(dir.path());
        QVERIFY(w.load());
        const QList<JobRecord> queued = w.store.queuedFromLastSession();
        QCOMPARE(queued.size(), 3);
        w.click(QStringLiteral("discardQueuedButton"));
        QTRY_VERIFY(!w.find(QStringLiteral("queuedFromLastSession"))->isVisible());
        QCOMPARE(w.service.jobs().size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(w.store.job(queued.constFirst().id)->state, JobState::Cancelled,
                                  10000);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    void saysWhenHistoryIsNotSaved() {
        QTemporaryDir dir;
        { JobStore store(dir.path(), RunKind::Window); }
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v"));
            db.setDatabaseName(JobStore::databasePath(dir.path()));
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v"));
        Window w(dir.path());
        QVERIFY(w.load());
        QQuickItem *problem = w.find(QStringLiteral("historyProblem"));
        QVERIFY(problem);
        QTRY_VERIFY(problem->isVisible());
        const QString text = Window::texts(problem).join(' ');
        QVERIFY2(text.contains(QStringLiteral("not being saved")), qPrintable(text));
        QVERIFY(!w.find(QStringLiteral("queuedFromLastSession"))->isVisible());
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }
};

QTEST_MAIN(TestHistoryBanner)
#include "tst_historybanner.moc"
