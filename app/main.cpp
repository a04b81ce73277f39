#include "appruntime.h"
#include "clientcommands.h"
#include "commandline.h"
#include "dbusservice.h"
#include "englishplurals.h"
#include "guiapplication.h"
#include "headlessrunner.h"
#include "jobdefaults.h"
#include "jobviews.h"
#include "keepawake.h"
#include "launcherentry.h"
#include "linewriter.h"
#include "logging.h"
#include "notifier.h"
#include "settingsfile.h"
#include "windowclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QGuiApplication>
#include <QSessionManager>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

using namespace jobmonitor;
using namespace std::chrono_literals;

// How long the headless mode waits at exit for a slow reader of its standard output.
static constexpr std::chrono::milliseconds OutputFlushLimit = 2s;

// Descriptors inherited from whoever started us (a shell's fd 10, a pipe of a build tool) are
// theirs, not our jobs' or any other child's: a job must see exactly stdin, stdout and stderr.
// Everything the app opens itself is close-on-exec already.
static void closeInheritedDescriptorsOnExec() {
    if (::close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    // Kernels before 5.11 do not know the flag.
    DIR *fds = ::opendir("/proc/self/fd");
    if (!fds)
        return;
    while (const dirent *entry = ::readdir(fds)) {
        const int fd = std::atoi(entry->d_name);
        if (fd > STDERR_FILENO && fd != ::dirfd(fds))
            ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }
    ::closedir(fds);
}

// No window and no GUI library initialised: a plain QCoreApplication, usable without a display.
static int runHeadless(int argc, char *argv[], const CommandLineOptions &options) {
    QCoreApplication app(argc, argv);
    AppRuntime runtime(options);
    LineWriter out(STDOUT_FILENO, [json = options.json](qint64 dropped) {
        return HeadlessRunner::formatDropNote(json, dropped);
    });
    // The summary and the jobs' standard error (--output) go to ours, through a writer of its own.
    LineWriter errors(STDERR_FILENO, [](qint64 dropped) {
        return HeadlessRunner::formatDropNote(false, dropped);
    });
    HeadlessRunner runner(&runtime.service(), &runtime.coordinator(), options.json, &out);
    runner.setErrorOutput(&errors);
    if (options.output)
        runner.showOutput();
    runner.start(options);
    const int status = QCoreApplication::exec();
    runtime.finish(); // the last lines wait for the store
    runner.writeSummary();
    errors.finish(OutputFlushLimit);
    out.finish(OutputFlushLimit);
    return status;
}

static int runWindow(int argc, char *argv[], const CommandLineOptions &options) {
    QGuiApplication app(argc, argv);
    // Before anything counts jobs in a message (the keep-awake lock's reason, notifications).
    installEnglishPlurals();
    // One window per session: a second start hands its jobs to the running one.
    if (!options.newInstance)
        if (const std::optional<int> status = handOverToRunningWindow(options))
            return *status;
    setCommandLineDefaults(CommandLineDefaults::of(options));
    AppRuntime runtime(options);
    DBusService dbus(&runtime.service());
    dbus.registerOn(QDBusConnection::sessionBus());
    const Notifier::Settings notifications = Notifier::Settings::load();
    Notifier notifier(
        &runtime.service(), QDBusConnection::sessionBus(),
        [] { return QGuiApplication::applicationState() == Qt::ApplicationActive; }, notifications);
    QObject::connect(&notifier, &Notifier::showRequested, &dbus, &DBusService::raiseRequested);
    LauncherEntry launcherEntry(&runtime.service(), QDBusConnection::sessionBus());
    std::optional<JobViews> jobViews;
    if (notifications.showRunning)
        jobViews.emplace(&runtime.service(), QDBusConnection::sessionBus());
    std::optional<KeepAwake> keepAwake;
    if (KeepAwake::enabledInSettings())
        keepAwake.emplace(&runtime.service(), QDBusConnection::systemBus());
    // A logout or a session end asks us to save our work: ending the jobs is our work. The
    // session manager waits while the event loop runs the shutdown.
    QObject::connect(&app, &QGuiApplication::commitDataRequest, &runtime.coordinator(),
                     [&runtime](QSessionManager &) {
                         runtime.coordinator().requestShutdown(QStringLiteral("session ending"), 0);
                     });
    // The window's own --job jobs end like the New job form's: with the settings' grace period
    // unless the command line gave one.
    CommandLineOptions jobOptions = options;
    if (!options.terminationGiven)
        jobOptions.termination = TerminationSequence::standard(effectiveJobDefaults().grace);
    if (!options.jobs.isEmpty())
        if (const JobService::BatchResult added =
                runtime.service().addBatch(jobOptions.batch(QDateTime::currentDateTime()));
            !added)
            spdlog::error("cannot start the jobs: {}", added.error);
    const int status = runGuiApplication(app, runtime.service(), runtime.coordinator(), &dbus);
    runtime.finish();
    return status;
}

int main(int argc, char *argv[]) {
    closeInheritedDescriptorsOnExec();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    if (isWindowCommand(arguments)) {
        QCoreApplication app(argc, argv);
        return runWindowCommand(arguments);
    }
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
    setupLogging(options.stateDir); // says itself when it can log to stderr only
    for (const QString &note : options.notes)
        spdlog::info("{}", note);
    setSettingsFile(options.settingsFile);
    return options.headless ? runHeadless(argc, argv, options) : runWindow(argc, argv, options);
}
