#include "xsession.h"

#include <QCoreApplication>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <cstdio>

namespace jobmonitor::test {

namespace {

const char *const ChildMarker = "JM_XSESSION_DISPLAY";

void stop(QProcess &process) {
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

int fail(const char *what) {
    std::fprintf(stderr, "X session: %s\n", what);
    return 1;
}

} // namespace

std::optional<int> runUnderXSession(int argc, char *argv[]) {
    if (qEnvironmentVariableIsSet(ChildMarker))
        return std::nullopt;

    QCoreApplication app(argc, argv);
    for (const char *tool : {"Xvfb", "openbox", "xdotool", "wmctrl"})
        if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
            return fail("Xvfb, openbox, xdotool or wmctrl is missing: run .ci/setup");

    // -displayfd 1: the server picks a free display and prints its number when ready.
    // -noreset: a client that disconnects before openbox has connected must not reset the
    // server under openbox's feet.
    QProcess xserver;
    xserver.start(QStringLiteral("Xvfb"), {"-displayfd", "1", "-screen", "0", "1400x1000x24",
                                           "-nolisten", "tcp", "-noreset"});
    if (!xserver.waitForStarted(10000))
        return fail("Xvfb did not start");
    QByteArray display;
    while (!display.endsWith('\n') && xserver.waitForReadyRead(20000))
        display += xserver.readAllStandardOutput();
    if (display.trimmed().isEmpty())
        return fail("Xvfb reported no display");

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DISPLAY"),
                       QLatin1Char(':') + QString::fromLatin1(display.trimmed()));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    environment.insert(QLatin1String(ChildMarker), QStringLiteral("1"));
    qputenv("DISPLAY", environment.value(QStringLiteral("DISPLAY")).toLocal8Bit());

    QProcess windowManager;
    windowManager.setProcessEnvironment(environment);
    windowManager.start(QStringLiteral("openbox"), {"--sm-disable"});
    if (!windowManager.waitForStarted(10000))
        return fail("openbox did not start");
    // wmctrl -m succeeds once a window manager has taken over the screen.
    QDeadlineTimer managed(20000);
    while (!runXTool(QStringLiteral("wmctrl"), {"-m"}) && !managed.hasExpired())
        QTest::qSleep(100);

    QProcess tests;
    tests.setProcessEnvironment(environment);
    tests.setProcessChannelMode(QProcess::ForwardedChannels);
    tests.start(QCoreApplication::applicationFilePath(), app.arguments().mid(1));
    int status = 1;
    if (!tests.waitForStarted(10000))
        status = fail("the tests did not start");
    else if (!tests.waitForFinished(-1) || tests.exitStatus() != QProcess::NormalExit)
        status = fail("the tests crashed");
    else
        status = tests.exitCode();
    stop(windowManager);
    stop(xserver);
    return status;
}

std::optional<QByteArray> runXTool(const QString &program, const QStringList &arguments) {
    // Waits with the event loop running: activating a window needs the window's own answer
    // to the window manager (WM_TAKE_FOCUS), so blocking here would stall the very window.
    QProcess tool;
    tool.start(program, arguments);
    if (!QTest::qWaitFor([&] { return tool.state() == QProcess::NotRunning; }, 20000) ||
        tool.exitStatus() != QProcess::NormalExit || tool.exitCode() != 0) {
        stop(tool);
        return std::nullopt;
    }
    return tool.readAllStandardOutput();
}

bool sendKeys(unsigned long long windowId, const QStringList &keys) {
    const QString id = QString::number(windowId);
    return runXTool(QStringLiteral("xdotool"), {"windowactivate", "--sync", id}) &&
           runXTool(QStringLiteral("xdotool"),
                    QStringList{"key", "--clearmodifiers", "--delay", "30"} + keys);
}

bool typeText(unsigned long long windowId, const QString &text) {
    const QString id = QString::number(windowId);
    return runXTool(QStringLiteral("xdotool"), {"windowactivate", "--sync", id}) &&
           runXTool(QStringLiteral("xdotool"),
                    {"type", "--clearmodifiers", "--delay", "5", "--", text});
}

} // namespace jobmonitor::test
