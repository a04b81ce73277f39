// Loads the real main window offscreen with a real JobSupervisor and drives it the way a user
// would: keyboard shortcuts, typing, clicking. Every process a test starts is proven dead.
#include "commandline.h"
#include "jobdefaults.h"
#include "jobform.h"
#include "joblistmodel.h"
#include "keepawake.h"
#include "logging.h"
#include "notifier.h"
#include "retention.h"
#include "settingsfile.h"
#include "testutil.h"
#include "windowfixture.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QScopeGuard>
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
    QQuickItem *outputLines() const { return find<QQuickItem>(QStringLiteral("outputLines")); }
    QObject *outputView() const { return find(QStringLiteral("outputView")); }
    bool following() const { return outputView()->property("following").toBool(); }

    // Shuts the supervisor down once the job has written its pid, and proves it is gone.
    bool shutDownLeavingNone(const QString &pidFile) {
        const QList<qint64> pids = test::waitForPids(pidFile, 1, 10s);
        return pids.size() == 1 && test::runTask(supervisor.shutdown(), 10s) &&
               test::waitUntilDead(pids, 10s).isEmpty();
    }

    // Number of the line at the bottom (or top) edge of the output view; 0 when none.
    qint64 lineAtEdge(bool bottom) const {
        QQuickItem *lines = outputLines();
        const qreal y = lines->property("contentY").toReal() + (bottom ? lines->height() - 3 : 2);
        QQuickItem *line = nullptr;
        QMetaObject::invokeMethod(lines, "itemAt", Q_RETURN_ARG(QQuickItem *, line),
                                  Q_ARG(qreal, lines->property("contentX").toReal() + 2),
                                  Q_ARG(qreal, y));
        return line ? line->property("number").toLongLong() : 0;
    }

    // The delegate of row of a ListView, scrolled into view.
    static QQuickItem *showRow(QQuickItem *view, int row) {
        if (row < 0)
            return nullptr;
        QMetaObject::invokeMethod(view, "positionViewAtIndex", Q_ARG(int, row),
                                  Q_ARG(int, 3 /* ListView.Center */));
        QQuickItem *item = nullptr;
        QMetaObject::invokeMethod(view, "itemAtIndex", Q_RETURN_ARG(QQuickItem *, item),
                                  Q_ARG(int, row));
        return item;
    }

    // The delegate of the output line with this number, scrolled into view.
    QQuickItem *showOutputLine(qint64 number) const {
        return showRow(outputLines(), details()->output()->rowOfLine(number));
    }

    bool clickItem(QQuickItem *item, Qt::KeyboardModifiers modifiers = {}) const {
        if (!item)
            return false;
        const QPointF at = item->mapToScene(QPointF(item->width() / 4, item->height() / 2));
        QTest::mouseClick(window, Qt::LeftButton, modifiers, at.toPoint());
        return true;
    }

    // Picks a job in the list with the mouse, as a user does.
    bool pickJob(int id, Qt::KeyboardModifiers modifiers = {}) const {
        auto *list = find<QQuickItem>(QStringLiteral("jobList"));
        QObject *rows = qvariant_cast<QObject *>(list->property("filterModel"));
        QQuickItem *item = nullptr;
        // Until the list has laid out the job's row where the model has it.
        if (!QTest::qWaitFor(
                [&] {
                    int row = -1;
                    QMetaObject::invokeMethod(rows, "rowOf", Q_RETURN_ARG(int, row),
                                              Q_ARG(int, id));
                    item = showRow(list, row);
                    return item && item->property("jobId").toInt() == id &&
                           !item->property("pressed").toBool();
                },
                5000))
            return false;
        QTest::qWait(50);
        return clickItem(item, modifiers) &&
               QTest::qWaitFor([&] { return currentJobId() == id || modifiers; }, 5000);
    }

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

// The lines "<from>" .. "<to>", one per line, with a pause before the last so that they reach
// the window in more than one batch, then the helper child sleeping with its pid recorded.
QString numberedLinesThenSleep(const QList<std::pair<int, int>> &ranges, const QString &pidFile) {
    QStringList parts;
    for (const auto &[from, to] : ranges)
        parts << QStringLiteral("seq %1 %2").arg(from).arg(to) << QStringLiteral("sleep 0.6");
    parts << test::testChildCommand(
        {QStringLiteral("--pidfile"), pidFile, QStringLiteral("--sleep"), QStringLiteral("-1")});
    return parts.join(QStringLiteral("; "));
}

JobSpec shellJob(const QString &command, const QString &name = {}) {
    JobSpec spec;
    spec.command = command;
    spec.name = name;
    return spec;
}

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
        QCOMPARE(w.window->title(), QStringLiteral("Job Monitor"));
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
        // The task bar shows the running count and the job shown, its command cut short.
        const QString shown = QStringLiteral("#%1 %2…").arg(id).arg(command.left(59));
        QTRY_COMPARE(w.window->title(), QStringLiteral("Job Monitor — 1 running — ") + shown);

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
        QCOMPARE(w.window->title(), QStringLiteral("Job Monitor — ") + shown);
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
        QCOMPARE(w.find(QStringLiteral("factJob"))->property("value").toString(),
                 QStringLiteral("#%1").arg(id));

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

    // Once the kept tail is full every batch drops rows at the top and adds as many at the
    // end, leaving the row count as it was: Follow must still keep the newest line in view.
    void followTracksAFullTail() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        Job *job =
            w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 6000}, {6001, 9000}}, pidFile)))
                .job;
        QVERIFY(w.pickJob(job->id()));
        QVERIFY(w.following());
        QTRY_COMPARE_WITH_TIMEOUT(job->output()->totalLines(), 9000, 20000);
        QVERIFY(job->output()->droppedLines() > 0);
        QTRY_COMPARE(w.lineAtEdge(true), 9000);
        QVERIFY(w.following());
        QVERIFY(w.outputLines()->property("atYEnd").toBool());
        QVERIFY(w.shutDownLeavingNone(pidFile));
    }

    // At the window's smallest size and at its first size, every control of the toolbar, the
    // details' actions and the output's tools is inside the window: rows wrap instead of
    // running off the edge.
    void controlsFitTheWindow_data() {
        QTest::addColumn<bool>("smallest");
        QTest::newRow("smallest") << true;
        QTest::newRow("first size") << false;
    }
    void controlsFitTheWindow() {
        QFETCH(bool, smallest);
        Window w;
        QVERIFY(w.load());
        if (smallest)
            w.window->resize(w.window->minimumSize());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        Job *job = w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 9000}}, pidFile))).job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->output()->totalLines(), 9000, 20000);
        QTRY_VERIFY(w.outputView()
                        ->property("model")
                        .value<QObject *>()
                        ->property("droppedLines")
                        .toLongLong() > 0);
        const QSizeF size = w.window->size();
        for (const char *name : {"toolbarActions", "toolbarView", "detailsActions",
                                 "outputSearchTools", "outputViewTools"}) {
            auto *row = w.find<QQuickItem>(QLatin1String(name));
            QVERIFY2(row, name);
            QTRY_VERIFY(!row->childItems().isEmpty());
            for (QQuickItem *control : row->childItems()) {
                if (!control->isVisible() || control->width() <= 0)
                    continue;
                const QRectF r =
                    control->mapRectToScene(QRectF(0, 0, control->width(), control->height()));
                const QByteArray what =
                    QByteArray(name) + ": " + control->metaObject()->className() + " " +
                    control->objectName().toUtf8() + " at " + QByteArray::number(r.left()) + ".." +
                    QByteArray::number(r.right()) + " in " + QByteArray::number(size.width());
                QVERIFY2(r.left() >= -0.5 && r.right() <= size.width() + 0.5, what.constData());
                QVERIFY2(r.top() >= -0.5 && r.bottom() <= size.height() + 0.5, what.constData());
            }
        }
        QVERIFY(w.shutDownLeavingNone(pidFile));
    }

    // Behind another tab the output view does not follow (laying out a flood's last lines there
    // would cost the event loop for nothing); shown again, it is at the newest line at once.
    void followCatchesUpWhenShownAgain() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        Job *job = w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 3000}}, pidFile))).job;
        QVERIFY(w.pickJob(job->id()));
        QObject *details = w.find(QStringLiteral("jobDetails"));
        details->setProperty("currentTab", 2);
        QTRY_VERIFY(!w.outputLines()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(job->output()->totalLines(), 3000, 20000);
        details->setProperty("currentTab", 0);
        QTRY_COMPARE(w.lineAtEdge(true), 3000);
        QVERIFY(w.following());
        QVERIFY(w.shutDownLeavingNone(pidFile));
    }

    // Scrolling up in one job turns Follow off for that job only; each job keeps where it was.
    void followAndScrollArePerJob() {
        Window w;
        QVERIFY(w.load());
        const QString pidA = w.dir.filePath(QStringLiteral("pids-a"));
        const QString pidB = w.dir.filePath(QStringLiteral("pids-b"));
        Job *a = w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 300}}, pidA))).job;
        QVERIFY(w.pickJob(a->id()));
        QTRY_COMPARE(w.lineAtEdge(true), 300);
        // Home goes to the first line, as a user scrolls up to read from the start.
        w.outputLines()->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_Home);
        QTRY_COMPARE(w.lineAtEdge(false), 1);
        QVERIFY(!w.following());

        Job *b = w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 400}}, pidB))).job;
        QVERIFY(w.pickJob(b->id()));
        QTRY_COMPARE(w.details()->jobId(), b->id());
        QTRY_COMPARE(w.lineAtEdge(true), 400);
        QVERIFY(w.following());

        QVERIFY(w.pickJob(a->id()));
        QTRY_COMPARE(w.details()->jobId(), a->id());
        QTRY_COMPARE(w.lineAtEdge(false), 1);
        QVERIFY(!w.following());
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // With the Active filter a job that ends leaves the list, but stays the one shown and acted
    // on: Delete then must not cancel another job.
    void activeFilterKeepsTheShownJob() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const QString sleeper =
            test::testChildCommand({QStringLiteral("--pidfile"), pidFile, QStringLiteral("--sleep"),
                                    QStringLiteral("-1")});
        Job *first = w.supervisor.start(shellJob(sleeper, QStringLiteral("first"))).job;
        Job *second = w.supervisor.start(shellJob(sleeper, QStringLiteral("second"))).job;
        QCOMPARE(test::waitForPids(pidFile, 2, 10s).size(), 2);
        w.find(QStringLiteral("jobList"))->setProperty("filter", 1 /* Active */);
        QVERIFY(w.pickJob(first->id()));
        QTRY_COMPARE(w.details()->jobId(), first->id());

        w.click(QStringLiteral("cancelButton"));
        QTRY_COMPARE_WITH_TIMEOUT(first->state(), JobState::Cancelled, 15000);
        QTRY_COMPARE(w.listModel()->rowCount(), 1);
        QCOMPARE(w.details()->jobId(), first->id());
        QCOMPARE(w.currentJobId(), first->id());
        QCOMPARE(w.find(QStringLiteral("detailsLabel"))->property("text").toString(),
                 QStringLiteral("first"));

        w.find<QQuickItem>(QStringLiteral("jobList"))->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_Delete);
        QTest::qWait(300);
        QCOMPARE(second->state(), JobState::Running);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(test::waitUntilDead(test::waitForPids(pidFile, 2, 0s), 10s).isEmpty());
    }

    // The search says how many lines match and which one is shown, while typing, and Enter
    // and Shift+Enter step through them.
    void searchCountsMatchesWhileTyping() {
        Window w;
        QVERIFY(w.load());
        Job *job = w.supervisor.start(shellJob(QStringLiteral("seq 1 41"))).job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE(w.details()->output()->rowCount(), 41);
        // From the top: the first match shown is the first at or below the view's top line.
        w.outputLines()->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_Home);
        QTRY_COMPARE(w.lineAtEdge(false), 1);
        QTest::keyClick(w.window, Qt::Key_F, Qt::ControlModifier);
        auto *field = w.find<QQuickItem>(QStringLiteral("searchField"));
        QTRY_VERIFY(field->hasActiveFocus());
        QObject *status = w.find(QStringLiteral("searchStatus"));
        typeText(w.window, QStringLiteral("3"));
        // 3, 13, 23, 30..39: 13 lines.
        QCOMPARE(status->property("text").toString(), QStringLiteral("1 of 13"));
        QVERIFY(field->hasActiveFocus());
        typeText(w.window, QStringLiteral("3"));
        QCOMPARE(status->property("text").toString(), QStringLiteral("1 of 1"));
        QCOMPARE(w.details()->output()->currentMatchLine(), 33);
        // Narrowed back, the match shown still matches and stays.
        QTest::keyClick(w.window, Qt::Key_Backspace);
        QCOMPARE(status->property("text").toString(), QStringLiteral("7 of 13"));
        QTest::keyClick(w.window, Qt::Key_Return);
        QCOMPARE(status->property("text").toString(), QStringLiteral("8 of 13"));
        QCOMPARE(w.details()->output()->currentMatchLine(), 34);
        QTest::keyClick(w.window, Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClick(w.window, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(status->property("text").toString(), QStringLiteral("6 of 13"));
        QCOMPARE(w.details()->output()->currentMatchLine(), 32);
        QVERIFY(w.lineAtEdge(false) <= 32 && w.lineAtEdge(true) >= 32);
        typeText(w.window, QStringLiteral("x"));
        QCOMPARE(status->property("text").toString(), QStringLiteral("No match"));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // Counts are integers in the user's locale, not "1.0001e+06".
    void countsAreWholeNumbers() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        const auto restore = qScopeGuard([] { QLocale::setDefault(QLocale::c()); });
        Window w;
        QVERIFY(w.load());
        // 1 006 000 lines of 80 bytes: a million of them drop out of the 5 000-line tail.
        Job *job = w.supervisor
                       .start(shellJob(test::testChildCommand(
                           {QStringLiteral("--flood"), QString::number(80 * 1006000)})))
                       .job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, 60000);
        const qint64 dropped = job->output()->droppedLines();
        QVERIFY2(dropped > 1000000, qPrintable(QString::number(dropped) + " of " +
                                               QString::number(job->output()->totalLines())));
        QTRY_COMPARE(w.find(QStringLiteral("droppedLines"))->property("text").toString(),
                     QStringLiteral("%1 earlier lines only in the saved output")
                         .arg(QLocale().toString(dropped)));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // While a job stops, Cancel would do nothing: only Kill now is offered, and it kills.
    void stoppingOffersKillOnly() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        JobSpec spec = shellJob(test::testChildCommand(
            {QStringLiteral("--pidfile"), pidFile, QStringLiteral("--ignore-term"),
             QStringLiteral("--sleep"), QStringLiteral("-1")}));
        spec.termination = TerminationSequence::standard(60s);
        Job *job = w.supervisor.start(spec).job;
        const QList<qint64> pids = test::waitForPids(pidFile, 1, 10s);
        QCOMPARE(pids.size(), 1);
        QVERIFY(w.pickJob(job->id()));
        QTRY_VERIFY(w.details()->canCancel());
        w.click(QStringLiteral("cancelButton"));
        QTRY_COMPARE(job->state(), JobState::Stopping);
        QTRY_VERIFY(!w.find<QQuickItem>(QStringLiteral("cancelButton"))->isVisible());
        QVERIFY(!w.details()->canCancel());
        QVERIFY(!w.find(QStringLiteral("cancelToolButton"))->property("enabled").toBool());
        w.click(QStringLiteral("killButton"));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Cancelled, 10000);
        QVERIFY(test::waitUntilDead(pids, 10s).isEmpty());
    }

    // During a flood rows drop off the top; the selection and the search match stay on the
    // lines they were on, and Copy copies those lines.
    void selectionAndMatchFollowTheirLines() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        Job *job =
            w.supervisor.start(shellJob(numberedLinesThenSleep({{1, 4500}, {4501, 6500}}, pidFile)))
                .job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->output()->totalLines(), 4500, 10000);
        QCOMPARE(job->output()->droppedLines(), 0);

        QVERIFY(w.clickItem(w.showOutputLine(4000)));
        QVERIFY(w.clickItem(w.showOutputLine(4002), Qt::ShiftModifier));
        QTest::keyClick(w.window, Qt::Key_F, Qt::ControlModifier);
        typeText(w.window, QStringLiteral("4321"));
        QCOMPARE(w.details()->output()->currentMatchLine(), 4321);

        QTRY_COMPARE_WITH_TIMEOUT(job->output()->totalLines(), 6500, 10000);
        QVERIFY(job->output()->droppedLines() >= 1500);
        // The rows stay where they were: the lines that left the tail are read back from the
        // saved output now.
        QVERIFY(w.details()->output()->isPaged());
        QCOMPARE(w.details()->output()->rowOfLine(4000), 3999);
        QGuiApplication::clipboard()->clear();
        w.outputLines()->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("4000\n4001\n4002"));
        QQuickItem *match = w.showOutputLine(4321);
        QVERIFY(match && match->property("current").toBool());
        QVERIFY(match->property("match").toBool());
        QQuickItem *selected = w.showOutputLine(4001);
        QVERIFY(selected && selected->property("selected").toBool());
        QVERIFY(!w.showOutputLine(3999)->property("selected").toBool());
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // After a failed attempt and a Retry the output marks where each attempt begins, and the
    // timeline counts on instead of starting again at attempt 1.
    void attemptsAreMarkedAndCounted() {
        Window w;
        QVERIFY(w.load());
        JobSpec spec = shellJob(QStringLiteral("echo try; exit 1"));
        spec.maxAttempts = 2;
        spec.backoff.initial = 50ms;
        Job *job = w.supervisor.start(spec).job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, 10000);
        QTest::keyClick(w.window, Qt::Key_R, Qt::ControlModifier);
        // Attempts are counted over Retry: the second run makes attempts 3 and 4.
        QTRY_COMPARE_WITH_TIMEOUT(job->attempt(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Failed, 10000);
        QCOMPARE(job->attemptOfRun(), 2);
        OutputModel *output = w.details()->output();
        QTRY_COMPARE(output->rowCount(), 4);
        QStringList headers;
        for (int row = 0; row < 4; ++row)
            headers << output->index(row).data(OutputModel::AttemptHeaderRole).toString();
        for (int attempt = 1; attempt <= 4; ++attempt)
            QVERIFY2(headers[attempt - 1].startsWith(QStringLiteral("Attempt %1").arg(attempt)),
                     qPrintable(headers.join(QLatin1Char('|'))));
        QVERIFY(headers[3].contains(job->traceId()));
        // And the view shows them, above their lines.
        QQuickItem *line = w.showOutputLine(3);
        QVERIFY(line);
        auto *header = line->findChild<QQuickItem *>(QStringLiteral("attemptHeader"));
        QVERIFY(header && header->isVisible());
        QVERIFY(header->property("text").toString().startsWith(QStringLiteral("Attempt 3")));

        QList<int> launched;
        TransitionModel *timeline = w.details()->transitions();
        for (int row = 0; row < timeline->rowCount(); ++row)
            if (timeline->index(row).data(TransitionModel::EventNameRole).toString() ==
                jobEventName(JobEvent::Launch))
                launched << timeline->index(row).data(TransitionModel::AttemptRole).toInt();
        QCOMPARE(launched, (QList<int>{1, 2, 3, 4}));
        QCOMPARE(w.details()->jobWideAttempt(), 4);
        QCOMPARE(w.details()->runs(), 2);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // Long lines scroll sideways, or wrap when asked to; a right-to-left line is still laid
    // out from the left; colour escapes are drawn, not shown.
    void longAndColouredLines() {
        Window w;
        QVERIFY(w.load());
        const QString longLine = QStringLiteral("x").repeated(600) + QStringLiteral("END");
        Job *job = w.supervisor
                       .start(shellJob(QStringLiteral("echo %1; printf '\\327\\220\\327\\221 "
                                                      "binary\\n'; printf '\\033[1;32mgreen "
                                                      "bold\\033[0m and plain\\n'")
                                           .arg(longLine)))
                       .job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE(w.details()->output()->rowCount(), 3);
        QQuickItem *lines = w.outputLines();
        QQuickItem *longItem = w.showOutputLine(1);
        QVERIFY(longItem);
        auto *longText = longItem->findChild<QQuickItem *>(QStringLiteral("lineText"));
        QVERIFY(longText);
        const qreal oneLine = longText->height();
        QTRY_VERIFY2(lines->property("contentWidth").toReal() > lines->width() * 1.5,
                     qPrintable(QStringLiteral("cw %1 w %2 widest %3 text %4")
                                    .arg(lines->property("contentWidth").toReal())
                                    .arg(lines->width())
                                    .arg(lines->property("widest").toReal())
                                    .arg(longText->property("implicitWidth").toReal())));
        QCOMPARE(longText->property("lineCount").toInt(), 1);

        w.outputView()->setProperty("wrap", true);
        QTRY_VERIFY(longText->property("lineCount").toInt() > 1);
        QVERIFY(longText->height() > oneLine * 1.5);
        QCOMPARE(lines->property("contentWidth").toReal(), lines->width());
        w.outputView()->setProperty("wrap", false);
        // Times in the gutter, when asked for: each line's arrival time before its number.
        w.outputView()->setProperty("timestamps", true);
        QQuickItem *first = w.showOutputLine(1);
        QVERIFY(first);
        const QString gutter = first->findChild<QQuickItem *>(QStringLiteral("gutterText"))
                                   ->property("text")
                                   .toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  1$"))
                     .match(gutter)
                     .hasMatch(),
                 qPrintable(gutter));
        w.outputView()->setProperty("timestamps", false);
        QTRY_COMPARE(longText->property("lineCount").toInt(), 1);

        auto *rtl = w.showOutputLine(2)->findChild<QQuickItem *>(QStringLiteral("lineText"));
        QCOMPARE(rtl->property("effectiveHorizontalAlignment").toInt(), int(Qt::AlignLeft));

        auto *coloured = w.showOutputLine(3)->findChild<QQuickItem *>(QStringLiteral("lineText"));
        QCOMPARE(w.details()->output()->index(2).data(OutputModel::TextRole).toString(),
                 QStringLiteral("green bold and plain"));
        QCOMPARE(coloured->property("textFormat").toInt(), 4 /* Text.StyledText */);
        QVERIFY(coloured->property("text").toString().contains(QStringLiteral("<b>green")));
        w.outputView()->setProperty("colours", false);
        QCOMPARE(coloured->property("textFormat").toInt(), 0 /* Text.PlainText */);
        QVERIFY(!coloured->property("text").toString().contains(QChar(0x1b)));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // Ten million lines: the line-number gutter fits eight digits.
    void gutterFitsEightDigits() {
        Window w;
        QVERIFY(w.load());
        Job *job =
            w.supervisor
                .start(shellJob(QStringLiteral("head -c 10000001 /dev/zero | tr '\\0' '\\n'")))
                .job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE_WITH_TIMEOUT(job->state(), JobState::Completed, 60000);
        QTRY_COMPARE(w.lineAtEdge(true), 10000001);
        QQuickItem *line = w.showOutputLine(10000001);
        QVERIFY(line);
        QQuickItem *number = nullptr;
        for (QQuickItem *child : line->findChildren<QQuickItem *>())
            if (child->property("text").toString() == QLatin1String("10000001"))
                number = child;
        QVERIFY(number);
        const qreal gutter = w.outputLines()->property("gutterWidth").toReal();
        QVERIFY2(number->property("implicitWidth").toReal() < gutter,
                 qPrintable(QStringLiteral("%1 in %2")
                                .arg(number->property("implicitWidth").toReal())
                                .arg(gutter)));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // Ctrl and Shift pick several jobs; the bulk actions act on all of them.
    void bulkActions() {
        Window w;
        QVERIFY(w.load());
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const QString sleeper =
            test::testChildCommand({QStringLiteral("--pidfile"), pidFile, QStringLiteral("--sleep"),
                                    QStringLiteral("-1")});
        QList<Job *> sleepers;
        for (int i = 0; i < 3; ++i)
            sleepers << w.supervisor.start(shellJob(sleeper)).job;
        Job *failed = w.supervisor.start(shellJob(QStringLiteral("exit 2"))).job;
        Job *done = w.supervisor.start(shellJob(QStringLiteral("exit 0"))).job;
        QCOMPARE(test::waitForPids(pidFile, 3, 10s).size(), 3);
        QTRY_COMPARE(failed->state(), JobState::Failed);
        QTRY_COMPARE(done->state(), JobState::Completed);

        // The first two sleepers with Shift, the third left alone.
        QVERIFY(w.pickJob(sleepers[0]->id()));
        QVERIFY(w.pickJob(sleepers[1]->id(), Qt::ShiftModifier));
        QObject *selection =
            qvariant_cast<QObject *>(w.find(QStringLiteral("jobList"))->property("selection"));
        QCOMPARE(selection->property("count").toInt(), 2);
        QTest::keyClick(w.window, Qt::Key_Delete);
        QTRY_COMPARE_WITH_TIMEOUT(sleepers[0]->state(), JobState::Cancelled, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(sleepers[1]->state(), JobState::Cancelled, 15000);
        QCOMPARE(sleepers[2]->state(), JobState::Running);

        // Ctrl+click adds the failed job; Ctrl+A selects every job shown.
        QVERIFY(w.pickJob(failed->id(), Qt::ControlModifier));
        QCOMPARE(selection->property("count").toInt(), 3);
        QTest::keyClick(w.window, Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(selection->property("count").toInt(), 5);

        // Retry failed: only the failed job (cancelled ones are not failures).
        QTest::keyClick(w.window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(failed->attempt(), 2);
        QCOMPARE(failed->attemptOfRun(), 1);
        QTRY_COMPARE(failed->history().last().event, JobEvent::ExitedWithError);
        QCOMPARE(failed->history().size(), 5);
        QCOMPARE(sleepers[0]->state(), JobState::Cancelled);

        // Clear finished: every ended job leaves the list; the running one stays.
        QTest::keyClick(w.window, Qt::Key_Delete, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(w.supervisor.jobs().size(), 1);
        QCOMPARE(w.supervisor.jobs().constFirst(), sleepers[2]);
        QCOMPARE(w.listModel()->rowCount(), 1);
        QCOMPARE(selection->property("count").toInt(), 1);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(test::waitUntilDead(test::waitForPids(pidFile, 3, 0s), 10s).isEmpty());
    }

    // The details say everything about the job, and its command can be copied whole.
    void detailsShowTheWholeJob() {
        Window w;
        QVERIFY(w.load());
        JobSpec spec = shellJob(QStringLiteral("echo one two three; sleep 600"));
        spec.workingDirectory = w.dir.path();
        spec.environment.insert(QStringLiteral("GREETING"), QStringLiteral("hello"));
        spec.timeout = 600s;
        Job *job = w.supervisor.start(spec).job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE(job->state(), JobState::Running);
        QCOMPARE(w.find(QStringLiteral("detailsCommand"))->property("text").toString(),
                 spec.command);
        QGuiApplication::clipboard()->clear();
        w.click(QStringLiteral("copyCommandButton"));
        QCOMPARE(QGuiApplication::clipboard()->text(), spec.command);
        const auto fact = [&](const char *name) {
            return w.find(QLatin1String(name))->property("value").toString();
        };
        QCOMPARE(fact("factFolder"), w.dir.path());
        QCOMPARE(fact("factEnvironment"), QStringLiteral("GREETING=hello"));
        QTRY_COMPARE(fact("factOutput"), job->outputDirectory(1));
        QVERIFY(!fact("factStarted").isEmpty());
        QVERIFY(fact("factEnded").isEmpty());
        QTRY_VERIFY(fact("factTimeout").contains(QStringLiteral("left")));
        QVERIFY(fact("factTimeout").startsWith(QStringLiteral("10:00 per attempt")));
        QVERIFY(!fact("factDuration").isEmpty());
        QCOMPARE(fact("factAttempt"), QStringLiteral("1 of 1"));
        // The command's own pid (the shell's, not its shim's) and its tree: the shell and sleep.
        QTRY_VERIFY(job->processes().commandPid > 0);
        QTRY_COMPARE_WITH_TIMEOUT(
            fact("factProcess"),
            QStringLiteral("pid %1, 2 processes running").arg(job->processes().commandPid), 15000);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // The window's words for a state: the list, the details and the status bar agree.
    void queuedIsQueuedEverywhere() {
        Window w;
        QVERIFY(w.load());
        w.supervisor.setMaxParallel(1);
        const QString sleeper =
            test::testChildCommand({QStringLiteral("--sleep"), QStringLiteral("-1")});
        w.supervisor.start(shellJob(sleeper));
        Job *queued = w.supervisor.start(shellJob(sleeper)).job;
        QCOMPARE(queued->state(), JobState::Pending);
        QVERIFY(w.pickJob(queued->id()));
        QCOMPARE(w.details()->stateName(), QStringLiteral("Queued"));
        QCOMPARE(w.listModel()->index(0, 0).data(JobListModel::StateNameRole).toString(),
                 QStringLiteral("Queued"));
        QString counter;
        for (QQuickItem *item :
             w.find(QStringLiteral("queuedCounter"))->findChildren<QQuickItem *>())
            counter += item->property("text").toString();
        QCOMPARE(counter, QStringLiteral("1 queued"));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    // Ctrl+, opens the settings; Save writes them to the settings file, a bad value stays in
    // the dialog with the reason and writes nothing.
    void settingsDialog() {
        Window w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        QVERIFY(w.load());
        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("keepDaysBox"))->property("value").toInt(), 90);
        QCOMPARE(w.find(QStringLiteral("maxOutputField"))->property("text").toString(),
                 QStringLiteral("2"));
        w.find(QStringLiteral("keepDaysBox"))->setProperty("value", 7);
        w.find(QStringLiteral("maxOutputField"))->setProperty("text", QStringLiteral("0.5"));
        w.find(QStringLiteral("notificationsBox"))->setProperty("checked", false);
        w.find(QStringLiteral("keepAwakeBox"))->setProperty("checked", true);
        QVERIFY(w.find(QStringLiteral("showRunningBox"))->property("checked").toBool());
        w.find(QStringLiteral("showRunningBox"))->setProperty("checked", false);
        w.click(QStringLiteral("saveSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 7);
        QCOMPARE(RetentionPolicy::load(settingsFile()).maxOutputBytes, qint64(512) << 20);
        QVERIFY(!Notifier::Settings::load().enabled);
        QVERIFY(!Notifier::Settings::load().showRunning);
        QVERIFY(KeepAwake::enabledInSettings());

        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("keepDaysBox"))->property("value").toInt(), 7);
        w.find(QStringLiteral("keepDaysBox"))->setProperty("value", 30);
        w.find(QStringLiteral("maxOutputField"))->setProperty("text", QStringLiteral("lots"));
        w.click(QStringLiteral("saveSettingsButton"));
        QVERIFY(dialog->property("visible").toBool());
        QCOMPARE(w.find(QStringLiteral("settingsError"))->property("text").toString(),
                 QStringLiteral("Enter the output to keep in GiB, like 2 or 0.5"));
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 7);
        w.click(QStringLiteral("cancelSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        setSettingsFile(defaultSettingsFile());
    }

    // The defaults of new jobs and of the queue: the dialog shows the built-in ones at first;
    // Save keeps them, the New job form starts with the grace period, and the jobs at once
    // apply to the running queue at once.
    void settingsDialogDefaults() {
        Window w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        const auto restore = qScopeGuard([] { setSettingsFile(defaultSettingsFile()); });
        QVERIFY(w.load());
        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("defaultGraceField"))->property("text").toString(),
                 QStringLiteral("5"));
        QCOMPARE(w.find(QStringLiteral("defaultMaxParallelBox"))->property("value").toInt(), 4);
        QCOMPARE(w.find(QStringLiteral("defaultMaxParallelBox"))->property("to").toInt(),
                 limits::maxParallel);
        w.find(QStringLiteral("defaultGraceField"))->setProperty("text", QStringLiteral("2.5"));
        w.find(QStringLiteral("defaultMaxParallelBox"))->setProperty("value", 6);
        w.click(QStringLiteral("saveSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(JobDefaults::load(), (JobDefaults{2500ms, 6}));
        QCOMPARE(w.service.maxParallel(), 6);
        QCOMPARE(w.find(QStringLiteral("maxParallelSpin"))->property("value").toInt(), 6);

        QObject *newJob = w.find(QStringLiteral("newJobDialog"));
        QTest::keyClick(w.window, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(newJob->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("graceField"))->property("text").toString(),
                 QStringLiteral("2.5"));
        QTest::keyClick(w.window, Qt::Key_Escape);
        QTRY_VERIFY(!newJob->property("visible").toBool());

        // The status bar's limit is for this run: saving the other settings keeps it.
        w.service.setMaxParallel(9);
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("defaultMaxParallelBox"))->property("value").toInt(), 6);
        w.find(QStringLiteral("keepDaysBox"))->setProperty("value", 12);
        w.click(QStringLiteral("saveSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 12);
        QCOMPARE(w.service.maxParallel(), 9);
    }

    // A grace period the New job form refuses, the dialog refuses with the form's words, and
    // writes nothing.
    void settingsRefuseWhatTheFormRefuses_data() {
        QTest::addColumn<QString>("grace");
        QTest::newRow("not a number") << QStringLiteral("lots");
        QTest::newRow("negative") << QStringLiteral("-1");
        QTest::newRow("below a millisecond") << QStringLiteral("0.0001");
        QTest::newRow("beyond the limit")
            << QString::number(limits::maxTerminationWait.count() / 1000 + 1);
    }
    void settingsRefuseWhatTheFormRefuses() {
        QFETCH(QString, grace);
        Window w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        const auto restore = qScopeGuard([] { setSettingsFile(defaultSettingsFile()); });
        QVERIFY(w.load());
        JobForm form;
        form.setGrace(grace);
        QVERIFY(!form.graceError().isEmpty());
        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        w.find(QStringLiteral("keepDaysBox"))->setProperty("value", 12);
        w.find(QStringLiteral("defaultGraceField"))->setProperty("text", grace);
        w.click(QStringLiteral("saveSettingsButton"));
        QVERIFY(dialog->property("visible").toBool());
        QCOMPARE(w.find(QStringLiteral("settingsError"))->property("text").toString(),
                 form.graceError());
        QCOMPARE(RetentionPolicy::load(settingsFile()).keepDays, 90);
        QCOMPARE(JobDefaults::load(), JobDefaults());
        w.click(QStringLiteral("cancelSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
    }

    // More jobs at once in the settings start a job that was waiting for a slot, at once.
    void settingsMaxParallelStartsAWaitingJob() {
        Window w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        const auto restore = qScopeGuard([] { setSettingsFile(defaultSettingsFile()); });
        QVERIFY(w.load());
        w.service.setMaxParallel(1);
        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        const JobSpec sleeper =
            shellJob(test::testChildCommand({QStringLiteral("--pidfile"), pidFile,
                                             QStringLiteral("--sleep"), QStringLiteral("-1")}));
        Job *first = w.service.job(w.service.add(sleeper).id);
        Job *second = w.service.job(w.service.add(sleeper).id);
        QVERIFY(first && second);
        QTRY_COMPARE(first->state(), JobState::Running);
        QCOMPARE(test::waitForPids(pidFile, 1, 10s).size(), 1);
        QCOMPARE(second->state(), JobState::Pending);

        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        w.find(QStringLiteral("defaultMaxParallelBox"))->setProperty("value", 2);
        w.click(QStringLiteral("saveSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(w.service.maxParallel(), 2);
        QTRY_COMPARE(second->state(), JobState::Running);
        const QList<qint64> pids = test::waitForPids(pidFile, 2, 10s);
        QCOMPARE(pids.size(), 2);
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(test::waitUntilDead(pids, 10s).isEmpty());
    }

    // What the command line gave holds for this run: the dialog says so, the New job form
    // starts with its grace period, and a changed limit is kept for later runs only.
    void commandLineHoldsOverTheSettings() {
        Window w;
        setSettingsFile(w.dir.filePath(QStringLiteral("jobmonitor.conf")));
        JobDefaults saved{3000ms, 6};
        saved.save();
        const CommandLineResult parsed = parseCommandLine(
            {"jobmonitor", "--grace", "1500", "--max-parallel", "2", "--state-dir", w.dir.path()},
            w.dir.path());
        QVERIFY(parsed.options);
        setCommandLineDefaults(CommandLineDefaults::of(*parsed.options));
        const auto restore = qScopeGuard([] {
            setSettingsFile(defaultSettingsFile());
            setCommandLineDefaults({});
        });
        QVERIFY(w.load());
        w.service.setMaxParallel(2);

        QObject *dialog = w.find(QStringLiteral("settingsDialog"));
        QTest::keyClick(w.window, Qt::Key_Comma, Qt::ControlModifier);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("defaultGraceField"))->property("text").toString(),
                 QStringLiteral("3"));
        QCOMPARE(w.find(QStringLiteral("defaultMaxParallelBox"))->property("value").toInt(), 6);
        QCOMPARE(w.find(QStringLiteral("defaultGraceNote"))->property("text").toString(),
                 QStringLiteral("seconds; 1.5 s from the command line holds for this run"));
        QCOMPARE(w.find(QStringLiteral("defaultMaxParallelNote"))->property("text").toString(),
                 QStringLiteral("--max-parallel 2 on the command line holds for this run"));
        w.find(QStringLiteral("defaultMaxParallelBox"))->setProperty("value", 8);
        w.click(QStringLiteral("saveSettingsButton"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(JobDefaults::load().maxParallel, 8);
        QCOMPARE(w.service.maxParallel(), 2);

        QObject *newJob = w.find(QStringLiteral("newJobDialog"));
        QTest::keyClick(w.window, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(newJob->property("opened").toBool());
        QCOMPARE(w.find(QStringLiteral("graceField"))->property("text").toString(),
                 QStringLiteral("1.5"));
        QTest::keyClick(w.window, Qt::Key_Escape);
        QTRY_VERIFY(!newJob->property("visible").toBool());
    }

    // New… in the group panel makes a group; the New job form queues a job in it after the job
    // selected in the list ("Selected jobs"), and the job waits for it.
    void groupsAndStartAfterFromTheWindow() {
        Window w;
        QVERIFY(w.load());
        QObject *groupDialog = w.find(QStringLiteral("groupDialog"));
        w.click(QStringLiteral("newGroupButton"));
        QTRY_VERIFY(groupDialog->property("opened").toBool());
        QTRY_VERIFY(w.find<QQuickItem>(QStringLiteral("groupNameField"))->hasActiveFocus());
        typeText(w.window, QStringLiteral("net"));
        w.click(QStringLiteral("saveGroupButton"));
        QTRY_VERIFY(!groupDialog->property("visible").toBool());
        QVERIFY(w.service.group(QStringLiteral("net")));

        const QString pidFile = w.dir.filePath(QStringLiteral("pids"));
        Job *first = w.supervisor
                         .start(shellJob(test::testChildCommand({QStringLiteral("--pidfile"),
                                                                 pidFile, QStringLiteral("--sleep"),
                                                                 QStringLiteral("-1")})))
                         .job;
        QVERIFY(w.pickJob(first->id()));
        QObject *newJob = w.find(QStringLiteral("newJobDialog"));
        QTest::keyClick(w.window, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(newJob->property("opened").toBool());
        QTRY_VERIFY(w.find<QQuickItem>(QStringLiteral("commandField"))->hasActiveFocus());
        typeText(w.window, QStringLiteral("true"));
        w.click(QStringLiteral("startAfterSelectedButton"));
        auto *form = qvariant_cast<QObject *>(newJob->property("form"));
        QTRY_COMPARE(form->property("startAfter").toString(), QString::number(first->id()));
        form->setProperty("group", QStringLiteral("net"));
        QMetaObject::invokeMethod(newJob, "tryStart");
        QTRY_VERIFY(!newJob->property("visible").toBool());
        Job *after = w.supervisor.jobs().constLast();
        QCOMPARE(after->spec().groupName(), QStringLiteral("net"));
        QCOMPARE(after->spec().dependencies,
                 (QList<JobDependency>{{first->id(), JobDependency::Condition::Success}}));
        QTRY_COMPARE(after->state(), JobState::Waiting);
        QVERIFY(w.supervisor.cancel(first->id()));
        QTRY_COMPARE(after->state(), JobState::Cancelled);
        QCOMPARE(after->history().constLast().reason,
                 QStringLiteral("dependency #%1 was cancelled").arg(first->id()));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
        QVERIFY(test::waitUntilDead(test::readPidFile(pidFile).values(), 10s).isEmpty());
    }

    // Tab reaches every control of the window, in an order that goes round.
    void everyControlIsReachableByTab() {
        Window w;
        QVERIFY(w.load());
        // A failed job: every action is enabled (a disabled control takes no focus).
        Job *job = w.supervisor.start(shellJob(QStringLiteral("seq 1 5; exit 1"))).job;
        QVERIFY(w.pickJob(job->id()));
        QTRY_COMPARE(job->state(), JobState::Failed);
        const QStringList expected{
            "newJobButton",      "retryFailedButton", "clearFinishedButton", "filterBox",
            "orderBox",          "jobList",           "factsButton",         "detailsCommand",
            "copyCommandButton", "retryButton",       "editButton",          "removeButton",
            "searchField",       "firstErrorButton",  "followButton",        "copyButton",
            "viewMenuButton",    "outputLines",       "maxParallelSpin"};
        QSet<QString> reached;
        for (int i = 0; i < 80 && reached.size() < expected.size(); ++i) {
            QTest::keyClick(w.window, Qt::Key_Tab);
            for (QQuickItem *item = w.window->activeFocusItem(); item; item = item->parentItem()) {
                if (expected.contains(item->objectName())) {
                    reached.insert(item->objectName());
                    break;
                }
            }
        }
        for (const QString &name : expected)
            QVERIFY2(reached.contains(name), qPrintable(name + QLatin1String(" is not reachable")));
        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }

    void cleanupTestCase() { QCOMPARE(test::destroyedWhileRunningWarnings(), 0); }
};

QTEST_MAIN(TestMainWindow)

#include "tst_mainwindow.moc"
