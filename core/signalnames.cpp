#include "signalnames.h"

#include <csignal>
#include <cstring>

namespace jobmonitor {

bool isValidSignal(int signal) {
    return signal > 0 && signal < NSIG;
}

QString signalAbbreviation(int signal) {
    if (const char *abbreviation = isValidSignal(signal) ? sigabbrev_np(signal) : nullptr)
        return QString::fromLatin1(abbreviation);
    if (signal >= SIGRTMIN && signal <= SIGRTMAX)
        return signal == SIGRTMIN ? QStringLiteral("RTMIN")
                                  : QStringLiteral("RTMIN+%1").arg(signal - SIGRTMIN);
    return QString::number(signal);
}

QString signalDescription(int signal) {
    const QString name = signalAbbreviation(signal);
    if (name == QString::number(signal))
        return QStringLiteral("signal %1").arg(signal);
    return QStringLiteral("signal %1 (SIG%2)").arg(signal).arg(name);
}

std::optional<int> parseSignal(const QString &text) {
    const QString trimmed = text.trimmed();
    bool isNumber = false;
    const int number = trimmed.toInt(&isNumber);
    if (isNumber)
        return isValidSignal(number) ? std::optional<int>(number) : std::nullopt;
    QString name = trimmed.toUpper();
    if (name.startsWith(QLatin1String("SIG")))
        name.remove(0, 3);
    if (name.isEmpty())
        return std::nullopt;
    for (int signal = 1; signal < NSIG; ++signal) {
        if (signalAbbreviation(signal) == name)
            return signal;
    }
    return std::nullopt;
}

} // namespace jobmonitor
