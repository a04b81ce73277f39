#include "jobspec.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <limits>

using namespace std::chrono_literals;
using jobmonitor::BackoffPolicy;
using jobmonitor::JobSpec;
using jobmonitor::TerminationSequence;
using Steps = QList<TerminationSequence::Step>;

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
            << QStringLiteral("40,5") << Steps{{40, 5ms}} << QStringLiteral("40,5,KILL");
        QTest::newRow("spaces") << QStringLiteral(" TERM , 10 ,kill ") << Steps{{SIGTERM, 10ms}}
                                << QStringLiteral("TERM,10,KILL");
        QTest::newRow("kill only") << QStringLiteral("KILL") << Steps{} << QStringLiteral("KILL");
        QTest::newRow("kill only with a wait")
            << QStringLiteral("SIGKILL,0") << Steps{} << QStringLiteral("KILL");
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
        QTest::newRow("wait too long") << QStringLiteral("TERM,3000000000")
                                       << QStringLiteral("termination sequence: 3000000000 ms is "
                                                         "too long a wait (at most 2147483647 ms)");
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
            << 60000LL << QStringLiteral("backoff factor must be at least 1, not 0.5");
        QTest::newRow("factor not a number")
            << QStringLiteral("sleep 1") << QString() << QStringList() << 1 << 0LL
            << std::numeric_limits<double>::quiet_NaN() << 1000LL << 60000LL
            << QStringLiteral("backoff factor must be at least 1, not nan");
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
            << QStringLiteral("termination sequence: the wait after TERM must be 0 to "
                              "2147483647 ms");
    }
    void validateTermination() {
        QFETCH(Steps, steps);
        QFETCH(QString, error);
        JobSpec spec;
        spec.command = QStringLiteral("true");
        spec.termination.steps = steps;
        QCOMPARE(spec.validate(), error);
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
