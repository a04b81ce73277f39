#include "testutil.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>

#include <atomic>

namespace jobmonitor::test {

QString testChildPath() {
    return QCoreApplication::applicationDirPath() + QStringLiteral("/jm-testchild");
}

static QString shellQuote(const QString &s) {
    QString quoted = s;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString testChildCommand(const QStringList &arguments) {
    // exec: the helper replaces the shell, so its exit status and signal reach the job as they
    // are (a shell reports a child killed by signal N as exit status 128 + N).
    QStringList parts{QStringLiteral("exec"), shellQuote(testChildPath())};
    for (const QString &a : arguments)
        parts << shellQuote(a);
    return parts.join(QLatin1Char(' '));
}

char processState(qint64 pid) {
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = file.readAll();
    // The state follows the last ')' (the command name may itself contain parentheses).
    const qsizetype close = line.lastIndexOf(')');
    return close >= 0 && close + 2 < line.size() ? line.at(close + 2) : char(0);
}

bool isPidAlive(qint64 pid) {
    if (pid <= 0)
        return false;
    const char state = processState(pid);
    return state != 0 && state != 'Z' && state != 'X';
}

QList<qint64> alivePids(const QList<qint64> &pids) {
    QList<qint64> alive;
    for (qint64 pid : pids)
        if (isPidAlive(pid))
            alive << pid;
    return alive;
}

QList<qint64> waitUntilDead(const QList<qint64> &pids, std::chrono::milliseconds timeout) {
    QDeadlineTimer deadline(timeout);
    for (;;) {
        const QList<qint64> alive = alivePids(pids);
        if (alive.isEmpty() || deadline.hasExpired())
            return alive;
        QTest::qWait(10);
    }
}

QMultiMap<QString, qint64> readPidFile(const QString &path) {
    QMultiMap<QString, qint64> pids;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return pids;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QList<QByteArray> parts = line.trimmed().split(' ');
        if (parts.size() == 2)
            pids.insert(QString::fromLatin1(parts[0]), parts[1].toLongLong());
    }
    return pids;
}

QList<qint64> waitForPids(const QString &path, int count, std::chrono::milliseconds timeout) {
    QDeadlineTimer deadline(timeout);
    QList<qint64> pids;
    for (;;) {
        pids = readPidFile(path).values();
        if (pids.size() >= count || deadline.hasExpired())
            return pids;
        QTest::qWait(10);
    }
}

bool runTask(QCoro::Task<> task, std::chrono::milliseconds timeout) {
    auto done = std::make_shared<bool>(false);
    task.then([done]() { *done = true; });
    QDeadlineTimer deadline(timeout);
    while (!*done && !deadline.hasExpired())
        QTest::qWait(5);
    return *done;
}

static std::atomic<int> s_destroyedWhileRunning{0};
static QtMessageHandler s_previousHandler = nullptr;

static void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &msg) {
    if (msg.contains(QLatin1String("Destroyed while process")))
        ++s_destroyedWhileRunning;
    if (s_previousHandler)
        s_previousHandler(type, context, msg);
}

void installProcessWarningCounter() {
    s_previousHandler = qInstallMessageHandler(countingHandler);
}

int destroyedWhileRunningWarnings() {
    return s_destroyedWhileRunning;
}

QMap<QString, QString> readDesktopEntry(const QString &path) {
    QMap<QString, QString> entry;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return entry;
    bool inEntryGroup = false;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1Char('['))) {
            inEntryGroup = line == QLatin1String("[Desktop Entry]");
        } else if (const qsizetype equals = line.indexOf(QLatin1Char('='));
                   inEntryGroup && equals > 0 && !line.startsWith(QLatin1Char('#'))) {
            entry.insert(line.left(equals).trimmed(), line.mid(equals + 1).trimmed());
        }
    }
    return entry;
}

} // namespace jobmonitor::test
