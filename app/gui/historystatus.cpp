#include "historystatus.h"

#include "appcontroller.h"
#include "jobservice.h"

#include <QQmlEngine>

namespace jobmonitor {

HistoryStatus::HistoryStatus(JobService *service, QObject *parent)
    : QObject(parent)
    , m_service(service) {
    connect(service, &JobService::historyStatusChanged, this, &HistoryStatus::statusChanged);
    connect(service, &JobService::queuedFromLastSessionChanged, this,
            &HistoryStatus::queuedChanged);
}

HistoryStatus *HistoryStatus::create(QQmlEngine *qmlEngine, QJSEngine *) {
    auto *app = qmlEngine->singletonInstance<AppController *>(qmlTypeId("JobMonitor", 1, 0, "App"));
    Q_ASSERT_X(app, "HistoryStatus::create", "App must be available");
    return new HistoryStatus(app->service());
}

bool HistoryStatus::saving() const {
    return m_service->historyStatus().saving;
}

QString HistoryStatus::problem() const {
    const StoreStatus status = m_service->historyStatus();
    QStringList parts;
    if (!status.movedAsideTo.isEmpty())
        parts << tr("The job history was damaged: it was moved aside to %1 and a new one "
                    "started.")
                     .arg(status.movedAsideTo);
    if (!status.problem.isEmpty()) {
        QString problem = status.problem;
        problem[0] = problem[0].toUpper();
        parts << problem + QLatin1Char('.');
    }
    return parts.join(QLatin1Char(' '));
}

int HistoryStatus::queuedFromLastSession() const {
    return int(m_service->queuedFromLastSession().size());
}

void HistoryStatus::startQueued() {
    m_service->startQueuedFromLastSession();
}

void HistoryStatus::discardQueued() {
    m_service->discardQueuedFromLastSession();
}

} // namespace jobmonitor
