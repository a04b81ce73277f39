// Headless --output on the real binary: every job's output lines come as they are written,
// each after its job id and a tab (standard error's on standard error), or with --json as
// {"job","stream","line"} objects among the transitions; per-job --name, --cwd and --env; the
// transition objects carry the attempt's output folder; a summary line on stderr ends the run.
#include "e2eutil.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

class TestE2eHeadlessOutput : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_app;
    QList<qint64> m_pids;

    QString stateDir() const { return m_dir->filePath(QStringLiteral("state")); }

    static QList<QJsonObject> jsonLines(const QByteArray &output) {
        QList<QJsonObject> lines;
        for (const QByteArray &line : output.split('\n'))
            if (!line.isEmpty())
                lines << QJsonDocument::fromJson(line).object();
        return lines;
    }

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup() {
        if (m_app.state() != QProcess::NotRunning) {
            m_app.kill();
            m_app.waitForFinished(10000);
        }
        const QList<qint64> leftovers = alivePids(m_pids);
        for (qint64 pid : leftovers)
            ::kill(pid_t(pid), SIGKILL);
        QCOMPARE(waitUntilDead(leftovers, 5s), QList<qint64>());
        m_pids.clear();
        m_dir.reset();
    }

    // Text: "<id>\t<line>" on stdout for standard output, on stderr for standard error, each
    // job's lines in its order between its start and its end; a line reaches the reader while
    // the job still runs; the last line sums the run up.
    void textLinesArePrefixedAndLive() {
        const QString gate = m_dir->filePath("gate");
        QCOMPARE(::mkfifo(QFile::encodeName(gate).constData(), 0600), 0);
        startJobmonitor(m_app, {"--headless", "--output", "--state-dir", stateDir(), "--job",
                                QStringLiteral("echo \"main $$\" > '%1'; echo one; echo oops >&2; "
                                               "read line < '%2'; printf 'two\\nno newline'")
                                    .arg(m_dir->filePath("pid"), gate),
                                "--job", "echo other; exit 3"});
        QVERIFY(m_app.waitForStarted());
        m_pids = waitForPids(m_dir->filePath("pid"), 1, 30s);
        QCOMPARE(m_pids.size(), 1);
        QByteArray out;
        QDeadlineTimer deadline(30s);
        while (!out.contains("1\tone\n") && !deadline.hasExpired())
            if (m_app.waitForReadyRead(1000))
                out += m_app.readAllStandardOutput();
        QVERIFY2(out.contains("1\tone\n"), out.constData());
        QVERIFY(isPidAlive(m_pids.constFirst())); // still waiting on the gate
        {
            QFile writer(gate);
            QVERIFY(writer.open(QIODevice::WriteOnly));
            QCOMPARE(writer.write("go\n"), 3);
        }
        QVERIFY(m_app.waitForFinished(30000));
        QCOMPARE(m_app.exitCode(), 1);
        out += m_app.readAllStandardOutput();
        const QByteArray err = m_app.readAllStandardError();
        QVERIFY2(err.contains("1\toops\n"), err.constData());
        QVERIFY(!out.contains("oops"));

        const QList<QByteArray> lines = out.trimmed().split('\n');
        const auto at = [&lines](const QByteArray &line) { return lines.indexOf(line); };
        QVERIFY(at("1\tone") >= 0);
        QVERIFY(at("1\ttwo") > at("1\tone"));
        QVERIFY(at("1\tno newline") > at("1\ttwo"));
        QVERIFY(at("2\tother") >= 0);
        qsizetype firstRunning = -1;
        qsizetype firstEnd = -1;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (lines.at(i).contains("job 1 attempt 1: Pending -> Running"))
                firstRunning = i;
            if (lines.at(i).contains("job 1 attempt 1: Running -> Completed"))
                firstEnd = i;
        }
        QVERIFY(firstRunning >= 0 && firstRunning < at("1\tone"));
        QVERIFY2(firstEnd > at("1\tno newline"), out.constData());
        // The summary is standard error's last line: standard output stays the machine's.
        const QByteArray summary = err.trimmed().split('\n').constLast();
        QVERIFY2(summary.contains(" summary: 2 job(s) in ") &&
                     summary.endsWith(" s: 1 Completed, 1 Failed"),
                 summary.constData());
    }

    // --json: output objects among the transitions (which carry the output folder), per-job
    // --name, --cwd and --env, and a summary object last on stderr.
    void jsonObjectsCarryTheStreamAndTheFolder() {
        startJobmonitor(m_app,
                        {"--headless", "--json", "--output", "--state-dir", stateDir(), "--job",
                         "echo \"$GREETING\"; sleep 0.2; pwd >&2", "--name", "greeter", "--env",
                         "GREETING=hello there", "--cwd", m_dir->path()});
        QVERIFY(m_app.waitForStarted());
        QVERIFY(m_app.waitForFinished(30000));
        QCOMPARE(m_app.exitCode(), 0);
        const QList<QJsonObject> lines = jsonLines(m_app.readAllStandardOutput());
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.at(0).value("to").toString(), QStringLiteral("Running"));
        const QString folder = lines.at(0).value("outputDirectory").toString();
        QVERIFY(QDir(folder).exists());
        QVERIFY(folder.startsWith(stateDir()));
        QCOMPARE(lines.at(1),
                 (QJsonObject{{"job", 1}, {"stream", "stdout"}, {"line", "hello there"}}));
        QCOMPARE(lines.at(2),
                 (QJsonObject{{"job", 1}, {"stream", "stderr"}, {"line", m_dir->path()}}));
        QCOMPARE(lines.at(3).value("to").toString(), QStringLiteral("Completed"));
        QCOMPARE(lines.at(3).value("outputDirectory").toString(), folder);
        const QJsonObject summary =
            QJsonDocument::fromJson(m_app.readAllStandardError().trimmed().split('\n').constLast())
                .object();
        QCOMPARE(summary.value("summary").toObject(), (QJsonObject{{"Completed", 1}}));
        QCOMPARE(summary.value("jobs").toInt(), 1);
        QVERIFY(summary.value("durationMs").toInteger() >= 0);
        // The name is the job's: history says so.
        QProcess history;
        startJobmonitor(history, {"history", "--json", "--state-dir", stateDir()});
        QVERIFY(history.waitForFinished(30000));
        const QJsonObject job = QJsonDocument::fromJson(history.readAllStandardOutput()).object();
        QCOMPARE(job.value("name").toString(), QStringLiteral("greeter"));
        QCOMPARE(job.value("workingDirectory").toString(), m_dir->path());
    }
};

QTEST_GUILESS_MAIN(TestE2eHeadlessOutput)
#include "tst_e2e_headlessoutput.moc"
