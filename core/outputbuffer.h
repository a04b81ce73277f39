#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <array>

namespace jobmonitor {

enum class OutputChannel { Stdout, Stderr };

struct OutputLine {
    OutputChannel channel = OutputChannel::Stdout;
    QString text;            // decoded for display: invalid UTF-8 and NUL bytes made visible
    qint64 number = 0;       // 1-based over the job's whole output, both channels
    bool complete = false;   // false while the line has not seen its newline yet
    qint64 droppedBytes = 0; // bytes of this line not kept (over the per-line limit)
    qint64 bytes = 0;        // bytes of this line kept (what the tail's byte limit counts)
    // When its first byte arrived (ms since the epoch): exactly for output relayed to the app,
    // within a tenth of a second for saved output (the granularity of its index); 0: unknown.
    qint64 timeMs = 0;
};

// Where one attempt's output begins in the job's output.
struct OutputSection {
    int attempt = 0; // counted over the job's whole life
    QDateTime startedAt;
    QString traceId;
    qint64 firstLine = 0; // number of the first line the attempt printed (or will print)
    bool operator==(const OutputSection &) const = default;
};

// A bounded tail of a job's output for the UI. Bytes arrive in arbitrary chunks per channel;
// lines are split on '\n', a '\r' not followed by '\n' restarts the current line (progress
// bars), a line longer than maxLineBytes keeps its first maxLineBytes and counts the rest.
// The tail keeps at most maxLines lines and about maxBytes bytes of output (counted as it
// arrived, before decoding); memory stays bounded
// whatever the input (a 100 MB line without a newline, a flood, binary data).
class OutputBuffer : public QObject {
    Q_OBJECT
public:
    struct Limits {
        int maxLines = 5000;
        qsizetype maxBytes = 2 * 1024 * 1024;
        qsizetype maxLineBytes = 16 * 1024;
    };

    explicit OutputBuffer(QObject *parent = nullptr);
    OutputBuffer(Limits limits, QObject *parent = nullptr);

    // timeMs: when the chunk arrived (ms since the epoch; 0 for now).
    void append(OutputChannel channel, QByteArrayView chunk, qint64 timeMs = 0);
    // Ends the open lines: what arrives from now on belongs to a new attempt.
    void beginSection(OutputSection section);
    const QList<OutputSection> &sections() const { return m_sections; }
    // Marks the open lines of both channels complete (the process has ended).
    void finish();
    void clear();

    // Completed lines in arrival order followed by the open (partial) lines.
    QList<OutputLine> lines() const;
    // Lines completed so far, kept or not: where the next complete line falls in arrival order.
    // (Line numbers are given when a line opens, so they need not follow arrival order.)
    qint64 completedLines() const;
    // As lines(), without the complete lines among the first `completed` to arrive: a view
    // that has seen `completed` lines asks only for what is new. Cheap, unlike lines() it does
    // not copy the kept tail when there are open lines.
    QList<OutputLine> linesAfter(qint64 completed) const;
    qint64 totalBytes(OutputChannel channel) const;
    qint64 totalLines() const;   // lines seen, including those no longer kept
    qint64 droppedLines() const; // lines that fell out of the tail
    qsizetype keptBytes() const { return m_keptBytes; } // bytes of output the tail holds
    Limits limits() const { return m_limits; }

    // Where the splitting stands: the open lines and the counts, not the kept lines. A buffer
    // restored to it numbers and completes the lines that follow exactly as this one does, so
    // a long output can be read again from any point it passed (a page of it).
    struct State {
        struct Open {
            QByteArray bytes;
            qint64 droppedBytes = 0;
            qint64 number = 0;
            qint64 timeMs = 0;
            bool afterCarriageReturn = false;
        };
        Open open[2];
        qint64 totalBytes[2] = {0, 0};
        qint64 nextNumber = 1;
        qint64 completedLines = 0;
        // Bytes of the open lines: what keeping this state costs beyond its fixed size.
        qsizetype size() const { return open[0].bytes.size() + open[1].bytes.size(); }
    };
    State state() const;
    // Drops the kept lines and goes on from state, with these sections (those that began
    // before it).
    void restore(const State &state, QList<OutputSection> sections = {});

Q_SIGNALS:
    // Emitted on every append; views batch their updates.
    void changed();
    // Emitted by clear(), before changed(): the lines a view has seen are gone.
    void cleared();

private:
    struct OpenLine {
        QByteArray bytes;
        qint64 droppedBytes = 0;
        qint64 number = 0;
        qint64 timeMs = 0;
        bool afterCarriageReturn = false;

        // A '\r' overwrites the line: its text starts again.
        void restart() {
            bytes.truncate(0); // keeps the allocation
            droppedBytes = 0;
        }
        void reset() {
            restart();
            number = 0;
            afterCarriageReturn = false;
        }
    };
    void openLine(int channelIndex, qint64 timeMs);
    void appendToOpen(OpenLine &open, QByteArrayView segment);
    // Completes the open line of a channel; tail is its last segment, not yet appended.
    void completeLine(int channelIndex, QByteArrayView tail);
    // Indices of the channels with an open line, in line-number order (-1 for none).
    std::array<int, 2> openLinesInOrder() const;
    void trim();
    OutputLine toLine(OutputChannel channel, const OpenLine &open, bool complete) const;
    static QString decode(QByteArrayView bytes);

    Limits m_limits;
    QList<OutputLine> m_lines;
    QList<OutputSection> m_sections;
    qsizetype m_keptBytes = 0;
    OpenLine m_open[2];
    qint64 m_totalBytes[2] = {0, 0};
    qint64 m_nextNumber = 1;
    qint64 m_droppedLines = 0;
};

} // namespace jobmonitor
