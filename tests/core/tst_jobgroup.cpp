// Groups' settings (core/jobgroup.h): start rates as people write them, what is refused and
// why, and the settings file keeping them.
#include "jobgroup.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(StartRate)

class TestJobGroup : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseRate_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<StartRate>("rate");
        QTest::addColumn<QString>("error");
        const QString notARate = QStringLiteral(
            "'%1' is not a start rate: write STARTS/SECONDS or STARTS/SECONDS:BURST, e.g. 5/60 "
            "or 5/60:2");
        QTest::newRow("per minute") << "5/60" << true << StartRate{5, 60s, 1} << QString();
        QTest::newRow("with a burst") << " 5/60:3 " << true << StartRate{5, 60s, 3} << QString();
        QTest::newRow("fractions of a second")
            << "2/0.5" << true << StartRate{2, 500ms, 1} << QString();
        QTest::newRow("no interval") << "5" << false << StartRate{} << notARate.arg("5");
        QTest::newRow("no starts")
            << "0/60" << false << StartRate{} << "a start rate needs at least 1 start, not 0";
        QTest::newRow("words") << "fast" << false << StartRate{} << notARate.arg("fast");
        QTest::newRow("negative") << "-1/5" << false << StartRate{} << notARate.arg("-1/5");
    }
    void parseRate() {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(StartRate, rate);
        QFETCH(QString, error);
        QString actualError;
        const std::optional<StartRate> parsed = StartRate::parse(text, &actualError);
        QCOMPARE(parsed.has_value(), ok);
        if (ok) {
            QCOMPARE(*parsed, rate);
            QCOMPARE(StartRate::parse(parsed->toString(), &actualError), parsed);
        }
        QCOMPARE(actualError, error);
    }

    void rateText() {
        QCOMPARE(StartRate{}.toString(), QStringLiteral("none"));
        QCOMPARE((StartRate{5, 60s, 1}).toString(), QStringLiteral("5/60"));
        QCOMPARE((StartRate{2, 1500ms, 4}).toString(), QStringLiteral("2/1.5:4"));
    }

    void validate_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("maxParallel");
        QTest::addColumn<StartRate>("rate");
        QTest::addColumn<QString>("error");
        QTest::newRow("fine") << "net" << 3 << StartRate{5, 60s, 2} << QString();
        QTest::newRow("no limits") << "net" << 0 << StartRate{} << QString();
        QTest::newRow("bad name") << "a b" << 0 << StartRate{}
                                  << "group name 'a b' may hold only letters, digits, '.', '_' "
                                     "and '-', and starts with a letter or a digit";
        QTest::newRow("negative limit")
            << "g" << -1 << StartRate{}
            << "a group runs 0 (no limit of its own) to 1024 jobs at once, not -1";
        QTest::newRow("too many at once")
            << "g" << 1025 << StartRate{}
            << "a group runs 0 (no limit of its own) to 1024 jobs at once, not 1025";
        QTest::newRow("too many starts")
            << "g" << 0 << StartRate{10001, 1s, 1}
            << "a start rate allows at most 10000 starts per interval, not 10001";
        QTest::newRow("no interval")
            << "g" << 0 << StartRate{1, 0ms, 1} << "a start rate's interval must be at least 1 ms";
        QTest::newRow("interval too long") << "g" << 0 << StartRate{1, 25h, 1}
                                           << "a start rate's interval must be at most 24 hours";
        QTest::newRow("no burst") << "g" << 0 << StartRate{1, 1s, 0}
                                  << "a start rate's burst must be 1 to 10000, not 0";
    }
    void validate() {
        QFETCH(QString, name);
        QFETCH(int, maxParallel);
        QFETCH(StartRate, rate);
        QFETCH(QString, error);
        QCOMPARE((GroupSettings{name, maxParallel, rate, false}).validate(), error);
    }

    // Saved and loaded back as they were; saving again replaces what was there.
    void settingsRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("jobmonitor.conf"));
        const QList<GroupSettings> groups{
            {QStringLiteral("build"), 2, {}, false},
            {QStringLiteral("default"), 6, {}, false},
            {QStringLiteral("net"), 0, {5, 60s, 2}, true},
        };
        {
            QSettings settings(path, QSettings::IniFormat);
            settings.setValue(QStringLiteral("recent/commands"), QStringList{"make"});
            saveGroups(settings, groups);
        }
        {
            QSettings settings(path, QSettings::IniFormat);
            QCOMPARE(loadGroups(settings), groups);
            saveGroups(settings, {groups[2]});
        }
        QSettings settings(path, QSettings::IniFormat);
        QCOMPARE(loadGroups(settings), QList<GroupSettings>{groups[2]});
        // Other settings are left alone.
        QCOMPARE(settings.value(QStringLiteral("recent/commands")).toStringList(),
                 QStringList{"make"});
    }

    // Pauses with their reasons, beside the groups and independent of them: saving the groups
    // keeps the pauses, saving the pauses replaces the pauses only.
    void pausesRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("jobmonitor.conf"));
        const QMap<QString, QString> pauses{
            {QStringLiteral("build"), QStringLiteral("paused after job #12 failed")},
            {QStringLiteral("default"), QStringLiteral("paused by user")},
        };
        const QList<GroupSettings> groups{{QStringLiteral("build"), 2, {}, false}};
        {
            QSettings settings(path, QSettings::IniFormat);
            QCOMPARE(loadGroupPauses(settings), (QMap<QString, QString>{}));
            saveGroupPauses(settings, pauses);
            saveGroups(settings, groups);
        }
        {
            QSettings settings(path, QSettings::IniFormat);
            QCOMPARE(loadGroupPauses(settings), pauses);
            QCOMPARE(loadGroups(settings), groups);
            saveGroupPauses(settings,
                            {{QStringLiteral("build"), QStringLiteral("paused by user")}});
        }
        QSettings settings(path, QSettings::IniFormat);
        QCOMPARE(
            loadGroupPauses(settings),
            (QMap<QString, QString>{{QStringLiteral("build"), QStringLiteral("paused by user")}}));
        QCOMPARE(loadGroups(settings), groups);
    }
};

QTEST_GUILESS_MAIN(TestJobGroup)
#include "tst_jobgroup.moc"
