#include "headlessrunner.h"

#include "job.h"
#include "jobservice.h"
#include "linewriter.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace jobmonitor {

HeadlessRunner::HeadlessRunner(JobService *service, ShutdownCoordinator *coordinator, bool json,
                               LineWriter *output, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_coordinator(coordinator)
    , m_json(json)
    , m_output(output) {
    // Only what the store holds is shown: a line, and so a job's id, is printed once its
    // transition is recorded.
    connect(m_service, &JobService::transitionRecorded, this,
            [this](Job *job, const Transition &transition) {
                m_output->write(m_json ? formatJson(*job, transition)
                                       : formatText(*job, transition));
            });
    connect(m_service, &JobService::countersChanged, this, &HeadlessRunner::finishWhenAllEnded);
}

void HeadlessRunner::start(const CommandLineOptions &options) {
    // One batch: the jobs can wait for each other by their places on the command line.
    const JobService::BatchResult started =
        m_service->addBatch(options.batch(QDateTime::currentDateTime()));
    if (!started) {
        spdlog::error("cannot start the jobs: {}", started.error);
        m_startFailed = true;
    }
    // Every job may have ended (or failed to start) before idle() could be observed.
    QMetaObject::invokeMethod(this, &HeadlessRunner::finishWhenAllEnded, Qt::QueuedConnection);
}

void HeadlessRunner::finishWhenAllEnded() {
    if (m_coordinator->isShuttingDown() || m_service->activeCount() > 0)
        return;
    const QList<Job *> jobs = m_service->jobs();
    const bool allCompleted = !m_startFailed && std::all_of(jobs.begin(), jobs.end(), [](Job *job) {
        return job->state() == JobState::Completed;
    });
    m_coordinator->requestShutdown(QStringLiteral("all jobs ended"), allCompleted ? 0 : 1);
}

static QString timeText(const QDateTime &time) {
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray HeadlessRunner::formatText(const Job &job, const Transition &transition) {
    QString line = QStringLiteral("%1 job %2 attempt %3: %4 -> %5")
                       .arg(timeText(transition.time))
                       .arg(job.id())
                       .arg(transition.attempt)
                       .arg(jobStateName(transition.from), jobStateName(transition.to));
    // The reason already says "exit code 3" or "signal 15"; --json has them as numbers.
    if (!transition.reason.isEmpty())
        line += QStringLiteral(": ") + transition.reason;
    return line.toUtf8() + '\n';
}

QByteArray HeadlessRunner::formatJson(const Job &job, const Transition &transition) {
    QJsonObject object{
        {QStringLiteral("time"), timeText(transition.time)},
        {QStringLiteral("job"), job.id()},
        {QStringLiteral("command"), job.spec().command},
        {QStringLiteral("from"), jobStateName(transition.from)},
        {QStringLiteral("to"), jobStateName(transition.to)},
        {QStringLiteral("event"), jobEventName(transition.event)},
        {QStringLiteral("reason"), transition.reason},
        {QStringLiteral("attempt"), transition.attempt},
    };
    if (transition.exitCode)
        object.insert(QStringLiteral("exitCode"), *transition.exitCode);
    if (transition.signal)
        object.insert(QStringLiteral("signal"), *transition.signal);
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray HeadlessRunner::formatDropNote(bool json, qint64 droppedLines) {
    const QString time = timeText(QDateTime::currentDateTimeUtc());
    const QString reason = QStringLiteral("standard output was not read");
    if (json) {
        const QJsonObject object{
            {QStringLiteral("time"), time},
            {QStringLiteral("dropped"), droppedLines},
            {QStringLiteral("reason"), reason},
        };
        return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    }
    return QStringLiteral("%1 %2 line(s) dropped: %3\n")
        .arg(time)
        .arg(droppedLines)
        .arg(reason)
        .toUtf8();
}

} // namespace jobmonitor
