#pragma once

#include "commandline.h"
#include "jobservice.h"
#include "jobsupervisor.h"
#include "logindinhibitor.h"
#include "shutdowncoordinator.h"
#include "unixsignals.h"

namespace jobmonitor {

// What the window and the headless mode share: the engine, the JobService every front end
// uses, and every way out that does not depend on the mode (SIGINT, SIGTERM, SIGHUP, logind)
// routed into one shutdown.
// Create it after the application object, on the main thread (job processes die with the
// thread that started them).
class AppRuntime {
public:
    explicit AppRuntime(const CommandLineOptions &options);

    JobSupervisor &supervisor() { return m_supervisor; }
    JobService &service() { return m_service; }
    ShutdownCoordinator &coordinator() { return m_coordinator; }

    // 128 + signal number, the shell's convention for a process ended by a signal.
    static int exitStatusForSignal(int signalNumber) { return 128 + signalNumber; }

private:
    void onSignal(int signalNumber);

    JobSupervisor m_supervisor;
    JobService m_service;
    ShutdownCoordinator m_coordinator;
    UnixSignals m_signals;
    LogindInhibitor m_inhibitor;
};

} // namespace jobmonitor
