// The job history through the real binary: a headless run SIGKILLed at random moments and the
// history afterwards (the test that matters most), two runs sharing a state folder, `log`
// byte for byte, `log --follow`, `history --json`, a timeout of `auto`, and exit statuses.
#include "e2eutil.h"
#include "jobstore.h"
#include "logging.h"
#include "testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <map>

using namespace jobmonitor;
using namespace jobmonitor::test;
using namespace std::chrono_literals;

namespace {

const QSet<QString> FinalStates{"Completed", "Failed", "TimedOut", "Cancelled", "Interrupted"};

QList<QJsonObject> jsonLines(const QByteArray &output) {
    QList<QJsonObject> objects;
    for (const QByteArray &line : output.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning() << "not a JSON object:" << line.left(200);
            return {};
        }
        objects << document.object();
    }
    return objects;
}

// Runs jobmonitor to its end; its stdout, and its exit status in *status.
QByteArray run(const QStringList &arguments, int *status = nullptr, QByteArray *errors = nullptr) {
    QProcess process;
    startJobmonitor(process, arguments);
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
    }
    if (status)
        *status = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    if (errors)
        *errors = process.readAllStandardError();
    return process.readAllStandardOutput();
}

std::map<qint64, QJsonObject> historyById(const QString &stateDir) {
    std::map<qint64, QJsonObject> byId;
    for (const QJsonObject &object : jsonLines(run({"history", "--json", "--state-dir", stateDir})))
        byId[object.value("id").toInteger()] = object;
    return byId;
}

QList<qint64> pidsIn(const QString &dir) {
    QList<qint64> pids;
    for (const QString &name : QDir(dir).entryList({"pids-*"}, QDir::Files))
        pids << readPidFile(QDir(dir).filePath(name)).values();
    return pids;
}

} // namespace

class TestE2eHistory : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        spdlog::set_level(spdlog::level::warn); // the store's own lines, not Qt's
    }

    // SIGKILL of the real headless runner at a random moment of a churn of short and long
    // jobs, then a restart (history, which opens the store first and recovers): every id
    // that was printed is stored; every job whose final transition was printed has that
    // state; the others are Interrupted (or reached a final state whose transition was
    // stored but not yet printed: stored before shown, so a kill can fall between); every
    // printed transition is stored, in order; no job of the run is left unfinished; no job
    // process is alive. Several rounds on one state folder: ids are never reused.
    void sigkillAtRandomMoments() {
        const QString stateDir = m_dir.filePath("churn");
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("seed %u", seed);
        QRandomGenerator random(seed);
        QSet<qint64> previousIds;
        constexpr int Rounds = 8;
        for (int round = 0; round < Rounds; ++round) {
            const QString pidDir = m_dir.filePath(QStringLiteral("churn-pids-%1").arg(round));
            QVERIFY(QDir().mkpath(pidDir));
            // Room for every long job at once: the short ones never wait behind them.
            QStringList arguments{"--headless",     "--json", "--state-dir", stateDir,
                                  "--max-parallel", "24",     "--grace",     "500"};
            for (int i = 0; i < 50; ++i) {
                const QString pidFile = QDir(pidDir).filePath(QStringLiteral("pids-%1").arg(i));
                QStringList child{"--pidfile", pidFile};
                if (i % 4 == 0)
                    child << "--grandchild"
                          << "--sleep"
                          << "-1"; // long, with a child
                else if (i % 7 == 0)
                    child << "--sleep"
                          << "30000"
                          << "--exit"
                          << "0"; // long
                else if (i % 5 == 0)
                    child << "--sleep" << QString::number(20 + i) << "--exit"
                          << "3";
                else
                    child << "--sleep" << QString::number(10 + 3 * i);
                arguments << "--job" << testChildCommand(child);
            }
            QProcess app;
            startJobmonitor(app, arguments);
            QVERIFY(app.waitForStarted());
            // Killed after a random number of lines (at most 81 come: 50 starts, 31 ends),
            // sometimes before any.
            const int killAfter = int(random.bounded(76));
            QByteArray printed;
            QDeadlineTimer limit(30s);
            while (printed.count('\n') < killAfter && app.state() == QProcess::Running &&
                   !limit.hasExpired()) {
                app.waitForReadyRead(50);
                printed += app.readAllStandardOutput();
            }
            ::kill(pid_t(app.processId()), SIGKILL);
            QVERIFY(app.waitForFinished(10000));
            printed += app.readAllStandardOutput();
            // A line cut short by the kill is not a line.
            printed.truncate(printed.lastIndexOf('\n') + 1);
            const QList<QJsonObject> lines = jsonLines(printed);
            QCOMPARE(lines.size(), printed.count('\n'));
            qInfo("round %d: killed after %lld line(s)", round, qint64(lines.size()));

            const std::map<qint64, QJsonObject> history = historyById(stateDir);
            QVERIFY(!history.empty() || lines.isEmpty());
            const QList<qint64> pids = pidsIn(pidDir);
            QCOMPARE(alivePids(pids), QList<qint64>());

            std::map<qint64, QList<QJsonObject>> printedByJob;
            for (const QJsonObject &line : lines)
                printedByJob[line.value("job").toInteger()] << line;
            JobStore store(stateDir, RunKind::Client);
            for (const auto &[id, jobLines] : printedByJob) {
                const auto stored = history.find(id);
                QVERIFY2(stored != history.end(), qPrintable(QStringLiteral("job %1").arg(id)));
                QVERIFY(!previousIds.contains(id));
                const QString state = stored->second.value("state").toString();
                const QString lastPrinted = jobLines.constLast().value("to").toString();
                const QList<TransitionRecord> transitions = store.transitions(id);
                QVERIFY(transitions.size() >= jobLines.size());
                for (qsizetype i = 0; i < jobLines.size(); ++i) {
                    QCOMPARE(jobStateName(transitions[i].transition.from),
                             jobLines[i].value("from").toString());
                    QCOMPARE(jobStateName(transitions[i].transition.to),
                             jobLines[i].value("to").toString());
                    QCOMPARE(transitions[i].transition.attempt,
                             jobLines[i].value("attempt").toInt());
                }
                if (FinalStates.contains(lastPrinted)) {
                    QCOMPARE(state, lastPrinted);
                    QCOMPARE(transitions.size(), jobLines.size());
                } else if (state != QLatin1String("Interrupted")) {
                    // Stored, then killed before it was printed.
                    QVERIFY2(FinalStates.contains(state), qPrintable(state));
                    QVERIFY(transitions.size() > jobLines.size());
                }
            }
            // Nothing of any run is left unfinished, printed or not.
            for (const auto &[id, object] : history) {
                QVERIFY2(FinalStates.contains(object.value("state").toString()),
                         qPrintable(QStringLiteral("job %1 is %2")
                                        .arg(id)
                                        .arg(object.value("state").toString())));
            }
            QSet<qint64> ids;
            for (const auto &[id, object] : history)
                ids.insert(id);
            // This round's jobs come under new ids (those whose rows were not yet stored when
            // the kill came were never shown to anyone).
            QVERIFY((ids - previousIds).size() <= 50);
            QVERIFY(previousIds - ids == QSet<qint64>());
            previousIds = ids;
        }
    }

    // Two headless runs on one state folder at once, and a reader meanwhile: no lost rows,
    // distinct ids, separate output folders, and a store that passes SQLite's check.
    void twoRunsShareAStateFolder() {
        const QString stateDir = m_dir.filePath("shared");
        const auto arguments = [&](const QString &tag) {
            QStringList list{"--headless", "--json",         "--state-dir",
                             stateDir,     "--max-parallel", "4"};
            for (int i = 0; i < 40; ++i)
                list << "--job" << QStringLiteral("echo %1-%2; echo %1-%2 >&2").arg(tag).arg(i);
            return list;
        };
        QProcess first, second;
        startJobmonitor(first, arguments("a"));
        startJobmonitor(second, arguments("b"));
        int reads = 0;
        while (first.state() != QProcess::NotRunning || second.state() != QProcess::NotRunning) {
            int status = -1;
            const QList<QJsonObject> read =
                jsonLines(run({"history", "--json", "--state-dir", stateDir}, &status));
            QCOMPARE(status, 0);
            ++reads;
            first.waitForFinished(10);
            second.waitForFinished(10);
        }
        QVERIFY(reads > 0);
        QCOMPARE(first.exitCode(), 0);
        QCOMPARE(second.exitCode(), 0);
        std::map<qint64, QString> printedCommands;
        for (QProcess *process : {&first, &second})
            for (const QJsonObject &line : jsonLines(process->readAllStandardOutput()))
                printedCommands[line.value("job").toInteger()] = line.value("command").toString();
        QCOMPARE(printedCommands.size(), size_t(80));

        const std::map<qint64, QJsonObject> history = historyById(stateDir);
        QCOMPARE(history.size(), size_t(80));
        QSet<QString> outputs;
        for (const auto &[id, object] : history) {
            QCOMPARE(object.value("state").toString(), QStringLiteral("Completed"));
            QCOMPARE(object.value("command").toString(), printedCommands[id]);
            outputs.insert(object.value("outputDirectory").toString());
            // Each job's output is its own.
            const QByteArray expected =
                printedCommands[id].section(' ', 1, 1).remove(';').toUtf8() + '\n';
            QCOMPARE(run({"log", QString::number(id), "--stdout", "--state-dir", stateDir}),
                     expected);
        }
        QCOMPARE(outputs.size(), 80);
        QProcess sqlite;
        sqlite.start("sqlite3", {JobStore::databasePath(stateDir), "PRAGMA integrity_check;"});
        if (sqlite.waitForFinished(30000) && sqlite.exitStatus() == QProcess::NormalExit)
            QCOMPARE(sqlite.readAllStandardOutput().trimmed(), QByteArray("ok"));
    }

    void logIsByteForByte_data() {
        QTest::addColumn<QStringList>("child");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("invalid UTF-8")
            << QStringList{"--invalid-utf8"} << QByteArray("invalid \xff\xfe\xc3\x28 utf8\n");
        QTest::newRow("NUL") << QStringList{"--nul"} << QByteArray("nul\0byte\n", 9);
        QByteArray progress;
        for (int i = 1; i <= 100; ++i)
            progress += "progress " + QByteArray::number(i) + "%\r";
        QTest::newRow("carriage returns") << QStringList{"--cr-progress", "100"} << progress + '\n';
        QTest::newRow("a 50 MB line without a newline")
            << QStringList{"--endless-line", QString::number(50 * 1000 * 1000)}
            << QByteArray(50 * 1000 * 1000, 'y');
        // No output folder is made for it: its absence is no output, not an error.
        QTest::newRow("nothing") << QStringList{"--exit", "0"} << QByteArray();
    }
    void logIsByteForByte() {
        QFETCH(QStringList, child);
        QFETCH(QByteArray, expected);
        const QString stateDir = m_dir.filePath("bytes");
        int status = -1;
        const QList<QJsonObject> lines = jsonLines(
            run({"--headless", "--json", "--state-dir", stateDir, "--job", testChildCommand(child)},
                &status));
        QCOMPARE(status, 0);
        const QString id = QString::number(lines.constLast().value("job").toInteger());
        QCOMPARE(run({"log", id, "--stdout", "--state-dir", stateDir}, &status), expected);
        QCOMPARE(status, 0);
        QCOMPARE(run({"log", id, "--stderr", "--state-dir", stateDir}, &status), QByteArray());
        QCOMPARE(status, 0);
        QCOMPARE(run({"log", id, "--state-dir", stateDir}, &status), expected);
        QCOMPARE(status, 0);
    }

    void logOfBinaryNoiseOnBothStreams() {
        const QString stateDir = m_dir.filePath("noise");
        QByteArray noise(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        QRandomGenerator(11).fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
        const QString noiseFile = m_dir.filePath("noise.bin");
        QFile file(noiseFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(noise);
        file.close();
        QByteArray reversed = noise;
        std::reverse(reversed.begin(), reversed.end());
        const QString reversedFile = m_dir.filePath("reversed.bin");
        QFile other(reversedFile);
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(reversed);
        other.close();
        int status = -1;
        const QList<QJsonObject> lines =
            jsonLines(run({"--headless", "--json", "--state-dir", stateDir, "--job",
                           QStringLiteral("cat '%1'; cat '%2' >&2").arg(noiseFile, reversedFile)},
                          &status));
        QCOMPARE(status, 0);
        const QString id = QString::number(lines.constLast().value("job").toInteger());
        QVERIFY(run({"log", id, "--stdout", "--state-dir", stateDir}) == noise);
        QVERIFY(run({"log", id, "--stderr", "--state-dir", stateDir}) == reversed);
        // Both streams: everything, stdout first (it was all written before stderr began).
        QVERIFY(run({"log", id, "--state-dir", stateDir}) == noise + reversed);
    }

    void logPicksAttemptsAndSaysWhatIsWrong() {
        const QString stateDir = m_dir.filePath("attempts");
        const QString count = m_dir.filePath("attempt-count");
        run({"--headless", "--state-dir", stateDir, "--retries", "2", "--job",
             QStringLiteral("n=$(cat '%1' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '%1'; "
                            "echo attempt $n; exit $((n < 3))")
                 .arg(count)});
        QCOMPARE(run({"log", "1", "--state-dir", stateDir}), QByteArray("attempt 3\n"));
        QCOMPARE(run({"log", "1", "--attempt", "1", "--state-dir", stateDir}),
                 QByteArray("attempt 1\n"));
        int status = -1;
        QByteArray errors;
        run({"log", "1", "--attempt", "4", "--state-dir", stateDir}, &status, &errors);
        QCOMPARE(status, 2);
        QVERIFY(errors.contains("has no attempt 4"));
        run({"log", "99", "--state-dir", stateDir}, &status, &errors);
        QCOMPARE(status, 2);
        QVERIFY(errors.contains("there is no job 99"));
        for (const QStringList &bad : QList<QStringList>{{"log"},
                                                         {"log", "x"},
                                                         {"log", "1", "--attempt", "0"},
                                                         {"log", "1", "--stdout", "--stderr"},
                                                         {"log", "1", "--bogus"},
                                                         {"history", "--state", "Sleeping"},
                                                         {"history", "--since", "yesterday"},
                                                         {"history", "--limit", "-1"},
                                                         {"history", "extra"}}) {
            run(bad + QStringList{"--state-dir", stateDir}, &status, &errors);
            QVERIFY2(status == 64, qPrintable(bad.join(' ')));
            QVERIFY(errors.startsWith("jobmonitor: "));
        }
    }

    // Follows a running job's output live from another process and ends with the job.
    void logFollowsARunningJob() {
        const QString stateDir = m_dir.filePath("follow");
        const QString gate = m_dir.filePath("follow-gate");
        QProcess app;
        startJobmonitor(app, {"--headless", "--json", "--state-dir", stateDir, "--job",
                              QStringLiteral("echo first; while [ ! -e '%1' ]; do sleep 0.05; "
                                             "done; echo second; echo third >&2")
                                  .arg(gate)});
        // The first job of a new state folder; followed once it runs.
        const QString id = QStringLiteral("1");
        QDeadlineTimer running(20s);
        while (historyById(stateDir)[1].value("state").toString() != QLatin1String("Running") &&
               !running.hasExpired())
            QTest::qWait(50);
        QProcess follower;
        startJobmonitor(follower, {"log", id, "--follow", "--state-dir", stateDir});
        QByteArray followed;
        QDeadlineTimer limit(20s);
        while (!followed.contains("first\n") && !limit.hasExpired()) {
            follower.waitForReadyRead(100);
            followed += follower.readAllStandardOutput();
        }
        QCOMPARE(followed, QByteArray("first\n"));
        QCOMPARE(follower.state(), QProcess::Running); // the job still runs
        QFile(gate).open(QIODevice::WriteOnly);
        QVERIFY(follower.waitForFinished(20000));
        QCOMPARE(follower.exitCode(), 0);
        followed += follower.readAllStandardOutput();
        QCOMPARE(followed, QByteArray("first\nsecond\nthird\n"));
        QVERIFY(app.waitForFinished(20000));
    }

    void historyJsonHasEveryField() {
        const QString stateDir = m_dir.filePath("fields");
        const QString workDir = m_dir.filePath("work");
        QVERIFY(QDir().mkpath(workDir));
        QProcess app;
        app.setWorkingDirectory(workDir);
        startJobmonitor(app, {"--headless", "--state-dir", stateDir, "--job", "exit 7", "--job",
                              "kill -TERM $$", "--job", "true"});
        QVERIFY(app.waitForFinished(30000));
        const std::map<qint64, QJsonObject> history = historyById(stateDir);
        QCOMPARE(history.size(), size_t(3));
        for (const auto &[id, object] : history) {
            for (const char *key :
                 {"id", "name", "command", "workingDirectory", "state", "attempts", "createdAt",
                  "startedAt", "endedAt", "durationMs", "traceId", "outputDirectory"})
                QVERIFY2(object.contains(QLatin1String(key)), key);
            QCOMPARE(object.value("workingDirectory").toString(), workDir);
            QCOMPARE(object.value("attempts").toInt(), 1);
            QVERIFY(!object.value("traceId").toString().isEmpty());
            QCOMPARE(object.value("outputDirectory").toString(),
                     QStringLiteral("%1/output/%2/1").arg(stateDir).arg(id));
            const QDateTime created =
                QDateTime::fromString(object.value("createdAt").toString(), Qt::ISODateWithMs);
            const QDateTime startedAt =
                QDateTime::fromString(object.value("startedAt").toString(), Qt::ISODateWithMs);
            const QDateTime ended =
                QDateTime::fromString(object.value("endedAt").toString(), Qt::ISODateWithMs);
            QVERIFY(created.isValid() && startedAt.isValid() && ended.isValid());
            QVERIFY(created <= startedAt && startedAt <= ended);
            QCOMPARE(object.value("durationMs").toInteger(), startedAt.msecsTo(ended));
        }
        // Newest first: the ids come in the reverse of the order they were added.
        const QList<QJsonObject> ordered =
            jsonLines(run({"history", "--json", "--state-dir", stateDir}));
        QCOMPARE(ordered.constFirst().value("command").toString(), QStringLiteral("true"));
        QCOMPARE(history.begin()->second.value("exitCode").toInt(), 7);
        QVERIFY(!history.begin()->second.contains("signal"));
        QCOMPARE(std::next(history.begin())->second.value("signal").toInt(), SIGTERM);
        QVERIFY(!std::next(history.begin())->second.contains("exitCode"));
        QCOMPARE(jsonLines(run({"history", "--json", "--state", "failed", "--state-dir", stateDir}))
                     .size(),
                 2);
        QCOMPARE(jsonLines(run({"history", "--json", "--search", "KILL", "--state-dir", stateDir}))
                     .size(),
                 1);
        QCOMPARE(
            jsonLines(run({"history", "--json", "--limit", "1", "--state-dir", stateDir})).size(),
            1);
        QCOMPARE(
            jsonLines(run({"history", "--json", "--since", "2999-01-01", "--state-dir", stateDir}))
                .size(),
            0);
        // The text table: a header and a line per job.
        const QByteArray table = run({"history", "--state-dir", stateDir});
        QCOMPARE(table.count('\n'), 4);
        QVERIFY(table.startsWith("ID  STATE"));
    }

    // The limits of a headless run's jobs and what each used, through the real binary: a job
    // growing past --memory-limit fails with the reason; the history has its limit, its peak
    // and its CPU time, and those of a busy job beside it; nothing of either is left.
    void memoryLimitAndUsageInHistory() {
        const QString stateDir = m_dir.filePath("limits");
        const QString pids = m_dir.filePath("limits-pids");
        int status = -1;
        const QByteArray printed =
            run({"--headless", "--json", "--state-dir", stateDir, "--memory-limit", "64M", "--nice",
                 "5", "--job", testChildCommand({"--pidfile", pids, "--grow", "200"}), "--job",
                 testChildCommand({"--pidfile", pids, "--burn-cpu", "300"})},
                &status);
        QCOMPARE(status, 1);
        QList<QJsonObject> ends;
        for (const QJsonObject &line : jsonLines(printed))
            if (FinalStates.contains(line.value("to").toString()))
                ends << line;
        QCOMPARE(ends.size(), 2);
        const std::map<qint64, QJsonObject> history = historyById(stateDir);
        QCOMPARE(history.size(), size_t(2));
        const QJsonObject &grown = history.begin()->second;
        const QJsonObject &busy = std::next(history.begin())->second;
        QCOMPARE(grown.value("state").toString(), QStringLiteral("Failed"));
        QCOMPARE(grown.value("memoryLimitBytes").toInteger(), 64LL << 20);
        QCOMPARE(grown.value("nice").toInt(), 5);
        QVERIFY2(grown.value("peakRssBytes").toInteger() > 64LL << 20,
                 qPrintable(QString::number(grown.value("peakRssBytes").toInteger())));
        QVERIFY(grown.value("cpuTimeMs").isDouble());
        QCOMPARE(busy.value("state").toString(), QStringLiteral("Completed"));
        QVERIFY2(busy.value("cpuTimeMs").toInteger() >= 290,
                 qPrintable(QString::number(busy.value("cpuTimeMs").toInteger())));
        QVERIFY(busy.value("peakRssBytes").toInteger() > 0);
        bool reasonFound = false;
        for (const QJsonObject &line : jsonLines(printed))
            reasonFound = reasonFound || line.value("reason").toString().startsWith(
                                             QLatin1String("memory limit 64 MiB exceeded (peak "));
        QVERIFY(reasonFound);
        const QList<qint64> all = readPidFile(pids).values();
        QCOMPARE(all.size(), 2);
        QCOMPARE(waitUntilDead(all, 10s), QList<qint64>());
    }

    // A timeout of auto: none (and why) until three runs succeeded, then 1.2 × their mean.
    void timeoutAutoLearnsFromHistory() {
        const QString stateDir = m_dir.filePath("auto");
        const QStringList arguments{"--headless", "--state-dir", stateDir,   "--timeout",
                                    "auto",       "--job",       "sleep 0.2"};
        for (int i = 0; i < 3; ++i) {
            int status = -1;
            run(arguments, &status);
            QCOMPARE(status, 0);
        }
        std::map<qint64, QJsonObject> history = historyById(stateDir);
        QCOMPARE(history.size(), size_t(3));
        for (const auto &[id, object] : history) {
            QCOMPARE(object.value("timeoutMs").toInteger(), 0);
            QVERIFY(object.value("timeoutAuto").toBool());
            QVERIFY(object.value("timeoutNote").toString().contains("3 needed"));
        }
        run(arguments);
        history = historyById(stateDir);
        const QJsonObject learned = history.rbegin()->second;
        qint64 total = 0;
        for (auto it = history.begin(); it != std::prev(history.end()); ++it)
            total += it->second.value("durationMs").toInteger();
        // The attempts' durations, which the job's own contain: within them.
        const qint64 timeout = learned.value("timeoutMs").toInteger();
        QVERIFY(timeout > 0);
        QVERIFY(timeout <= qint64(std::ceil(1.2 * double(total) / 3)) + 5);
        QVERIFY(timeout >= qint64(1.2 * 200));
        QCOMPARE(learned.value("expectedDurationMs").toInteger() > 0, true);
        QVERIFY(learned.value("timeoutNote").toString().contains("the mean of the last 3"));
        QCOMPARE(learned.value("state").toString(), QStringLiteral("Completed"));
    }
};

QTEST_GUILESS_MAIN(TestE2eHistory)
#include "tst_e2e_history.moc"
