#include "launcherentry.h"

#include "job.h"
#include "jobservice.h"

#include <QDBusMessage>

#include <algorithm>
#include <cmath>

namespace jobmonitor {

LauncherEntry::LauncherEntry(JobService *service, QDBusConnection bus, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_bus(std::move(bus)) {
    // Progress moves without any signal (an estimate moves with the clock), so it is looked at
    // while jobs are active.
    m_progressCheck.setInterval(ProgressInterval);
    connect(&m_progressCheck, &QTimer::timeout, this, &LauncherEntry::update);
    connect(service, &JobService::countersChanged, this, &LauncherEntry::update);
}

std::optional<double> LauncherEntry::meanProgress(const JobService &service) {
    double sum = 0;
    int counted = 0;
    for (const Job *job : service.jobs()) {
        if (!isActive(job->state()))
            continue;
        if (const std::optional<Progress> progress = job->progress().progress) {
            sum += std::clamp(progress->fraction, 0.0, 1.0);
            ++counted;
        }
    }
    if (counted == 0)
        return std::nullopt;
    return sum / counted;
}

void LauncherEntry::update() {
    const int active = m_service->activeCount();
    if (active > 0 && !m_progressCheck.isActive())
        m_progressCheck.start();
    else if (active == 0)
        m_progressCheck.stop();
    double progress = 0;
    bool progressVisible = false;
    if (active > 0)
        if (const std::optional<double> mean = meanProgress(*m_service)) {
            progress = *mean;
            progressVisible = true;
        }
    const int percent = progressVisible ? int(std::floor(progress * 100)) : -1;
    if ((active == m_shown && percent == m_shownPercent) || !m_bus.isConnected())
        return;
    m_shown = active;
    m_shownPercent = percent;
    QDBusMessage signal = QDBusMessage::createSignal(
        QStringLiteral("/io/github/jobmonitor/JobMonitor/LauncherEntry"),
        QStringLiteral("com.canonical.Unity.LauncherEntry"), QStringLiteral("Update"));
    signal.setArguments({AppUri, QVariantMap{
                                     {QStringLiteral("count"), qlonglong(active)},
                                     {QStringLiteral("count-visible"), active > 0},
                                     {QStringLiteral("progress"), progress},
                                     {QStringLiteral("progress-visible"), progressVisible},
                                 }});
    m_bus.send(signal);
}

} // namespace jobmonitor
