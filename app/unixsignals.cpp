#include "unixsignals.h"

#include "logging.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace jobmonitor {

namespace {

// [0] is written by the handler, [1] read by the notifier.
int s_sockets[2] = {-1, -1};
std::map<int, struct sigaction> s_previousActions;
pid_t s_ownPid = 0;

void handleSignal(int signalNumber) {
    // A job's process between fork and exec still has this handler: its signal (a terminal's
    // Ctrl+C reaches it before it leaves the session) is not the app's, and must not count
    // as a second request that skips the grace period.
    if (::getpid() != s_ownPid)
        return;
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    // A full socket buffer drops the byte: hundreds of unread signals say nothing new.
    [[maybe_unused]] const ssize_t written = ::write(s_sockets[0], &byte, 1);
    errno = savedErrno;
}

} // namespace

UnixSignals::UnixSignals(const QList<int> &signalNumbers, QObject *parent)
    : QObject(parent) {
    Q_ASSERT_X(s_sockets[0] < 0, "UnixSignals", "one instance per process");
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, s_sockets) != 0) {
        spdlog::error("signals: socketpair failed: {}", std::strerror(errno));
        s_sockets[0] = s_sockets[1] = -1;
        return;
    }
    s_ownPid = ::getpid();
    m_notifier = new QSocketNotifier(s_sockets[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignals::readSignals);

    m_valid = true;
    for (int signalNumber : signalNumbers) {
        struct sigaction action = {};
        action.sa_handler = handleSignal;
        sigemptyset(&action.sa_mask);
        // Interrupted system calls elsewhere in the process resume instead of failing with EINTR.
        action.sa_flags = SA_RESTART;
        struct sigaction previous = {};
        if (::sigaction(signalNumber, &action, &previous) != 0) {
            spdlog::error("signals: cannot handle signal {}: {}", signalNumber,
                          std::strerror(errno));
            m_valid = false;
            continue;
        }
        s_previousActions[signalNumber] = previous;
        m_signals << signalNumber;
    }
}

UnixSignals::~UnixSignals() {
    for (int signalNumber : std::as_const(m_signals)) {
        ::sigaction(signalNumber, &s_previousActions[signalNumber], nullptr);
        s_previousActions.erase(signalNumber);
    }
    delete m_notifier;
    for (int &fd : s_sockets) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void UnixSignals::readSignals() {
    unsigned char buffer[64];
    for (;;) {
        const ssize_t count = ::read(s_sockets[1], buffer, sizeof buffer);
        if (count <= 0)
            return; // EAGAIN: drained
        for (ssize_t i = 0; i < count; ++i)
            Q_EMIT received(buffer[i]);
    }
}

} // namespace jobmonitor
