// QuickTest runner for the JobMonitor QML components. The components talk to a real
// JobSupervisor (real jobs, real processes) through the App singleton; after the last test the
// supervisor shuts down and the run fails if any process of any job is still alive.
#include "appcontroller.h"
#include "englishplurals.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "localexecutor.h"
#include "logging.h"
#include "shutdowncoordinator.h"
#include "testutil.h"

#include <QQmlEngine>
#include <QQuickStyle>
#include <QStandardPaths>
#include <QtQuickTest>

#include <memory>

using namespace std::chrono_literals;

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable() {
        QStandardPaths::setTestModeEnabled(true); // recent commands go to a test location
        jobmonitor::setupStderrLogging();
        m_supervisor = std::make_unique<jobmonitor::JobSupervisor>();
        m_service = std::make_unique<jobmonitor::JobService>(m_supervisor.get());
        m_coordinator = std::make_unique<jobmonitor::ShutdownCoordinator>(m_supervisor.get());
        jobmonitor::installEnglishPlurals();
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    }

    void qmlEngineAvailable(QQmlEngine *engine) {
        engine->addImportPath(QStringLiteral("qrc:/"));
        jobmonitor::AppController::setBackend(*engine, m_service.get(), m_coordinator.get());
    }

    void cleanupTestCase() {
        if (!jobmonitor::test::runTask(m_supervisor->shutdown(), 30s))
            qFatal("the supervisor did not shut down");
        if (m_supervisor->processesAlive() != 0 || jobmonitor::LocalExecutor::liveShims() != 0 ||
            m_supervisor->coroutinesAlive() != 0)
            qFatal("processes or job coroutines outlived the shutdown");
    }

private:
    std::unique_ptr<jobmonitor::JobSupervisor> m_supervisor;
    std::unique_ptr<jobmonitor::JobService> m_service;
    std::unique_ptr<jobmonitor::ShutdownCoordinator> m_coordinator;
};

QUICK_TEST_MAIN_WITH_SETUP(jobmonitor_qml, Setup)

#include "main.moc"
