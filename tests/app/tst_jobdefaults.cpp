// The window's defaults of new jobs and of the queue (jobdefaults.h): kept in the settings file
// and read back, a bad value in the file ignored with the built-in default, and the command
// line's values holding over them for the run, down to the engine a window starts.
#include "appruntime.h"
#include "jobdefaults.h"
#include "joblimits.h"
#include "logging.h"
#include "settingsfile.h"

#include <QScopeGuard>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(std::optional<int>)
Q_DECLARE_METATYPE(std::optional<std::chrono::milliseconds>)

class TestJobDefaults : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString file() const { return m_dir.filePath(QStringLiteral("jobmonitor.conf")); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        setupStderrLogging();
    }
    void init() {
        QFile::remove(file());
        setSettingsFile(file());
    }
    void cleanupTestCase() { setSettingsFile(defaultSettingsFile()); }

    void builtInWithoutAFile() {
        QCOMPARE(JobDefaults::load().grace, 5000ms);
        QCOMPARE(JobDefaults::load().maxParallel, 4);
        const CommandLineResult parsed =
            parseCommandLine({"jobmonitor"}, m_dir.filePath(QStringLiteral("state")));
        QVERIFY(parsed.options);
        QCOMPARE(JobDefaults::load().grace, parsed.options->termination.grace());
        QCOMPARE(JobDefaults::load().maxParallel, parsed.options->maxParallel);
    }

    void roundTrip_data() {
        QTest::addColumn<qint64>("graceMs");
        QTest::addColumn<int>("maxParallel");
        QTest::newRow("no grace, one at a time") << qint64(0) << 1;
        QTest::newRow("typical") << qint64(2500) << 8;
        QTest::newRow("the limits")
            << qint64(limits::maxTerminationWait.count()) << limits::maxParallel;
    }
    void roundTrip() {
        QFETCH(qint64, graceMs);
        QFETCH(int, maxParallel);
        const JobDefaults saved{std::chrono::milliseconds(graceMs), maxParallel};
        saved.save();
        QCOMPARE(JobDefaults::load(), saved);
        // Saving the defaults leaves the file's other settings alone.
        QSettings(file(), QSettings::IniFormat).setValue(QStringLiteral("history/keepDays"), 7);
        saved.save();
        QCOMPARE(QSettings(file(), QSettings::IniFormat).value("history/keepDays").toInt(), 7);
    }

    // A value written by hand that no front end would accept is not used.
    void badValuesInTheFile_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("grace not a number") << "defaults/graceMs"
                                            << "soon";
        QTest::newRow("grace negative") << "defaults/graceMs"
                                        << "-1";
        QTest::newRow("grace beyond the limit")
            << "defaults/graceMs" << QString::number(limits::maxTerminationWait.count() + 1);
        QTest::newRow("max-parallel zero") << "defaults/maxParallel"
                                           << "0";
        QTest::newRow("max-parallel beyond the limit")
            << "defaults/maxParallel" << QString::number(limits::maxParallel + 1);
        QTest::newRow("max-parallel a word") << "defaults/maxParallel"
                                             << "many";
    }
    void badValuesInTheFile() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        {
            QSettings settings(file(), QSettings::IniFormat);
            settings.setValue(QStringLiteral("defaults/graceMs"), 1200);
            settings.setValue(QStringLiteral("defaults/maxParallel"), 3);
            settings.setValue(key, value);
        }
        const JobDefaults loaded = JobDefaults::load();
        const JobDefaults builtIn;
        QCOMPARE(loaded.grace, key.endsWith("graceMs") ? builtIn.grace : 1200ms);
        QCOMPARE(loaded.maxParallel, key.endsWith("maxParallel") ? builtIn.maxParallel : 3);
        // Nothing is lost: the file keeps what was written.
        QCOMPARE(QSettings(file(), QSettings::IniFormat).value(key).toString(), value);
    }

    // The one reading of a number of jobs at once, with the command line's words.
    void maxParallelMessages_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << "0";
        QTest::newRow("a word") << "many";
        QTest::newRow("beyond the limit") << QString::number(limits::maxParallel + 1);
    }
    void maxParallelMessages() {
        QFETCH(QString, text);
        QString error;
        QVERIFY(!parseMaxParallel(text, &error));
        const CommandLineResult parsed = parseCommandLine({"jobmonitor", "--max-parallel", text},
                                                          m_dir.filePath(QStringLiteral("state")));
        QVERIFY(!parsed.options);
        QCOMPARE(parsed.output, QStringLiteral("jobmonitor: --max-parallel: %1\n").arg(error));
    }

    void whatTheCommandLineGave_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<std::optional<std::chrono::milliseconds>>("grace");
        QTest::addColumn<std::optional<int>>("maxParallel");
        const std::optional<std::chrono::milliseconds> noGrace;
        QTest::newRow("nothing") << QStringList{} << noGrace << std::optional<int>();
        QTest::newRow("the built-in values, given")
            << QStringList{"--grace", "5000", "--max-parallel", "4"} << std::optional(5000ms)
            << std::optional(4);
        QTest::newRow("grace") << QStringList{"--grace", "250"} << std::optional(250ms)
                               << std::optional<int>();
        QTest::newRow("termseq: its waits") << QStringList{"--termseq", "INT,300,TERM,700,KILL"}
                                            << std::optional(1000ms) << std::optional<int>();
        QTest::newRow("max-parallel")
            << QStringList{"--max-parallel", "2", "--job", "true"} << noGrace << std::optional(2);
    }
    void whatTheCommandLineGave() {
        QFETCH(QStringList, arguments);
        QFETCH(std::optional<std::chrono::milliseconds>, grace);
        QFETCH(std::optional<int>, maxParallel);
        const CommandLineResult parsed = parseCommandLine(QStringList{"jobmonitor"} + arguments,
                                                          m_dir.filePath(QStringLiteral("state")));
        QVERIFY2(parsed.options, qPrintable(parsed.output));
        const CommandLineDefaults given = CommandLineDefaults::of(*parsed.options);
        QCOMPARE(given.grace, grace);
        QCOMPARE(given.maxParallel, maxParallel);

        const JobDefaults saved{7000ms, 9};
        const JobDefaults held = given.over(saved);
        QCOMPARE(held.grace, grace.value_or(saved.grace));
        QCOMPARE(held.maxParallel, maxParallel.value_or(saved.maxParallel));

        saved.save();
        setCommandLineDefaults(given);
        const auto restore = qScopeGuard([] { setCommandLineDefaults({}); });
        QCOMPARE(effectiveJobDefaults(), held);
    }

    // The engine a window starts runs as many jobs at once as its settings say, unless its
    // command line gave a number; a headless run goes by its command line alone.
    void theRunStartsWithWhatHolds_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("maxParallel");
        QTest::newRow("window: the settings") << QStringList{} << 6;
        QTest::newRow("window: the command line") << QStringList{"--max-parallel", "2"} << 2;
        QTest::newRow("headless: the built-in value")
            << QStringList{"--headless", "--job", "true"} << 4;
        QTest::newRow("headless: the command line")
            << QStringList{"--headless", "--max-parallel", "3", "--job", "true"} << 3;
    }
    void theRunStartsWithWhatHolds() {
        QFETCH(QStringList, arguments);
        QFETCH(int, maxParallel);
        QTemporaryDir state;
        const CommandLineResult parsed = parseCommandLine(
            QStringList{"jobmonitor", "--state-dir", state.path()} + arguments, state.path());
        QVERIFY2(parsed.options, qPrintable(parsed.output));
        setSettingsFile(parsed.options->settingsFile);
        JobDefaults{3000ms, 6}.save();
        AppRuntime runtime(*parsed.options);
        QCOMPARE(runtime.supervisor().maxParallel(), maxParallel);
        runtime.finish();
    }
};

QTEST_GUILESS_MAIN(TestJobDefaults)

#include "tst_jobdefaults.moc"
