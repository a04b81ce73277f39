#include "processidentity.h"

#include <QByteArray>
#include <QFile>
#include <QList>

#include <unistd.h>

namespace jobmonitor {

namespace {

QByteArray readProcFile(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return file.readAll();
}

} // namespace

QString currentBootId() {
    static const QString id =
        QString::fromLatin1(readProcFile(QStringLiteral("/proc/sys/kernel/random/boot_id")))
            .trimmed();
    return id;
}

std::optional<quint64> processStartTime(qint64 pid, bool *zombie) {
    if (pid <= 0)
        return std::nullopt;
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    // The command name (field 2) may hold spaces and parentheses: fields are counted from
    // the last ')'. After it come field 3 (the state) and the rest.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    constexpr int StateField = 3;
    constexpr int StartTimeField = 22;
    if (fields.size() <= StartTimeField - StateField)
        return std::nullopt;
    const QByteArray state = fields.at(0);
    const bool ended = state == "Z" || state == "X";
    if (zombie)
        *zombie = ended;
    else if (ended)
        return std::nullopt;
    bool ok = false;
    const quint64 start = fields.at(StartTimeField - StateField).toULongLong(&ok);
    return ok ? std::optional<quint64>(start) : std::nullopt;
}

ProcessIdentity ProcessIdentity::self() {
    static const ProcessIdentity identity = *of(::getpid());
    return identity;
}

std::optional<ProcessIdentity> ProcessIdentity::of(qint64 pid) {
    bool zombie = false;
    const std::optional<quint64> start = processStartTime(pid, &zombie);
    if (!start)
        return std::nullopt;
    return ProcessIdentity{pid, *start, currentBootId()};
}

bool ProcessIdentity::isAlive() const {
    if (pid <= 0 || bootId != currentBootId())
        return false;
    return processStartTime(pid) == startTime;
}

} // namespace jobmonitor
