#include "outputmodel.h"

namespace jobmonitor {

namespace {
// Output is batched to at most one update per frame; while a job floods (more lines per batch
// than anyone can read) the batches grow to a twenty a second, sparing the window.
constexpr int FrameMs = 16;
constexpr int FloodMs = 50;
constexpr int FloodLinesPerBatch = 8;
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
    m_batchTimer.stop();
    beginResetModel();
    m_buffer = buffer;
    m_lines = buffer ? buffer->lines() : QList<OutputLine>();
    endResetModel();
    if (buffer)
        connect(buffer, &OutputBuffer::changed, this, &OutputModel::scheduleSync);
    Q_EMIT statsChanged();
}

void OutputModel::scheduleSync() {
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

// Brings the rows in line with the buffer with the smallest set of row signals: lines that
// fell out of the tail leave at the top, the kept complete lines stay untouched, and only the
// few open (partial) lines at the end and the new lines are updated or inserted.
void OutputModel::sync() {
    if (!m_buffer)
        return;
    QList<OutputLine> next = m_buffer->lines();

    // Complete lines keep their order; find where the new tail starts among the old rows.
    int completeRows = 0;
    while (completeRows < m_lines.size() && m_lines[completeRows].complete)
        ++completeRows;
    int dropped = 0;
    if (!next.isEmpty()) {
        while (dropped < completeRows && m_lines[dropped].number != next.first().number)
            ++dropped;
    } else {
        dropped = completeRows;
    }
    const int kept = completeRows - dropped;
    const bool continues =
        kept == 0 ||
        (next.size() >= kept && next[kept - 1].number == m_lines[completeRows - 1].number &&
         next[kept - 1].complete);
    if (!continues) { // the buffer was cleared or replaced
        beginResetModel();
        m_lines = std::move(next);
        endResetModel();
        Q_EMIT statsChanged();
        return;
    }
    if (dropped > 0) {
        beginRemoveRows({}, 0, dropped - 1);
        m_lines.remove(0, dropped);
        endRemoveRows();
    }

    // Rows from `kept` on were open lines; replace them in place, then add or remove the rest.
    const int oldRows = int(m_lines.size());
    const int newRows = int(next.size());
    const int shared = std::min(oldRows, newRows);
    for (int row = kept; row < shared; ++row)
        m_lines[row] = next[row];
    if (shared > kept)
        Q_EMIT dataChanged(createIndex(kept, 0), createIndex(shared - 1, 0));
    m_batchTimer.setInterval(newRows - oldRows + dropped > FloodLinesPerBatch ? FloodMs : FrameMs);
    if (newRows > oldRows) {
        beginInsertRows({}, oldRows, newRows - 1);
        m_lines.append(next.mid(oldRows));
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
