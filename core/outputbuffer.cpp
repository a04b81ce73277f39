#include "outputbuffer.h"

#include <algorithm>
#include <cstring>

namespace jobmonitor {

namespace {

int indexOf(OutputChannel channel) {
    return channel == OutputChannel::Stdout ? 0 : 1;
}

OutputChannel channelAt(int index) {
    return index == 0 ? OutputChannel::Stdout : OutputChannel::Stderr;
}

bool isContinuationByte(char c) {
    return (uchar(c) & 0xC0) == 0x80;
}

// How many bytes at the end of bytes form a UTF-8 sequence whose lead byte promises more
// bytes than follow it (0 when the tail is complete or not UTF-8 at all).
qsizetype incompleteSequenceLength(const QByteArray &bytes) {
    const qsizetype lookBack = std::min<qsizetype>(3, bytes.size());
    for (qsizetype i = 1; i <= lookBack; ++i) {
        const uchar c = uchar(bytes.at(bytes.size() - i));
        if (isContinuationByte(char(c)))
            continue;
        if (c < 0xC0)
            return 0;
        const qsizetype expected = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        return expected > i ? i : 0;
    }
    return 0;
}

// Newlines are counted sixteen bytes at a time in the compiler's portable vectors (SSE2 on
// x86-64, NEON on arm64): exact, and far faster than a memchr per line when lines are short.
// A chunk of a flood is counted whole, so this is most of what the tail costs.
using Bytes = uchar __attribute__((vector_size(16)));

qsizetype countNewlines(const char *p, const char *end) {
    const Bytes newlines = Bytes{} + '\n';
    qsizetype count = 0;
    while (end - p >= qsizetype(sizeof(Bytes))) {
        Bytes lanes{}; // sixteen byte-wide counters, each counting at most 255
        for (int i = 0; i < 255 && end - p >= qsizetype(sizeof(Bytes)); ++i, p += sizeof(Bytes)) {
            Bytes bytes;
            std::memcpy(&bytes, p, sizeof bytes);
            // A match is all ones in its lane: subtracting it adds one (unsigned, wrapping).
            lanes -= reinterpret_cast<Bytes>(bytes == newlines);
        }
        for (size_t lane = 0; lane < sizeof(Bytes); ++lane)
            count += lanes[lane];
    }
    return count + std::count(p, end, '\n');
}

// The position just past the n-th '\n' of chunk, which holds at least n of them.
qsizetype pastNthNewline(QByteArrayView chunk, qsizetype n) {
    constexpr qsizetype block = 256;
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    for (qsizetype inBlock; end - p > block && (inBlock = countNewlines(p, p + block)) < n;
         p += block)
        n -= inBlock;
    for (; n > 0; ++p)
        n -= *p == '\n';
    return p - chunk.data();
}

} // namespace

OutputBuffer::OutputBuffer(QObject *parent)
    : OutputBuffer(Limits{}, parent) {}

OutputBuffer::OutputBuffer(Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits) {}

void OutputBuffer::append(OutputChannel channel, QByteArrayView chunk, qint64 timeMs) {
    if (timeMs == 0)
        timeMs = QDateTime::currentMSecsSinceEpoch();
    const int ch = indexOf(channel);
    OpenLine &open = m_open[ch];
    m_totalBytes[ch] += chunk.size();

    const char *const data = chunk.data();
    const qsizetype size = chunk.size();
    qsizetype pos = 0;

    // Every '\n' completes one line. When this chunk completes more lines than the tail can
    // hold, the first ones would fall out at once: jump over them, only counting them.
    if (size > m_limits.maxLines) {
        const qsizetype skip = countNewlines(data, data + size) - m_limits.maxLines;
        if (skip > 0) {
            pos = pastNthNewline(chunk, skip);
            m_nextNumber += open.number != 0 ? skip - 1 : skip;
            m_droppedLines += skip;
            open.reset();
        }
    }

    while (pos < size) {
        if (open.afterCarriageReturn) {
            open.afterCarriageReturn = false;
            // A lone '\r': what follows overwrites the line.
            if (data[pos] != '\n' && data[pos] != '\r')
                open.restart();
        }
        if (open.number == 0)
            openLine(ch, timeMs);
        const void *newline = std::memchr(data + pos, '\n', size_t(size - pos));
        const qsizetype end = newline ? static_cast<const char *>(newline) - data : size;
        // '\r's right before the end take nothing away: before a '\n' they end the line
        // ("\r\n"), at the end of the chunk they wait for the next byte.
        qsizetype contentEnd = end;
        while (contentEnd > pos && data[contentEnd - 1] == '\r')
            --contentEnd;
        // Any other '\r' restarts the line: only what follows the last one remains.
        qsizetype start = pos;
        if (const void *cr = memrchr(data + pos, '\r', size_t(contentEnd - pos))) {
            start = static_cast<const char *>(cr) - data + 1;
            open.restart();
        }
        const QByteArrayView segment(data + start, contentEnd - start);
        if (end == size) {
            appendToOpen(open, segment);
            open.afterCarriageReturn = contentEnd < end;
            break;
        }
        completeLine(ch, segment);
        pos = end + 1;
    }
    Q_EMIT changed();
}

void OutputBuffer::finish() {
    for (const int ch : openLinesInOrder()) {
        if (ch >= 0)
            completeLine(ch, {});
    }
    Q_EMIT changed();
}

void OutputBuffer::beginSection(OutputSection section) {
    for (const int ch : openLinesInOrder()) {
        if (ch >= 0)
            completeLine(ch, {});
    }
    section.firstLine = m_nextNumber;
    m_sections.append(std::move(section));
    Q_EMIT changed();
}

void OutputBuffer::clear() {
    m_lines.clear();
    m_sections.clear();
    m_keptBytes = 0;
    m_open[0].reset();
    m_open[1].reset();
    m_totalBytes[0] = m_totalBytes[1] = 0;
    m_nextNumber = 1;
    m_droppedLines = 0;
    Q_EMIT cleared();
    Q_EMIT changed();
}

OutputBuffer::State OutputBuffer::state() const {
    State state;
    for (int ch = 0; ch < 2; ++ch) {
        const OpenLine &open = m_open[ch];
        state.open[ch] = {open.bytes, open.droppedBytes, open.number, open.timeMs,
                          open.afterCarriageReturn};
        state.totalBytes[ch] = m_totalBytes[ch];
    }
    state.nextNumber = m_nextNumber;
    state.completedLines = completedLines();
    return state;
}

void OutputBuffer::restore(const State &state, QList<OutputSection> sections) {
    m_lines.clear();
    m_sections = std::move(sections);
    m_keptBytes = 0;
    for (int ch = 0; ch < 2; ++ch) {
        const State::Open &from = state.open[ch];
        m_open[ch].bytes = from.bytes;
        m_open[ch].droppedBytes = from.droppedBytes;
        m_open[ch].number = from.number;
        m_open[ch].timeMs = from.timeMs;
        m_open[ch].afterCarriageReturn = from.afterCarriageReturn;
        m_totalBytes[ch] = state.totalBytes[ch];
    }
    m_nextNumber = state.nextNumber;
    m_droppedLines = state.completedLines;
}

QList<OutputLine> OutputBuffer::lines() const {
    return linesAfter(0);
}

qint64 OutputBuffer::completedLines() const {
    return m_droppedLines + m_lines.size();
}

QList<OutputLine> OutputBuffer::linesAfter(qint64 completed) const {
    const qint64 kept = std::clamp<qint64>(completed - m_droppedLines, 0, m_lines.size());
    QList<OutputLine> result = kept == 0 ? m_lines : m_lines.sliced(qsizetype(kept));
    for (const int ch : openLinesInOrder()) {
        if (ch >= 0)
            result.append(toLine(channelAt(ch), m_open[ch], false));
    }
    return result;
}

qint64 OutputBuffer::totalBytes(OutputChannel channel) const {
    return m_totalBytes[indexOf(channel)];
}

qint64 OutputBuffer::totalLines() const {
    return m_nextNumber - 1;
}

qint64 OutputBuffer::droppedLines() const {
    return m_droppedLines;
}

void OutputBuffer::openLine(int ch, qint64 timeMs) {
    m_open[ch].number = m_nextNumber++;
    m_open[ch].timeMs = timeMs;
    trim();
}

void OutputBuffer::appendToOpen(OpenLine &open, QByteArrayView segment) {
    if (open.droppedBytes > 0) {
        open.droppedBytes += segment.size();
        return;
    }
    const qsizetype room = m_limits.maxLineBytes - open.bytes.size();
    if (segment.size() <= room) {
        open.bytes.append(segment);
        return;
    }
    open.bytes.append(segment.first(room));
    open.droppedBytes = segment.size() - room;
    // Never keep the first bytes of a character whose remaining bytes were dropped.
    if (isContinuationByte(segment[room])) {
        const qsizetype cut = incompleteSequenceLength(open.bytes);
        open.bytes.chop(cut);
        open.droppedBytes += cut;
    }
}

void OutputBuffer::completeLine(int ch, QByteArrayView tail) {
    OpenLine &open = m_open[ch];
    OutputLine line;
    line.channel = channelAt(ch);
    line.number = open.number;
    line.timeMs = open.timeMs;
    line.complete = true;
    if (open.bytes.isEmpty() && open.droppedBytes == 0 && tail.size() <= m_limits.maxLineBytes) {
        // The whole line is in the current chunk: decode it in place.
        line.text = decode(tail);
        line.bytes = tail.size();
    } else {
        appendToOpen(open, tail);
        line.text = decode(open.bytes);
        line.bytes = open.bytes.size();
        line.droppedBytes = open.droppedBytes;
    }
    open.reset();

    m_keptBytes += line.bytes;
    m_lines.append(std::move(line));
    trim();
}

std::array<int, 2> OutputBuffer::openLinesInOrder() const {
    const qint64 out = m_open[0].number;
    const qint64 err = m_open[1].number;
    if (out == 0)
        return {err == 0 ? -1 : 1, -1};
    if (err == 0)
        return {0, -1};
    return out < err ? std::array{0, 1} : std::array{1, 0};
}

void OutputBuffer::trim() {
    const int openLines = (m_open[0].number != 0) + (m_open[1].number != 0);
    const qsizetype maxComplete = std::max(0, m_limits.maxLines - openLines);
    qsizetype drop = 0;
    while (drop < m_lines.size() &&
           (m_lines.size() - drop > maxComplete || m_keptBytes > m_limits.maxBytes)) {
        m_keptBytes -= m_lines.at(drop).bytes;
        ++drop;
    }
    if (drop > 0) {
        m_lines.remove(0, drop);
        m_droppedLines += drop;
    }
}

OutputLine OutputBuffer::toLine(OutputChannel channel, const OpenLine &open, bool complete) const {
    OutputLine line;
    line.channel = channel;
    line.text = decode(open.bytes);
    line.number = open.number;
    line.timeMs = open.timeMs;
    line.complete = complete;
    line.droppedBytes = open.droppedBytes;
    line.bytes = open.bytes.size();
    return line;
}

QString OutputBuffer::decode(QByteArrayView bytes) {
    if (bytes.isEmpty())
        return {};
    QString text = QString::fromUtf8(bytes);
    if (std::memchr(bytes.data(), '\0', size_t(bytes.size())))
        text.replace(QChar(u'\0'), QChar(0x2400));
    return text;
}

} // namespace jobmonitor
