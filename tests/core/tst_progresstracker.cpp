// The latest line of an attempt's saved output (core/latestline.h) and the progress read from
// it sample after sample (core/progresstracker.h).

#include "latestline.h"
#include "progresstracker.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

// Writes the file and sets its modification time, so "written last" does not hang on the
// clock's resolution.
void writeFile(const QString &path, const QByteArray &bytes, qint64 mtimeSeconds) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
    file.close();
    const timespec times[2] = {{mtimeSeconds, 0}, {mtimeSeconds, 0}};
    QCOMPARE(utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0), 0);
}

} // namespace

class TestProgressTracker : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString out() const { return m_dir.filePath(QStringLiteral("stdout")); }
    QString err() const { return m_dir.filePath(QStringLiteral("stderr")); }

private Q_SLOTS:
    void init() {
        QFile::remove(out());
        QFile::remove(err());
    }

    void latestLine_data() {
        QTest::addColumn<QByteArray>("stdoutBytes");
        QTest::addColumn<QByteArray>("stderrBytes");
        QTest::addColumn<bool>("stderrLast");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ended");
        QTest::newRow("nothing yet")
            << QByteArray() << QByteArray() << false << false << QString() << false;
        QTest::newRow("an ended line") << QByteArray("a\n[3/10] cc x.c\n") << QByteArray() << false
                                       << true << QStringLiteral("[3/10] cc x.c") << true;
        QTest::newRow("an open line") << QByteArray("a\nProcessing 12/4") << QByteArray() << false
                                      << true << QStringLiteral("Processing 12/4") << false;
        QTest::newRow("redrawn with \\r, still being drawn")
            << QByteArray() << QByteArray(" 10%|#   |\r 20%|##  |\r 30%|###") << true << true
            << QStringLiteral(" 30%|###") << false;
        QTest::newRow("redrawn with \\r, drawn") << QByteArray("\r 10%\r 20%\r") << QByteArray()
                                                 << false << true << QStringLiteral(" 20%") << true;
        QTest::newRow("CRLF") << QByteArray("45%\r\n") << QByteArray() << false << true
                              << QStringLiteral("45%") << true;
        QTest::newRow("the file written last counts")
            << QByteArray("[9/10] out\n") << QByteArray(" 50%|#####     |\r") << true << true
            << QStringLiteral(" 50%|#####     |") << true;
        QTest::newRow("stdout written last")
            << QByteArray("[9/10] out\n") << QByteArray(" 50%|#####     |\r") << false << true
            << QStringLiteral("[9/10] out") << true;
        QTest::newRow("a line longer than what is read: its start is unknown")
            << QByteArray(20000, 'x') + "50%" << QByteArray() << false << false << QString()
            << false;
        QTest::newRow("a long line that ended before the tail")
            << QByteArray(20000, 'x') + "\n50%" << QByteArray() << false << true
            << QStringLiteral("50%") << false;
    }
    void latestLine() {
        QFETCH(QByteArray, stdoutBytes);
        QFETCH(QByteArray, stderrBytes);
        QFETCH(bool, stderrLast);
        QFETCH(bool, found);
        QFETCH(QString, text);
        QFETCH(bool, ended);
        writeFile(out(), stdoutBytes, stderrLast ? 1000 : 2000);
        writeFile(err(), stderrBytes, stderrLast ? 2000 : 1000);
        const std::optional<LatestLine> line = readLatestLine(m_dir.path());
        QCOMPARE(line.has_value(), found);
        if (!line)
            return;
        QCOMPARE(line->text, text);
        QCOMPARE(line->ended, ended);
        QCOMPARE(line->fromStderr, stderrLast);
        QCOMPARE(line->fileSize, (stderrLast ? stderrBytes : stdoutBytes).size());
    }

    void missingFolder() {
        QCOMPARE(readLatestLine(m_dir.filePath(QStringLiteral("none"))), std::nullopt);
    }

    // Sample after sample: the bar moves with the output, an unchanged line is not read twice,
    // and the time left follows the rate.
    void samplesMoveTheBar() {
        ProgressTracker tracker;
        const auto t0 = ProgressTracker::Clock::time_point{} + 1000s;
        QVERIFY(!tracker.feed({QStringLiteral("configuring"), true, 12, false}, t0));
        QVERIFY(tracker.feed({QStringLiteral("[10/100] cc a.c"), true, 40, false}, t0 + 1s));
        QCOMPARE(tracker.progress()->fraction, 0.1);
        QVERIFY(!tracker.feed({QStringLiteral("[10/100] cc a.c"), true, 40, false}, t0 + 2s));
        QVERIFY(tracker.feed({QStringLiteral("[30/100] cc c.c"), true, 80, false}, t0 + 3s));
        QCOMPARE(tracker.progress()->fraction, 0.3);
        // 20 points in 2 s: 70 points left take 7 s.
        const std::optional<std::chrono::milliseconds> eta = tracker.eta(t0 + 3s);
        QVERIFY(eta);
        QVERIFY2(qAbs(eta->count() - 7000) <= 1, qPrintable(QString::number(eta->count())));
        // An unrelated number does not move it back.
        QVERIFY(!tracker.feed({QStringLiteral("warning: 3/4 of"), true, 120, false}, t0 + 4s));
        QCOMPARE(tracker.progress()->fraction, 0.3);
        tracker.reset();
        QCOMPARE(tracker.progress(), std::nullopt);
        QCOMPARE(tracker.eta(t0 + 5s), std::nullopt);
    }

    // A redrawn line that never ends is read as ended once it stayed the same for a sample.
    void openLineThatStaysIsTaken() {
        ProgressTracker tracker;
        const auto t0 = ProgressTracker::Clock::time_point{} + 1000s;
        const LatestLine open{QStringLiteral("Processing 12/400"), false, 17, false};
        QVERIFY(!tracker.feed(open, t0));
        QCOMPARE(tracker.progress(), std::nullopt);
        QVERIFY(!tracker.feed(open, t0 + 1s)); // a weak form: one line is not enough yet
        const LatestLine next{QStringLiteral("Processing 40/400"), false, 34, false};
        QVERIFY(!tracker.feed(next, t0 + 2s));
        QVERIFY(tracker.feed(next, t0 + 3s));
        QCOMPARE(tracker.progress()->fraction, 0.1);
    }

    void ownPattern() {
        ProgressTracker tracker(QStringLiteral(R"(chunk (?<done>\d+) of (?<total>\d+))"));
        const auto t0 = ProgressTracker::Clock::time_point{} + 1000s;
        QVERIFY(!tracker.feed({QStringLiteral("[10/100] cc a.c"), true, 16, false}, t0));
        QVERIFY(tracker.feed({QStringLiteral("uploaded chunk 3 of 4"), true, 40, false}, t0));
        QCOMPARE(tracker.progress()->fraction, 0.75);
        QCOMPARE(tracker.progress()->kind, Progress::Kind::Custom);
    }
};

QTEST_GUILESS_MAIN(TestProgressTracker)
#include "tst_progresstracker.moc"
