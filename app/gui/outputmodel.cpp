#include "outputmodel.h"

#include <algorithm>

namespace jobmonitor {

namespace {
// Output is batched to at most one update per frame; while a job floods (more lines per batch
// than anyone can read) the batches grow to a twenty a second, sparing the window.
constexpr int FrameMs = 16;
constexpr int FloodMs = 50;
constexpr int FloodLinesPerBatch = 8;

// Open lines come last: the number of rows at the end that show partial lines.
int openLines(const QList<OutputLine> &lines) {
    return int(std::count_if(lines.cbegin(), lines.cend(),
                             [](const OutputLine &line) { return !line.complete; }));
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
    reset();
    if (buffer) {
        connect(buffer, &OutputBuffer::changed, this, &OutputModel::scheduleSync);
        connect(buffer, &OutputBuffer::cleared, this, &OutputModel::reset);
    }
}

void OutputModel::scheduleSync() {
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void OutputModel::reset() {
    m_batchTimer.stop();
    beginResetModel();
    m_lines = m_buffer ? m_buffer->lines() : QList<OutputLine>();
    m_completed = m_buffer ? m_buffer->completedLines() : 0;
    m_openRows = openLines(m_lines);
    endResetModel();
    Q_EMIT statsChanged();
}

// Brings the rows in line with the buffer with the smallest set of row signals, fetching only
// the lines completed since the last batch (a flooding job keeps thousands of lines; copying
// them all for every batch would cost the window in proportion to the tail, not the news):
// lines that fell out of the tail leave at the top, the kept complete lines stay untouched,
// and the rows of the open (partial) lines at the end are updated, then the new lines added.
void OutputModel::sync() {
    if (!m_buffer)
        return;
    const qint64 completed = m_buffer->completedLines();
    QList<OutputLine> tail = m_buffer->linesAfter(m_completed);

    // The kept complete rows are the last of the first m_completed lines to arrive; those the
    // buffer no longer keeps leave.
    const int completeRows = int(m_lines.size()) - m_openRows;
    const qint64 firstShown = m_completed - completeRows;
    const int dropped =
        int(std::clamp<qint64>(m_buffer->droppedLines() - firstShown, 0, completeRows));
    if (dropped > 0) {
        beginRemoveRows({}, 0, dropped - 1);
        m_lines.remove(0, dropped);
        endRemoveRows();
    }
    m_batchTimer.setInterval(completed - m_completed > FloodLinesPerBatch ? FloodMs : FrameMs);
    m_completed = completed;

    // Rows from `kept` on were open lines; replace them in place, then add or remove the rest.
    const int kept = completeRows - dropped;
    const int oldRows = int(m_lines.size());
    const int newRows = kept + int(tail.size());
    const int shared = std::min(oldRows, newRows);
    for (int row = kept; row < shared; ++row)
        m_lines[row] = tail[row - kept];
    if (shared > kept)
        Q_EMIT dataChanged(createIndex(kept, 0), createIndex(shared - 1, 0));
    m_openRows = openLines(tail);
    if (newRows > oldRows) {
        beginInsertRows({}, oldRows, newRows - 1);
        m_lines.append(tail.sliced(oldRows - kept));
        endInsertRows();
    } else if (oldRows > newRows) {
        beginRemoveRows({}, newRows, oldRows - 1);
        m_lines.resize(newRows);
        endRemoveRows();
    }
    Q_EMIT statsChanged();
}

int OutputModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant OutputModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OutputLine &line = m_lines[index.row()];
    switch (Role(role)) {
    case TextRole:
        return line.text;
    case StderrRole:
        return line.channel == OutputChannel::Stderr;
    case NumberRole:
        return line.number;
    case CompleteRole:
        return line.complete;
    }
    return {};
}

QHash<int, QByteArray> OutputModel::roleNames() const {
    return {
        {TextRole, "text"},
        {StderrRole, "stderr"},
        {NumberRole, "number"},
        {CompleteRole, "complete"},
    };
}

qint64 OutputModel::droppedLines() const {
    return m_buffer ? m_buffer->droppedLines() : 0;
}

qint64 OutputModel::totalLines() const {
    return m_buffer ? m_buffer->totalLines() : 0;
}

int OutputModel::find(const QString &text, int fromRow, bool backwards) const {
    const int rows = int(m_lines.size());
    if (text.isEmpty() || rows == 0)
        return -1;
    const int step = backwards ? -1 : 1;
    int row = fromRow;
    for (int i = 0; i < rows; ++i) {
        row = ((row + step) % rows + rows) % rows;
        if (m_lines[row].text.contains(text, Qt::CaseInsensitive))
            return row;
    }
    return -1;
}

QString OutputModel::text(int first, int last) const {
    if (m_lines.isEmpty())
        return {};
    const int from = std::clamp(std::min(first, last), 0, int(m_lines.size()) - 1);
    const int to = std::clamp(std::max(first, last), 0, int(m_lines.size()) - 1);
    QStringList parts;
    for (int row = from; row <= to; ++row)
        parts.append(m_lines[row].text);
    return parts.join(QLatin1Char('\n'));
}

} // namespace jobmonitor
