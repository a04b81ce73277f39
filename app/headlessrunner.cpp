#include "headlessrunner.h"

#include "attemptoutput.h"
#include "job.h"
#include "jobservice.h"
#include "linewriter.h"
#include "logging.h"
#include "shutdowncoordinator.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace jobmonitor {

using namespace std::chrono_literals;

namespace {
// How often a running attempt's output files are read for --output.
constexpr std::chrono::milliseconds OutputPollInterval = 50ms;
// The longest piece of a line printed before its end has come.
constexpr qsizetype MaxOutputLine = 64 * 1024;
} // namespace

HeadlessRunner::HeadlessRunner(JobService *service, ShutdownCoordinator *coordinator, bool json,
                               LineWriter *output, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_coordinator(coordinator)
    , m_json(json)
    , m_output(output) {
    // Only what the store holds is shown: a line, and so a job's id, is printed once its
    // transition is recorded.
    connect(m_service, &JobService::transitionRecorded, this, &HeadlessRunner::onTransition);
    connect(m_service, &JobService::countersChanged, this, &HeadlessRunner::finishWhenAllEnded);
    m_clock.start();
}

HeadlessRunner::~HeadlessRunner() = default;

void HeadlessRunner::setErrorOutput(LineWriter *errors) {
    m_errors = errors;
}

void HeadlessRunner::showOutput() {
    m_showOutput = true;
}

void HeadlessRunner::onTransition(Job *job, const Transition &transition) {
    const bool attemptRuns = transition.to == JobState::Running ||
                             transition.to == JobState::Stopping ||
                             transition.to == JobState::Paused;
    // The attempt's last lines come before the line saying how it ended.
    if (!attemptRuns)
        endOutput(job->id());
    m_output->write(m_json ? formatJson(*job, transition) : formatText(*job, transition));
    if (!m_showOutput || transition.to != JobState::Running || m_following.count(job->id()) > 0)
        return;
    const QString directory = job->outputDirectory(transition.attempt);
    if (directory.isEmpty())
        return; // not saved: there is nothing to follow (the log says why)
    Following &following = m_following[job->id()];
    following.follower = std::make_unique<AttemptOutputFollower>(directory, OutputPollInterval);
    connect(following.follower.get(), &AttemptOutputFollower::output, this,
            [this, id = job->id()](OutputChannel channel, const QByteArray &data) {
                takeOutput(id, channel, data);
            });
    following.follower->start();
}

void HeadlessRunner::takeOutput(qint64 jobId, OutputChannel channel, const QByteArray &data) {
    const auto found = m_following.find(jobId);
    if (found == m_following.end())
        return;
    QByteArray &partial = found->second.partial[int(channel)];
    partial += data;
    LineWriter *out = channel == OutputChannel::Stderr && !m_json && m_errors ? m_errors : m_output;
    qsizetype start = 0;
    for (qsizetype end; (end = partial.indexOf('\n', start)) >= 0; start = end + 1)
        out->write(formatOutputLine(m_json, jobId, channel, partial.mid(start, end - start)));
    partial.remove(0, start);
    // A line that never ends (a progress bar redrawn with \r) goes out in pieces.
    if (partial.size() >= MaxOutputLine) {
        out->write(formatOutputLine(m_json, jobId, channel, partial));
        partial.clear();
    }
}

void HeadlessRunner::endOutput(qint64 jobId) {
    const auto found = m_following.find(jobId);
    if (found == m_following.end())
        return;
    found->second.follower->finish(); // the attempt has ended: its files are complete
    for (const OutputChannel channel : {OutputChannel::Stdout, OutputChannel::Stderr}) {
        QByteArray &partial = found->second.partial[int(channel)];
        if (!partial.isEmpty())
            (channel == OutputChannel::Stderr && !m_json && m_errors ? m_errors : m_output)
                ->write(formatOutputLine(m_json, jobId, channel, partial));
    }
    m_following.erase(found);
}

void HeadlessRunner::start(const CommandLineOptions &options) {
    // One batch: the jobs can wait for each other by their places on the command line.
    const JobService::BatchResult started =
        m_service->addBatch(options.batch(QDateTime::currentDateTime()));
    if (!started) {
        spdlog::error("cannot start the jobs: {}", started.error);
        m_notStarted = int(options.jobs.size());
    }
    // Every job may have ended (or failed to start) before idle() could be observed.
    QMetaObject::invokeMethod(this, &HeadlessRunner::finishWhenAllEnded, Qt::QueuedConnection);
}

void HeadlessRunner::finishWhenAllEnded() {
    if (m_coordinator->isShuttingDown() || m_service->activeCount() > 0)
        return;
    const QList<Job *> jobs = m_service->jobs();
    const bool allCompleted =
        m_notStarted == 0 && std::all_of(jobs.begin(), jobs.end(), [](Job *job) {
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
    if (const QString directory = job.outputDirectory(transition.attempt); !directory.isEmpty())
        object.insert(QStringLiteral("outputDirectory"), directory);
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray HeadlessRunner::formatOutputLine(bool json, qint64 jobId, OutputChannel channel,
                                            const QByteArray &line) {
    if (!json)
        return QByteArray::number(jobId) + '\t' + line + '\n';
    const QJsonObject object{
        {QStringLiteral("job"), jobId},
        {QStringLiteral("stream"),
         channel == OutputChannel::Stdout ? QStringLiteral("stdout") : QStringLiteral("stderr")},
        {QStringLiteral("line"), QString::fromUtf8(line)},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

void HeadlessRunner::writeSummary() {
    std::map<QString, int> counts; // sorted: the same order every run
    for (const Job *job : m_service->jobs())
        ++counts[jobStateName(job->state())];
    const qint64 elapsedMs = m_clock.elapsed();
    LineWriter *summaryOutput = m_errors ? m_errors : m_output;
    const int total = int(m_service->jobs().size()) + m_notStarted;
    if (m_json) {
        QJsonObject states;
        for (const auto &[state, count] : counts)
            states.insert(state, count);
        if (m_notStarted > 0)
            states.insert(QStringLiteral("NotStarted"), m_notStarted);
        const QJsonObject object{
            {QStringLiteral("time"), timeText(QDateTime::currentDateTimeUtc())},
            {QStringLiteral("summary"), states},
            {QStringLiteral("jobs"), total},
            {QStringLiteral("durationMs"), elapsedMs},
        };
        summaryOutput->write(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
        return;
    }
    QStringList parts;
    for (const auto &[state, count] : counts)
        parts << QStringLiteral("%1 %2").arg(count).arg(state);
    if (m_notStarted > 0)
        parts << QStringLiteral("%1 NotStarted").arg(m_notStarted);
    summaryOutput->write(QStringLiteral("%1 summary: %2 job(s) in %3 s: %4\n")
                             .arg(timeText(QDateTime::currentDateTimeUtc()))
                             .arg(total)
                             .arg(double(elapsedMs) / 1000.0, 0, 'f', 1)
                             .arg(parts.join(QStringLiteral(", ")))
                             .toUtf8());
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
