// Where settings live and that they stay private: 0700 folder, 0600 file, whatever the umask.
#include "logging.h"
#include "settingsfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace jobmonitor;
using namespace Qt::StringLiterals;

namespace {

mode_t modeOf(const QString &path) {
    struct stat info = {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}

} // namespace

class TestSettingsFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setupStderrLogging(spdlog::level::off); }
    void cleanup() { setSettingsFile(QString()); }

    void defaultFile_data() {
        QTest::addColumn<QByteArray>("xdgConfigHome");
        QTest::addColumn<QString>("expected");
        const QString home = QDir::homePath();
        QTest::newRow("set") << QByteArray("/var/tmp/config")
                             << u"/var/tmp/config/jobmonitor/jobmonitor.conf"_s;
        QTest::newRow("trailing slash")
            << QByteArray("/var/tmp/config/") << u"/var/tmp/config/jobmonitor/jobmonitor.conf"_s;
        QTest::newRow("unset") << QByteArray() << home + u"/.config/jobmonitor/jobmonitor.conf"_s;
        QTest::newRow("relative is ignored")
            << QByteArray("relative/config") << home + u"/.config/jobmonitor/jobmonitor.conf"_s;
    }

    void defaultFile() {
        QFETCH(QByteArray, xdgConfigHome);
        QFETCH(QString, expected);
        const QByteArray saved = qgetenv("XDG_CONFIG_HOME");
        const bool wasSet = qEnvironmentVariableIsSet("XDG_CONFIG_HOME");
        if (xdgConfigHome.isNull())
            qunsetenv("XDG_CONFIG_HOME");
        else
            qputenv("XDG_CONFIG_HOME", xdgConfigHome);
        const QString actual = defaultSettingsFile();
        const QString current = settingsFile();
        if (wasSet)
            qputenv("XDG_CONFIG_HOME", saved);
        else
            qunsetenv("XDG_CONFIG_HOME");
        QCOMPARE(actual, expected);
        QCOMPARE(current, expected);
    }

    void besideTheStateDir() {
        QCOMPARE(settingsFileInStateDir(u"/var/tmp/state/"_s), u"/var/tmp/state/jobmonitor.conf"_s);
        setSettingsFile(u"/var/tmp/state/jobmonitor.conf"_s);
        QCOMPARE(settingsFile(), u"/var/tmp/state/jobmonitor.conf"_s);
    }

    void keptPrivate() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"config/jobmonitor/jobmonitor.conf"_s);
        setSettingsFile(path);
        const mode_t previous = ::umask(0);
        {
            const std::unique_ptr<QSettings> settings = openSettings();
            QVERIFY(settings);
            settings->setValue(u"recent/commands"_s, QStringList{u"make"_s, u"ls"_s});
            settings->sync();
            QCOMPARE(settings->status(), QSettings::NoError);
        }
        ::umask(previous);
        QCOMPARE(modeOf(dir.filePath(u"config/jobmonitor"_s)), mode_t(0700));
        QCOMPARE(modeOf(dir.filePath(u"config"_s)), mode_t(0700));
        QCOMPARE(modeOf(path), mode_t(0600));
        const std::unique_ptr<QSettings> again = openSettings();
        QVERIFY(again);
        QCOMPARE(again->value(u"recent/commands"_s).toStringList(),
                 QStringList({u"make"_s, u"ls"_s}));
    }

    void unsafeFolderKeepsNothing() {
        QTemporaryDir dir;
        QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 0777), 0);
        setSettingsFile(dir.filePath(u"jobmonitor.conf"_s));
        QVERIFY(!openSettings());
        QVERIFY(!QFile::exists(dir.filePath(u"jobmonitor.conf"_s)));
    }

    void symlinkedFileKeepsNothing() {
        QTemporaryDir dir;
        QFile target(dir.filePath(u"target"_s));
        QVERIFY(target.open(QIODevice::WriteOnly));
        target.close();
        QVERIFY(QFile::link(target.fileName(), dir.filePath(u"jobmonitor.conf"_s)));
        setSettingsFile(dir.filePath(u"jobmonitor.conf"_s));
        QVERIFY(!openSettings());
        QCOMPARE(QFileInfo(target.fileName()).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSettingsFile)
#include "tst_settingsfile.moc"
