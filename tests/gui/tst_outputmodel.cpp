// The output model against its buffer: after every batch its rows are exactly the buffer's
// lines, however the output arrived (floods, partial lines on both channels, a clear).
#include "outputmodel.h"

#include "jobformat.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QTest>

using namespace jobmonitor;

namespace {

struct Row {
    QString text;
    qint64 number;
    bool complete;
    bool fromStderr;
    bool operator==(const Row &) const = default;
};

QList<Row> rows(const OutputModel &model) {
    QList<Row> result;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row);
        result.append({index.data(OutputModel::TextRole).toString(),
                       index.data(OutputModel::NumberRole).toLongLong(),
                       index.data(OutputModel::CompleteRole).toBool(),
                       index.data(OutputModel::StderrRole).toBool()});
    }
    return result;
}

QList<Row> rows(const OutputBuffer &buffer) {
    QList<Row> result;
    for (const OutputLine &line : buffer.lines())
        result.append(
            {line.text, line.number, line.complete, line.channel == OutputChannel::Stderr});
    return result;
}

// Line numbers of the rows containing text, ignoring case, in row order: what the model's
// incremental search must always agree with.
QList<qint64> matchingLines(const OutputModel &model, const QString &text) {
    QList<qint64> lines;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row);
        if (index.data(OutputModel::TextRole).toString().contains(text, Qt::CaseInsensitive)) {
            lines.append(index.data(OutputModel::NumberRole).toLongLong());
            if (!index.data(OutputModel::MatchRole).toBool())
                return {};
        }
    }
    return lines;
}

// Waits for the model's batch to land.
bool synced(const OutputModel &model, const OutputBuffer &buffer) {
    return QTest::qWaitFor([&] { return rows(model) == rows(buffer); }, 2000);
}

} // namespace

class TestOutputModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsTheBuffer();
    void clearedBufferStartsOver();
    void searchFollowsTheTail();
    void rowsByLineNumber();
    void escapesAreRenderedNotShown();
    void attemptHeaders();
};

void TestOutputModel::followsTheBuffer() {
    OutputBuffer buffer({.maxLines = 50, .maxBytes = 100000, .maxLineBytes = 100});
    OutputModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBuffer(&buffer);
    QVERIFY(synced(model, buffer));

    QRandomGenerator random(42);
    qint64 counter = 0;
    for (int batch = 0; batch < 60; ++batch) {
        // Some batches flood past the tail, some only grow partial lines on either channel.
        const int chunks = int(random.bounded(1, 8));
        for (int i = 0; i < chunks; ++i) {
            const auto channel =
                random.bounded(3) == 0 ? OutputChannel::Stderr : OutputChannel::Stdout;
            QByteArray chunk;
            const int pieces = batch % 10 == 9 ? 120 : int(random.bounded(0, 4));
            for (int p = 0; p < pieces; ++p)
                chunk += "line " + QByteArray::number(++counter) + '\n';
            chunk += "part" + QByteArray::number(++counter);
            buffer.append(channel, chunk);
        }
        if (batch % 15 == 14)
            buffer.finish();
        QVERIFY2(synced(model, buffer), qPrintable(QStringLiteral("batch %1").arg(batch)));
        QCOMPARE(model.totalLines(), buffer.totalLines());
        QCOMPARE(model.droppedLines(), buffer.droppedLines());
    }
}

void TestOutputModel::clearedBufferStartsOver() {
    OutputBuffer buffer({.maxLines = 5, .maxBytes = 1000, .maxLineBytes = 100});
    OutputModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBuffer(&buffer);
    buffer.append(OutputChannel::Stdout, "a\nb\nc\n");
    QVERIFY(synced(model, buffer));
    // Cleared and refilled with more lines than before within one batch.
    buffer.clear();
    buffer.append(OutputChannel::Stdout, "1\n2\n3\n4\n5\n6\n7\n");
    QVERIFY(synced(model, buffer));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(0).data(OutputModel::TextRole).toString(), QStringLiteral("3"));
}

// The matches stay exactly those of the kept rows while lines arrive and drop in every kind
// of batch; the current match stays on its line until that line drops out.
void TestOutputModel::searchFollowsTheTail() {
    OutputBuffer buffer({.maxLines = 40, .maxBytes = 100000, .maxLineBytes = 100});
    OutputModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBuffer(&buffer);
    model.search(QStringLiteral("Needle"), 0);
    QCOMPARE(model.matchCount(), 0);
    QCOMPARE(model.currentMatchLine(), 0);

    QRandomGenerator random(7);
    qint64 counter = 0;
    for (int batch = 0; batch < 80; ++batch) {
        const int chunks = int(random.bounded(1, 6));
        for (int i = 0; i < chunks; ++i) {
            const auto channel =
                random.bounded(2) == 0 ? OutputChannel::Stderr : OutputChannel::Stdout;
            QByteArray chunk;
            const int pieces = batch % 9 == 8 ? 60 : int(random.bounded(0, 5));
            for (int p = 0; p < pieces; ++p)
                chunk += (random.bounded(4) == 0 ? "a needle " : "hay ") +
                         QByteArray::number(++counter) + '\n';
            chunk += random.bounded(3) == 0 ? "part NEEDLE" : "part";
            buffer.append(channel, chunk);
        }
        if (batch % 11 == 10)
            buffer.finish();
        const qint64 before = model.currentMatchLine();
        QVERIFY(synced(model, buffer));
        const QList<qint64> expected = matchingLines(model, QStringLiteral("needle"));
        QCOMPARE(model.matchCount(), expected.size());
        if (before > 0 && model.rowOfLine(before) >= 0)
            QCOMPARE(model.currentMatchLine(), before);
        if (model.currentMatchLine() > 0 && model.rowOfLine(model.currentMatchLine()) >= 0)
            QCOMPARE(model.currentMatch(), expected.indexOf(model.currentMatchLine()) + 1);
        if (batch % 5 == 0 && !expected.isEmpty()) {
            QVERIFY(model.nextMatch());
            QVERIFY(expected.contains(model.currentMatchLine()));
        }
    }
    // Stepping through visits every match once, in row order, then wraps around.
    const QList<qint64> expected = matchingLines(model, QStringLiteral("needle"));
    QVERIFY(expected.size() > 2);
    model.search(QStringLiteral("needle"), 0);
    model.search(QStringLiteral("NEEDLE"), 0);
    QCOMPARE(model.currentMatchLine(), expected.first());
    for (qsizetype i = 1; i <= expected.size(); ++i) {
        QVERIFY(model.nextMatch());
        QCOMPARE(model.currentMatchLine(), expected[i % expected.size()]);
    }
    QVERIFY(model.previousMatch());
    QCOMPARE(model.currentMatchLine(), expected.last());
    model.search(QString(), 0);
    QCOMPARE(model.matchCount(), 0);
    QCOMPARE(model.currentMatchLine(), 0);
}

// Rows shift as lines drop; a line is found by its number, and copying by numbers copies
// the kept part of the range.
void TestOutputModel::rowsByLineNumber() {
    OutputBuffer buffer({.maxLines = 10, .maxBytes = 100000, .maxLineBytes = 100});
    OutputModel model;
    model.setBuffer(&buffer);
    // Two open lines at once: numbers are given when a line opens, so they leave row order.
    buffer.append(OutputChannel::Stdout, "out 1 ");
    buffer.append(OutputChannel::Stderr, "err 2\nerr 3\n");
    buffer.append(OutputChannel::Stdout, "continues\n");
    QVERIFY(synced(model, buffer));
    QCOMPARE(model.index(0).data(OutputModel::NumberRole).toLongLong(), 2);
    QCOMPARE(model.index(2).data(OutputModel::NumberRole).toLongLong(), 1);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.rowOfLine(model.index(row).data(OutputModel::NumberRole).toLongLong()), row);
    QCOMPARE(model.linesText(2, 1), QStringLiteral("err 2\nerr 3\nout 1 continues"));

    for (int i = 4; i <= 15; ++i)
        buffer.append(OutputChannel::Stdout, QByteArray::number(i) + '\n');
    QVERIFY(synced(model, buffer));
    QCOMPARE(model.rowOfLine(3), -1);
    QCOMPARE(model.rowOfLine(6), 0);
    QCOMPARE(model.rowOfLine(15), 9);
    QCOMPARE(model.linesText(7, 9), QStringLiteral("7\n8\n9"));
    // From a line that dropped: what is kept of the range.
    QCOMPARE(model.linesText(2, 7), QStringLiteral("6\n7"));
    QCOMPARE(model.linesText(1, 3), QString());
}

void TestOutputModel::escapesAreRenderedNotShown() {
    OutputBuffer buffer;
    OutputModel model;
    model.setBuffer(&buffer);
    buffer.append(OutputChannel::Stdout, "\x1b[31mred starts\nstill red\x1b[0m\nplain\n");
    buffer.append(OutputChannel::Stderr, "stderr is its own stream\n");
    QTRY_COMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(0).data(OutputModel::TextRole).toString(), QStringLiteral("red starts"));
    const QString red = ansiColorName(1, false);
    QVERIFY(model.index(0).data(OutputModel::MarkupRole).toString().contains(red));
    // The colour set on one line goes on to the next line of the same stream.
    QVERIFY(model.index(1).data(OutputModel::MarkupRole).toString().contains(red));
    QCOMPARE(model.index(2).data(OutputModel::MarkupRole).toString(), QString());
    QCOMPARE(model.index(3).data(OutputModel::MarkupRole).toString(), QString());
    QVERIFY(!model.index(0).data(OutputModel::RichMarkupRole).toBool());
    // Copy and search see the text without escapes.
    QCOMPARE(model.linesText(1, 2), QStringLiteral("red starts\nstill red"));
    model.search(QStringLiteral("31m"), 0);
    QCOMPARE(model.matchCount(), 0);
    // The palette follows the window's.
    model.setDarkBackground(true);
    QVERIFY(
        model.index(0).data(OutputModel::MarkupRole).toString().contains(ansiColorName(1, true)));
}

void TestOutputModel::attemptHeaders() {
    OutputBuffer buffer;
    OutputModel model;
    model.setBuffer(&buffer);
    const QDateTime start = QDateTime::currentDateTime();
    buffer.beginSection({1, start, QStringLiteral("aaaa1111"), 0});
    buffer.append(OutputChannel::Stdout, "first");
    QTRY_COMPARE(model.rowCount(), 1);
    // One attempt needs no separator.
    QCOMPARE(model.index(0).data(OutputModel::AttemptHeaderRole).toString(), QString());
    // The next attempt's output starts on a line of its own, under its own header.
    buffer.beginSection({2, start, QStringLiteral("bbbb2222"), 0});
    buffer.append(OutputChannel::Stdout, "second\n");
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data(OutputModel::TextRole).toString(), QStringLiteral("first"));
    const QString first = model.index(0).data(OutputModel::AttemptHeaderRole).toString();
    const QString second = model.index(1).data(OutputModel::AttemptHeaderRole).toString();
    QVERIFY2(first.startsWith(QStringLiteral("Attempt 1")) &&
                 first.contains(QStringLiteral("aaaa1111")),
             qPrintable(first));
    QVERIFY2(second.startsWith(QStringLiteral("Attempt 2")) &&
                 second.contains(QStringLiteral("bbbb2222")),
             qPrintable(second));
    QVERIFY(second.contains(dateTimeText(start)));
}

QTEST_MAIN(TestOutputModel)
#include "tst_outputmodel.moc"
