#include "jobformat.h"

#include "job.h"
#include "jobrecord.h"
#include "jobspec.h"
#include "signalnames.h"

#include <QLocale>

#include <algorithm>

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

QString dateTimeText(const QDateTime &when) {
    if (!when.isValid())
        return {};
    // Jobs keep their times in UTC (a conversion to local time costs a time zone lookup).
    const QDateTime time = when.toLocalTime();
    const QLocale locale;
    const QString clock = locale.toString(time.time(), QStringLiteral("HH:mm:ss"));
    if (time.date() == QDate::currentDate())
        return clock;
    return locale.toString(time.date(), QLocale::ShortFormat) + QLatin1Char(' ') + clock;
}

QString signalText(int signal) {
    return signalDescription(signal);
}

namespace {
QString resultText(JobState state, std::optional<int> signal, std::optional<int> exitCode,
                   const QString &error) {
    if (state == JobState::Pending || state == JobState::Running)
        return {};
    if (signal)
        return signalDescription(*signal);
    if (exitCode)
        return QStringLiteral("exit %1").arg(*exitCode);
    if (!error.isEmpty())
        return QStringLiteral("failed to start");
    return {};
}

QString elapsedText(const QDateTime &start, const QDateTime &end, const QDateTime &now) {
    if (!start.isValid())
        return {};
    return clockText(start.msecsTo(end.isValid() ? end : now));
}
} // namespace

QString jobResultText(const Job &job) {
    return resultText(job.state(), job.exitSignal(), job.exitCode(), job.error());
}

QString jobResultText(const JobRecord &job) {
    return resultText(job.state, job.signal, job.exitCode, job.error);
}

QString jobElapsedText(const Job &job, const QDateTime &now) {
    return elapsedText(job.startedAt(), job.endedAt(), now);
}

QString jobElapsedText(const JobRecord &job, const QDateTime &now) {
    return elapsedText(job.startedAt, job.endedAt, now);
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

QString cpuText(double percent) {
    const double shown = std::max(0.0, percent);
    return QStringLiteral("%1%").arg(QLocale().toString(shown, 'f', shown < 9.95 ? 1 : 0));
}

QString bytesText(qint64 bytes) {
    return describeBytes(bytes);
}

QString jobResourcesText(double cpuPercent, qint64 rssBytes, bool sampled) {
    if (!sampled)
        return {};
    return cpuText(cpuPercent) + QStringLiteral(" \u00b7 ") + bytesText(rssBytes);
}

QString jobLimitsText(const JobSpec &spec) {
    QStringList parts;
    if (spec.memoryLimitBytes > 0)
        parts << QStringLiteral("memory limit %1").arg(bytesText(spec.memoryLimitBytes));
    if (spec.niceness)
        parts << QStringLiteral("nice %1").arg(*spec.niceness);
    if (spec.ioPriority)
        parts << QStringLiteral("I/O %1").arg(spec.ioPriority->toString());
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString jobUsageText(const Job &job) {
    if (job.isAttemptRunning())
        return {};
    QStringList parts;
    if (const std::optional<qint64> peak = job.peakRssBytes())
        parts << QStringLiteral("peak %1").arg(bytesText(*peak));
    if (const std::optional<qint64> cpu = job.cpuTimeMs())
        parts << QStringLiteral("CPU time %1")
                     .arg(*cpu < 60000 ? secondsText(*cpu) : clockText(*cpu));
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString jobEtaText(const Job &job) {
    const Job::ProgressInfo info = job.progress();
    if (!info.progress || !info.remaining)
        return {};
    const QString left = QStringLiteral("%1 left").arg(clockText(info.remaining->count()));
    return info.progress->kind == Progress::Kind::Estimate ? QStringLiteral("about ") + left : left;
}

} // namespace jobmonitor
