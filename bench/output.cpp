// Output ingestion: one job writing 1 GiB of text lines to stdout through the supervisor (saved
// byte for byte by its shim, the tail read from it as the window does), against the same producer
// piped into `cat > /dev/null`. Also reports this process's peak RSS, which must stay bounded
// whatever the output size.

#include "benchutil.h"
#include "logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

using namespace jobmonitor;
using namespace jobmonitor::bench;

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const qint64 bytes = argc > 1 ? QByteArray(argv[1]).toLongLong() : (qint64(1) << 30);
    const QString producer =
        QStringLiteral(
            "yes 'a line of job output, the sort a build prints all day long' | head -c %1")
            .arg(bytes);

    const double baseline = timeShell(producer + QStringLiteral(" | cat > /dev/null"));

    QTemporaryDir logs;
    JobSupervisor supervisor(JobSupervisor::Config{1, logs.path()});
    JobSpec spec;
    spec.command = producer;
    QElapsedTimer timer;
    timer.start();
    Job *job = supervisor.start(spec).job;
    // As while the window shows the job: its tail is read from the saved output as it grows.
    job->retainTail();
    spinUntil([&]() { return isFinal(job->state()); });
    const double ours = double(timer.nsecsElapsed()) / 1e6;
    const qint64 total =
        QFileInfo(QDir(job->outputDirectory(1)).filePath(QStringLiteral("stdout"))).size();
    const qint64 shown = job->output()->totalBytes(OutputChannel::Stdout);
    const double rss = peakRssMiB();
    awaitTask(supervisor.shutdown());

    std::printf("output: %lld bytes on stdout saved (%s), %lld through the tail\n", total,
                total == bytes && shown == bytes ? "all received" : "MISSING BYTES", shown);
    std::printf("  producer | cat > /dev/null : %8.1f ms\n", baseline);
    std::printf("  Job Monitor (tail + log)   : %8.1f ms\n", ours);
    std::printf("  ratio                      : %8.2f\n", ours / baseline);
    std::printf("  peak RSS of Job Monitor    : %8.1f MiB (target <= 100 MiB)\n", rss);
    return total == bytes && shown == bytes ? 0 : 1;
}
