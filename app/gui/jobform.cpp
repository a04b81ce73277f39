#include "jobform.h"

#include "appcontroller.h"
#include "jobsupervisor.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QSettings>

#include <cmath>

namespace jobmonitor {

namespace {

constexpr int MaxRecentCommands = 10;
constexpr int MaxRetries = 100;
const QString RecentCommandsKey = QStringLiteral("recent/commands");

// A number of seconds: nullopt (and an error) when the text is not a number in range.
std::optional<double> parseSeconds(const QString &text, double minimum, QString *error) {
    bool ok = false;
    const double value = QLocale::c().toDouble(text.trimmed(), &ok);
    if (!ok || !std::isfinite(value)) {
        *error = QStringLiteral("Enter a number of seconds, like 30 or 2.5");
        return std::nullopt;
    }
    if (value < minimum) {
        *error = minimum > 0 ? QStringLiteral("Must be more than 0 seconds")
                             : QStringLiteral("Must not be negative");
        return std::nullopt;
    }
    return value;
}

milliseconds toMilliseconds(double seconds) {
    return milliseconds(std::llround(seconds * 1000));
}

QString expandHome(const QString &path) {
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

} // namespace

JobForm::JobForm(QObject *parent)
    : QObject(parent)
    , m_recent(QSettings().value(RecentCommandsKey).toStringList()) {
    reset();
}

void JobForm::setField(QString &field, const QString &value) {
    if (field == value)
        return;
    field = value;
    m_startError.clear();
    validate();
    Q_EMIT changed();
}

void JobForm::reset() {
    const JobSpec defaults;
    m_command.clear();
    m_name.clear();
    m_workingDirectory.clear();
    m_environment.clear();
    m_timeout.clear();
    m_retries = QStringLiteral("0");
    m_backoffInitial = QString::number(defaults.backoff.initial.count() / 1000.0);
    m_backoffFactor = QString::number(defaults.backoff.factor);
    m_backoffCap = QString::number(defaults.backoff.cap.count() / 1000.0);
    m_grace = QString::number(defaults.termination.grace().count() / 1000.0);
    m_startError.clear();
    validate();
    Q_EMIT changed();
}

bool JobForm::loadFromJob(int jobId) {
    JobSupervisor *supervisor = AppController::supervisor();
    const Job *job = supervisor ? supervisor->job(jobId) : nullptr;
    if (!job)
        return false;
    const JobSpec &spec = job->spec();
    m_command = spec.command;
    m_name = spec.name;
    m_workingDirectory = spec.workingDirectory;
    QStringList environment;
    for (auto it = spec.environment.cbegin(); it != spec.environment.cend(); ++it)
        environment.append(it.key() + QLatin1Char('=') + it.value());
    m_environment = environment.join(QLatin1Char('\n'));
    m_timeout =
        spec.timeout.count() > 0 ? QString::number(spec.timeout.count() / 1000.0) : QString();
    m_retries = QString::number(spec.maxAttempts - 1);
    m_backoffInitial = QString::number(spec.backoff.initial.count() / 1000.0);
    m_backoffFactor = QString::number(spec.backoff.factor);
    m_backoffCap = QString::number(spec.backoff.cap.count() / 1000.0);
    m_grace = QString::number(spec.termination.grace().count() / 1000.0);
    m_startError.clear();
    validate();
    Q_EMIT changed();
    return true;
}

void JobForm::validate() {
    Errors errors;
    JobSpec spec;
    spec.command = m_command.trimmed();
    spec.name = m_name.trimmed();

    const QString directory = expandHome(m_workingDirectory.trimmed());
    if (!directory.isEmpty() && !QFileInfo(directory).isDir())
        errors.workingDirectory = QStringLiteral("No such folder");
    spec.workingDirectory = directory;

    static const QRegularExpression variable(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$"));
    const QStringList lines = m_environment.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size() && errors.environment.isEmpty(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const QRegularExpressionMatch match = variable.match(lines[i]);
        if (!match.hasMatch())
            errors.environment = QStringLiteral("Line %1: write NAME=value").arg(i + 1);
        else
            spec.environment.insert(match.captured(1), match.captured(2));
    }

    if (!m_timeout.trimmed().isEmpty()) {
        if (const auto seconds = parseSeconds(m_timeout, 0, &errors.timeout))
            spec.timeout = toMilliseconds(*seconds);
    }

    bool retriesOk = false;
    const int retries = m_retries.trimmed().toInt(&retriesOk);
    if (!retriesOk || retries < 0 || retries > MaxRetries)
        errors.retries = QStringLiteral("Enter a whole number from 0 to %1").arg(MaxRetries);
    else
        spec.maxAttempts = 1 + retries;

    const auto initial = parseSeconds(m_backoffInitial, 0.001, &errors.backoff);
    bool factorOk = false;
    const double factor = QLocale::c().toDouble(m_backoffFactor.trimmed(), &factorOk);
    const auto cap = errors.backoff.isEmpty() ? parseSeconds(m_backoffCap, 0.001, &errors.backoff)
                                              : std::nullopt;
    if (errors.backoff.isEmpty() && (!factorOk || !std::isfinite(factor) || factor < 1))
        errors.backoff = QStringLiteral("The factor must be a number of at least 1");
    if (errors.backoff.isEmpty() && *cap < *initial)
        errors.backoff = QStringLiteral("The longest delay must not be shorter than the first");
    if (errors.backoff.isEmpty())
        spec.backoff = {toMilliseconds(*initial), factor, toMilliseconds(*cap)};

    if (const auto grace = parseSeconds(m_grace, 0, &errors.grace))
        spec.termination = TerminationSequence::standard(toMilliseconds(*grace));

    const bool fieldsOk = errors.workingDirectory.isEmpty() && errors.environment.isEmpty() &&
                          errors.timeout.isEmpty() && errors.retries.isEmpty() &&
                          errors.backoff.isEmpty() && errors.grace.isEmpty();
    // An empty command is not an error to point at, it simply cannot start yet.
    if (fieldsOk && !spec.command.isEmpty())
        errors.command = spec.validate();
    m_errors = errors;
    if (fieldsOk && !spec.command.isEmpty() && errors.command.isEmpty())
        m_spec = spec;
    else
        m_spec.reset();
}

QString JobForm::startHint() const {
    if (m_spec)
        return {};
    if (m_command.trimmed().isEmpty())
        return QStringLiteral("Enter a command to start the job");
    return QStringLiteral("Correct the field marked in red to start the job");
}

int JobForm::start() {
    JobSupervisor *supervisor = AppController::supervisor();
    if (!m_spec || !supervisor)
        return -1;
    const StartResult result = supervisor->start(*m_spec);
    if (!result) {
        m_startError = result.error;
        Q_EMIT changed();
        return -1;
    }
    rememberCommand(m_spec->command);
    return result.job->id();
}

void JobForm::rememberCommand(const QString &command) {
    m_recent.removeAll(command);
    m_recent.prepend(command);
    while (m_recent.size() > MaxRecentCommands)
        m_recent.removeLast();
    QSettings().setValue(RecentCommandsKey, m_recent);
    Q_EMIT recentCommandsChanged();
}

} // namespace jobmonitor
