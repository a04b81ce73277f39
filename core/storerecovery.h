#pragma once

#include "jobspec.h"
#include "processidentity.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace jobmonitor {

// Ends what is left of the jobs of a Job Monitor that died, before the store calls them
// Interrupted. The shims die with their application and end their jobs by themselves
// (PR_SET_PDEATHSIG), so normally nothing is left; but a shim may still be running its
// termination sequence, or have died together with the application (an OOM kill of the
// whole session), or the application may have died before it could record an attempt.
//
// Every process of a local job carries JOBMONITOR_JOB_ID, JOBMONITOR_TRACE_ID (its attempt)
// and JOBMONITOR_OWNER (the application process that started it, ProcessIdentity::tag()) in
// its environment, so what is left of a job is found even where nothing was recorded.

struct JobProcess {
    qint64 pid = 0;
    qint64 jobId = 0;
    QString traceId;
    QString owner;
};

// Every live process carrying JOBMONITOR_JOB_ID (that this user may read), read from /proc.
QList<JobProcess> jobProcesses();

// A shim still alive (same pid, same start time, same boot) is sent SIGTERM, which makes it
// run the job's whole termination sequence, and is waited for. Then the recorded command, if
// alive, and the given processes (the job's, found by jobProcesses()) that still live get
// the termination sequence here, SIGKILL last. Returns true when none of them is alive any
// more; says what it did in *report.
bool endJobRemains(const QList<ProcessIdentity> &shims, const QList<ProcessIdentity> &commands,
                   const QList<qint64> &processes, const TerminationSequence &termination,
                   QString *report);

} // namespace jobmonitor
