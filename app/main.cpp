#include "appruntime.h"
#include "commandline.h"
#include "guiapplication.h"
#include "headlessrunner.h"
#include "logging.h"
#include "settingsfile.h"

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
    HeadlessRunner runner(&runtime.supervisor(), &runtime.coordinator(), options.json, &out);
    runner.start(options);
    return QCoreApplication::exec();
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
        if (const StartResult started = runtime.supervisor().start(options.jobSpec(command));
            !started)
            spdlog::error("cannot start job {}: {}", command, started.error);
    return runGuiApplication(app, runtime.supervisor(), runtime.coordinator());
}

int main(int argc, char *argv[]) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const CommandLineResult parsed = parseCommandLine(arguments, defaultStateDirectory());
    if (!parsed.options) {
        std::fputs(parsed.output.toLocal8Bit().constData(), parsed.outputIsError ? stderr : stdout);
        return parsed.exitStatus;
    }
    const CommandLineOptions &options = *parsed.options;
    setupLogging(options.stateDir); // says itself when it can log to stderr only
    for (const QString &note : options.notes)
        spdlog::info("{}", note);
    setSettingsFile(options.settingsFile);
    return options.headless ? runHeadless(argc, argv, options) : runWindow(argc, argv, options);
}
