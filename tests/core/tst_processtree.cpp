// Tests of the /proc readers (core/processtree.cpp): the parsers on lines the kernel writes
// (and some it does not), a tree read from fixture /proc folders under data/ (one with
// children files, one without), and a tree of real processes.
//
// data/proc: 100 is the root (a shim) listing children 101 102 106 107. 101 has two threads;
// its thread 103 forked 104. 102 is a zombie without an io file. 106's stat names another
// parent (its pid was reused), 107 does not exist (it ended). 105 is a bystander.
// data/proc-nochildren: no children files; 200 -> 201 -> 202, and bystander 203.

#include "processtree.h"
#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QTest>
#include <QThread>

#include <signal.h>

using namespace jobmonitor::proc;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const std::string kFixtures = JM_TEST_DATA_DIR;

std::string fixture(const char *name) {
    return kFixtures + "/" + name;
}

QList<pid_t> pidsOf(const TreeReading &reading) {
    QList<pid_t> pids;
    for (const TreeProcess &process : reading.descendants)
        pids << process.stat.pid;
    return pids;
}

std::string realStatLine() {
    QFile file(QStringLiteral("/proc/self/stat"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

} // namespace

class TestProcessTree : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseStat_data();
    void parseStat();
    void parseRealStat();
    void parseIo_data();
    void parseIo();
    void parsePss();
    void parseMemAvailable();
    void parseChildren_data();
    void parseChildren();
    void readTreeWithChildrenFiles();
    void usageOfTree();
    void readTreeWithPss();
    void readTreeByScanningAllProcesses();
    void missingRoot();
    void endedRoot();
    void memoryAvailableFromFixture();
    void realTree();
};

void TestProcessTree::parseStat_data() {
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("pid");
    QTest::addColumn<char>("state");
    QTest::addColumn<int>("parent");
    QTest::addColumn<quint64>("cpuTicks");
    QTest::addColumn<quint64>("reapedCpuTicks");
    QTest::addColumn<int>("threads");
    QTest::addColumn<quint64>("startTicks");
    QTest::addColumn<qint64>("residentPages");

    const QByteArray tail = " 0 0 -1 4194560 2994 43057 0 0 11 22 33 44 20 0 3 0 52182 5124096 "
                            "915 18446744073709551615 94541640933376 94541641722781 0 0 0 0 "
                            "65536 4 1132560123 1 0 0 17 0 0 0 0 0 0 1 2 3 4 5 6 7 0\n";
    QTest::newRow("plain") << "6206 (bash) S 6191 6206" + tail << true << 6206 << 'S' << 6191
                           << quint64(33) << quint64(77) << 3 << quint64(52182) << qint64(915);
    QTest::newRow("spaces and parentheses in the name")
        << "7 (a) b (c) R 1 7" + tail << true << 7 << 'R' << 1 << quint64(33) << quint64(77) << 3
        << quint64(52182) << qint64(915);
    QTest::newRow("name that is a closing parenthesis")
        << "8 ()) Z 2 8" + tail << true << 8 << 'Z' << 2 << quint64(33) << quint64(77) << 3
        << quint64(52182) << qint64(915);
    QTest::newRow("newline in the name")
        << "9 (two\nlines) T 3 9" + tail << true << 9 << 'T' << 3 << quint64(33) << quint64(77) << 3
        << quint64(52182) << qint64(915);
    QTest::newRow("negative reaped times clamp to zero")
        << QByteArray("10 (x) S 1 10 0 0 -1 0 0 0 0 0 5 6 -7 -8 20 0 1 0 99 0 12") << true << 10
        << 'S' << 1 << quint64(11) << quint64(0) << 1 << quint64(99) << qint64(12);
    QTest::newRow("cut short before rss")
        << QByteArray("11 (x) S 1 11 0 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 99 0") << false << 0
        << char(0) << 0 << quint64(0) << quint64(0) << 0 << quint64(0) << qint64(0);
    QTest::newRow("no name") << QByteArray("12 S 1 12" + tail) << false << 0 << char(0) << 0
                             << quint64(0) << quint64(0) << 0 << quint64(0) << qint64(0);
    QTest::newRow("pid not a number") << "x1 (bash) S 1 1" + tail << false << 0 << char(0) << 0
                                      << quint64(0) << quint64(0) << 0 << quint64(0) << qint64(0);
    QTest::newRow("state of two letters")
        << "13 (bash) SS 1 1" + tail << false << 0 << char(0) << 0 << quint64(0) << quint64(0) << 0
        << quint64(0) << qint64(0);
    QTest::newRow("utime not a number")
        << QByteArray("14 (x) S 1 14 0 0 -1 0 0 0 0 0 5x 6 7 8 20 0 1 0 99 0 12") << false << 0
        << char(0) << 0 << quint64(0) << quint64(0) << 0 << quint64(0) << qint64(0);
    QTest::newRow("empty") << QByteArray() << false << 0 << char(0) << 0 << quint64(0) << quint64(0)
                           << 0 << quint64(0) << qint64(0);
}

void TestProcessTree::parseStat() {
    QFETCH(QByteArray, line);
    QFETCH(bool, valid);
    const auto stat = jobmonitor::proc::parseStat(std::string_view(line.data(), line.size()));
    QCOMPARE(stat.has_value(), valid);
    if (!valid)
        return;
    QTEST(int(stat->pid), "pid");
    QTEST(stat->state, "state");
    QTEST(int(stat->parent), "parent");
    QTEST(stat->cpuTicks(), "cpuTicks");
    QTEST(stat->reapedCpuTicks(), "reapedCpuTicks");
    QTEST(stat->threads, "threads");
    QTEST(stat->startTicks, "startTicks");
    QTEST(stat->residentPages, "residentPages");
}

void TestProcessTree::parseRealStat() {
    const auto stat = jobmonitor::proc::parseStat(realStatLine());
    QVERIFY(stat.has_value());
    QCOMPARE(stat->pid, getpid());
    QCOMPARE(stat->parent, getppid());
    QCOMPARE(stat->state, 'R'); // it is reading its own stat
    QVERIFY(stat->threads >= 1);
    QVERIFY(stat->residentPages > 0);
    QVERIFY(!stat->hasEnded());
}

void TestProcessTree::parseIo_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint64>("rchar");
    QTest::addColumn<quint64>("wchar");
    QTest::addColumn<quint64>("readBytes");
    QTest::addColumn<quint64>("writeBytes");
    QTest::newRow("complete") << QByteArray("rchar: 104868556\nwchar: 104857701\nsyscr: 118\n"
                                            "syscw: 103\nread_bytes: 90112\nwrite_bytes: 4096\n"
                                            "cancelled_write_bytes: 0\n")
                              << true << quint64(104868556) << quint64(104857701) << quint64(90112)
                              << quint64(4096);
    QTest::newRow("no write_bytes") << QByteArray("rchar: 1\nwchar: 2\nread_bytes: 3\n") << false
                                    << quint64(0) << quint64(0) << quint64(0) << quint64(0);
    QTest::newRow("not a number") << QByteArray("rchar: x\nwchar: 2\nread_bytes: 3\n"
                                                "write_bytes: 4\n")
                                  << false << quint64(0) << quint64(0) << quint64(0) << quint64(0);
    QTest::newRow("empty") << QByteArray() << false << quint64(0) << quint64(0) << quint64(0)
                           << quint64(0);
}

void TestProcessTree::parseIo() {
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    const auto io = jobmonitor::proc::parseIo(std::string_view(text.data(), text.size()));
    QCOMPARE(io.has_value(), valid);
    if (!valid)
        return;
    QTEST(io->logicalReadBytes, "rchar");
    QTEST(io->logicalWriteBytes, "wchar");
    QTEST(io->storageReadBytes, "readBytes");
    QTEST(io->storageWriteBytes, "writeBytes");
}

void TestProcessTree::parsePss() {
    // Pss_Anon and friends come after Pss and must not be taken for it.
    const std::string rollup = "5647d9611000-7ffc93186000 ---p 00000000 00:00 0  [rollup]\n"
                               "Rss:                1776 kB\nPss_Anon:   116 kB\n"
                               "Pss:                 301 kB\nPss_File:  185 kB\n";
    QCOMPARE(jobmonitor::proc::parsePss(rollup), std::optional<qint64>(301 * 1024));
    QCOMPARE(jobmonitor::proc::parsePss("Rss: 1776 kB\nPss_Anon: 116 kB\n"), std::nullopt);
    QCOMPARE(jobmonitor::proc::parsePss(""), std::nullopt);
}

void TestProcessTree::parseMemAvailable() {
    QCOMPARE(jobmonitor::proc::parseMemAvailable("MemTotal: 100 kB\nMemAvailable:  42 kB\n"),
             std::optional<qint64>(42 * 1024));
    QCOMPARE(jobmonitor::proc::parseMemAvailable("MemTotal: 100 kB\nMemFree: 42 kB\n"),
             std::nullopt);
}

void TestProcessTree::parseChildren_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QList<pid_t>>("pids");
    QTest::newRow("several") << QByteArray("12 345 6789 ") << QList<pid_t>{12, 345, 6789};
    QTest::newRow("one with a newline") << QByteArray("7\n") << QList<pid_t>{7};
    QTest::newRow("none") << QByteArray() << QList<pid_t>{};
    QTest::newRow("garbage skipped") << QByteArray("1 x 2 ") << QList<pid_t>{1, 2};
}

void TestProcessTree::parseChildren() {
    QFETCH(QByteArray, text);
    QFETCH(QList<pid_t>, pids);
    std::vector<pid_t> parsed{99}; // appended to, not replaced
    jobmonitor::proc::parseChildren(std::string_view(text.data(), text.size()), parsed);
    QCOMPARE(parsed.front(), 99);
    QCOMPARE(QList<pid_t>(parsed.begin() + 1, parsed.end()), pids);
}

void TestProcessTree::readTreeWithChildrenFiles() {
    ProcessTreeReader reader(fixture("proc"));
    QVERIFY(reader.isOpen());
    const TreeReading reading = reader.read(100, TreeOptions{});
    QVERIFY(reading.rootFound);
    QCOMPARE(reading.root.stat.pid, 100);
    QVERIFY(!reading.scannedAllProcesses);
    // Breadth-first; 104 was forked by 101's second thread; 106 (reused) and 107 (gone) out.
    QCOMPARE(pidsOf(reading), (QList<pid_t>{101, 102, 104}));
    const TreeProcess &zombie = reading.descendants[1];
    QVERIFY(zombie.stat.hasEnded());
    QVERIFY(!zombie.ioRead);
    QVERIFY(zombie.ioUnreadable);
    QVERIFY(reading.descendants[0].ioRead);
    QCOMPARE(reading.descendants[0].io.logicalReadBytes, quint64(50000));
    QCOMPARE(reading.descendants[0].pssBytes, -1); // not asked for
}

void TestProcessTree::usageOfTree() {
    ProcessTreeReader reader(fixture("proc"));
    const TreeUsage usage = usageOf(reader.read(100, TreeOptions{}));
    // The root's own 5+3 ticks are not the job's; what it reaped (200+50) is.
    QCOMPARE(usage.cpuTicks, quint64(250 + (300 + 100 + 10 + 5) + (40 + 10) + (1 + 1)));
    QCOMPARE(usage.processes, 2); // the zombie has ended
    QCOMPARE(usage.threads, 3);
    QCOMPARE(usage.residentBytes, (1000 + 250) * pageSize());
    QCOMPARE(usage.io.logicalReadBytes, quint64(1000 + 50000 + 300));
    QCOMPARE(usage.io.logicalWriteBytes, quint64(10 + 7000 + 20));
    QCOMPARE(usage.io.storageReadBytes, quint64(4096 + 8192));
    QCOMPARE(usage.io.storageWriteBytes, quint64(4096));
    QVERIFY(!usage.ioComplete); // the zombie's io file is missing
    QCOMPARE(usage.pssBytes, -1);
}

void TestProcessTree::readTreeWithPss() {
    ProcessTreeReader reader(fixture("proc"));
    const TreeReading reading = reader.read(100, TreeOptions{true, true});
    QVERIFY(reading.pssRead);
    QCOMPARE(reading.root.pssBytes, -1); // the reaper's own memory is not the job's
    QCOMPARE(usageOf(reading).pssBytes, (2000 + 500) * 1024);

    const TreeReading withoutIo = reader.read(100, TreeOptions{false, false});
    QCOMPARE(pidsOf(withoutIo), (QList<pid_t>{101, 102, 104}));
    QCOMPARE(usageOf(withoutIo).io.logicalReadBytes, quint64(0));
    QVERIFY(!usageOf(withoutIo).ioComplete);
}

void TestProcessTree::readTreeByScanningAllProcesses() {
    ProcessTreeReader reader(fixture("proc-nochildren"));
    const TreeReading reading = reader.read(200, TreeOptions{});
    QVERIFY(reading.rootFound);
    QVERIFY(reading.scannedAllProcesses);
    QCOMPARE(pidsOf(reading), (QList<pid_t>{201, 202}));
    const TreeUsage usage = usageOf(reading);
    QCOMPARE(usage.cpuTicks, quint64(30 + 4 + 6));
    QCOMPARE(usage.processes, 2);
    QCOMPARE(usage.io.logicalReadBytes, quint64(10 + 20 + 30));
    QVERIFY(usage.ioComplete);
    // The scan is kept for the next tree of the round, and made again after forgetScan().
    QCOMPARE(pidsOf(reader.read(201, TreeOptions{})), QList<pid_t>{202});
    reader.forgetScan();
    QCOMPARE(pidsOf(reader.read(200, TreeOptions{})), (QList<pid_t>{201, 202}));
}

void TestProcessTree::missingRoot() {
    ProcessTreeReader reader(fixture("proc"));
    const TreeReading reading = reader.read(107, TreeOptions{});
    QVERIFY(!reading.rootFound);
    QVERIFY(reading.descendants.empty());
    const TreeUsage usage = usageOf(reading);
    QCOMPARE(usage.cpuTicks, quint64(0));
    QCOMPARE(usage.processes, 0);

    ProcessTreeReader nowhere(fixture("no-such-folder"));
    QVERIFY(!nowhere.isOpen());
    QVERIFY(!nowhere.read(100, TreeOptions{}).rootFound);
}

void TestProcessTree::endedRoot() {
    // A zombie root is found, with what it reaped, and its tree is not walked.
    ProcessTreeReader reader(fixture("proc"));
    const TreeReading reading = reader.read(102, TreeOptions{});
    QVERIFY(reading.rootFound);
    QVERIFY(reading.root.stat.hasEnded());
    QVERIFY(reading.descendants.empty());
}

void TestProcessTree::memoryAvailableFromFixture() {
    QCOMPARE(memoryAvailableBytes(fixture("proc")), std::optional<qint64>(22627404LL * 1024));
    QCOMPARE(memoryAvailableBytes(fixture("proc-nochildren")), std::nullopt);
    const auto real = memoryAvailableBytes();
    QVERIFY(real.has_value());
    QVERIFY(*real > 0);
}

void TestProcessTree::realTree() {
    // The helper child as the root: its children are the tree. One is killed and, never
    // reaped by the helper, stays a zombie: found, but no longer a live process.
    QTemporaryDir dir;
    const QString pidFile = dir.filePath(QStringLiteral("pids"));
    QProcess root;
    root.start(testChildPath(),
               {QStringLiteral("--pidfile"), pidFile, QStringLiteral("--children"),
                QStringLiteral("3"), QStringLiteral("--sleep"), QStringLiteral("-1")});
    QVERIFY(root.waitForStarted());
    const QList<qint64> pids = waitForPids(pidFile, 4, 10s);
    QCOMPARE(pids.size(), 4);
    const QList<qint64> children = readPidFile(pidFile).values(QStringLiteral("child"));

    ProcessTreeReader reader;
    const pid_t rootPid = pid_t(root.processId());
    TreeReading reading = reader.read(rootPid, TreeOptions{true, true});
    QVERIFY(reading.rootFound);
    QCOMPARE(reading.root.stat.pid, rootPid);
    QVERIFY(!reading.root.stat.hasEnded());
    QList<qint64> found;
    for (const TreeProcess &process : reading.descendants)
        found << process.stat.pid;
    std::sort(found.begin(), found.end());
    QList<qint64> expected = children;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(found, expected);
    TreeUsage usage = usageOf(reading);
    QCOMPARE(usage.processes, 3);
    QCOMPARE(usage.threads, 3);
    QVERIFY(usage.residentBytes > 0);
    QVERIFY(usage.pssBytes > 0);
    QVERIFY(usage.ioComplete);

    // Read from this test, which has a second thread now: each thread's children file is read.
    QThread thread;
    thread.start();
    reading = reader.read(getpid(), TreeOptions{});
    QVERIFY(reading.root.stat.threads >= 2);
    found.clear();
    for (const TreeProcess &process : reading.descendants)
        found << process.stat.pid;
    std::sort(found.begin(), found.end());
    expected << rootPid;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(found, expected);
    thread.quit();
    thread.wait();

    QCOMPARE(::kill(pid_t(children[0]), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(usageOf(reader.read(rootPid, TreeOptions{})).processes, 2, 10000);
    reading = reader.read(rootPid, TreeOptions{});
    QCOMPARE(int(reading.descendants.size()), 3); // the zombie is still there...
    usage = usageOf(reading);
    QCOMPARE(usage.threads, 2); // ...but has ended

    for (qint64 child : children)
        ::kill(pid_t(child), SIGKILL);
    root.kill();
    QVERIFY(root.waitForFinished());
    // Zombies count as dead: the killed children are the root's until it is reaped.
    QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>{});
}

QTEST_GUILESS_MAIN(TestProcessTree)
#include "tst_processtree.moc"
