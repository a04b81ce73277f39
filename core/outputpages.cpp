#include "outputpages.h"

#include <algorithm>

namespace jobmonitor {

namespace {

// A buffer that keeps nothing: the index only needs where the splitting stands, and keeping
// no line lets OutputBuffer count whole chunks of lines without decoding them.
OutputBuffer::Limits countingLimits(qsizetype maxLineBytes) {
    return {1, 0, maxLineBytes};
}

// A buffer that keeps every line one read completes, until they are taken.
OutputBuffer::Limits pageLimits(const OutputPageIndex::Limits &limits) {
    return {int(limits.readBytes) + 3, qsizetype(4 * (limits.readBytes + limits.maxLineBytes)),
            limits.maxLineBytes};
}

} // namespace

OutputPageIndex::OutputPageIndex()
    : OutputPageIndex(Limits{}) {}

OutputPageIndex::OutputPageIndex(Limits limits)
    : m_limits(limits)
    , m_lines(std::make_unique<OutputBuffer>(countingLimits(limits.maxLineBytes))) {}

bool OutputPageIndex::setSources(const QList<OutputSource> &sources) {
    const bool extended =
        sources.size() >= m_sources.size() && sources.first(m_sources.size()) == m_sources;
    if (extended && sources.size() > m_sources.size())
        m_complete = false;
    if (!extended) {
        m_checkpoints.clear();
        m_sections.clear();
        m_lines = std::make_unique<OutputBuffer>(countingLimits(m_limits.maxLineBytes));
        m_reader.reset();
        m_readerOpen = false;
        m_source = -1;
        m_bytesSinceCheckpoint = 0;
        m_complete = false;
    }
    m_sources = sources;
    return extended;
}

qint64 OutputPageIndex::scannedRows() const {
    return m_lines->completedLines();
}

void OutputPageIndex::addCheckpoint() {
    m_checkpoints.append({m_source,
                          m_readerOpen ? m_reader->position() : AttemptOutputReader::Position{},
                          m_lines->state()});
    m_bytesSinceCheckpoint = 0;
}

// An attempt's output starts on a line of its own and on a page of its own.
void OutputPageIndex::beginSource(int source) {
    m_source = source;
    m_lines->beginSection(m_sources[source].section);
    m_sections = m_lines->sections();
    m_reader = std::make_unique<AttemptOutputReader>(m_sources[source].directory);
    m_readerOpen = false;
    addCheckpoint();
}

bool OutputPageIndex::scan(bool ended, const std::atomic_bool &cancelled) {
    if (m_sources.isEmpty() || m_complete)
        return true;
    if (m_source < 0)
        beginSource(0);
    while (!cancelled) {
        const OutputSource &source = m_sources[m_source];
        // The shim creates the files when the attempt starts; until then there is nothing.
        if (!m_readerOpen && !source.directory.isEmpty())
            m_readerOpen = m_reader->open();
        const QList<AttemptOutputReader::Chunk> chunks =
            m_readerOpen ? m_reader->read(m_limits.readBytes) : QList<AttemptOutputReader::Chunk>();
        if (chunks.isEmpty()) {
            if (m_source + 1 < m_sources.size()) {
                beginSource(m_source + 1);
                continue;
            }
            if (ended) {
                m_lines->finish();
                addCheckpoint();
                m_complete = true;
            }
            return true;
        }
        for (const AttemptOutputReader::Chunk &chunk : chunks) {
            m_lines->append(chunk.channel, chunk.data, chunk.timeMs);
            m_bytesSinceCheckpoint += chunk.data.size();
        }
        const qint64 rows = m_lines->completedLines() - m_checkpoints.constLast().row();
        if (rows > 0 &&
            (rows >= m_limits.pageLines || m_bytesSinceCheckpoint >= m_limits.pageBytes))
            addCheckpoint();
    }
    return false;
}

qsizetype OutputPageIndex::pageOfRow(const QList<OutputCheckpoint> &checkpoints, qint64 row) {
    const auto after =
        std::upper_bound(checkpoints.cbegin(), checkpoints.cend(), row,
                         [](qint64 value, const OutputCheckpoint &c) { return value < c.row(); });
    return (after - checkpoints.cbegin()) - 1;
}

qsizetype OutputPageIndex::pageOfLine(const QList<OutputCheckpoint> &checkpoints, qint64 number) {
    // Lines are numbered as they begin: the last checkpoint before this number was given out.
    const auto after = std::upper_bound(
        checkpoints.cbegin(), checkpoints.cend(), number,
        [](qint64 value, const OutputCheckpoint &c) { return value < c.state.nextNumber; });
    qsizetype page = (after - checkpoints.cbegin()) - 1;
    if (page < 0)
        return -1;
    while (page + 1 < checkpoints.size() && checkpoints[page + 1].isOpen(number))
        ++page;
    return page;
}

QList<OutputLine> OutputPageIndex::readPage(const QList<OutputSource> &sources,
                                            const OutputCheckpoint &from, qint64 endRow, bool ended,
                                            Limits limits, const std::atomic_bool &cancelled) {
    QList<OutputLine> page;
    if (from.source < 0 || from.source >= sources.size())
        return page;
    OutputBuffer lines(pageLimits(limits));
    lines.restore(from.state);
    const QString &directory = sources[from.source].directory;
    AttemptOutputReader reader(directory);
    const bool open = !directory.isEmpty() && reader.open();
    if (open)
        reader.seek(from.position);
    const bool attemptEnded = ended || from.source + 1 < sources.size();
    qint64 seen = from.row();
    auto take = [&] {
        const qint64 completed = lines.completedLines();
        const QList<OutputLine> fresh = lines.linesAfter(seen);
        for (qint64 i = 0; i < completed - seen && seen + i < endRow; ++i)
            page.append(fresh[qsizetype(i)]);
        seen = completed;
    };
    while (seen < endRow && !cancelled) {
        const QList<AttemptOutputReader::Chunk> chunks =
            open ? reader.read(limits.readBytes) : QList<AttemptOutputReader::Chunk>();
        if (chunks.isEmpty()) {
            if (attemptEnded) {
                lines.finish();
                take();
            }
            break;
        }
        for (const AttemptOutputReader::Chunk &chunk : chunks)
            lines.append(chunk.channel, chunk.data, chunk.timeMs);
        take();
    }
    return page;
}

std::unique_ptr<OutputBuffer> OutputPageIndex::readTail(OutputBuffer::Limits tailLimits,
                                                        const std::atomic_bool &cancelled) const {
    auto tail = std::make_unique<OutputBuffer>(tailLimits);
    if (m_checkpoints.isEmpty())
        return tail;
    // From far enough back that the lines before it would have left the tail anyway: what
    // the tail keeps depends only on the lines that came last.
    const qsizetype start =
        std::max<qsizetype>(0, pageOfRow(m_checkpoints, scannedRows() - tailLimits.maxLines - 2));
    const OutputCheckpoint &from = m_checkpoints[start];
    tail->restore(from.state, m_sections.first(from.source + 1));
    for (int source = from.source; source < m_sources.size(); ++source) {
        if (source > from.source)
            tail->beginSection(m_sources[source].section);
        AttemptOutputReader reader(m_sources[source].directory);
        if (m_sources[source].directory.isEmpty() || !reader.open())
            continue;
        if (source == from.source)
            reader.seek(from.position);
        for (QList<AttemptOutputReader::Chunk> chunks = reader.read(4 * 1024 * 1024);
             !chunks.isEmpty(); chunks = reader.read(4 * 1024 * 1024)) {
            if (cancelled)
                return nullptr;
            for (const AttemptOutputReader::Chunk &chunk : std::as_const(chunks))
                tail->append(chunk.channel, chunk.data, chunk.timeMs);
        }
    }
    tail->finish();
    return tail;
}

} // namespace jobmonitor
