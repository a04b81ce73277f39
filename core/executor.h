#pragma once

#include "cancellationcontext.h"
#include "jobspec.h"
#include "outputbuffer.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QString>

#include <memory>

namespace jobmonitor {

// The executor seam: how one attempt of a job runs, on whatever runs it.
//
// A Job knows nothing of processes. For each attempt it asks its Executor for an Attempt and
// awaits Attempt::run(); everything it needs to decide what happens next comes back as an
// AttemptResult in the backend-neutral terms below. The local executor (localexecutor.h) runs
// the command behind the per-job shim. A new backend (a batch cluster: Slurm's sbatch, polled
// with squeue, stopped with `scancel --signal=TERM --full`, then `scancel` after the grace
// period, its output read from its files) is a new Executor/Attempt pair: Job, the decision
// table and the supervisor do not change.

// How an attempt ended, in terms every backend can report.
struct AttemptOutcome {
    enum class Kind {
        Exited,        // the command ended by itself or after a stop; exitCode holds its status
        Signalled,     // the command was ended by a signal; signal holds it
        FailedToStart, // nothing of the command ran; error says why
        Lost,          // what supervised the attempt died; error says how (the rest was ended)
    };
    Kind kind = Kind::FailedToStart;
    int exitCode = 0;
    int signal = 0;
    QString error;

    bool succeeded() const { return kind == Kind::Exited && exitCode == 0; }
    // "exit code 3", "signal 9 (SIGKILL)", "failed to start: ...", "lost: ...".
    QString describe() const;
};

// Who sent SIGKILL, when one was needed.
enum class KillCause {
    None,
    Sequence, // the termination sequence ran out its waits
    Request,  // "Kill now", a second shutdown request, or a forced shutdown
};

struct AttemptResult {
    AttemptOutcome outcome;
    // A stop was requested (cancel or deadline) while the attempt ran...
    bool stopRequested = false;
    // ... and reached the command while it was still running. False when the command had
    // already ended by itself: the attempt ended as it would have without the stop.
    bool stopTookEffect = false;
    KillCause killed = KillCause::None;
    // Processes of the attempt still alive when its main process ended by itself; they were
    // ended with the termination sequence.
    int stragglers = 0;
    // Processes that lived until SIGKILL, and how many of them had left the job's process
    // group (escaped with setsid or a double fork).
    int killedProcesses = 0;
    int killedEscapees = 0;
    // The output could not be saved from some point on (disk full, say): why. The live tail
    // still got everything.
    QString outputError;
    // What the attempt's processes used: CPU time (user + system) of all of them, and the
    // highest resident memory of the whole tree (at least the largest one process reached);
    // -1 when not known.
    qint64 cpuTimeMs = -1;
    qint64 peakRssBytes = -1;

    // The outcome, plus what the termination did: "signal 15 (SIGTERM), killed on request".
    QString describe() const;
};

// What a running attempt tells about its processes (local backends; empty elsewhere).
struct AttemptProcesses {
    qint64 supervisorPid = 0; // the process that supervises the attempt (the shim)
    qint64 commandPid = 0;    // the command's main process
};

// One attempt of a job on some backend. Created by an Executor, run once.
class Attempt : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Runs the attempt to its end: completes only when nothing of it is left running.
    // Cancelling the context starts the attempt's termination sequence; forcing it kills at
    // once. Every wait inside is woken by the context.
    virtual QCoro::Task<AttemptResult> run(CancellationContext::Ptr context) = 0;

    // Sends a signal to every process of the attempt (SIGSTOP / SIGCONT to pause and resume).
    // Returns false when the attempt is not running or the backend cannot.
    virtual bool sendSignal(int signal) = 0;

    virtual AttemptProcesses processes() const { return {}; }

Q_SIGNALS:
    // The command is running.
    void started();
    // The termination sequence began; SIGKILL follows at killDeadline unless the attempt ends.
    void stopping(QDeadlineTimer killDeadline);
    // Output that reaches the app directly (the attempt's output files cannot take it, or the
    // backend writes no files). Output saved to files is read from them (attemptoutput.h).
    void output(jobmonitor::OutputChannel channel, const QByteArray &data);
    // The attempt's output files stopped taking output (a full disk, say); from now on it all
    // arrives through output().
    void outputFailed(const QString &why);
    void processesChanged();
};

// What identifies one attempt to a backend.
struct AttemptRequest {
    qint64 jobId = 0;
    int attempt = 1;
    QString traceId;
    JobSpec spec;
    // Where the attempt's output files go (created by the backend); empty: no files, all
    // output arrives through Attempt::output.
    QString outputDirectory;
};

class Executor {
public:
    virtual ~Executor() = default;
    virtual std::unique_ptr<Attempt> createAttempt(AttemptRequest request) = 0;
};

} // namespace jobmonitor
