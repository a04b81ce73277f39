// Command line parsing: defaults, every option, and every bad value refused with exit status 64
// and one line that names the option.
#include "commandline.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using std::chrono::milliseconds;

class TestCommandLine : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString stateDir() const { return m_dir.filePath(QStringLiteral("state")); }
    CommandLineResult parse(QStringList arguments) const {
        arguments.prepend(QStringLiteral("jobmonitor"));
        return parseCommandLine(arguments, stateDir());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaults() {
        const CommandLineResult result = parse({});
        QVERIFY(result.options);
        QCOMPARE(result.exitStatus, 0);
        const CommandLineOptions &options = *result.options;
        QVERIFY(!options.headless);
        QVERIFY(!options.json);
        QVERIFY(options.jobs.isEmpty());
        QCOMPARE(options.grace, milliseconds(5000));
        QCOMPARE(options.timeout, milliseconds(0));
        QCOMPARE(options.retries, 0);
        QCOMPARE(options.maxParallel, 4);
        QCOMPARE(options.stateDir, stateDir());
        QVERIFY(QFileInfo(stateDir()).isDir());
    }

    void validValues_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("jobs");
        QTest::addColumn<bool>("headless");
        QTest::addColumn<bool>("json");
        QTest::addColumn<qint64>("graceMs");
        QTest::addColumn<qint64>("timeoutMs");
        QTest::addColumn<int>("retries");
        QTest::addColumn<int>("maxParallel");

        QTest::newRow("one job") << QStringList{"--job", "sleep 1"} << QStringList{"sleep 1"}
                                 << false << false << qint64(5000) << qint64(0) << 0 << 4;
        QTest::newRow("repeated jobs keep their order")
            << QStringList{"--job", "b", "--job", "a", "--job", "c"} << QStringList{"b", "a", "c"}
            << false << false << qint64(5000) << qint64(0) << 0 << 4;
        QTest::newRow("headless json")
            << QStringList{"--headless", "--json", "--job", "true"} << QStringList{"true"} << true
            << true << qint64(5000) << qint64(0) << 0 << 4;
        QTest::newRow("all numbers")
            << QStringList{"--grace",   "250", "--timeout",      "30",
                           "--retries", "2",   "--max-parallel", "8"}
            << QStringList{} << false << false << qint64(250) << qint64(30000) << 2 << 8;
        QTest::newRow("equals form")
            << QStringList{"--grace=0", "--timeout=1.5", "--retries=0"} << QStringList{} << false
            << false << qint64(0) << qint64(1500) << 0 << 4;
        QTest::newRow("last value wins")
            << QStringList{"--grace", "1", "--grace", "2"} << QStringList{} << false << false
            << qint64(2) << qint64(0) << 0 << 4;
        QTest::newRow("shell syntax stays one command")
            << QStringList{"--job", "echo 'a b' | tr a-z A-Z; exit 3"}
            << QStringList{"echo 'a b' | tr a-z A-Z; exit 3"} << false << false << qint64(5000)
            << qint64(0) << 0 << 4;
    }

    void validValues() {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, jobs);
        QFETCH(bool, headless);
        QFETCH(bool, json);
        QFETCH(qint64, graceMs);
        QFETCH(qint64, timeoutMs);
        QFETCH(int, retries);
        QFETCH(int, maxParallel);

        const CommandLineResult result = parse(arguments);
        QVERIFY2(result.options, qPrintable(result.output));
        const CommandLineOptions &options = *result.options;
        QCOMPARE(options.jobs, jobs);
        QCOMPARE(options.headless, headless);
        QCOMPARE(options.json, json);
        QCOMPARE(options.grace.count(), graceMs);
        QCOMPARE(options.timeout.count(), timeoutMs);
        QCOMPARE(options.retries, retries);
        QCOMPARE(options.maxParallel, maxParallel);
    }

    void jobSpecCarriesTheDefaults() {
        const CommandLineResult result =
            parse({"--grace", "700", "--timeout", "2", "--retries", "3", "--job", "sleep 9"});
        QVERIFY(result.options);
        const JobSpec spec = result.options->jobSpec(QStringLiteral("sleep 9"));
        QCOMPARE(spec.command, QStringLiteral("sleep 9"));
        QCOMPARE(spec.timeout, milliseconds(2000));
        QCOMPARE(spec.maxAttempts, 4);
        QCOMPARE(spec.termination, TerminationSequence::standard(milliseconds(700)));
        QCOMPARE(spec.validate(), QString());
    }

    void badValues_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("option"); // the message must name it

        QTest::newRow("grace not a number") << QStringList{"--grace", "abc"} << "--grace";
        QTest::newRow("grace negative") << QStringList{"--grace", "-1"} << "--grace";
        QTest::newRow("grace fraction") << QStringList{"--grace", "1.5"} << "--grace";
        QTest::newRow("grace too large") << QStringList{"--grace", "99999999999"} << "--grace";
        QTest::newRow("grace missing value") << QStringList{"--grace"} << "grace";
        QTest::newRow("timeout not a number") << QStringList{"--timeout", "soon"} << "--timeout";
        QTest::newRow("timeout negative") << QStringList{"--timeout", "-3"} << "--timeout";
        QTest::newRow("timeout infinite") << QStringList{"--timeout", "inf"} << "--timeout";
        QTest::newRow("timeout nan") << QStringList{"--timeout", "nan"} << "--timeout";
        QTest::newRow("retries negative") << QStringList{"--retries", "-5"} << "--retries";
        QTest::newRow("retries empty") << QStringList{"--retries", ""} << "--retries";
        QTest::newRow("max-parallel zero")
            << QStringList{"--max-parallel", "0"} << "--max-parallel";
        QTest::newRow("max-parallel word")
            << QStringList{"--max-parallel", "many"} << "--max-parallel";
        QTest::newRow("empty job") << QStringList{"--job", ""} << "--job";
        QTest::newRow("blank job") << QStringList{"--job", "   "} << "--job";
        QTest::newRow("json without headless")
            << QStringList{"--json", "--job", "true"} << "--json";
        QTest::newRow("headless without jobs") << QStringList{"--headless"} << "--headless";
        QTest::newRow("unknown option") << QStringList{"--frobnicate"} << "frobnicate";
        QTest::newRow("stray argument") << QStringList{"sleep"} << "--job";
        QTest::newRow("empty state-dir") << QStringList{"--state-dir", ""} << "--state-dir";
    }

    void badValues() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, option);

        const CommandLineResult result = parse(arguments);
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QVERIFY(result.outputIsError);
        QVERIFY2(result.output.contains(option), qPrintable(result.output));
        QVERIFY2(result.output.endsWith(QLatin1Char('\n')) &&
                     result.output.count(QLatin1Char('\n')) == 1,
                 qPrintable(result.output));
    }

    void stateDirIsCreated() {
        const QString dir = m_dir.filePath(QStringLiteral("a/b/c"));
        const CommandLineResult result = parse({"--state-dir", dir});
        QVERIFY2(result.options, qPrintable(result.output));
        QCOMPARE(result.options->stateDir, dir);
        QVERIFY(QFileInfo(dir).isDir());
    }

    void stateDirRelativeBecomesAbsolute() {
        QVERIFY(QDir::setCurrent(m_dir.path()));
        const CommandLineResult result = parse({"--state-dir", "relative"});
        QVERIFY2(result.options, qPrintable(result.output));
        QCOMPARE(result.options->stateDir, m_dir.filePath(QStringLiteral("relative")));
    }

    void unusableStateDir_data() {
        QTest::addColumn<QString>("path");
        // Both fail even for root, unlike a directory without write permission.
        QTest::newRow("a regular file") << m_dir.filePath(QStringLiteral("plain-file"));
        QTest::newRow("beneath a regular file") << m_dir.filePath(QStringLiteral("plain-file/sub"));
    }

    void unusableStateDir() {
        QFETCH(QString, path);
        QFile file(m_dir.filePath(QStringLiteral("plain-file")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();

        const CommandLineResult result = parse({"--state-dir", path});
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QVERIFY2(result.output.contains(QStringLiteral("--state-dir")), qPrintable(result.output));
        QVERIFY2(result.output.contains(path), qPrintable(result.output));
    }

    void helpAndVersion_data() {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--help") << "--help"
                                << "--max-parallel";
        QTest::newRow("-h") << "-h"
                            << "--state-dir";
        QTest::newRow("--version") << "--version"
                                   << "jobmonitor ";
    }

    void helpAndVersion() {
        QFETCH(QString, argument);
        QFETCH(QString, expected);
        // Even with a bad value beside it: help wins, and nothing is validated.
        const CommandLineResult result = parse({argument, "--grace", "abc"});
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, 0);
        QVERIFY(!result.outputIsError);
        QVERIFY2(result.output.contains(expected), qPrintable(result.output));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
