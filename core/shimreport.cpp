#include "shimreport.h"

#include <algorithm>
#include <limits>

namespace jobmonitor {

void ShimReport::feed(QByteArrayView bytes) {
    while (!bytes.isEmpty()) {
        if (m_payloadLeft > 0) {
            const qsizetype take = qsizetype(std::min<qint64>(m_payloadLeft, bytes.size()));
            m_pending.append(bytes.first(take));
            bytes = bytes.sliced(take);
            m_payloadLeft -= take;
            if (m_payloadLeft == 0) {
                if (onOutput)
                    onOutput(m_payloadChannel, m_pending);
                m_pending.clear();
            }
            continue;
        }
        const qsizetype newline = bytes.indexOf('\n');
        if (newline < 0) {
            m_pending.append(bytes);
            return;
        }
        m_pending.append(bytes.first(newline));
        bytes = bytes.sliced(newline + 1);
        const QByteArray text = std::exchange(m_pending, {});
        line(text);
    }
}

namespace {

// A whole decimal number, nothing else (QByteArray::toLongLong also takes " 12" and "+12").
std::optional<qint64> number(const QByteArray &text) {
    if (text.isEmpty() ||
        !std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

std::optional<int> smallNumber(const QByteArray &text) {
    const std::optional<qint64> value = number(text);
    if (!value || *value > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(*value);
}

} // namespace

// A line whose value is not what its key promises is kept as unknown, never read as 0: a
// garbled "exit" must not become a success, a garbled frame header must not eat output.
void ShimReport::line(const QByteArray &text) {
    const qsizetype space = text.indexOf(' ');
    const QByteArray key = space < 0 ? text : text.left(space);
    const QByteArray value = space < 0 ? QByteArray() : text.mid(space + 1);
    const auto understood = [&]() -> bool {
        if (key == "out" || key == "err") {
            const std::optional<qint64> size = number(value);
            if (!size)
                return false;
            m_payloadLeft = *size;
            m_payloadChannel = key == "out" ? OutputChannel::Stdout : OutputChannel::Stderr;
        } else if (key == "leader") {
            const std::optional<qint64> pid = number(value);
            if (!pid)
                return false;
            m_leaderPid = *pid;
            if (onLeader)
                onLeader(m_leaderPid);
        } else if (key == "exit" || key == "signal" || key == "stragglers") {
            const std::optional<int> n = smallNumber(value);
            if (!n)
                return false;
            if (key == "exit")
                m_exitCode = *n;
            else if (key == "signal")
                m_signal = *n;
            else
                m_stragglers = *n;
        } else if (key == "error") {
            m_error = QString::fromLocal8Bit(value);
        } else if (key == "output-error") {
            m_outputError = QString::fromLocal8Bit(value);
            if (onOutputError)
                onOutputError();
        } else if (key == "killed") {
            const QList<QByteArray> counts = value.split(' ');
            const std::optional<int> killed = smallNumber(counts.value(0));
            const std::optional<int> escapees = smallNumber(counts.value(1));
            if (counts.size() != 2 || !killed || !escapees)
                return false;
            m_killed = *killed;
            m_killedEscapees = *escapees;
        } else if (key == "kill") {
            if (value != "request" && value != "sequence")
                return false;
            m_killCause = value;
        } else if (key == "stop-effect") {
            if (value != "0" && value != "1")
                return false;
            m_stopEffect = value == "1";
        } else if (key == "usage") {
            const QList<QByteArray> figures = value.split(' ');
            const std::optional<qint64> cpuMs = number(figures.value(0));
            const std::optional<qint64> maxRssKiB = number(figures.value(1));
            if (figures.size() != 2 || !cpuMs || !maxRssKiB)
                return false;
            m_cpuTimeMs = *cpuMs;
            m_maxProcessRssBytes = *maxRssKiB * 1024;
        } else if (key == "adopted") {
            const std::optional<qint64> pid = number(value);
            if (!pid)
                return false;
            m_adopted.append(*pid);
        } else if (key == "done") {
            m_done = true;
        } else if (key != "stopping" && key != "step") {
            return false;
        }
        return true;
    };
    if (!understood())
        m_unknown.append(text);
}

} // namespace jobmonitor
