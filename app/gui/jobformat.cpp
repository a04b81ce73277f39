#include "jobformat.h"

#include "job.h"
#include "signalnames.h"

namespace jobmonitor {

QString jobResultText(const Job &job) {
    if (job.state() == JobState::Pending || job.state() == JobState::Running)
        return {};
    if (job.exitSignal())
        return signalDescription(*job.exitSignal());
    if (job.exitCode())
        return QStringLiteral("exit %1").arg(*job.exitCode());
    if (!job.error().isEmpty())
        return QStringLiteral("failed to start");
    return {};
}

QString jobElapsedText(const Job &job, const QDateTime &now) {
    const QDateTime start = job.startedAt();
    if (!start.isValid())
        return {};
    const QDateTime end = job.endedAt().isValid() ? job.endedAt() : now;
    const qint64 seconds = std::max<qint64>(0, start.secsTo(end));
    const qint64 h = seconds / 3600;
    const qint64 m = seconds / 60 % 60;
    const qint64 s = seconds % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

qint64 jobDeadlineEpochMs(const Job &job) {
    const QDeadlineTimer deadline = job.deadline();
    if (deadline.isForever() ||
        (job.state() != JobState::Stopping && job.state() != JobState::Retrying))
        return 0;
    return QDateTime::currentMSecsSinceEpoch() + deadline.remainingTime();
}

} // namespace jobmonitor
