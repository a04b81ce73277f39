#pragma once

// The real main window over a real JobSupervisor, as the application runs it, for tests that
// drive it the way a user does.
#include "guiapplication.h"
#include "jobdetails.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "shutdowncoordinator.h"

#include <QAbstractItemModel>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

namespace jobmonitor::test {

// Loads the main window over service as the application does; null when it does not show.
inline QQuickWindow *loadWindow(QQmlApplicationEngine &engine, JobService &service,
                                ShutdownCoordinator &coordinator) {
    if (!loadMainWindow(engine, service, coordinator))
        return nullptr;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    return window && QTest::qWaitForWindowExposed(window) ? window : nullptr;
}

struct Window {
    QTemporaryDir dir;
    JobSupervisor supervisor{JobSupervisor::Config{4, dir.filePath(QStringLiteral("output"))}};
    JobService service{&supervisor};
    ShutdownCoordinator coordinator{&supervisor};
    QQmlApplicationEngine engine;
    QQuickWindow *window = nullptr;

    bool load() { return (window = loadWindow(engine, service, coordinator)) != nullptr; }

    template<typename T = QObject>
    T *find(const QString &name) const {
        return window->findChild<T *>(name);
    }

    JobDetails *details() const {
        return qvariant_cast<JobDetails *>(find(QStringLiteral("jobDetails"))->property("details"));
    }

    QAbstractItemModel *listModel() const {
        return qvariant_cast<QAbstractItemModel *>(
            find(QStringLiteral("jobList"))->property("model"));
    }

    int currentJobId() const {
        return find(QStringLiteral("jobList"))->property("currentJobId").toInt();
    }

    // Whether the item with the keyboard focus is the named item or inside it.
    bool focusIsIn(const QString &name) const {
        const QQuickItem *scope = find<QQuickItem>(name);
        for (const QQuickItem *item = window->activeFocusItem(); item && scope;
             item = item->parentItem())
            if (item == scope)
                return true;
        return false;
    }
};

// The main window over a real store in stateDir (history, saved output), as the application
// runs it on a state folder.
struct StoredWindow {
    explicit StoredWindow(const QString &stateDir)
        : store(stateDir, RunKind::Window) {}

    JobStore store;
    JobSupervisor supervisor{JobSupervisor::Config{
        .maxParallel = 2, .outputDirectory = store.outputRoot(), .recorder = &store}};
    JobService service{&supervisor, &store};
    ShutdownCoordinator coordinator{&supervisor};
    QQmlApplicationEngine engine;
    QQuickWindow *window = nullptr;

    bool load() { return (window = loadWindow(engine, service, coordinator)) != nullptr; }

    template<typename T = QObject>
    T *find(const QString &name) const {
        return window->findChild<T *>(name);
    }

    JobDetails *details() const {
        return qvariant_cast<JobDetails *>(find(QStringLiteral("jobDetails"))->property("details"));
    }
};

} // namespace jobmonitor::test
