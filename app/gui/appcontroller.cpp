#include "appcontroller.h"

#include "jobformat.h"
#include "jobservice.h"
#include "logging.h"
#include "resourcemonitor.h"
#include "shutdowncoordinator.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QQmlEngine>

namespace jobmonitor {

namespace {
// Where an engine keeps its backend until App is created.
constexpr char ServiceProperty[] = "_jobmonitor_service";
constexpr char CoordinatorProperty[] = "_jobmonitor_coordinator";
} // namespace

void AppController::setBackend(QQmlEngine &engine, JobService *service,
                               ShutdownCoordinator *coordinator) {
    engine.setProperty(ServiceProperty, QVariant::fromValue<QObject *>(service));
    engine.setProperty(CoordinatorProperty, QVariant::fromValue<QObject *>(coordinator));
}

AppController *AppController::create(QQmlEngine *qmlEngine, QJSEngine *) {
    auto *service =
        qobject_cast<JobService *>(qmlEngine->property(ServiceProperty).value<QObject *>());
    auto *coordinator = qobject_cast<ShutdownCoordinator *>(
        qmlEngine->property(CoordinatorProperty).value<QObject *>());
    Q_ASSERT_X(service && coordinator, "AppController::create",
               "AppController::setBackend() must be called before loading QML");
    return new AppController(service, coordinator);
}

AppController *AppController::of(const QObject *object) {
    QQmlEngine *engine = qmlEngine(object);
    if (!engine)
        return nullptr;
    return engine->singletonInstance<AppController *>(qmlTypeId("JobMonitor", 1, 0, "App"));
}

AppController::AppController(JobService *service, ShutdownCoordinator *coordinator)
    : m_service(service)
    , m_coordinator(coordinator)
    , m_jobs(service)
    , m_groups(service) {
    connect(service, &JobService::countersChanged, this, &AppController::countersChanged);
    connect(service, &JobService::maxParallelChanged, this, &AppController::maxParallelChanged);
    connect(coordinator, &ShutdownCoordinator::shuttingDownChanged, this,
            &AppController::shuttingDownChanged);
    connect(coordinator, &ShutdownCoordinator::forcedChanged, this, &AppController::forcedChanged);
}

int AppController::runningCount() const {
    return m_service->count(JobState::Running);
}

int AppController::queuedCount() const {
    return m_service->count(JobState::Pending);
}

int AppController::stoppingCount() const {
    return m_service->count(JobState::Stopping);
}

int AppController::retryingCount() const {
    return m_service->count(JobState::Retrying);
}

int AppController::activeCount() const {
    return m_service->activeCount();
}

int AppController::processesAlive() const {
    return m_service->processesAlive();
}

QString AppController::resourceTotals() const {
    const ResourceTotals totals = m_service->resources()->totals();
    return jobResourcesText(totals.cpuPercent, totals.rssBytes, totals.jobs > 0);
}

int AppController::maxParallel() const {
    return m_service->maxParallel();
}

void AppController::setMaxParallel(int maxParallel) {
    m_service->setMaxParallel(maxParallel);
}

bool AppController::isShuttingDown() const {
    return m_coordinator->isShuttingDown();
}

bool AppController::isForced() const {
    return m_coordinator->isForced();
}

bool AppController::cancel(qint64 jobId) {
    return m_service->cancel(jobId);
}

bool AppController::kill(qint64 jobId) {
    return m_service->kill(jobId);
}

bool AppController::retry(qint64 jobId) {
    if (m_service->job(jobId))
        return m_service->retry(jobId);
    if (!m_service->hasStore())
        return false;
    m_service->record(jobId, this, [this, jobId](std::optional<JobRecord> record) {
        if (!record || !isFinal(record->state))
            return;
        const JobService::AddResult added = m_service->add(record->spec);
        if (added)
            Q_EMIT started(added.id, jobId);
        else
            spdlog::error("cannot run job {} again: {}", jobId, added.error);
    });
    return true;
}

bool AppController::remove(qint64 jobId) {
    return m_service->remove(jobId);
}

void AppController::quit() {
    m_coordinator->requestShutdown(QStringLiteral("window closed"), 0);
}

void AppController::quitConfirmationOpened() {
    spdlog::info("close requested with {} active job(s): asking to confirm", activeCount());
}

void AppController::killAll() {
    m_coordinator->forceNow(QStringLiteral("kill all"));
}

void AppController::copyToClipboard(const QString &text) {
    QGuiApplication::clipboard()->setText(text);
}

bool AppController::pause(qint64 jobId) {
    return m_service->pause(jobId);
}

bool AppController::resume(qint64 jobId) {
    return m_service->resume(jobId);
}

bool AppController::moveUp(qint64 jobId) {
    return m_service->moveUp(jobId);
}

bool AppController::moveDown(qint64 jobId) {
    return m_service->moveDown(jobId);
}

bool AppController::moveToFront(qint64 jobId) {
    return m_service->moveToFront(jobId);
}

QString AppController::saveGroup(const QString &name, int maxParallel, const QString &rate,
                                 bool pauseOnFailure) {
    GroupSettings settings{name.trimmed(), maxParallel, {}, pauseOnFailure};
    if (!rate.trimmed().isEmpty()) {
        QString problem;
        const std::optional<StartRate> parsed = StartRate::parse(rate.trimmed(), &problem);
        if (!parsed)
            return problem;
        settings.rate = *parsed;
    }
    return m_service->saveGroup(settings);
}

QString AppController::removeGroup(const QString &name) {
    return m_service->removeGroup(name);
}

QString AppController::pauseGroup(const QString &name, bool pauseRunning) {
    return m_service->pauseGroup(name, pauseRunning);
}

QString AppController::resumeGroup(const QString &name) {
    return m_service->resumeGroup(name);
}

} // namespace jobmonitor
