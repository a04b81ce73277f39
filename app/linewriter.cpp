#include "linewriter.h"

#include "logging.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <utility>

namespace jobmonitor {

struct LineWriter::State {
    State(int fd, DropNote dropNote, qsizetype maxQueuedBytes)
        : fd(fd)
        , dropNote(std::move(dropNote))
        , maxQueuedBytes(maxQueuedBytes) {}

    // Called with the mutex held, when there is room again after drops. Returns how many
    // lines the note is about, for the log: logging waits until the mutex is released, as
    // stderr may be the very pipe that is not being read.
    qint64 queueNote() {
        const qint64 dropped = std::exchange(pendingDrops, 0);
        const QByteArray note = dropNote(dropped);
        queuedBytes += note.size();
        queue.push_back(note);
        wake.notify_one();
        return dropped;
    }

    void run();

    const int fd;
    const DropNote dropNote;
    const qsizetype maxQueuedBytes;

    std::mutex mutex;
    std::condition_variable wake;    // the thread: lines queued, or stop
    std::condition_variable drained; // finish(): nothing queued and nothing being written
    std::deque<QByteArray> queue;
    qsizetype queuedBytes = 0; // queued and being written
    qsizetype writingLines = 0;
    qint64 pendingDrops = 0; // since the last note
    qint64 totalDropped = 0;
    bool stop = false;
    bool broken = false;    // the reader has gone, or writing failed: nothing more is written
    bool abandoned = false; // finish() gave up: the process is ending, nothing more is logged
};

namespace {

void logNote(qint64 dropped) {
    if (dropped > 0)
        spdlog::warn("standard output: {} line(s) dropped while it was not read", dropped);
}

// Returns 0, or the errno that ended the writing.
int writeAll(int fd, const QByteArray &data) {
    const char *next = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, next, size_t(left));
        if (written >= 0) {
            next += written;
            left -= written;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            // Someone else made the descriptor non-blocking: wait here rather than spin.
            pollfd writable{fd, POLLOUT, 0};
            ::poll(&writable, 1, -1);
            continue;
        }
        return errno;
    }
    return 0;
}

} // namespace

void LineWriter::State::run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
        wake.wait(lock, [this] { return stop || !queue.empty(); });
        if (queue.empty())
            return; // stopped with nothing left
        QByteArray batch;
        for (const QByteArray &line : queue)
            batch += line;
        writingLines = qsizetype(queue.size());
        queue.clear();
        lock.unlock();
        const int error = writeAll(fd, batch);
        lock.lock();
        queuedBytes -= batch.size();
        if (error != 0) {
            broken = true;
            totalDropped += writingLines + qsizetype(queue.size());
            queue.clear();
            queuedBytes = 0;
        }
        writingLines = 0;
        // The reader took everything: say what it missed before anything else.
        const qint64 noted = !broken && queue.empty() && pendingDrops > 0 ? queueNote() : 0;
        if (queue.empty())
            drained.notify_all();
        if (abandoned)
            continue; // the process is ending: its log may be gone
        lock.unlock();
        if (error != 0) {
            spdlog::warn("standard output: {}; state lines are no longer printed",
                         error == EPIPE ? "its reader has gone" : std::strerror(error));
        }
        logNote(noted);
        lock.lock();
    }
}

LineWriter::LineWriter(int fd, DropNote dropNote, qsizetype maxQueuedBytes)
    : m_state(std::make_shared<State>(fd, std::move(dropNote), maxQueuedBytes)) {
    // Signals go to the other threads: a write here is never interrupted, and a SIGPIPE for
    // a reader that has gone stays pending on this thread instead of ending the process;
    // the write fails with EPIPE.
    sigset_t all;
    sigset_t previous;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    m_thread = std::thread([state = m_state] { state->run(); });
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

LineWriter::~LineWriter() {
    if (m_thread.joinable())
        finish(std::chrono::milliseconds(0));
}

void LineWriter::write(QByteArray line) {
    State &state = *m_state;
    std::unique_lock<std::mutex> lock(state.mutex);
    if (state.broken || state.stop) {
        ++state.totalDropped;
        return;
    }
    const bool fits = state.queuedBytes + line.size() <= state.maxQueuedBytes;
    if (!fits) {
        const bool firstDrop = state.pendingDrops == 0;
        const qsizetype waiting = state.queuedBytes;
        ++state.pendingDrops;
        ++state.totalDropped;
        lock.unlock();
        if (firstDrop) {
            spdlog::warn("standard output is not being read: {} bytes are waiting; lines are "
                         "dropped until there is room",
                         waiting);
        }
        return;
    }
    const qint64 noted = state.pendingDrops > 0 ? state.queueNote() : 0;
    state.queuedBytes += line.size();
    state.queue.push_back(std::move(line));
    state.wake.notify_one();
    lock.unlock();
    logNote(noted);
}

bool LineWriter::finish(std::chrono::milliseconds timeout) {
    if (!m_thread.joinable())
        return false;
    State &state = *m_state;
    std::unique_lock<std::mutex> lock(state.mutex);
    const qint64 noted = !state.broken && state.pendingDrops > 0 ? state.queueNote() : 0;
    if (noted > 0) {
        lock.unlock();
        logNote(noted);
        lock.lock();
    }
    const bool done = state.drained.wait_for(lock, timeout, [&state] {
        return state.broken || (state.queue.empty() && state.writingLines == 0);
    });
    state.stop = true;
    state.wake.notify_all();
    if (!done) {
        state.abandoned = true;
        const qsizetype lost = state.writingLines + qsizetype(state.queue.size());
        lock.unlock();
        spdlog::warn("standard output is not being read: {} line(s) not written at exit", lost);
        // Blocked in write(2) for as long as the reader does not read: it ends with the
        // process, and owns its share of the state until then.
        m_thread.detach();
        return false;
    }
    const bool allWritten = !state.broken;
    lock.unlock();
    m_thread.join();
    return allWritten;
}

qint64 LineWriter::droppedLines() const {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->totalDropped;
}

} // namespace jobmonitor
