// Closing the main window through the window system, as a user does: a real X server (Xvfb),
// a real window manager (openbox) and the real jobmonitor binary on the xcb platform, with the
// fault matrix of jobs running. The close must not quit by itself: the confirm dialog opens
// (the app logs it) and takes the keyboard, and choosing "Stop all and quit" in it ends every
// job and exits with 0.
#include "e2eutil.h"
#include "testutil.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestE2eWindowClose : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_xserver;
    QProcess m_windowManager;
    QProcessEnvironment m_environment = QProcessEnvironment::systemEnvironment();

    // Runs an X client tool to completion; returns its stdout, or nothing when it failed.
    std::optional<QByteArray> runTool(const QString &program, const QStringList &arguments) {
        QProcess tool;
        tool.setProcessEnvironment(m_environment);
        tool.start(program, arguments);
        if (!tool.waitForFinished(20000) || tool.exitStatus() != QProcess::NormalExit ||
            tool.exitCode() != 0)
            return std::nullopt;
        return tool.readAllStandardOutput();
    }

    static void stop(QProcess &process) {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate();
        if (!process.waitForFinished(5000)) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        for (const char *tool : {"Xvfb", "openbox", "xdotool", "wmctrl"})
            QVERIFY2(!QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty(),
                     qPrintable(
                         QStringLiteral("%1 is missing: run .ci/setup").arg(QLatin1String(tool))));

        // -displayfd 1: the server picks a free display and prints its number when ready.
        // -noreset: a wmctrl probe that disconnects before openbox has connected must not reset
        // the server under openbox's feet (openbox then quit, and the test failed under load).
        m_xserver.start(QStringLiteral("Xvfb"), {"-displayfd", "1", "-screen", "0", "1280x1024x24",
                                                 "-nolisten", "tcp", "-noreset"});
        QVERIFY(m_xserver.waitForStarted(10000));
        QByteArray display;
        while (!display.endsWith('\n') && m_xserver.waitForReadyRead(20000))
            display += m_xserver.readAllStandardOutput();
        QVERIFY2(!display.trimmed().isEmpty(), m_xserver.readAllStandardError().constData());
        m_environment.insert(QStringLiteral("DISPLAY"),
                             QLatin1Char(':') + QString::fromLatin1(display.trimmed()));
        m_environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));

        m_windowManager.setProcessEnvironment(m_environment);
        m_windowManager.start(QStringLiteral("openbox"), {"--sm-disable"});
        QVERIFY(m_windowManager.waitForStarted(10000));
        // wmctrl -m succeeds once a window manager has taken over the screen.
        QTRY_VERIFY_WITH_TIMEOUT(runTool(QStringLiteral("wmctrl"), {"-m"}).has_value(), 20000);
    }

    void cleanupTestCase() {
        stop(m_windowManager);
        stop(m_xserver);
    }

    void closeAsksThenStopsEveryJob() {
        FaultMatrix matrix(m_dir.path());
        QProcess app;
        app.setProcessEnvironment(m_environment);
        startJobmonitor(app, QStringList{"--max-parallel", "10", "--grace", "1000", "--state-dir",
                                         m_dir.filePath("state")} +
                                 matrix.jobArguments());
        QVERIFY(app.waitForStarted(10000));
        const auto cleanup = qScopeGuard([&] {
            stop(app);
            const QList<qint64> pids = matrix.pids();
            for (qint64 pid : pids)
                if (isPidAlive(pid))
                    ::kill(pid_t(pid), SIGKILL);
            waitUntilDead(pids, 5s);
        });
        QVERIFY2(matrix.waitUntilStarted(30s), app.readAllStandardError().constData());

        QByteArray window;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(window = runTool(QStringLiteral("xdotool"),
                               {"search", "--onlyvisible", "--name", "^Job Monitor"})
                           .value_or(QByteArray())
                           .trimmed())
                 .isEmpty(),
            30000);
        // xdotool prints decimal ids, wmctrl -i reads hexadecimal ones.
        const QString windowId =
            QStringLiteral("0x%1").arg(window.split('\n').constFirst().toULongLong(), 0, 16);

        // The window manager's close button does this: WM_DELETE_WINDOW to the window.
        QVERIFY(runTool(QStringLiteral("wmctrl"), {"-i", "-c", windowId}));
        // Asked, not quit: the app logs when its confirm dialog has opened, and the app and
        // every job keep running while the dialog waits.
        QByteArray log;
        const QByteArray asked = "close requested with 6 active job(s): asking to confirm";
        QTRY_VERIFY2_WITH_TIMEOUT((log += app.readAllStandardError()).contains(asked),
                                  log.constData(), 30000);
        QVERIFY2(!log.contains("shutdown requested"), log.constData());
        QCOMPARE(app.state(), QProcess::Running);
        for (qint64 pid : matrix.pids())
            QVERIFY(isPidAlive(pid));

        // The dialog focuses "Keep working"; Tab moves to "Stop all and quit" and Space presses
        // it. In the main window without the dialog these keys would not quit.
        QVERIFY(runTool(QStringLiteral("xdotool"), {"windowactivate", "--sync", windowId}));
        QVERIFY(runTool(QStringLiteral("xdotool"), {"key", "--clearmodifiers", "Tab", "space"}));

        QVERIFY2(app.waitForFinished(30000), "jobmonitor did not exit after confirming");
        log += app.readAllStandardError();
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
        QCOMPARE(waitUntilDead(matrix.pids(), 0ms), QList<qint64>());
        QVERIFY2(matrix.markerWritten(), "the job trapping SIGTERM was not given time to clean up");
        QVERIFY2(log.contains("shutdown requested"), log.constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eWindowClose)
#include "tst_e2e_windowclose.moc"
