#pragma once

#include <QList>
#include <QObject>

class QSocketNotifier;

namespace jobmonitor {

// Delivers Unix signals into the event loop. The handler only writes the signal number into a
// socketpair (async-signal-safe); a QSocketNotifier on the other end emits received() in the
// thread that owns this object. One instance per process; destroying it restores the
// signals' previous handlers.
class UnixSignals : public QObject {
    Q_OBJECT
public:
    explicit UnixSignals(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~UnixSignals() override;

    // False when the socketpair or a handler could not be set up (see the log).
    bool isValid() const { return m_valid; }

Q_SIGNALS:
    void received(int signalNumber);

private:
    void readSignals();

    QList<int> m_signals;
    QSocketNotifier *m_notifier = nullptr;
    bool m_valid = false;
};

} // namespace jobmonitor
