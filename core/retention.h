#pragma once

#include <QString>

namespace jobmonitor {

// How much history the store keeps (applied at start and once a day, oldest first): jobs for
// keepDays after they ended, and their saved output up to maxOutputBytes in all. A job that
// has not reached a final state is never touched.
struct RetentionPolicy {
    int keepDays = 90;
    qint64 maxOutputBytes = qint64(2) * 1024 * 1024 * 1024;

    // From the [history] group of the INI settings file (settingsfile.h: keepDays,
    // maxOutputBytes); the defaults for anything missing or out of range.
    static RetentionPolicy load(const QString &settingsFile);
    void save(const QString &settingsFile) const;
};

} // namespace jobmonitor
