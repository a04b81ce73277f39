#include "guiapplication.h"

#include "appcontroller.h"

#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickStyle>

namespace jobmonitor {

bool loadMainWindow(QQmlApplicationEngine &engine, JobSupervisor &supervisor,
                    ShutdownCoordinator &coordinator) {
    // The style is fixed once the first window has loaded Qt Quick Controls.
    if (QQuickStyle::name().isEmpty())
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    AppController::setBackend(&supervisor, &coordinator);
    // The module's files live under qrc:/JobMonitor; Qt 6.4 does not search qrc:/ by itself.
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.load(QUrl(QStringLiteral("qrc:/JobMonitor/Main.qml")));
    return !engine.rootObjects().isEmpty();
}

int runGuiApplication(QGuiApplication &app, JobSupervisor &supervisor,
                      ShutdownCoordinator &coordinator) {
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/JobMonitor/icons/jobmonitor.png")));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.jobmonitor.JobMonitor"));
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, supervisor, coordinator))
        return 1;
    app.setQuitOnLastWindowClosed(false);
    return app.exec();
}

} // namespace jobmonitor
