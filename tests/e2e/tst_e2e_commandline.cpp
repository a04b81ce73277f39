// The real jobmonitor binary's command line: runs to completion with the right exit status and
// the right --json lines, and bad values refused with status 64 before any job starts.
#include "e2eutil.h"
#include "testutil.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <csignal>
#include <map>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

struct FinalState {
    QString state;
    int exitCode = -1; // -1: none reported
};

} // namespace

class TestE2eCommandLine : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QStringList stateDirArguments() const { return {"--state-dir", m_dir.filePath("state")}; }

    // Every "--json" line must be one object with the documented keys; returns each job's
    // last state and exit code.
    static std::map<int, FinalState> finalStates(const QByteArray &output) {
        std::map<int, FinalState> states;
        for (const QByteArray &line : output.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonObject object = QJsonDocument::fromJson(line, &error).object();
            if (error.error != QJsonParseError::NoError) {
                qWarning() << "not JSON:" << line;
                return {};
            }
            for (const char *key : {"time", "job", "from", "to", "reason", "attempt"})
                if (!object.contains(QLatin1String(key))) {
                    qWarning() << "missing" << key << "in" << line;
                    return {};
                }
            FinalState &state = states[object.value("job").toInt()];
            state.state = object.value("to").toString();
            if (object.contains("exitCode"))
                state.exitCode = object.value("exitCode").toInt();
        }
        return states;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void runsToCompletion_data() {
        QTest::addColumn<QStringList>("commands");
        QTest::addColumn<int>("exitStatus");
        QTest::addColumn<QStringList>("states");   // per job, in order
        QTest::addColumn<QList<int>>("exitCodes"); // per job, in order

        // PIDFILE becomes a file of its own for each job.
        QTest::newRow("all complete")
            << QStringList{testChildCommand({"--pidfile", "PIDFILE", "--exit", "0"}),
                           testChildCommand({"--pidfile", "PIDFILE", "--sleep", "50"})}
            << 0 << QStringList{"Completed", "Completed"} << QList<int>{0, 0};
        QTest::newRow("success, failure and a missing program")
            << QStringList{testChildCommand({"--pidfile", "PIDFILE", "--exit", "0"}),
                           testChildCommand(
                               {"--pidfile", "PIDFILE", "--grandchild", "--exit", "3"}),
                           "/nonexistent/jm-no-such-program"}
            << 1 << QStringList{"Completed", "Failed", "Failed"} << QList<int>{0, 3, 127};
    }

    void runsToCompletion() {
        QFETCH(QStringList, commands);
        QFETCH(int, exitStatus);
        QFETCH(QStringList, states);
        QFETCH(QList<int>, exitCodes);

        QStringList arguments{"--headless", "--json", "--max-parallel", "2"};
        arguments << stateDirArguments();
        QStringList pidFiles;
        for (QString command : commands) {
            pidFiles << m_dir.filePath(
                QStringLiteral("pids-%1-%2").arg(QTest::currentDataTag()).arg(pidFiles.size()));
            arguments << "--job" << command.replace(QStringLiteral("PIDFILE"), pidFiles.last());
        }
        QProcess app;
        startJobmonitor(app, arguments);
        QVERIFY(app.waitForFinished(60000));
        const QByteArray output = app.readAllStandardOutput();
        QVERIFY2(app.exitStatus() == QProcess::NormalExit, app.readAllStandardError().constData());
        QCOMPARE(app.exitCode(), exitStatus);

        const std::map<int, FinalState> finals = finalStates(output);
        QCOMPARE(int(finals.size()), int(commands.size()));
        // Ids are permanent (the state folder is shared by every row): the jobs got new ones,
        // rising in the order they were given.
        int index = 0;
        for (const auto &[id, final] : finals) {
            QCOMPARE(final.state, states.at(index));
            QCOMPARE(final.exitCode, exitCodes.at(index));
            ++index;
        }
        // A job that has ended has nothing left running, the grandchild of a failed job included.
        QList<qint64> pids;
        for (const QString &file : pidFiles)
            pids << readPidFile(file).values();
        QVERIFY(!pids.isEmpty());
        QCOMPARE(waitUntilDead(pids, 0ms), QList<qint64>());
    }

    void retriesShowInTheLines() {
        QProcess app;
        const QString pidFile = m_dir.filePath(QStringLiteral("pids-retries"));
        startJobmonitor(app, QStringList{"--headless", "--json", "--retries", "1", "--job",
                                         testChildCommand({"--pidfile", pidFile, "--exit", "4"})} +
                                 stateDirArguments());
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 1);
        QList<QJsonObject> lines;
        for (const QByteArray &line : app.readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                lines << QJsonDocument::fromJson(line).object();
        QVERIFY(!lines.isEmpty());
        QVERIFY(std::any_of(lines.begin(), lines.end(), [](const QJsonObject &o) {
            return o.value("to").toString() == "Retrying";
        }));
        QCOMPARE(lines.last().value("to").toString(), QStringLiteral("Failed"));
        QCOMPARE(lines.last().value("attempt").toInt(), 2);
        QCOMPARE(lines.last().value("exitCode").toInt(), 4);
        const QList<qint64> pids = readPidFile(pidFile).values();
        QCOMPARE(pids.size(), 2); // one process per attempt
        QCOMPARE(waitUntilDead(pids, 0ms), QList<qint64>());
    }

    void textLines() {
        QProcess app;
        const QString pidFile = m_dir.filePath(QStringLiteral("pids-text"));
        startJobmonitor(app, QStringList{"--headless", "--job",
                                         testChildCommand({"--pidfile", pidFile, "--exit", "0"})} +
                                 stateDirArguments());
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 0);
        const QList<QByteArray> lines = app.readAllStandardOutput().trimmed().split('\n');
        QVERIFY2(lines.size() >= 2, lines.join('\n').constData());
        QVERIFY2(lines.last().contains(" job ") && lines.last().contains("Running -> Completed"),
                 lines.last().constData());
        QCOMPARE(waitUntilDead(readPidFile(pidFile).values(), 0ms), QList<qint64>());
    }

    void badValuesStartNothing_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("option");
        QTest::newRow("grace abc") << QStringList{"--grace", "abc"} << "--grace";
        QTest::newRow("retries -5") << QStringList{"--retries", "-5"} << "--retries";
        QTest::newRow("timeout words") << QStringList{"--timeout", "ten"} << "--timeout";
        QTest::newRow("max-parallel 0") << QStringList{"--max-parallel", "0"} << "--max-parallel";
        QTest::newRow("empty job") << QStringList{"--job", ""} << "--job";
        QTest::newRow("unknown option") << QStringList{"--no-such-option"} << "no-such-option";
        QTest::newRow("unusable state-dir")
            << QStringList{"--state-dir", "/proc/self/status/dir"} << "--state-dir";
        QTest::newRow("grace too large") << QStringList{"--grace", "99999999999"} << "--grace";
        QTest::newRow("timeout below the resolution")
            << QStringList{"--timeout", "0.0001"} << "resolution of 1 ms";
        QTest::newRow("an option taken for a command")
            << QStringList{"--job", "--retries", "1"} << "looks like an option";
        QTest::newRow("grace and termseq")
            << QStringList{"--grace", "1", "--termseq", "TERM,1,KILL"} << "--termseq";
        QTest::newRow("world-writable state-dir")
            << QStringList{"--state-dir", "/tmp"} << "can be written by its group or by others";
    }

    void badValuesStartNothing() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, option);
        // A valid job beside the bad value: it must not start.
        const QString pidFile =
            m_dir.filePath(QStringLiteral("never-%1").arg(QTest::currentDataTag()));
        QStringList all{"--headless", "--job",
                        testChildCommand({"--pidfile", pidFile, "--sleep", "-1"})};
        if (!arguments.contains("--state-dir"))
            all << stateDirArguments();
        all << arguments;
        QProcess app;
        startJobmonitor(app, all);
        QVERIFY(app.waitForFinished(30000));
        const QByteArray error = app.readAllStandardError();
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 64);
        QCOMPARE(error.count('\n'), 1);
        QVERIFY2(error.contains(option.toUtf8()), error.constData());
        QCOMPARE(app.readAllStandardOutput(), QByteArray());
        QVERIFY(!QFile::exists(pidFile));
    }

    // Command lines, environments and output are only the user's: every folder under the
    // state folder is 0700 and every file 0600, whatever the umask.
    void filesArePrivate() {
        const QString stateDir = m_dir.filePath(QStringLiteral("private-state"));
        QProcess app;
        app.setChildProcessModifier([] { ::umask(0); });
        startJobmonitor(app, {"--headless", "--state-dir", stateDir, "--job", "echo secret"});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 0);
        struct stat root = {};
        QCOMPARE(::stat(QFile::encodeName(stateDir).constData(), &root), 0);
        QCOMPARE(root.st_mode & 07777, mode_t(0700));
        int folders = 0;
        int files = 0;
        QDirIterator it(stateDir,
                        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            struct stat info = {};
            QCOMPARE(::lstat(QFile::encodeName(path).constData(), &info), 0);
            if (S_ISDIR(info.st_mode)) {
                ++folders;
                QCOMPARE(info.st_mode & 07777, mode_t(0700));
            } else {
                ++files;
                QVERIFY2(S_ISREG(info.st_mode), qPrintable(path));
                QCOMPARE(info.st_mode & 07777, mode_t(0600));
            }
        }
        // The log, the job's log and the folder it is in, at least.
        QVERIFY(folders >= 1);
        QVERIFY(files >= 2);
    }

    // --termseq on the real binary: the job gets SIGINT, which it handles, not SIGTERM.
    void termseqIsTheStopSequence() {
        const QString marker = m_dir.filePath(QStringLiteral("got-int"));
        const QString pidFile = m_dir.filePath(QStringLiteral("pids-termseq"));
        QProcess app;
        startJobmonitor(app, QStringList{"--headless", "--termseq", "INT,5000,KILL", "--job",
                                         QStringLiteral("trap 'echo int > %1; exit 0' INT; "
                                                        "echo \"main $$\" > %2; sleep 300 & wait")
                                             .arg(marker, pidFile)} +
                                 stateDirArguments());
        QVERIFY(app.waitForStarted(10000));
        const QList<qint64> pids = waitForPids(pidFile, 1, 30s);
        QCOMPARE(pids.size(), 1);
        ::kill(pid_t(app.processId()), SIGTERM);
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitCode(), 143);
        QFile file(marker);
        QVERIFY2(file.open(QIODevice::ReadOnly), app.readAllStandardError().constData());
        QCOMPARE(file.readAll(), QByteArray("int\n"));
        QCOMPARE(waitUntilDead(pids, 10s), QList<qint64>());
    }

    void helpAndVersion_data() {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("expected");
        QTest::newRow("help") << "--help"
                              << "Usage: jobmonitor [options]\n";
        QTest::newRow("help names termseq") << "--help"
                                            << "--termseq <sequence>";
        QTest::newRow("version") << "--version"
                                 << "jobmonitor 0.";
    }

    void helpAndVersion() {
        QFETCH(QString, argument);
        QFETCH(QString, expected);
        QProcess app;
        startJobmonitor(app, {argument});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitCode(), 0);
        const QByteArray output = app.readAllStandardOutput();
        QVERIFY2(output.contains(expected.toUtf8()), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eCommandLine)
#include "tst_e2e_commandline.moc"
