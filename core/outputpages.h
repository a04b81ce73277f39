#pragma once

#include "attemptoutput.h"
#include "outputbuffer.h"

#include <QList>
#include <QString>

#include <atomic>
#include <memory>

namespace jobmonitor {

// One attempt's saved output as a part of the job's whole output.
struct OutputSource {
    OutputSection section; // its firstLine is found by reading
    QString directory;     // empty: the attempt saved nothing
    bool operator==(const OutputSource &) const = default;
};

// Where a page of a job's whole output starts: the attempt, the place in its files and how
// the splitting into lines stands there. Reading on from it gives exactly the lines a reading
// from the very start gives from there on.
struct OutputCheckpoint {
    int source = 0;
    AttemptOutputReader::Position position;
    OutputBuffer::State state;

    // Rows (complete lines, in the order they completed) before the page.
    qint64 row() const { return state.completedLines; }
    // Whether the line with this number had begun but not ended here.
    bool isOpen(qint64 number) const {
        return state.open[0].number == number || state.open[1].number == number;
    }
};

// The index of a job's whole saved output, every attempt in turn: a checkpoint every
// pageLines lines or pageBytes bytes (whichever comes first, and where each attempt begins),
// so that any page of it can be read again on its own while only the checkpoints stay in
// memory (about a hundred bytes each, plus the open lines). Built by reading the files once,
// on from where the last scan stopped: a running job's files grow.
//
// Rows are the complete lines in the order they completed, numbered from 0: the rows of the
// output view. (Lines are numbered when they begin, so where both channels have a line open
// at once, numbers and rows may disagree by a line or two.)
class OutputPageIndex {
public:
    struct Limits {
        qint64 pageLines = 2000;
        qint64 pageBytes = 256 * 1024;
        // Bytes read at once, so a page is about its limits and never much longer.
        qint64 readBytes = 16 * 1024;
        // As the tail's (OutputBuffer), so a paged line shows what the tail showed.
        qsizetype maxLineBytes = OutputBuffer::Limits{}.maxLineBytes;
    };

    OutputPageIndex();
    explicit OutputPageIndex(Limits limits);

    // The attempts, oldest first. More may be added later (a retry); false when the list
    // changes otherwise (the index then starts over).
    bool setSources(const QList<OutputSource> &sources);
    const QList<OutputSource> &sources() const { return m_sources; }

    // Reads on to the end of the files as they are now. Every attempt but the last has ended,
    // the last one too when ended is true: its open lines are complete then. False when
    // cancelled.
    bool scan(bool ended, const std::atomic_bool &cancelled);

    const QList<OutputCheckpoint> &checkpoints() const { return m_checkpoints; }
    // Rows read so far, and whether that is all (every attempt read to its end).
    qint64 scannedRows() const;
    bool isComplete() const { return m_complete; }
    // The sections of the attempts read so far, with their first lines.
    QList<OutputSection> sections() const { return m_sections; }
    Limits limits() const { return m_limits; }

    // The page (index into checkpoints) holding the row, or -1.
    static qsizetype pageOfRow(const QList<OutputCheckpoint> &checkpoints, qint64 row);
    // The page in which the line with this number completed, or -1: the one in which it
    // began, or a later one when it was still open where that one ended.
    static qsizetype pageOfLine(const QList<OutputCheckpoint> &checkpoints, qint64 number);

    // The lines of rows [from.row(), endRow), read again from the checkpoint: fewer when its
    // attempt ends first (a page never spans attempts) or the files do not hold them yet.
    // An attempt that is not the last (or ended is true) has ended: its open lines complete.
    static QList<OutputLine> readPage(const QList<OutputSource> &sources,
                                      const OutputCheckpoint &from, qint64 endRow, bool ended,
                                      Limits limits, const std::atomic_bool &cancelled);

    // The tail a reading of the whole output would leave in an OutputBuffer with these
    // limits (sections included), read from a checkpoint far enough from the end: for an
    // index that is complete. Null when cancelled.
    std::unique_ptr<OutputBuffer> readTail(OutputBuffer::Limits tailLimits,
                                           const std::atomic_bool &cancelled) const;

private:
    void beginSource(int source);
    void addCheckpoint();

    Limits m_limits;
    QList<OutputSource> m_sources;
    QList<OutputCheckpoint> m_checkpoints;
    QList<OutputSection> m_sections;
    std::unique_ptr<OutputBuffer> m_lines; // the splitting; keeps no lines
    std::unique_ptr<AttemptOutputReader> m_reader;
    bool m_readerOpen = false;
    int m_source = -1;
    qint64 m_bytesSinceCheckpoint = 0;
    bool m_complete = false;
};

} // namespace jobmonitor
