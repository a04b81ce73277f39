#pragma once

#include <QByteArray>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace jobmonitor {

// Writes whole lines to a file descriptor (the headless mode's standard output) from a thread
// of its own, so that whoever writes a line never waits for the reader: a line reaches a pipe
// reader the moment it is written, and a reader that stops reading blocks only that thread,
// never the event loop, signal handling or the shutdown.
//
// Why a thread rather than O_NONBLOCK: the non-blocking flag belongs to the open file
// description, which a pipe shares with everyone holding it (our own stderr when the shell
// says 2>&1, the shell, the other commands of a pipeline). Setting it on our stdout would make
// their blocking writes fail with EAGAIN.
//
// A stalled reader: lines queue up to maxQueuedBytes (counting the batch being written);
// beyond it lines are dropped and counted, and once there is room again the note made by
// dropNote(count) goes out in their place, before any later line. A reader that has gone
// (EPIPE) ends all writing; that and the first drop of a run are logged.
class LineWriter {
public:
    using DropNote = std::function<QByteArray(qint64 droppedLines)>;
    static constexpr qsizetype DefaultMaxQueuedBytes = 1024 * 1024;

    LineWriter(int fd, DropNote dropNote, qsizetype maxQueuedBytes = DefaultMaxQueuedBytes);
    // Abandons what is still queued at once: call finish() first to give it a chance.
    ~LineWriter();
    LineWriter(const LineWriter &) = delete;
    LineWriter &operator=(const LineWriter &) = delete;

    // Never waits for the reader. line should end with a newline.
    void write(QByteArray line);
    // Waits at most timeout for every queued line (and a pending note) to be written, then
    // stops the writing thread. Returns false, and logs how many lines are lost, when the
    // reader did not take them in time; the thread is then left blocked in its write and
    // ends with the process.
    bool finish(std::chrono::milliseconds timeout);

    qint64 droppedLines() const; // in all, notes or not

private:
    struct State;
    std::shared_ptr<State> m_state; // shared with the thread, which may outlive this object
    std::thread m_thread;
};

} // namespace jobmonitor
