#pragma once

#include "outputbuffer.h"

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <memory>

namespace jobmonitor {

// An attempt's saved output, read in the order it arrived: DIR/stdout and DIR/stderr hold the
// bytes exactly as the command wrote them, DIR/index the order (the format is described with
// OutputSaver in core/shim/main.cpp). A directory without an index (a backend that writes only
// the two files) reads as all of stdout, then all of stderr. No directory: the attempt has
// printed nothing (yet); the shim makes it with the first byte.
//
// Reading is incremental: each read() returns what arrived since the last one, so the same
// reader follows a running attempt and reads a finished one.
class AttemptOutputReader {
public:
    struct Chunk {
        OutputChannel channel = OutputChannel::Stdout;
        QByteArray data;
        qint64 timeMs = 0; // when the run holding these bytes began to arrive (epoch ms), or 0
    };

    explicit AttemptOutputReader(QString directory);

    // False (see error()) when the directory lacks a file or holds a foreign index.
    bool open();
    // Why open() failed, or what read() found missing (a file shorter than its index says).
    QString error() const { return m_error; }
    QString directory() const { return m_directory; }

    // What arrived since the last call, in arrival order, about maxBytes at most.
    QList<Chunk> read(qint64 maxBytes);
    qint64 size(OutputChannel channel) const;

    // Where the next read() starts: a reader opened on the same directory and moved there
    // with seek() reads on exactly as this one would (a page of a long output read on its own).
    struct Position {
        qint64 run = 0; // of the index, counted from its first record
        qint64 offset[2] = {0, 0};
    };
    Position position() const;
    // On an open reader.
    void seek(const Position &position);

private:
    struct Run {
        OutputChannel channel;
        qint64 start;
        qint64 timeMs;
    };
    QString filePath(const char *name) const;
    // Takes in at most a batch of the index's records; false when it has no more now.
    bool readIndex();
    qint64 endOf(qsizetype run, bool *complete);

    QString m_directory;
    QString m_error;
    QFile m_files[2];
    QFile m_index;
    bool m_hasIndex = false;
    bool m_absent = false; // no directory: nothing so far
    QByteArray m_indexPending;
    // The runs from the one numbered m_firstRun on: those already read are let go, so a long
    // index costs no more memory than a batch of it.
    QList<Run> m_runs;
    qint64 m_firstRun = 0;
    qsizetype m_current = 0;
    qint64 m_position[2] = {0, 0};
};

// Follows a running attempt's output files: polls them while it runs and hands every new chunk
// on, in arrival order; finish() reads the rest once the attempt has ended.
class AttemptOutputFollower : public QObject {
    Q_OBJECT
public:
    AttemptOutputFollower(QString directory, std::chrono::milliseconds interval,
                          QObject *parent = nullptr);

    // One poll hands on at most this much, so a flooding job never holds up the event loop
    // for long. A poll that took all of it has fallen behind: the next one comes as soon as
    // the event loop has handled what waits, so the tail keeps pace with the job instead of
    // catching up when it ends.
    static constexpr qint64 PollBytes = 2 * 1024 * 1024;

    // Reads what is new now, then polls until stop() or finish().
    void start();
    void stop();
    // Reads from the beginning again (a viewer reloading the tail).
    void restart();
    // Reads everything that is left (the attempt has ended) and stops polling.
    void finish();

Q_SIGNALS:
    // timeMs: when the run holding data began to arrive (ms since the epoch), 0 if unknown.
    void output(jobmonitor::OutputChannel channel, const QByteArray &data, qint64 timeMs);

private:
    qint64 poll(qint64 maxBytes); // the bytes handed on
    void follow();                // polls, and arms the timer for the next poll

    const QString m_directory;
    const std::chrono::milliseconds m_interval;
    std::unique_ptr<AttemptOutputReader> m_reader;
    QTimer m_timer;
    bool m_open = false;
};

} // namespace jobmonitor
