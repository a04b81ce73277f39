#pragma once

class QGuiApplication;
class QQmlApplicationEngine;

namespace jobmonitor {

class DBusService;
class JobService;
class ShutdownCoordinator;

// Loads the main window (qrc:/JobMonitor/Main.qml) in the Fusion style, wired to the given
// service and coordinator. Returns false when the window could not be created.
bool loadMainWindow(QQmlApplicationEngine &engine, JobService &service,
                    ShutdownCoordinator &coordinator);

// Runs the desktop window until the coordinator's shutdown completes and returns the exit
// status. Closing the window never quits by itself: it asks the coordinator, which calls
// QCoreApplication::exit() once every job has ended. dbus, when given, may raise the window.
int runGuiApplication(QGuiApplication &app, JobService &service, ShutdownCoordinator &coordinator,
                      DBusService *dbus = nullptr);

} // namespace jobmonitor
