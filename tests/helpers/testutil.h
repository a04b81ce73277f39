#pragma once

#include <QCoro/QCoroTask>
#include <QDeadlineTimer>
#include <QList>
#include <QMap>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <memory>
#include <optional>

namespace jobmonitor::test {

// Path of the helper child program (tests/helpers/testchild.cpp), built beside the tests.
QString testChildPath();
// A shell command line that execs the helper child with the given arguments.
QString testChildCommand(const QStringList &arguments);

// Alive means: /proc/<pid> exists and the process is not a zombie (a zombie has ended; in a
// container its reaping may lag).
bool isPidAlive(qint64 pid);
// The state letter of /proc/<pid>/stat ('R', 'S', 'T' for stopped, 'Z', ...), or 0 when the
// process is gone.
char processState(qint64 pid);
// The pids of the list that are alive now.
QList<qint64> alivePids(const QList<qint64> &pids);
// Waits (processing events) until none of pids is alive; returns the ones still alive.
QList<qint64> waitUntilDead(const QList<qint64> &pids, std::chrono::milliseconds timeout);

// Reads a pid file written by the helper child: lines "<role> <pid>".
// Roles: main, grandchild, escapee, child. Several lines may share a role.
QMultiMap<QString, qint64> readPidFile(const QString &path);
// Waits until the pid file holds at least count lines; returns its pids.
QList<qint64> waitForPids(const QString &path, int count, std::chrono::milliseconds timeout);

// Runs a task to completion in the event loop, giving up after timeout.
// Returns false on timeout (the task keeps running; the test fails anyway).
template<typename T>
std::optional<T> runTask(QCoro::Task<T> task, std::chrono::milliseconds timeout) {
    auto result = std::make_shared<std::optional<T>>();
    task.then([result](T value) { *result = std::move(value); });
    QDeadlineTimer deadline(timeout);
    while (!result->has_value() && !deadline.hasExpired())
        QTest::qWait(5);
    return *result;
}
bool runTask(QCoro::Task<> task, std::chrono::milliseconds timeout);

// Counts Qt warnings of QProcess destroyed while running; tests assert it stays zero.
void installProcessWarningCounter();
int destroyedWhileRunningWarnings();

// The keys of a desktop file's [Desktop Entry] group with their values as written (lists keep
// their semicolons); empty when the file cannot be read.
QMap<QString, QString> readDesktopEntry(const QString &path);

} // namespace jobmonitor::test
