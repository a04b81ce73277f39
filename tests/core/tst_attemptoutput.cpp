// Reading an attempt's saved output (core/attemptoutput.h): directories written here in the
// index format described with OutputSaver in core/shim/main.cpp, and by the real shim.

#include "attemptoutput.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using jobmonitor::AttemptOutputFollower;
using jobmonitor::AttemptOutputReader;
using jobmonitor::OutputChannel;
using Chunk = AttemptOutputReader::Chunk;
using namespace std::chrono_literals;

namespace {

constexpr OutputChannel Out = OutputChannel::Stdout;
constexpr OutputChannel Err = OutputChannel::Stderr;
constexpr qint64 kAll = std::numeric_limits<qint64>::max();

// A directory as the shim writes it, built step by step.
class Fixture {
public:
    explicit Fixture(const QString &dir, bool withIndex = true)
        : m_dir(dir) {
        for (const char *name : {"stdout", "stderr"})
            append(QLatin1String(name), {});
        if (withIndex)
            append(QStringLiteral("index"), QByteArray("JMINDEX1") + QByteArray(8, '\0'));
    }

    // A run: its record (offset: the channel's size now), then its bytes.
    void run(OutputChannel channel, const QByteArray &bytes, qint64 timeMs) {
        record(channel, m_size[index(channel)], timeMs);
        write(channel, bytes);
    }
    void record(OutputChannel channel, qint64 offset, qint64 timeMs) {
        append(QStringLiteral("index"), recordBytes(channel, offset, timeMs));
    }
    static QByteArray recordBytes(OutputChannel channel, qint64 offset, qint64 timeMs) {
        QByteArray bytes(16, '\0');
        qToLittleEndian<quint64>(quint64(index(channel)) << 63 | quint64(offset), bytes.data());
        qToLittleEndian<qint64>(timeMs, bytes.data() + 8);
        return bytes;
    }
    void write(OutputChannel channel, const QByteArray &bytes) {
        append(channel == Out ? QStringLiteral("stdout") : QStringLiteral("stderr"), bytes);
        m_size[index(channel)] += bytes.size();
    }
    void append(const QString &name, const QByteArray &bytes) {
        QFile file(m_dir + QLatin1Char('/') + name);
        QVERIFY(file.open(QIODevice::Append));
        QCOMPARE(file.write(bytes), bytes.size());
    }

private:
    static int index(OutputChannel channel) { return channel == Out ? 0 : 1; }
    QString m_dir;
    qint64 m_size[2] = {0, 0};
};

} // namespace

namespace jobmonitor {
char *toString(const AttemptOutputReader::Chunk &chunk) {
    return qstrdup(QByteArray((chunk.channel == Out ? "out " : "err ") + chunk.data.left(60) +
                              (chunk.data.size() > 60 ? "..." : "") + " @" +
                              QByteArray::number(chunk.timeMs))
                       .constData());
}

bool operator==(const AttemptOutputReader::Chunk &a, const AttemptOutputReader::Chunk &b) {
    return a.channel == b.channel && a.data == b.data && a.timeMs == b.timeMs;
}
} // namespace jobmonitor

class TestAttemptOutput : public QObject {
    Q_OBJECT

private:
    QString dir() const { return m_dir->path(); }
    std::unique_ptr<QTemporaryDir> m_dir;

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void readsInArrivalOrder() {
        Fixture f(dir());
        f.run(Out, "a1\n", 100);
        f.run(Err, "b1\n", 101);
        f.run(Out, "a2\n", 102);
        f.run(Err, "b2 no newline", 103);
        f.run(Out, QByteArray("\0\xff\r", 3), 104);
        AttemptOutputReader reader(dir());
        QVERIFY2(reader.open(), qPrintable(reader.error()));
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Out, "a1\n", 100},
                                                  {Err, "b1\n", 101},
                                                  {Out, "a2\n", 102},
                                                  {Err, "b2 no newline", 103},
                                                  {Out, QByteArray("\0\xff\r", 3), 104}}));
        QCOMPARE(reader.read(kAll), QList<Chunk>());
        QCOMPARE(reader.size(Out), 9);
        QCOMPARE(reader.size(Err), 16);
    }

    // The shim starts a new record for the same channel after a pause: each keeps its time.
    // Consecutive runs of one channel and one time read as one chunk.
    void timeSlicedRunsOfOneChannel() {
        Fixture f(dir());
        f.run(Out, "first ", 1000);
        f.run(Out, "second ", 1200);
        f.run(Out, "same time ", 1200);
        f.run(Err, "e", 1300);
        AttemptOutputReader reader(dir());
        QVERIFY(reader.open());
        QCOMPARE(reader.read(kAll),
                 (QList<Chunk>{
                     {Out, "first ", 1000}, {Out, "second same time ", 1200}, {Err, "e", 1300}}));
    }

    // The same reader follows a running attempt: each read returns what arrived since.
    void readsIncrementallyWhileFilesGrow() {
        Fixture f(dir());
        AttemptOutputReader reader(dir());
        QVERIFY(reader.open());
        QCOMPARE(reader.read(kAll), QList<Chunk>());

        f.run(Out, "abc", 1);
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Out, "abc", 1}}));
        f.write(Out, "def"); // the run grows
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Out, "def", 1}}));

        f.record(Err, 0, 2); // the record comes before its bytes
        QCOMPARE(reader.read(kAll), QList<Chunk>());
        f.write(Err, "E1");
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Err, "E1", 2}}));

        // Half a record: nothing of it yet.
        const QByteArray next = Fixture::recordBytes(Out, 6, 3);
        f.append(QStringLiteral("index"), next.left(7));
        QCOMPARE(reader.read(kAll), QList<Chunk>());
        f.append(QStringLiteral("index"), next.mid(7));
        f.write(Out, "ghi");
        f.write(Err, "late"); // belongs to the stderr run that ended with the record above
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Err, "late", 2}, {Out, "ghi", 3}}));
        QCOMPARE(reader.read(kAll), QList<Chunk>());
    }

    // A read takes about its budget; the next one goes on where it stopped.
    void readsWithinItsBudget_data() {
        QTest::addColumn<qint64>("budget");
        for (qint64 budget : {1, 2, 5, 7, 64, 1000})
            QTest::addRow("%lld bytes", budget) << budget;
    }
    void readsWithinItsBudget() {
        QFETCH(qint64, budget);
        Fixture f(dir());
        f.run(Out, QByteArray(300, 'o'), 1);
        f.run(Err, QByteArray(5, 'e'), 2);
        f.run(Out, "tail", 3);
        AttemptOutputReader reader(dir());
        QVERIFY(reader.open());
        QList<Chunk> all;
        for (int reads = 0; reads < 1000; ++reads) {
            const QList<Chunk> chunks = reader.read(budget);
            qint64 size = 0;
            for (const Chunk &chunk : chunks)
                size += chunk.data.size();
            QVERIFY(size <= budget);
            if (chunks.isEmpty())
                break;
            for (const Chunk &chunk : chunks) {
                if (!all.isEmpty() && all.last().channel == chunk.channel &&
                    all.last().timeMs == chunk.timeMs)
                    all.last().data += chunk.data;
                else
                    all << chunk;
            }
        }
        QCOMPARE(all, (QList<Chunk>{{Out, QByteArray(300, 'o'), 1},
                                    {Err, QByteArray(5, 'e'), 2},
                                    {Out, "tail", 3}}));
    }

    void refusesWhatIsNoIndex_data() {
        QTest::addColumn<QByteArray>("index");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("cut in its header") << QByteArray("JMIND");
        QTest::newRow("another format")
            << QByteArray("SQLite format 3") + QByteArray(1, '\0') + QByteArray(16, 'x');
        QTest::newRow("a later version") << QByteArray("JMINDEX2") + QByteArray(8, '\0');
    }
    void refusesWhatIsNoIndex() {
        QFETCH(QByteArray, index);
        Fixture f(dir(), false);
        f.write(Out, "saved");
        f.append(QStringLiteral("index"), index);
        AttemptOutputReader reader(dir());
        QVERIFY(!reader.open());
        QCOMPARE(reader.error(),
                 QStringLiteral("%1/index is not an output index of Job Monitor").arg(dir()));
    }

    void refusesAMissingFile_data() {
        QTest::addColumn<QString>("missing");
        QTest::newRow("stdout") << QStringLiteral("stdout");
        QTest::newRow("stderr") << QStringLiteral("stderr");
    }
    void refusesAMissingFile() {
        QFETCH(QString, missing);
        Fixture f(dir());
        QVERIFY(QFile::remove(dir() + QLatin1Char('/') + missing));
        AttemptOutputReader reader(dir());
        QVERIFY(!reader.open());
        const QString file = dir() + QLatin1Char('/') + missing;
        QVERIFY2(reader.error().startsWith(QStringLiteral("cannot read %1: ").arg(file)),
                 qPrintable(reader.error()));
    }

    // The shim makes the directory with the first byte: none means nothing printed so far,
    // and the same reader reads the output once it comes, also while its files come one by one.
    void aMissingDirectoryIsNoOutputYet() {
        const QString where = dir() + QStringLiteral("/later");
        AttemptOutputReader reader(where);
        QVERIFY2(reader.open(), qPrintable(reader.error()));
        QCOMPARE(reader.read(kAll), QList<Chunk>());
        QVERIFY(reader.error().isEmpty());
        QVERIFY(QDir().mkpath(where));
        const auto write = [&](const char *name, const QByteArray &bytes) {
            QFile file(where + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(file.open(QIODevice::Append));
            QCOMPARE(file.write(bytes), bytes.size());
        };
        // In the shim's order: the index with its header, then stdout, then stderr.
        write("index", QByteArray("JMINDEX1") + QByteArray(8, '\0'));
        write("stdout", {});
        QCOMPARE(reader.read(kAll), QList<Chunk>());
        write("stderr", {});
        write("index", Fixture::recordBytes(Err, 0, 7));
        write("stderr", "first\n");
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Err, "first\n", 7}}));
        QVERIFY2(reader.error().isEmpty(), qPrintable(reader.error()));
    }

    // A planted link is never followed: the output lives in a private directory.
    void refusesSymbolicLinks_data() {
        QTest::addColumn<QString>("name");
        for (const char *name : {"stdout", "stderr", "index"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void refusesSymbolicLinks() {
        QFETCH(QString, name);
        const QString elsewhere = dir() + QStringLiteral("/elsewhere");
        QVERIFY(QDir().mkpath(elsewhere));
        {
            Fixture real(elsewhere);
            real.run(Out, "not the job's\n", 1);
        }
        Fixture f(dir());
        f.run(Out, "the job's\n", 1);
        const QString path = dir() + QLatin1Char('/') + name;
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::link(elsewhere + QLatin1Char('/') + name, path));
        AttemptOutputReader reader(dir());
        QVERIFY(!reader.open());
        QCOMPARE(reader.error(), QStringLiteral("%1 is a symbolic link: not followed").arg(path));
    }

    // A backend that writes only the two files: all of stdout, then all of stderr.
    void withoutAnIndexStdoutThenStderr() {
        Fixture f(dir(), false);
        f.write(Err, "E1E2");
        f.write(Out, "O1");
        f.write(Out, "O2");
        AttemptOutputReader reader(dir());
        QVERIFY(reader.open());
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Out, "O1O2", 0}, {Err, "E1E2", 0}}));
        QCOMPARE(reader.read(kAll), QList<Chunk>());
    }

    // A data file shorter than its index says (cut by hand, a broken disk): what is there is
    // read, later runs too, and the reader says what is missing.
    void aFileCutShortDoesNotStopTheRest() {
        Fixture f(dir());
        f.run(Out, "lost", 1);
        f.run(Err, "E", 2);
        f.run(Out, "also lost", 3);
        f.run(Err, "F", 4);
        QVERIFY(QFile::resize(dir() + QStringLiteral("/stdout"), 2));
        AttemptOutputReader reader(dir());
        QVERIFY(reader.open());
        QCOMPARE(reader.read(kAll), (QList<Chunk>{{Out, "lo", 1}, {Err, "E", 2}, {Err, "F", 4}}));
        QCOMPARE(reader.error(),
                 QStringLiteral("%1/stdout is shorter than its index says: bytes 2 to 4 are "
                                "missing")
                     .arg(dir()));
    }

    // What the real shim saved reads back in the order the job wrote it.
    void readsWhatTheShimSaved() {
        const QString output = dir() + QStringLiteral("/output");
        QProcess shim;
        shim.setProgram(QCoreApplication::applicationDirPath() +
                        QStringLiteral("/jobmonitor-shim"));
        shim.setArguments({QStringLiteral("--output-dir"), output, QStringLiteral("--"),
                           jobmonitor::test::testChildPath(), QStringLiteral("--interleave"),
                           QStringLiteral("7")});
        const qint64 started = QDateTime::currentMSecsSinceEpoch();
        shim.start();
        QVERIFY(shim.waitForFinished(60000));
        const qint64 finished = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(shim.exitCode(), 0);
        AttemptOutputReader reader(output);
        QVERIFY2(reader.open(), qPrintable(reader.error()));
        const QList<Chunk> chunks = reader.read(kAll);
        QCOMPARE(chunks.size(), 7);
        for (int i = 0; i < 7; ++i) {
            const bool out = i % 2 == 0;
            QCOMPARE(chunks[i].channel, out ? Out : Err);
            QCOMPARE(chunks[i].data, (out ? QByteArray("out ") : QByteArray("err ")) +
                                         QByteArray::number(i + 1) + '\n');
            QVERIFY(chunks[i].timeMs >= started && chunks[i].timeMs <= finished);
            if (i > 0)
                QVERIFY(chunks[i].timeMs >= chunks[i - 1].timeMs);
        }
    }

    // finish() delivers everything, also what no poll has seen, in pieces of one poll's
    // budget: a follower far behind a flooding job must not hold the rest in one chunk.
    void followerDeliversEverythingAfterFinish() {
        constexpr qint64 piece = AttemptOutputFollower::PollBytes;
        Fixture f(dir());
        f.run(Out, "one\n", 1);
        f.run(Err, "two\n", 2);
        AttemptOutputFollower follower(dir(), 1h);
        QSignalSpy output(&follower, &AttemptOutputFollower::output);
        follower.start();
        f.run(Out, QByteArray(10 * piece + 5, 'z'), 3); // more than one poll takes
        follower.finish();
        QCOMPARE(output.count(), 13);
        QCOMPARE(output.at(0).at(0).value<OutputChannel>(), Out);
        QCOMPARE(output.at(0).at(1).toByteArray(), QByteArray("one\n"));
        QCOMPARE(output.at(1).at(0).value<OutputChannel>(), Err);
        QCOMPARE(output.at(1).at(1).toByteArray(), QByteArray("two\n"));
        for (int i = 2; i < 12; ++i) {
            QCOMPARE(output.at(i).at(0).value<OutputChannel>(), Out);
            QCOMPARE(output.at(i).at(1).toByteArray().size(), piece);
        }
        QCOMPARE(output.at(12).at(1).toByteArray(), QByteArray(5, 'z'));
    }

    // A follower that fell behind reads on without waiting for its interval: everything comes
    // while the attempt still runs (an hour's interval would otherwise leave all but the first
    // poll's budget for finish()).
    void followerKeepsPaceWithAFlood() {
        constexpr qint64 flood = 12 * AttemptOutputFollower::PollBytes + 7;
        Fixture f(dir());
        f.run(Out, QByteArray(flood, 'f'), 1);
        AttemptOutputFollower follower(dir(), 1h);
        qint64 received = 0;
        connect(&follower, &AttemptOutputFollower::output, this,
                [&received](OutputChannel, const QByteArray &data) { received += data.size(); });
        follower.start();
        QCOMPARE(received, AttemptOutputFollower::PollBytes);
        QTRY_COMPARE_WITH_TIMEOUT(received, flood, 30000);
        // Caught up, it waits for its interval again.
        f.write(Out, "more");
        QTest::qWait(200);
        QCOMPARE(received, flood);
    }

    // Started before the shim has made the directory, polling while it grows.
    void followerFollowsAGrowingAttempt() {
        const QString output = dir() + QStringLiteral("/later");
        AttemptOutputFollower follower(output, 10ms);
        QSignalSpy spy(&follower, &AttemptOutputFollower::output);
        follower.start();
        QTest::qWait(30);
        QCOMPARE(spy.count(), 0);
        QVERIFY(QDir().mkpath(output));
        Fixture f(output);
        f.run(Out, "early ", 1);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 30000);
        f.run(Err, "err ", 2);
        f.write(Err, "grows");
        f.run(Out, "late", 3);
        follower.finish();
        QByteArray out;
        QByteArray err;
        QList<OutputChannel> order;
        for (const QList<QVariant> &signal : spy) {
            const auto channel = signal.at(0).value<OutputChannel>();
            (channel == Out ? out : err) += signal.at(1).toByteArray();
            if (order.isEmpty() || order.last() != channel)
                order << channel;
        }
        QCOMPARE(out, QByteArray("early late"));
        QCOMPARE(err, QByteArray("err grows"));
        QCOMPARE(order, (QList<OutputChannel>{Out, Err, Out}));

        // restart() reads from the beginning again.
        spy.clear();
        follower.restart();
        follower.finish();
        QByteArray again;
        for (const QList<QVariant> &signal : spy)
            again += signal.at(1).toByteArray();
        QCOMPARE(again, QByteArray("early err growslate"));
    }
};

QTEST_GUILESS_MAIN(TestAttemptOutput)
#include "tst_attemptoutput.moc"
