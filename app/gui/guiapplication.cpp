#include "guiapplication.h"

#include "appcontroller.h"
#include "englishplurals.h"

#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>

namespace jobmonitor {

bool loadMainWindow(QQmlApplicationEngine &engine, JobSupervisor &supervisor,
                    ShutdownCoordinator &coordinator) {
    // The style is fixed once the first window has loaded Qt Quick Controls.
    if (QQuickStyle::name().isEmpty())
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // Text drawn from the platform's hinted glyphs, as in other desktop apps. The default
    // distance-field text costs a shader per pixel of every glyph, which dominates each frame
    // where OpenGL is rendered in software (llvmpipe): with jobs flooding output it cost about
    // a third of the frame rate, and the GUI thread waited 50 ms and more for the render thread.
    QQuickWindow::setTextRenderType(QQuickWindow::NativeTextRendering);
    installEnglishPlurals();
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
