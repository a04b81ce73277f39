#pragma once

#include <QDBusConnection>
#include <QDBusServiceWatcher>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QVariantMap>

#include <chrono>

class QDBusMessage;

namespace jobmonitor {

class Job;
class JobService;
struct Transition;

// Each running job in Plasma's notification area, through KDE's job tracker
// (org.kde.JobViewServer, interface org.kde.JobViewServerV2; each view org.kde.JobViewV3): its
// name or command, its state, its progress (an estimate from earlier runs says so) and its time
// left. A view opens when a job starts running and closes when the job ends, with error code 0
// when it completed and the outcome otherwise. Cancel there cancels the job (its termination
// sequence), pause and resume there pause and resume its process tree — all through the
// JobService. Updates go out at most every UpdateInterval per job. The server may come, go and
// come back (plasmashell restarting): the running jobs get new views. Without a server nothing
// changes but one line in the log.
class JobViews : public QObject {
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds UpdateInterval{500};
    // Error codes of JobViewV3.terminate, as KDE's KJob numbers them: a view ended with
    // KilledJobError is dismissed without a notice, like a copy the user cancelled.
    static constexpr uint CompletedCode = 0;
    static constexpr uint CancelledCode = 1;   // KJob::KilledJobError
    static constexpr uint FailedCode = 100;    // KJob::UserDefinedError
    static constexpr int Capabilities = 1 | 2; // killable, suspendable

    JobViews(JobService *service, QDBusConnection bus, QObject *parent = nullptr);

    // What the view of a job shows now (the keys of JobViewV3.update).
    static QVariantMap properties(const Job &job);

private Q_SLOTS:
    void onCancelRequested(const QDBusMessage &message);
    void onSuspendRequested(const QDBusMessage &message);
    void onResumeRequested(const QDBusMessage &message);
    void onUpdateRequested(const QDBusMessage &message);

private:
    struct View {
        QString path;       // empty until the server answers
        quint64 server = 0; // the server generation the path belongs to
        bool requested = false;
        QVariantMap sent; // what the view shows, as last sent
        // The job ended before the server gave a path: terminate as soon as it does.
        bool ended = false;
        uint errorCode = 0;
        QString errorMessage;
    };

    void onTransition(Job *job, const Transition &transition);
    void onServerOwnerChanged(const QString &newOwner);
    void setServerPresent(bool present);
    void open(qint64 id);
    void request(qint64 id);
    void sendUpdates();
    void sendUpdate(View &view, const Job &job);
    void terminate(const View &view);
    void call(const QString &path, const QString &method, const QVariantList &arguments);
    qint64 jobAt(const QDBusMessage &message) const;

    JobService *m_service;
    QDBusConnection m_bus;
    QDBusServiceWatcher m_watcher;
    QHash<qint64, View> m_views; // every job that started and has not ended
    QTimer m_updates;
    bool m_serverPresent = false;
    quint64 m_server = 0; // counts the server's appearances
    bool m_absenceLogged = false;
};

} // namespace jobmonitor
