// The window's formatters: one per concept, locale-aware, and English plurals.
#include "englishplurals.h"
#include "jobformat.h"
#include "jobspec.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTest>

#include <ctime>

using namespace jobmonitor;

class TestJobFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { installEnglishPlurals(); }
    void init() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }
    void cleanup() { QLocale::setDefault(QLocale::c()); }

    void counts_data() {
        QTest::addColumn<qint64>("count");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << qint64(0) << "0";
        QTest::newRow("thousands") << qint64(5000) << "5,000";
        QTest::newRow("millions, not 3.84115e+06") << qint64(3841150) << "3,841,150";
        QTest::newRow("beyond 32 bits") << qint64(12345678901) << "12,345,678,901";
    }
    void counts() {
        QFETCH(qint64, count);
        QFETCH(QString, text);
        QCOMPARE(countText(count), text);
    }

    void countsFollowTheLocale() {
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        QCOMPARE(countText(3841150), QStringLiteral("3.841.150"));
        QCOMPARE(secondsText(3250), QStringLiteral("3,3 s"));
    }

    void durations_data() {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("clock");
        QTest::addColumn<QString>("seconds");
        QTest::newRow("zero") << qint64(0) << "0:00"
                              << "0.0 s";
        QTest::newRow("seconds") << qint64(7400) << "0:07"
                                 << "7.4 s";
        QTest::newRow("hours") << qint64(3753000) << "1:02:33"
                               << "3,753.0 s";
        QTest::newRow("negative is zero") << qint64(-50) << "0:00"
                                          << "0.0 s";
    }
    void durations() {
        QFETCH(qint64, ms);
        QFETCH(QString, clock);
        QFETCH(QString, seconds);
        QCOMPARE(clockText(ms), clock);
        QCOMPARE(secondsText(ms), seconds);
    }

    void stateLabels() {
        QCOMPARE(stateLabel(JobState::Pending), QStringLiteral("Queued"));
        QCOMPARE(stateLabel(JobState::TimedOut), QStringLiteral("Timed out"));
        QCOMPARE(stateLabel(JobState::Running), QStringLiteral("Running"));
        QCOMPARE(signalText(9), QStringLiteral("signal 9 (SIGKILL)"));
    }

    void plurals_data() {
        QTest::addColumn<int>("n");
        QTest::addColumn<QString>("jobs");
        QTest::addColumn<QString>("processes");
        QTest::newRow("0") << 0 << "0 jobs"
                           << "0 child processes";
        QTest::newRow("1") << 1 << "1 job"
                           << "1 child process";
        QTest::newRow("2") << 2 << "2 jobs"
                           << "2 child processes";
    }
    void plurals() {
        QFETCH(int, n);
        QFETCH(QString, jobs);
        QFETCH(QString, processes);
        QCOMPARE(QCoreApplication::translate("Test", "%n job(s)", nullptr, n), jobs);
        QCOMPARE(QCoreApplication::translate("Test", "%n child process(es)", nullptr, n),
                 processes);
        // Strings without a count are left alone.
        QCOMPARE(QCoreApplication::translate("Test", "Retry (s)"), QStringLiteral("Retry (s)"));
    }

    // After Retry the history counts attempts from 1 again; the window counts on.

    void resources_data() {
        QTest::addColumn<double>("cpu");
        QTest::addColumn<qint64>("rss");
        QTest::addColumn<bool>("sampled");
        QTest::addColumn<QString>("text");
        QTest::newRow("not sampled yet") << 0.0 << 0LL << false << QString();
        QTest::newRow("idle") << 0.04 << 3LL * 1024 * 1024 << true << "0.0% \u00b7 3 MiB";
        QTest::newRow("below 10%: a decimal")
            << 4.26 << 240LL * 1024 * 1024 << true << "4.3% \u00b7 240 MiB";
        QTest::newRow("whole from 10%")
            << 143.4 << qint64(2.3 * 1024 * 1024 * 1024) << true << "143% \u00b7 2.3 GiB";
        QTest::newRow("thousands") << 1600.0 << 100LL << true << "1,600% \u00b7 100 B";
    }
    void resources() {
        QFETCH(double, cpu);
        QFETCH(qint64, rss);
        QFETCH(bool, sampled);
        QFETCH(QString, text);
        QCOMPARE(jobResourcesText(cpu, rss, sampled), text);
    }

    void limits() {
        JobSpec spec;
        QCOMPARE(jobLimitsText(spec), QString());
        spec.memoryLimitBytes = 2LL << 30;
        QCOMPARE(jobLimitsText(spec), QStringLiteral("memory limit 2 GiB"));
        spec.niceness = -5;
        spec.ioPriority = IoPriority{3, 0};
        QCOMPARE(jobLimitsText(spec),
                 QStringLiteral("memory limit 2 GiB \u00b7 nice -5 \u00b7 I/O idle"));
    }

    // Jobs keep their times in UTC; the window shows them in local time.
    void timesShowInLocalTime() {
        const QByteArray previous = qgetenv("TZ");
        qputenv("TZ", "Asia/Kolkata"); // UTC+05:30 all year
        tzset();
        const QDateTime utc(QDate(2020, 1, 2), QTime(3, 4, 5), Qt::UTC);
        const QString text = dateTimeText(utc);
        if (previous.isNull())
            qunsetenv("TZ");
        else
            qputenv("TZ", previous);
        tzset();
        QCOMPARE(text, QStringLiteral("1/2/20 08:34:05"));
    }
};

QTEST_GUILESS_MAIN(TestJobFormat)
#include "tst_jobformat.moc"
