#include "jobform.h"

#include "appcontroller.h"
#include "commandline.h"
#include "job.h"
#include "jobdefaults.h"
#include "jobservice.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>

namespace jobmonitor {

namespace {

constexpr int MaxRecentCommands = 10;
// The latest jobs Recent looks through for distinct commands: a bounded read, however long
// the history.
constexpr int RecentJobsRead = 300;

// Messages shown beside a field start with a capital, like the form's own.
QString sentence(QString message) {
    if (!message.isEmpty())
        message[0] = message.at(0).toUpper();
    return message;
}

std::optional<milliseconds> secondsField(const QString &text, QString *error) {
    QString problem;
    const std::optional<milliseconds> value = parseSeconds(text, &problem);
    if (!value)
        *error = sentence(problem);
    return value;
}

QString &errorFor(SpecProblem::Field field, auto &errors) {
    switch (field) {
    case SpecProblem::Field::Command:
        break;
    case SpecProblem::Field::WorkingDirectory:
        return errors.workingDirectory;
    case SpecProblem::Field::Environment:
        return errors.environment;
    case SpecProblem::Field::Timeout:
        return errors.timeout;
    case SpecProblem::Field::Retries:
        return errors.retries;
    case SpecProblem::Field::Backoff:
        return errors.backoff;
    case SpecProblem::Field::Termination:
        return errors.grace;
    case SpecProblem::Field::MemoryLimit:
        return errors.memoryLimit;
    case SpecProblem::Field::Niceness:
        return errors.niceness;
    case SpecProblem::Field::IoPriority:
        return errors.ioPriority;
    case SpecProblem::Field::ProgressPattern:
        return errors.progressPattern;
    case SpecProblem::Field::Group:
    case SpecProblem::Field::Priority:
    case SpecProblem::Field::Dependencies:
    case SpecProblem::Field::StartTime:
        return errors.queue;
    }
    return errors.command;
}

QString expandHome(const QString &path) {
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

} // namespace

JobForm::JobForm(QObject *parent)
    : QObject(parent) {
    reset();
}

std::optional<milliseconds> JobForm::readGrace(const QString &text, QString *error) {
    const std::optional<milliseconds> grace = secondsField(text, error);
    if (!grace)
        return std::nullopt;
    if (const QString problem = graceProblem(*grace); !problem.isEmpty()) {
        *error = sentence(problem);
        return std::nullopt;
    }
    return grace;
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
    // The settings' default, or this run's --grace.
    m_grace = QString::number(effectiveJobDefaults().grace.count() / 1000.0);
    m_memoryLimit.clear();
    m_niceness.clear();
    m_progressPattern.clear();
    m_ioPriority.clear();
    m_group.clear();
    m_startAfter.clear();
    m_startWhen.clear();
    m_startError.clear();
    validate();
    Q_EMIT changed();
}

JobService *JobForm::service() {
    if (!m_service) {
        if (AppController *app = AppController::of(this))
            m_service = app->service();
    }
    return m_service;
}

bool JobForm::loadFromJob(qint64 jobId) {
    JobService *jobs = service();
    if (!jobs)
        return false;
    if (const Job *job = jobs->job(jobId)) {
        load(job->spec());
        return true;
    }
    if (!jobs->hasStore())
        return false;
    m_loading = jobId;
    jobs->record(jobId, this, [this, jobId](std::optional<JobRecord> record) {
        if (m_loading != jobId || !record)
            return;
        m_loading = -1;
        load(record->spec);
    });
    return true;
}

void JobForm::refreshRecent() {
    JobService *jobs = service();
    if (!jobs)
        return;
    JobQuery latest;
    latest.limit = RecentJobsRead;
    jobs->history(latest, this, [this](QList<JobRecord> records) {
        QList<JobSpec> specs;
        QStringList seen;
        for (const JobRecord &record : records) {
            if (seen.contains(record.spec.command))
                continue;
            seen.append(record.spec.command);
            specs.append(record.spec);
            if (specs.size() == MaxRecentCommands)
                break;
        }
        setRecent(specs);
    });
}

void JobForm::useRecent(int index) {
    if (index >= 0 && index < m_recentSpecs.size())
        load(m_recentSpecs[index]);
}

void JobForm::load(const JobSpec &spec) {
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
    m_memoryLimit = spec.memoryLimitBytes > 0 ? QString::number(spec.memoryLimitBytes) : QString();
    // A whole number of MiB or GiB reads better than its bytes.
    for (const auto &[unit, size] : {std::pair{"G", qint64(1) << 30}, {"M", qint64(1) << 20}})
        if (spec.memoryLimitBytes > 0 && spec.memoryLimitBytes % size == 0) {
            m_memoryLimit = QString::number(spec.memoryLimitBytes / size) + QLatin1String(unit);
            break;
        }
    m_niceness = spec.niceness ? QString::number(*spec.niceness) : QString();
    m_ioPriority = spec.ioPriority ? spec.ioPriority->toString() : QString();
    m_progressPattern = spec.progressPattern;
    // Its group again; what it waited for and when were about that run.
    m_group = spec.group;
    m_startAfter.clear();
    m_startWhen.clear();
    m_startError.clear();
    validate();
    Q_EMIT changed();
    Q_EMIT loaded();
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
        if (const auto timeout = secondsField(m_timeout, &errors.timeout))
            spec.timeout = *timeout;
    }

    // Whole numbers only; beyond the range of int it only has to stay beyond the limit.
    static const QRegularExpression wholeNumber(QStringLiteral("^[0-9]+$"));
    const QString retries = m_retries.trimmed();
    if (!wholeNumber.match(retries).hasMatch()) {
        errors.retries =
            QStringLiteral("Enter a whole number from 0 to %1").arg(limits::maxRetries);
    } else {
        bool inRange = false;
        const qlonglong value = retries.toLongLong(&inRange);
        spec.maxAttempts = 1 + int(inRange ? std::min<qlonglong>(value, limits::maxRetries + 1)
                                           : limits::maxRetries + 1);
    }

    const auto initial = secondsField(m_backoffInitial, &errors.backoff);
    bool factorOk = false;
    const double factor = QLocale::c().toDouble(m_backoffFactor.trimmed(), &factorOk);
    const auto cap =
        errors.backoff.isEmpty() ? secondsField(m_backoffCap, &errors.backoff) : std::nullopt;
    if (errors.backoff.isEmpty() && !factorOk)
        errors.backoff = QStringLiteral("The factor must be a number of at least 1");
    if (errors.backoff.isEmpty())
        spec.backoff = {*initial, factor, *cap};

    if (const auto grace = readGrace(m_grace, &errors.grace))
        spec.termination = TerminationSequence::standard(*grace);

    if (!m_memoryLimit.trimmed().isEmpty()) {
        QString problem;
        if (const std::optional<qint64> bytes = parseByteSize(m_memoryLimit, &problem))
            spec.memoryLimitBytes = *bytes;
        else
            errors.memoryLimit = sentence(problem);
        if (errors.memoryLimit.isEmpty() && spec.memoryLimitBytes == 0)
            errors.memoryLimit = QStringLiteral("Enter a size like 2G, or nothing for no limit");
    }
    if (const QString text = m_niceness.trimmed(); !text.isEmpty()) {
        bool ok = false;
        spec.niceness = text.toInt(&ok);
        if (!ok)
            errors.niceness = QStringLiteral("Enter a whole number from %1 to %2")
                                  .arg(limits::minNiceness)
                                  .arg(limits::maxNiceness);
    }
    if (!m_ioPriority.trimmed().isEmpty()) {
        QString problem;
        spec.ioPriority = IoPriority::parse(m_ioPriority, &problem);
        if (!spec.ioPriority)
            errors.ioPriority = sentence(problem);
    }
    spec.progressPattern = m_progressPattern.trimmed();
    // The queue's fields read as `jobmonitor add` reads its options: a time of day or a date
    // is --at, anything else a --delay.
    QList<QueueOption> queueing;
    if (!m_group.trimmed().isEmpty())
        queueing.append({QStringLiteral("group"), m_group.trimmed()});
    if (!m_startAfter.trimmed().isEmpty())
        queueing.append({QStringLiteral("after"), QString(m_startAfter).remove(QLatin1Char(' '))});
    if (const QString when = m_startWhen.trimmed(); !when.isEmpty())
        queueing.append({when.contains(QLatin1Char(':')) || when.contains(QLatin1Char('-'))
                             ? QStringLiteral("at")
                             : QStringLiteral("delay"),
                         when});
    errors.queue = sentence(applyQueueOptions(queueing, QDateTime::currentDateTime(), spec));

    // What the text says is the spec's to judge: each problem goes beside its field, unless
    // the field already says its text is not a number.
    for (const SpecProblem &problem : spec.problems()) {
        QString &error = errorFor(problem.field, errors);
        // An empty command is not an error to point at, it simply cannot start yet.
        if (error.isEmpty() &&
            !(problem.field == SpecProblem::Field::Command && spec.command.isEmpty()))
            error = sentence(problem.message);
    }
    m_errors = errors;
    const bool fieldsOk = errors.command.isEmpty() && errors.workingDirectory.isEmpty() &&
                          errors.environment.isEmpty() && errors.timeout.isEmpty() &&
                          errors.retries.isEmpty() && errors.backoff.isEmpty() &&
                          errors.grace.isEmpty() && errors.memoryLimit.isEmpty() &&
                          errors.niceness.isEmpty() && errors.ioPriority.isEmpty() &&
                          errors.progressPattern.isEmpty() && errors.queue.isEmpty();
    if (fieldsOk && !spec.command.isEmpty())
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

qint64 JobForm::start() {
    JobService *jobs = service();
    if (!m_spec || !jobs)
        return -1;
    const JobService::AddResult result = jobs->add(*m_spec);
    if (!result) {
        m_startError = result.error;
        Q_EMIT changed();
        return -1;
    }
    rememberSpec(*m_spec);
    return result.id;
}

void JobForm::rememberSpec(const JobSpec &spec) {
    QList<JobSpec> specs = m_recentSpecs;
    specs.removeIf([&](const JobSpec &s) { return s.command == spec.command; });
    specs.prepend(spec);
    setRecent(specs.mid(0, MaxRecentCommands));
}

void JobForm::setRecent(const QList<JobSpec> &specs) {
    m_recentSpecs = specs;
    QStringList commands;
    for (const JobSpec &spec : specs)
        commands.append(spec.command);
    if (commands == m_recent)
        return;
    m_recent = commands;
    Q_EMIT recentCommandsChanged();
}

} // namespace jobmonitor
