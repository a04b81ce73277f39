#include "notifier.h"
#include "desktopentry.h"

#include "job.h"
#include "jobservice.h"
#include "logging.h"
#include "settingsfile.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace jobmonitor {

namespace {

const QString NotificationsService = QStringLiteral("org.freedesktop.Notifications");
const QString NotificationsPath = QStringLiteral("/org/freedesktop/Notifications");
const QString NotificationsInterface = QStringLiteral("org.freedesktop.Notifications");
const QString ShowAction = QStringLiteral("show");
const QString RetryAction = QStringLiteral("retry");
// A summary names this many jobs, then "and N more".
constexpr int NamedInSummary = 3;

} // namespace

Notifier::Settings Notifier::Settings::load() {
    Settings settings;
    if (const std::unique_ptr<QSettings> file = openSettings()) {
        settings.enabled = file->value(QStringLiteral("notifications/enabled"), true).toBool();
        bool ok = false;
        const int seconds = file->value(QStringLiteral("notifications/minimumSeconds"),
                                        int(settings.minimumRun.count()))
                                .toInt(&ok);
        if (ok && seconds >= 0)
            settings.minimumRun = std::chrono::seconds(seconds);
        settings.showRunning =
            file->value(QStringLiteral("notifications/showRunning"), true).toBool();
    }
    return settings;
}

void Notifier::Settings::save() const {
    if (const std::unique_ptr<QSettings> file = openSettings()) {
        file->setValue(QStringLiteral("notifications/enabled"), enabled);
        file->setValue(QStringLiteral("notifications/minimumSeconds"), qint64(minimumRun.count()));
        file->setValue(QStringLiteral("notifications/showRunning"), showRunning);
    }
}

Notifier::Notifier(JobService *service, QDBusConnection bus, std::function<bool()> windowActive,
                   Settings settings, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_bus(std::move(bus))
    , m_windowActive(std::move(windowActive))
    , m_settings(settings) {
    m_burst.setSingleShot(true);
    m_burst.setInterval(BurstWindow);
    connect(&m_burst, &QTimer::timeout, this, &Notifier::flush);
    connect(service, &JobService::transitionRecorded, this, &Notifier::onTransition);
    m_bus.connect(NotificationsService, NotificationsPath, NotificationsInterface,
                  QStringLiteral("ActionInvoked"), this, SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(NotificationsService, NotificationsPath, NotificationsInterface,
                  QStringLiteral("NotificationClosed"), this, SLOT(onClosed(uint, uint)));
}

void Notifier::onTransition(Job *job, const Transition &transition) {
    if (!m_settings.enabled || !isFinal(transition.to))
        return;
    const bool failed = transition.to == JobState::Failed || transition.to == JobState::TimedOut;
    if (!failed) {
        if (transition.to != JobState::Completed || m_windowActive())
            return;
        const qint64 ranMs = job->startedAt().msecsTo(job->endedAt());
        if (ranMs < std::chrono::milliseconds(m_settings.minimumRun).count())
            return;
    }
    m_pending << Ending{job->id(), job->spec().label(), failed, transition.reason};
    if (!m_burst.isActive())
        m_burst.start();
}

void Notifier::flush() {
    const QList<Ending> endings = std::exchange(m_pending, {});
    if (endings.isEmpty())
        return;
    if (endings.size() == 1) {
        const Ending &ending = endings.constFirst();
        notify(ending.failed ? tr("Job %1 failed").arg(ending.id)
                             : tr("Job %1 completed").arg(ending.id),
               ending.label + QLatin1Char('\n') + ending.reason, ending.failed, ending.id);
        return;
    }
    const qsizetype failed =
        std::count_if(endings.begin(), endings.end(), [](const Ending &e) { return e.failed; });
    QStringList names;
    for (qsizetype i = 0; i < std::min<qsizetype>(endings.size(), NamedInSummary); ++i)
        names << endings.at(i).label;
    if (endings.size() > NamedInSummary)
        names << tr("and %n more", "", int(endings.size() - NamedInSummary));
    const QString summary =
        failed > 0 ? tr("%n job(s) finished, %1 failed", "", int(endings.size())).arg(failed)
                   : tr("%n job(s) finished", "", int(endings.size()));
    notify(summary, names.join(QLatin1Char('\n')), false, 0);
}

void Notifier::notify(const QString &summary, const QString &body, bool failed, qint64 jobId) {
    if (!m_bus.isConnected())
        return; // no session bus at all: the window said so once already
    QStringList actions{QStringLiteral("default"), tr("Show"), ShowAction, tr("Show")};
    if (failed)
        actions << RetryAction << tr("Retry");
    const QVariantMap hints{
        {QStringLiteral("desktop-entry"), DesktopEntryId},
        {QStringLiteral("urgency"), QVariant::fromValue(uchar(failed ? 2 : 1))},
    };
    QDBusMessage call = QDBusMessage::createMethodCall(
        NotificationsService, NotificationsPath, NotificationsInterface, QStringLiteral("Notify"));
    call.setArguments(
        {tr("Job Monitor"), uint(0), DesktopEntryId, summary, body, actions, hints, -1});
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, jobId] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            if (!m_serverMissing)
                spdlog::info("no notification server ({}): jobs that end are not "
                             "announced on the desktop",
                             reply.error().message());
            m_serverMissing = true;
            return;
        }
        m_serverMissing = false;
        m_jobOf.insert(reply.value(), jobId);
    });
}

void Notifier::onActionInvoked(uint notification, const QString &action) {
    const auto found = m_jobOf.constFind(notification);
    if (found == m_jobOf.constEnd())
        return; // another application's
    const qint64 jobId = found.value();
    if (action == RetryAction && jobId != 0) {
        if (!m_service->retry(jobId))
            spdlog::info("job {}: Retry from the notification, but it cannot run again now", jobId);
        return;
    }
    if (action == ShowAction || action == QLatin1String("default"))
        Q_EMIT showRequested(jobId);
}

void Notifier::onClosed(uint notification, uint) {
    m_jobOf.remove(notification);
}

} // namespace jobmonitor
