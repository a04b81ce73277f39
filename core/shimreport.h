#pragma once

#include "outputbuffer.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace jobmonitor {

// The shim's report (the protocol is described at the top of core/shim/main.cpp), parsed as it
// arrives in chunks of any size. Relayed output goes to onOutput as soon as its bytes are in;
// everything else is collected for the attempt's record.
class ShimReport {
public:
    std::function<void(OutputChannel, const QByteArray &)> onOutput;
    std::function<void(qint64 pid)> onLeader;
    std::function<void()> onOutputError;

    void feed(QByteArrayView bytes);

    bool complete() const { return m_done; } // "done" arrived: the shim was not killed
    qint64 leaderPid() const { return m_leaderPid; }
    std::optional<int> exitCode() const { return m_exitCode; }
    std::optional<int> signal() const { return m_signal; }
    QString error() const { return m_error; }             // the command could not be exec'd
    QString outputError() const { return m_outputError; } // saving output stopped: why
    int stragglers() const { return m_stragglers; }
    int killed() const { return m_killed; }
    int killedEscapees() const { return m_killedEscapees; }
    bool killRequested() const { return m_killCause == "request"; }
    bool killedBySequence() const { return m_killCause == "sequence"; }
    std::optional<bool> stopEffect() const { return m_stopEffect; }
    // CPU time of every process of the job, and the largest resident size one of them reached.
    std::optional<qint64> cpuTimeMs() const { return m_cpuTimeMs; }
    std::optional<qint64> maxProcessRssBytes() const { return m_maxProcessRssBytes; }
    QList<qint64> adopted() const { return m_adopted; } // --adopt: processes found
    // Lines the parser did not understand (kept for the log; a newer shim may say more).
    QList<QByteArray> unknownLines() const { return m_unknown; }

private:
    void line(const QByteArray &text);

    QByteArray m_pending;
    qint64 m_payloadLeft = 0; // bytes of an "out"/"err" frame still to come
    OutputChannel m_payloadChannel = OutputChannel::Stdout;
    bool m_done = false;
    qint64 m_leaderPid = 0;
    std::optional<int> m_exitCode;
    std::optional<int> m_signal;
    QString m_error;
    QString m_outputError;
    int m_stragglers = 0;
    int m_killed = 0;
    int m_killedEscapees = 0;
    QByteArray m_killCause;
    std::optional<bool> m_stopEffect;
    std::optional<qint64> m_cpuTimeMs;
    std::optional<qint64> m_maxProcessRssBytes;
    QList<qint64> m_adopted;
    QList<QByteArray> m_unknown;
};

} // namespace jobmonitor
