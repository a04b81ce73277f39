#include "joblimits.h"
#include "jobspec.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <limits>

using namespace std::chrono_literals;
using jobmonitor::BackoffPolicy;
using jobmonitor::JobSpec;
using jobmonitor::SpecProblem;
using jobmonitor::TerminationSequence;
using Field = SpecProblem::Field;
using Steps = QList<TerminationSequence::Step>;
namespace limits = jobmonitor::limits;

class TestJobSpec : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QFile file(filePath());
        QVERIFY(file.open(QIODevice::WriteOnly));
    }

    void backoff_data() {
        QTest::addColumn<qint64>("initialMs");
        QTest::addColumn<double>("factor");
        QTest::addColumn<qint64>("capMs");
        QTest::addColumn<int>("retry");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("first retry waits the initial delay")
            << 1000LL << 2.0 << 60000LL << 1 << 1000LL;
        QTest::newRow("second doubles") << 1000LL << 2.0 << 60000LL << 2 << 2000LL;
        QTest::newRow("third doubles again") << 1000LL << 2.0 << 60000LL << 3 << 4000LL;
        QTest::newRow("sixth below the cap") << 1000LL << 2.0 << 60000LL << 6 << 32000LL;
        QTest::newRow("seventh capped") << 1000LL << 2.0 << 60000LL << 7 << 60000LL;
        QTest::newRow("huge retry number capped") << 1000LL << 2.0 << 60000LL << 100000 << 60000LL;
        QTest::newRow("huge factor capped") << 1000LL << 1e300 << 60000LL << 3 << 60000LL;
        QTest::newRow("factor 1 stays") << 500LL << 1.0 << 60000LL << 40 << 500LL;
        QTest::newRow("fractional factor rounds") << 1000LL << 1.5 << 60000LL << 3 << 2250LL;
        QTest::newRow("initial above cap") << 9000LL << 2.0 << 5000LL << 1 << 5000LL;
        QTest::newRow("zero initial") << 0LL << 2.0 << 60000LL << 5 << 0LL;
        QTest::newRow("retry 0 counts as the first") << 1000LL << 2.0 << 60000LL << 0 << 1000LL;
    }
    void backoff() {
        QFETCH(qint64, initialMs);
        QFETCH(double, factor);
        QFETCH(qint64, capMs);
        QFETCH(int, retry);
        QFETCH(qint64, expectedMs);
        const BackoffPolicy policy{std::chrono::milliseconds(initialMs), factor,
                                   std::chrono::milliseconds(capMs)};
        QCOMPARE(policy.delayBeforeRetry(retry).count(), expectedMs);
    }

    void standardSequence() {
        const TerminationSequence sequence = TerminationSequence::standard(5000ms);
        QCOMPARE(sequence.steps, Steps({{SIGTERM, 0ms}, {SIGCONT, 5000ms}}));
        QCOMPARE(sequence.grace(), 5000ms);
        QCOMPARE(sequence.toString(), QStringLiteral("TERM,0,CONT,5000,KILL"));
        QCOMPARE(JobSpec().termination, sequence);
    }

    void parse_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Steps>("steps");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("standard") << QStringLiteral("TERM,0,CONT,5000,KILL")
                                  << Steps{{SIGTERM, 0ms}, {SIGCONT, 5000ms}}
                                  << QStringLiteral("TERM,0,CONT,5000,KILL");
        QTest::newRow("trailing kill with a wait")
            << QStringLiteral("TERM,200,CONT,0,KILL,25") << Steps{{SIGTERM, 200ms}, {SIGCONT, 0ms}}
            << QStringLiteral("TERM,200,CONT,0,KILL");
        QTest::newRow("without kill") << QStringLiteral("TERM,200") << Steps{{SIGTERM, 200ms}}
                                      << QStringLiteral("TERM,200,KILL");
        QTest::newRow("sig prefix, any case")
            << QStringLiteral("SIGINT,10,sigterm,20,Hup,30")
            << Steps{{SIGINT, 10ms}, {SIGTERM, 20ms}, {SIGHUP, 30ms}}
            << QStringLiteral("INT,10,TERM,20,HUP,30,KILL");
        QTest::newRow("numbers") << QStringLiteral("15,100,18,0")
                                 << Steps{{SIGTERM, 100ms}, {SIGCONT, 0ms}}
                                 << QStringLiteral("TERM,100,CONT,0,KILL");
        QTest::newRow("number without a name")
            << QStringLiteral("40,5") << Steps{{40, 5ms}} << QStringLiteral("RTMIN+6,5,KILL");
        QTest::newRow("spaces") << QStringLiteral(" TERM , 10 ,kill ") << Steps{{SIGTERM, 10ms}}
                                << QStringLiteral("TERM,10,KILL");
        QTest::newRow("kill only") << QStringLiteral("KILL") << Steps{} << QStringLiteral("KILL");
        QTest::newRow("kill only with a wait")
            << QStringLiteral("SIGKILL,0") << Steps{} << QStringLiteral("KILL");
        // Too long for the limits, but a number: validate() names the limit.
        QTest::newRow("wait above the limit")
            << QStringLiteral("TERM,3000000000") << Steps{{SIGTERM, 3000000000ms}}
            << QStringLiteral("TERM,3000000000,KILL");
        QTest::newRow("wait beyond qint64 saturates")
            << QStringLiteral("TERM,99999999999999999999999")
            << Steps{{SIGTERM, 1000000000000000ms}} << QStringLiteral("TERM,1000000000000000,KILL");
    }
    void parse() {
        QFETCH(QString, text);
        QFETCH(Steps, steps);
        QFETCH(QString, canonical);
        QString error;
        const std::optional<TerminationSequence> sequence =
            TerminationSequence::parse(text, &error);
        QVERIFY2(sequence, qPrintable(error));
        QCOMPARE(sequence->steps, steps);
        QCOMPARE(sequence->toString(), canonical);
        QCOMPARE(TerminationSequence::parse(canonical, nullptr), sequence);
    }

    void parseErrors_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QString() << QStringLiteral("termination sequence: it is empty");
        QTest::newRow("blank") << QStringLiteral("  ")
                               << QStringLiteral("termination sequence: it is empty");
        QTest::newRow("unknown name")
            << QStringLiteral("TERM,10,FOO,5")
            << QStringLiteral("termination sequence: unknown signal 'FOO'");
        QTest::newRow("signal 0") << QStringLiteral("0,10")
                                  << QStringLiteral("termination sequence: unknown signal '0'");
        QTest::newRow("signal out of range")
            << QStringLiteral("999,10")
            << QStringLiteral("termination sequence: unknown signal '999'");
        QTest::newRow("empty signal")
            << QStringLiteral(",10") << QStringLiteral("termination sequence: unknown signal ''");
        QTest::newRow("wait not a number")
            << QStringLiteral("TERM,abc")
            << QStringLiteral("termination sequence: 'abc' is not a number of milliseconds");
        QTest::newRow("negative wait")
            << QStringLiteral("TERM,-5")
            << QStringLiteral("termination sequence: '-5' is not a number of milliseconds");
        QTest::newRow("fractional wait")
            << QStringLiteral("TERM,1.5")
            << QStringLiteral("termination sequence: '1.5' is not a number of milliseconds");
        QTest::newRow("signed wait")
            << QStringLiteral("TERM,+5")
            << QStringLiteral("termination sequence: '+5' is not a number of milliseconds");
        QTest::newRow("odd count")
            << QStringLiteral("TERM,10,CONT")
            << QStringLiteral(
                   "termination sequence: expected pairs of signal and milliseconds, got 3 items");
        QTest::newRow("lone signal")
            << QStringLiteral("TERM")
            << QStringLiteral(
                   "termination sequence: expected pairs of signal and milliseconds, got 1 items");
        QTest::newRow("kill in the middle")
            << QStringLiteral("KILL,10,TERM,0")
            << QStringLiteral("termination sequence: KILL can only be the last step");
    }
    void parseErrors() {
        QFETCH(QString, text);
        QFETCH(QString, error);
        QString actual;
        QCOMPARE(TerminationSequence::parse(text, &actual), std::nullopt);
        QCOMPARE(actual, error);
    }

    void grace() {
        QCOMPARE(TerminationSequence().grace(), 0ms);
        const TerminationSequence sequence{{{SIGINT, 100ms}, {SIGTERM, 250ms}, {SIGCONT, 0ms}}};
        QCOMPARE(sequence.grace(), 350ms);
        const TerminationSequence huge{{{SIGINT, std::chrono::milliseconds::max()},
                                        {SIGTERM, std::chrono::milliseconds::max()}}};
        QCOMPARE(huge.grace(), std::chrono::milliseconds::max());
    }

    void validate_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("workingDirectory");
        QTest::addColumn<QStringList>("environmentNames");
        QTest::addColumn<int>("maxAttempts");
        QTest::addColumn<qint64>("timeoutMs");
        QTest::addColumn<double>("factor");
        QTest::addColumn<qint64>("initialMs");
        QTest::addColumn<qint64>("capMs");
        QTest::addColumn<QString>("error");
        // Each row is a valid spec with one field changed; "<dir>" and "<file>" stand for an
        // existing directory and an existing plain file.
        QTest::newRow("fine") << QStringLiteral("sleep 1") << QStringLiteral("<dir>")
                              << QStringList{QStringLiteral("LANG")} << 3 << 1000LL << 1.0 << 0LL
                              << 0LL << QString();
        QTest::newRow("empty command") << QString() << QString() << QStringList() << 1 << 0LL << 2.0
                                       << 1000LL << 60000LL << QStringLiteral("command is empty");
        QTest::newRow("blank command")
            << QStringLiteral(" \t\n") << QString() << QStringList() << 1 << 0LL << 2.0 << 1000LL
            << 60000LL << QStringLiteral("command is empty");
        QTest::newRow("missing directory")
            << QStringLiteral("sleep 1") << QStringLiteral("<dir>/missing") << QStringList() << 1
            << 0LL << 2.0 << 1000LL << 60000LL
            << QStringLiteral("working directory '<dir>/missing' does not exist");
        QTest::newRow("directory is a file")
            << QStringLiteral("sleep 1") << QStringLiteral("<file>") << QStringList() << 1 << 0LL
            << 2.0 << 1000LL << 60000LL
            << QStringLiteral("working directory '<file>' is not a directory");
        QTest::newRow("empty environment name")
            << QStringLiteral("sleep 1") << QString() << QStringList{QString()} << 1 << 0LL << 2.0
            << 1000LL << 60000LL << QStringLiteral("environment variable name is empty");
        QTest::newRow("environment name with =")
            << QStringLiteral("sleep 1") << QString() << QStringList{QStringLiteral("A=B")} << 1
            << 0LL << 2.0 << 1000LL << 60000LL
            << QStringLiteral("environment variable name 'A=B' contains '='");
        QTest::newRow("no attempts")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 0 << 0LL << 2.0 << 1000LL
            << 60000LL << QStringLiteral("maximum attempts must be at least 1, not 0");
        QTest::newRow("negative timeout")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << -1LL << 2.0 << 1000LL
            << 60000LL << QStringLiteral("timeout must not be negative, not -1 ms");
        QTest::newRow("factor below 1")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 0.5 << 1000LL
            << 60000LL << QStringLiteral("backoff factor must be 1 to 100, not 0.5");
        QTest::newRow("factor not a number")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL
            << std::numeric_limits<double>::quiet_NaN() << 1000LL << 60000LL
            << QStringLiteral("backoff factor must be 1 to 100, not nan");
        QTest::newRow("factor above the limit")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 100.5
            << 1000LL << 60000LL << QStringLiteral("backoff factor must be 1 to 100, not 100.5");
        QTest::newRow("factor at the limit")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 100.0
            << 1000LL << 60000LL << QString();
        QTest::newRow("most attempts") << QStringLiteral("sleep 1") << QString() << QStringList()
                                       << 101 << 0LL << 2.0 << 1000LL << 60000LL << QString();
        QTest::newRow("too many attempts")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 102 << 0LL << 2.0
            << 1000LL << 60000LL << QStringLiteral("retries must be at most 100, not 101");
        QTest::newRow("longest timeout")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 31536000000LL << 2.0
            << 1000LL << 60000LL << QString();
        QTest::newRow("timeout above the limit")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 31536000001LL << 2.0
            << 1000LL << 60000LL
            << QStringLiteral("timeout must be at most 31536000000 ms (365 days)");
        QTest::newRow("cap above the limit")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 2.0 << 1000LL
            << 86400001LL
            << QStringLiteral("backoff delays must be at most 86400000 ms (24 hours)");
        QTest::newRow("cap below the first delay")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 2.0 << 1000LL
            << 500LL
            << QStringLiteral("backoff: the longest delay (500 ms) must not be shorter than the "
                              "first (1000 ms)");
        QTest::newRow("NUL in the command")
            << QStringLiteral("echo a") + QChar(0) + QStringLiteral("b") << QString()
            << QStringList() << 1 << 0LL << 2.0 << 1000LL << 60000LL
            << QStringLiteral("command contains a NUL character");
        QTest::newRow("negative initial delay")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 2.0 << -5LL
            << 60000LL << QStringLiteral("backoff initial delay must not be negative, not -5 ms");
        QTest::newRow("negative cap")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL << 2.0 << 1000LL
            << -1LL << QStringLiteral("backoff cap must not be negative, not -1 ms");
        QTest::newRow("defaults") << QStringLiteral("sleep 1") << QString() << QStringList() << 1
                                  << 0LL << 2.0 << 1000LL << 60000LL << QString();
    }
    void validate() {
        QFETCH(QString, command);
        QFETCH(QString, workingDirectory);
        QFETCH(QStringList, environmentNames);
        QFETCH(int, maxAttempts);
        QFETCH(qint64, timeoutMs);
        QFETCH(double, factor);
        QFETCH(qint64, initialMs);
        QFETCH(qint64, capMs);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = command;
        spec.workingDirectory = expand(workingDirectory);
        for (const QString &name : environmentNames)
            spec.environment.insert(name, QStringLiteral("value"));
        spec.maxAttempts = maxAttempts;
        spec.timeout = std::chrono::milliseconds(timeoutMs);
        spec.backoff = {std::chrono::milliseconds(initialMs), factor,
                        std::chrono::milliseconds(capMs)};
        QCOMPARE(spec.validate(), expand(error));
    }

    void validateTermination_data() {
        QTest::addColumn<Steps>("steps");
        QTest::addColumn<QString>("error");
        QTest::newRow("none") << Steps{} << QString();
        QTest::newRow("kill step") << Steps{{SIGKILL, 0ms}}
                                   << QStringLiteral("termination sequence: 9 is not a signal "
                                                     "to send before SIGKILL");
        QTest::newRow("signal 0") << Steps{{0, 0ms}}
                                  << QStringLiteral("termination sequence: 0 is not a signal to "
                                                    "send before SIGKILL");
        QTest::newRow("negative wait")
            << Steps{{SIGTERM, -1ms}}
            << QStringLiteral("termination sequence: the wait after TERM must not be negative");
        QTest::newRow("waits at the limit") << Steps{{SIGTERM, 20h}, {SIGCONT, 4h}} << QString();
        QTest::newRow("waits above the limit together")
            << Steps{{SIGTERM, 20h}, {SIGCONT, 4h + 1ms}}
            << QStringLiteral("termination sequence: its waits must add up to at most 86400000 "
                              "ms (24 hours)");
        // Each below what a QTimer can wait, together above it: accepted before the limits,
        // and then the shutdown's safety timer overflowed.
        QTest::newRow("two waits of 2e9 ms")
            << Steps{{SIGTERM, 2000000000ms}, {SIGCONT, 2000000000ms}}
            << QStringLiteral("termination sequence: its waits must add up to at most 86400000 "
                              "ms (24 hours)");
        QTest::newRow("saturated waits") << Steps{{SIGTERM, std::chrono::milliseconds::max()},
                                                  {SIGCONT, std::chrono::milliseconds::max()}}
                                         << QStringLiteral("termination sequence: its waits must "
                                                           "add up to at most 86400000 ms (24 "
                                                           "hours)");
        QTest::newRow("most steps") << Steps(16, {SIGTERM, 0ms}) << QString();
        QTest::newRow("too many steps")
            << Steps(17, {SIGTERM, 0ms})
            << QStringLiteral("termination sequence: 17 steps before SIGKILL; the limit is 16");
    }
    void validateTermination() {
        QFETCH(Steps, steps);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = QStringLiteral("true");
        spec.termination.steps = steps;
        QCOMPARE(spec.validate(), error);
    }

    // Linux execs an argument of at most MAX_ARG_STRLEN - 1 bytes: the command is one.
    void commandLength_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("error");
        const QString longest(limits::maxArgumentBytes, QLatin1Char('x'));
        QTest::newRow("longest") << longest << QString();
        QTest::newRow("one byte more")
            << longest + QLatin1Char('x')
            << QStringLiteral("command is 131072 bytes long; Linux runs commands of at most "
                              "131071 bytes (MAX_ARG_STRLEN)");
        // Bytes, not characters: "é" is two bytes in UTF-8.
        QTest::newRow("counted in bytes")
            << QString(limits::maxArgumentBytes / 2 + 1, QChar(0xe9))
            << QStringLiteral("command is 131072 bytes long; Linux runs commands of at most "
                              "131071 bytes (MAX_ARG_STRLEN)");
    }
    void commandLength() {
        QFETCH(QString, command);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = command;
        QCOMPARE(spec.validate(), error);
    }

    void environmentLength() {
        JobSpec spec;
        spec.command = QStringLiteral("env");
        // NAME=value is one string for the kernel.
        spec.environment.insert(QStringLiteral("AB"),
                                QString(limits::maxArgumentBytes - 3, QLatin1Char('v')));
        QCOMPARE(spec.validate(), QString());
        spec.environment.insert(QStringLiteral("ABC"),
                                QString(limits::maxArgumentBytes - 3, QLatin1Char('v')));
        QCOMPARE(spec.validate(),
                 QStringLiteral("environment variable ABC is 131072 bytes long with its name; "
                                "Linux passes at most 131071 bytes (MAX_ARG_STRLEN)"));
    }

    // Every problem, each with the field it belongs to, in the order of the fields.
    void problemsNameTheirField() {
        JobSpec spec;
        spec.command = QStringLiteral("true");
        spec.workingDirectory = expand(QStringLiteral("<dir>/missing"));
        spec.timeout = -1ms;
        spec.maxAttempts = 500;
        spec.backoff.factor = 0;
        spec.termination.steps = {{SIGTERM, 25h}};
        const QList<SpecProblem> problems = spec.problems();
        QList<Field> fields;
        for (const SpecProblem &problem : problems)
            fields << problem.field;
        QCOMPARE(fields, QList<Field>({Field::WorkingDirectory, Field::Timeout, Field::Retries,
                                       Field::Backoff, Field::Termination}));
        QCOMPARE(spec.validate(), problems.constFirst().message);
        spec.command.clear();
        QCOMPARE(spec.problems().constFirst(),
                 SpecProblem({Field::Command, QStringLiteral("command is empty")}));
    }

    void parseSeconds_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedMs"); // -1: refused
        QTest::addColumn<QString>("error");
        QTest::newRow("whole") << "30" << 30000LL << QString();
        QTest::newRow("decimals") << " 2.5 " << 2500LL << QString();
        QTest::newRow("zero") << "0" << 0LL << QString();
        QTest::newRow("one millisecond") << "0.001" << 1LL << QString();
        QTest::newRow("rounds to the nearest millisecond") << "0.0016" << 2LL << QString();
        QTest::newRow("below the resolution")
            << "0.0001" << -1LL
            << "0.0001 s is below the resolution of 1 ms: give 0 for none, or at least 0.001";
        QTest::newRow("exponent") << "1e3" << 1000000LL << QString();
        QTest::newRow("huge saturates") << "1e300" << 1000000000000000LL << QString();
        QTest::newRow("negative") << "-3" << -1LL << "-3 is negative: give 0 or more seconds";
        QTest::newRow("words") << "ten" << -1LL << "'ten' is not a number of seconds";
        QTest::newRow("empty") << "" << -1LL << "'' is not a number of seconds";
        QTest::newRow("infinite") << "inf" << -1LL << "'inf' is not a number of seconds";
        QTest::newRow("nan") << "nan" << -1LL << "'nan' is not a number of seconds";
    }
    void parseSeconds() {
        QFETCH(QString, text);
        QFETCH(qint64, expectedMs);
        QFETCH(QString, error);
        QString actualError;
        const std::optional<std::chrono::milliseconds> value =
            jobmonitor::parseSeconds(text, &actualError);
        QCOMPARE(value ? value->count() : -1LL, expectedMs);
        QCOMPARE(actualError, error);
    }

    void describeDuration_data() {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("days") << 31536000000LL << "365 days";
        QTest::newRow("one day") << 86400000LL << "24 hours";
        QTest::newRow("two days") << 172800000LL << "2 days";
        QTest::newRow("a day and a half") << 129600000LL << "36 hours";
        QTest::newRow("hours") << 7200000LL << "2 hours";
        QTest::newRow("minutes") << 60000LL << "1 minute";
        QTest::newRow("seconds") << 5000LL << "5 s";
        QTest::newRow("fraction") << 4500LL << "4.5 s";
        QTest::newRow("milliseconds") << 1LL << "0.001 s";
        QTest::newRow("zero") << 0LL << "0 s";
    }
    void describeDuration() {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(jobmonitor::describeDuration(std::chrono::milliseconds(ms)), text);
    }

    void parseByteSize_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes"); // -1: refused
        QTest::newRow("gibibytes") << "2G" << 2LL * 1024 * 1024 * 1024;
        QTest::newRow("GiB with a space") << " 1.5 GiB " << 1536LL * 1024 * 1024;
        QTest::newRow("mebibytes, lower case") << "512m" << 512LL * 1024 * 1024;
        QTest::newRow("MB means MiB") << "300MB" << 300LL * 1024 * 1024;
        QTest::newRow("kibibytes") << "64K" << 64LL * 1024;
        QTest::newRow("tebibytes") << "1T" << 1024LL * 1024 * 1024 * 1024;
        QTest::newRow("bytes") << "1048576" << 1048576LL;
        QTest::newRow("bytes with B") << "100B" << 100LL;
        QTest::newRow("huge saturates") << "99999999E" << std::numeric_limits<qint64>::max();
        QTest::newRow("unknown unit") << "2X" << -1LL;
        QTest::newRow("two units") << "2GM" << -1LL;
        QTest::newRow("no number") << "G" << -1LL;
        QTest::newRow("negative") << "-2G" << -1LL;
        QTest::newRow("empty") << "" << -1LL;
        QTest::newRow("words") << "lots" << -1LL;
    }
    void parseByteSize() {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        QString error;
        const std::optional<qint64> value = jobmonitor::parseByteSize(text, &error);
        QCOMPARE(value.value_or(-1), bytes);
        if (!value)
            QCOMPARE(error, QStringLiteral("'%1' is not a size: give a number and a unit, like "
                                           "2G, 512M or 1.5GiB")
                                .arg(text.trimmed()));
    }

    void describeBytes_data() {
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<QString>("text");
        QTest::newRow("bytes") << 100LL << "100 B";
        QTest::newRow("KiB") << 2048LL << "2 KiB";
        QTest::newRow("whole GiB") << 2LL * 1024 * 1024 * 1024 << "2 GiB";
        QTest::newRow("a tenth") << qint64(2.3 * 1024 * 1024 * 1024) << "2.3 GiB";
        QTest::newRow("rounds up into the next unit") << 1024LL * 1024 - 1 << "1 MiB";
        QTest::newRow("MiB") << 200LL * 1024 * 1024 + 5 << "200 MiB";
    }
    void describeBytes() {
        QFETCH(qint64, bytes);
        QFETCH(QString, text);
        QCOMPARE(jobmonitor::describeBytes(bytes), text);
    }

    void ioPriority_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("ioClass"); // 0: refused
        QTest::addColumn<int>("level");
        QTest::addColumn<QString>("written");
        QTest::newRow("idle") << "idle" << 3 << 0 << "idle";
        QTest::newRow("idle by number") << "3" << 3 << 0 << "idle";
        QTest::newRow("best-effort with level") << "best-effort,7" << 2 << 7 << "best-effort,7";
        QTest::newRow("best-effort default level") << "Best-Effort" << 2 << 4 << "best-effort,4";
        QTest::newRow("as ionice numbers it") << "2, 0" << 2 << 0 << "best-effort,0";
        QTest::newRow("realtime") << "realtime,1" << 1 << 1 << "realtime,1";
        QTest::newRow("unknown class") << "fast" << 0 << 0 << QString();
        QTest::newRow("level not a number") << "best-effort,x" << 0 << 0 << QString();
        QTest::newRow("too many parts") << "2,1,1" << 0 << 0 << QString();
    }
    void ioPriority() {
        QFETCH(QString, text);
        QFETCH(int, ioClass);
        QFETCH(int, level);
        QFETCH(QString, written);
        QString error;
        const std::optional<jobmonitor::IoPriority> priority =
            jobmonitor::IoPriority::parse(text, &error);
        QCOMPARE(priority.has_value(), ioClass != 0);
        QCOMPARE(error.isEmpty(), ioClass != 0);
        if (!priority)
            return;
        QCOMPARE(priority->ioClass, ioClass);
        QCOMPARE(priority->level, level);
        QCOMPARE(priority->toString(), written);
        QCOMPARE(jobmonitor::IoPriority::parse(written, nullptr), priority);
    }

    void validateLimits_data() {
        QTest::addColumn<qint64>("memoryLimit");
        QTest::addColumn<int>("niceness"); // 99: none
        QTest::addColumn<int>("ioClass");  // 0: none
        QTest::addColumn<int>("ioLevel");
        QTest::addColumn<QString>("error");
        QTest::newRow("none") << 0LL << 99 << 0 << 0 << QString();
        QTest::newRow("all set") << 2LL * 1024 * 1024 * 1024 << 10 << 2 << 7 << QString();
        QTest::newRow("least memory limit") << 1048576LL << 99 << 0 << 0 << QString();
        QTest::newRow("memory limit too small")
            << 1048575LL << 99 << 0 << 0
            << QStringLiteral("memory limit must be at least 1 MiB, not 1048575 bytes");
        QTest::newRow("memory limit too large")
            << (1LL << 50) + 1 << 99 << 0 << 0
            << QStringLiteral("memory limit must be at most 1 PiB");
        QTest::newRow("negative memory limit")
            << -1LL << 99 << 0 << 0 << QStringLiteral("memory limit must not be negative");
        QTest::newRow("highest nice") << 0LL << -20 << 0 << 0 << QString();
        QTest::newRow("nice too low")
            << 0LL << -21 << 0 << 0 << QStringLiteral("nice value must be -20 to 19, not -21");
        QTest::newRow("nice too high")
            << 0LL << 20 << 0 << 0 << QStringLiteral("nice value must be -20 to 19, not 20");
        QTest::newRow("I/O class unknown")
            << 0LL << 99 << 4 << 0
            << QStringLiteral("I/O priority class must be 1 (realtime), 2 (best-effort) or 3 "
                              "(idle), not 4");
        QTest::newRow("I/O level too high")
            << 0LL << 99 << 2 << 8 << QStringLiteral("I/O priority level must be 0 to 7, not 8");
        QTest::newRow("idle with a level")
            << 0LL << 99 << 3 << 2 << QStringLiteral("the idle I/O class has no levels");
    }
    void validateLimits() {
        QFETCH(qint64, memoryLimit);
        QFETCH(int, niceness);
        QFETCH(int, ioClass);
        QFETCH(int, ioLevel);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = QStringLiteral("true");
        spec.memoryLimitBytes = memoryLimit;
        if (niceness != 99)
            spec.niceness = niceness;
        if (ioClass != 0)
            spec.ioPriority = jobmonitor::IoPriority{ioClass, ioLevel};
        QCOMPARE(spec.validate(), error);
        const QList<SpecProblem> problems = spec.problems();
        if (!error.isEmpty())
            QCOMPARE(problems.constFirst().field, error.startsWith(u"memory") ? Field::MemoryLimit
                                                  : error.startsWith(u"nice") ? Field::Niceness
                                                                              : Field::IoPriority);
    }

    void queueingProblems_data() {
        QTest::addColumn<QString>("group");
        QTest::addColumn<int>("priority");
        QTest::addColumn<QList<qint64>>("dependencies");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("field");
        QTest::newRow("fine") << "build-2.x" << -1000 << QList<qint64>{3, 4} << QString() << -1;
        QTest::newRow("default group, highest priority")
            << QString() << 1000 << QList<qint64>{} << QString() << -1;
        QTest::newRow("group with a space")
            << "my group" << 0 << QList<qint64>{}
            << "group name 'my group' may hold only letters, digits, '.', '_' and '-', and starts "
               "with a letter or a digit"
            << int(Field::Group);
        QTest::newRow("group starting with a dash")
            << "-x" << 0 << QList<qint64>{}
            << "group name '-x' may hold only letters, digits, '.', '_' and '-', and starts with "
               "a letter or a digit"
            << int(Field::Group);
        QTest::newRow("group name too long")
            << QString(41, QLatin1Char('g')) << 0 << QList<qint64>{}
            << "group name '" + QString(41, QLatin1Char('g')) +
                   "' is 41 characters long; the limit is 40"
            << int(Field::Group);
        QTest::newRow("priority too high")
            << QString() << 1001 << QList<qint64>{}
            << "priority must be from -1000 to 1000, not 1001" << int(Field::Priority);
        QTest::newRow("not a job id") << QString() << 0 << QList<qint64>{0} << "#0 is not a job id"
                                      << int(Field::Dependencies);
        QTest::newRow("a job twice")
            << QString() << 0 << QList<qint64>{5, 6, 5}
            << "job #5 is named twice among the jobs to wait for" << int(Field::Dependencies);
    }
    void queueingProblems() {
        QFETCH(QString, group);
        QFETCH(int, priority);
        QFETCH(QList<qint64>, dependencies);
        QFETCH(QString, error);
        QFETCH(int, field);
        JobSpec spec;
        spec.command = QStringLiteral("true");
        spec.group = group;
        spec.priority = priority;
        for (const qint64 id : dependencies)
            spec.dependencies.append({id, jobmonitor::JobDependency::Condition::Success});
        QCOMPARE(spec.validate(), error);
        if (field >= 0)
            QCOMPARE(int(spec.problems().constFirst().field), field);
        QCOMPARE(spec.groupName(), group.isEmpty() ? QStringLiteral("default") : group);
    }

    void tooManyDependencies() {
        JobSpec spec;
        spec.command = QStringLiteral("true");
        for (qint64 id = 1; id <= 1001; ++id)
            spec.dependencies.append({id, jobmonitor::JobDependency::Condition::AnyEnd});
        QCOMPARE(spec.validate(), QStringLiteral("a job may wait for at most 1000 jobs, not 1001"));
    }

    void parseDelay_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedMs"); // -1: refused
        QTest::addColumn<QString>("error");
        const QString notADelay = QStringLiteral(
            "'%1' is not a delay: write seconds (90 or 90s), minutes (10m), hours (2h), days "
            "(1d), or several (1h30m)");
        QTest::newRow("seconds") << "90" << 90000LL << QString();
        QTest::newRow("seconds with a unit") << "90s" << 90000LL << QString();
        QTest::newRow("decimal seconds") << "1.5" << 1500LL << QString();
        QTest::newRow("minutes") << "10m" << 600000LL << QString();
        QTest::newRow("hours") << " 2h " << 7200000LL << QString();
        QTest::newRow("a day") << "1d" << 86400000LL << QString();
        QTest::newRow("several") << "1h30m" << 5400000LL << QString();
        QTest::newRow("several with spaces") << "1h 30m 15s" << 5415000LL << QString();
        QTest::newRow("half an hour") << "0.5h" << 1800000LL << QString();
        QTest::newRow("a year") << "365d" << 31536000000LL << QString();
        QTest::newRow("more than a year")
            << "366d" << -1LL << "366d is too long: a job starts at most 365 days ahead";
        QTest::newRow("zero") << "0s" << -1LL
                              << "a delay of 0s would not delay anything: give more than 0, or no "
                                 "delay";
        QTest::newRow("below the resolution")
            << "0.0001" << -1LL << "0.0001 is below the resolution of 1 ms";
        QTest::newRow("unknown unit") << "10x" << -1LL << notADelay.arg("10x");
        QTest::newRow("unit without a number") << "m" << -1LL << notADelay.arg("m");
        QTest::newRow("negative") << "-5m" << -1LL << notADelay.arg("-5m");
        QTest::newRow("trailing junk") << "10m and" << -1LL << notADelay.arg("10m and");
        QTest::newRow("empty") << "" << -1LL << notADelay.arg("");
    }
    void parseDelay() {
        QFETCH(QString, text);
        QFETCH(qint64, expectedMs);
        QFETCH(QString, error);
        QString actualError;
        const std::optional<std::chrono::milliseconds> value =
            jobmonitor::parseDelay(text, &actualError);
        QCOMPARE(value ? value->count() : -1LL, expectedMs);
        QCOMPARE(actualError, error);
    }

    // A time of day is its next coming: later today, or tomorrow when it has passed (or is now).
    void parseStartTime_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QDateTime>("expected"); // invalid: refused
        QTest::addColumn<QString>("error");
        const QDate today(2026, 3, 10);
        const QDateTime now(today, QTime(22, 15, 30));
        QTest::newRow("later today") << "23:00" << QDateTime(today, QTime(23, 0)) << QString();
        QTest::newRow("with seconds")
            << "22:15:31" << QDateTime(today, QTime(22, 15, 31)) << QString();
        QTest::newRow("passed: tomorrow")
            << "7:05" << QDateTime(today.addDays(1), QTime(7, 5)) << QString();
        QTest::newRow("now: tomorrow")
            << "22:15:30" << QDateTime(today.addDays(1), QTime(22, 15, 30)) << QString();
        QTest::newRow("date and time")
            << "2026-12-02T03:00" << QDateTime(QDate(2026, 12, 2), QTime(3, 0)) << QString();
        QTest::newRow("date, a space and time")
            << "2026-12-02 03:00:10" << QDateTime(QDate(2026, 12, 2), QTime(3, 0, 10)) << QString();
        QTest::newRow("in UTC") << "2026-12-02T03:00Z"
                                << QDateTime(QDate(2026, 12, 2), QTime(3, 0), Qt::UTC) << QString();
        QTest::newRow("in the past") << "2026-03-10T22:15" << QDateTime() << "22:15 is in the past";
        QTest::newRow("long past")
            << "2025-01-01T08:00" << QDateTime() << "2025-01-01 08:00 is in the past";
        QTest::newRow("too far")
            << "2027-03-11T00:00" << QDateTime()
            << "2027-03-11 00:00 is too far ahead: a job starts at most 365 days ahead";
        QTest::newRow("not a time of day")
            << "25:00" << QDateTime() << "'25:00' is not a time of day";
        QTest::newRow("a date alone")
            << "2026-12-02" << QDateTime()
            << "'2026-12-02' is not a start time: write a time of day (23:00) or a date and time "
               "(2026-12-02T03:00)";
        QTest::newRow("words")
            << "tomorrow" << QDateTime()
            << "'tomorrow' is not a start time: write a time of day (23:00) or a date and time "
               "(2026-12-02T03:00)";
    }
    void parseStartTime() {
        QFETCH(QString, text);
        QFETCH(QDateTime, expected);
        QFETCH(QString, error);
        const QDateTime now(QDate(2026, 3, 10), QTime(22, 15, 30));
        QString actualError;
        const std::optional<QDateTime> value = jobmonitor::parseStartTime(text, now, &actualError);
        QCOMPARE(value.value_or(QDateTime()), expected);
        QCOMPARE(actualError, error);
    }

    void startTimeText() {
        const QDateTime now(QDate(2026, 3, 10), QTime(9, 0));
        QCOMPARE(jobmonitor::startTimeText(QDateTime(QDate(2026, 3, 10), QTime(23, 0)), now),
                 QStringLiteral("23:00"));
        QCOMPARE(jobmonitor::startTimeText(QDateTime(QDate(2026, 3, 10), QTime(23, 0, 5)), now),
                 QStringLiteral("23:00:05"));
        QCOMPARE(jobmonitor::startTimeText(QDateTime(QDate(2026, 3, 11), QTime(1, 30)), now),
                 QStringLiteral("2026-03-11 01:30"));
    }

private:
    QString filePath() const { return m_dir.filePath(QStringLiteral("file")); }
    QString expand(QString text) const {
        return text.replace(QLatin1String("<dir>"), m_dir.path())
            .replace(QLatin1String("<file>"), filePath());
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestJobSpec)
#include "tst_jobspec.moc"
