#include "jobdefaults.h"

#include "logging.h"
#include "settingsfile.h"

namespace jobmonitor {

namespace {

constexpr char GraceKey[] = "defaults/graceMs";
constexpr char MaxParallelKey[] = "defaults/maxParallel";

CommandLineDefaults &current() {
    static CommandLineDefaults defaults;
    return defaults;
}

} // namespace

QString graceProblem(std::chrono::milliseconds grace) {
    JobSpec spec;
    spec.command = QStringLiteral("true");
    spec.termination = TerminationSequence::standard(grace);
    for (const SpecProblem &problem : spec.problems())
        if (problem.field == SpecProblem::Field::Termination)
            return problem.message;
    return {};
}

JobDefaults JobDefaults::load() {
    JobDefaults defaults;
    // Read only: a missing file is the built-in values, and reading does not create it.
    const QSettings settings(settingsFile(), QSettings::IniFormat);
    if (const QVariant value = settings.value(QLatin1String(GraceKey)); value.isValid()) {
        bool ok = false;
        const qint64 grace = value.toLongLong(&ok);
        const QString problem =
            ok ? graceProblem(std::chrono::milliseconds(grace)) : QStringLiteral("not a number");
        if (problem.isEmpty())
            defaults.grace = std::chrono::milliseconds(grace);
        else
            spdlog::warn("settings: {} = {} is not used ({}): the default {} ms holds", GraceKey,
                         value.toString(), problem, defaults.grace.count());
    }
    if (const QVariant value = settings.value(QLatin1String(MaxParallelKey)); value.isValid()) {
        QString problem;
        if (const std::optional<int> maxParallel = parseMaxParallel(value.toString(), &problem))
            defaults.maxParallel = *maxParallel;
        else
            spdlog::warn("settings: {} = {} is not used ({}): the default {} holds", MaxParallelKey,
                         value.toString(), problem, defaults.maxParallel);
    }
    return defaults;
}

void JobDefaults::save() const {
    if (const std::unique_ptr<QSettings> settings = openSettings()) {
        settings->setValue(QLatin1String(GraceKey), qint64(grace.count()));
        settings->setValue(QLatin1String(MaxParallelKey), maxParallel);
    }
}

CommandLineDefaults CommandLineDefaults::of(const CommandLineOptions &options) {
    CommandLineDefaults defaults;
    if (options.terminationGiven)
        defaults.grace = options.termination.grace();
    if (options.maxParallelGiven)
        defaults.maxParallel = options.maxParallel;
    return defaults;
}

void setCommandLineDefaults(const CommandLineDefaults &defaults) {
    current() = defaults;
}

CommandLineDefaults commandLineDefaults() {
    return current();
}

JobDefaults CommandLineDefaults::over(JobDefaults settings) const {
    settings.grace = grace.value_or(settings.grace);
    settings.maxParallel = maxParallel.value_or(settings.maxParallel);
    return settings;
}

JobDefaults effectiveJobDefaults() {
    return current().over(JobDefaults::load());
}

} // namespace jobmonitor
