// The output model against its buffer: after every batch its rows are exactly the buffer's
// lines, however the output arrived (floods, partial lines on both channels, a clear).
#include "outputmodel.h"

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

QTEST_MAIN(TestOutputModel)
#include "tst_outputmodel.moc"
