// A job's whole saved output, paged: the index's checkpoints read back exactly the lines one
// reading from the start gives, and the output model reaches any line of a large output, of
// every attempt, while holding only a few pages of it.
#include "outputmodel.h"
#include "outputpages.h"
#include "pagedoutput.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace jobmonitor;

namespace {

constexpr qint64 StartMs = 1'700'000'000'000;

// An attempt's files as the shim writes them: each channel's bytes as they came, and an index
// record whenever the other channel speaks.
class SavedAttempt {
public:
    explicit SavedAttempt(QString directory)
        : m_directory(std::move(directory)) {
        QDir().mkpath(m_directory);
        m_index = QByteArray("JMINDEX1") + QByteArray(8, '\0');
    }

    void write(OutputChannel channel, QByteArrayView bytes) {
        const int ch = channel == OutputChannel::Stderr ? 1 : 0;
        if (ch != m_last) {
            QByteArray record(16, '\0');
            qToLittleEndian<quint64>(quint64(ch) << 63 | quint64(m_size[ch]), record.data());
            qToLittleEndian<qint64>(StartMs + m_records++ * 100, record.data() + 8);
            m_index += record;
            m_last = ch;
        }
        m_pending[ch] += bytes;
        m_size[ch] += bytes.size();
    }

    // Appends what was written since the last save to the files.
    bool save() {
        const std::pair<const char *, QByteArray *> files[] = {
            {"stdout", &m_pending[0]}, {"stderr", &m_pending[1]}, {"index", &m_index}};
        for (const auto &[name, bytes] : files) {
            QFile file(m_directory + QLatin1Char('/') + QLatin1String(name));
            if (!file.open(QIODevice::WriteOnly | QIODevice::Append) ||
                file.write(*bytes) != bytes->size())
                return false;
            bytes->clear();
        }
        return true;
    }

    QString directory() const { return m_directory; }
    qint64 size() const { return m_size[0] + m_size[1]; }

private:
    QString m_directory;
    QByteArray m_pending[2];
    QByteArray m_index;
    qint64 m_size[2] = {0, 0};
    int m_last = -1;
    qint64 m_records = 0;
};

OutputSource source(int attempt, const QString &directory) {
    return {{attempt, QDateTime::fromMSecsSinceEpoch(StartMs),
             QStringLiteral("trace-%1").arg(attempt), 0},
            directory};
}

// What one reading of every attempt from the start gives, as the window's tail would keep it
// with no limit on the lines.
QList<OutputLine> readAll(const QList<OutputSource> &sources) {
    OutputBuffer buffer(
        OutputBuffer::Limits{1 << 24, qsizetype(1) << 40, OutputBuffer::Limits{}.maxLineBytes});
    for (const OutputSource &source : sources) {
        buffer.beginSection(source.section);
        AttemptOutputReader reader(source.directory);
        if (!reader.open())
            continue;
        for (QList<AttemptOutputReader::Chunk> chunks = reader.read(1 << 20); !chunks.isEmpty();
             chunks = reader.read(1 << 20))
            for (const AttemptOutputReader::Chunk &chunk : std::as_const(chunks))
                buffer.append(chunk.channel, chunk.data, chunk.timeMs);
    }
    buffer.finish();
    return buffer.lines();
}

struct Line {
    QString text;
    qint64 number;
    bool fromStderr;
    qint64 droppedBytes;
    qint64 timeMs;
    bool operator==(const Line &) const = default;
};

QList<Line> described(const QList<OutputLine> &lines) {
    QList<Line> result;
    for (const OutputLine &line : lines)
        result.append({line.text, line.number, line.channel == OutputChannel::Stderr,
                       line.droppedBytes, line.timeMs});
    return result;
}

const std::atomic_bool NotCancelled{false};

// The million-line output: line n on stderr when n is a multiple of 7, else on stdout.
QByteArray millionLine(qint64 n) {
    return (n % 7 == 0 ? QByteArray("err ") : QByteArray("out ")) + QByteArray::number(n) + '\n';
}

// The text of a row once its page has been read.
QString loadedText(OutputModel &model, int row) {
    const QModelIndex index = model.index(row);
    if (!QTest::qWaitFor([&] { return index.data(OutputModel::LoadedRole).toBool(); }, 20000))
        return QStringLiteral("<not loaded>");
    return index.data(OutputModel::TextRole).toString();
}

} // namespace

class TestOutputPaging : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Pages read from their checkpoints, one after the other, give exactly the lines of one
    // reading from the start, however small the pages and the reads: lines open on both
    // channels across a checkpoint, progress bars, long lines, attempts that end mid-line.
    void pagesReadBackExactly_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("pageLines");
        QTest::addColumn<qint64>("pageBytes");
        QTest::addColumn<qint64>("readBytes");
        for (int kind = 0; kind < 3; ++kind) {
            const char *name[] = {"interleaved partial lines", "awkward bytes",
                                  "attempts ending mid-line"};
            QTest::addRow("%s, tiny pages", name[kind])
                << kind << qint64(1) << qint64(4) << qint64(3);
            QTest::addRow("%s, small pages", name[kind])
                << kind << qint64(7) << qint64(64) << qint64(16);
            QTest::addRow("%s, default pages", name[kind])
                << kind << OutputPageIndex::Limits{}.pageLines
                << OutputPageIndex::Limits{}.pageBytes << OutputPageIndex::Limits{}.readBytes;
        }
    }
    void pagesReadBackExactly() {
        QFETCH(int, kind);
        QFETCH(qint64, pageLines);
        QFETCH(qint64, pageBytes);
        QFETCH(qint64, readBytes);
        QTemporaryDir dir;
        QList<OutputSource> sources;
        const int attempts = kind == 2 ? 3 : 1;
        for (int attempt = 1; attempt <= attempts; ++attempt) {
            SavedAttempt saved(dir.filePath(QString::number(attempt)));
            constexpr auto Out = OutputChannel::Stdout;
            constexpr auto Err = OutputChannel::Stderr;
            for (int i = 0; i < 60; ++i) {
                const QByteArray n = QByteArray::number(i);
                if (kind == 0) {
                    saved.write(Out, "par" + n);
                    saved.write(Err, "e" + n + "\nhalf");
                    saved.write(Out, "tial\nnext");
                    saved.write(Err, "-done\n");
                    saved.write(Out, "\n");
                } else if (kind == 1) {
                    saved.write(Out, QByteArray("\xff\xfe bad ") + n + "\n");
                    saved.write(Out, QByteArray("nul\0byte\n", 9));
                    saved.write(Err, "10%\r20%\r" + n + "%\r\n");
                    saved.write(Out, "\xe2\x82");
                    saved.write(Out, "\xac euro\r\n");
                    if (i % 20 == 0)
                        saved.write(Err, QByteArray(40000, 'x') + "\xc3\xa9" + "\n");
                } else {
                    saved.write(i % 3 ? Out : Err,
                                "attempt " + QByteArray::number(attempt) + " " + n + "\n");
                }
            }
            if (kind == 2)
                saved.write(attempt % 2 ? OutputChannel::Stdout : OutputChannel::Stderr,
                            "no newline");
            QVERIFY(saved.save());
            sources.append(source(attempt, saved.directory()));
        }
        // One attempt that saved nothing at all.
        if (kind == 2)
            sources.insert(1, source(9, QString()));
        const QList<Line> expected = described(readAll(sources));
        QVERIFY(expected.size() > 100);

        OutputPageIndex::Limits limits;
        limits.pageLines = pageLines;
        limits.pageBytes = pageBytes;
        limits.readBytes = readBytes;
        OutputPageIndex index(limits);
        QVERIFY(index.setSources(sources));
        QVERIFY(index.scan(true, NotCancelled));
        QVERIFY(index.isComplete());
        QCOMPARE(index.scannedRows(), qint64(expected.size()));
        const QList<OutputCheckpoint> checkpoints = index.checkpoints();
        QList<OutputLine> paged;
        for (qsizetype page = 0; page + 1 < checkpoints.size(); ++page) {
            const QList<OutputLine> lines =
                OutputPageIndex::readPage(sources, checkpoints[page], checkpoints[page + 1].row(),
                                          true, limits, NotCancelled);
            QCOMPARE(checkpoints[page].row(), qint64(paged.size()));
            QCOMPARE(qint64(lines.size()), checkpoints[page + 1].row() - checkpoints[page].row());
            paged.append(lines);
        }
        QCOMPARE(described(paged), expected);
        // Every line is found on its page by its number.
        for (qsizetype row = 0; row < expected.size(); ++row) {
            const qsizetype page = OutputPageIndex::pageOfLine(checkpoints, expected[row].number);
            QVERIFY(page >= 0);
            QCOMPARE(OutputPageIndex::pageOfRow(checkpoints, row), page);
        }
        // The sections begin where the attempts' lines do.
        QCOMPARE(index.sections().size(), sources.size());
        // A tail read from near the end is the tail of a whole reading.
        const std::unique_ptr<OutputBuffer> tail = index.readTail(
            OutputBuffer::Limits{50, 1 << 20, OutputBuffer::Limits{}.maxLineBytes}, NotCancelled);
        QVERIFY(tail);
        QCOMPARE(described(tail->lines()), expected.sliced(expected.size() - 50));
        QCOMPARE(tail->sections(), index.sections());
        QCOMPARE(tail->droppedLines(), qint64(expected.size() - 50));
    }

    // A million lines and a second attempt through the output model: the first, the last and
    // random lines exactly, with their stream; a search match at line 123 456 revealed; only
    // a few pages in memory however many were read.
    void millionLines() {
        QTemporaryDir dir;
        constexpr qint64 Lines = 1'000'000;
        SavedAttempt first(dir.filePath(QStringLiteral("1")));
        for (qint64 n = 1; n <= Lines; ++n)
            first.write(n % 7 == 0 ? OutputChannel::Stderr : OutputChannel::Stdout, millionLine(n));
        QVERIFY(first.save());
        SavedAttempt second(dir.filePath(QStringLiteral("2")));
        for (int n = 1; n <= 10; ++n)
            second.write(OutputChannel::Stdout, "retry " + QByteArray::number(n) + "\n");
        QVERIFY(second.save());
        const QList<OutputSource> sources = {source(1, first.directory()),
                                             source(2, second.directory())};

        auto index = std::make_unique<OutputPageIndex>();
        QVERIFY(index->setSources(sources));
        QVERIFY(index->scan(true, NotCancelled));
        QCOMPARE(index->scannedRows(), Lines + 10);
        std::unique_ptr<OutputBuffer> tail = index->readTail(OutputBuffer::Limits{}, NotCancelled);
        PagedOutput pages;
        pages.adopt(std::move(index));
        OutputModel model;
        model.setPages(&pages);
        model.setBuffer(tail.get());
        QVERIFY(model.isPaged());
        QCOMPARE(model.rowCount(), int(Lines + 10));
        QCOMPARE(model.droppedLines(), Lines + 10 - OutputBuffer::Limits{}.maxLines);

        QCOMPARE(loadedText(model, 0), QStringLiteral("out 1"));
        QCOMPARE(model.index(0).data(OutputModel::NumberRole).toLongLong(), 1);
        QCOMPARE(loadedText(model, 6), QStringLiteral("err 7"));
        QVERIFY(model.index(6).data(OutputModel::StderrRole).toBool());
        QVERIFY(!model.index(5).data(OutputModel::StderrRole).toBool());
        QCOMPARE(loadedText(model, int(Lines - 1)), QStringLiteral("out 1000000"));
        QCOMPARE(loadedText(model, int(Lines)), QStringLiteral("retry 1"));
        QCOMPARE(model.index(int(Lines)).data(OutputModel::NumberRole).toLongLong(), Lines + 1);
        QVERIFY(model.index(int(Lines))
                    .data(OutputModel::AttemptHeaderRole)
                    .toString()
                    .startsWith(QStringLiteral("Attempt 2")));
        QVERIFY(model.index(0)
                    .data(OutputModel::AttemptHeaderRole)
                    .toString()
                    .startsWith(QStringLiteral("Attempt 1")));
        QVERIFY(model.index(1).data(OutputModel::AttemptHeaderRole).toString().isEmpty());

        QRandomGenerator random(20261201);
        for (int i = 0; i < 25; ++i) {
            const int row = int(random.bounded(Lines));
            const qint64 n = row + 1;
            QCOMPARE(loadedText(model, row), QString::fromLatin1(millionLine(n).chopped(1)));
            QCOMPARE(model.index(row).data(OutputModel::StderrRole).toBool(), n % 7 == 0);
            QCOMPARE(model.index(row).data(OutputModel::NumberRole).toLongLong(), n);
            QVERIFY2(pages.residentPages() <= PagedOutput::MaxResidentPages,
                     qPrintable(QString::number(pages.residentPages())));
        }

        // A match of the whole output search, far from every page in memory.
        QSignalSpy revealed(&model, &OutputModel::lineRevealed);
        QVERIFY(!model.isLineLoaded(123456));
        QCOMPARE(model.rowOfLine(123456), 123455); // where the index expects it
        model.revealLine(123456);
        QTRY_COMPARE_WITH_TIMEOUT(revealed.size(), 1, 20000);
        QCOMPARE(revealed.first().first().toLongLong(), 123456);
        QVERIFY(model.isLineLoaded(123456));
        QCOMPARE(model.index(123455).data(OutputModel::TextRole).toString(),
                 QStringLiteral("out 123456"));
        QCOMPARE(model.linesText(123456, 123458),
                 QStringLiteral("out 123456\nout 123457\nout 123458"));

        QVERIFY(pages.residentPages() <= PagedOutput::MaxResidentPages);
        // Bounded by the pages' limits, not by the output: a page holds at most pageLines
        // lines and what one read completes (lines here are at least "out 1\n").
        const OutputPageIndex::Limits limits;
        const qint64 linesPerPage = limits.pageLines + limits.readBytes / 6;
        const qint64 bytesPerLine = qint64(sizeof(PagedOutput::Line)) + 2 * 2 * 12;
        QVERIFY2(pages.residentBytes() <=
                     PagedOutput::MaxResidentPages * linesPerPage * bytesPerLine,
                 qPrintable(QString::number(pages.residentBytes())));
        QVERIFY(pages.residentBytes() < first.size() / 2);
    }

    // A running job whose lines leave the tail, many at once and with a line left open at
    // the end of each batch: they stay in their rows, read back from the saved output as it
    // grows; no row is ever removed, and the row signals are consistent.
    void runningJobKeepsItsRows() {
        QTemporaryDir dir;
        SavedAttempt saved(dir.filePath(QStringLiteral("1")));
        OutputBuffer tail(OutputBuffer::Limits{100, 1 << 20, OutputBuffer::Limits{}.maxLineBytes});
        tail.beginSection({1, QDateTime::fromMSecsSinceEpoch(StartMs), {}, 0});
        OutputPageIndex::Limits limits;
        limits.pageLines = 50;
        PagedOutput pages(limits);
        pages.setSources({{{1, {}, {}, 0}, saved.directory()}}, false);
        OutputModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPages(&pages);
        model.setBuffer(&tail);
        QVERIFY(model.isPaged());
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QStringList expected; // the complete lines, in the order they completed
        QString open;         // the line on stdout not ended yet
        qint64 n = 0;
        for (int batch = 1; batch <= 4; ++batch) {
            QList<std::pair<OutputChannel, QByteArray>> writes;
            if (!open.isEmpty()) {
                writes.append({OutputChannel::Stdout, " ended\n"});
                expected << open + QStringLiteral(" ended");
            }
            for (int i = 0; i < 700; ++i) {
                ++n;
                writes.append(
                    {n % 7 == 0 ? OutputChannel::Stderr : OutputChannel::Stdout, millionLine(n)});
                expected << QString::fromLatin1(millionLine(n).chopped(1));
            }
            open = QStringLiteral("open %1").arg(batch);
            writes.append({OutputChannel::Stdout, open.toLatin1()});
            // Saved before it reaches the window, as the shim does.
            for (const auto &[channel, bytes] : std::as_const(writes))
                saved.write(channel, bytes);
            QVERIFY(saved.save());
            for (const auto &[channel, bytes] : std::as_const(writes))
                tail.append(channel, bytes, StartMs);

            QTRY_COMPARE(model.rowCount(), int(expected.size()) + 1);
            QVERIFY(tail.droppedLines() > 0);
            QCOMPARE(loadedText(model, 0), expected.first());
            const int lastPaged = int(tail.droppedLines()) - 1;
            QCOMPARE(loadedText(model, lastPaged), expected[lastPaged]);
            QCOMPARE(loadedText(model, lastPaged / 2), expected[lastPaged / 2]);
            QCOMPARE(model.index(int(expected.size()) - 1).data(OutputModel::TextRole).toString(),
                     expected.last());
            const QModelIndex openRow = model.index(int(expected.size()));
            QCOMPARE(openRow.data(OutputModel::TextRole).toString(), open);
            QVERIFY(!openRow.data(OutputModel::CompleteRole).toBool());
        }
        QCOMPARE(removed.size(), 0);
        QVERIFY(pages.residentPages() <= PagedOutput::MaxResidentPages);
    }

    // Bytes that are not text, progress bars and a 50 MB line without a newline show, the
    // long line cut with what was not shown counted.
    void awkwardOutputShows() {
        QTemporaryDir dir;
        SavedAttempt saved(dir.filePath(QStringLiteral("1")));
        saved.write(OutputChannel::Stdout, "\xff\xfe bad\n");
        saved.write(OutputChannel::Stdout, QByteArray("nul\0byte\n", 9));
        saved.write(OutputChannel::Stderr, "10%\r20%\r30%\n");
        constexpr qint64 Huge = 50 * 1024 * 1024;
        saved.write(OutputChannel::Stdout, QByteArray(Huge, 'y'));
        QVERIFY(saved.save());
        SavedAttempt again(dir.filePath(QStringLiteral("2")));
        for (int i = 0; i < 10; ++i)
            again.write(OutputChannel::Stdout, "again " + QByteArray::number(i) + "\n");
        QVERIFY(again.save());
        const QList<OutputSource> sources = {source(1, saved.directory()),
                                             source(2, again.directory())};
        auto index = std::make_unique<OutputPageIndex>(OutputPageIndex::Limits{2, 1024, 512});
        index->setSources(sources);
        QVERIFY(index->scan(true, NotCancelled));
        std::unique_ptr<OutputBuffer> tail = index->readTail(
            OutputBuffer::Limits{3, 1 << 20, OutputBuffer::Limits{}.maxLineBytes}, NotCancelled);
        PagedOutput pages(index->limits());
        pages.adopt(std::move(index));
        OutputModel model;
        model.setPages(&pages);
        model.setBuffer(tail.get());
        QCOMPARE(model.rowCount(), 14);
        QCOMPARE(loadedText(model, 0), QStringLiteral("\ufffd\ufffd bad"));
        QCOMPARE(loadedText(model, 1), QStringLiteral("nul\u2400byte"));
        QCOMPARE(loadedText(model, 2), QStringLiteral("30%"));
        QVERIFY(model.index(2).data(OutputModel::StderrRole).toBool());
        const qsizetype kept = OutputBuffer::Limits{}.maxLineBytes;
        QCOMPARE(loadedText(model, 3), QString(kept, QLatin1Char('y')));
        QCOMPARE(model.index(3).data(OutputModel::TruncatedRole).toDouble(), double(Huge - kept));
        QCOMPARE(model.index(0).data(OutputModel::TruncatedRole).toDouble(), 0.0);
        QCOMPARE(loadedText(model, 4), QStringLiteral("again 0"));
        QVERIFY(model.index(4)
                    .data(OutputModel::AttemptHeaderRole)
                    .toString()
                    .startsWith(QStringLiteral("Attempt 2")));
        QCOMPARE(model.index(13).data(OutputModel::TextRole).toString(), QStringLiteral("again 9"));
    }
};

QTEST_GUILESS_MAIN(TestOutputPaging)
#include "tst_outputpaging.moc"
