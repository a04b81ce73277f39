#include "jobservice.h"

#include "jobsupervisor.h"
#include "resourcemonitor.h"

namespace jobmonitor {

JobService::JobService(JobSupervisor *supervisor, QObject *parent)
    : QObject(parent)
    , m_supervisor(supervisor) {
    connect(supervisor, &JobSupervisor::jobAdded, this, &JobService::jobAdded);
    connect(supervisor, &JobSupervisor::jobRemoved, this, &JobService::jobRemoved);
    connect(supervisor, &JobSupervisor::countersChanged, this, &JobService::countersChanged);
    connect(supervisor, &JobSupervisor::maxParallelChanged, this, &JobService::maxParallelChanged);
}

JobService::AddResult JobService::add(JobSpec spec) {
    const StartResult started = m_supervisor->start(std::move(spec));
    if (!started)
        return {0, started.error};
    return {started.job->id(), {}};
}

bool JobService::cancel(qint64 id) {
    return m_supervisor->cancel(id);
}

bool JobService::kill(qint64 id) {
    return m_supervisor->kill(id);
}

bool JobService::retry(qint64 id) {
    return m_supervisor->retry(id);
}

bool JobService::remove(qint64 id) {
    return m_supervisor->remove(id);
}

Job *JobService::job(qint64 id) const {
    return m_supervisor->job(id);
}

QList<Job *> JobService::jobs() const {
    return m_supervisor->jobs();
}

int JobService::count(JobState state) const {
    return m_supervisor->count(state);
}

int JobService::activeCount() const {
    return m_supervisor->activeCount();
}

int JobService::processesAlive() const {
    return m_supervisor->processesAlive();
}

int JobService::processCount(qint64 id) const {
    return m_supervisor->resources()->processCount(id);
}

ResourceMonitor *JobService::resources() const {
    return m_supervisor->resources();
}

int JobService::maxParallel() const {
    return m_supervisor->maxParallel();
}

void JobService::setMaxParallel(int maxParallel) {
    m_supervisor->setMaxParallel(maxParallel);
}

bool JobService::isShuttingDown() const {
    return m_supervisor->isShuttingDown();
}

} // namespace jobmonitor
