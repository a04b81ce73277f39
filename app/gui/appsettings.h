#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

class JobService;

// What the settings dialog edits, read from and written to the settings file (settingsfile.h):
// the history's retention, applied at once to the store of the service given; notifications and
// keeping the computer awake, which the window reads when it starts; the defaults of new jobs
// and of the queue (jobdefaults.h): the grace period the New job form starts with, and the jobs
// running at once, applied at once unless this run's command line gave its own.
class AppSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int keepDays MEMBER m_keepDays NOTIFY changed)
    Q_PROPERTY(double maxOutputGiB MEMBER m_maxOutputGiB NOTIFY changed)
    Q_PROPERTY(bool notificationsEnabled MEMBER m_notificationsEnabled NOTIFY changed)
    Q_PROPERTY(int notifyAfterSeconds MEMBER m_notifyAfterSeconds NOTIFY changed)
    Q_PROPERTY(bool keepAwake MEMBER m_keepAwake NOTIFY changed)
    // Seconds, as the New job form's Grace field reads them.
    Q_PROPERTY(QString grace MEMBER m_grace NOTIFY changed)
    Q_PROPERTY(int maxParallel MEMBER m_maxParallel NOTIFY changed)
    // What this run's command line gave instead (--grace or --termseq, in seconds, and
    // --max-parallel): empty and 0 when it gave nothing.
    Q_PROPERTY(QString commandLineGrace MEMBER m_commandLineGrace NOTIFY changed)
    Q_PROPERTY(int commandLineMaxParallel MEMBER m_commandLineMaxParallel NOTIFY changed)
    Q_PROPERTY(bool showRunning MEMBER m_showRunning NOTIFY changed)
public:
    explicit AppSettings(QObject *parent = nullptr);

    // The file's values again, dropping what was edited.
    Q_INVOKABLE void reload();
    // Checks the values and writes them; an empty string, or why nothing was written.
    Q_INVOKABLE QString save();

    void setService(JobService *service) { m_service = service; }

Q_SIGNALS:
    void changed();

private:
    JobService *m_service = nullptr;
    int m_keepDays = 0;
    double m_maxOutputGiB = 0;
    bool m_notificationsEnabled = true;
    int m_notifyAfterSeconds = 0;
    bool m_keepAwake = false;
    QString m_grace;
    int m_maxParallel = 0;
    QString m_commandLineGrace;
    int m_commandLineMaxParallel = 0;
    bool m_showRunning = true;
};

} // namespace jobmonitor
