#include "jobformat.h"

#include "job.h"
#include "signalnames.h"

#include <QLocale>

namespace jobmonitor {

QString stateLabel(JobState state) {
    switch (state) {
    case JobState::Pending:
        return QStringLiteral("Queued");
    case JobState::TimedOut:
        return QStringLiteral("Timed out");
    default:
        return jobStateName(state);
    }
}

QString countText(qint64 count) {
    return QLocale().toString(count);
}

QString clockText(qint64 milliseconds) {
    const qint64 seconds = std::max<qint64>(0, milliseconds / 1000);
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

QString secondsText(qint64 milliseconds) {
    return QStringLiteral("%1 s").arg(
        QLocale().toString(std::max<qint64>(0, milliseconds) / 1000.0, 'f', 1));
}

QString dateTimeText(const QDateTime &time) {
    if (!time.isValid())
        return {};
    const QLocale locale;
    const QString clock = locale.toString(time.time(), QStringLiteral("HH:mm:ss"));
    if (time.date() == QDate::currentDate())
        return clock;
    return locale.toString(time.date(), QLocale::ShortFormat) + QLatin1Char(' ') + clock;
}

QString signalText(int signal) {
    return signalDescription(signal);
}

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
    return clockText(start.msecsTo(end));
}

QString jobStartsInText(const Job &job, const QDateTime &now) {
    const QDateTime at = job.spec().startAt;
    if (!at.isValid() || at <= now ||
        (job.state() != JobState::Waiting && job.state() != JobState::Pending))
        return {};
    return QStringLiteral("starts in %1").arg(clockText(now.msecsTo(at)));
}

qint64 jobDeadlineEpochMs(const Job &job) {
    const QDeadlineTimer deadline = job.deadline();
    if (deadline.isForever() ||
        (job.state() != JobState::Stopping && job.state() != JobState::Retrying))
        return 0;
    return QDateTime::currentMSecsSinceEpoch() + deadline.remainingTime();
}

} // namespace jobmonitor
