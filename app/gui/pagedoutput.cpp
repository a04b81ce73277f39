#include "pagedoutput.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

#include <algorithm>

namespace jobmonitor {

namespace {

// A running job's files are read again this long after a scan found nothing new.
constexpr int RescanMs = 250;
// Pages asked for and not read yet: the view asks for the rows it shows, so the latest few
// are all that is worth reading. (A row whose request is dropped shows as not loaded until
// the view asks again.)
constexpr qsizetype MaxWanted = 16;

bool anySaved(const QList<OutputSource> &sources) {
    return std::any_of(sources.cbegin(), sources.cend(),
                       [](const OutputSource &source) { return !source.directory.isEmpty(); });
}

// The numbers of the lines open at a checkpoint, lowest first: they complete before any line
// that begins after it (on their channel), so they are the page's first rows.
QList<qint64> openNumbers(const OutputCheckpoint &checkpoint) {
    QList<qint64> numbers;
    for (const OutputBuffer::State::Open &open : checkpoint.state.open)
        if (open.number != 0)
            numbers.append(open.number);
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

} // namespace

PagedOutput::PagedOutput(OutputPageIndex::Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_index(std::make_shared<OutputPageIndex>(limits))
    , m_cancelled(std::make_shared<std::atomic_bool>(false)) {
    m_rescan.setSingleShot(true);
    m_rescan.setInterval(RescanMs);
    connect(&m_rescan, &QTimer::timeout, this, &PagedOutput::pump);
}

PagedOutput::~PagedOutput() {
    *m_cancelled = true;
}

void PagedOutput::setSources(const QList<OutputSource> &sources, bool ended) {
    if (sources == m_sources && ended == m_ended)
        return;
    const bool extended =
        sources.size() >= m_sources.size() && sources.first(m_sources.size()) == m_sources;
    if (!extended) {
        reset(sources, ended);
        return;
    }
    if (sources.size() > m_sources.size() || ended != m_ended)
        m_complete = false;
    m_sources = sources;
    m_ended = ended;
    if (m_scanning)
        m_sourcesPending = true;
    else
        m_index->setSources(sources);
    setAvailable(anySaved(sources));
    pump();
}

void PagedOutput::reset(const QList<OutputSource> &sources, bool ended) {
    *m_cancelled = true;
    m_cancelled = std::make_shared<std::atomic_bool>(false);
    ++m_generation;
    m_index = std::make_shared<OutputPageIndex>(m_limits);
    m_index->setSources(sources);
    m_sources = sources;
    m_ended = ended;
    m_checkpoints.clear();
    m_indexedRows = 0;
    m_complete = false;
    m_scanning = false;
    m_sourcesPending = false;
    m_lastScanIdle = false;
    m_rescan.stop();
    m_pages.clear();
    m_reading.clear();
    m_wanted.clear();
    m_revealed.clear();
    setAvailable(anySaved(sources));
}

void PagedOutput::adopt(std::unique_ptr<OutputPageIndex> index) {
    const QList<OutputSource> sources = index->sources();
    reset({}, true);
    m_index = std::shared_ptr<OutputPageIndex>(index.release());
    m_sources = sources;
    m_checkpoints = m_index->checkpoints();
    m_indexedRows = m_index->scannedRows();
    m_complete = m_index->isComplete();
    setAvailable(anySaved(sources));
}

void PagedOutput::setAvailable(bool available) {
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

const PagedOutput::Line *PagedOutput::residentLine(qint64 row) const {
    const qsizetype page = OutputPageIndex::pageOfRow(m_checkpoints, row);
    const auto it = m_pages.constFind(page);
    if (page < 0 || it == m_pages.cend())
        return nullptr;
    const qint64 at = row - it->firstRow;
    return at >= 0 && at < it->lines.size() ? &it->lines[qsizetype(at)] : nullptr;
}

QStringList PagedOutput::residentTexts(qint64 first, qint64 last) const {
    QStringList texts;
    // The map is in page order, which is row order.
    for (const Page &page : m_pages) {
        const qint64 from = std::max(first, page.firstRow) - page.firstRow;
        const qint64 to = std::min(last, page.firstRow + page.lines.size() - 1) - page.firstRow;
        for (qint64 at = from; at <= to; ++at)
            texts.append(page.lines[qsizetype(at)].text);
    }
    return texts;
}

const PagedOutput::Line *PagedOutput::line(qint64 row) {
    if (const Line *line = residentLine(row)) {
        m_pages[OutputPageIndex::pageOfRow(m_checkpoints, row)].used = ++m_clock;
        return line;
    }
    want(row);
    return nullptr;
}

qint64 PagedOutput::rowOfLine(qint64 number, bool *exact) const {
    if (exact)
        *exact = false;
    const qsizetype page = OutputPageIndex::pageOfLine(m_checkpoints, number);
    if (page < 0)
        return -1;
    const auto it = m_pages.constFind(page);
    if (it != m_pages.cend()) {
        for (qsizetype i = 0; i < it->lines.size(); ++i)
            if (it->lines[i].line.number == number) {
                if (exact)
                    *exact = true;
                return it->firstRow + i;
            }
    }
    // Where it would be if the lines completed in the order they began.
    const OutputCheckpoint &from = m_checkpoints[page];
    const QList<qint64> open = openNumbers(from);
    qint64 row = from.row() + std::max<qint64>(0, number - from.state.nextNumber);
    row += std::count_if(open.cbegin(), open.cend(), [number](qint64 n) { return n < number; });
    const qint64 end =
        page + 1 < m_checkpoints.size() ? m_checkpoints[page + 1].row() : m_indexedRows;
    return std::clamp(row, from.row(), std::max(from.row(), end - 1));
}

qint64 PagedOutput::estimatedNumber(qint64 row) const {
    const qsizetype page = OutputPageIndex::pageOfRow(m_checkpoints, row);
    if (page < 0)
        return row + 1;
    const OutputCheckpoint &from = m_checkpoints[page];
    const QList<qint64> open = openNumbers(from);
    const qint64 at = row - from.row();
    return at < open.size() ? open[qsizetype(at)] : from.state.nextNumber + at - open.size();
}

void PagedOutput::reveal(qint64 number) {
    if (!m_revealed.contains(number))
        m_revealed.append(number);
    revealPending();
}

// Emits lineReady() for the lines asked for that are in memory, and asks for the pages of
// the others (or for the index to go on, when it does not reach them yet).
void PagedOutput::revealPending() {
    QList<qint64> pending;
    for (const qint64 number : std::as_const(m_revealed)) {
        bool exact = false;
        rowOfLine(number, &exact);
        if (exact) {
            Q_EMIT lineReady(number);
            continue;
        }
        const qsizetype page = OutputPageIndex::pageOfLine(m_checkpoints, number);
        const bool last = page < 0 || page + 1 >= m_checkpoints.size();
        if (last && m_complete)
            continue; // no such line
        pending.append(number);
        if (page >= 0)
            want(m_checkpoints[page].row());
        if (last)
            want(m_indexedRows);
    }
    m_revealed = pending;
}

qint64 PagedOutput::residentBytes() const {
    qint64 bytes = 0;
    for (const Page &page : m_pages)
        bytes += page.bytes;
    return bytes;
}

void PagedOutput::want(qint64 row) {
    if (row < 0)
        return;
    // One row for each page read whole: the page brings them all. (The last page may end
    // before a row: its rows count one by one.)
    const qsizetype page = OutputPageIndex::pageOfRow(m_checkpoints, row);
    if (page >= 0 && page + 1 < m_checkpoints.size())
        m_wanted.removeIf([&](qint64 wanted) {
            return OutputPageIndex::pageOfRow(m_checkpoints, wanted) == page;
        });
    else
        m_wanted.removeOne(row);
    m_wanted.prepend(row);
    if (m_wanted.size() > MaxWanted)
        m_wanted.resize(MaxWanted);
    pump();
}

// Starts what the rows asked for need: the pages that hold them, or a scan when the index
// does not reach them yet.
void PagedOutput::pump() {
    QList<qint64> waiting;
    bool needScan = false;
    for (const qint64 row : std::as_const(m_wanted)) {
        if (residentLine(row))
            continue;
        const qsizetype page = OutputPageIndex::pageOfRow(m_checkpoints, row);
        const bool last = page < 0 || page + 1 >= m_checkpoints.size();
        if (last && m_complete)
            continue; // past the end
        if (page < 0 || (last && row >= m_indexedRows)) {
            needScan = true;
            waiting.append(row);
            continue;
        }
        waiting.append(row);
        if (!m_reading.contains(page) && m_reading.size() < MaxReading)
            startReading(page, last ? m_indexedRows : m_checkpoints[page + 1].row(), last);
    }
    m_wanted = waiting;
    if (needScan && !m_scanning && !m_complete) {
        // A running job's files may not hold the rows yet: look again a little later.
        if (!m_lastScanIdle)
            startScan();
        else if (!m_rescan.isActive())
            m_rescan.start();
    }
}

void PagedOutput::startScan() {
    m_scanning = true;
    m_rescan.stop();
    QThreadPool::globalInstance()->start([index = m_index, ended = m_ended, cancelled = m_cancelled,
                                          guard = QPointer<PagedOutput>(this),
                                          generation = m_generation, known = m_checkpoints.size()] {
        if (!index->scan(ended, *cancelled))
            return;
        const QList<OutputCheckpoint> added = index->checkpoints().sliced(known);
        const qint64 rows = index->scannedRows();
        const bool complete = index->isComplete();
        QMetaObject::invokeMethod(QCoreApplication::instance(),
                                  [guard, generation, added, rows, complete] {
                                      if (guard)
                                          guard->scanned(generation, added, rows, complete);
                                  });
    });
}

void PagedOutput::scanned(quint64 generation, const QList<OutputCheckpoint> &added, qint64 rows,
                          bool complete) {
    if (generation != m_generation)
        return;
    m_scanning = false;
    m_lastScanIdle = added.isEmpty() && rows == m_indexedRows;
    m_checkpoints.append(added);
    m_indexedRows = rows;
    m_complete = complete;
    if (m_sourcesPending) {
        m_sourcesPending = false;
        m_index->setSources(m_sources);
        m_complete = false;
        m_lastScanIdle = false;
    }
    // A page read from the last checkpoint may end early: read it again when the index went
    // on past it.
    if (!m_lastScanIdle) {
        for (auto it = m_pages.begin(); it != m_pages.end();)
            it = it->open ? m_pages.erase(it) : std::next(it);
    }
    revealPending();
    pump();
}

void PagedOutput::startReading(qsizetype page, qint64 endRow, bool open) {
    m_reading.append(page);
    QThreadPool::globalInstance()->start(
        [sources = m_sources, from = m_checkpoints[page], endRow, ended = m_ended,
         limits = m_limits, cancelled = m_cancelled, guard = QPointer<PagedOutput>(this),
         generation = m_generation, page, open] {
            const QList<OutputLine> read =
                OutputPageIndex::readPage(sources, from, endRow, ended, limits, *cancelled);
            if (*cancelled)
                return;
            QList<Line> lines;
            lines.reserve(read.size());
            // Colours carry on over lines as in the tail, from the start of the page.
            AnsiStyle styles[2];
            for (const OutputLine &line : read) {
                AnsiStyle &style = styles[line.channel == OutputChannel::Stderr ? 1 : 0];
                const AnsiStyle start = style;
                const AnsiLine parsed = parseAnsi(line.text, style);
                lines.append({line, parsed.text, start, !parsed.runs.isEmpty()});
            }
            QMetaObject::invokeMethod(QCoreApplication::instance(),
                                      [guard, generation, page, first = from.row(), lines, open] {
                                          if (guard)
                                              guard->read(generation, page, first, lines, open);
                                      });
        });
}

void PagedOutput::read(quint64 generation, qsizetype page, qint64 firstRow, QList<Line> lines,
                       bool open) {
    if (generation != m_generation)
        return;
    m_reading.removeOne(page);
    qint64 bytes = 0;
    for (const Line &line : std::as_const(lines))
        bytes += qint64(sizeof(Line)) + 2 * (line.text.size() + line.line.text.size());
    const qint64 rows = lines.size();
    m_pages.insert(page, {firstRow, std::move(lines), bytes, ++m_clock, open});
    evict();
    Q_EMIT pageLoaded(firstRow, rows);
    revealPending();
    pump();
}

void PagedOutput::evict() {
    while (m_pages.size() > MaxResidentPages) {
        const auto oldest =
            std::min_element(m_pages.begin(), m_pages.end(),
                             [](const Page &a, const Page &b) { return a.used < b.used; });
        m_pages.erase(oldest);
    }
}

} // namespace jobmonitor
