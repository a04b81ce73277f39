#include "logging.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace jobmonitor;
using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTest, "jm.test")

namespace {

QByteArray readLog(const QString &stateDir) {
    spdlog::default_logger()->flush();
    QFile file(QDir(stateDir).filePath(u"jobmonitor.log"_s));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestLogging : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void qtMessagesReachTheFile();
    void levelFilters();
    void setupTwiceReplacesTheLogger();
    void unusableStateDir_data();
    void unusableStateDir();
    void stderrOnly();
    void defaultStateDirectory_data();
    void defaultStateDirectory();
};

void TestLogging::cleanup() {
    // Leaves no logger holding a file of a removed temporary folder.
    setupStderrLogging(spdlog::level::warn);
}

void TestLogging::qtMessagesReachTheFile() {
    QTemporaryDir dir;
    const QString stateDir = dir.filePath(u"state/jobmonitor"_s);
    QCOMPARE(setupLogging(stateDir, spdlog::level::info), QString());
    QVERIFY(QFile::exists(QDir(stateDir).filePath(u"jobmonitor.log"_s)));

    qWarning("plain warning %d", 42);
    qCCritical(lcTest) << "categorised";
    qInfo() << "some info";
    spdlog::info("job {} started", u"j-1"_s);

    const QByteArray log = readLog(stateDir);
    const QList<QByteArray> lines = log.split('\n');
    QCOMPARE(lines.size(), 5); // four lines and the empty rest after the last newline
    const QRegularExpression prefix(
        uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[(\w+)\] )"_s);
    const QStringList expected{u"[warning] plain warning 42"_s, u"[error] jm.test: categorised"_s,
                               u"[info] some info"_s, u"[info] job j-1 started"_s};
    for (int i = 0; i < expected.size(); ++i) {
        const QString line = QString::fromUtf8(lines.at(i));
        QVERIFY2(prefix.match(line).hasMatch(), qPrintable(line));
        QVERIFY2(line.endsWith(expected.at(i)), qPrintable(line));
    }
}

void TestLogging::levelFilters() {
    QTemporaryDir dir;
    QCOMPARE(setupLogging(dir.path(), spdlog::level::warn), QString());
    qDebug() << "debug line";
    qInfo() << "info line";
    qWarning() << "warning line";
    const QByteArray log = readLog(dir.path());
    QVERIFY(!log.contains("debug line"));
    QVERIFY(!log.contains("info line"));
    QVERIFY(log.contains("[warning] warning line"));
}

void TestLogging::setupTwiceReplacesTheLogger() {
    QTemporaryDir first;
    QTemporaryDir second;
    QCOMPARE(setupLogging(first.path(), spdlog::level::info), QString());
    qWarning() << "to the first";
    QCOMPARE(setupLogging(second.path(), spdlog::level::info), QString());
    qWarning() << "to the second";

    QCOMPARE(spdlog::default_logger()->name(), "jobmonitor");
    QCOMPARE(spdlog::default_logger()->sinks().size(), size_t(2));
    QVERIFY(readLog(first.path()).contains("to the first"));
    QVERIFY(!readLog(first.path()).contains("to the second"));
    QVERIFY(readLog(second.path()).contains("to the second"));
    QVERIFY(!readLog(second.path()).contains("to the first"));
}

void TestLogging::unusableStateDir_data() {
    QTest::addColumn<QString>("relativeStateDir");
    QTest::addColumn<QString>("expectedErrorStart");

    // "blocker" is a regular file in every row.
    QTest::newRow("state dir is a file")
        << u"blocker"_s << u"cannot create state folder {dir}/blocker: "_s;
    QTest::newRow("state dir below a file")
        << u"blocker/state"_s << u"cannot create state folder {dir}/blocker/state: "_s;
    QTest::newRow("log file is a folder")
        << u"withfolder"_s << u"cannot open log file {dir}/withfolder/jobmonitor.log: "_s;
}

void TestLogging::unusableStateDir() {
    QFETCH(QString, relativeStateDir);
    QFETCH(QString, expectedErrorStart);

    QTemporaryDir dir;
    QFile blocker(dir.filePath(u"blocker"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    QVERIFY(QDir(dir.path()).mkpath(u"withfolder/jobmonitor.log"_s));

    const QString error = setupLogging(dir.filePath(relativeStateDir), spdlog::level::info);
    const QString start = QString(expectedErrorStart).replace(u"{dir}"_s, dir.path());
    QVERIFY2(error.startsWith(start), qPrintable(error));
    QVERIFY2(error.size() > start.size(), qPrintable(error));

    // Logging carries on, to stderr only.
    QCOMPARE(spdlog::default_logger()->name(), "jobmonitor");
    QCOMPARE(spdlog::default_logger()->sinks().size(), size_t(1));
    qWarning() << "still logging";
}

void TestLogging::stderrOnly() {
    setupStderrLogging(spdlog::level::debug);
    QCOMPARE(spdlog::default_logger()->name(), "jobmonitor");
    QCOMPARE(spdlog::default_logger()->sinks().size(), size_t(1));
    QCOMPARE(spdlog::default_logger()->level(), spdlog::level::debug);
    qDebug() << "debug to stderr";
}

void TestLogging::defaultStateDirectory_data() {
    QTest::addColumn<QByteArray>("xdgStateHome");
    QTest::addColumn<QString>("expected");

    const QString home = QDir::homePath();
    QTest::newRow("set") << QByteArray("/var/tmp/state") << u"/var/tmp/state/jobmonitor"_s;
    QTest::newRow("trailing slash")
        << QByteArray("/var/tmp/state/") << u"/var/tmp/state/jobmonitor"_s;
    QTest::newRow("unset") << QByteArray() << home + u"/.local/state/jobmonitor"_s;
    QTest::newRow("relative is ignored")
        << QByteArray("relative/state") << home + u"/.local/state/jobmonitor"_s;
}

void TestLogging::defaultStateDirectory() {
    QFETCH(QByteArray, xdgStateHome);
    QFETCH(QString, expected);

    const QByteArray saved = qgetenv("XDG_STATE_HOME");
    const bool wasSet = qEnvironmentVariableIsSet("XDG_STATE_HOME");
    if (xdgStateHome.isNull())
        qunsetenv("XDG_STATE_HOME");
    else
        qputenv("XDG_STATE_HOME", xdgStateHome);
    const QString actual = jobmonitor::defaultStateDirectory();
    if (wasSet)
        qputenv("XDG_STATE_HOME", saved);
    else
        qunsetenv("XDG_STATE_HOME");
    QCOMPARE(actual, expected);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
