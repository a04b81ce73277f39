#pragma once

#include <QByteArray>

class QGuiApplication;
class QQmlApplicationEngine;

namespace jobmonitor {

class DBusService;
class JobService;
class ShutdownCoordinator;

// The name of the OpenGL renderer a window would get ("llvmpipe (LLVM 15.0.6, 256 bits)"),
// empty without OpenGL.
QByteArray openGlRenderer();
// Whether that renderer draws on the CPU (Mesa's llvmpipe, softpipe, swrast).
bool drawsInSoftware(const QByteArray &renderer);

// Loads the main window (qrc:/JobMonitor/Main.qml) in the Fusion style, wired to the given
// service and coordinator; where OpenGL is drawn in software, with Qt Quick's software
// renderer. Returns false when the window could not be created.
bool loadMainWindow(QQmlApplicationEngine &engine, JobService &service,
                    ShutdownCoordinator &coordinator);

// Runs the desktop window until the coordinator's shutdown completes and returns the exit
// status. Closing the window never quits by itself: it asks the coordinator, which calls
// QCoreApplication::exit() once every job has ended. dbus, when given, may raise the window.
int runGuiApplication(QGuiApplication &app, JobService &service, ShutdownCoordinator &coordinator,
                      DBusService *dbus = nullptr);

} // namespace jobmonitor
