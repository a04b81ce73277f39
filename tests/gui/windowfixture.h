#pragma once

// The real main window over a real JobSupervisor, as the application runs it, for tests that
// drive it the way a user does.
#include "guiapplication.h"
#include "jobdetails.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "shutdowncoordinator.h"

#include <QAbstractItemModel>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

namespace jobmonitor::test {

struct Window {
    QTemporaryDir dir;
    JobSupervisor supervisor{JobSupervisor::Config{4, dir.filePath(QStringLiteral("output"))}};
    JobService service{&supervisor};
    ShutdownCoordinator coordinator{&supervisor};
    QQmlApplicationEngine engine;
    QQuickWindow *window = nullptr;

    bool load() {
        if (!loadMainWindow(engine, service, coordinator))
            return false;
        window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        return window && QTest::qWaitForWindowExposed(window);
    }

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

} // namespace jobmonitor::test
