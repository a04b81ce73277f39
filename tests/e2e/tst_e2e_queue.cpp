// The queue on the real jobmonitor binary, headless, read from its --json lines: a pipeline of
// jobs named by their places on the command line, a failure passed on as Cancelled, a group's
// start rate and its parallel limit held with real processes, a delayed start. Every process
// any job started is gone when the app has exited.
#include "e2eutil.h"
#include "testutil.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

struct Line {
    QDateTime time;
    int job = 0;
    QString from;
    QString to;
    QString reason;
};

QList<Line> parseLines(const QByteArray &output) {
    QList<Line> lines;
    for (const QByteArray &text : output.split('\n')) {
        if (text.isEmpty())
            continue;
        const QJsonObject object = QJsonDocument::fromJson(text).object();
        lines.append({QDateTime::fromString(object.value("time").toString(), Qt::ISODateWithMs),
                      object.value("job").toInt(), object.value("from").toString(),
                      object.value("to").toString(), object.value("reason").toString()});
    }
    return lines;
}

// The first line that took the job to the state; a default Line when none did.
Line reaching(const QList<Line> &lines, int job, const QString &state) {
    for (const Line &line : lines)
        if (line.job == job && line.to == state)
            return line;
    return {};
}

// Where that line is among all of them, or -1.
qsizetype indexOf(const QList<Line> &lines, int job, const QString &state) {
    for (qsizetype i = 0; i < lines.size(); ++i)
        if (lines[i].job == job && lines[i].to == state)
            return i;
    return -1;
}

} // namespace

class TestE2eQueue : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_pidFiles;

    // The helper child, its pids written to a file of its own.
    QString child(QStringList arguments) {
        const QString pidFile = m_dir->filePath(QStringLiteral("pids-%1").arg(m_pidFiles.size()));
        m_pidFiles << pidFile;
        return testChildCommand(QStringList{"--pidfile", pidFile} + arguments);
    }

    QList<qint64> allPids() const {
        QList<qint64> pids;
        for (const QString &file : m_pidFiles)
            pids << readPidFile(file).values();
        return pids;
    }

    // `jobmonitor history --json` of the test's state folder, newest first.
    QList<QJsonObject> history() {
        QProcess app;
        startJobmonitor(app, {"history", "--json", "--state-dir", m_dir->filePath("state")});
        if (!app.waitForFinished(30000) || app.exitCode() != 0)
            return {};
        QList<QJsonObject> objects;
        for (const QByteArray &line : app.readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                objects << QJsonDocument::fromJson(line).object();
        return objects;
    }

    // Runs a headless --json command line to its end; its lines, and its exit status.
    std::pair<QList<Line>, int> run(const QStringList &arguments) {
        QProcess app;
        startJobmonitor(
            app, QStringList{"--headless", "--json", "--state-dir", m_dir->filePath("state")} +
                     arguments);
        if (!app.waitForStarted(10000) || !app.waitForFinished(120000)) {
            app.kill();
            app.waitForFinished(10000);
            qWarning() << "jobmonitor did not finish" << app.readAllStandardError();
            return {{}, -1};
        }
        const QByteArray output = app.readAllStandardOutput();
        if (app.exitStatus() != QProcess::NormalExit)
            return {{}, -1};
        return {parseLines(output), app.exitCode()};
    }

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_pidFiles.clear();
    }

    void cleanup() { QCOMPARE(waitUntilDead(allPids(), 10s), QList<qint64>()); }

    // The README's pipeline: build, then test after it, then install after the tests.
    void pipeline() {
        const auto [lines, status] =
            run({"--job", child({"--sleep", "200"}), "--job", child({"--sleep", "100"}), "--after",
                 "1", "--job", child({}), "--after", "2"});
        QCOMPARE(status, 0);
        const Line waiting2 = reaching(lines, 2, "Waiting");
        QCOMPARE(waiting2.from, QStringLiteral("Pending"));
        QCOMPARE(waiting2.reason, QStringLiteral("waiting for #1"));
        QCOMPARE(reaching(lines, 3, "Waiting").reason, QStringLiteral("waiting for #2"));
        QVERIFY(reaching(lines, 1, "Waiting").job == 0); // job 1 waits for nothing
        for (int job = 1; job <= 3; ++job)
            QVERIFY2(indexOf(lines, job, "Completed") >= 0, qPrintable(QString::number(job)));
        QVERIFY(indexOf(lines, 2, "Running") > indexOf(lines, 1, "Completed"));
        QVERIFY(indexOf(lines, 3, "Running") > indexOf(lines, 2, "Completed"));
        QCOMPARE(reaching(lines, 2, "Pending").reason, QStringLiteral("dependencies done"));

        // The history keeps the queue: groups, priorities, dependencies with their kind.
        const QList<QJsonObject> stored = history();
        QCOMPARE(stored.size(), 3);
        const QJsonObject test = stored[1]; // newest first
        QCOMPARE(test.value("id").toInt(), 2);
        QCOMPARE(test.value("group").toString(), QStringLiteral("default"));
        QCOMPARE(test.value("priority").toInt(), 0);
        QCOMPARE(test.value("dependencies").toArray(),
                 QJsonArray({QJsonObject{{"job", 1}, {"condition", "success"}}}));
        QVERIFY(!stored[2].contains("dependencies"));
    }

    // Groups, priorities, --after-any and a start time as `history --json` shows them.
    void historyShowsTheQueue() {
        const auto [lines, status] =
            run({"--group-parallel", "net=1", "--job", child({}), "--group", "net", "--priority",
                 "7", "--job", child({}), "--after-any", "1", "--delay", "1s"});
        QCOMPARE(status, 0);
        const QList<QJsonObject> stored = history();
        QCOMPARE(stored.size(), 2);
        QCOMPARE(stored[1].value("group").toString(), QStringLiteral("net"));
        QCOMPARE(stored[1].value("priority").toInt(), 7);
        QCOMPARE(stored[0].value("dependencies").toArray(),
                 QJsonArray({QJsonObject{{"job", 1}, {"condition", "end"}}}));
        QVERIFY(stored[0].value("startAt").isString());
        QVERIFY(!stored[0].contains("queueOrder")); // it no longer waits for a slot
    }

    // The tests fail: the install is cancelled, saying why, and never runs; a job that waits
    // for the tests to end whatever happens runs; the exit status says not all completed.
    void failureIsPassedOn() {
        const QString installPids = m_dir->filePath(QStringLiteral("install-pids"));
        const auto [lines, status] =
            run({"--job", child({"--exit", "0"}), "--job", child({"--exit", "3"}), "--after", "1",
                 "--job", testChildCommand({"--pidfile", installPids}), "--after", "2", "--job",
                 child({}), "--after-any", "2"});
        QCOMPARE(status, 1);
        const Line cancelled = reaching(lines, 3, "Cancelled");
        QCOMPARE(cancelled.from, QStringLiteral("Waiting"));
        QCOMPARE(cancelled.reason, QStringLiteral("dependency #2 failed"));
        QCOMPARE(indexOf(lines, 3, "Running"), -1);
        QVERIFY(readPidFile(installPids).isEmpty());
        QVERIFY(indexOf(lines, 4, "Completed") >= 0);
        QCOMPARE(reaching(lines, 4, "Waiting").reason, QStringLiteral("waiting for #2 to end"));
    }

    // A start rate of 2 per second with no burst, on real processes: the group's jobs start
    // in their order, each at least 500 ms after the one before. Another group is not held.
    void startRate() {
        QStringList arguments{"--group-rate", "net=2/1", "--max-parallel", "10"};
        for (int i = 0; i < 4; ++i)
            arguments << "--job" << child({}) << "--group"
                      << "net";
        arguments << "--job" << child({});
        const auto [lines, status] = run(arguments);
        QCOMPARE(status, 0);
        QList<int> order;
        QList<QDateTime> starts;
        for (const Line &line : lines)
            if (line.to == QLatin1String("Running") && line.job <= 4) {
                order << line.job;
                starts << line.time;
            }
        QCOMPARE(order, (QList<int>{1, 2, 3, 4}));
        // A start's line is written once its process runs, a varying while after the start was
        // let in: gaps are checked with a tenth of a second to spare for that, the whole span
        // likewise (without the rate the four would start within milliseconds).
        for (qsizetype i = 1; i < starts.size(); ++i)
            QVERIFY2(starts[i - 1].msecsTo(starts[i]) >= 400,
                     qPrintable(QStringLiteral("start %1 came %2 ms after start %3")
                                    .arg(i + 1)
                                    .arg(starts[i - 1].msecsTo(starts[i]))
                                    .arg(i)));
        QVERIFY2(starts.first().msecsTo(starts.last()) >= 1400,
                 qPrintable(QString::number(starts.first().msecsTo(starts.last()))));
        QVERIFY(indexOf(lines, 5, "Running") < indexOf(lines, 4, "Running"));
    }

    // At most one of the group's jobs has processes at any line of the stream.
    void groupParallel() {
        QStringList arguments{"--group-parallel", "one=1"};
        for (int i = 0; i < 4; ++i)
            arguments << "--job" << child({"--sleep", "100"}) << "--group"
                      << "one";
        const auto [lines, status] = run(arguments);
        QCOMPARE(status, 0);
        int running = 0;
        int most = 0;
        for (const Line &line : lines) {
            if (line.to == QLatin1String("Running"))
                ++running;
            if (line.from == QLatin1String("Running"))
                --running;
            most = std::max(most, running);
        }
        QCOMPARE(most, 1);
        QCOMPARE(running, 0);
    }

    void delayedStart() {
        const QDateTime before = QDateTime::currentDateTimeUtc();
        const auto [lines, status] = run({"--job", child({}), "--delay", "1s"});
        QCOMPARE(status, 0);
        const Line waiting = reaching(lines, 1, "Waiting");
        QVERIFY2(waiting.reason.startsWith(QLatin1String("starts at ")),
                 qPrintable(waiting.reason));
        QVERIFY(reaching(lines, 1, "Running").time >= before.addMSecs(1000 - 1));
        QCOMPARE(reaching(lines, 1, "Pending").reason, QStringLiteral("start time reached"));
    }

    // A signal while jobs wait: they end Cancelled by the shutdown, nothing ever started.
    void shutdownWhileWaiting() {
        QProcess app;
        const QString pids = m_dir->filePath(QStringLiteral("never"));
        startJobmonitor(app, {"--headless", "--json", "--state-dir", m_dir->filePath("state"),
                              "--job", testChildCommand({"--pidfile", pids}), "--delay", "1h",
                              "--job", child({"--sleep", "-1"}), "--job",
                              testChildCommand({"--pidfile", pids}), "--after", "2"});
        QVERIFY(app.waitForStarted(10000));
        QCOMPARE(waitForPids(m_pidFiles.last(), 1, 30s).size(), 1);
        ::kill(pid_t(app.processId()), SIGTERM);
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 143);
        const QList<Line> lines = parseLines(app.readAllStandardOutput());
        QCOMPARE(reaching(lines, 1, "Cancelled").reason, QStringLiteral("shutdown"));
        QCOMPARE(reaching(lines, 3, "Cancelled").reason, QStringLiteral("shutdown"));
        QVERIFY(readPidFile(pids).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestE2eQueue)
#include "tst_e2e_queue.moc"
