#pragma once

#include "commandline.h"
#include "jobservice.h"
#include "jobstore.h"
#include "jobsupervisor.h"
#include "logindinhibitor.h"
#include "shutdowncoordinator.h"
#include "unixsignals.h"

namespace jobmonitor {

// What the window and the headless mode share: the job history (the store, opened before
// anything runs), the engine recording into it, the JobService every front end uses, and
// every way out that does not depend on the mode (SIGINT, SIGTERM, SIGHUP, logind) routed
// into one shutdown.
// Create it after the application object, on the main thread (job processes die with the
// thread that started them).
class AppRuntime {
public:
    explicit AppRuntime(const CommandLineOptions &options);

    JobStore &store() { return m_store; }
    JobSupervisor &supervisor() { return m_supervisor; }
    JobService &service() { return m_service; }
    ShutdownCoordinator &coordinator() { return m_coordinator; }

    // 128 + signal number, the shell's convention for a process ended by a signal.
    static int exitStatusForSignal(int signalNumber) { return 128 + signalNumber; }

    // After the event loop: writes what is left of the history (running what waited for it:
    // the headless runner's last lines) and closes the store. Call it while the front end
    // still exists.
    void finish();

private:
    void onSignal(int signalNumber);

    JobStore m_store;
    JobSupervisor m_supervisor;
    JobService m_service;
    ShutdownCoordinator m_coordinator;
    UnixSignals m_signals;
    LogindInhibitor m_inhibitor;
};

} // namespace jobmonitor
