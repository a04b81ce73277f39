#include "shimreport.h"

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

void ShimReport::line(const QByteArray &text) {
    const qsizetype space = text.indexOf(' ');
    const QByteArray key = space < 0 ? text : text.left(space);
    const QByteArray value = space < 0 ? QByteArray() : text.mid(space + 1);
    bool ok = false;
    if (key == "out" || key == "err") {
        m_payloadLeft = value.toLongLong(&ok);
        if (!ok || m_payloadLeft < 0)
            m_payloadLeft = 0;
        m_payloadChannel = key == "out" ? OutputChannel::Stdout : OutputChannel::Stderr;
    } else if (key == "leader") {
        m_leaderPid = value.toLongLong();
        if (onLeader)
            onLeader(m_leaderPid);
    } else if (key == "exit") {
        m_exitCode = value.toInt();
    } else if (key == "signal") {
        m_signal = value.toInt();
    } else if (key == "error") {
        m_error = QString::fromLocal8Bit(value);
    } else if (key == "output-error") {
        m_outputError = QString::fromLocal8Bit(value);
        if (onOutputError)
            onOutputError();
    } else if (key == "stragglers") {
        m_stragglers = value.toInt();
    } else if (key == "killed") {
        const QList<QByteArray> counts = value.split(' ');
        m_killed = counts.value(0).toInt();
        m_killedEscapees = counts.value(1).toInt();
    } else if (key == "kill") {
        m_killCause = value;
    } else if (key == "stop-effect") {
        m_stopEffect = value == "1";
    } else if (key == "adopted") {
        m_adopted.append(value.toLongLong());
    } else if (key == "done") {
        m_done = true;
    } else if (key != "stopping" && key != "step") {
        m_unknown.append(text);
    }
}

} // namespace jobmonitor
