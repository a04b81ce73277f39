#include "jobrecord.h"

#include "job.h"

namespace jobmonitor {

std::optional<qint64> JobRecord::durationMs() const {
    if (!startedAt.isValid() || !endedAt.isValid())
        return std::nullopt;
    return std::max<qint64>(0, startedAt.msecsTo(endedAt));
}

JobRecord JobRecord::fromJob(const Job &job) {
    JobRecord record;
    record.id = job.id();
    record.spec = job.spec();
    record.spec.priority = job.priority();
    record.queueOrder = job.queueKey();
    record.state = job.state();
    record.attempts = job.attempt();
    record.exitCode = job.exitCode();
    record.signal = job.exitSignal();
    record.error = job.error();
    record.outputError = job.outputError();
    record.createdAt = job.createdAt();
    record.startedAt = job.startedAt();
    record.endedAt = job.endedAt();
    record.traceId = job.traceId();
    record.outputDirectory = job.outputDirectory(job.attempt());
    record.peakRssBytes = job.peakRssBytes();
    record.cpuTimeMs = job.cpuTimeMs();
    record.timing = job.learnedTiming();
    if (job.spec().timeoutAuto)
        record.timeoutNote = job.learnedTiming().timeoutNote();
    record.live = true;
    return record;
}

} // namespace jobmonitor
