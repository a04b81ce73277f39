#pragma once

#include "commandline.h"

#include <QObject>

class QIODevice;

namespace jobmonitor {

class Job;
class JobService;
class ShutdownCoordinator;
struct Transition;

// Runs the jobs of a --headless command line: writes one line per state transition (text or,
// with --json, one JSON object) once the transition is in the store and, once every job has ended
// by itself, asks the coordinator for an exit with status 0 when all completed, 1 otherwise.
// Signals still go through the same coordinator, which then exits with 128 + the signal number.
class HeadlessRunner : public QObject {
    Q_OBJECT
public:
    HeadlessRunner(JobService *service, ShutdownCoordinator *coordinator, bool json,
                   QIODevice *output, QObject *parent = nullptr);

    // Starts the jobs; a job that cannot start counts as failed.
    void start(const CommandLineOptions &options);

    static QByteArray formatText(const Job &job, const Transition &transition);
    static QByteArray formatJson(const Job &job, const Transition &transition);

private:
    void finishWhenAllEnded();

    JobService *m_service;
    ShutdownCoordinator *m_coordinator;
    bool m_json;
    QIODevice *m_output;
    bool m_startFailed = false;
};

} // namespace jobmonitor
