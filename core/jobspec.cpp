#include "jobspec.h"

#include <QFileInfo>
#include <QStringList>

#include <cmath>
#include <limits>

namespace jobmonitor {

namespace {

struct SignalName {
    int number;
    const char *name;
};

// The names accepted in a termination sequence and written by toString().
constexpr SignalName signalNames[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},   {SIGQUIT, "QUIT"},     {SIGABRT, "ABRT"},
    {SIGKILL, "KILL"}, {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"},     {SIGPIPE, "PIPE"},
    {SIGALRM, "ALRM"}, {SIGTERM, "TERM"}, {SIGCHLD, "CHLD"},     {SIGCONT, "CONT"},
    {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"}, {SIGTTIN, "TTIN"},     {SIGTTOU, "TTOU"},
    {SIGURG, "URG"},   {SIGXCPU, "XCPU"}, {SIGVTALRM, "VTALRM"}, {SIGWINCH, "WINCH"},
};

// The longest wait of one step: what a QTimer can wait in one go (almost 25 days).
constexpr qint64 longestWait = std::numeric_limits<int>::max();

bool isValidSignal(int number) {
    return number > 0 && number < NSIG;
}

// "TERM", "SIGTERM", "term" or "15"; nullopt for anything else.
std::optional<int> parseSignal(const QString &text) {
    bool isNumber = false;
    const int number = text.toInt(&isNumber);
    if (isNumber)
        return isValidSignal(number) ? std::optional<int>(number) : std::nullopt;
    QString name = text.toUpper();
    if (name.startsWith(QLatin1String("SIG")))
        name.remove(0, 3);
    for (const SignalName &known : signalNames) {
        if (name == QLatin1String(known.name))
            return known.number;
    }
    return std::nullopt;
}

QString signalText(int number) {
    for (const SignalName &known : signalNames) {
        if (known.number == number)
            return QString::fromLatin1(known.name);
    }
    return QString::number(number);
}

QString sequenceError(const QString &message) {
    return QStringLiteral("termination sequence: ") + message;
}

} // namespace

milliseconds BackoffPolicy::delayBeforeRetry(int retryNumber) const {
    const int exponent = std::max(retryNumber, 1) - 1;
    const double delay = double(initial.count()) * std::pow(factor, exponent);
    // Also true when the power overflowed to infinity (or the factor was not a number).
    if (!(delay < double(cap.count())))
        return cap;
    return milliseconds(std::llround(delay));
}

TerminationSequence TerminationSequence::standard(milliseconds grace) {
    return TerminationSequence{{{SIGTERM, milliseconds(0)}, {SIGCONT, grace}}};
}

std::optional<TerminationSequence> TerminationSequence::parse(const QString &text, QString *error) {
    const auto fail = [error](const QString &message) {
        if (error)
            *error = sequenceError(message);
        return std::nullopt;
    };
    if (text.trimmed().isEmpty())
        return fail(QStringLiteral("it is empty"));

    QStringList items = text.split(QLatin1Char(','));
    for (QString &item : items)
        item = item.trimmed();
    // SIGKILL always ends the sequence, so a final KILL (with or without a wait) is implicit.
    if (items.size() % 2 && parseSignal(items.last()) != SIGKILL) {
        return fail(QStringLiteral("expected pairs of signal and milliseconds, got %1 items")
                        .arg(items.size()));
    }

    TerminationSequence sequence;
    for (qsizetype i = 0; i + 1 < items.size(); i += 2) {
        const std::optional<int> signal = parseSignal(items.at(i));
        if (!signal)
            return fail(QStringLiteral("unknown signal '%1'").arg(items.at(i)));
        if (*signal == SIGKILL) {
            if (i + 2 == items.size())
                break;
            return fail(QStringLiteral("KILL can only be the last step"));
        }
        bool isNumber = false;
        const qint64 wait = items.at(i + 1).toLongLong(&isNumber);
        if (!isNumber || wait < 0) {
            return fail(
                QStringLiteral("'%1' is not a number of milliseconds").arg(items.at(i + 1)));
        }
        if (wait > longestWait) {
            return fail(QStringLiteral("%1 ms is too long a wait (at most %2 ms)")
                            .arg(wait)
                            .arg(longestWait));
        }
        sequence.steps.append({*signal, milliseconds(wait)});
    }
    return sequence;
}

QString TerminationSequence::toString() const {
    QStringList items;
    for (const Step &step : steps)
        items << signalText(step.signal) << QString::number(step.waitAfter.count());
    items << signalText(SIGKILL);
    return items.join(QLatin1Char(','));
}

milliseconds TerminationSequence::grace() const {
    milliseconds total(0);
    for (const Step &step : steps)
        total += step.waitAfter;
    return total;
}

QString JobSpec::validate() const {
    if (command.trimmed().isEmpty())
        return QStringLiteral("command is empty");
    if (!workingDirectory.isEmpty()) {
        const QFileInfo directory(workingDirectory);
        if (!directory.exists())
            return QStringLiteral("working directory '%1' does not exist").arg(workingDirectory);
        if (!directory.isDir())
            return QStringLiteral("working directory '%1' is not a directory")
                .arg(workingDirectory);
    }
    for (auto it = environment.cbegin(); it != environment.cend(); ++it) {
        if (it.key().isEmpty())
            return QStringLiteral("environment variable name is empty");
        if (it.key().contains(QLatin1Char('=')))
            return QStringLiteral("environment variable name '%1' contains '='").arg(it.key());
    }
    if (maxAttempts < 1)
        return QStringLiteral("maximum attempts must be at least 1, not %1").arg(maxAttempts);
    if (timeout < milliseconds(0))
        return QStringLiteral("timeout must not be negative, not %1 ms").arg(timeout.count());
    if (!(backoff.factor >= 1.0))
        return QStringLiteral("backoff factor must be at least 1, not %1").arg(backoff.factor);
    if (backoff.initial < milliseconds(0)) {
        return QStringLiteral("backoff initial delay must not be negative, not %1 ms")
            .arg(backoff.initial.count());
    }
    if (backoff.cap < milliseconds(0)) {
        return QStringLiteral("backoff cap must not be negative, not %1 ms")
            .arg(backoff.cap.count());
    }
    for (const TerminationSequence::Step &step : termination.steps) {
        if (!isValidSignal(step.signal) || step.signal == SIGKILL)
            return sequenceError(
                QStringLiteral("%1 is not a signal to send before SIGKILL").arg(step.signal));
        if (step.waitAfter < milliseconds(0) || step.waitAfter.count() > longestWait) {
            return sequenceError(QStringLiteral("the wait after %1 must be 0 to %2 ms")
                                     .arg(signalText(step.signal))
                                     .arg(longestWait));
        }
    }
    return QString();
}

} // namespace jobmonitor
