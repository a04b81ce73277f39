// The real window on a real store: a job of an earlier run whose output is far longer than
// the kept tail opens at its last line, Ctrl+Home shows its line 1 (read back from the saved
// output), Ctrl+End its last again, and a line of the whole output search is jumped to.
#include "guiapplication.h"
#include "jobdetails.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"
#include "testutil.h"
#include "windowfixture.h"

#include <QDir>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

constexpr int Lines = 20000;

struct Window : test::StoredWindow {
    using StoredWindow::StoredWindow;
    QQuickItem *lines() const { return find<QQuickItem>(QStringLiteral("outputLines")); }
    // The delegate at the top (or bottom) edge of the output.
    QQuickItem *lineAtEdge(bool bottom) const {
        QQuickItem *view = lines();
        const qreal y = view->property("contentY").toReal() + (bottom ? view->height() - 3 : 2);
        QQuickItem *line = nullptr;
        QMetaObject::invokeMethod(view, "itemAt", Q_RETURN_ARG(QQuickItem *, line),
                                  Q_ARG(qreal, view->property("contentX").toReal() + 2),
                                  Q_ARG(qreal, y));
        return line;
    }
    static QString shownText(QQuickItem *line) {
        if (!line)
            return {};
        const auto *text = line->findChild<QQuickItem *>(QStringLiteral("lineText"));
        return text ? text->property("text").toString().remove(QChar(0x200e)) : QString();
    }
};

// A completed job of an earlier (headless) run with Lines lines of saved output, every
// hundredth on stderr.
qint64 storeLongJob(const QString &stateDir) {
    JobStore earlier(stateDir, RunKind::Headless);
    JobRecord job;
    job.id = earlier.allocateJobId();
    job.spec.command = QStringLiteral("seq %1").arg(Lines);
    job.spec.workingDirectory = QDir::tempPath();
    job.createdAt = QDateTime::currentDateTime().addSecs(-60);
    earlier.writeJob(job);
    AttemptRecord attempt;
    attempt.jobId = job.id;
    attempt.attempt = 1;
    attempt.traceId = QStringLiteral("trace-long");
    attempt.startedAt = job.createdAt;
    attempt.endedAt = job.createdAt.addSecs(5);
    attempt.outcome = QStringLiteral("Exited");
    attempt.exitCode = 0;
    attempt.outputDirectory = earlier.outputRoot() + QStringLiteral("/%1/1").arg(job.id);
    earlier.writeAttempt(attempt);
    QDir().mkpath(attempt.outputDirectory);
    // No index: a directory of the two files reads as all of stdout, then all of stderr.
    QByteArray out, err;
    for (int n = 1; n <= Lines; ++n)
        out += "line " + QByteArray::number(n) + '\n';
    err += "the only warning\n";
    for (const auto &[name, bytes] : {std::pair{"stdout", &out}, std::pair{"stderr", &err}}) {
        QFile file(attempt.outputDirectory + QLatin1Char('/') + QLatin1String(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size())
            return -1;
    }
    job.attempts = 1;
    job.startedAt = attempt.startedAt;
    job.traceId = attempt.traceId;
    job.state = JobState::Running;
    earlier.writeTransition(job.id,
                            {JobState::Pending,
                             JobState::Running,
                             JobEvent::Launch,
                             job.startedAt,
                             QStringLiteral("attempt 1 of 1 started"),
                             1,
                             {},
                             {}},
                            job);
    job.state = JobState::Completed;
    job.exitCode = 0;
    job.endedAt = attempt.endedAt;
    earlier.writeTransition(job.id,
                            {JobState::Running,
                             JobState::Completed,
                             JobEvent::Exited,
                             job.endedAt,
                             QStringLiteral("exited with 0"),
                             1,
                             {},
                             {}},
                            job);
    return earlier.flush() ? job.id : -1;
}

} // namespace

class TestOutputPagingWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::err); }

    void scrollsToLineOneOfAPastJob() {
        QTemporaryDir dir;
        const qint64 id = storeLongJob(dir.path());
        QVERIFY(id > 0);
        Window w(dir.path());
        QVERIFY(w.load());
        QMetaObject::invokeMethod(w.window, "showJob", Q_ARG(QVariant, QVariant(id)));
        QTRY_COMPARE(w.details()->jobId(), id);
        QTRY_VERIFY(w.details()->isValid());
        QVERIFY(!w.details()->isLive());
        OutputModel *output = w.details()->output();
        // Once the saved output has been indexed and its tail read.
        QTRY_COMPARE_WITH_TIMEOUT(output->rowCount(), Lines + 1, 20000);
        QVERIFY(!w.details()->isOutputLoading());
        QVERIFY(output->isPaged());
        QVERIFY(output->droppedLines() > 0);
        // Opened at its end, as a job not looked at yet.
        QTRY_COMPARE(Window::shownText(w.lineAtEdge(true)), QStringLiteral("the only warning"));

        QMetaObject::invokeMethod(w.lines(), "forceActiveFocus");
        QTRY_VERIFY(w.lines()->hasActiveFocus());
        QTest::keyClick(w.window, Qt::Key_Home, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(Window::shownText(w.lineAtEdge(false)), QStringLiteral("line 1"),
                                  10000);
        QCOMPARE(w.lineAtEdge(false)->property("number").toLongLong(), 1);
        QVERIFY(!w.find(QStringLiteral("outputView"))->property("following").toBool());

        QTest::keyClick(w.window, Qt::Key_End, Qt::ControlModifier);
        QTRY_VERIFY(w.find(QStringLiteral("outputView"))->property("following").toBool());
        QTRY_COMPARE(Window::shownText(w.lineAtEdge(true)), QStringLiteral("the only warning"));

        // A match of the whole output search far before the tail: shown and selected.
        QObject *view = w.find(QStringLiteral("outputView"));
        QMetaObject::invokeMethod(view, "jumpToLine", Q_ARG(QVariant, QVariant(777.0)));
        QTRY_COMPARE_WITH_TIMEOUT(view->property("selectionAnchor").toLongLong(), 777, 10000);
        QTRY_VERIFY(output->isLineLoaded(777));
        QCOMPARE(output->index(output->rowOfLine(777)).data(OutputModel::TextRole).toString(),
                 QStringLiteral("line 777"));
        QVERIFY(!view->property("following").toBool());

        QVERIFY(test::runTask(w.supervisor.shutdown(), 10s));
    }
};

QTEST_MAIN(TestOutputPagingWindow)
#include "tst_outputpagingwindow.moc"
