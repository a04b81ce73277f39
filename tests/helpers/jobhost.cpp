// jm-jobhost GRACE_MS COMMAND...: a minimal host application for tests that must kill the
// application itself. It starts every COMMAND as a job through the real JobSupervisor, prints
// "running" on stdout once all of them run, and then waits forever.

#include "jobsupervisor.h"
#include "logging.h"

#include <QCoreApplication>

#include <cstdio>

using namespace jobmonitor;

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    setupStderrLogging(spdlog::level::warn);
    const QStringList arguments = app.arguments().mid(1);
    if (arguments.size() < 2) {
        std::fprintf(stderr, "usage: jm-jobhost GRACE_MS COMMAND...\n");
        return 64;
    }
    JobSupervisor supervisor(JobSupervisor::Config{int(arguments.size()), {}});
    for (const QString &command : arguments.mid(1)) {
        JobSpec spec;
        spec.command = command;
        spec.termination = TerminationSequence::standard(milliseconds(arguments[0].toInt()));
        if (const StartResult result = supervisor.start(spec); !result) {
            std::fprintf(stderr, "jm-jobhost: %s\n", qPrintable(result.error));
            return 1;
        }
    }
    QObject::connect(&supervisor, &JobSupervisor::countersChanged, &app, [&supervisor]() {
        static bool announced = false;
        if (!announced && supervisor.count(JobState::Running) == int(supervisor.jobs().size())) {
            announced = true;
            std::puts("running");
            std::fflush(stdout);
        }
    });
    return app.exec();
}
