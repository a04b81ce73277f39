#include "dbusservice.h"

#include "dbusprotocol.h"
#include "job.h"
#include "jobdefaults.h"
#include "jobmonitor1adaptor.h"
#include "jobservice.h"
#include "logging.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>

#include <unistd.h>

namespace jobmonitor {

DBusService::DBusService(JobService *service, QObject *parent)
    : QObject(parent)
    , m_service(service) {
    dbus::registerTypes();
    new JobMonitor1Adaptor(this); // owned by this object; relays its signals
    connect(service, &JobService::transitionRecorded, this, &DBusService::onTransitionRecorded);
}

DBusService::~DBusService() {
    if (m_bus) {
        m_bus->unregisterService(dbus::ServiceName);
        m_bus->unregisterObject(dbus::ObjectPath);
    }
}

DBusService::Registration DBusService::registerOn(QDBusConnection bus) {
    if (!bus.isConnected()) {
        spdlog::info("no session bus ({}): the window cannot be reached from the command line",
                     bus.lastError().message());
        return Registration::NoBus;
    }
    if (!bus.registerObject(dbus::ObjectPath, this, QDBusConnection::ExportAdaptors)) {
        spdlog::warn("cannot export {} on the session bus: {}", dbus::ObjectPath,
                     bus.lastError().message());
        return Registration::NoBus;
    }
    // Never queued behind an owner that runs: a second window stays a window of its own.
    const QDBusReply<QDBusConnectionInterface::RegisterServiceReply> reply =
        bus.interface()->registerService(dbus::ServiceName,
                                         QDBusConnectionInterface::DontQueueService,
                                         QDBusConnectionInterface::DontAllowReplacement);
    if (!reply.isValid() || reply.value() != QDBusConnectionInterface::ServiceRegistered) {
        spdlog::info("{} is owned by another window: this one cannot be reached from the "
                     "command line",
                     dbus::ServiceName);
        bus.unregisterObject(dbus::ObjectPath);
        return Registration::NameTaken;
    }
    m_bus = bus;
    spdlog::info("serving {} on the session bus", dbus::ServiceName);
    return Registration::Registered;
}

bool DBusService::callerAllowed() {
    if (!calledFromDBus())
        return true;
    const QDBusReply<uint> uid = connection().interface()->serviceUid(message().service());
    if (uid.isValid() && uid.value() == ::getuid())
        return true;
    spdlog::warn("refused a D-Bus call from {} (uid {}): only uid {} may use this window",
                 message().service(), uid.isValid() ? qint64(uid.value()) : qint64(-1), ::getuid());
    sendErrorReply(QDBusError::AccessDenied,
                   QStringLiteral("only the user running the window may use it"));
    return false;
}

bool DBusService::knownJob(qlonglong id) {
    if (m_service->get(id))
        return true;
    sendErrorReply(dbus::UnknownJobError, QStringLiteral("there is no job %1").arg(id));
    return false;
}

qlonglong DBusService::Add(const QVariantMap &map) {
    if (!callerAllowed())
        return 0;
    QString error;
    std::optional<JobSpec> spec = dbus::specFromMap(map, &error);
    // A caller that gave no termination sequence gets the window's default grace period.
    if (spec && !map.contains(QStringLiteral("termination")))
        spec->termination = TerminationSequence::standard(effectiveJobDefaults().grace);
    if (spec)
        error = spec->validate();
    if (!error.isEmpty()) {
        sendErrorReply(QDBusError::InvalidArgs, error);
        return 0;
    }
    const JobService::AddResult added = m_service->add(std::move(*spec));
    if (!added) {
        sendErrorReply(dbus::NotAllowedError, added.error);
        return 0;
    }
    spdlog::info("job {} added over D-Bus by {}", added.id, message().service());
    return added.id;
}

void DBusService::act(qlonglong id, bool (JobService::*action)(qint64), const char *verb) {
    if (!callerAllowed() || !knownJob(id))
        return;
    if (!(m_service->*action)(id)) {
        const std::optional<JobRecord> record = m_service->get(id);
        sendErrorReply(dbus::NotAllowedError,
                       QStringLiteral("job %1 cannot be %2 while %3")
                           .arg(id)
                           .arg(QLatin1String(verb),
                                record ? jobStateName(record->state) : QStringLiteral("gone")));
    }
}

void DBusService::Cancel(qlonglong id) {
    act(id, &JobService::cancel, "cancelled");
}

void DBusService::Kill(qlonglong id) {
    act(id, &JobService::kill, "killed");
}

void DBusService::Retry(qlonglong id) {
    act(id, &JobService::retry, "retried");
}

void DBusService::Remove(qlonglong id) {
    act(id, &JobService::remove, "removed");
}

void DBusService::Pause(qlonglong id) {
    act(id, &JobService::pause, "paused");
}

void DBusService::Resume(qlonglong id) {
    act(id, &JobService::resume, "resumed");
}

void DBusService::PauseGroup(const QString &name, bool pauseRunning) {
    if (!callerAllowed())
        return;
    if (const QString error = m_service->pauseGroup(name, pauseRunning); !error.isEmpty())
        sendErrorReply(dbus::NotAllowedError, error);
}

void DBusService::ResumeGroup(const QString &name) {
    if (!callerAllowed())
        return;
    if (const QString error = m_service->resumeGroup(name); !error.isEmpty())
        sendErrorReply(dbus::NotAllowedError, error);
}

QList<QVariantMap> DBusService::List() {
    QList<QVariantMap> jobs;
    if (!callerAllowed())
        return jobs;
    for (const JobRecord &record : m_service->list())
        jobs << dbus::recordToMap(record);
    return jobs;
}

QVariantMap DBusService::Get(qlonglong id) {
    if (!callerAllowed() || !knownJob(id))
        return {};
    return dbus::recordToMap(*m_service->get(id));
}

void DBusService::Raise(qlonglong id) {
    if (!callerAllowed())
        return;
    if (id != 0 && !knownJob(id))
        return;
    Q_EMIT raiseRequested(id);
}

void DBusService::onTransitionRecorded(Job *job, const Transition &transition) {
    Q_EMIT JobChanged(job->id(), jobStateName(transition.to), jobStateName(transition.from),
                      transition.attempt, transition.reason);
    if (isFinal(transition.to))
        Q_EMIT JobEnded(job->id(), jobStateName(transition.to), transition.exitCode.value_or(-1),
                        transition.signal.value_or(0));
}

} // namespace jobmonitor
