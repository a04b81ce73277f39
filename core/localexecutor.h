#pragma once

#include "executor.h"

#include <QTimer>

namespace jobmonitor {

// Runs attempts on this machine, each behind its own jobmonitor-shim (core/shim/main.cpp): the
// shim puts the command in its own session and process group, is the subreaper of everything
// the command starts, saves its output, runs the termination sequence step by step (so SIGKILL
// never waits for a busy GUI thread) and dies with the application, ending the job on its way.
//
// What if the shim itself dies (SIGKILL from the job, the OOM killer)? Its processes would be
// re-parented to init and live on. So the application is a child subreaper too — of last
// resort: a dead shim's processes come to the application, which starts a shim in --adopt mode
// to end them with the same termination sequence, then reaps them. That shim finds them by the
// dead shim's session and by the JOBMONITOR_TRACE_ID every job process inherits; processes that
// come to the application for any other reason (a grandchild of something the desktop started
// for us) are only reaped when they end, never signalled.
class LocalExecutor : public Executor {
public:
    LocalExecutor();
    ~LocalExecutor() override;

    std::unique_ptr<Attempt> createAttempt(AttemptRequest request) override;

    // Shim processes (job and adopting shims) started and not yet reaped.
    static int liveShims();
    // The shim executable: beside the running executable (the build tree, where tests run),
    // else where `cmake --install` puts it relative to the installed executable. Empty when
    // neither exists; then *error names where it looked.
    static QString shimPath(QString *error = nullptr);

private:
    QTimer m_zombieSweep;
};

} // namespace jobmonitor
