// Loads the real main window offscreen with a real JobSupervisor and drives it the way a user
// would: keyboard shortcuts, typing, clicking. Every process a test starts is proven dead.
#include "joblistmodel.h"
#include "logging.h"
#include "testutil.h"
#include "windowfixture.h"

#include <QSignalSpy>
#include <QStandardPaths>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

// QTest has keyClicks for widgets only; a window gets the characters one by one.
void typeText(QWindow *window, const QString &text) {
    for (const char c : text.toLatin1())
        QTest::keyClick(window, c);
}

// The window driven with QTest's synthetic input, which offscreen is all there is.
struct Window : test::Window {
    void click(const QString &name) const {
        auto *item = find<QQuickItem>(name);
        QVERIFY2(item, qPrintable(name));
        QTRY_VERIFY(item->isVisible() && item->isEnabled());
        const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        QTest::mouseClick(window, Qt::LeftButton, {}, centre.toPoint());
    }

    // Ctrl+N, type fields, Return: the way a user starts a job.
    void startJob(const QString &command, const QString &grace = {}) const {
        QObject *dialog = find(QStringLiteral("newJobDialog"));
        QTest::keyClick(window, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        auto *commandField = find<QQuickItem>(QStringLiteral("commandField"));
        QTRY_VERIFY(commandField->hasActiveFocus());
        typeText(window, command);
        QCOMPARE(commandField->property("text").toString(), command);
        if (!grace.isEmpty()) {
            auto *graceField = find<QQuickItem>(QStringLiteral("graceField"));
            graceField->forceActiveFocus();
            QMetaObject::invokeMethod(graceField, "selectAll");
            typeText(window, grace);
            QCOMPARE(graceField->property("text").toString(), grace);
        }
        QTest::keyClick(window, Qt::Key_Return);
        QTRY_VERIFY(!dialog->property("visible").toBool());
    }
};

QStringList transitionTargets(const JobDetails &details) {
    QStringList targets;
    const QAbstractItemModel *model = const_cast<JobDetails &>(details).transitions();
    for (int row = 0; row < model->rowCount(); ++row)
        targets.append(model->index(row, 0).data(TransitionModel::ToNameRole).toString());
    return targets;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        setupStderrLogging();
        QStandardPaths::setTestModeEnabled(true);
        test::installProcessWarningCounter();
    }

    void emptyWindow() {
        Window w;
        QVERIFY(w.load());
        QCOMPARE(w.listModel()->rowCount(), 0);
        QVERIFY(!w.details()->isValid());
        QCOMPARE(w.find(QStringLiteral("processCounter"))->property("text").toString(),
                 QStringLiteral("0 child processes"));
    }

    void startWatchAndCancel() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const QString command = test::testChildCommand(
            {QStringLiteral("--pidfile"), pidFile, QStringLiteral("--grandchild"),
             QStringLiteral("--stdout"), QStringLiteral("hello from stdout"),
             QStringLiteral("--stderr"), QStringLiteral("oops on stderr"),
             QStringLiteral("--sleep"), QStringLiteral("-1")});
        w.startJob(command);

        // The new job is listed, selected and shown.
        QCOMPARE(w.supervisor.jobs().size(), 1);
        const int id = w.supervisor.jobs().constFirst()->id();
        QCOMPARE(w.find(QStringLiteral("jobList"))->property("currentJobId").toInt(), id);
        JobDetails *details = w.details();
        QCOMPARE(details->jobId(), id);
        QTRY_COMPARE(details->stateName(), QStringLiteral("Running"));
        const QList<qint64> pids = test::waitForPids(pidFile, 2, 10s);
        QCOMPARE(pids.size(), 2);
        QCOMPARE(w.listModel()->index(0, 0).data(JobListModel::StateNameRole).toString(),
                 QStringLiteral("Running"));

        // Both channels arrive, told apart.
        OutputModel *output = details->output();
        QTRY_COMPARE(output->rowCount(), 2);
        for (int row = 0; row < 2; ++row) {
            const QModelIndex index = output->index(row, 0);
            const bool isStderr = index.data(OutputModel::StderrRole).toBool();
            QCOMPARE(index.data(OutputModel::TextRole).toString(),
                     isStderr ? QStringLiteral("oops on stderr")
                              : QStringLiteral("hello from stdout"));
        }

        // Delete cancels the selected job.
        QTest::keyClick(w.window, Qt::Key_Delete);
        QTRY_COMPARE_WITH_TIMEOUT(details->stateName(), QStringLiteral("Cancelled"), 15000);
        QVERIFY(test::waitUntilDead(pids, 10s).isEmpty());

        QCOMPARE(w.listModel()->index(0, 0).data(JobListModel::StateNameRole).toString(),
                 QStringLiteral("Cancelled"));
        QCOMPARE(transitionTargets(*details),
                 (QStringList{QStringLiteral("Running"), QStringLiteral("Stopping"),
                              QStringLiteral("Cancelled")}));
        const QModelIndex cancelledNode = details->diagramStates()->index(int(JobState::Cancelled));
        QVERIFY(cancelledNode.data(StateNodeModel::CurrentRole).toBool());
        StateEdgeModel *edges = details->diagramEdges();
        const QModelIndex lastEdge =
            edges->index(edges->rowOf(int(JobState::Stopping), int(JobState::Cancelled)));
        QVERIFY(lastEdge.data(StateEdgeModel::LatestRole).toBool());
        QVERIFY(w.find(QStringLiteral("detailsFacts"))
                    ->property("text")
                    .toString()
                    .startsWith(QStringLiteral("Job #%1").arg(id)));

        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QCOMPARE(w.supervisor.processesAlive(), 0);
    }

    // Closing with an active job asks first; confirming shows the stopping overlay, whose
    // "Kill all now" ends the job without waiting out its grace period.
    void closeWithActiveJob() {
        Window w;
        QVERIFY(w.load());
        QSignalSpy finished(&w.coordinator, &ShutdownCoordinator::finished);
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        w.startJob(test::testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                           QStringLiteral("--ignore-term"),
                                           QStringLiteral("--sleep"), QStringLiteral("-1")}),
                   QStringLiteral("60"));
        const QList<qint64> pids = test::waitForPids(pidFile, 1, 10s);
        QCOMPARE(pids.size(), 1);

        w.window->close();
        QObject *confirm = w.find(QStringLiteral("confirmQuitDialog"));
        QTRY_VERIFY(confirm->property("opened").toBool());
        QVERIFY(w.window->isVisible());
        QVERIFY(!w.coordinator.isShuttingDown());

        // "Keep working" changes nothing.
        w.click(QStringLiteral("keepWorkingButton"));
        QTRY_VERIFY(!confirm->property("visible").toBool());
        QVERIFY(!w.coordinator.isShuttingDown());
        QVERIFY(test::isPidAlive(pids.constFirst()));

        // Ctrl+Q asks the same question; this time stop all.
        QTest::keyClick(w.window, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY(confirm->property("opened").toBool());
        w.click(QStringLiteral("stopAllButton"));
        QTRY_VERIFY(w.coordinator.isShuttingDown());
        QTRY_VERIFY(w.find(QStringLiteral("stoppingOverlay"))->property("visible").toBool());
        auto *stoppingList = w.find(QStringLiteral("stoppingList"));
        QTRY_COMPARE(stoppingList->property("count").toInt(), 1);
        QVERIFY(w.window->isVisible());
        QCOMPARE(finished.count(), 0);

        w.click(QStringLiteral("killAllButton"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(test::waitUntilDead(pids, 10s).isEmpty());
        QCOMPARE(w.supervisor.processesAlive(), 0);
        QCOMPARE(w.details()->stateName(), QStringLiteral("Cancelled"));
    }

    void closeWithoutActiveJobsQuitsAtOnce() {
        Window w;
        QVERIFY(w.load());
        QSignalSpy finished(&w.coordinator, &ShutdownCoordinator::finished);
        w.window->close();
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!w.find(QStringLiteral("confirmQuitDialog"))->property("visible").toBool());
    }

    void cleanupTestCase() { QCOMPARE(test::destroyedWhileRunningWarnings(), 0); }
};

QTEST_MAIN(TestMainWindow)

#include "tst_mainwindow.moc"
