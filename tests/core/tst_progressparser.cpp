#include "outputbuffer.h"
#include "progressparser.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace jobmonitor;
using namespace Qt::StringLiterals;

using LineEnd = ProgressParser::LineEnd;
using Kind = Progress::Kind;
using Form = ProgressParser::Form;

namespace {

constexpr LineEnd Open = LineEnd::Open;
constexpr LineEnd Ended = LineEnd::Ended;

QByteArray fixture(const QString &name) {
    QFile file(QStringLiteral(JM_PROGRESS_FIXTURES "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(file.fileName()));
    return file.readAll();
}

struct FedLine {
    QString text;
    LineEnd end = Ended;
};

// The lines as Job Monitor sees them: split on '\n'; a '\r' not followed by '\n' ends the line
// as it was drawn (the next text overwrites it); what is left at the end is still Open.
QList<FedLine> linesOf(const QByteArray &bytes) {
    QList<FedLine> lines;
    QByteArray current;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            lines.append({QString::fromUtf8(current), Ended});
            current.clear();
        } else {
            current.append(c);
        }
    }
    if (!current.isEmpty())
        lines.append({QString::fromUtf8(current), Open});
    return lines;
}

// What a tool's line says, read by a regular expression written for that tool alone.
std::optional<double> oracle(const QRegularExpression &expression, const QString &line) {
    const QRegularExpressionMatch match = expression.match(line);
    if (!match.hasMatch())
        return std::nullopt;
    if (match.capturedStart(u"percent") >= 0 && match.capturedStart(u"done") < 0)
        return match.captured(u"percent").toDouble() / 100;
    return match.captured(u"done").toDouble() / match.captured(u"total").toDouble();
}

bool near(double a, double b, double tolerance) {
    return std::abs(a - b) <= tolerance + 1e-12;
}

QString describe(const std::optional<Progress> &progress) {
    if (!progress)
        return u"none"_s;
    QString text = QString::number(progress->fraction);
    if (progress->done)
        text += u" (%1/%2)"_s.arg(*progress->done).arg(*progress->total);
    return text;
}

} // namespace

class TestProgressParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void toolOutput_data();
    void toolOutput();
    void toolOutputInChunks_data();
    void toolOutputInChunks();
    void outputWithoutProgress_data();
    void outputWithoutProgress();

    void strongFormsShowAtOnce_data();
    void strongFormsShowAtOnce();
    void weakFormsNeedASecondHigherLine_data();
    void weakFormsNeedASecondHigherLine();
    void neverProgress_data();
    void neverProgress();
    void openLineIgnoresACountThatMayBeCut_data();
    void openLineIgnoresACountThatMayBeCut();
    void terminalText_data();
    void terminalText();
    void longLinesAreReadAtBothEnds();

    void lowerValueOfTheSameShapeIsIgnored();
    void restartFromNearZeroIsANewPhase();
    void newTotalIsANewPhase();
    void otherShapeIsIgnoredWhileAPhaseRuns();
    void otherShapeTakesOverAfterThreeLinesInARow();
    void takeoverStreakBrokenByTheLockedShapeOrAFall();
    void finishedPhaseLetsTheNextToolIn();
    void progressStaysAcrossLinesWithoutProgress();
    void resetForgetsEverything();

    void validatePattern_data();
    void validatePattern();
    void customPattern_data();
    void customPattern();
    void customPatternReplacesBuiltInForms();
    void invalidPatternReadsNothing();
    void setPatternSwitchesAndForgets();
};

// Each fixture is fed line by line; a regular expression written for that tool alone says what
// each line shows. Every line it matches must be read as exactly that (after the first
// `unreadFirst` of them: a weak form needs a second line), every other line must give nothing.
void TestProgressParser::toolOutput_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("oracle");
    QTest::addColumn<double>("tolerance");
    QTest::addColumn<int>("unreadFirst");
    QTest::addColumn<int>("phases");
    QTest::addColumn<int>("toolLines");    // lines the oracle matches
    QTest::addColumn<qint64>("finalDone"); // -1: no exact count

    const QString bracket = uR"(^\[ *(?<percent>\d+)%\])"_s;
    const QString ninja = uR"(^\[(?<done>\d+)/(?<total>\d+)\] )"_s;
    const QString tqdmCount = uR"(\| (?<done>\d+)/(?<total>\d+) \[)"_s;
    const QString pip = uR"((?<done>\d+\.\d)/(?<total>\d+\.\d) MB)"_s;
    QTest::newRow("make") << u"make.txt"_s << bracket << 0.0 << 0 << 1 << 31 << -1LL;
    QTest::newRow("make on a terminal")
        << u"make-tty.txt"_s << bracket << 0.0 << 0 << 1 << 31 << -1LL;
    QTest::newRow("ninja") << u"ninja.txt"_s << ninja << 0.0 << 0 << 1 << 28 << 28LL;
    QTest::newRow("ninja on a terminal")
        << u"ninja-tty.txt"_s << ninja << 0.0 << 0 << 1 << 56 << 28LL;
    QTest::newRow("ctest") << u"ctest.txt"_s << uR"(^ *(?<done>\d+)/(?<total>\d+) Test )"_s << 0.0
                           << 0 << 1 << 13 << 13LL;
    QTest::newRow("rsync --info=progress2")
        << u"rsync-progress2.txt"_s << uR"(^ +[\d,]+ +(?<percent>\d+)% )"_s << 0.0 << 0 << 1 << 72
        << -1LL;
    QTest::newRow("tqdm") << u"tqdm-count.txt"_s << tqdmCount << 0.0 << 0 << 1 << 32 << 60LL;
    // The parser reads the scaled count ("1.91M/47.7M"), the oracle the rounded percentage.
    QTest::newRow("tqdm in bytes")
        << u"tqdm-bytes.txt"_s << uR"((?<percent>\d+)%\|)"_s << 0.006 << 0 << 1 << 27 << -1LL;
    QTest::newRow("tqdm epochs") << u"tqdm-epochs.txt"_s << tqdmCount << 0.0 << 0 << 3 << 36
                                 << 20LL;
    QTest::newRow("curl meter") << u"curl-meter.txt"_s
                                << uR"(^ *(?<percent>\d+) +[1-9][\d.]*[kMG]? )"_s << 0.0 << 0 << 1
                                << 5 << -1LL;
    QTest::newRow("curl -#") << u"curl-bar.txt"_s << uR"((?<percent>\d+\.\d)%$)"_s << 0.0 << 1 << 1
                             << 32 << -1LL;
    QTest::newRow("wget bar") << u"wget-bar.txt"_s << uR"((?<percent>\d+)%\[)"_s << 0.0 << 0 << 1
                              << 19 << -1LL;
    QTest::newRow("wget dots") << u"wget-dot.txt"_s << uR"((?<percent>\d+)% +\d)"_s << 0.0 << 1 << 1
                               << 40 << -1LL;
    QTest::newRow("pip") << u"pip.txt"_s << pip << 0.0 << 0 << 1 << 1 << -1LL;
    QTest::newRow("pip on a terminal") << u"pip-tty.txt"_s << pip << 0.0 << 0 << 1 << 15 << -1LL;
    QTest::newRow("git clone") << u"git-clone.txt"_s
                               << uR"((?<percent>\d+)% \((?<done>\d+)/(?<total>\d+)\))"_s << 0.0
                               << 0 << 3 << 27 << 3002LL;
}

void TestProgressParser::toolOutput() {
    QFETCH(QString, file);
    QFETCH(QString, oracle);
    QFETCH(double, tolerance);
    QFETCH(int, unreadFirst);
    QFETCH(int, phases);
    QFETCH(int, toolLines);
    QFETCH(qint64, finalDone);
    const QRegularExpression expected(oracle);
    QVERIFY(expected.isValid());

    ProgressParser parser;
    int matched = 0;
    int readings = 0;
    int restarts = 0;
    double last = -1;
    std::optional<double> lastExpected;
    for (const FedLine &line : linesOf(fixture(file))) {
        const std::optional<double> want = ::oracle(expected, line.text);
        const std::optional<Progress> got = parser.feed(line.text, line.end);
        const QByteArray where = "line " + line.text.toUtf8().toPercentEncoding(" :/[]|%#.,()");
        if (!want) {
            QVERIFY2(!got, where + " gave " + describe(got).toUtf8());
            continue;
        }
        ++matched;
        if (matched <= unreadFirst) {
            QVERIFY2(!got, where + " was read at first sight");
            lastExpected = *want;
            continue;
        }
        QVERIFY2(got, where + " was not read");
        QVERIFY2(near(got->fraction, *want, tolerance),
                 where + " gave " + describe(got).toUtf8() + ", not " + QByteArray::number(*want));
        ++readings;
        // The tool's own progress only falls where a new phase starts, from ~0.
        if (lastExpected && *want < *lastExpected) {
            ++restarts;
            QVERIFY2(*want <= 0.05, where);
        }
        lastExpected = *want;
        last = got->fraction;
    }
    QCOMPARE(restarts, phases - 1);
    QCOMPARE(matched, toolLines);
    QCOMPARE(readings, toolLines - unreadFirst);
    QCOMPARE(last, 1.0);
    QVERIFY(parser.current());
    QCOMPARE(parser.current()->fraction, 1.0);
    if (finalDone >= 0) {
        QCOMPARE(parser.current()->kind, Kind::Count);
        QCOMPARE(parser.current()->done, std::optional<qint64>(finalDone));
        QCOMPARE(parser.current()->total, std::optional<qint64>(finalDone));
    }
}

// As the job engine will see the output: chunks of any size through the real OutputBuffer, the
// new complete lines fed as Ended and the open line, as it grows, as Open. However the chunks
// fall, every value shown is one the tool printed, the bar only falls where the tool starts a
// new phase, and it ends where the tool ended.
void TestProgressParser::toolOutputInChunks_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("oracle");
    QTest::addColumn<double>("tolerance");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<bool>("weak");

    const QList<std::tuple<QString, QString, double>> tools = {
        {u"make-tty.txt"_s, uR"(^\[ *(?<percent>\d+)%\])"_s, 0.0},
        {u"ninja-tty.txt"_s, uR"(^\[(?<done>\d+)/(?<total>\d+)\] )"_s, 0.0},
        {u"ctest.txt"_s, uR"(^ *(?<done>\d+)/(?<total>\d+) Test )"_s, 0.0},
        {u"rsync-progress2.txt"_s, uR"(^ +[\d,]+ +(?<percent>\d+)% )"_s, 0.0},
        {u"tqdm-count.txt"_s, uR"(\| (?<done>\d+)/(?<total>\d+) \[)"_s, 0.0},
        {u"tqdm-bytes.txt"_s, uR"((?<percent>\d+)%\|)"_s, 0.006},
        {u"tqdm-epochs.txt"_s, uR"((?<percent>\d+)%\|)"_s, 0.0},
        {u"curl-meter.txt"_s, uR"(^ *(?<percent>\d+) +[1-9][\d.]*[kMG]? )"_s, 0.0},
        {u"curl-bar.txt"_s, uR"((?<percent>\d+\.\d)%$)"_s, 0.0},
        {u"wget-bar.txt"_s, uR"((?<percent>\d+)%\[)"_s, 0.0},
        {u"wget-dot.txt"_s, uR"((?<percent>\d+)% +\d)"_s, 0.0},
        {u"pip-tty.txt"_s, uR"((?<done>\d+\.\d)/(?<total>\d+\.\d) MB)"_s, 0.0},
        {u"git-clone.txt"_s, uR"((?<percent>\d+)% \((?<done>\d+)/(?<total>\d+)\))"_s, 0.0},
    };
    for (const auto &[file, oracle, tolerance] : tools) {
        for (const int chunk : {1, 7, 64, 4096}) {
            // A weak form needs two lines: when one chunk holds all of curl's redraws, only
            // the last is seen.
            QTest::addRow("%s in %d-byte chunks", qPrintable(file), chunk)
                << file << oracle << tolerance << chunk << (file == u"curl-bar.txt"_s);
        }
    }
}

void TestProgressParser::toolOutputInChunks() {
    QFETCH(QString, file);
    QFETCH(QString, oracle);
    QFETCH(double, tolerance);
    QFETCH(int, chunk);
    QFETCH(bool, weak);
    const QRegularExpression expected(oracle);
    const QByteArray bytes = fixture(file);

    // Every value the tool printed (tqdm also prints its percentage, git its count).
    QList<double> printed;
    for (const FedLine &line : linesOf(bytes)) {
        if (const std::optional<double> value = ::oracle(expected, line.text))
            printed.append(*value);
        static const QRegularExpression percent(uR"((\d+(?:\.\d+)?)%)"_s);
        for (const QRegularExpressionMatch &m : percent.globalMatch(line.text))
            printed.append(m.captured(1).toDouble() / 100);
    }
    const auto wasPrinted = [&](double value) {
        return std::any_of(printed.begin(), printed.end(),
                           [&](double p) { return near(p, value, tolerance); });
    };

    OutputBuffer buffer;
    ProgressParser parser;
    double shown = -1;
    qint64 completedSeen = 0;
    const auto feedNew = [&]() {
        for (const OutputLine &line : buffer.linesAfter(completedSeen)) {
            const std::optional<Progress> got =
                parser.feed(line.text, line.complete ? Ended : Open);
            if (!got)
                continue;
            QVERIFY2(wasPrinted(got->fraction),
                     qPrintable(line.text + u" gave "_s + describe(got)));
            // Falling is only a new phase: from ~0, or after the last one finished.
            QVERIFY2(got->fraction >= shown || got->fraction <= 0.05 || shown == 1,
                     qPrintable(line.text + u" fell from "_s + QString::number(shown)));
            shown = got->fraction;
        }
        completedSeen = buffer.completedLines();
    };
    for (qsizetype at = 0; at < bytes.size() && !QTest::currentTestFailed(); at += chunk) {
        buffer.append(OutputChannel::Stderr, QByteArrayView(bytes).sliced(at).first(
                                                 std::min<qsizetype>(chunk, bytes.size() - at)));
        feedNew();
    }
    if (QTest::currentTestFailed())
        return;
    buffer.finish();
    feedNew();
    if (weak && !parser.current())
        return;
    QVERIFY(parser.current());
    QCOMPARE(parser.current()->fraction, 1.0);
}

void TestProgressParser::outputWithoutProgress_data() {
    QTest::addColumn<QString>("file");
    for (const char *file :
         {"dd.txt", "tqdm-nototal.txt", "curl-meter-nolength.txt", "curl-bar-nolength.txt",
          "wget-bar-nolength.txt", "npm.txt", "npm-tty.txt", "gcc-errors.txt", "make-plain.txt",
          "ls-l.txt", "df-h.txt", "ip-addr.txt", "http-server-log.txt"})
        QTest::newRow(file) << QString::fromLatin1(file);
}

// Line by line, and again in 5-byte chunks through the OutputBuffer: never any progress.
void TestProgressParser::outputWithoutProgress() {
    QFETCH(QString, file);
    const QByteArray bytes = fixture(file);
    ProgressParser parser;
    for (const FedLine &line : linesOf(bytes)) {
        const std::optional<Progress> got = parser.feed(line.text, line.end);
        QVERIFY2(!got, qPrintable(line.text + u" gave "_s + describe(got)));
    }
    QVERIFY(!parser.current());

    OutputBuffer buffer;
    ProgressParser chunked;
    qint64 completedSeen = 0;
    for (qsizetype at = 0; at < bytes.size(); at += 5) {
        buffer.append(OutputChannel::Stdout, QByteArrayView(bytes).sliced(at).first(
                                                 std::min<qsizetype>(5, bytes.size() - at)));
        for (const OutputLine &line : buffer.linesAfter(completedSeen))
            QVERIFY2(!chunked.feed(line.text, line.complete ? Ended : Open), qPrintable(line.text));
        completedSeen = buffer.completedLines();
    }
    QVERIFY(!chunked.current());
}

void TestProgressParser::strongFormsShowAtOnce_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<int>("kind");
    QTest::addColumn<qint64>("done"); // -1: none
    QTest::addColumn<qint64>("total");
    QTest::addColumn<int>("form");

    const auto percent = int(Kind::Percent);
    const auto count = int(Kind::Count);
    QTest::newRow("cmake") << u"[ 45%] Building C object CMakeFiles/a.dir/f.c.o"_s << 0.45
                           << percent << -1LL << -1LL << int(Form::BracketPercent);
    QTest::newRow("cmake done") << u"[100%] Built target demo"_s << 1.0 << percent << -1LL << -1LL
                                << int(Form::BracketPercent);
    QTest::newRow("pytest") << u"tests/test_parser.py .....      [ 45%]"_s << 0.45 << percent
                            << -1LL << -1LL << int(Form::BracketPercent);
    QTest::newRow("apt") << u"Progress: [ 45%] [##########..........]"_s << 0.45 << percent << -1LL
                         << -1LL << int(Form::BracketPercent);
    QTest::newRow("tqdm") << u" 45%|████▌     | 45/100 [00:04<00:05, 9.8it/s]"_s << 0.45 << count
                          << 45LL << 100LL << int(Form::PercentWithCount);
    QTest::newRow("tqdm with decimals")
        << u"45.2 %|████▌     |"_s << 0.452 << percent << -1LL << -1LL << int(Form::BarPercent);
    QTest::newRow("wget") << u"file  45%[=====>    ]  1.2M  3.4MB/s  eta 2s"_s << 0.45 << percent
                          << -1LL << -1LL << int(Form::BarPercent);
    QTest::newRow("pv") << u"1.2GiB 0:00:05 [ 245MiB/s] [=====>     ] 45% ETA 0:00:06"_s << 0.45
                        << percent << -1LL << -1LL << int(Form::BarPercent);
    QTest::newRow("pip")
        << u"   ━━━━━━━━━━━━━━━━━━━━╸━━━━━━━━━━━━━━━━━━━ 2.1/4.2 MB 1.0 MB/s eta 0:00:03"_s << 0.5
        << count << -1LL << -1LL << int(Form::BarCount);
    QTest::newRow("keras") << u"  12/400 [>.............................] - ETA: 3:22 - loss: 2.3"_s
                           << 0.03 << count << 12LL << 400LL << int(Form::BarCount);
    QTest::newRow("cargo") << u"    Building [=======================>   ] 90/100: serde"_s << 0.9
                           << count << 90LL << 100LL << int(Form::BarCount);
    QTest::newRow("docker") << u"a3ed95caeb02: Downloading [=====>      ]  12.3MB/45.6MB"_s
                            << 12.3 / 45.6 << count << -1LL << -1LL << int(Form::BarCount);
    QTest::newRow("ninja") << u"[12/400] Building CXX object x.o"_s << 0.03 << count << 12LL
                           << 400LL << int(Form::NinjaCount);
    QTest::newRow("ctest") << u" 3/13 Test  #3: step3 ..........   Passed    0.10 sec"_s << 3.0 / 13
                           << count << 3LL << 13LL << int(Form::Ctest);
    QTest::newRow("rsync") << u"  1,234,567  45%  1.23MB/s    0:00:05"_s << 0.45 << percent << -1LL
                           << -1LL << int(Form::Rsync);
    QTest::newRow("rsync, to-chk is not the progress")
        << u"     40,000,000  16%   42.07MB/s    0:00:00 (xfr#10, to-chk=50/91)"_s << 0.16
        << percent << -1LL << -1LL << int(Form::Rsync);
    QTest::newRow("curl meter")
        << u" 45 1024k   45  464k    0     0  95821      0  0:00:10  0:00:04  0:00:06 95823"_s
        << 0.45 << percent << -1LL << -1LL << int(Form::CurlMeter);
    QTest::newRow("curl meter, upload")
        << u" 20 10.0M    0     0   20 2048k      0   512k  0:00:20  0:00:04  0:00:16  510k"_s
        << 0.2 << percent << -1LL << -1LL << int(Form::CurlMeter);
    QTest::newRow("git") << u"Receiving objects:  45% (1351/3002), 7.70 MiB | 15.38 MiB/s"_s
                         << 1351.0 / 3002 << count << 1351LL << 3002LL
                         << int(Form::PercentWithCount);
}

void TestProgressParser::strongFormsShowAtOnce() {
    QFETCH(QString, line);
    QFETCH(double, fraction);
    QFETCH(int, kind);
    QFETCH(qint64, done);
    QFETCH(qint64, total);
    QFETCH(int, form);
    ProgressParser parser;
    const std::optional<ProgressParser::Reading> reading = parser.read(line, Ended);
    QVERIFY(reading);
    QCOMPARE(int(reading->form), form);
    QVERIFY(reading->strong);
    const std::optional<Progress> got = parser.feed(line, Ended);
    QVERIFY(got);
    QVERIFY2(near(got->fraction, fraction, 1e-9), qPrintable(describe(got)));
    QCOMPARE(int(got->kind), kind);
    QCOMPARE(got->done, done < 0 ? std::nullopt : std::optional<qint64>(done));
    QCOMPARE(got->total, total < 0 ? std::nullopt : std::optional<qint64>(total));
    QCOMPARE(parser.current(), got);
}

void TestProgressParser::weakFormsNeedASecondHigherLine_data() {
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<double>("fraction"); // after the second; -1: still none

    QTest::newRow("processing") << u"Processing 12/400"_s << u"Processing 13/400"_s << 13.0 / 400;
    QTest::newRow("step") << u"Step 3/10: linking"_s << u"Step 4/10: testing"_s << 0.4;
    QTest::newRow("count alone") << u"12/400"_s << u"13/400"_s << 13.0 / 400;
    QTest::newRow("label") << u"Progress: 12/400"_s << u"Progress: 20/400"_s << 0.05;
    QTest::newRow("parentheses") << u"compiled foo.c (12/400)"_s << u"compiled bar.c (13/400)"_s
                                 << 13.0 / 400;
    QTest::newRow("of") << u"Rendering frame 12 of 400"_s << u"Rendering frame 13 of 400"_s
                        << 13.0 / 400;
    QTest::newRow("of, then punctuation") << u"page 3 of 10."_s << u"page 4 of 10."_s << 0.4;
    QTest::newRow("percent after a label")
        << u"Reading package lists... 45%"_s << u"Reading package lists... 50%"_s << 0.5;
    QTest::newRow("percent alone") << u"45%"_s << u"46%"_s << 0.46;
    QTest::newRow("percent with a space") << u"45.2 %"_s << u"45.3 %"_s << 0.453;
    QTest::newRow("percent done") << u"Encoding: 45% done"_s << u"Encoding: 50% done"_s << 0.5;
    QTest::newRow("bracketed count elsewhere")
        << u"saved [1000/2000]"_s << u"saved [1500/2000]"_s << 0.75;
    QTest::newRow("same line twice is no progress")
        << u"Processing 12/400"_s << u"Processing 12/400"_s << -1.0;
    QTest::newRow("a fall is no confirmation")
        << u"Processing 12/400"_s << u"Processing 11/400"_s << -1.0;
    QTest::newRow("another label is no confirmation") << u"Disk: 50%"_s << u"Memory: 60%"_s << -1.0;
}

void TestProgressParser::weakFormsNeedASecondHigherLine() {
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(double, fraction);
    ProgressParser parser;
    const std::optional<ProgressParser::Reading> reading = parser.read(first, Ended);
    QVERIFY(reading);
    QVERIFY(!reading->strong);
    QVERIFY(!parser.feed(first, Ended));
    QVERIFY(!parser.current());
    const std::optional<Progress> got = parser.feed(second, Ended);
    if (fraction < 0) {
        QVERIFY2(!got, qPrintable(describe(got)));
        QVERIFY(!parser.current());
        return;
    }
    QVERIFY(got);
    QVERIFY2(near(got->fraction, fraction, 1e-9), qPrintable(describe(got)));
}

// Not even a weak reading: no number of such lines makes a bar.
void TestProgressParser::neverProgress_data() {
    QTest::addColumn<QString>("line");
    const char *lines[] = {
        "2026/12/01",
        "Released on 2026/12/01 at 12:00",
        "1/2 cup of sugar",
        "Add 1/2 cup",
        "1 of 2 cups",
        "version 1.2.3",
        "1.2.3/4.5.6",
        "10.0.0.1",
        "inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0",
        "inet6 ::1/128 scope host",
        "cc -c src/12/400.c -o 400.o",
        "src/12/400.c:3:1: warning: unused",
        "HTTP/1.1 200 OK",
        "127.0.0.1 - - [01/Dec/2026 15:30:04] \"GET /report?done=12/400 HTTP/1.1\" 404 -",
        "load 3/4",
        "[12:00:01] load 3/4 on node7",
        "attempt 2/3 failed, retrying",
        "retry 1/5 in 3s",
        "12/400 files copied",
        "50% of the tests are flaky",
        "Disk usage is at 50%",
        "memory grew by 5%",
        "up to 50%",
        "0% packet loss",
        "/dev/vda 252G 19G 78G 20% /",
        "Filesystem Size Used Avail Use% Mounted on",
        "CPU 250%",
        "-5%",
        "change +5%",
        "ratio=50%",
        "50%s",
        "printf(\"%d%% done\", 50)",
        "value 45,2%",
        "overall 45% done, this file 80%",
        "[45/40] more done than there is",
        "[0/0] Nothing to do",
        "1,234/5,678",
        "12 / 400",
        "aspect 16/9:1",
        "12:30/13:00",
        "at 10:12/400",
        "Stage3/10",
        "part1/2",
        "x=12/400",
        "1234567 bytes (1.2 MB, 1.2 MiB) copied, 1 s, 1.2 MB/s",
        "lines: 40it [00:02, 19.78it/s]",
        "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0",
        "100  320k    0  320k    0     0   506k      0 --:--:-- --:--:-- --:--:--  506k",
        "92% tests passed, 1 tests failed out of 13",
        "\xef\xbf\xbd"
        "50%",
        "50%\xef\xbf\xbd",
        "\xef\xbf\xbd"
        "12/400",
    };
    for (const char *line : lines)
        QTest::newRow(line) << QString::fromUtf8(line);
}

void TestProgressParser::neverProgress() {
    QFETCH(QString, line);
    ProgressParser parser;
    for (const LineEnd end : {Ended, Open}) {
        const std::optional<ProgressParser::Reading> reading = parser.read(line, end);
        QVERIFY2(!reading,
                 qPrintable(describe(reading ? std::optional(reading->progress) : std::nullopt)));
    }
}

void TestProgressParser::openLineIgnoresACountThatMayBeCut_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<bool>("readWhenOpen");
    QTest::newRow("count at the end") << u"Processing 12/400"_s << false;
    QTest::newRow("bar count at the end") << u" 45%|████▌     | 45/10"_s << true; // the percent
    QTest::newRow("scaled count at the end") << u"━━━━━━━━━━━━ 2.1/4.2 MB"_s << false;
    QTest::newRow("of at the end") << u"frame 12 of 40"_s << false;
    QTest::newRow("count with text after") << u"Processing 12/400 "_s << true;
    QTest::newRow("ninja count") << u"[12/400]"_s << true;
    QTest::newRow("percent at the end") << u"resize:  45%"_s << true;
}

void TestProgressParser::openLineIgnoresACountThatMayBeCut() {
    QFETCH(QString, line);
    QFETCH(bool, readWhenOpen);
    ProgressParser parser;
    QVERIFY(parser.read(line, Ended));
    const std::optional<ProgressParser::Reading> open = parser.read(line, Open);
    QCOMPARE(bool(open), readWhenOpen);
    if (open && line.contains(u'|'))
        QCOMPARE(open->progress.fraction, 0.45); // the percent alone, not 45/10
}

void TestProgressParser::terminalText_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<double>("fraction"); // -1: none
    QTest::newRow("colours") << u"\x1b[32m[ 45%]\x1b[0m Building"_s << 0.45;
    QTest::newRow("gcc colours") << u"\x1b[01m\x1b[K[ 45%]\x1b[m\x1b[K"_s << 0.45;
    QTest::newRow("OSC title ended by BEL") << u"\x1b]0;copy 99%\a[ 45%] x"_s << 0.45;
    QTest::newRow("OSC title ended by ST") << u"\x1b]2;copy 99%\x1b\\[ 45%] x"_s << 0.45;
    QTest::newRow("charset selection") << u"\x1b(B[ 45%] x"_s << 0.45;
    QTest::newRow("C1 CSI") << u"\u009b32m[ 45%]"_s << 0.45;
    QTest::newRow("cursor hidden") << u"\x1b[?25l[ 45%]"_s << 0.45;
    QTest::newRow("unterminated escape") << u"[ 45%] \x1b["_s << 0.45;
    QTest::newRow("escape glued to a number") << u"[ 4\x1b[1m5%]"_s << 0.45;
    QTest::newRow("backspaces") << u"[ 10%]\b\b\b\b20%]"_s << 0.2;
    QTest::newRow("column 1 restarts the line") << u"[ 10%] old\x1b[1G[ 20%] new"_s << 0.2;
    QTest::newRow("column 1, no parameter") << u"[ 10%] old\x1b[G[ 20%] new"_s << 0.2;
    QTest::newRow("column 5 does not") << u"[ 10%] old\x1b[5G[ 20%] new"_s << -1.0;
    QTest::newRow("carriage return inside") << u"[ 10%] old\r[ 20%] new"_s << 0.2;
    QTest::newRow("carriage return at the end") << u"[ 20%] drawn\r"_s << 0.2;
    QTest::newRow("tab") << u"[ 45%]\tBuilding"_s << 0.45;
    QTest::newRow("NUL and BEL dropped") << u"[ 4\x00"
                                            "5%]\a"_s
                                         << 0.45;
    QTest::newRow("invalid UTF-8 elsewhere") << QString::fromUtf8("\xff\xfe[ 45%] \xc3") << 0.45;
}

void TestProgressParser::terminalText() {
    QFETCH(QString, line);
    QFETCH(double, fraction);
    ProgressParser parser;
    const std::optional<Progress> got = parser.feed(line, Ended);
    if (fraction < 0) {
        QVERIFY2(!got, qPrintable(describe(got)));
        return;
    }
    QVERIFY2(got, qPrintable(line));
    QVERIFY2(near(got->fraction, fraction, 1e-9), qPrintable(describe(got)));
}

void TestProgressParser::longLinesAreReadAtBothEnds() {
    const QString middle(100000, u'x');
    ProgressParser parser;
    // ninja -v: the count at the start of a long command line.
    std::optional<Progress> got = parser.feed(u"[12/400] g++ "_s + middle + u" -c x.cpp"_s, Ended);
    QVERIFY(got);
    QCOMPARE(got->done, std::optional<qint64>(12));
    // A bar at the end of a long line.
    parser.reset();
    got = parser.feed(middle + u" 45%|████▌     | 45/100 [00:04<00:05, 9.8it/s]"_s, Ended);
    QVERIFY(got);
    QCOMPARE(got->done, std::optional<qint64>(45));
    // A number cut by the window is no number.
    parser.reset();
    QVERIFY(!parser.read(QString(300, u'1') + u"/400 "_s + middle, Ended));
    QVERIFY(!parser.read(middle + QString(600, u'4') + u"5%|████▌     |"_s, Ended));
    // Whole-line forms need the whole line: what is left is a weak percentage.
    const std::optional<ProgressParser::Reading> rsync =
        parser.read(u"  1,234,567  45%  1.23MB/s    0:00:05 (xfr#1, "_s + middle + u")"_s, Ended);
    QVERIFY(rsync);
    QCOMPARE(rsync->form, Form::WeakPercent);
}

void TestProgressParser::lowerValueOfTheSameShapeIsIgnored() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[ 50%] Building C object b.o"_s, Ended));
    // CMake's percentages can come out of order with -j: the bar holds.
    QVERIFY(!parser.feed(u"[ 45%] Building C object a.o"_s, Ended));
    QCOMPARE(parser.current()->fraction, 0.5);
    QCOMPARE(parser.feed(u"[ 55%] Linking"_s, Ended)->fraction, 0.55);
    QVERIFY(!parser.feed(u"[ 6%] odd"_s, Ended)); // not ~0
    QCOMPARE(parser.current()->fraction, 0.55);
    // Equal is kept (a redraw).
    QCOMPARE(parser.feed(u"[ 55%] Built target a"_s, Ended)->fraction, 0.55);
    // The same total, lower: ignored.
    ProgressParser counts;
    QVERIFY(counts.feed(u"[300/400] x"_s, Ended));
    QVERIFY(!counts.feed(u"[200/400] y"_s, Ended));
    QCOMPARE(counts.current()->done, std::optional<qint64>(300));
}

void TestProgressParser::restartFromNearZeroIsANewPhase() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[ 60%] Building"_s, Ended));
    QCOMPARE(parser.feed(u"[  2%] Building"_s, Ended)->fraction, 0.02);
    ProgressParser epochs;
    QVERIFY(epochs.feed(u"epoch 1: 100%|██████████| 20/20 [00:01<00:00, 19.9it/s]"_s, Ended));
    QCOMPARE(epochs.feed(u"epoch 2:   0%|          | 0/20 [00:00<?, ?it/s]"_s, Open)->fraction,
             0.0);
}

void TestProgressParser::newTotalIsANewPhase() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[300/400] Building"_s, Ended));
    // ninja after re-running CMake: a new plan.
    const std::optional<Progress> got = parser.feed(u"[2/28] Building"_s, Ended);
    QVERIFY(got);
    QCOMPARE(got->total, std::optional<qint64>(28));
    QCOMPARE(got->fraction, 2.0 / 28);
}

void TestProgressParser::otherShapeIsIgnoredWhileAPhaseRuns() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"resize:  45%|████▌     | 45/100 [00:04<00:05, 9.8it/s]"_s, Open));
    QVERIFY(!parser.feed(u"Processing 3/10"_s, Ended));
    QVERIFY(!parser.feed(u"Processing 4/10"_s, Ended));
    QVERIFY(!parser.feed(u"[ 90%] Building"_s, Ended));
    QCOMPARE(parser.current()->done, std::optional<qint64>(45));
    // A lower value of the locked shape after them is still measured against 45%.
    QVERIFY(!parser.feed(u"resize:  40%|████      | 40/100 [00:04<00:05, 9.8it/s]"_s, Open));
    QCOMPARE(parser.feed(u"resize:  46%|████▌     | 46/100 [00:04<00:05, 9.8it/s]"_s, Open)->done,
             std::optional<qint64>(46));
}

void TestProgressParser::otherShapeTakesOverAfterThreeLinesInARow() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"resize:  45%|████▌     | 45/100 [00:04<00:05, 9.8it/s]"_s, Ended));
    QVERIFY(!parser.feed(u"          32,768   0%    0.00kB/s    0:00:00"_s, Open));
    QVERIFY(!parser.feed(u"sending incremental file list"_s, Ended)); // between: no matter
    QVERIFY(!parser.feed(u"      1,000,000   1%   79.21MB/s    0:00:00"_s, Open));
    const std::optional<Progress> got =
        parser.feed(u"      1,000,000   1%   79.21MB/s    0:00:00"_s, Open); // a redraw
    QVERIFY(got);
    QCOMPARE(got->fraction, 0.01);
    QCOMPARE(got->kind, Kind::Percent);
    // Now rsync is the locked shape: tqdm is the other one.
    QVERIFY(!parser.feed(u"resize:  46%|████▌     | 46/100 [00:04<00:05, 9.8it/s]"_s, Ended));

    // A tool that takes over from well above ~0 must be ahead of the bar.
    ProgressParser ahead;
    QVERIFY(ahead.feed(u"[ 30%] Building"_s, Ended));
    QVERIFY(!ahead.feed(u"     10,000,000  10%   79.21MB/s    0:00:00"_s, Open));
    QVERIFY(!ahead.feed(u"     20,000,000  20%   79.21MB/s    0:00:00"_s, Open));
    QVERIFY(!ahead.feed(u"     25,000,000  25%   79.21MB/s    0:00:00"_s, Open)); // behind
    QCOMPARE(ahead.current()->fraction, 0.3);
    QCOMPARE(ahead.feed(u"     35,000,000  35%   79.21MB/s    0:00:00"_s, Open)->fraction, 0.35);

    // Weak lines must move to take over; repeating is not enough.
    ProgressParser weak;
    QVERIFY(weak.feed(u"[ 30%] Building"_s, Ended));
    for (int i = 0; i < 5; ++i)
        QVERIFY(!weak.feed(u"Disk: 50%"_s, Ended));
    QVERIFY(!weak.feed(u"Copying 3/10"_s, Ended));
    QVERIFY(!weak.feed(u"Copying 4/10"_s, Ended));
    QCOMPARE(weak.feed(u"Copying 5/10"_s, Ended)->fraction, 0.5);
}

void TestProgressParser::takeoverStreakBrokenByTheLockedShapeOrAFall() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[ 30%] Building"_s, Ended));
    QVERIFY(!parser.feed(u"          32,768   0%    0.00kB/s    0:00:00"_s, Open));
    QVERIFY(!parser.feed(u"      1,000,000   1%   79.21MB/s    0:00:00"_s, Open));
    QVERIFY(parser.feed(u"[ 31%] Building"_s, Ended)); // the locked shape: the streak ends
    QVERIFY(!parser.feed(u"      2,000,000   2%   79.21MB/s    0:00:00"_s, Open));
    QVERIFY(!parser.feed(u"      3,000,000   3%   79.21MB/s    0:00:00"_s, Open));
    QVERIFY(!parser.feed(u"      1,000,000   1%   79.21MB/s    0:00:00"_s, Open)); // a fall
    QVERIFY(!parser.feed(u"      4,000,000   4%   79.21MB/s    0:00:00"_s, Open));
    QCOMPARE(parser.current()->fraction, 0.31);
    QCOMPARE(parser.feed(u"      5,000,000   5%   79.21MB/s    0:00:00"_s, Open)->fraction, 0.05);
}

void TestProgressParser::finishedPhaseLetsTheNextToolIn() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[100%] Built target demo"_s, Ended));
    const std::optional<Progress> got =
        parser.feed(u"resize:   0%|          | 0/60 [00:00<?, ?it/s]"_s, Open);
    QVERIFY(got);
    QCOMPARE(got->fraction, 0.0);
    // A weak form after a finished phase needs its second line, as always.
    ProgressParser weak;
    QVERIFY(weak.feed(u"[100%] Built target demo"_s, Ended));
    QVERIFY(!weak.feed(u"Uploading 1/4"_s, Ended));
    QCOMPARE(weak.current()->fraction, 1.0);
    QCOMPARE(weak.feed(u"Uploading 2/4"_s, Ended)->fraction, 0.5);
}

void TestProgressParser::progressStaysAcrossLinesWithoutProgress() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[ 45%] Building C object a.o"_s, Ended));
    QVERIFY(!parser.feed(u"a.c:1:22: warning: unused variable 'unused'"_s, Ended));
    QVERIFY(!parser.feed(u""_s, Ended));
    QCOMPARE(parser.current()->fraction, 0.45);
}

void TestProgressParser::resetForgetsEverything() {
    ProgressParser parser(u"(?<percent>\\d+)% done"_s);
    QVERIFY(parser.feed(u"80% done"_s, Ended));
    parser.reset();
    QVERIFY(!parser.current());
    QCOMPARE(parser.pattern(), u"(?<percent>\\d+)% done"_s);
    QCOMPARE(parser.feed(u"10% done"_s, Ended)->fraction, 0.1); // not held at 80%
}

void TestProgressParser::validatePattern_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("error"); // a part of it; empty: fine
    QTest::newRow("none: built-in forms") << QString() << QString();
    QTest::newRow("percent") << u"(?<percent>\\d+(\\.\\d+)?)%"_s << QString();
    QTest::newRow("done and total") << u"(?<done>\\d+) of (?<total>\\d+)"_s << QString();
    QTest::newRow("invalid") << u"(?<percent>\\d+"_s << u"missing closing parenthesis"_s;
    QTest::newRow("invalid, where") << u"ab[c"_s << u"at character"_s;
    QTest::newRow("no named group") << u"(\\d+)%"_s << u"needs a named group"_s;
    QTest::newRow("other names") << u"(?<value>\\d+)%"_s << u"needs a named group"_s;
    QTest::newRow("done without total")
        << u"(?<done>\\d+) files"_s << u"(?<done>...) group needs a (?<total>...)"_s;
    QTest::newRow("total without done")
        << u"of (?<total>\\d+)"_s << u"(?<total>...) group needs a (?<done>...)"_s;
    QTest::newRow("both kinds") << u"(?<percent>\\d+)% (?<done>\\d+)/(?<total>\\d+)"_s
                                << u"not both"_s;
}

void TestProgressParser::validatePattern() {
    QFETCH(QString, pattern);
    QFETCH(QString, error);
    const QString message = ProgressParser::validatePattern(pattern);
    if (error.isEmpty()) {
        QCOMPARE(message, QString());
        return;
    }
    QVERIFY2(message.startsWith(u"progress pattern: "_s), qPrintable(message));
    QVERIFY2(message.contains(error), qPrintable(message));
    ProgressParser parser(pattern);
    QCOMPARE(parser.patternError(), message);
}

void TestProgressParser::customPattern_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("line");
    QTest::addColumn<int>("end");
    QTest::addColumn<double>("fraction"); // -1: none
    QTest::addColumn<qint64>("done");     // -1: none
    QTest::addColumn<qint64>("total");

    const QString frames = u"Frame (?<done>[\\d,]+) of (?<total>[\\d,]+)"_s;
    const QString percent = u"progress=(?<percent>[\\d.,]+)"_s;
    const int open = int(Open);
    const int ended = int(Ended);
    QTest::newRow("done and total")
        << frames << u"Frame 12 of 400 written"_s << ended << 12.0 / 400 << 12LL << 400LL;
    QTest::newRow("thousands separators")
        << frames << u"Frame 1,234 of 5,000"_s << ended << 1234.0 / 5000 << 1234LL << 5000LL;
    QTest::newRow("decimals give the fraction only")
        << u"(?<done>[\\d.]+) GB of (?<total>[\\d.]+) GB"_s << u"2.5 GB of 10 GB"_s << ended << 0.25
        << -1LL << -1LL;
    QTest::newRow("done over total")
        << frames << u"Frame 500 of 400"_s << ended << -1.0 << -1LL << -1LL;
    QTest::newRow("total zero") << frames << u"Frame 0 of 0"_s << ended << -1.0 << -1LL << -1LL;
    QTest::newRow("percent") << percent << u"progress=45.5 eta 3s"_s << ended << 0.455 << -1LL
                             << -1LL;
    QTest::newRow("decimal comma")
        << percent << u"progress=45,5 eta 3s"_s << ended << 0.455 << -1LL << -1LL;
    QTest::newRow("percent sign in the group")
        << u"(?<percent>\\d+ ?%)"_s << u"at 45 %"_s << ended << 0.45 << -1LL << -1LL;
    QTest::newRow("percent over 100")
        << percent << u"progress=150"_s << ended << -1.0 << -1LL << -1LL;
    QTest::newRow("not a number") << percent << u"progress=1.2.3"_s << ended << -1.0 << -1LL
                                  << -1LL;
    QTest::newRow("ending an open line: may be cut")
        << percent << u"progress=45"_s << open << -1.0 << -1LL << -1LL;
    QTest::newRow("ending an ended line")
        << percent << u"progress=45"_s << ended << 0.45 << -1LL << -1LL;
    QTest::newRow("open line, text after")
        << percent << u"progress=45 "_s << open << 0.45 << -1LL << -1LL;
    QTest::newRow("no match") << percent << u"[ 45%] Building"_s << ended << -1.0 << -1LL << -1LL;
    QTest::newRow("escapes removed first")
        << percent << u"\x1b[1mprogress=\x1b[32m45\x1b[0m%"_s << ended << 0.45 << -1LL << -1LL;
    QTest::newRow("first match counts")
        << u"(?<percent>\\d+)%"_s << u"file 80% of the way, 20%"_s << ended << 0.8 << -1LL << -1LL;
}

void TestProgressParser::customPattern() {
    QFETCH(QString, pattern);
    QFETCH(QString, line);
    QFETCH(int, end);
    QFETCH(double, fraction);
    QFETCH(qint64, done);
    QFETCH(qint64, total);
    QCOMPARE(ProgressParser::validatePattern(pattern), QString());
    ProgressParser parser(pattern);
    QCOMPARE(parser.patternError(), QString());
    const std::optional<Progress> got = parser.feed(line, LineEnd(end));
    if (fraction < 0) {
        QVERIFY2(!got, qPrintable(describe(got)));
        return;
    }
    QVERIFY2(got, qPrintable(line));
    QCOMPARE(got->kind, Kind::Custom);
    QVERIFY2(near(got->fraction, fraction, 1e-9), qPrintable(describe(got)));
    QCOMPARE(got->done, done < 0 ? std::nullopt : std::optional<qint64>(done));
    QCOMPARE(got->total, total < 0 ? std::nullopt : std::optional<qint64>(total));
}

void TestProgressParser::customPatternReplacesBuiltInForms() {
    ProgressParser parser(u"step (?<done>\\d+)/(?<total>\\d+)"_s);
    QVERIFY(!parser.feed(u"[ 45%] Building"_s, Ended));
    QVERIFY(!parser.feed(u" 45%|████▌     | 45/100 [00:04<00:05, 9.8it/s]"_s, Ended));
    QCOMPARE(parser.feed(u"step 3/4"_s, Ended)->fraction, 0.75); // at once: the job said so
    // The rules across lines still hold.
    QVERIFY(!parser.feed(u"step 2/4"_s, Ended));
    QCOMPARE(parser.feed(u"step 1/10"_s, Ended)->fraction, 0.1); // a new total
}

void TestProgressParser::invalidPatternReadsNothing() {
    ProgressParser parser(u"(?<percent>\\d+"_s);
    QVERIFY(!parser.patternError().isEmpty());
    QCOMPARE(parser.pattern(), u"(?<percent>\\d+"_s);
    QVERIFY(!parser.feed(u"[ 45%] Building"_s, Ended));
    QVERIFY(!parser.feed(u"45"_s, Ended));
    QVERIFY(!parser.current());
}

void TestProgressParser::setPatternSwitchesAndForgets() {
    ProgressParser parser;
    QVERIFY(parser.feed(u"[ 45%] Building"_s, Ended));
    QVERIFY(!parser.setPattern(u"(oops"_s));
    QVERIFY(!parser.current());
    QVERIFY(!parser.patternError().isEmpty());
    QVERIFY(parser.setPattern(u"(?<percent>\\d+)"_s));
    QCOMPARE(parser.patternError(), QString());
    QCOMPARE(parser.feed(u"at 7 now"_s, Ended)->fraction, 0.07);
    QVERIFY(parser.setPattern(QString()));
    QVERIFY(!parser.current());
    QCOMPARE(parser.feed(u"[ 45%] Building"_s, Ended)->fraction, 0.45);
}

QTEST_GUILESS_MAIN(TestProgressParser)
#include "tst_progressparser.moc"
