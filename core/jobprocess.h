#pragma once

#include "cancellationcontext.h"
#include "jobspec.h"
#include "outputbuffer.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QProcess>
#include <QString>

namespace jobmonitor {

// How one attempt ended.
struct ProcessResult {
    enum class Outcome {
        Exited,        // the command exited by itself; exitCode holds its status
        Signalled,     // the command was ended by a signal; signal holds it
        FailedToStart, // nothing ran; error says why
    };
    Outcome outcome = Outcome::FailedToStart;
    int exitCode = 0;
    int signal = 0;
    QString error;
    int stragglers = 0;   // processes still alive when the command's main process ended
    bool stopped = false; // the termination sequence was started by us
    bool killed = false;  // ... and had to go as far as SIGKILL

    bool succeeded() const { return outcome == Outcome::Exited && exitCode == 0; }
    QString describe() const; // "exit code 3", "signal 9 (Killed)", "failed to start: ..."
};

// Runs one attempt of a job: the command under /bin/sh -c, behind the per-job shim
// (jobmonitor-shim) that puts the job in its own session and process group, is the
// subreaper of everything the job starts, dies with the application and ends the whole job
// on its way out.
//
// run() completes only when the shim has exited, which is only after every process of the
// job has ended. Cancelling the context starts the termination sequence; forcing it skips
// to SIGKILL.
class JobProcess : public QObject {
    Q_OBJECT
public:
    explicit JobProcess(QObject *parent = nullptr);
    ~JobProcess() override;

    QCoro::Task<ProcessResult> run(JobSpec spec, CancellationContext::Ptr context);

    qint64 pid() const { return m_pid; } // the shim's pid while running, else 0

    // Shim processes of all JobProcess objects that have started and not yet been reaped.
    static int aliveCount();
    // The shim executable: beside the running executable (the build tree, where tests run),
    // else where `cmake --install` puts it relative to the installed executable. Empty when
    // neither exists; then *error names where it looked.
    static QString shimPath(QString *error = nullptr);

Q_SIGNALS:
    void started(qint64 pid);
    // The termination sequence began; SIGKILL follows at killDeadline unless the job ends.
    void stopping(QDeadlineTimer killDeadline);
    void output(jobmonitor::OutputChannel channel, const QByteArray &data);

private:
    void sendToJob(int signal);

    qint64 m_pid = 0;
};

} // namespace jobmonitor
