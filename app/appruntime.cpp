#include "appruntime.h"

#include "jobdefaults.h"
#include "jobgroup.h"
#include "logging.h"
#include "settingsfile.h"
#include "signalnames.h"

#include <csignal>

namespace jobmonitor {

namespace {

// A window runs as many jobs at once as its settings say unless its command line gave a number;
// a headless run is what its command line says.
int maxParallelOf(const CommandLineOptions &options) {
    if (options.headless)
        return options.maxParallel;
    return CommandLineDefaults::of(options).over(JobDefaults::load()).maxParallel;
}

} // namespace

AppRuntime::AppRuntime(const CommandLineOptions &options)
    : m_store(options.stateDir, options.headless ? RunKind::Headless : RunKind::Window)
    , m_supervisor(JobSupervisor::Config{
          .maxParallel = maxParallelOf(options),
          .outputDirectory = m_store.outputRoot(),
          // Nobody looks at a headless run's output in memory.
          .keepTails = !options.headless,
          .recorder = &m_store,
          .minAvailableMemoryBytes = options.memfreeBytes,
      })
    , m_service(&m_supervisor, &m_store)
    , m_coordinator(&m_supervisor)
    , m_signals({SIGINT, SIGTERM, SIGHUP})
    , m_inhibitor(&m_supervisor, &m_coordinator) {
    QObject::connect(&m_signals, &UnixSignals::received, &m_coordinator,
                     [this](int signalNumber) { onSignal(signalNumber); });
    // The window's groups are settings, and its edits are kept there. A headless run is what
    // its command line says, whatever the window's settings are.
    if (!options.headless) {
        if (const std::unique_ptr<QSettings> settings = openSettings())
            m_service.loadGroups(jobmonitor::loadGroups(*settings));
        m_service.setKeepsGroups(true);
    }
    for (const CommandLineGroup &group : options.groups) {
        const GroupSettings base =
            m_service.group(group.name).value_or(JobService::GroupInfo{}).settings;
        if (const QString problem = m_service.setGroupForThisRun(group.appliedTo(base));
            !problem.isEmpty())
            spdlog::error("group {}: {}", group.name, problem);
    }
    if (!options.headless)
        if (const std::unique_ptr<QSettings> settings = openSettings())
            m_service.loadGroupPauses(jobmonitor::loadGroupPauses(*settings));
    m_store.setRetention(RetentionPolicy::load(options.settingsFile));
}

void AppRuntime::finish() {
    m_store.close();
}

void AppRuntime::onSignal(int signalNumber) {
    const QString name = QStringLiteral("SIG") + signalAbbreviation(signalNumber);
    if (m_coordinator.isShuttingDown() && signalNumber == SIGHUP) {
        // A closing terminal or a logout sends SIGHUP on top of what already runs: only a second
        // SIGINT or SIGTERM, sent on purpose, skips the grace period.
        spdlog::info("{} during shutdown: the shutdown goes on", name);
        return;
    }
    m_coordinator.requestShutdown(name, exitStatusForSignal(signalNumber));
}

} // namespace jobmonitor
