#include "jobviews.h"
#include "desktopentry.h"

#include "gui/jobformat.h"
#include "job.h"
#include "jobservice.h"
#include "logging.h"

#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace jobmonitor {

namespace {

const QString ServerService = QStringLiteral("org.kde.JobViewServer");
const QString ServerPath = QStringLiteral("/JobViewServer");
const QString ServerInterface = QStringLiteral("org.kde.JobViewServerV2");
const QString ViewInterface = QStringLiteral("org.kde.JobViewV3");

} // namespace

JobViews::JobViews(JobService *service, QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_bus(std::move(bus))
    , m_watcher(ServerService, m_bus, QDBusServiceWatcher::WatchForOwnerChange) {
    m_updates.setInterval(UpdateInterval);
    connect(&m_updates, &QTimer::timeout, this, &JobViews::sendUpdates);
    connect(service, &JobService::transitionRecorded, this, &JobViews::onTransition);
    for (const Job *job : service->jobs())
        if (isActive(job->state()))
            m_views.insert(job->id(), View{});
    if (!m_bus.isConnected())
        return; // no session bus at all: the window said so once already
    connect(&m_watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) {
                onServerOwnerChanged(newOwner);
            });
    // The server's signals come from the views' paths, one per job.
    m_bus.connect(ServerService, QString(), ViewInterface, QStringLiteral("cancelRequested"), this,
                  SLOT(onCancelRequested(QDBusMessage)));
    m_bus.connect(ServerService, QString(), ViewInterface, QStringLiteral("suspendRequested"), this,
                  SLOT(onSuspendRequested(QDBusMessage)));
    m_bus.connect(ServerService, QString(), ViewInterface, QStringLiteral("resumeRequested"), this,
                  SLOT(onResumeRequested(QDBusMessage)));
    m_bus.connect(ServerService, QString(), ViewInterface, QStringLiteral("updateRequested"), this,
                  SLOT(onUpdateRequested(QDBusMessage)));
    QDBusMessage hasOwner = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("NameHasOwner"));
    hasOwner.setArguments({ServerService});
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(hasOwner), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QDBusPendingReply<bool> reply = *watcher;
        if (m_serverPresent)
            return; // the watcher saw it come already
        if (!reply.isError() && reply.value()) {
            setServerPresent(true);
        } else if (!m_absenceLogged) {
            m_absenceLogged = true;
            spdlog::info("no job view server ({}): running jobs are not shown in the desktop's "
                         "notification area until one starts",
                         ServerService);
        }
    });
}

QVariantMap JobViews::properties(const Job &job) {
    const JobSpec &spec = job.spec();
    const Job::ProgressInfo info = job.progress();
    const bool estimated = info.progress && info.progress->kind == Progress::Kind::Estimate;
    QStringList message{stateLabel(job.state())};
    if (const QString eta = jobEtaText(job); !eta.isEmpty())
        message << eta;
    if (estimated)
        message << tr("progress estimated from earlier runs");
    QVariantMap properties{
        {QStringLiteral("title"), spec.label()},
        {QStringLiteral("infoMessage"), message.join(QStringLiteral(" · "))},
        {QStringLiteral("suspended"), job.state() == JobState::Paused},
    };
    if (!spec.name.isEmpty()) {
        properties.insert(QStringLiteral("descriptionLabel1"), tr("Command"));
        properties.insert(QStringLiteral("descriptionValue1"), spec.command);
    }
    if (!spec.workingDirectory.isEmpty())
        properties.insert(QStringLiteral("destUrl"),
                          QUrl::fromLocalFile(spec.workingDirectory).toString());
    if (info.progress) {
        // Rounded down: a job at 99.6% has not finished.
        const double percent = std::floor(std::clamp(info.progress->fraction, 0.0, 1.0) * 100);
        properties.insert(QStringLiteral("percent"), uint(percent));
        if (info.progress->done && info.progress->total && *info.progress->done >= 0 &&
            *info.progress->total > 0) {
            properties.insert(QStringLiteral("processedItems"), qulonglong(*info.progress->done));
            properties.insert(QStringLiteral("totalItems"), qulonglong(*info.progress->total));
        }
    }
    return properties;
}

void JobViews::onTransition(Job *job, const Transition &transition) {
    const qint64 id = job->id();
    if (isActive(transition.to)) {
        if (!m_views.contains(id))
            open(id);
        return;
    }
    if (!isFinal(transition.to))
        return;
    const auto found = m_views.find(id);
    if (found == m_views.end())
        return;
    View &view = found.value();
    const bool completed = transition.to == JobState::Completed;
    view.errorCode = completed                              ? CompletedCode
                     : transition.to == JobState::Cancelled ? CancelledCode
                                                            : FailedCode;
    if (!completed)
        view.errorMessage =
            transition.reason.isEmpty()
                ? stateLabel(transition.to)
                : stateLabel(transition.to) + QStringLiteral(": ") + transition.reason;
    if (view.path.isEmpty() && view.requested) {
        view.ended = true; // terminated when the server answers
        return;
    }
    if (!view.path.isEmpty()) {
        sendUpdate(view, *job);
        // The attempt is over, so the job has no progress of its own any more.
        if (completed && view.sent.contains(QStringLiteral("percent")))
            call(view.path, QStringLiteral("update"),
                 {QVariantMap{{QStringLiteral("percent"), uint(100)}}});
        terminate(view);
    }
    m_views.erase(found);
    if (m_views.isEmpty())
        m_updates.stop();
}

void JobViews::onServerOwnerChanged(const QString &newOwner) {
    // Whatever the old server showed went with it: every view starts over with the new one.
    ++m_server;
    for (auto it = m_views.begin(); it != m_views.end();) {
        if (it->ended) {
            it = m_views.erase(it);
            continue;
        }
        *it = View{};
        ++it;
    }
    m_serverPresent = false;
    if (newOwner.isEmpty()) {
        spdlog::info("the job view server ({}) left: {} running job(s) no longer shown there",
                     ServerService, m_views.size());
        m_updates.stop();
        return;
    }
    setServerPresent(true);
}

void JobViews::setServerPresent(bool present) {
    m_serverPresent = present;
    if (!present)
        return;
    for (auto it = m_views.begin(); it != m_views.end(); ++it)
        if (!it->requested)
            request(it.key());
    if (!m_views.isEmpty())
        m_updates.start();
}

void JobViews::open(qint64 id) {
    m_views.insert(id, View{});
    if (!m_serverPresent)
        return;
    request(id);
    if (!m_updates.isActive())
        m_updates.start();
}

void JobViews::request(qint64 id) {
    const Job *job = m_service->job(id);
    if (!job)
        return;
    View &view = m_views[id];
    view.requested = true;
    view.server = m_server;
    QDBusMessage call = QDBusMessage::createMethodCall(ServerService, ServerPath, ServerInterface,
                                                       QStringLiteral("requestView"));
    // The server shows the first state at once from the hints; update() follows for servers
    // that do not read them.
    call.setArguments({DesktopEntryId, Capabilities, properties(*job)});
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, watcher, id, server = m_server] {
                watcher->deleteLater();
                const QDBusPendingReply<QDBusObjectPath> reply = *watcher;
                const auto found = m_views.find(id);
                if (server != m_server || found == m_views.end())
                    return; // for a server that has gone since
                View &view = found.value();
                if (reply.isError()) {
                    spdlog::info("job {}: the job view server did not open a view: {}", id,
                                 reply.error().message());
                    if (view.ended)
                        m_views.erase(found);
                    return;
                }
                view.path = reply.value().path();
                if (view.ended) {
                    terminate(view);
                    m_views.erase(found);
                    return;
                }
                if (const Job *job = m_service->job(id))
                    sendUpdate(view, *job);
            });
}

void JobViews::sendUpdates() {
    for (auto it = m_views.begin(); it != m_views.end(); ++it)
        if (!it->path.isEmpty())
            if (const Job *job = m_service->job(it.key()))
                sendUpdate(it.value(), *job);
}

void JobViews::sendUpdate(View &view, const Job &job) {
    QVariantMap changed;
    const QVariantMap now = properties(job);
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        if (const auto sent = view.sent.constFind(it.key());
            sent == view.sent.cend() || sent.value() != it.value())
            changed.insert(it.key(), it.value());
    if (changed.isEmpty())
        return;
    view.sent.insert(changed);
    call(view.path, QStringLiteral("update"), {changed});
}

void JobViews::terminate(const View &view) {
    call(view.path, QStringLiteral("terminate"),
         {view.errorCode, view.errorMessage, QVariantMap()});
}

void JobViews::call(const QString &path, const QString &method, const QVariantList &arguments) {
    // update and terminate expect no reply.
    QDBusMessage message =
        QDBusMessage::createMethodCall(ServerService, path, ViewInterface, method);
    message.setArguments(arguments);
    m_bus.send(message);
}

qint64 JobViews::jobAt(const QDBusMessage &message) const {
    for (auto it = m_views.cbegin(); it != m_views.cend(); ++it)
        if (it->server == m_server && !it->path.isEmpty() && it->path == message.path())
            return it.key();
    return 0;
}

void JobViews::onCancelRequested(const QDBusMessage &message) {
    if (const qint64 id = jobAt(message); id != 0 && !m_service->cancel(id))
        spdlog::info("job {}: Cancel from the job view, but it has ended already", id);
}

void JobViews::onSuspendRequested(const QDBusMessage &message) {
    if (const qint64 id = jobAt(message); id != 0 && !m_service->pause(id))
        spdlog::info("job {}: Pause from the job view, but it is not running", id);
}

void JobViews::onResumeRequested(const QDBusMessage &message) {
    if (const qint64 id = jobAt(message); id != 0 && !m_service->resume(id))
        spdlog::info("job {}: Resume from the job view, but it is not paused", id);
}

void JobViews::onUpdateRequested(const QDBusMessage &message) {
    for (auto it = m_views.begin(); it != m_views.end(); ++it)
        if (!it->path.isEmpty() && it->path == message.path())
            it->sent.clear(); // all of it again with the next update
}

} // namespace jobmonitor
