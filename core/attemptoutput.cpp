#include "attemptoutput.h"

#include <QDir>
#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jobmonitor {

namespace {

constexpr qsizetype HeaderSize = 16;
constexpr qsizetype RecordSize = 16;
constexpr char Magic[] = "JMINDEX1";
// Index records taken in at a time, and how many read runs may pile up before they go.
constexpr qint64 IndexBatch = 4096;

int indexOf(OutputChannel channel) {
    return channel == OutputChannel::Stdout ? 0 : 1;
}

// Opens path for reading into file; a symbolic link is not followed: the output lives in a
// private directory, and a link planted there must not make us show another file. Returns 0
// or errno.
int openWithoutFollowing(QFile &file, const QString &path) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno;
    if (!file.open(fd, QIODevice::ReadOnly | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return EIO;
    }
    return 0;
}

QString describeOpenError(const QString &path, int error) {
    if (error == ELOOP)
        return QStringLiteral("%1 is a symbolic link: not followed").arg(path);
    return QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(strerror(error)));
}

} // namespace

AttemptOutputReader::AttemptOutputReader(QString directory)
    : m_directory(std::move(directory)) {}

QString AttemptOutputReader::filePath(const char *name) const {
    return QDir(m_directory).filePath(QLatin1String(name));
}

bool AttemptOutputReader::open() {
    for (QFile &file : m_files)
        file.close();
    m_index.close();
    m_error.clear();
    struct stat status {};
    m_absent = ::lstat(QFile::encodeName(m_directory).constData(), &status) != 0 && errno == ENOENT;
    if (m_absent)
        return true;
    for (int ch = 0; ch < 2; ++ch) {
        const QString path = filePath(ch == 0 ? "stdout" : "stderr");
        if (const int error = openWithoutFollowing(m_files[ch], path)) {
            m_error = describeOpenError(path, error);
            return false;
        }
    }
    const int indexError = openWithoutFollowing(m_index, filePath("index"));
    m_hasIndex = indexError == 0;
    if (indexError == ENOENT) {
        m_runs = {{OutputChannel::Stdout, 0, 0}, {OutputChannel::Stderr, 0, 0}};
        return true;
    }
    if (indexError != 0) {
        m_error = describeOpenError(filePath("index"), indexError);
        return false;
    }
    const QByteArray header = m_index.read(HeaderSize);
    if (header.size() < HeaderSize || std::memcmp(header.constData(), Magic, 8) != 0) {
        m_error = QStringLiteral("%1 is not an output index of Job Monitor").arg(filePath("index"));
        return false;
    }
    return true;
}

bool AttemptOutputReader::readIndex() {
    if (!m_hasIndex)
        return false;
    const qint64 want = IndexBatch * RecordSize - m_indexPending.size();
    m_indexPending += m_index.read(want);
    const qsizetype records = m_indexPending.size() / RecordSize;
    for (qsizetype i = 0; i < records; ++i) {
        const uchar *record =
            reinterpret_cast<const uchar *>(m_indexPending.constData()) + i * RecordSize;
        const quint64 word = qFromLittleEndian<quint64>(record);
        const qint64 time = qFromLittleEndian<qint64>(record + 8);
        m_runs.append({word >> 63 ? OutputChannel::Stderr : OutputChannel::Stdout,
                       qint64(word & ~(quint64(1) << 63)), time});
    }
    m_indexPending.remove(0, records * RecordSize);
    return records > 0;
}

AttemptOutputReader::Position AttemptOutputReader::position() const {
    return {m_firstRun + m_current, {m_position[0], m_position[1]}};
}

void AttemptOutputReader::seek(const Position &position) {
    m_position[0] = position.offset[0];
    m_position[1] = position.offset[1];
    if (!m_hasIndex) {
        m_current = qsizetype(position.run);
        return;
    }
    m_runs.clear();
    m_indexPending.clear();
    m_firstRun = position.run;
    m_current = 0;
    m_index.seek(HeaderSize + position.run * RecordSize);
}

qint64 AttemptOutputReader::size(OutputChannel channel) const {
    return m_files[indexOf(channel)].size();
}

// A run ends where the next run of its channel starts (it is complete then), or at the end of
// its file.
qint64 AttemptOutputReader::endOf(qsizetype run, bool *complete) {
    const OutputChannel channel = m_runs[run].channel;
    qsizetype next = run + 1;
    do {
        for (; next < m_runs.size(); ++next)
            if (m_runs[next].channel == channel) {
                *complete = true;
                return m_runs[next].start;
            }
    } while (readIndex());
    *complete = false;
    return size(channel);
}

QList<AttemptOutputReader::Chunk> AttemptOutputReader::read(qint64 maxBytes) {
    QList<Chunk> chunks;
    if (m_absent && (!open() || m_absent)) {
        // Not made yet, or still being made (its files come one by one): the next read looks
        // again.
        m_absent = true;
        return chunks;
    }
    if (m_current + 1 >= m_runs.size())
        readIndex();
    if (m_current > IndexBatch) {
        m_runs.remove(0, m_current);
        m_firstRun += m_current;
        m_current = 0;
    }
    qint64 budget = maxBytes;
    while (m_current < m_runs.size() && budget > 0) {
        const Run run = m_runs[m_current]; // a copy: endOf() may read more of the index
        const int ch = indexOf(run.channel);
        bool complete = false;
        const qint64 end = endOf(m_current, &complete);
        m_position[ch] = std::max(m_position[ch], run.start);
        if (m_position[ch] < end) {
            QFile &file = m_files[ch];
            const qint64 want = std::min(end - m_position[ch], budget);
            if (!file.seek(m_position[ch]))
                break;
            const QByteArray data = file.read(want);
            if (data.isEmpty() && complete) {
                // The shim writes a run's bytes before the next record of its channel: the
                // file was cut short afterwards. The rest is still worth reading.
                m_error = QStringLiteral("%1 is shorter than its index says: bytes %2 to %3 are "
                                         "missing")
                              .arg(filePath(ch == 0 ? "stdout" : "stderr"))
                              .arg(m_position[ch])
                              .arg(end);
                m_position[ch] = end;
                continue;
            }
            if (data.isEmpty())
                break;
            m_position[ch] += data.size();
            budget -= data.size();
            if (!chunks.isEmpty() && chunks.last().channel == run.channel &&
                chunks.last().timeMs == run.timeMs)
                chunks.last().data += data;
            else
                chunks.append({run.channel, data, run.timeMs});
            continue;
        }
        // The last run may still grow; an earlier one is complete.
        if (m_current + 1 >= m_runs.size() && !readIndex())
            break;
        ++m_current;
    }
    return chunks;
}

AttemptOutputFollower::AttemptOutputFollower(QString directory, std::chrono::milliseconds interval,
                                             QObject *parent)
    : QObject(parent)
    , m_directory(std::move(directory))
    , m_interval(interval)
    , m_reader(std::make_unique<AttemptOutputReader>(m_directory)) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &AttemptOutputFollower::follow);
}

void AttemptOutputFollower::start() {
    follow();
}

void AttemptOutputFollower::stop() {
    m_timer.stop();
}

void AttemptOutputFollower::restart() {
    m_reader = std::make_unique<AttemptOutputReader>(m_directory);
    m_open = false;
    if (m_timer.isActive())
        follow();
    else
        poll(PollBytes);
}

void AttemptOutputFollower::follow() {
    using namespace std::chrono_literals;
    m_timer.start(poll(PollBytes) >= PollBytes ? 0ms : m_interval);
}

void AttemptOutputFollower::finish() {
    m_timer.stop();
    // In pieces: a follower that fell behind a flooding job may have a gigabyte left to read,
    // and one chunk of it would cost as much memory.
    while (poll(PollBytes) > 0) {
    }
}

qint64 AttemptOutputFollower::poll(qint64 maxBytes) {
    // Until the shim has made the files (with the first output) there is nothing to read.
    if (!m_open && !(m_open = m_reader->open()))
        return 0;
    qint64 bytes = 0;
    for (const AttemptOutputReader::Chunk &chunk : m_reader->read(maxBytes)) {
        bytes += chunk.data.size();
        Q_EMIT output(chunk.channel, chunk.data, chunk.timeMs);
    }
    return bytes;
}

} // namespace jobmonitor
