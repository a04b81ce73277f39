#include "e2eutil.h"

#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <fcntl.h>

#include <csignal>

namespace jobmonitor::test {

using namespace std::chrono_literals;

QString jobmonitorPath() {
    return QCoreApplication::applicationDirPath() + QStringLiteral("/jobmonitor");
}

FaultMatrix::FaultMatrix(const QString &dir)
    : m_marker(QDir(dir).filePath(QStringLiteral("trap-marker"))) {
    const QList<std::pair<QStringList, int>> jobs{
        {{"--sleep", "-1"}, 1},
        {{"--ignore-term", "--sleep", "-1"}, 1},
        {{"--grandchild", "--sleep", "-1"}, 2},
        {{"--escape", "--sleep", "-1"}, 2},
        {{"--trap-term", "200", "--marker", m_marker, "--sleep", "-1"}, 1},
        {{"--stop", "--sleep", "-1"}, 1},
    };
    for (const auto &[arguments, pidCount] : jobs) {
        const QString pidFile =
            QDir(dir).filePath(QStringLiteral("pids-%1").arg(m_entries.size() + 1));
        m_entries << Entry{pidFile, pidCount};
        m_commands << testChildCommand(QStringList{QStringLiteral("--pidfile"), pidFile} +
                                       arguments);
    }
}

QStringList FaultMatrix::jobArguments() const {
    QStringList arguments;
    for (const QString &command : m_commands)
        arguments << QStringLiteral("--job") << command;
    return arguments;
}

bool FaultMatrix::waitUntilStarted(std::chrono::milliseconds timeout) const {
    QDeadlineTimer deadline(timeout);
    for (const Entry &entry : m_entries)
        if (waitForPids(entry.pidFile, entry.pidCount,
                        std::chrono::milliseconds(deadline.remainingTime()))
                .size() < entry.pidCount)
            return false;
    return true;
}

QList<qint64> FaultMatrix::pids() const {
    QList<qint64> pids;
    for (const Entry &entry : m_entries)
        pids << readPidFile(entry.pidFile).values();
    return pids;
}

bool FaultMatrix::markerWritten() const {
    QFile file(m_marker);
    return file.open(QIODevice::ReadOnly) && file.readAll() == "done\n";
}

void startJobmonitor(QProcess &process, const QStringList &arguments) {
    process.setProgram(jobmonitorPath());
    process.setArguments(arguments);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start();
}

QString startPrivateBus(QProcess &daemon, const QString &config, const QString &socketPath) {
    daemon.start(QStringLiteral("dbus-daemon"),
                 {QStringLiteral("--config-file=") + config, QStringLiteral("--nofork"),
                  QStringLiteral("--nopidfile"), QStringLiteral("--print-address=1"),
                  QStringLiteral("--address=unix:path=") + socketPath});
    if (!daemon.waitForStarted(10000))
        return {};
    QByteArray address;
    while (!address.endsWith('\n') && daemon.waitForReadyRead(20000))
        address += daemon.readAllStandardOutput();
    return QString::fromLatin1(address.trimmed());
}

void startWindowOnBus(QProcess &window, const QString &busAddress, const QString &stateDir,
                      const QStringList &arguments) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress);
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    window.setProcessEnvironment(environment);
    startJobmonitor(window, QStringList{QStringLiteral("--state-dir"), stateDir} + arguments);
}

QList<qint64> endWindow(QProcess &window) {
    if (window.state() == QProcess::NotRunning)
        return {};
    const qint64 pid = window.processId();
    ::kill(pid_t(pid), SIGTERM);
    if (!window.waitForFinished(30000))
        window.kill();
    window.waitForFinished(10000);
    return {pid};
}

QStringList inheritableDescriptors(qint64 pid) {
    QStringList found;
    const QDir fdinfo(QStringLiteral("/proc/%1/fdinfo").arg(pid));
    for (const QString &name : fdinfo.entryList(QDir::Files)) {
        if (name.toInt() <= 2)
            continue;
        QFile info(fdinfo.filePath(name));
        if (!info.open(QIODevice::ReadOnly))
            continue; // closed meanwhile
        for (const QByteArray &line : info.readAll().split('\n')) {
            if (!line.startsWith("flags:"))
                continue;
            bool ok = false;
            const int flags = line.mid(6).trimmed().toInt(&ok, 8);
            if (ok && !(flags & O_CLOEXEC))
                found << name + QStringLiteral(" -> ") +
                             QFile::symLinkTarget(
                                 QStringLiteral("/proc/%1/fd/%2").arg(pid).arg(name));
        }
    }
    return found;
}

std::chrono::milliseconds signalAndTimeExit(QProcess &process, int signalNumber,
                                            std::chrono::milliseconds limit) {
    QElapsedTimer elapsed;
    elapsed.start();
    ::kill(pid_t(process.processId()), signalNumber);
    if (!process.waitForFinished(int(limit.count())))
        return -1ms;
    return std::chrono::milliseconds(elapsed.elapsed());
}

} // namespace jobmonitor::test
