#pragma once

#include <QDBusConnection>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace jobmonitor {

class Job;
class JobService;
struct Transition;

// Tells the desktop (org.freedesktop.Notifications) when a job fails or times out, and when one
// completes after running at least minimumRun while the window is not active. Actions: Show
// (showRequested: the window comes forward at the job) and, for failures, Retry (through the
// JobService). Endings that come within BurstWindow of each other become one notification
// ("12 jobs finished, 2 failed"). Without a notification server nothing changes but one line
// in the log.
class Notifier : public QObject {
    Q_OBJECT
public:
    // The [notifications] group of the settings file: enabled, minimumSeconds, and showRunning
    // (running jobs in the desktop's job tracker, JobViews).
    struct Settings {
        bool enabled = true;
        std::chrono::seconds minimumRun{10};
        bool showRunning = true;
        static Settings load();
        void save() const;
    };

    static constexpr std::chrono::milliseconds BurstWindow{750};

    Notifier(JobService *service, QDBusConnection bus, std::function<bool()> windowActive,
             Settings settings, QObject *parent = nullptr);

Q_SIGNALS:
    void showRequested(qint64 jobId); // 0: only the window

private Q_SLOTS:
    void onActionInvoked(uint notification, const QString &action);
    void onClosed(uint notification, uint reason);

private:
    struct Ending {
        qint64 id;
        QString label;
        bool failed;
        QString reason;
    };
    void onTransition(Job *job, const Transition &transition);
    void flush();
    void notify(const QString &summary, const QString &body, bool failed, qint64 jobId);

    JobService *m_service;
    QDBusConnection m_bus;
    std::function<bool()> m_windowActive;
    Settings m_settings;
    QList<Ending> m_pending;
    QTimer m_burst;
    QHash<uint, qint64> m_jobOf; // notification id -> job id (0 for a summary)
    bool m_serverMissing = false;
};

} // namespace jobmonitor
