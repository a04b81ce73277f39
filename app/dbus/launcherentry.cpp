#include "launcherentry.h"

#include "jobservice.h"

#include <QDBusMessage>

namespace jobmonitor {

LauncherEntry::LauncherEntry(JobService *service, QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_bus(std::move(bus)) {
    connect(service, &JobService::countersChanged, this, &LauncherEntry::update);
}

void LauncherEntry::update() {
    const int active = m_service->activeCount();
    if (active == m_shown || !m_bus.isConnected())
        return;
    m_shown = active;
    QDBusMessage signal = QDBusMessage::createSignal(
        QStringLiteral("/io/github/jobmonitor/JobMonitor/LauncherEntry"),
        QStringLiteral("com.canonical.Unity.LauncherEntry"), QStringLiteral("Update"));
    signal.setArguments({AppUri, QVariantMap{
                                     {QStringLiteral("count"), qlonglong(active)},
                                     {QStringLiteral("count-visible"), active > 0},
                                 }});
    m_bus.send(signal);
}

} // namespace jobmonitor
