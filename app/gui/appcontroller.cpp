#include "appcontroller.h"

#include "jobsupervisor.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QClipboard>
#include <QGuiApplication>

namespace jobmonitor {

namespace {
JobSupervisor *g_supervisor = nullptr;
ShutdownCoordinator *g_coordinator = nullptr;
} // namespace

void AppController::setBackend(JobSupervisor *supervisor, ShutdownCoordinator *coordinator) {
    g_supervisor = supervisor;
    g_coordinator = coordinator;
}

JobSupervisor *AppController::supervisor() {
    return g_supervisor;
}

AppController *AppController::create(QQmlEngine *, QJSEngine *) {
    Q_ASSERT_X(g_supervisor && g_coordinator, "AppController::create",
               "AppController::setBackend() must be called before loading QML");
    return new AppController(g_supervisor, g_coordinator);
}

AppController::AppController(JobSupervisor *supervisor, ShutdownCoordinator *coordinator)
    : m_supervisor(supervisor)
    , m_coordinator(coordinator)
    , m_jobs(supervisor) {
    connect(supervisor, &JobSupervisor::countersChanged, this, &AppController::countersChanged);
    connect(supervisor, &JobSupervisor::maxParallelChanged, this,
            &AppController::maxParallelChanged);
    connect(coordinator, &ShutdownCoordinator::shuttingDownChanged, this,
            &AppController::shuttingDownChanged);
    connect(coordinator, &ShutdownCoordinator::forcedChanged, this, &AppController::forcedChanged);
}

int AppController::runningCount() const {
    return m_supervisor->count(JobState::Running);
}

int AppController::queuedCount() const {
    return m_supervisor->count(JobState::Pending);
}

int AppController::stoppingCount() const {
    return m_supervisor->count(JobState::Stopping);
}

int AppController::retryingCount() const {
    return m_supervisor->count(JobState::Retrying);
}

int AppController::activeCount() const {
    return m_supervisor->activeCount();
}

int AppController::processesAlive() const {
    return m_supervisor->processesAlive();
}

int AppController::maxParallel() const {
    return m_supervisor->maxParallel();
}

void AppController::setMaxParallel(int maxParallel) {
    m_supervisor->setMaxParallel(maxParallel);
}

bool AppController::isShuttingDown() const {
    return m_coordinator->isShuttingDown();
}

bool AppController::isForced() const {
    return m_coordinator->isForced();
}

bool AppController::cancel(int jobId) {
    return m_supervisor->cancel(jobId);
}

bool AppController::kill(int jobId) {
    return m_supervisor->kill(jobId);
}

bool AppController::retry(int jobId) {
    return m_supervisor->retry(jobId);
}

bool AppController::remove(int jobId) {
    return m_supervisor->remove(jobId);
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

} // namespace jobmonitor
