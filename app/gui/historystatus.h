#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace jobmonitor {

class JobService;

// What the window says about the job history (HistoryBanner.qml): that it is not being saved
// (a full disk, a read-only folder, a store of a newer version), that a damaged store was
// moved aside, and the queued jobs of a session that ended unexpectedly, with what to do
// about them. Forwards to the JobService of the engine's App.
class HistoryStatus : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(History)
    QML_SINGLETON
    Q_PROPERTY(bool saving READ saving NOTIFY statusChanged)
    Q_PROPERTY(QString problem READ problem NOTIFY statusChanged)
    Q_PROPERTY(int queuedFromLastSession READ queuedFromLastSession NOTIFY queuedChanged)
public:
    explicit HistoryStatus(JobService *service, QObject *parent = nullptr);
    static HistoryStatus *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    bool saving() const;
    // One sentence or two for the banner; empty while all is well.
    QString problem() const;
    int queuedFromLastSession() const;

    Q_INVOKABLE void startQueued();
    Q_INVOKABLE void discardQueued();

Q_SIGNALS:
    void statusChanged();
    void queuedChanged();

private:
    JobService *m_service;
};

} // namespace jobmonitor
