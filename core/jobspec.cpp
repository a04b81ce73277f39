#include "jobspec.h"

#include "joblimits.h"
#include "progressparser.h"
#include "signalnames.h"

#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <cmath>
#include <limits>

namespace jobmonitor {

namespace {

// What a number too large for any limit becomes (about 31 700 years): far above every limit,
// and far enough below the range of qint64 that sums of a few never overflow.
constexpr qint64 saturatedMs = 1'000'000'000'000'000;

QString signalText(int number) {
    return signalAbbreviation(number);
}

QString sequenceError(const QString &message) {
    return QStringLiteral("termination sequence: ") + message;
}

// "86400000 ms (24 hours)": the exact figure, and one a person reads at a glance.
QString limitText(milliseconds limit) {
    return QStringLiteral("%1 ms (%2)").arg(limit.count()).arg(describeDuration(limit));
}

// A whole number of milliseconds, 0 or more; digits beyond the range of qint64 saturate.
std::optional<qint64> parseMilliseconds(const QString &text) {
    if (text.isEmpty())
        return std::nullopt;
    for (const QChar c : text)
        if (!c.isDigit() || c.unicode() > '9')
            return std::nullopt;
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? std::min(value, saturatedMs) : saturatedMs;
}

} // namespace

QString defaultGroupName() {
    return QStringLiteral("default");
}

QString groupNameProblem(const QString &name) {
    if (name.isEmpty())
        return QStringLiteral("group name is empty");
    if (name.size() > limits::maxGroupNameLength)
        return QStringLiteral("group name '%1' is %2 characters long; the limit is %3")
            .arg(name)
            .arg(name.size())
            .arg(limits::maxGroupNameLength);
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    if (!valid.match(name).hasMatch())
        return QStringLiteral("group name '%1' may hold only letters, digits, '.', '_' and '-', "
                              "and starts with a letter or a digit")
            .arg(name);
    return {};
}

milliseconds BackoffPolicy::delayBeforeRetry(int retryNumber) const {
    const int exponent = std::max(retryNumber, 1) - 1;
    const double delay = double(initial.count()) * std::pow(factor, exponent);
    // Also true when the power overflowed to infinity (or the factor was not a number).
    if (!(delay < double(cap.count())))
        return cap;
    return milliseconds(std::llround(delay));
}

TerminationSequence TerminationSequence::standard(milliseconds grace) {
    return TerminationSequence{{{SIGTERM, milliseconds(0)}, {SIGCONT, grace}}};
}

std::optional<TerminationSequence> TerminationSequence::parse(const QString &text, QString *error) {
    const auto fail = [error](const QString &message) {
        if (error)
            *error = sequenceError(message);
        return std::nullopt;
    };
    if (text.trimmed().isEmpty())
        return fail(QStringLiteral("it is empty"));

    QStringList items = text.split(QLatin1Char(','));
    for (QString &item : items)
        item = item.trimmed();
    // SIGKILL always ends the sequence, so a final KILL (with or without a wait) is implicit.
    if (items.size() % 2 && parseSignal(items.last()) != SIGKILL) {
        return fail(QStringLiteral("expected pairs of signal and milliseconds, got %1 items")
                        .arg(items.size()));
    }

    TerminationSequence sequence;
    for (qsizetype i = 0; i + 1 < items.size(); i += 2) {
        const std::optional<int> signal = parseSignal(items.at(i));
        if (!signal)
            return fail(QStringLiteral("unknown signal '%1'").arg(items.at(i)));
        if (*signal == SIGKILL) {
            if (i + 2 == items.size())
                break;
            return fail(QStringLiteral("KILL can only be the last step"));
        }
        const std::optional<qint64> wait = parseMilliseconds(items.at(i + 1));
        if (!wait) {
            return fail(
                QStringLiteral("'%1' is not a number of milliseconds").arg(items.at(i + 1)));
        }
        sequence.steps.append({*signal, milliseconds(*wait)});
    }
    return sequence;
}

QString TerminationSequence::toString() const {
    QStringList items;
    for (const Step &step : steps)
        items << signalText(step.signal) << QString::number(step.waitAfter.count());
    items << signalText(SIGKILL);
    return items.join(QLatin1Char(','));
}

milliseconds TerminationSequence::grace() const {
    qint64 total = 0;
    for (const Step &step : steps) {
        if (step.waitAfter.count() > 0 &&
            total > std::numeric_limits<qint64>::max() - step.waitAfter.count())
            return milliseconds::max();
        total += std::max<qint64>(step.waitAfter.count(), 0);
    }
    return milliseconds(total);
}

QList<SpecProblem> JobSpec::problems() const {
    using Field = SpecProblem::Field;
    QList<SpecProblem> found;
    const auto problem = [&found](Field field, const QString &message) {
        found.append({field, message});
    };

    if (command.trimmed().isEmpty())
        problem(Field::Command, QStringLiteral("command is empty"));
    else if (command.contains(QChar(0)))
        problem(Field::Command, QStringLiteral("command contains a NUL character"));
    else if (const qsizetype bytes = command.toUtf8().size(); bytes > limits::maxArgumentBytes)
        problem(Field::Command,
                QStringLiteral("command is %1 bytes long; Linux runs commands of at most %2 bytes "
                               "(MAX_ARG_STRLEN)")
                    .arg(bytes)
                    .arg(limits::maxArgumentBytes));

    if (!workingDirectory.isEmpty()) {
        const QFileInfo directory(workingDirectory);
        if (!directory.exists())
            problem(Field::WorkingDirectory,
                    QStringLiteral("working directory '%1' does not exist").arg(workingDirectory));
        else if (!directory.isDir())
            problem(
                Field::WorkingDirectory,
                QStringLiteral("working directory '%1' is not a directory").arg(workingDirectory));
    }

    for (auto it = environment.cbegin(); it != environment.cend(); ++it) {
        if (it.key().isEmpty()) {
            problem(Field::Environment, QStringLiteral("environment variable name is empty"));
            break;
        }
        if (it.key().contains(QLatin1Char('='))) {
            problem(Field::Environment,
                    QStringLiteral("environment variable name '%1' contains '='").arg(it.key()));
            break;
        }
        if (it.key().contains(QChar(0)) || it.value().contains(QChar(0))) {
            problem(
                Field::Environment,
                QStringLiteral("environment variable %1 contains a NUL character").arg(it.key()));
            break;
        }
        // The kernel takes NAME=value as one string.
        if (const qsizetype bytes = it.key().toUtf8().size() + 1 + it.value().toUtf8().size();
            bytes > limits::maxArgumentBytes) {
            problem(Field::Environment,
                    QStringLiteral("environment variable %1 is %2 bytes long with its name; Linux "
                                   "passes at most %3 bytes (MAX_ARG_STRLEN)")
                        .arg(it.key())
                        .arg(bytes)
                        .arg(limits::maxArgumentBytes));
            break;
        }
    }

    if (timeout < milliseconds(0))
        problem(Field::Timeout,
                QStringLiteral("timeout must not be negative, not %1 ms").arg(timeout.count()));
    else if (timeout > limits::maxTimeout)
        problem(Field::Timeout,
                QStringLiteral("timeout must be at most %1").arg(limitText(limits::maxTimeout)));

    if (maxAttempts < 1)
        problem(Field::Retries,
                QStringLiteral("maximum attempts must be at least 1, not %1").arg(maxAttempts));
    else if (maxAttempts > limits::maxAttempts)
        problem(Field::Retries, QStringLiteral("retries must be at most %1, not %2")
                                    .arg(limits::maxRetries)
                                    .arg(maxAttempts - 1));

    if (!(backoff.factor >= 1.0 && backoff.factor <= limits::maxBackoffFactor))
        problem(Field::Backoff, QStringLiteral("backoff factor must be 1 to %1, not %2")
                                    .arg(limits::maxBackoffFactor)
                                    .arg(backoff.factor));
    else if (backoff.initial < milliseconds(0))
        problem(Field::Backoff,
                QStringLiteral("backoff initial delay must not be negative, not %1 ms")
                    .arg(backoff.initial.count()));
    else if (backoff.cap < milliseconds(0))
        problem(
            Field::Backoff,
            QStringLiteral("backoff cap must not be negative, not %1 ms").arg(backoff.cap.count()));
    else if (backoff.initial > limits::maxBackoffDelay || backoff.cap > limits::maxBackoffDelay)
        problem(Field::Backoff, QStringLiteral("backoff delays must be at most %1")
                                    .arg(limitText(limits::maxBackoffDelay)));
    else if (backoff.cap < backoff.initial)
        problem(Field::Backoff,
                QStringLiteral("backoff: the longest delay (%1 ms) must not be shorter than the "
                               "first (%2 ms)")
                    .arg(backoff.cap.count())
                    .arg(backoff.initial.count()));

    if (memoryLimitBytes < 0)
        problem(Field::MemoryLimit, QStringLiteral("memory limit must not be negative"));
    else if (memoryLimitBytes > 0 && memoryLimitBytes < limits::minMemoryLimitBytes)
        problem(Field::MemoryLimit, QStringLiteral("memory limit must be at least %1, not %2 bytes")
                                        .arg(describeBytes(limits::minMemoryLimitBytes))
                                        .arg(memoryLimitBytes));
    else if (memoryLimitBytes > limits::maxMemoryLimitBytes)
        problem(Field::MemoryLimit, QStringLiteral("memory limit must be at most %1")
                                        .arg(describeBytes(limits::maxMemoryLimitBytes)));

    if (niceness && (*niceness < limits::minNiceness || *niceness > limits::maxNiceness))
        problem(Field::Niceness, QStringLiteral("nice value must be %1 to %2, not %3")
                                     .arg(limits::minNiceness)
                                     .arg(limits::maxNiceness)
                                     .arg(*niceness));
    else if (ioPriority && (ioPriority->ioClass < 1 || ioPriority->ioClass > 3))
        problem(Field::IoPriority,
                QStringLiteral("I/O priority class must be 1 (realtime), 2 (best-effort) or 3 "
                               "(idle), not %1")
                    .arg(ioPriority->ioClass));
    else if (ioPriority &&
             (ioPriority->level < 0 || ioPriority->level > limits::maxIoPriorityLevel ||
              (ioPriority->ioClass == 3 && ioPriority->level != 0)))
        problem(Field::IoPriority,
                ioPriority->ioClass == 3
                    ? QStringLiteral("the idle I/O class has no levels")
                    : QStringLiteral("I/O priority level must be 0 to %1, not %2")
                          .arg(limits::maxIoPriorityLevel)
                          .arg(ioPriority->level));

    if (const QString error = ProgressParser::validatePattern(progressPattern); !error.isEmpty())
        problem(Field::ProgressPattern, error);
    if (!group.isEmpty())
        if (const QString problem = groupNameProblem(group); !problem.isEmpty())
            found.append({Field::Group, problem});

    if (priority < -limits::maxPriority || priority > limits::maxPriority)
        found.append({Field::Priority, QStringLiteral("priority must be from %1 to %2, not %3")
                                           .arg(-limits::maxPriority)
                                           .arg(limits::maxPriority)
                                           .arg(priority)});

    if (dependencies.size() > limits::maxDependencies) {
        found.append(
            {Field::Dependencies, QStringLiteral("a job may wait for at most %1 jobs, not %2")
                                      .arg(limits::maxDependencies)
                                      .arg(dependencies.size())});
    } else {
        QSet<qint64> seen;
        for (const JobDependency &dependency : dependencies) {
            if (dependency.jobId < 1) {
                found.append({Field::Dependencies,
                              QStringLiteral("#%1 is not a job id").arg(dependency.jobId)});
                break;
            }
            if (seen.contains(dependency.jobId)) {
                found.append({Field::Dependencies,
                              QStringLiteral("job #%1 is named twice among the jobs to wait for")
                                  .arg(dependency.jobId)});
                break;
            }
            seen.insert(dependency.jobId);
        }
    }

    if (termination.steps.size() > limits::maxTerminationSteps) {
        problem(Field::Termination,
                sequenceError(QStringLiteral("%1 steps before SIGKILL; the limit is %2")
                                  .arg(termination.steps.size())
                                  .arg(limits::maxTerminationSteps)));
        return found;
    }
    for (const TerminationSequence::Step &step : termination.steps) {
        if (!isValidSignal(step.signal) || step.signal == SIGKILL) {
            problem(
                Field::Termination,
                sequenceError(
                    QStringLiteral("%1 is not a signal to send before SIGKILL").arg(step.signal)));
            return found;
        }
        if (step.waitAfter < milliseconds(0)) {
            problem(Field::Termination,
                    sequenceError(QStringLiteral("the wait after %1 must not be negative")
                                      .arg(signalText(step.signal))));
            return found;
        }
    }
    if (termination.grace() > limits::maxTerminationWait)
        problem(Field::Termination,
                sequenceError(QStringLiteral("its waits must add up to at most %1")
                                  .arg(limitText(limits::maxTerminationWait))));
    return found;
}

QString JobSpec::validate() const {
    const QList<SpecProblem> found = problems();
    return found.isEmpty() ? QString() : found.constFirst().message;
}

namespace {

const char *const ioClassNames[] = {"realtime", "best-effort", "idle"};

} // namespace

std::optional<IoPriority> IoPriority::parse(const QString &text, QString *error) {
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QStringList parts = text.trimmed().split(QLatin1Char(','));
    if (parts.size() > 2)
        return fail(QStringLiteral("'%1' is not an I/O priority: give a class (realtime, "
                                   "best-effort, idle) and a level 0-7, like best-effort,4")
                        .arg(text.trimmed()));
    const QString name = parts.constFirst().trimmed().toLower();
    IoPriority priority;
    priority.ioClass = 0;
    for (int i = 0; i < 3; ++i)
        if (name == QLatin1String(ioClassNames[i]) || name == QString::number(i + 1))
            priority.ioClass = i + 1;
    if (priority.ioClass == 0)
        return fail(QStringLiteral("'%1' is not an I/O class: give realtime, best-effort or idle "
                                   "(or 1, 2, 3)")
                        .arg(parts.constFirst().trimmed()));
    priority.level = priority.ioClass == 3 ? 0 : 4;
    if (parts.size() == 2) {
        const std::optional<qint64> level = parseMilliseconds(parts.at(1).trimmed());
        if (!level)
            return fail(QStringLiteral("'%1' is not an I/O priority level (0-7)")
                            .arg(parts.at(1).trimmed()));
        // Beyond any level it only has to stay beyond: JobSpec::validate() names the range.
        priority.level = int(std::min<qint64>(*level, 1000));
    }
    return priority;
}

QString IoPriority::toString() const {
    const QString name = ioClass >= 1 && ioClass <= 3 ? QLatin1String(ioClassNames[ioClass - 1])
                                                      : QString::number(ioClass);
    return ioClass == 3 ? name : QStringLiteral("%1,%2").arg(name).arg(level);
}

std::optional<qint64> parseByteSize(const QString &text, QString *error) {
    const QString trimmed = text.trimmed();
    qsizetype end = 0;
    while (end < trimmed.size() && (trimmed.at(end).isDigit() || trimmed.at(end) == u'.'))
        ++end;
    bool ok = false;
    const double number = QLocale::c().toDouble(trimmed.left(end), &ok);
    const QString unit = trimmed.mid(end).trimmed().toUpper();
    static const QString units = QStringLiteral("KMGTPE");
    int power = -1;
    if (unit.isEmpty() || unit == QLatin1String("B"))
        power = 0;
    else if (const qsizetype index = units.indexOf(unit.at(0));
             index >= 0 && (unit.size() == 1 || unit.mid(1) == QLatin1String("B") ||
                            unit.mid(1) == QLatin1String("IB")))
        power = int(index) + 1;
    if (!ok || power < 0) {
        if (error)
            *error = QStringLiteral("'%1' is not a size: give a number and a unit, like 2G, "
                                    "512M or 1.5GiB")
                         .arg(trimmed);
        return std::nullopt;
    }
    const double bytes = std::round(number * std::pow(1024.0, power));
    if (bytes >= 9.0e18)
        return std::numeric_limits<qint64>::max();
    return qint64(bytes);
}

QString describeBytes(qint64 bytes) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    // One decimal, dropped when it is 0: "2 GiB", "2.3 GiB".
    double rounded = std::round(value * 10) / 10;
    if (rounded >= 1024 && unit < 5) {
        rounded = 1;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(
        QLocale::c().toString(rounded, 'f', rounded == std::floor(rounded) ? 0 : 1),
        QLatin1String(units[unit]));
}

std::optional<milliseconds> parseSeconds(const QString &text, QString *error) {
    const QString trimmed = text.trimmed();
    bool ok = false;
    const double seconds = QLocale::c().toDouble(trimmed, &ok);
    if (!ok || !std::isfinite(seconds)) {
        *error = QStringLiteral("'%1' is not a number of seconds").arg(trimmed);
        return std::nullopt;
    }
    if (seconds < 0) {
        *error = QStringLiteral("%1 is negative: give 0 or more seconds").arg(trimmed);
        return std::nullopt;
    }
    const double ms = seconds * 1000;
    if (ms > 0 && ms < double(limits::resolution.count())) {
        *error = QStringLiteral("%1 s is below the resolution of 1 ms: give 0 for none, or at "
                                "least 0.001")
                     .arg(trimmed);
        return std::nullopt;
    }
    if (ms >= double(saturatedMs))
        return milliseconds(saturatedMs);
    return milliseconds(std::llround(ms));
}

QString describeDuration(milliseconds duration) {
    using namespace std::chrono;
    const qint64 ms = duration.count();
    const auto whole = [ms](auto unit, const char *one, const char *many) -> QString {
        const qint64 unitMs = duration_cast<milliseconds>(unit).count();
        if (ms == 0 || ms % unitMs != 0)
            return QString();
        const qint64 count = ms / unitMs;
        return QStringLiteral("%1 %2").arg(count).arg(QLatin1String(count == 1 ? one : many));
    };
    // "24 hours" reads better than "1 day"; longer spans go by days.
    if (ms >= 2 * duration_cast<milliseconds>(hours(24)).count())
        if (const QString days = whole(hours(24), "day", "days"); !days.isEmpty())
            return days;
    for (const QString &text :
         {whole(hours(1), "hour", "hours"), whole(minutes(1), "minute", "minutes")})
        if (!text.isEmpty())
            return text;
    return QStringLiteral("%1 s").arg(QLocale::c().toString(double(ms) / 1000, 'g', 15));
}

std::optional<milliseconds> parseDelay(const QString &text, QString *error) {
    const QString trimmed = text.trimmed();
    const auto fail = [&](const QString &message) {
        *error = message;
        return std::nullopt;
    };
    const QString notADelay =
        QStringLiteral("'%1' is not a delay: write seconds (90 or 90s), minutes (10m), hours "
                       "(2h), days (1d), or several (1h30m)")
            .arg(trimmed);
    static const QRegularExpression number(QStringLiteral("^[0-9]+(\\.[0-9]+)?$"));
    static const QRegularExpression part(
        QStringLiteral("\\G\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([smhd])"));
    double total = 0;
    if (number.match(trimmed).hasMatch()) {
        total = QLocale::c().toDouble(trimmed) * 1000;
    } else {
        qsizetype at = 0;
        for (QRegularExpressionMatchIterator parts = part.globalMatch(trimmed); parts.hasNext();) {
            const QRegularExpressionMatch match = parts.next();
            const double value = QLocale::c().toDouble(match.captured(1));
            const QChar unit = match.captured(2).at(0);
            const double unitMs = unit == QLatin1Char('s')   ? 1e3
                                  : unit == QLatin1Char('m') ? 60e3
                                  : unit == QLatin1Char('h') ? 3600e3
                                                             : 86400e3;
            total += value * unitMs;
            at = match.capturedEnd();
        }
        if (trimmed.isEmpty() || at != trimmed.size())
            return fail(notADelay);
    }
    if (total <= 0)
        return fail(QStringLiteral("a delay of %1 would not delay anything: give more than 0, "
                                   "or no delay")
                        .arg(trimmed));
    if (total < double(limits::resolution.count()))
        return fail(QStringLiteral("%1 is below the resolution of 1 ms").arg(trimmed));
    if (total > double(limits::maxStartDelay.count()))
        return fail(QStringLiteral("%1 is too long: a job starts at most %2 ahead")
                        .arg(trimmed, describeDuration(limits::maxStartDelay)));
    return milliseconds(std::llround(total));
}

std::optional<QDateTime> parseStartTime(const QString &text, const QDateTime &now, QString *error) {
    const QString trimmed = text.trimmed();
    static const QRegularExpression timeOfDay(
        QStringLiteral("^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$"));
    QDateTime at;
    if (const QRegularExpressionMatch match = timeOfDay.match(trimmed); match.hasMatch()) {
        const QTime time(match.captured(1).toInt(), match.captured(2).toInt(),
                         match.captured(3).isEmpty() ? 0 : match.captured(3).toInt());
        if (!time.isValid()) {
            *error = QStringLiteral("'%1' is not a time of day").arg(trimmed);
            return std::nullopt;
        }
        const QDateTime local = now.toLocalTime();
        at = QDateTime(local.date(), time);
        if (at <= local)
            at = QDateTime(local.date().addDays(1), time);
    } else {
        QString iso = trimmed;
        if (iso.size() > 10 && iso.at(10) == QLatin1Char(' '))
            iso[10] = QLatin1Char('T');
        at = QDateTime::fromString(iso, Qt::ISODate);
        if (!at.isValid() || !iso.contains(QLatin1Char('T'))) {
            *error = QStringLiteral("'%1' is not a start time: write a time of day (23:00) or a "
                                    "date and time (2026-12-02T03:00)")
                         .arg(trimmed);
            return std::nullopt;
        }
        if (at <= now) {
            *error = QStringLiteral("%1 is in the past").arg(startTimeText(at, now));
            return std::nullopt;
        }
    }
    if (now.msecsTo(at) > limits::maxStartDelay.count()) {
        *error = QStringLiteral("%1 is too far ahead: a job starts at most %2 ahead")
                     .arg(startTimeText(at, now), describeDuration(limits::maxStartDelay));
        return std::nullopt;
    }
    return at;
}

QString startTimeText(const QDateTime &time, const QDateTime &now) {
    const QDateTime local = time.toLocalTime();
    const QString clock = local.toString(local.time().second() == 0 ? QStringLiteral("HH:mm")
                                                                    : QStringLiteral("HH:mm:ss"));
    if (local.date() == now.toLocalTime().date())
        return clock;
    return local.toString(QStringLiteral("yyyy-MM-dd ")) + clock;
}

} // namespace jobmonitor
