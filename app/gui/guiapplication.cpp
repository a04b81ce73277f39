#include "guiapplication.h"
#include "desktopentry.h"

#include "appcontroller.h"
#include "dbusservice.h"
#include "englishplurals.h"

#include <QGuiApplication>
#include <QIcon>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>

namespace jobmonitor {

QByteArray openGlRenderer() {
    QOffscreenSurface surface;
    surface.create();
    QOpenGLContext context;
    if (!context.create() || !context.makeCurrent(&surface))
        return {};
    const QByteArray renderer(
        reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER)));
    context.doneCurrent();
    return renderer;
}

bool drawsInSoftware(const QByteArray &renderer) {
    for (const char *software : {"llvmpipe", "softpipe", "swrast", "Software Rasterizer"})
        if (renderer.contains(software))
            return true;
    return false;
}

namespace {

// Where OpenGL is drawn in software (no GPU, a virtual machine, Xvfb), every frame redraws the
// whole window on the same cores as the jobs, and the GUI thread waits for it: with 50 jobs
// flooding output on two cores it stalled for 35 ms and more. Qt Quick's own software renderer
// redraws only what changed and is the faster one there (8 ms). A renderer the user chose
// (QT_QUICK_BACKEND, QSG_RHI_BACKEND) is kept.
void preferSoftwareSceneGraphWithoutGpu() {
    if (qEnvironmentVariableIsSet("QT_QUICK_BACKEND") ||
        qEnvironmentVariableIsSet("QSG_RHI_BACKEND"))
        return;
    if (drawsInSoftware(openGlRenderer()))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
}

} // namespace

bool loadMainWindow(QQmlApplicationEngine &engine, JobService &service,
                    ShutdownCoordinator &coordinator) {
    // The style is fixed once the first window has loaded Qt Quick Controls.
    if (QQuickStyle::name().isEmpty())
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // Text drawn from the platform's hinted glyphs, as in other desktop apps. The default
    // distance-field text costs a shader per pixel of every glyph, which dominates each frame
    // where OpenGL is rendered in software (llvmpipe): with jobs flooding output it cost about
    // a third of the frame rate, and the GUI thread waited 50 ms and more for the render thread.
    QQuickWindow::setTextRenderType(QQuickWindow::NativeTextRendering);
    preferSoftwareSceneGraphWithoutGpu();
    installEnglishPlurals();
    AppController::setBackend(engine, &service, &coordinator);
    // The module's files live under qrc:/JobMonitor; Qt 6.4 does not search qrc:/ by itself.
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.load(QUrl(QStringLiteral("qrc:/JobMonitor/Main.qml")));
    return !engine.rootObjects().isEmpty();
}

int runGuiApplication(QGuiApplication &app, JobService &service, ShutdownCoordinator &coordinator,
                      DBusService *dbus) {
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/JobMonitor/icons/jobmonitor.png")));
    QGuiApplication::setDesktopFileName(DesktopEntryId);
    // The class of the window's WM_CLASS on X11, which the desktop file's StartupWMClass names:
    // fixed here rather than taken from argv[0], so that a renamed or symlinked binary still
    // belongs to its launcher.
    QCoreApplication::setApplicationName(QStringLiteral("jobmonitor"));
    QQmlApplicationEngine engine;
    if (!loadMainWindow(engine, service, coordinator))
        return 1;
    app.setQuitOnLastWindowClosed(false);
    if (auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        window && dbus)
        QObject::connect(dbus, &DBusService::raiseRequested, window, [window](qlonglong id) {
            window->show();
            window->raise();
            window->requestActivate();
            if (id != 0)
                QMetaObject::invokeMethod(window, "showJob", Q_ARG(QVariant, QVariant(id)));
        });
    return app.exec();
}

} // namespace jobmonitor
