#pragma once

#include <QDBusConnection>
#include <QDBusUnixFileDescriptor>
#include <QObject>

namespace jobmonitor {

class JobService;

// "Keep the computer awake" (settings, [power] keepAwake, off by default): while jobs are
// active, a logind block inhibitor for sleep and idle whose reason counts them ("3 jobs
// running"); released when none is. Without logind it says so once in the log.
class KeepAwake : public QObject {
    Q_OBJECT
public:
    KeepAwake(JobService *service, QDBusConnection bus, QObject *parent = nullptr);

    // The [power] keepAwake setting of the settings file.
    static bool enabledInSettings();
    static void saveEnabled(bool enabled);

private:
    void update();

    JobService *m_service;
    QDBusConnection m_bus;
    QDBusUnixFileDescriptor m_lock;
    int m_lockedFor = 0; // the active count the lock's reason names
    bool m_requestPending = false;
    bool m_available = true;
};

} // namespace jobmonitor
