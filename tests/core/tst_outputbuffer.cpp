#include "outputbuffer.h"

#include <QSignalSpy>
#include <QTest>

using namespace jobmonitor;
using namespace Qt::StringLiterals;

using Cuts = QList<qsizetype>;

namespace {

// Ways to cut one input into chunks: whole, one byte at a time, and in two at every position.
QList<std::pair<QByteArray, Cuts>> chunkings(qsizetype size) {
    QList<std::pair<QByteArray, Cuts>> result;
    result.emplaceBack("whole", Cuts{});
    Cuts everyByte;
    for (qsizetype i = 1; i < size; ++i)
        everyByte.append(i);
    result.emplaceBack("bytewise", everyByte);
    for (qsizetype i = 1; i < size; ++i)
        result.emplaceBack("split@" + QByteArray::number(i), Cuts{i});
    return result;
}

void feed(OutputBuffer &buffer, OutputChannel channel, const QByteArray &input, const Cuts &cuts) {
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        buffer.append(channel, QByteArrayView(input).sliced(from, cut - from));
        from = cut;
    }
    buffer.append(channel, QByteArrayView(input).sliced(from));
}

QStringList texts(const QList<OutputLine> &lines) {
    QStringList result;
    for (const OutputLine &line : lines)
        result.append(line.text);
    return result;
}

QList<bool> completeness(const QList<OutputLine> &lines) {
    QList<bool> result;
    for (const OutputLine &line : lines)
        result.append(line.complete);
    return result;
}

QList<qint64> numbers(const QList<OutputLine> &lines) {
    QList<qint64> result;
    for (const OutputLine &line : lines)
        result.append(line.number);
    return result;
}

} // namespace

class TestOutputBuffer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsing_data();
    void parsing();
    void perLineLimit_data();
    void perLineLimit();
    void endlessLine_data();
    void endlessLine();
    void maxLines_data();
    void maxLines();
    void maxBytes();
    void maxBytesCountsBytes();
    void linesKeepTheirArrivalTime();
    void floodKeepsTheNewestLines_data();
    void floodKeepsTheNewestLines();
    void channelsKeptApart();
    void lineNumbersCountBothChannels();
    void finishCompletesOpenLines();
    void changedOncePerAppend();
    void clearStartsOver();
    void linesAfterGivesOnlyTheNew();
    void clearSignalsCleared();
};

void TestOutputBuffer::parsing_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Cuts>("cuts");
    QTest::addColumn<QStringList>("expectedTexts");
    QTest::addColumn<QList<bool>>("expectedComplete");

    struct Case {
        const char *name;
        QByteArray input;
        QStringList texts;
        QList<bool> complete;
    };
    const QList<Case> cases{
        {"lines",
         "alpha\nbeta\n\ngamma",
         {"alpha", "beta", "", "gamma"},
         {true, true, true, false}},
        {"progress", "10%\r20%\r100%\n", {"100%"}, {true}},
        {"progressOpen", "10%\r20%", {"20%"}, {false}},
        {"crlf", "a\r\nb\r\n", {"a", "b"}, {true, true}},
        {"crAtEndKeepsLine", "done\r", {"done"}, {false}},
        {"doubleCrLf", "abc\r\r\n", {"abc"}, {true}},
        {"doubleCrRestart", "abc\r\rde\n", {"de"}, {true}},
        {"emptyLines", "\n\n", {"", ""}, {true, true}},
        {"multibyte", "grüße €\n", {u"grüße €"_s}, {true}},
        {"invalidUtf8",
         "a\xff\xfe"
         "b\n",
         {u"a\uFFFD\uFFFDb"_s},
         {true}},
        {"truncatedSequence", "x\xe2\x82\n", {u"x\uFFFD\uFFFD"_s}, {true}},
        {"nulVisible", QByteArray("a\0b\0\0c\n", 7), {u"a\u2400b\u2400\u2400c"_s}, {true}},
    };
    for (const Case &c : cases) {
        for (const auto &[chunking, cuts] : chunkings(c.input.size())) {
            QTest::addRow("%s/%s", c.name, chunking.constData())
                << c.input << cuts << c.texts << c.complete;
        }
    }
}

void TestOutputBuffer::parsing() {
    QFETCH(QByteArray, input);
    QFETCH(Cuts, cuts);
    QFETCH(QStringList, expectedTexts);
    QFETCH(QList<bool>, expectedComplete);

    OutputBuffer buffer;
    feed(buffer, OutputChannel::Stdout, input, cuts);
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(texts(lines), expectedTexts);
    QCOMPARE(completeness(lines), expectedComplete);
    QCOMPARE(buffer.totalBytes(OutputChannel::Stdout), input.size());
    QCOMPARE(buffer.totalLines(), expectedTexts.size());
    for (const OutputLine &line : lines)
        QCOMPARE(line.droppedBytes, 0);
}

void TestOutputBuffer::perLineLimit_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Cuts>("cuts");
    QTest::addColumn<QString>("expectedText");
    QTest::addColumn<qint64>("expectedDropped");

    // maxLineBytes is 8 in every row.
    struct Case {
        const char *name;
        QByteArray input;
        QString text;
        qint64 dropped;
    };
    const QList<Case> cases{
        {"ascii", "0123456789abc\n", "01234567", 5},
        {"exactlyAtLimit", "01234567\n", "01234567", 0},
        {"cutBeforeEuro", "abcdef€gh\n", "abcdef", 5},
        {"euroFitsExactly", "abcde€x\n", u"abcde€"_s, 1},
        {"cutBeforeEmoji", "abcdefg😀\n", "abcdefg", 4},
        {"invalidContinuationRun", "abcdefg\x80\x80\x80\n", u"abcdefg\uFFFD"_s, 2},
        {"progressResetsDropped", "0123456789\rab\n", "ab", 0},
        {"crlfAfterLongLine", "0123456789\r\n", "01234567", 2},
    };
    for (const Case &c : cases) {
        for (const auto &[chunking, cuts] : chunkings(c.input.size())) {
            QTest::addRow("%s/%s", c.name, chunking.constData())
                << c.input << cuts << c.text << c.dropped;
        }
    }
}

void TestOutputBuffer::perLineLimit() {
    QFETCH(QByteArray, input);
    QFETCH(Cuts, cuts);
    QFETCH(QString, expectedText);
    QFETCH(qint64, expectedDropped);

    OutputBuffer buffer({.maxLines = 100, .maxBytes = 1000, .maxLineBytes = 8});
    feed(buffer, OutputChannel::Stdout, input, cuts);
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines.first().text, expectedText);
    QCOMPARE(lines.first().droppedBytes, expectedDropped);
    QVERIFY(lines.first().complete);
}

void TestOutputBuffer::endlessLine_data() {
    QTest::addColumn<QByteArray>("unit");
    QTest::addColumn<int>("unitsPerChunk");
    QTest::addColumn<qsizetype>("expectedKeptBytes");

    // 1600 chunks of about 64 KiB: 100 MiB without a newline.
    QTest::newRow("ascii") << QByteArray("x") << 65536 << qsizetype(16384);
    // 16384 is not a multiple of 3: the cut falls inside a character and moves before it.
    QTest::newRow("euro") << QByteArray("€") << 21845 << qsizetype(16383);
}

void TestOutputBuffer::endlessLine() {
    QFETCH(QByteArray, unit);
    QFETCH(int, unitsPerChunk);
    QFETCH(qsizetype, expectedKeptBytes);

    OutputBuffer buffer; // default limits: 16 KiB per line
    QCOMPARE(buffer.limits().maxLineBytes, 16384);
    const QByteArray chunk = unit.repeated(unitsPerChunk);
    const int chunkCount = 1600;
    for (int i = 0; i < chunkCount; ++i)
        buffer.append(OutputChannel::Stdout, chunk);

    const qint64 total = qint64(chunk.size()) * chunkCount;
    QCOMPARE(buffer.totalBytes(OutputChannel::Stdout), total);
    QList<OutputLine> lines = buffer.lines();
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines.last().text.toUtf8().size(), expectedKeptBytes);
    QCOMPARE(lines.last().text, QString::fromUtf8(chunk.first(expectedKeptBytes)));
    QCOMPARE(lines.last().droppedBytes, total - expectedKeptBytes);
    QVERIFY(!lines.last().complete);

    buffer.append(OutputChannel::Stdout, "\nnext\n");
    lines = buffer.lines();
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines.first().complete);
    QCOMPARE(lines.first().droppedBytes, total - expectedKeptBytes);
    QCOMPARE(lines.last().text, u"next"_s);
    QCOMPARE(lines.last().droppedBytes, 0);
}

void TestOutputBuffer::maxLines_data() {
    QTest::addColumn<Cuts>("cuts");
    // A whole chunk completing more lines than the tail holds takes a shortcut that skips
    // decoding the lines that would fall out at once; both paths must agree.
    for (const auto &[chunking, cuts] : chunkings(QByteArray("1\n2\n3\n4\n5\n6").size()))
        QTest::addRow("%s", chunking.constData()) << cuts;
}

void TestOutputBuffer::maxLines() {
    QFETCH(Cuts, cuts);

    OutputBuffer buffer({.maxLines = 3, .maxBytes = 1000, .maxLineBytes = 100});
    feed(buffer, OutputChannel::Stdout, "1\n2\n3\n4\n5\n6", cuts);
    QList<OutputLine> lines = buffer.lines();
    // The open line counts against maxLines too.
    QCOMPARE(texts(lines), QStringList({"4", "5", "6"}));
    QCOMPARE(numbers(lines), QList<qint64>({4, 5, 6}));
    QCOMPARE(completeness(lines), QList<bool>({true, true, false}));
    QCOMPARE(buffer.droppedLines(), 3);
    QCOMPARE(buffer.totalLines(), 6);

    buffer.append(OutputChannel::Stdout, "\n");
    QCOMPARE(texts(buffer.lines()), QStringList({"4", "5", "6"}));
    QCOMPARE(buffer.droppedLines(), 3);
}

void TestOutputBuffer::maxBytes() {
    OutputBuffer buffer({.maxLines = 100, .maxBytes = 10, .maxLineBytes = 100});
    buffer.append(OutputChannel::Stdout, "aaaa\nbbbb\n");
    QCOMPARE(texts(buffer.lines()), QStringList({"aaaa", "bbbb"}));
    QCOMPARE(buffer.droppedLines(), 0);

    buffer.append(OutputChannel::Stdout, "cccc\n");
    QCOMPARE(texts(buffer.lines()), QStringList({"bbbb", "cccc"}));
    QCOMPARE(buffer.droppedLines(), 1);

    buffer.append(OutputChannel::Stdout, "0123456789\n");
    QCOMPARE(texts(buffer.lines()), QStringList({"0123456789"}));
    QCOMPARE(buffer.droppedLines(), 3);
    QCOMPARE(buffer.totalLines(), 4);
}

// The limit counts bytes as they arrived, not UTF-16 units: "é" is two bytes, one unit.
void TestOutputBuffer::maxBytesCountsBytes() {
    OutputBuffer buffer({.maxLines = 100, .maxBytes = 8, .maxLineBytes = 100});
    buffer.append(OutputChannel::Stdout, "\xc3\xa9\xc3\xa9\n\xc3\xa9\xc3\xa9\n");
    QCOMPARE(buffer.keptBytes(), 8);
    QCOMPARE(buffer.lines().size(), 2);
    buffer.append(OutputChannel::Stdout, "x\n");
    QCOMPARE(buffer.keptBytes(), 5);
    QCOMPARE(texts(buffer.lines()), QStringList({QStringLiteral("\u00e9\u00e9"), "x"}));
}

// A line is as old as its first byte; a line still open keeps that time as more arrives.
void TestOutputBuffer::linesKeepTheirArrivalTime() {
    OutputBuffer buffer;
    buffer.append(OutputChannel::Stdout, "one\ntw", 1000);
    buffer.append(OutputChannel::Stdout, "o\nthree\n", 2000);
    buffer.append(OutputChannel::Stderr, "err", 3000);
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(texts(lines), QStringList({"one", "two", "three", "err"}));
    QList<qint64> times;
    for (const OutputLine &line : lines)
        times << line.timeMs;
    QCOMPARE(times, (QList<qint64>{1000, 1000, 2000, 3000}));
}

void TestOutputBuffer::floodKeepsTheNewestLines_data() {
    QTest::addColumn<QByteArray>("flood");
    QTest::addColumn<qsizetype>("chunkSize");

    // Lines of 1 to 7 bytes, so newlines fall at every offset of every word and block.
    QByteArray varied;
    for (int i = 1; i <= 30000; ++i)
        varied += QByteArray::number(i % 1000000) + (i % 3 == 0 ? "\r\n" : "\n");
    const QByteArray empty(100000, '\n');
    for (const qsizetype chunkSize : {qsizetype(1000), qsizetype(65536), qsizetype(1 << 30)}) {
        QTest::addRow("varied/%lld", qint64(chunkSize)) << varied << chunkSize;
        QTest::addRow("empty/%lld", qint64(chunkSize)) << empty << chunkSize;
    }
}

void TestOutputBuffer::floodKeepsTheNewestLines() {
    QFETCH(QByteArray, flood);
    QFETCH(qsizetype, chunkSize);

    OutputBuffer reference({.maxLines = 500, .maxBytes = 1 << 20, .maxLineBytes = 100});
    OutputBuffer buffer(reference.limits());
    for (OutputBuffer *b : {&reference, &buffer}) {
        b->append(OutputChannel::Stderr, "other channel");
        b->append(OutputChannel::Stdout, "head ");
    }
    // The reference sees one line per append, the others whole chunks that may skip lines.
    for (qsizetype from = 0; from < flood.size();) {
        const qsizetype end = flood.indexOf('\n', from) + 1;
        reference.append(OutputChannel::Stdout, QByteArrayView(flood).sliced(from, end - from));
        from = end;
    }
    for (qsizetype from = 0; from < flood.size(); from += chunkSize)
        buffer.append(OutputChannel::Stdout, QByteArrayView(flood).sliced(from).first(
                                                 std::min(chunkSize, flood.size() - from)));

    const qint64 lineCount = flood.count('\n') + 1;
    QCOMPARE(buffer.totalLines(), lineCount);
    QCOMPARE(buffer.droppedLines(), lineCount - 500);
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(lines.size(), 500);
    QCOMPARE(lines.last().text, u"other channel"_s);
    QCOMPARE(lines.last().number, 1);
    QCOMPARE(lines.at(498).number, lineCount);
    QCOMPARE(texts(lines), texts(reference.lines()));
    QCOMPARE(numbers(lines), numbers(reference.lines()));
    QCOMPARE(buffer.droppedLines(), reference.droppedLines());
}

void TestOutputBuffer::channelsKeptApart() {
    OutputBuffer buffer;
    buffer.append(OutputChannel::Stdout, "hel");
    buffer.append(OutputChannel::Stderr, "oops\nwar");
    buffer.append(OutputChannel::Stdout, "lo\r");
    buffer.append(OutputChannel::Stderr, "ning\r");
    buffer.append(OutputChannel::Stdout, "\n");
    buffer.append(OutputChannel::Stderr, "x\n");

    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(texts(lines), QStringList({"oops", "hello", "x"}));
    QCOMPARE(numbers(lines), QList<qint64>({2, 1, 3}));
    QCOMPARE(lines.at(0).channel, OutputChannel::Stderr);
    QCOMPARE(lines.at(1).channel, OutputChannel::Stdout);
    QCOMPARE(lines.at(2).channel, OutputChannel::Stderr);
    QCOMPARE(buffer.totalBytes(OutputChannel::Stdout), 7);
    QCOMPARE(buffer.totalBytes(OutputChannel::Stderr), 15);
}

void TestOutputBuffer::lineNumbersCountBothChannels() {
    OutputBuffer buffer;
    buffer.append(OutputChannel::Stdout, "a1\na2");
    buffer.append(OutputChannel::Stderr, "b1\nb2");
    buffer.append(OutputChannel::Stdout, "\n");

    // Numbers are given when a line opens; open lines come last, in number order.
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(texts(lines), QStringList({"a1", "b1", "a2", "b2"}));
    QCOMPARE(numbers(lines), QList<qint64>({1, 3, 2, 4}));
    QCOMPARE(completeness(lines), QList<bool>({true, true, true, false}));
    QCOMPARE(buffer.totalLines(), 4);
}

void TestOutputBuffer::finishCompletesOpenLines() {
    OutputBuffer buffer;
    buffer.append(OutputChannel::Stderr, "first");
    buffer.append(OutputChannel::Stdout, "100%\r");
    QCOMPARE(completeness(buffer.lines()), QList<bool>({false, false}));
    QCOMPARE(texts(buffer.lines()), QStringList({"first", "100%"}));

    buffer.finish();
    const QList<OutputLine> lines = buffer.lines();
    QCOMPARE(texts(lines), QStringList({"first", "100%"}));
    QCOMPARE(numbers(lines), QList<qint64>({1, 2}));
    QCOMPARE(completeness(lines), QList<bool>({true, true}));
    QCOMPARE(lines.at(0).channel, OutputChannel::Stderr);

    buffer.finish();
    QCOMPARE(buffer.lines().size(), 2);
}

void TestOutputBuffer::changedOncePerAppend() {
    OutputBuffer buffer;
    QSignalSpy spy(&buffer, &OutputBuffer::changed);
    buffer.append(OutputChannel::Stdout, "a\nb\nc\nd\n");
    QCOMPARE(spy.count(), 1);
    buffer.append(OutputChannel::Stderr, "partial");
    QCOMPARE(spy.count(), 2);
    buffer.append(OutputChannel::Stdout, QByteArray(200000, '\n'));
    QCOMPARE(spy.count(), 3);
}

void TestOutputBuffer::clearStartsOver() {
    OutputBuffer buffer({.maxLines = 2, .maxBytes = 1000, .maxLineBytes = 100});
    buffer.append(OutputChannel::Stdout, "a\nb\nc\nopen");
    buffer.append(OutputChannel::Stderr, "err");
    buffer.clear();
    QVERIFY(buffer.lines().isEmpty());
    QCOMPARE(buffer.totalLines(), 0);
    QCOMPARE(buffer.droppedLines(), 0);
    QCOMPARE(buffer.totalBytes(OutputChannel::Stdout), 0);
    QCOMPARE(buffer.totalBytes(OutputChannel::Stderr), 0);

    buffer.append(OutputChannel::Stdout, "again\n");
    QCOMPARE(texts(buffer.lines()), QStringList({"again"}));
    QCOMPARE(numbers(buffer.lines()), QList<qint64>({1}));
}

void TestOutputBuffer::linesAfterGivesOnlyTheNew() {
    OutputBuffer buffer({.maxLines = 4, .maxBytes = 1000, .maxLineBytes = 100});
    QCOMPARE(buffer.completedLines(), 0);
    QVERIFY(buffer.linesAfter(0).isEmpty());

    // Arrival order, not line numbers: b1 opened after a2 but completed before it.
    buffer.append(OutputChannel::Stdout, "a1\na2");
    buffer.append(OutputChannel::Stderr, "b1\n");
    QCOMPARE(buffer.completedLines(), 2);
    QCOMPARE(texts(buffer.linesAfter(0)), QStringList({"a1", "b1", "a2"}));
    QCOMPARE(texts(buffer.linesAfter(1)), QStringList({"b1", "a2"}));
    QCOMPARE(texts(buffer.linesAfter(2)), QStringList({"a2"})); // only the open line
    QCOMPARE(completeness(buffer.linesAfter(2)), QList<bool>({false}));

    // Lines that fell out of the tail are skipped: only kept lines come back.
    buffer.append(OutputChannel::Stdout, "\nc\nd\ne\n");
    QCOMPARE(buffer.completedLines(), 6);
    QCOMPARE(buffer.droppedLines(), 2);
    QCOMPARE(texts(buffer.linesAfter(0)), texts(buffer.lines()));
    QCOMPARE(texts(buffer.linesAfter(1)), QStringList({"a2", "c", "d", "e"}));
    QCOMPARE(texts(buffer.linesAfter(4)), QStringList({"d", "e"}));
    QVERIFY(buffer.linesAfter(6).isEmpty());
    QVERIFY(buffer.linesAfter(7).isEmpty());

    // A flood that overflows the tail in one chunk counts the lines it jumps over.
    buffer.append(OutputChannel::Stdout, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10");
    QCOMPARE(buffer.completedLines(), 15);
    QCOMPARE(texts(buffer.linesAfter(6)), QStringList({"7", "8", "9", "10"}));
    QCOMPARE(texts(buffer.linesAfter(14)), QStringList({"9", "10"}));

    buffer.finish();
    QCOMPARE(buffer.completedLines(), 16);
    QCOMPARE(texts(buffer.linesAfter(15)), QStringList({"10"}));
    QCOMPARE(completeness(buffer.linesAfter(15)), QList<bool>({true}));
}

void TestOutputBuffer::clearSignalsCleared() {
    OutputBuffer buffer;
    buffer.append(OutputChannel::Stdout, "a\nb\n");
    QSignalSpy cleared(&buffer, &OutputBuffer::cleared);
    QSignalSpy changed(&buffer, &OutputBuffer::changed);
    buffer.clear();
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(buffer.completedLines(), 0);
}

QTEST_GUILESS_MAIN(TestOutputBuffer)
#include "tst_outputbuffer.moc"
