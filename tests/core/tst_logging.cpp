#include "logging.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace jobmonitor;
using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTest, "jm.test")

namespace {

mode_t modeOf(const QString &path) {
    struct stat info = {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}

// The descriptors of this process open on path.
QList<int> descriptorsOn(const QString &path) {
    QList<int> found;
    const QString target = QFileInfo(path).canonicalFilePath();
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &name :
         fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot))
        if (QFile::symLinkTarget(fds.filePath(name)) == target)
            found << name.toInt();
    return found;
}

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
    void logFileIsCloseOnExec();
    void filesArePrivate();
    void existingFilesAreMadePrivate();
    void symlinkedLogIsRefused();
    void rotates();
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
        << u"blocker"_s << u"state folder '{dir}/blocker' is not a folder"_s;
    QTest::newRow("state dir below a file")
        << u"blocker/state"_s << u"cannot use state folder '{dir}/blocker/state': "_s;
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

    // Logging carries on, to stderr only.
    QCOMPARE(spdlog::default_logger()->name(), "jobmonitor");
    QCOMPARE(spdlog::default_logger()->sinks().size(), size_t(1));
    qWarning() << "still logging";
}

// Debian's spdlog opens its file sinks without O_CLOEXEC: every job inherited the log.
void TestLogging::logFileIsCloseOnExec() {
    QTemporaryDir dir;
    QCOMPARE(setupLogging(dir.path(), spdlog::level::info), QString());
    qWarning() << "opened";
    const QList<int> fds = descriptorsOn(dir.filePath(u"jobmonitor.log"_s));
    QCOMPARE(fds.size(), 1);
    QVERIFY(::fcntl(fds.first(), F_GETFD) & FD_CLOEXEC);
    QVERIFY(!(::fcntl(fds.first(), F_GETFL) & O_NONBLOCK));
}

void TestLogging::filesArePrivate() {
    QTemporaryDir dir;
    const QString stateDir = dir.filePath(u"new/state"_s);
    const mode_t previous = ::umask(0);
    const QString error = setupLogging(stateDir, spdlog::level::info);
    ::umask(previous);
    QCOMPARE(error, QString());
    qWarning() << "written";
    QCOMPARE(modeOf(stateDir), mode_t(0700));
    QCOMPARE(modeOf(dir.filePath(u"new"_s)), mode_t(0700));
    QCOMPARE(modeOf(QDir(stateDir).filePath(u"jobmonitor.log"_s)), mode_t(0600));
}

// Left by an earlier version: ours, so made private, and the log says so.
void TestLogging::existingFilesAreMadePrivate() {
    QTemporaryDir dir;
    const QString log = dir.filePath(u"jobmonitor.log"_s);
    QFile file(log);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("old line\n");
    file.close();
    QCOMPARE(::chmod(QFile::encodeName(log).constData(), 0644), 0);
    QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 0755), 0);

    QCOMPARE(setupLogging(dir.path(), spdlog::level::info), QString());
    QCOMPARE(modeOf(dir.path()), mode_t(0700));
    QCOMPARE(modeOf(log), mode_t(0600));
    const QByteArray written = readLog(dir.path());
    QVERIFY2(written.startsWith("old line\n"), written.constData());
    QVERIFY2(written.contains(
                 u"[info] made state folder '%1' private: mode 0700, was 0755"_s.arg(dir.path())
                     .toUtf8()),
             written.constData());
    QVERIFY2(written.contains(u"[info] made '%1' private: mode 0600, was 0644"_s.arg(log).toUtf8()),
             written.constData());
}

void TestLogging::symlinkedLogIsRefused() {
    QTemporaryDir dir;
    const QString target = dir.filePath(u"elsewhere"_s);
    QFile file(target);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString log = dir.filePath(u"state/jobmonitor.log"_s);
    QVERIFY(QDir().mkpath(dir.filePath(u"state"_s)));
    QVERIFY(QFile::link(target, log));

    const QString error = setupLogging(dir.filePath(u"state"_s), spdlog::level::info);
    QCOMPARE(error, u"cannot open log file %1: it is a symbolic link: refused, Job Monitor never "
                    "writes its files through a link"_s.arg(log));
    qWarning() << "not through the link";
    QCOMPARE(spdlog::default_logger()->sinks().size(), size_t(1));
    QCOMPARE(QFileInfo(target).size(), 0);
}

// Like spdlog's sink: the file moves to .1 when the next line would pass the size, .1 to .2,
// and the oldest beyond the count goes.
void TestLogging::rotates() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"test.log"_s);
    QString error;
    QStringList notes;
    spdlog::sink_ptr sink = makeRotatingFileSink(path, 100, 2, &error, &notes);
    QVERIFY2(sink, qPrintable(error));
    spdlog::logger logger(u"rotation"_s.toStdString(), sink);
    logger.set_pattern("%v");
    for (int i = 1; i <= 7; ++i) // 40 bytes each: two lines to a file
        logger.info("line {} {}", i, std::string(32, 'x'));
    logger.flush();
    const QString xs(32, u'x');
    const auto content = [&](const QString &name) {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : u"missing"_s;
    };
    QCOMPARE(content(u"test.log"_s), u"line 7 %1\n"_s.arg(xs));
    QCOMPARE(content(u"test.1.log"_s), u"line 5 %1\nline 6 %1\n"_s.arg(xs));
    QCOMPARE(content(u"test.2.log"_s), u"line 3 %1\nline 4 %1\n"_s.arg(xs));
    QVERIFY(!QFile::exists(dir.filePath(u"test.3.log"_s)));
    for (const QString &name : {u"test.log"_s, u"test.1.log"_s, u"test.2.log"_s})
        QCOMPARE(modeOf(dir.filePath(name)), mode_t(0600));
    sink.reset();
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
