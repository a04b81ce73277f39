#pragma once

#include "commandline.h"
#include "outputbuffer.h"

#include <QElapsedTimer>
#include <QObject>

#include <map>
#include <memory>

namespace jobmonitor {

class AttemptOutputFollower;
class Job;
class JobService;
class LineWriter;
class ShutdownCoordinator;
struct Transition;

// Runs the jobs of a --headless command line: writes one line per state transition (text or,
// with --json, one JSON object) once the transition is in the store and, once every job has ended
// by itself, asks the coordinator for an exit with status 0 when all completed, 1 otherwise.
// Signals still go through the same coordinator, which then exits with 128 + the signal number.
// Lines go out through a LineWriter: each reaches a reader at once, and a reader that stops
// reading holds up nothing.
class HeadlessRunner : public QObject {
    Q_OBJECT
public:
    HeadlessRunner(JobService *service, ShutdownCoordinator *coordinator, bool json,
                   LineWriter *output, QObject *parent = nullptr);
    ~HeadlessRunner() override;

    // Standard error, for what is not a transition: the summary, and with --output the jobs'
    // standard error lines. Call before start().
    void setErrorOutput(LineWriter *errors);
    // --output: every job's output lines go out too, each after its id and a tab (standard
    // error's lines on the error output), or with --json as {"job","stream","line"} objects
    // among the transitions. Call before start().
    void showOutput();
    // Starts the jobs; a job that cannot start counts as failed.
    void start(const CommandLineOptions &options);
    // How many jobs ended in which state, and the time the run took: the last line on the error
    // output (standard output carries only transitions and, with --output, the jobs' lines).
    void writeSummary();

    static QByteArray formatText(const Job &job, const Transition &transition);
    static QByteArray formatJson(const Job &job, const Transition &transition);
    // In place of lines dropped while standard output was not read (see LineWriter).
    static QByteArray formatDropNote(bool json, qint64 droppedLines);
    static QByteArray formatOutputLine(bool json, qint64 jobId, OutputChannel channel,
                                       const QByteArray &line);

private:
    void finishWhenAllEnded();
    void onTransition(Job *job, const Transition &transition);
    void takeOutput(qint64 jobId, OutputChannel channel, const QByteArray &data);
    void endOutput(qint64 jobId);

    // An attempt's output being followed, and the part of a line each stream still owes.
    struct Following {
        std::unique_ptr<AttemptOutputFollower> follower;
        QByteArray partial[2];
    };

    JobService *m_service;
    ShutdownCoordinator *m_coordinator;
    bool m_json;
    LineWriter *m_output;
    LineWriter *m_errors = nullptr;
    bool m_showOutput = false;
    std::map<qint64, Following> m_following;
    int m_notStarted = 0;
    QElapsedTimer m_clock;
};

} // namespace jobmonitor
