#pragma once

#include "ansitext.h"
#include "outputpages.h"

#include <QMap>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace jobmonitor {

// A job's whole saved output for the output view, a page at a time: the index is built and
// the pages are read on pool threads (the window never waits on the files), and only the
// last MaxResidentPages pages used stay in memory, whatever the size of the output.
//
// Rows are those of OutputPageIndex: complete lines in the order they completed, from 0.
class PagedOutput : public QObject {
    Q_OBJECT
public:
    static constexpr int MaxResidentPages = 6;
    // Pages read at once: the rest wait, the most recently asked for first.
    static constexpr int MaxReading = 2;

    struct Line {
        OutputLine line;
        QString text; // as shown, escape sequences removed
        AnsiStyle startStyle;
        bool styled = false;
    };

    explicit PagedOutput(OutputPageIndex::Limits limits = {}, QObject *parent = nullptr);
    ~PagedOutput() override;

    // The attempts, oldest first; ended: the last one has ended too. Adding attempts keeps
    // what is known; any other change starts over.
    void setSources(const QList<OutputSource> &sources, bool ended);
    // Takes an index already built for these sources, every attempt ended (a stored job's,
    // built while its tail was read).
    void adopt(std::unique_ptr<OutputPageIndex> index);
    // Some attempt saved its output.
    bool isAvailable() const { return m_available; }

    // The line in this row when its page is in memory; else null, and the page is read
    // (pageLoaded() tells when).
    const Line *line(qint64 row);
    // As line(), without reading anything.
    const Line *residentLine(qint64 row) const;
    // The text of the rows from first to last that are in memory, in row order.
    QStringList residentTexts(qint64 first, qint64 last) const;
    // The row of the line with this number: exact when its page is in memory (exact is set
    // then), else estimated from the index; -1 when the index does not reach it yet.
    qint64 rowOfLine(qint64 number, bool *exact = nullptr) const;
    // An estimate of the number of the line in a row whose page is not in memory.
    qint64 estimatedNumber(qint64 row) const;
    // Reads the page that holds the line with this number; lineReady(number) once it is in
    // memory (at once when it is).
    void reveal(qint64 number);

    int residentPages() const { return int(m_pages.size()); }
    // What the pages in memory hold (their text, counted as stored).
    qint64 residentBytes() const;

Q_SIGNALS:
    void availableChanged();
    // Rows [firstRow, firstRow + rows) can be read with line() now.
    void pageLoaded(qint64 firstRow, qint64 rows);
    void lineReady(qint64 number);

private:
    struct Page {
        qint64 firstRow = 0;
        QList<Line> lines;
        qint64 bytes = 0;
        quint64 used = 0;
        bool open = false; // read from the last checkpoint: the index may go on past it
    };
    void reset(const QList<OutputSource> &sources, bool ended);
    void setAvailable(bool available);
    void want(qint64 row);
    void pump();
    void startScan();
    void scanned(quint64 generation, const QList<OutputCheckpoint> &added, qint64 rows,
                 bool complete);
    void startReading(qsizetype page, qint64 endRow, bool open);
    void read(quint64 generation, qsizetype page, qint64 firstRow, QList<Line> lines, bool open);
    void evict();
    void revealPending();

    const OutputPageIndex::Limits m_limits;
    QList<OutputSource> m_sources;
    bool m_ended = false;
    bool m_available = false;
    // Owned by a scan while one runs; the window's copy of its checkpoints is below.
    std::shared_ptr<OutputPageIndex> m_index;
    QList<OutputCheckpoint> m_checkpoints;
    qint64 m_indexedRows = 0;
    bool m_complete = false;
    bool m_scanning = false;
    bool m_sourcesPending = false; // sources added during a scan, for the index after it
    bool m_lastScanIdle = false;   // the last scan found nothing new
    QTimer m_rescan;
    std::shared_ptr<std::atomic_bool> m_cancelled;
    quint64 m_generation = 0;
    quint64 m_clock = 0;

    QMap<qsizetype, Page> m_pages;
    QList<qsizetype> m_reading;
    QList<qint64> m_wanted;   // rows, the latest first
    QList<qint64> m_revealed; // line numbers asked for with reveal()
};

} // namespace jobmonitor
