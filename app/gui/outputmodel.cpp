#include "outputmodel.h"

#include "jobformat.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace jobmonitor {

namespace {
// Output is batched to at most one update per frame; while a job floods (more lines per batch
// than anyone can read) the batches grow to a twenty a second, sparing the window.
constexpr int FrameMs = 16;
constexpr int FloodMs = 50;
constexpr int FloodLinesPerBatch = 8;
// A view has at most INT_MAX rows: beyond this many the earliest lines are out of its reach,
// with room left for the tail.
constexpr qint64 MaxPagedRows = std::numeric_limits<int>::max() / 2;

int channelIndex(OutputChannel channel) {
    return channel == OutputChannel::Stderr ? 1 : 0;
}
} // namespace

OutputModel::OutputModel(QObject *parent)
    : QAbstractListModel(parent) {
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(FrameMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &OutputModel::sync);
}

void OutputModel::setBuffer(OutputBuffer *buffer) {
    if (m_buffer == buffer)
        return;
    if (m_buffer)
        m_buffer->disconnect(this);
    m_buffer = buffer;
    m_headers.clear();
    m_sectionsSeen = -1;
    reset();
    if (buffer) {
        connect(buffer, &OutputBuffer::changed, this, &OutputModel::scheduleSync);
        connect(buffer, &OutputBuffer::cleared, this, &OutputModel::reset);
    }
}

void OutputModel::setPages(PagedOutput *pages) {
    if (m_pages == pages)
        return;
    if (m_pages)
        m_pages->disconnect(this);
    m_pages = pages;
    if (pages) {
        // Later: a job shown next changes its pages and then its tail, and one reset (with
        // the tail) is what the view should see.
        connect(pages, &PagedOutput::availableChanged, this, [this] {
            QMetaObject::invokeMethod(
                this,
                [this] {
                    if (m_pages && m_pages->isAvailable() != m_paged)
                        reset();
                },
                Qt::QueuedConnection);
        });
        connect(pages, &PagedOutput::pageLoaded, this, &OutputModel::pageLoaded);
        connect(pages, &PagedOutput::lineReady, this, &OutputModel::lineRevealed);
    }
    reset();
}

void OutputModel::pageLoaded(qint64 firstRow, qint64 rows) {
    const qint64 last = std::min<qint64>(firstRow + rows, m_earlier) - 1;
    if (m_paged && rows > 0 && firstRow <= last)
        Q_EMIT dataChanged(index(int(firstRow)), index(int(last)));
}

void OutputModel::updateHeaders() {
    const QList<OutputSection> sections = m_buffer ? m_buffer->sections() : QList<OutputSection>();
    if (sections.size() == m_sectionsSeen)
        return;
    m_sectionsSeen = sections.size();
    QMap<qint64, QString> headers;
    // One attempt needs no separator.
    if (sections.size() > 1) {
        for (const OutputSection &section : sections) {
            QStringList parts{QStringLiteral("Attempt %1").arg(section.attempt),
                              QStringLiteral("started %1").arg(dateTimeText(section.startedAt))};
            if (!section.traceId.isEmpty())
                parts.append(QStringLiteral("trace %1").arg(section.traceId));
            // Attempts that printed nothing share the first line of the next one.
            QString &header = headers[section.firstLine];
            if (!header.isEmpty())
                header += QLatin1Char('\n');
            header += parts.join(QStringLiteral("  \u00b7  "));
        }
    }
    if (headers == m_headers)
        return;
    m_headers = headers;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {AttemptHeaderRole});
}

void OutputModel::scheduleSync() {
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

QList<OutputModel::Row> OutputModel::makeRows(const QList<OutputLine> &lines) {
    QList<Row> rows;
    rows.reserve(lines.size());
    for (const OutputLine &line : lines) {
        AnsiStyle &channelStyle = m_channelStyle[channelIndex(line.channel)];
        // An open line is shown again, longer, in the next batch: it must not move the
        // channel's style on before it is complete.
        AnsiStyle style = channelStyle;
        Row row{line, {}, style};
        const AnsiLine parsed = parseAnsi(line.text, style);
        row.text = parsed.text;
        row.styled = !parsed.runs.isEmpty();
        row.match = matches(row);
        if (line.complete)
            channelStyle = style;
        rows.append(std::move(row));
    }
    return rows;
}

void OutputModel::reset() {
    m_batchTimer.stop();
    beginResetModel();
    m_channelStyle[0] = m_channelStyle[1] = AnsiStyle();
    m_rows = makeRows(m_buffer ? m_buffer->lines() : QList<OutputLine>());
    m_completed = m_buffer ? m_buffer->completedLines() : 0;
    m_openRows = int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                                   [](const Row &row) { return !row.line.complete; }));
    m_paged = m_pages && m_pages->isAvailable();
    m_earlier =
        m_paged ? int(std::min<qint64>(m_completed - (m_rows.size() - m_openRows), MaxPagedRows))
                : 0;
    m_matches.clear();
    for (const Row &row : std::as_const(m_rows))
        if (row.match)
            m_matches.append(row.line.number);
    endResetModel();
    m_sectionsSeen = -1;
    updateHeaders();
    if (!m_searchText.isEmpty())
        setCurrentMatch(m_matches.isEmpty() ? 0 : m_matches.constFirst());
    Q_EMIT statsChanged();
}

// Brings the rows in line with the buffer with the smallest set of row signals, fetching only
// the lines completed since the last batch (a flooding job keeps thousands of lines; copying
// them all for every batch would cost the window in proportion to the tail, not the news):
// lines that fell out of the tail leave at the top, the kept complete lines stay untouched,
// and the rows of the open (partial) lines at the end are updated, then the new lines added.
// The matches of the search follow: those of the rows that leave are the first ones, those of
// the open rows the last ones.
void OutputModel::sync() {
    if (!m_buffer)
        return;
    updateHeaders();
    const qint64 completed = m_buffer->completedLines();
    const QList<Row> tail = makeRows(m_buffer->linesAfter(m_completed));

    if (m_paged) {
        m_batchTimer.setInterval(completed - m_completed > FloodLinesPerBatch ? FloodMs : FrameMs);
        m_completed = completed;
        syncPaged(tail);
    } else {
        syncTail(tail, completed);
    }
    if (!m_searchText.isEmpty()) {
        if (m_currentMatchLine == 0 && !m_matches.isEmpty())
            setCurrentMatch(m_matches.constFirst());
        else
            Q_EMIT searchChanged(); // the count, or the current match's position, moved
    }
    Q_EMIT statsChanged();
}

// The tail alone: the rows are the kept lines, and those that leave the tail leave the rows.
void OutputModel::syncTail(const QList<Row> &tail, qint64 completed) {
    // The kept complete rows are the last of the first m_completed lines to arrive; those the
    // buffer no longer keeps leave.
    const int completeRows = int(m_rows.size()) - m_openRows;
    const qint64 firstShown = m_completed - completeRows;
    const int dropped =
        int(std::clamp<qint64>(m_buffer->droppedLines() - firstShown, 0, completeRows));
    if (dropped > 0) {
        const auto droppedMatches = std::count_if(m_rows.cbegin(), m_rows.cbegin() + dropped,
                                                  [](const Row &row) { return row.match; });
        m_matches.remove(0, droppedMatches);
        beginRemoveRows({}, 0, dropped - 1);
        m_rows.remove(0, dropped);
        endRemoveRows();
    }
    m_batchTimer.setInterval(completed - m_completed > FloodLinesPerBatch ? FloodMs : FrameMs);
    m_completed = completed;

    // Rows from `kept` on were open lines; replace them in place, then add or remove the rest.
    const int kept = completeRows - dropped;
    const auto openMatches = std::count_if(m_rows.cbegin() + kept, m_rows.cend(),
                                           [](const Row &row) { return row.match; });
    m_matches.resize(m_matches.size() - openMatches);
    for (const Row &row : tail)
        if (row.match)
            m_matches.append(row.line.number);

    const int oldRows = int(m_rows.size());
    const int newRows = kept + int(tail.size());
    const int shared = std::min(oldRows, newRows);
    for (int row = kept; row < shared; ++row)
        m_rows[row] = tail[row - kept];
    if (shared > kept)
        Q_EMIT dataChanged(createIndex(kept, 0), createIndex(shared - 1, 0));
    m_openRows = int(std::count_if(tail.cbegin(), tail.cend(),
                                   [](const Row &row) { return !row.line.complete; }));
    if (newRows > oldRows) {
        beginInsertRows({}, oldRows, newRows - 1);
        m_rows.append(tail.sliced(oldRows - kept));
        endInsertRows();
    } else if (oldRows > newRows) {
        beginRemoveRows({}, newRows, oldRows - 1);
        m_rows.resize(newRows);
        endRemoveRows();
    }
}

// Paged, the rows are the whole output: the complete rows stay as they are (lines that left
// the tail are read from the saved output now, the same lines), and from the first row that
// showed an open line on, the rows are the lines completed since (those that left the tail
// at once included), then the tail's new lines.
void OutputModel::syncPaged(const QList<Row> &tail) {
    const auto matching = [](auto from, auto to) {
        return std::count_if(from, to, [](const Row &row) { return row.match; });
    };
    const int completeRows = int(m_rows.size()) - m_openRows;
    const int stable = m_earlier + completeRows;
    const int oldCount = m_earlier + int(m_rows.size());
    const int earlier = int(std::min<qint64>(m_buffer->droppedLines(), MaxPagedRows));
    const int leaving = std::clamp(earlier - m_earlier, 0, completeRows);
    const auto leavingMatches = matching(m_rows.cbegin(), m_rows.cbegin() + leaving);
    const auto openMatches = matching(m_rows.cbegin() + completeRows, m_rows.cend());
    const int newCount = earlier + (completeRows - leaving) + int(tail.size());
    auto apply = [&] {
        m_matches.remove(0, leavingMatches);
        m_matches.resize(m_matches.size() - openMatches);
        for (const Row &row : tail)
            if (row.match)
                m_matches.append(row.line.number);
        m_rows.resize(completeRows);
        m_rows.remove(0, leaving);
        m_rows.append(tail);
        m_earlier = earlier;
        m_openRows = int(std::count_if(tail.cbegin(), tail.cend(),
                                       [](const Row &row) { return !row.line.complete; }));
    };
    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        apply();
        endInsertRows();
    } else if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        apply();
        endRemoveRows();
    } else {
        apply();
    }
    if (const int shared = std::min(oldCount, newCount); shared > stable)
        Q_EMIT dataChanged(index(stable), index(shared - 1));
}

int OutputModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : m_earlier + int(m_rows.size());
}

QVariant OutputModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() < m_earlier)
        return pagedData(index.row(), role);
    const Row &row = m_rows[index.row() - m_earlier];
    switch (Role(role)) {
    case TextRole:
        return row.text;
    case StderrRole:
        return row.line.channel == OutputChannel::Stderr;
    case NumberRole:
        return row.line.number;
    case CompleteRole:
        return row.line.complete;
    case MarkupRole: {
        if (!row.styled)
            return QString();
        AnsiStyle style = row.startStyle;
        return ansiMarkup(parseAnsi(row.line.text, style), m_darkBackground);
    }
    case RichMarkupRole: {
        if (!row.styled)
            return false;
        AnsiStyle style = row.startStyle;
        return parseAnsi(row.line.text, style).needsRichText();
    }
    case MatchRole:
        return row.match;
    case AttemptHeaderRole:
        return m_headers.isEmpty() ? QString() : m_headers.value(row.line.number);
    case TimeRole:
        return row.line.timeMs > 0 ? QDateTime::fromMSecsSinceEpoch(row.line.timeMs)
                                         .toString(QStringLiteral("HH:mm:ss.zzz"))
                                   : QString();
    case LoadedRole:
        return true;
    case TruncatedRole:
        return double(row.line.droppedBytes);
    }
    return {};
}

QVariant OutputModel::pagedData(int row, int role) const {
    const PagedOutput::Line *line = m_pages ? m_pages->line(row) : nullptr;
    if (!line) {
        switch (Role(role)) {
        case NumberRole:
            return m_pages ? m_pages->estimatedNumber(row) : qint64(row + 1);
        case StderrRole:
        case MatchRole:
        case RichMarkupRole:
        case LoadedRole:
            return false;
        case CompleteRole:
            return true;
        case TruncatedRole:
            return 0.0;
        case TextRole:
        case MarkupRole:
        case AttemptHeaderRole:
        case TimeRole:
            return QString();
        }
        return {};
    }
    switch (Role(role)) {
    case TextRole:
        return line->text;
    case StderrRole:
        return line->line.channel == OutputChannel::Stderr;
    case NumberRole:
        return line->line.number;
    case CompleteRole:
    case LoadedRole:
        return true;
    case MarkupRole: {
        if (!line->styled)
            return QString();
        AnsiStyle style = line->startStyle;
        return ansiMarkup(parseAnsi(line->line.text, style), m_darkBackground);
    }
    case RichMarkupRole: {
        if (!line->styled)
            return false;
        AnsiStyle style = line->startStyle;
        return parseAnsi(line->line.text, style).needsRichText();
    }
    case MatchRole:
        return !m_searchText.isEmpty() && line->text.contains(m_searchText, Qt::CaseInsensitive);
    case AttemptHeaderRole:
        return m_headers.isEmpty() ? QString() : m_headers.value(line->line.number);
    case TimeRole:
        return line->line.timeMs > 0 ? QDateTime::fromMSecsSinceEpoch(line->line.timeMs)
                                           .toString(QStringLiteral("HH:mm:ss.zzz"))
                                     : QString();
    case TruncatedRole:
        return double(line->line.droppedBytes);
    }
    return {};
}

QHash<int, QByteArray> OutputModel::roleNames() const {
    return {
        {TextRole, "text"},           {StderrRole, "stderr"},
        {NumberRole, "number"},       {CompleteRole, "complete"},
        {MarkupRole, "markup"},       {RichMarkupRole, "richMarkup"},
        {MatchRole, "match"},         {AttemptHeaderRole, "attemptHeader"},
        {TimeRole, "time"},           {LoadedRole, "loaded"},
        {TruncatedRole, "truncated"},
    };
}

qint64 OutputModel::droppedLines() const {
    return m_buffer ? m_buffer->droppedLines() : 0;
}

qint64 OutputModel::totalLines() const {
    return m_buffer ? m_buffer->totalLines() : 0;
}

void OutputModel::setDarkBackground(bool dark) {
    if (dark == m_darkBackground)
        return;
    m_darkBackground = dark;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {MarkupRole});
    Q_EMIT darkBackgroundChanged();
}

bool OutputModel::matches(const Row &row) const {
    return !m_searchText.isEmpty() && row.text.contains(m_searchText, Qt::CaseInsensitive);
}

int OutputModel::matchIndex(qint64 line) const {
    return line > 0 ? int(m_matches.indexOf(line)) : -1;
}

int OutputModel::currentMatch() const {
    return matchIndex(m_currentMatchLine) + 1;
}

void OutputModel::setCurrentMatch(qint64 line) {
    m_currentMatchLine = line;
    Q_EMIT searchChanged();
}

void OutputModel::search(const QString &text, qint64 nearLine) {
    const bool changed = text != m_searchText;
    m_searchText = text;
    if (changed) {
        m_matches.clear();
        for (Row &row : m_rows) {
            row.match = matches(row);
            if (row.match)
                m_matches.append(row.line.number);
        }
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0), index(rowCount() - 1), {MatchRole});
    }
    if (m_matches.isEmpty()) {
        setCurrentMatch(0);
        return;
    }
    // The first match from the line asked for on, else the first of all.
    const int from = std::max(0, tailRowOfLine(nearLine));
    for (int row = from; row < m_rows.size(); ++row) {
        if (m_rows[row].match) {
            setCurrentMatch(m_rows[row].line.number);
            return;
        }
    }
    setCurrentMatch(m_matches.constFirst());
}

bool OutputModel::nextMatch() {
    if (m_matches.isEmpty())
        return false;
    const int at = matchIndex(m_currentMatchLine);
    // A current match that dropped out of the tail was before every kept one.
    setCurrentMatch(m_matches[at < 0 ? 0 : (at + 1) % m_matches.size()]);
    return true;
}

bool OutputModel::previousMatch() {
    if (m_matches.isEmpty())
        return false;
    const int at = matchIndex(m_currentMatchLine);
    const int count = int(m_matches.size());
    setCurrentMatch(m_matches[at < 0 ? count - 1 : (at + count - 1) % count]);
    return true;
}

int OutputModel::rowOfLine(qint64 number) const {
    if (const int row = tailRowOfLine(number); row >= 0)
        return m_earlier + row;
    if (!m_paged || !m_pages || number <= 0)
        return -1;
    const qint64 row = m_pages->rowOfLine(number);
    return row >= 0 && row < m_earlier ? int(row) : -1;
}

bool OutputModel::isLineLoaded(qint64 number) const {
    if (tailRowOfLine(number) >= 0)
        return true;
    bool exact = false;
    if (m_paged && m_pages)
        m_pages->rowOfLine(number, &exact);
    return exact;
}

void OutputModel::revealLine(qint64 number) {
    if (tailRowOfLine(number) >= 0)
        Q_EMIT lineRevealed(number);
    else if (m_paged && m_pages)
        m_pages->reveal(number);
}

int OutputModel::tailRowOfLine(qint64 number) const {
    const int rows = int(m_rows.size());
    if (rows == 0 || number <= 0)
        return -1;
    // Rows follow the numbers except where lines of the two channels were open at once, so
    // look where the number would be and then around it.
    const int guess =
        int(std::clamp<qint64>(number - m_rows.constFirst().line.number, 0, rows - 1));
    for (int distance = 0; distance < rows; ++distance) {
        const int below = guess + distance;
        const int above = guess - distance;
        if (below < rows && m_rows[below].line.number == number)
            return below;
        if (above >= 0 && m_rows[above].line.number == number)
            return above;
        if (below >= rows && above < 0)
            break;
    }
    return -1;
}

QString OutputModel::linesText(qint64 first, qint64 last) const {
    if (rowCount() == 0)
        return {};
    int from = rowOfLine(first);
    int to = rowOfLine(last);
    if (from > to)
        std::swap(from, to);
    // One end dropped out of the tail: the kept part starts at the top.
    if (from < 0)
        from = 0;
    if (to < 0)
        return {};
    QStringList parts;
    // Only the pages in memory: never read a gigabyte into the clipboard on the way.
    if (from < m_earlier && m_pages)
        parts = m_pages->residentTexts(from, std::min(to, m_earlier - 1));
    for (int row = std::max(from, m_earlier); row <= to; ++row)
        parts.append(m_rows[row - m_earlier].text);
    return parts.join(QLatin1Char('\n'));
}

qint64 OutputModel::firstErrorLine() const {
    for (const Row &row : m_rows)
        if (row.line.channel == OutputChannel::Stderr)
            return row.line.number;
    static const QRegularExpression error(QStringLiteral("\\b(error|fatal)\\b"),
                                          QRegularExpression::CaseInsensitiveOption);
    for (const Row &row : m_rows)
        if (row.text.contains(error))
            return row.line.number;
    return 0;
}

} // namespace jobmonitor
