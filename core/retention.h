#pragma once

#include <QString>

namespace jobmonitor {

// How much history the store keeps (applied at start and once a day, oldest first): jobs for
// keepDays after they ended, and their saved output up to maxOutputBytes in all. A job that
// has not reached a final state is never touched.
struct RetentionPolicy {
    int keepDays = 90;
    qint64 maxOutputBytes = qint64(2) * 1024 * 1024 * 1024;

    // From the [history] group of an INI settings file (keepDays, maxOutputBytes); the
    // defaults for anything missing or out of range.
    static RetentionPolicy load(const QString &settingsFile);
    void save(const QString &settingsFile) const;

    // $XDG_CONFIG_HOME/jobmonitor/jobmonitor.conf, or <stateDir>/jobmonitor.conf for a state
    // folder named on the command line (an instance of its own shares nothing with the
    // user's).
    static QString settingsFile(const QString &stateDir, bool stateDirGiven);
};

} // namespace jobmonitor
