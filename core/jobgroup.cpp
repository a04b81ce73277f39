#include "jobgroup.h"

#include "joblimits.h"
#include "jobspec.h"

#include <QLocale>
#include <QRegularExpression>
#include <QSettings>

#include <cmath>

namespace jobmonitor {

namespace {

const QString GroupsKey = QStringLiteral("groups");
const QString PausedGroupsKey = QStringLiteral("pausedGroups");

QString secondsText(std::chrono::milliseconds interval) {
    return QLocale::c().toString(double(interval.count()) / 1000, 'g', 15);
}

} // namespace

std::optional<StartRate> StartRate::parse(const QString &text, QString *error) {
    static const QRegularExpression pattern(
        QStringLiteral("^([0-9]+)/([0-9]+(?:\\.[0-9]+)?)(?::([0-9]+))?$"));
    const QString trimmed = text.trimmed();
    const QRegularExpressionMatch match = pattern.match(trimmed);
    if (!match.hasMatch()) {
        *error = QStringLiteral("'%1' is not a start rate: write STARTS/SECONDS or "
                                "STARTS/SECONDS:BURST, e.g. 5/60 or 5/60:2")
                     .arg(trimmed);
        return std::nullopt;
    }
    // Digits beyond the range only have to stay beyond the limits, which name themselves.
    const auto whole = [](const QString &digits) {
        bool ok = false;
        const qint64 value = digits.toLongLong(&ok);
        return int(std::min<qint64>(ok ? value : INT_MAX, INT_MAX));
    };
    StartRate rate;
    rate.starts = whole(match.captured(1));
    if (rate.starts == 0) {
        *error = QStringLiteral("a start rate needs at least 1 start, not 0");
        return std::nullopt;
    }
    const double seconds = QLocale::c().toDouble(match.captured(2));
    rate.interval = std::chrono::milliseconds(
        std::llround(std::min(seconds * 1000, double(limits::maxRateInterval.count()) * 2)));
    rate.burst = match.captured(3).isEmpty() ? 1 : whole(match.captured(3));
    return rate;
}

QString StartRate::toString() const {
    if (!isLimited())
        return QStringLiteral("none");
    QString text = QStringLiteral("%1/%2").arg(starts).arg(secondsText(interval));
    if (burst != 1)
        text += QStringLiteral(":%1").arg(burst);
    return text;
}

QString GroupSettings::validate() const {
    if (const QString problem = groupNameProblem(name); !problem.isEmpty())
        return problem;
    if (maxParallel < 0 || maxParallel > limits::maxParallel)
        return QStringLiteral("a group runs 0 (no limit of its own) to %1 jobs at once, not %2")
            .arg(limits::maxParallel)
            .arg(maxParallel);
    if (!rate.isLimited())
        return rate.starts == 0
                   ? QString()
                   : QStringLiteral("a start rate needs at least 1 start, not %1").arg(rate.starts);
    if (rate.starts > limits::maxRateStarts)
        return QStringLiteral("a start rate allows at most %1 starts per interval, not %2")
            .arg(limits::maxRateStarts)
            .arg(rate.starts);
    if (rate.interval < limits::resolution)
        return QStringLiteral("a start rate's interval must be at least 1 ms");
    if (rate.interval > limits::maxRateInterval)
        return QStringLiteral("a start rate's interval must be at most %1")
            .arg(describeDuration(limits::maxRateInterval));
    if (rate.burst < 1 || rate.burst > limits::maxRateStarts)
        return QStringLiteral("a start rate's burst must be 1 to %1, not %2")
            .arg(limits::maxRateStarts)
            .arg(rate.burst);
    return {};
}

QList<GroupSettings> loadGroups(QSettings &settings) {
    QList<GroupSettings> groups;
    settings.beginGroup(GroupsKey);
    for (const QString &name : settings.childGroups()) {
        settings.beginGroup(name);
        GroupSettings group;
        group.name = name;
        group.maxParallel = settings.value(QStringLiteral("maxParallel"), 0).toInt();
        group.rate.starts = settings.value(QStringLiteral("rateStarts"), 0).toInt();
        group.rate.interval = std::chrono::milliseconds(
            settings.value(QStringLiteral("rateIntervalMs"), 0).toLongLong());
        group.rate.burst = settings.value(QStringLiteral("rateBurst"), 1).toInt();
        group.pauseOnFailure = settings.value(QStringLiteral("pauseOnFailure"), false).toBool();
        settings.endGroup();
        groups.append(group);
    }
    settings.endGroup();
    return groups;
}

void saveGroups(QSettings &settings, const QList<GroupSettings> &groups) {
    settings.remove(GroupsKey);
    settings.beginGroup(GroupsKey);
    for (const GroupSettings &group : groups) {
        settings.beginGroup(group.name);
        settings.setValue(QStringLiteral("maxParallel"), group.maxParallel);
        settings.setValue(QStringLiteral("rateStarts"), group.rate.starts);
        settings.setValue(QStringLiteral("rateIntervalMs"), qint64(group.rate.interval.count()));
        settings.setValue(QStringLiteral("rateBurst"), group.rate.burst);
        settings.setValue(QStringLiteral("pauseOnFailure"), group.pauseOnFailure);
        settings.endGroup();
    }
    settings.endGroup();
}

QMap<QString, QString> loadGroupPauses(QSettings &settings) {
    QMap<QString, QString> reasons;
    settings.beginGroup(PausedGroupsKey);
    for (const QString &name : settings.childKeys())
        reasons.insert(name, settings.value(name).toString());
    settings.endGroup();
    return reasons;
}

void saveGroupPauses(QSettings &settings, const QMap<QString, QString> &reasons) {
    settings.remove(PausedGroupsKey);
    settings.beginGroup(PausedGroupsKey);
    for (auto it = reasons.cbegin(); it != reasons.cend(); ++it)
        settings.setValue(it.key(), it.value());
    settings.endGroup();
}

} // namespace jobmonitor
