// Command line parsing: defaults, every option, and every bad value refused with exit status 64
// and one line that names the option.
#include "commandline.h"
#include "joblimits.h"
#include "settingsfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace jobmonitor;
using std::chrono::milliseconds;

namespace {

mode_t modeOf(const QString &path) {
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}

} // namespace

Q_DECLARE_METATYPE(jobmonitor::QueueOption)

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
        QCOMPARE(options.termination, TerminationSequence::standard(milliseconds(5000)));
        QCOMPARE(options.timeout, milliseconds(0));
        QCOMPARE(options.retries, 0);
        QCOMPARE(options.maxParallel, 4);
        QCOMPARE(options.stateDir, stateDir());
        QVERIFY(QFileInfo(stateDir()).isDir());
        // Not given on the command line: the settings stay in the user's configuration.
        QCOMPARE(options.settingsFile, defaultSettingsFile());
    }

    void validValues_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("jobs");
        QTest::addColumn<bool>("headless");
        QTest::addColumn<bool>("json");
        QTest::addColumn<QString>("termination");
        QTest::addColumn<qint64>("timeoutMs");
        QTest::addColumn<int>("retries");
        QTest::addColumn<int>("maxParallel");

        QTest::newRow("one job") << QStringList{"--job", "sleep 1"} << QStringList{"sleep 1"}
                                 << false << false << "TERM,0,CONT,5000,KILL" << qint64(0) << 0
                                 << 4;
        QTest::newRow("repeated jobs keep their order")
            << QStringList{"--job", "b", "--job", "a", "--job", "c"} << QStringList{"b", "a", "c"}
            << false << false << "TERM,0,CONT,5000,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("headless json")
            << QStringList{"--headless", "--json", "--job", "true"} << QStringList{"true"} << true
            << true << "TERM,0,CONT,5000,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("all numbers")
            << QStringList{"--grace",   "250", "--timeout",      "30",
                           "--retries", "2",   "--max-parallel", "8"}
            << QStringList{} << false << false << "TERM,0,CONT,250,KILL" << qint64(30000) << 2 << 8;
        QTest::newRow("equals form")
            << QStringList{"--grace=0", "--timeout=1.5", "--retries=0"} << QStringList{} << false
            << false << "TERM,0,CONT,0,KILL" << qint64(1500) << 0 << 4;
        QTest::newRow("last value wins")
            << QStringList{"--grace", "1", "--grace", "2"} << QStringList{} << false << false
            << "TERM,0,CONT,2,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("shell syntax stays one command")
            << QStringList{"--job", "echo 'a b' | tr a-z A-Z; exit 3"}
            << QStringList{"echo 'a b' | tr a-z A-Z; exit 3"} << false << false
            << "TERM,0,CONT,5000,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("termseq") << QStringList{"--termseq", "TERM,500,INT,500,KILL"}
                                 << QStringList{} << false << false << "TERM,500,INT,500,KILL"
                                 << qint64(0) << 0 << 4;
        QTest::newRow("termseq names and numbers")
            << QStringList{"--termseq=sigint,100,15,0"} << QStringList{} << false << false
            << "INT,100,TERM,0,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("an option-like command written with =")
            << QStringList{"--job=--state-dir"} << QStringList{"--state-dir"} << false << false
            << "TERM,0,CONT,5000,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("a command that starts with a dash and a digit")
            << QStringList{"--job", "-1"} << QStringList{"-1"} << false << false
            << "TERM,0,CONT,5000,KILL" << qint64(0) << 0 << 4;
        QTest::newRow("every limit reached")
            << QStringList{"--grace",   "86400000", "--timeout",      "31536000",
                           "--retries", "100",      "--max-parallel", "1024"}
            << QStringList{} << false << false << "TERM,0,CONT,86400000,KILL" << qint64(31536000000)
            << 100 << 1024;
        QTest::newRow("shortest timeout")
            << QStringList{"--timeout", "0.001"} << QStringList{} << false << false
            << "TERM,0,CONT,5000,KILL" << qint64(1) << 0 << 4;
    }

    void validValues() {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, jobs);
        QFETCH(bool, headless);
        QFETCH(bool, json);
        QFETCH(QString, termination);
        QFETCH(qint64, timeoutMs);
        QFETCH(int, retries);
        QFETCH(int, maxParallel);

        const CommandLineResult result = parse(arguments);
        QVERIFY2(result.options, qPrintable(result.output));
        const CommandLineOptions &options = *result.options;
        QCOMPARE(options.jobs, jobs);
        QCOMPARE(options.headless, headless);
        QCOMPARE(options.json, json);
        QCOMPARE(options.termination.toString(), termination);
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

    void jobSpecCarriesTheLimits() {
        const CommandLineResult result =
            parse({"--memory-limit", "2G", "--nice", "-0", "--ionice", "idle", "--job", "sleep 9",
                   "--nice=7", "--progress", "(?<percent>\\d+)%"});
        QVERIFY(result.options);
        const JobSpec spec = result.options->jobSpec(QStringLiteral("sleep 9"));
        QCOMPARE(spec.memoryLimitBytes, 2LL * 1024 * 1024 * 1024);
        QCOMPARE(spec.niceness, std::optional(7)); // the last one given
        QCOMPARE(spec.ioPriority, std::optional(IoPriority{3, 0}));
        QCOMPARE(spec.progressPattern, QStringLiteral("(?<percent>\\d+)%"));
        const CommandLineResult none = parse({"--job", "true"});
        QVERIFY(none.options);
        QCOMPARE(none.options->jobSpec(QStringLiteral("true")).memoryLimitBytes, 0);
        QCOMPARE(none.options->jobSpec(QStringLiteral("true")).niceness, std::nullopt);
        QCOMPARE(none.options->jobSpec(QStringLiteral("true")).ioPriority, std::nullopt);
        QCOMPARE(none.options->memfreeBytes, 0);
        const CommandLineResult guarded = parse({"--memfree", "1.5G"});
        QVERIFY(guarded.options);
        QCOMPARE(guarded.options->memfreeBytes, 1536LL * 1024 * 1024);
    }

    // --name, --cwd and --env belong to the --job before them; the defaults apply to all.
    void perJobOptions() {
        const CommandLineResult result =
            parse({"--headless", "--output", "--timeout", "2", "--job", "make", "--name", "build",
                   "--env", "A=1", "--env=B=x=y", "--cwd", m_dir.path(), "--job", "true"});
        QVERIFY2(result.options, qPrintable(result.output));
        QVERIFY(result.options->output);
        QCOMPARE(result.options->jobs, QStringList({"make", "true"}));
        const JobSpec first = result.options->jobSpecAt(0);
        QCOMPARE(first.name, QStringLiteral("build"));
        QCOMPARE(first.workingDirectory, m_dir.path());
        QCOMPARE(first.environment, (QMap<QString, QString>{{"A", "1"}, {"B", "x=y"}}));
        QCOMPARE(first.timeout, milliseconds(2000));
        const JobSpec second = result.options->jobSpecAt(1);
        QCOMPARE(second.name, QString());
        QCOMPARE(second.workingDirectory, QString());
        QVERIFY(second.environment.isEmpty());
        QCOMPARE(second.timeout, milliseconds(2000));
    }

    void perJobOptionErrors_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("name before any job") << QStringList{"--name", "x", "--job", "true"}
                                             << "--name: give it after the --job it belongs to";
        QTest::newRow("two names for a job")
            << QStringList{"--job", "true", "--name", "a", "--name", "b"}
            << "--name: one per --job";
        QTest::newRow("env without =")
            << QStringList{"--job", "true", "--env", "PATH"} << "--env: 'PATH' is not NAME=VALUE";
        QTest::newRow("cwd missing") << QStringList{"--job", "true", "--cwd", "/nonexistent/x"}
                                     << "--cwd: working directory '/nonexistent/x' does not exist";
        QTest::newRow("output without headless")
            << QStringList{"--output", "--job", "true"} << "--output: only with --headless";
    }
    void perJobOptionErrors() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CommandLineResult result = parse(arguments);
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QCOMPARE(result.output, QStringLiteral("jobmonitor: ") + message + QLatin1Char('\n'));
    }

    // The same reading of job options for `add`: applied to a spec, the first problem named.
    void applyJobOptionsNamesTheOption_data() {
        QTest::addColumn<QString>("timeout");
        QTest::addColumn<QString>("retries");
        QTest::addColumn<QString>("message");
        QTest::newRow("fine") << "1.5"
                              << "2" << QString();
        QTest::newRow("auto") << "auto"
                              << "0" << QString();
        QTest::newRow("bad timeout") << "soon"
                                     << "0"
                                     << "--timeout: 'soon' is not a number of seconds";
        QTest::newRow("too many retries") << "1"
                                          << "101"
                                          << "--retries: retries must be at most 100, not 101";
    }
    void applyJobOptionsNamesTheOption() {
        QFETCH(QString, timeout);
        QFETCH(QString, retries);
        QFETCH(QString, message);
        JobSpec spec;
        spec.command = QStringLiteral("true");
        JobOptionValues values;
        values.timeout = timeout;
        values.retries = retries;
        QCOMPARE(applyJobOptions(values, &spec), message);
        if (message.isEmpty()) {
            QCOMPARE(spec.maxAttempts, 1 + retries.toInt());
            QCOMPARE(spec.timeoutAuto, timeout == QLatin1String("auto"));
        }
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
        QTest::newRow("grace beyond qint64")
            << QStringList{"--grace", "99999999999999999999999"} << "--grace";
        QTest::newRow("termseq bad signal") << QStringList{"--termseq", "FOO,10"} << "--termseq";
        QTest::newRow("termseq missing value") << QStringList{"--termseq"} << "termseq";
        QTest::newRow("timeout below the resolution")
            << QStringList{"--timeout", "0.0001"} << "--timeout";
        QTest::newRow("timeout above the limit")
            << QStringList{"--timeout", "31536000.001"} << "--timeout";
        QTest::newRow("retries above the limit") << QStringList{"--retries", "101"} << "--retries";
        QTest::newRow("retries beyond qint64")
            << QStringList{"--retries", "99999999999999999999999"} << "--retries";
        QTest::newRow("max-parallel above the limit")
            << QStringList{"--max-parallel", "1025"} << "--max-parallel";
        QTest::newRow("memory-limit no unit")
            << QStringList{"--memory-limit", "2X"} << "--memory-limit";
        QTest::newRow("memory-limit zero")
            << QStringList{"--memory-limit", "0"} << "--memory-limit";
        QTest::newRow("memory-limit too small")
            << QStringList{"--memory-limit", "1K"} << "--memory-limit";
        QTest::newRow("memfree not a size") << QStringList{"--memfree", "much"} << "--memfree";
        QTest::newRow("nice word") << QStringList{"--nice", "low"} << "--nice";
        QTest::newRow("nice too high") << QStringList{"--nice", "20"} << "--nice";
        QTest::newRow("ionice unknown class") << QStringList{"--ionice", "fast"} << "--ionice";
        QTest::newRow("ionice level too high")
            << QStringList{"--ionice", "best-effort,8"} << "--ionice";
        // Each option that takes a value: a value that looks like an option is refused.
        for (const char *option :
             {"--job", "--grace", "--termseq", "--timeout", "--retries", "--max-parallel",
              "--state-dir", "--memory-limit", "--nice", "--ionice", "--after", "--after-any",
              "--group", "--at", "--delay", "--priority", "--group-parallel", "--group-rate"})
            QTest::addRow("%s takes an option", option)
                << QStringList{QString::fromLatin1(option), "--headless", "--job", "true"}
                << QString::fromLatin1(option);
    }

    // The whole line for the cases where the wording matters.
    void exactMessages_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("grace too large")
            << QStringList{"--grace", "99999999999"}
            << "--grace: 99999999999 ms is too long: the limit is 86400000 ms (24 hours)";
        QTest::newRow("grace not a number")
            << QStringList{"--grace", "1.5"}
            << "--grace: '1.5' is not a whole number of milliseconds (0 or more)";
        QTest::newRow("timeout below the resolution")
            << QStringList{"--timeout", "0.0001"}
            << "--timeout: 0.0001 s is below the resolution of 1 ms: give 0 for none, or at "
               "least 0.001";
        QTest::newRow("timeout above the limit")
            << QStringList{"--timeout", "1e300"}
            << "--timeout: timeout must be at most 31536000000 ms (365 days)";
        QTest::newRow("retries above the limit")
            << QStringList{"--retries", "101"} << "--retries: retries must be at most 100, not 101";
        QTest::newRow("max-parallel above the limit")
            << QStringList{"--max-parallel", "1025"}
            << "--max-parallel: 1025 is too many: the limit is 1024";
        QTest::newRow("an option taken for the command")
            << QStringList{"--job", "--state-dir", "x"}
            << "--job: '--state-dir' looks like an option, not its value; write "
               "--job=--state-dir if it is meant as the value";
        QTest::newRow("grace and termseq")
            << QStringList{"--grace", "100", "--termseq", "TERM,100,KILL"}
            << "--grace and --termseq: give one of them (--grace MS is short for --termseq "
               "TERM,0,CONT,MS,KILL)";
        QTest::newRow("termseq syntax") << QStringList{"--termseq", "TERM,abc"}
                                        << "--termseq: 'abc' is not a number of milliseconds";
        QTest::newRow("termseq too long")
            << QStringList{"--termseq", "TERM,86400000,INT,1"}
            << "--termseq: its waits must add up to at most 86400000 ms (24 hours)";
        QTest::newRow("memory limit too small")
            << QStringList{"--memory-limit", "512K"}
            << "--memory-limit: memory limit must be at least 1 MiB, not 524288 bytes";
        QTest::newRow("memory limit not a size")
            << QStringList{"--memory-limit", "lots"}
            << "--memory-limit: 'lots' is not a size: give a number and a unit, like 2G, 512M or "
               "1.5GiB";
        QTest::newRow("nice out of range")
            << QStringList{"--nice", "-21"} << "--nice: nice value must be -20 to 19, not -21";
        QTest::newRow("idle with a level")
            << QStringList{"--ionice", "idle,3"} << "--ionice: the idle I/O class has no levels";
        QTest::newRow("progress pattern without a group")
            << QStringList{"--progress", "[0-9]+%"}
            << "--progress: progress pattern: it needs a named group (?<percent>...), or "
               "(?<done>...) and (?<total>...)";
        QTest::newRow("command too long")
            << QStringList{"--job", QString(limits::maxArgumentBytes + 1, QLatin1Char('x'))}
            << "--job: command is 131072 bytes long; Linux runs commands of at most 131071 bytes "
               "(MAX_ARG_STRLEN)";
    }

    void exactMessages() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CommandLineResult result = parse(arguments);
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QVERIFY(result.outputIsError);
        QCOMPARE(result.output, QStringLiteral("jobmonitor: ") + message + QLatin1Char('\n'));
    }

    // Each --after, --after-any, --group, --at or --delay and --priority is for the --job
    // before it; jobs are named by their place on the command line.
    void queueingFollowsItsJob() {
        const CommandLineResult result = parse({"--headless",
                                                "--job",
                                                "make",
                                                "--group",
                                                "build",
                                                "--priority",
                                                "-3",
                                                "--job",
                                                "make test",
                                                "--after",
                                                "1",
                                                "--job",
                                                "make install",
                                                "--after",
                                                "2",
                                                "--after-any",
                                                "1",
                                                "--delay",
                                                "90s",
                                                "--job",
                                                "notify",
                                                "--after-any",
                                                "1,3",
                                                "--group-parallel",
                                                "build=2",
                                                "--group-rate",
                                                "net=5/60:2"});
        QVERIFY2(result.options, qPrintable(result.output));
        const CommandLineOptions &options = *result.options;
        QCOMPARE(options.jobs, (QStringList{"make", "make test", "make install", "notify"}));
        QCOMPARE(options.queueing.size(), 4);
        using C = JobDependency::Condition;
        QCOMPARE(options.queueing[0].group, QStringLiteral("build"));
        QCOMPARE(options.queueing[0].priority, -3);
        QCOMPARE(options.queueing[0].after, QList<BatchDependency>{});
        QCOMPARE(options.queueing[1].after, (QList<BatchDependency>{{0, C::Success}}));
        QCOMPARE(options.queueing[1].group, QString());
        QCOMPARE(options.queueing[2].after,
                 (QList<BatchDependency>{{1, C::Success}, {0, C::AnyEnd}}));
        QCOMPARE(options.queueing[2].delay, std::optional(milliseconds(90000)));
        QCOMPARE(options.queueing[3].after,
                 (QList<BatchDependency>{{0, C::AnyEnd}, {2, C::AnyEnd}}));
        QCOMPARE(options.groups.size(), 2);
        QCOMPARE(options.groups[0].name, QStringLiteral("build"));
        QCOMPARE(options.groups[0].maxParallel, std::optional(2));
        QCOMPARE(options.groups[0].rate, std::nullopt);
        QCOMPARE(options.groups[1].name, QStringLiteral("net"));
        QCOMPARE(options.groups[1].rate, std::optional(StartRate{5, milliseconds(60000), 2}));
        QCOMPARE(options.groups[1].appliedTo({}).maxParallel, 0);

        const QDateTime now = QDateTime::currentDateTime();
        const QList<BatchJob> batch = options.batch(now);
        QCOMPARE(batch.size(), 4);
        QCOMPARE(batch[0].spec.group, QStringLiteral("build"));
        QCOMPARE(batch[0].spec.priority, -3);
        QCOMPARE(batch[2].spec.startAt, now.addSecs(90));
        QVERIFY(!batch[3].spec.startAt.isValid());
        QCOMPARE(batch[3].afterBatch, options.queueing[3].after);
    }

    void startTimeFromTheCommandLine() {
        const CommandLineResult result = parse({"--job", "backup", "--at", "23:59:59"});
        QVERIFY2(result.options, qPrintable(result.output));
        const QDateTime at = result.options->queueing[0].startAt;
        QVERIFY(at > QDateTime::currentDateTime());
        QCOMPARE(at.time(), QTime(23, 59, 59));
        QCOMPARE(result.options->batch(QDateTime::currentDateTime())[0].spec.startAt, at);
    }

    void queueingMessages_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("before any job") << QStringList{"--after", "1", "--job", "true"}
                                        << "--after 1: give it after the --job it applies to";
        QTest::newRow("not a place") << QStringList{"--job", "a", "--after", "first"}
                                     << "--after: 'first' is not the place of a --job on the "
                                        "command line (1 for the first) (job 1)";
        QTest::newRow("place zero") << QStringList{"--job", "a", "--after-any", "0"}
                                    << "--after-any: '0' is not the place of a --job on the "
                                       "command line (1 for the first) (job 1)";
        QTest::newRow("no such job") << QStringList{"--job", "a", "--job", "b", "--after", "3"}
                                     << "--after 3 (job 2): there are only 2 --jobs";
        QTest::newRow("itself") << QStringList{"--job", "a", "--after", "1"}
                                << "--after 1 (job 1): a job cannot wait for itself";
        QTest::newRow("a cycle")
            << QStringList{"--job", "a", "--after", "2", "--job", "b", "--after", "1"}
            << "--after: job 1 waits for job 2, which waits for job 1: the jobs would wait for "
               "each other forever";
        QTest::newRow("group twice") << QStringList{"--job", "a", "--group", "x", "--group", "y"}
                                     << "--group: given twice (job 1)";
        QTest::newRow("bad group name")
            << QStringList{"--job", "a", "--group", "two words"}
            << "--group: group name 'two words' may hold only letters, digits, '.', '_' and '-', "
               "and starts with a letter or a digit (job 1)";
        QTest::newRow("at and delay") << QStringList{"--job", "a", "--at", "23:00", "--delay", "1m"}
                                      << "--at and --delay: give one of them, once (job 1)";
        QTest::newRow("start time in the past")
            << QStringList{"--job", "a", "--at", "2020-01-01T00:00"}
            << "--at: 2020-01-01 00:00 is in the past (job 1)";
        QTest::newRow("bad delay")
            << QStringList{"--job", "a", "--delay", "soon"}
            << "--delay: 'soon' is not a delay: write seconds (90 or 90s), minutes (10m), hours "
               "(2h), days (1d), or several (1h30m) (job 1)";
        QTest::newRow("priority not a number")
            << QStringList{"--job", "a", "--priority", "high"}
            << "--priority: 'high' is not a whole number (-1000 to 1000) (job 1)";
        QTest::newRow("priority out of range")
            << QStringList{"--job", "a", "--priority", "5000"}
            << "--priority: priority must be from -1000 to 1000, not 1001";
        QTest::newRow("group-parallel without a value")
            << QStringList{"--group-parallel", "build"}
            << "--group-parallel: 'build' is not NAME=VALUE";
        QTest::newRow("group-parallel not a number")
            << QStringList{"--group-parallel", "build=two"}
            << "--group-parallel: 'two' is not a whole number (0 for no limit of the group's own)";
        QTest::newRow("group-parallel too many")
            << QStringList{"--group-parallel", "build=2000"}
            << "--group-parallel: 2000 is too many: the limit is 1024";
        QTest::newRow("group-rate syntax")
            << QStringList{"--group-rate", "net=5 per minute"}
            << "--group-rate: '5 per minute' is not a start rate: write STARTS/SECONDS or "
               "STARTS/SECONDS:BURST, e.g. 5/60 or 5/60:2";
        QTest::newRow("group-rate of zero")
            << QStringList{"--group-rate", "net=0/60"}
            << "--group-rate: a start rate needs at least 1 start, not 0";
        QTest::newRow("group-rate bad name")
            << QStringList{"--group-rate", "=1/1"} << "--group-rate: group name is empty";
    }
    void queueingMessages() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CommandLineResult result = parse(arguments);
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QCOMPARE(result.output, QStringLiteral("jobmonitor: ") + message + QLatin1Char('\n'));
    }

    // The per-job queue options as `jobmonitor add` and D-Bus will give them: --after names
    // job ids; the same parser and messages as the headless command line's.
    void queueOptionsForOneJob_data() {
        QTest::addColumn<QList<QueueOption>>("options");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("group");
        QTest::addColumn<int>("priority");
        QTest::addColumn<QList<JobDependency>>("dependencies");
        using C = JobDependency::Condition;
        QTest::newRow("none") << QList<QueueOption>{} << QString() << QString() << 0
                              << QList<JobDependency>{};
        QTest::newRow("all of them")
            << QList<QueueOption>{{"after", "12,13"},
                                  {"after-any", "20"},
                                  {"group", "net"},
                                  {"priority", "-4"},
                                  {"after", "14"}}
            << QString() << "net" << -4
            << QList<JobDependency>{
                   {12, C::Success}, {13, C::Success}, {20, C::AnyEnd}, {14, C::Success}};
        QTest::newRow("not an id")
            << QList<QueueOption>{{"after", "#12"}} << "--after: '#12' is not a job id" << QString()
            << 0 << QList<JobDependency>{};
        QTest::newRow("group twice")
            << QList<QueueOption>{{"group", "a"}, {"group", "b"}} << "--group: given twice"
            << QString() << 0 << QList<JobDependency>{};
        QTest::newRow("not a queue option") << QList<QueueOption>{{"timeout", "5"}}
                                            << "--timeout: not an option of a job's queueing"
                                            << QString() << 0 << QList<JobDependency>{};
    }
    void queueOptionsForOneJob() {
        QFETCH(QList<QueueOption>, options);
        QFETCH(QString, error);
        QFETCH(QString, group);
        QFETCH(int, priority);
        QFETCH(QList<JobDependency>, dependencies);
        JobSpec spec;
        QCOMPARE(applyQueueOptions(options, QDateTime::currentDateTime(), spec), error);
        if (!error.isEmpty())
            return;
        QCOMPARE(spec.group, group);
        QCOMPARE(spec.priority, priority);
        QCOMPARE(spec.dependencies, dependencies);
    }

    void queueOptionsDelayCountsFromNow() {
        const QDateTime now = QDateTime::currentDateTime();
        JobSpec spec;
        QCOMPARE(applyQueueOptions({{"delay", "10m"}}, now, spec), QString());
        QCOMPARE(spec.startAt, now.addSecs(600));
        JobSpec late;
        QCOMPARE(applyQueueOptions({{"delay", "1m"}, {"at", "23:00"}}, now, late),
                 QStringLiteral("--at and --delay: give one of them, once"));
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
        // Private, and so is every folder created on the way (whatever the umask says).
        QCOMPARE(modeOf(dir), mode_t(0700));
        QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("a/b"))), mode_t(0700));
        QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("a"))), mode_t(0700));
        QVERIFY(result.options->notes.isEmpty());
        // Given on the command line: the settings go there too.
        QCOMPARE(result.options->settingsFile, dir + QStringLiteral("/jobmonitor.conf"));
    }

    // An existing folder of ours that others can read is made private, and the log says so.
    void ownReadableStateDirIsTightened() {
        const QString dir = m_dir.filePath(QStringLiteral("readable"));
        QVERIFY(QDir().mkpath(dir));
        QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0755), 0);
        const CommandLineResult result = parse({"--state-dir", dir});
        QVERIFY2(result.options, qPrintable(result.output));
        QCOMPARE(modeOf(dir), mode_t(0700));
        QCOMPARE(
            result.options->notes,
            QStringList{
                QStringLiteral("made state folder '%1' private: mode 0700, was 0755").arg(dir)});
    }

    // Refused, and left as it was: whoever else owns or can write in it may have put files
    // or links there.
    void unsafeStateDirIsRefused_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("owner"); // -1: ours
        QTest::addColumn<QString>("message");
        QTest::newRow("group-writable")
            << 0770 << -1
            << "--state-dir: state folder '%1' can be written by its group or by others (mode "
               "0770): refused, as anyone could have put files or links in it; if that is not "
               "so, make it private with: chmod 700 '%1'";
        QTest::newRow("writable by others")
            << 0703 << -1
            << "--state-dir: state folder '%1' can be written by its group or by others (mode "
               "0703): refused, as anyone could have put files or links in it; if that is not "
               "so, make it private with: chmod 700 '%1'";
        // The tests run as root: a folder of nobody's stands for another user's.
        QTest::newRow("another user's")
            << 0700 << 65534
            << "--state-dir: state folder '%1' belongs to user 65534 (nobody), not to user 0 "
               "(root): refused, as its owner could read and change what Job Monitor keeps there";
    }

    void unsafeStateDirIsRefused() {
        QFETCH(int, mode);
        QFETCH(int, owner);
        QFETCH(QString, message);
        const QString dir =
            m_dir.filePath(QStringLiteral("unsafe-%1").arg(QTest::currentDataTag()));
        QVERIFY(QDir().mkpath(dir));
        const QByteArray encoded = QFile::encodeName(dir);
        QCOMPARE(::chmod(encoded.constData(), mode_t(mode)), 0);
        if (owner >= 0) {
            if (::geteuid() != 0)
                QSKIP("needs root to give a folder to another user");
            QCOMPARE(::chown(encoded.constData(), uid_t(owner), gid_t(-1)), 0);
        }
        const CommandLineResult result = parse({"--state-dir", dir});
        QVERIFY(!result.options);
        QCOMPARE(result.exitStatus, UsageErrorStatus);
        QCOMPARE(result.output,
                 QStringLiteral("jobmonitor: ") + message.arg(dir) + QLatin1Char('\n'));
        QCOMPARE(modeOf(dir), mode_t(mode));
        QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
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

    void helpNamesTheProgram() {
        const CommandLineResult result = parse({"--help"});
        QVERIFY2(result.output.startsWith(QStringLiteral("Usage: jobmonitor [options]\n")),
                 qPrintable(result.output));
        QVERIFY(!result.output.contains(QStringLiteral("executable_name")));
        QVERIFY2(result.output.contains(QStringLiteral("--termseq <sequence>")),
                 qPrintable(result.output));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
