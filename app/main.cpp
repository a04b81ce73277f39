#include "appruntime.h"
#include "clientcommands.h"
#include "commandline.h"
#include "guiapplication.h"
#include "headlessrunner.h"
#include "logging.h"

#include <QCoreApplication>
#include <QFile>
#include <QGuiApplication>
#include <QSessionManager>

#include <cstdio>

using namespace jobmonitor;

// No window and no GUI library initialised: a plain QCoreApplication, usable without a display.
static int runHeadless(int argc, char *argv[], const CommandLineOptions &options) {
    QCoreApplication app(argc, argv);
    AppRuntime runtime(options);
    QFile out;
    out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered);
    HeadlessRunner runner(&runtime.service(), &runtime.coordinator(), options.json, &out);
    runner.start(options);
    const int status = QCoreApplication::exec();
    runtime.finish(); // the last lines wait for the store
    return status;
}

static int runWindow(int argc, char *argv[], const CommandLineOptions &options) {
    QGuiApplication app(argc, argv);
    AppRuntime runtime(options);
    // A logout or a session end asks us to save our work: ending the jobs is our work. The
    // session manager waits while the event loop runs the shutdown.
    QObject::connect(&app, &QGuiApplication::commitDataRequest, &runtime.coordinator(),
                     [&runtime](QSessionManager &) {
                         runtime.coordinator().requestShutdown(QStringLiteral("session ending"), 0);
                     });
    for (const QString &command : options.jobs)
        if (const JobService::AddResult added = runtime.service().add(options.jobSpec(command));
            !added)
            spdlog::error("cannot start job {}: {}", command, added.error);
    const int status = runGuiApplication(app, runtime.service(), runtime.coordinator());
    runtime.finish();
    return status;
}

int main(int argc, char *argv[]) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    if (isClientCommand(arguments)) {
        QCoreApplication app(argc, argv);
        return runClientCommand(arguments, defaultStateDirectory());
    }
    const CommandLineResult parsed = parseCommandLine(arguments, defaultStateDirectory());
    if (!parsed.options) {
        std::fputs(parsed.output.toLocal8Bit().constData(), parsed.outputIsError ? stderr : stdout);
        return parsed.exitStatus;
    }
    const CommandLineOptions &options = *parsed.options;
    if (const QString error = setupLogging(options.stateDir); !error.isEmpty())
        spdlog::warn("{}", error);
    return options.headless ? runHeadless(argc, argv, options) : runWindow(argc, argv, options);
}
