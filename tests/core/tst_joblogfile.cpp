#include "joblogfile.h"

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
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

QByteArray readAll(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestJobLogFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void writesExactBytes();
    void notesStartOnTheirOwnLine_data();
    void notesStartOnTheirOwnLine();
    void appendsToAnExistingFile();
    void diskFullIsRememberedAndCounted();
    void unopenablePath_data();
    void unopenablePath();
    void filesArePrivate();
    void symlinkIsRefused();

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> m_logged;
};

void TestJobLogFile::init() {
    // Captures what the log file class reports through spdlog.
    m_logged = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
    m_logged->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("jobmonitor", m_logged));
}

void TestJobLogFile::writesExactBytes() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"jobs/42/attempt-1/output.log"_s);

    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(i));
    const QByteArray big = QByteArray("0123456789abcdef\0\r\n", 19).repeated(5000);

    JobLogFile log;
    QVERIFY(log.open(path));
    QVERIFY(log.isOpen());
    QCOMPARE(log.path(), path);
    QVERIFY(log.error().isEmpty());
    log.write(binary);
    log.write(QByteArrayView());
    log.write(big);
    log.write("tail without newline");

    // Written chunks reach the file at the next flush, not only when the log closes.
    const QByteArray expected = binary + big + "tail without newline";
    QCOMPARE(log.bytesWritten() + log.bytesDropped(), 0);
    log.flush();
    QCOMPARE(readAll(path), expected);
    QCOMPARE(log.bytesWritten(), expected.size());
    QCOMPARE(log.bytesDropped(), 0);

    log.close();
    QVERIFY(!log.isOpen());
    QCOMPARE(readAll(path), expected);
    QVERIFY(log.error().isEmpty());
    QVERIFY(m_logged->last_formatted().empty());
}

void TestJobLogFile::notesStartOnTheirOwnLine_data() {
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("nothing before") << QByteArray() << QByteArray("=== attempt 2 started ===\n");
    QTest::newRow("after a full line")
        << QByteArray("done\n") << QByteArray("done\n=== attempt 2 started ===\n");
    QTest::newRow("after a partial line")
        << QByteArray("50%\r") << QByteArray("50%\r\n=== attempt 2 started ===\n");
}

void TestJobLogFile::notesStartOnTheirOwnLine() {
    QFETCH(QByteArray, output);
    QFETCH(QByteArray, expected);

    QTemporaryDir dir;
    const QString path = dir.filePath(u"job.log"_s);
    JobLogFile log;
    QVERIFY(log.open(path));
    log.write(output);
    log.writeNote(u"attempt 2 started"_s);
    QCOMPARE(readAll(path), expected);
    QCOMPARE(log.bytesWritten(), expected.size());
}

void TestJobLogFile::appendsToAnExistingFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"job.log"_s);
    {
        JobLogFile log;
        QVERIFY(log.open(path));
        log.write("first run\n");
    }
    JobLogFile log;
    QVERIFY(log.open(path));
    log.write("second run\n");
    log.flush();
    QCOMPARE(readAll(path), QByteArray("first run\nsecond run\n"));
    QCOMPARE(log.bytesWritten(), 11);
}

void TestJobLogFile::diskFullIsRememberedAndCounted() {
    JobLogFile log;
    QVERIFY(log.open(u"/dev/full"_s));
    QVERIFY(log.error().isEmpty());

    log.write("hello\n");
    log.flush();
    QCOMPARE(log.error(), u"cannot write /dev/full: No space left on device"_s);
    QCOMPARE(log.bytesWritten(), 0);
    QCOMPARE(log.bytesDropped(), 6);

    log.write(QByteArray(65536, 'x'));
    log.writeNote(u"attempt 2 started"_s);
    QCOMPARE(log.bytesDropped(), 6 + 65536 + 26);
    QCOMPARE(log.error(), u"cannot write /dev/full: No space left on device"_s);
    log.close();
    QCOMPARE(log.error(), u"cannot write /dev/full: No space left on device"_s);

    // Logged exactly once.
    const std::vector<std::string> logged = m_logged->last_formatted();
    QCOMPARE(logged.size(), size_t(1));
    QVERIFY(QByteArray::fromStdString(logged.front()).contains("No space left on device"));
}

void TestJobLogFile::unopenablePath_data() {
    QTest::addColumn<QString>("relativePath");
    QTest::addColumn<QString>("expectedErrorStart");

    // "blocker" is a regular file and "folder" a folder in every row.
    QTest::newRow("parent is a file")
        << u"blocker/job.log"_s << u"log folder '{dir}/blocker' is not a folder"_s;
    QTest::newRow("path is a folder") << u"folder"_s << u"cannot open {dir}/folder: "_s;
}

void TestJobLogFile::unopenablePath() {
    QFETCH(QString, relativePath);
    QFETCH(QString, expectedErrorStart);

    QTemporaryDir dir;
    QFile blocker(dir.filePath(u"blocker"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    QVERIFY(QDir(dir.path()).mkdir(u"folder"_s));

    JobLogFile log;
    QVERIFY(!log.open(dir.path() + u'/' + relativePath));
    QVERIFY(!log.isOpen());
    const QString start = QString(expectedErrorStart).replace(u"{dir}"_s, dir.path());
    QVERIFY2(log.error().startsWith(start), qPrintable(log.error()));

    log.write("lost");
    QCOMPARE(log.bytesDropped(), 4);
    QCOMPARE(log.bytesWritten(), 0);
    QCOMPARE(m_logged->last_formatted().size(), size_t(1));
}

// Logs hold a job's output: folders 0700 and files 0600 whatever the umask, close-on-exec,
// and a file left world-readable by an earlier version made private.
void TestJobLogFile::filesArePrivate() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"state/logs"_s);
    const mode_t previous = ::umask(0);
    JobLogFile log;
    const bool opened = log.open(folder + u"/job-1.log"_s);
    ::umask(previous);
    QVERIFY2(opened, qPrintable(log.error()));
    QCOMPARE(modeOf(folder), mode_t(0700));
    QCOMPARE(modeOf(dir.filePath(u"state"_s)), mode_t(0700));
    QCOMPARE(modeOf(folder + u"/job-1.log"_s), mode_t(0600));
    const QDir fds(u"/proc/self/fd"_s);
    int found = 0;
    for (const QString &name :
         fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
        if (QFile::symLinkTarget(fds.filePath(name)) == folder + u"/job-1.log"_s) {
            ++found;
            QVERIFY(::fcntl(name.toInt(), F_GETFD) & FD_CLOEXEC);
        }
    }
    QCOMPARE(found, 1);
    log.close();

    const QString old = folder + u"/job-2.log"_s;
    QFile file(old);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QCOMPARE(::chmod(QFile::encodeName(old).constData(), 0644), 0);
    QCOMPARE(::chmod(QFile::encodeName(folder).constData(), 0755), 0);
    QVERIFY(log.open(old));
    QCOMPARE(modeOf(folder), mode_t(0700));
    QCOMPARE(modeOf(old), mode_t(0600));
    const std::vector<std::string> logged = m_logged->last_formatted();
    QCOMPARE(logged.size(), size_t(2));
    QCOMPARE(QString::fromStdString(logged.at(0)),
             u"job: job log: made log folder '%1' private: mode 0700, was 0755\n"_s.arg(folder));
    QCOMPARE(QString::fromStdString(logged.at(1)),
             u"job: job log: made '%1' private: mode 0600, was 0644\n"_s.arg(old));
}

void TestJobLogFile::symlinkIsRefused() {
    QTemporaryDir dir;
    const QString target = dir.filePath(u"target"_s);
    QFile file(target);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString path = dir.filePath(u"job-1.log"_s);
    QVERIFY(QFile::link(target, path));

    JobLogFile log;
    QVERIFY(!log.open(path));
    QCOMPARE(log.error(), u"cannot open %1: it is a symbolic link: refused, Job Monitor never "
                          "writes its files through a link"_s.arg(path));
    log.write("never written\n");
    QCOMPARE(QFileInfo(target).size(), 0);
    QCOMPARE(log.bytesDropped(), 14);
}

QTEST_GUILESS_MAIN(TestJobLogFile)
#include "tst_joblogfile.moc"
