#pragma once

#include "commandline.h"

#include <QObject>

namespace jobmonitor {

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

    // Starts the jobs; a job that cannot start counts as failed.
    void start(const CommandLineOptions &options);

    static QByteArray formatText(const Job &job, const Transition &transition);
    static QByteArray formatJson(const Job &job, const Transition &transition);
    // In place of lines dropped while standard output was not read (see LineWriter).
    static QByteArray formatDropNote(bool json, qint64 droppedLines);

private:
    void finishWhenAllEnded();

    JobService *m_service;
    ShutdownCoordinator *m_coordinator;
    bool m_json;
    LineWriter *m_output;
    bool m_startFailed = false;
};

} // namespace jobmonitor
