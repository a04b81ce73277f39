#include "qmlformat.h"

#include "jobformat.h"

#include <QFontDatabase>

#include <cmath>

namespace jobmonitor {

QmlFormat::QmlFormat(QObject *parent)
    : QObject(parent) {}

QString QmlFormat::count(double count) const {
    return countText(std::llround(count));
}

QString QmlFormat::cpu(double percent) const {
    return cpuText(percent);
}

QString QmlFormat::bytes(double bytes) const {
    return bytesText(std::llround(bytes));
}

QString QmlFormat::clock(double milliseconds) const {
    return clockText(std::llround(milliseconds));
}

QString QmlFormat::seconds(double milliseconds) const {
    return secondsText(std::llround(milliseconds));
}

QString QmlFormat::dateTime(const QDateTime &time) const {
    return dateTimeText(time);
}

QString QmlFormat::signal(int signal) const {
    return signalText(signal);
}

QString QmlFormat::stateLabel(int state) const {
    if (state < 0 || state >= JobStateCount)
        return {};
    return jobmonitor::stateLabel(JobState(state));
}

SystemFonts::SystemFonts(QObject *parent)
    : QObject(parent) {}

QFont SystemFonts::fixed() const {
    return QFontDatabase::systemFont(QFontDatabase::FixedFont);
}

} // namespace jobmonitor
