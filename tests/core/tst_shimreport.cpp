// The parser of the shim's report (core/shimreport.h): the same result however the bytes are
// cut into chunks, relayed frames delivered byte for byte whatever they contain, and lines it
// does not understand kept, never read as something else.

#include "shimreport.h"

#include <QRandomGenerator>
#include <QTest>

using jobmonitor::OutputChannel;
using jobmonitor::ShimReport;

namespace {

// Everything a parser learned, in one comparable value.
struct Parsed {
    QList<std::pair<OutputChannel, QByteArray>> output;
    QList<qint64> leaderCalls;
    int outputErrorCalls = 0;
    bool complete = false;
    qint64 leader = 0;
    std::optional<int> exitCode;
    std::optional<int> signal;
    QString error;
    QString outputError;
    int stragglers = 0;
    int killed = 0;
    int killedEscapees = 0;
    bool killRequested = false;
    bool killedBySequence = false;
    std::optional<bool> stopEffect;
    std::optional<qint64> cpuTimeMs;
    std::optional<qint64> maxProcessRssBytes;
    QList<qint64> adopted;
    QList<QByteArray> unknown;

    bool operator==(const Parsed &) const = default;
};

char *toString(const Parsed &p) {
    QByteArray text = "output:";
    for (const auto &[channel, data] : p.output)
        text += (channel == OutputChannel::Stdout ? " out " : " err ") +
                QByteArray::number(data.size()) + ":" + data.toHex().left(40);
    text += " leader=" + QByteArray::number(p.leader) +
            " exit=" + (p.exitCode ? QByteArray::number(*p.exitCode) : "-") +
            " signal=" + (p.signal ? QByteArray::number(*p.signal) : "-") +
            " error=" + p.error.toUtf8() + " outputError=" + p.outputError.toUtf8() +
            " stragglers=" + QByteArray::number(p.stragglers) +
            " killed=" + QByteArray::number(p.killed) + "/" + QByteArray::number(p.killedEscapees) +
            " request=" + QByteArray::number(p.killRequested) +
            " sequence=" + QByteArray::number(p.killedBySequence) +
            " stopEffect=" + (p.stopEffect ? QByteArray::number(*p.stopEffect) : "-") +
            " complete=" + QByteArray::number(p.complete) + " unknown=" + p.unknown.join('|');
    return qstrdup(text.constData());
}

// Feeds bytes in chunks whose sizes come from nextSize.
Parsed parse(const QByteArray &bytes, const std::function<qsizetype()> &nextSize) {
    Parsed p;
    ShimReport report;
    report.onOutput = [&p](OutputChannel channel, const QByteArray &data) {
        p.output.append({channel, data});
    };
    report.onLeader = [&p](qint64 pid) { p.leaderCalls << pid; };
    report.onOutputError = [&p] { ++p.outputErrorCalls; };
    for (qsizetype at = 0; at < bytes.size();) {
        const qsizetype size = std::min(nextSize(), bytes.size() - at);
        report.feed(QByteArrayView(bytes).sliced(at, size));
        at += size;
    }
    p.complete = report.complete();
    p.leader = report.leaderPid();
    p.exitCode = report.exitCode();
    p.signal = report.signal();
    p.error = report.error();
    p.outputError = report.outputError();
    p.stragglers = report.stragglers();
    p.killed = report.killed();
    p.killedEscapees = report.killedEscapees();
    p.killRequested = report.killRequested();
    p.killedBySequence = report.killedBySequence();
    p.stopEffect = report.stopEffect();
    p.cpuTimeMs = report.cpuTimeMs();
    p.maxProcessRssBytes = report.maxProcessRssBytes();
    p.adopted = report.adopted();
    p.unknown = report.unknownLines();
    return p;
}

Parsed parseWhole(const QByteArray &bytes) {
    return parse(bytes, [&bytes] { return std::max<qsizetype>(1, bytes.size()); });
}

QByteArray frame(const char *key, const QByteArray &payload) {
    return QByteArray(key) + ' ' + QByteArray::number(payload.size()) + '\n' + payload;
}

// Payloads that look like report lines, end without a newline, hold NUL and every byte value.
QByteArray awkward(int seed) {
    QByteArray bytes = "exit 0\ndone\nout 5\n";
    bytes += QByteArray("\0\n\r\xff\xfe", 5);
    QRandomGenerator random(seed);
    for (int i = 0; i < 300; ++i)
        bytes += char(random.bounded(256));
    return bytes + "no newline";
}

QByteArray fullReport() {
    return QByteArray("leader 4242\n") + frame("out", "hello\n") + frame("err", awkward(1)) +
           "output-error stdout: stdout: No space left on device\n" +
           frame("out", QByteArray(70000, 'y')) + frame("out", "\n") + "stopping request\n" +
           "step 15\n" + "step 18\n" + frame("err", awkward(2)) + "kill sequence\n" +
           "stragglers 2\n" + "killed 3 1\n" + "stop-effect 1\n" + "usage 1234 20480\n" +
           "signal 9\n" + "done\n";
}

} // namespace

class TestShimReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void wholeReport() {
        const Parsed p = parseWhole(fullReport());
        const QList<std::pair<OutputChannel, QByteArray>> output{
            {OutputChannel::Stdout, "hello\n"},
            {OutputChannel::Stderr, awkward(1)},
            {OutputChannel::Stdout, QByteArray(70000, 'y')},
            {OutputChannel::Stdout, "\n"},
            {OutputChannel::Stderr, awkward(2)},
        };
        QCOMPARE(p.output, output);
        QCOMPARE(p.leaderCalls, QList<qint64>{4242});
        QCOMPARE(p.outputErrorCalls, 1);
        QVERIFY(p.complete);
        QCOMPARE(p.leader, 4242);
        QCOMPARE(p.exitCode, std::nullopt);
        QCOMPARE(p.signal, std::optional<int>(9));
        QCOMPARE(p.error, QString());
        QCOMPARE(p.outputError, QStringLiteral("stdout: stdout: No space left on device"));
        QCOMPARE(p.stragglers, 2);
        QCOMPARE(p.killed, 3);
        QCOMPARE(p.killedEscapees, 1);
        QVERIFY(!p.killRequested);
        QVERIFY(p.killedBySequence);
        QCOMPARE(p.stopEffect, std::optional<bool>(true));
        QCOMPARE(p.cpuTimeMs, std::optional<qint64>(1234));
        QCOMPARE(p.maxProcessRssBytes, std::optional<qint64>(20480 * 1024));
        QCOMPARE(p.unknown, QList<QByteArray>());
    }

    // An older shim says nothing of what the job used: not known, never 0.
    void usageUnknownWithoutItsLine() {
        const Parsed p = parseWhole("exit 0\ndone\n");
        QCOMPARE(p.cpuTimeMs, std::nullopt);
        QCOMPARE(p.maxProcessRssBytes, std::nullopt);
    }

    // However the pipe cuts the report, the parser learns the same.
    void chunkingDoesNotMatter_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("seed");
        const QList<std::pair<const char *, QByteArray>> reports{
            {"full", fullReport()},
            {"exec failure",
             "error exec /nonexistent: No such file or directory\nstragglers 0\nkilled 0 0\n"
             "exit 127\ndone\n"},
            {"adopting", "adopted 10\nstep 15\nadopted 11\nkill sequence\nkilled 2 1\ndone\n"},
            {"killed shim", "leader 7\n" + frame("out", "partial") + "out 100\nonly some"},
            {"unknown lines", "leader 7\nfuture-key some value\n\nexit 0\nwhatever\ndone\n"},
        };
        for (const auto &[name, bytes] : reports)
            for (int seed : {1, 2, 3, 4})
                QTest::addRow("%s, chunks from seed %d", name, seed) << bytes << seed;
    }
    void chunkingDoesNotMatter() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, seed);
        const Parsed whole = parseWhole(bytes);
        const Parsed byteByByte = parse(bytes, [] { return 1; });
        QCOMPARE(byteByByte, whole);
        QRandomGenerator random(seed);
        const Parsed randomChunks =
            parse(bytes, [&random] { return qsizetype(random.bounded(1, 9000)); });
        QCOMPARE(randomChunks, whole);
        // Cut exactly before and after every newline.
        qsizetype at = 0;
        const Parsed atNewlines = parse(bytes, [&bytes, &at] {
            const qsizetype newline = bytes.indexOf('\n', at);
            const qsizetype size =
                newline < 0 ? bytes.size() - at : std::max<qsizetype>(1, newline - at);
            at += size;
            return size;
        });
        QCOMPARE(atNewlines, whole);
    }

    // A frame is delivered when its last byte is in, not before, and only once.
    void frameArrivesWhenComplete() {
        ShimReport report;
        QList<QByteArray> delivered;
        report.onOutput = [&delivered](OutputChannel, const QByteArray &data) {
            delivered << data;
        };
        report.feed("out 6\nab\nc");
        QCOMPARE(delivered, QList<QByteArray>());
        report.feed("d\n");
        QCOMPARE(delivered, QList<QByteArray>{"ab\ncd\n"});
        report.feed("err 0\nexit 3\n");
        QCOMPARE(delivered, QList<QByteArray>{"ab\ncd\n"});
        QCOMPARE(report.exitCode(), std::optional<int>(3));
        QVERIFY(!report.complete());
    }

    void fields_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QVariant>("value");
        const auto row = [](const char *name, const char *bytes, const char *field,
                            const QVariant &value) {
            QTest::newRow(name) << QByteArray(bytes) << QString::fromLatin1(field) << value;
        };
        row("leader", "leader 123\n", "leader", qint64(123));
        row("exit", "exit 255\n", "exit", 255);
        row("signal", "signal 15\n", "signal", 15);
        row("exec error", "error exec x: Permission denied\n", "error",
            QStringLiteral("exec x: Permission denied"));
        row("shim failure", "error signalfd: Too many open files\n", "error",
            QStringLiteral("signalfd: Too many open files"));
        row("output error", "output-error stderr: index: File too large\n", "outputError",
            QStringLiteral("stderr: index: File too large"));
        row("stragglers", "stragglers 4\n", "stragglers", 4);
        row("killed", "killed 5 2\n", "killed", QStringLiteral("5/2"));
        row("kill request", "kill request\n", "kill", QStringLiteral("request"));
        row("kill sequence", "kill sequence\n", "kill", QStringLiteral("sequence"));
        row("stop-effect 0", "stop-effect 0\n", "stopEffect", false);
        row("stop-effect 1", "stop-effect 1\n", "stopEffect", true);
        row("adopted", "adopted 3\nadopted 9\n", "adopted", QStringLiteral("3,9"));
        row("done", "done\n", "complete", true);
        row("no done", "exit 0\n", "complete", false);
    }
    void fields() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, field);
        QFETCH(QVariant, value);
        const Parsed p = parseWhole(bytes);
        QCOMPARE(p.unknown, QList<QByteArray>());
        QVariant actual;
        if (field == QLatin1String("leader"))
            actual = p.leader;
        else if (field == QLatin1String("exit"))
            actual = p.exitCode.value_or(-1);
        else if (field == QLatin1String("signal"))
            actual = p.signal.value_or(-1);
        else if (field == QLatin1String("error"))
            actual = p.error;
        else if (field == QLatin1String("outputError"))
            actual = p.outputError;
        else if (field == QLatin1String("stragglers"))
            actual = p.stragglers;
        else if (field == QLatin1String("killed"))
            actual = QStringLiteral("%1/%2").arg(p.killed).arg(p.killedEscapees);
        else if (field == QLatin1String("kill"))
            actual = p.killRequested      ? QStringLiteral("request")
                     : p.killedBySequence ? QStringLiteral("sequence")
                                          : QString();
        else if (field == QLatin1String("stopEffect"))
            actual = p.stopEffect.value_or(!value.toBool());
        else if (field == QLatin1String("adopted")) {
            QStringList pids;
            for (qint64 pid : p.adopted)
                pids << QString::number(pid);
            actual = pids.join(QLatin1Char(','));
        } else if (field == QLatin1String("complete"))
            actual = p.complete;
        QCOMPARE(actual, value);
    }

    // What the parser does not understand is kept for the log, and never read as something
    // it is not: a garbled "exit" is no exit status 0, a garbled frame header eats no output.
    void unknownLinesAreKept_data() {
        QTest::addColumn<QByteArray>("line");
        for (const char *line : {"future-key value",
                                 "",
                                 "exit",
                                 "exit zero",
                                 "exit 3x",
                                 "signal",
                                 "signal -",
                                 "leader",
                                 "leader abc",
                                 "stragglers many",
                                 "killed",
                                 "killed 3",
                                 "killed a b",
                                 "adopted",
                                 "adopted x",
                                 "stop-effect",
                                 "stop-effect yes",
                                 "usage",
                                 "usage 12",
                                 "usage 12 x",
                                 "usage 1 2 3",
                                 "out",
                                 "out -1",
                                 "err x",
                                 "kill",
                                 "kill whenever"})
            QTest::addRow("\"%s\"", line) << QByteArray(line);
    }
    void unknownLinesAreKept() {
        QFETCH(QByteArray, line);
        const Parsed p = parseWhole(line + "\n" + frame("out", "after\n") + "done\n");
        QCOMPARE(p.unknown, QList<QByteArray>{line});
        QCOMPARE(p.output,
                 (QList<std::pair<OutputChannel, QByteArray>>{{OutputChannel::Stdout, "after\n"}}));
        QCOMPARE(p.exitCode, std::nullopt);
        QCOMPARE(p.signal, std::nullopt);
        QCOMPARE(p.leader, 0);
        QCOMPARE(p.leaderCalls, QList<qint64>());
        QCOMPARE(p.stragglers, 0);
        QCOMPARE(p.killed, 0);
        QCOMPARE(p.adopted, QList<qint64>());
        QCOMPARE(p.stopEffect, std::nullopt);
        QVERIFY(!p.killRequested && !p.killedBySequence);
        QVERIFY(p.complete);
    }
};

QTEST_GUILESS_MAIN(TestShimReport)
#include "tst_shimreport.moc"
