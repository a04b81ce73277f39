#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace jobmonitor {

class JobService;

// What the settings dialog edits, read from and written to the settings file (settingsfile.h):
// the history's retention, applied at once to the store of the service given; notifications and
// keeping the computer awake, which the window reads when it starts.
class AppSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int keepDays MEMBER m_keepDays NOTIFY changed)
    Q_PROPERTY(double maxOutputGiB MEMBER m_maxOutputGiB NOTIFY changed)
    Q_PROPERTY(bool notificationsEnabled MEMBER m_notificationsEnabled NOTIFY changed)
    Q_PROPERTY(int notifyAfterSeconds MEMBER m_notifyAfterSeconds NOTIFY changed)
    Q_PROPERTY(bool keepAwake MEMBER m_keepAwake NOTIFY changed)
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
    bool m_showRunning = true;
};

} // namespace jobmonitor
