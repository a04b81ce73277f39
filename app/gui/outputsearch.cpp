#include "outputsearch.h"

#include "ansitext.h"
#include "attemptoutput.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <QThreadPool>

namespace jobmonitor {

namespace {

// Read in small pieces: the splitter below keeps the lines of one piece, so a piece must
// never hold more lines than it keeps.
constexpr qint64 ReadSize = 64 * 1024;
// Matches go to the window in batches, at most this often.
constexpr int BatchIntervalMs = 100;

qint64 savedBytes(const QList<OutputSearchModel::Source> &sources) {
    qint64 total = 0;
    for (const OutputSearchModel::Source &source : sources)
        for (const char *name : {"stdout", "stderr"})
            total += QFileInfo(source.directory + QLatin1Char('/') + QLatin1String(name)).size();
    return total;
}

} // namespace

OutputSearchModel::OutputSearchModel(QObject *parent)
    : QAbstractListModel(parent) {}

OutputSearchModel::~OutputSearchModel() {
    stop();
}

void OutputSearchModel::setSources(const QList<Source> &sources) {
    if (sources == m_sources)
        return;
    clear();
    m_sources = sources;
}

void OutputSearchModel::stop() {
    if (m_cancelled)
        *m_cancelled = true;
    m_cancelled.reset();
    ++m_generation;
    m_running = false;
}

void OutputSearchModel::clear() {
    stop();
    beginResetModel();
    m_matches.clear();
    endResetModel();
    m_text.clear();
    m_finished = false;
    m_truncated = false;
    m_scanned = 0;
    m_total = 0;
    Q_EMIT changed();
}

void OutputSearchModel::start(const QString &text) {
    clear();
    if (text.isEmpty())
        return;
    m_text = text;
    m_running = true;
    m_total = savedBytes(m_sources);
    m_cancelled = std::make_shared<std::atomic_bool>(false);
    Q_EMIT changed();
    // The same splitting into numbered lines as the tail's (OutputBuffer), through every
    // attempt in turn, so that the numbers agree.
    QThreadPool::globalInstance()->start([sources = m_sources, text, cancelled = m_cancelled,
                                          guard = QPointer<OutputSearchModel>(this),
                                          generation = m_generation] {
        OutputBuffer::Limits limits;
        limits.maxLines = int(ReadSize) + 1;
        limits.maxBytes = 4 * ReadSize;
        OutputBuffer lines(limits);
        QList<Match> batch;
        qint64 scanned = 0;
        int found = 0;
        bool truncated = false;
        QElapsedTimer sinceBatch;
        sinceBatch.start();
        auto send = [&](bool done) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(), [guard, generation, batch, scanned, done, truncated] {
                    if (guard)
                        guard->take(generation, batch, scanned, done, truncated);
                });
            batch.clear();
            sinceBatch.restart();
        };
        AnsiStyle styles[2];
        auto look = [&](const QList<OutputLine> &complete, int attempt) {
            for (const OutputLine &line : complete) {
                if (!line.complete)
                    continue;
                AnsiStyle &style = styles[line.channel == OutputChannel::Stderr ? 1 : 0];
                const QString shown = parseAnsi(line.text, style).text;
                if (found < MaxMatches && shown.contains(text, Qt::CaseInsensitive)) {
                    batch.append(
                        {line.number, shown, line.channel == OutputChannel::Stderr, attempt});
                    ++found;
                }
            }
        };
        for (const Source &source : sources) {
            lines.beginSection({source.attempt, {}, {}, 0});
            AttemptOutputReader reader(source.directory);
            if (source.directory.isEmpty() || !reader.open())
                continue;
            qint64 seen = lines.completedLines();
            auto takeNew = [&] {
                const QList<OutputLine> fresh = lines.linesAfter(seen);
                seen = lines.completedLines();
                look(fresh, source.attempt);
            };
            for (QList<AttemptOutputReader::Chunk> chunks = reader.read(ReadSize);
                 !chunks.isEmpty(); chunks = reader.read(ReadSize)) {
                if (*cancelled)
                    return;
                for (const AttemptOutputReader::Chunk &chunk : std::as_const(chunks)) {
                    lines.append(chunk.channel, chunk.data, chunk.timeMs);
                    scanned += chunk.data.size();
                }
                takeNew();
                if (found >= MaxMatches) {
                    truncated = true;
                    break;
                }
                if (sinceBatch.elapsed() >= BatchIntervalMs)
                    send(false);
            }
            lines.finish();
            takeNew();
            if (truncated)
                break;
        }
        send(true);
    });
}

void OutputSearchModel::take(quint64 generation, const QList<Match> &matches, qint64 scanned,
                             bool done, bool truncated) {
    if (generation != m_generation)
        return;
    if (!matches.isEmpty()) {
        const int first = int(m_matches.size());
        beginInsertRows({}, first, first + int(matches.size()) - 1);
        m_matches.append(matches);
        endInsertRows();
    }
    m_scanned = scanned;
    if (done) {
        m_running = false;
        m_finished = true;
        m_truncated = truncated;
        m_cancelled.reset();
    }
    Q_EMIT changed();
}

int OutputSearchModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_matches.size());
}

QVariant OutputSearchModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Match &match = m_matches[index.row()];
    switch (Role(role)) {
    case LineRole:
        return double(match.line);
    case TextRole:
        return match.text;
    case StderrRole:
        return match.stderrLine;
    case AttemptRole:
        return match.attempt;
    }
    return {};
}

QHash<int, QByteArray> OutputSearchModel::roleNames() const {
    return {
        {LineRole, "line"}, {TextRole, "text"}, {StderrRole, "stderr"}, {AttemptRole, "attempt"}};
}

} // namespace jobmonitor
