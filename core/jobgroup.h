#pragma once

#include <QList>
#include <QMap>
#include <QString>

#include <chrono>
#include <optional>

class QSettings;

namespace jobmonitor {

// A group's start rate, as a token bucket: it holds at most `burst` starts, and gains one every
// interval / starts. A job of the group starts only when the bucket holds a start, and takes
// it; the jobs of the group take their turns in queue order. "5 starts per 60 s, burst 1"
// starts one job every 12 s at most; burst 5 lets five start at once after a quiet minute,
// then one every 12 s.
struct StartRate {
    int starts = 0; // per interval; 0: no start rate
    std::chrono::milliseconds interval{0};
    int burst = 1;

    bool isLimited() const { return starts > 0; }
    // "N/SECONDS" or "N/SECONDS:BURST", seconds with decimals allowed ("2/0.5:3"); nullopt and
    // a message for error on anything else. The values are checked by GroupSettings.
    static std::optional<StartRate> parse(const QString &text, QString *error);
    QString toString() const; // as parse() reads it, or "none"
    bool operator==(const StartRate &) const = default;
};

// What a group is: its name, its own limit of jobs running at once, its start rate, and whether
// a failed job pauses its queue. Plain values, kept in the settings file (saveGroups()).
struct GroupSettings {
    QString name;
    int maxParallel = 0; // 0: no limit of the group's own (Job Monitor's overall limit holds)
    StartRate rate;
    // A job of the group that ends Failed or TimedOut pauses the group's queue, so the next
    // jobs do not run against a broken setup; running jobs go on.
    bool pauseOnFailure = false;

    // Empty when the settings are usable, else the first thing wrong with them.
    QString validate() const;
    bool operator==(const GroupSettings &) const = default;
};

// The groups kept in settings (the [groups] section of the settings file), and saving them
// back: every group, the default one included when it has been changed.
QList<GroupSettings> loadGroups(QSettings &settings);
void saveGroups(QSettings &settings, const QList<GroupSettings> &groups);
// The groups that are paused, each with its reason ("paused by user"), kept in settings (the
// [pausedGroups] section), so that a paused group is still paused when the window starts again.
QMap<QString, QString> loadGroupPauses(QSettings &settings);
void saveGroupPauses(QSettings &settings, const QMap<QString, QString> &reasons);

} // namespace jobmonitor
