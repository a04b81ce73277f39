// The D-Bus interface's dictionaries: a spec survives the trip to the window as it was
// (through a real peer-to-peer D-Bus connection, so that nested containers arrive as they
// would from another process), a bad dictionary is named, and a job received as a map gives exactly
// the line of `history --json`.
#include "clientcommands.h"
#include "dbusprotocol.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusPendingCallWatcher>
#include <QDBusServer>
#include <QTest>

using namespace jobmonitor;
using namespace std::chrono_literals;

namespace {

// The receiving end of a real D-Bus connection (peer to peer, no bus daemon): keeps each map
// as QtDBus demarshals it for a window.
class Receiver : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "io.github.jobmonitor.Test")
public:
    QVariantMap received;
public Q_SLOTS:
    void Take(const QVariantMap &map) { received = map; }
};

} // namespace

class TestDBusProtocol : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QDBusServer> m_server;
    Receiver m_receiver;

    // The map as the window's end of a call receives it; nullopt when the call failed.
    std::optional<QVariantMap> overTheWire(const QVariantMap &map) {
        m_receiver.received.clear();
        QDBusMessage call = QDBusMessage::createMethodCall(
            QString(), QStringLiteral("/receiver"), QStringLiteral("io.github.jobmonitor.Test"),
            QStringLiteral("Take"));
        call << map;
        QDBusPendingCallWatcher watcher(QDBusConnection(QStringLiteral("peer")).asyncCall(call));
        if (!QTest::qWaitFor([&watcher] { return watcher.isFinished(); }, 10000) ||
            watcher.isError())
            return std::nullopt;
        return m_receiver.received;
    }

private Q_SLOTS:
    void initTestCase() {
        dbus::registerTypes();
        m_server = std::make_unique<QDBusServer>(QStringLiteral("unix:tmpdir=/tmp"));
        QVERIFY(m_server->isConnected());
        connect(m_server.get(), &QDBusServer::newConnection, this,
                [this](const QDBusConnection &connection) {
                    QDBusConnection(connection)
                        .registerObject(QStringLiteral("/receiver"), &m_receiver,
                                        QDBusConnection::ExportAllSlots);
                });
        const QDBusConnection peer =
            QDBusConnection::connectToPeer(m_server->address(), QStringLiteral("peer"));
        QVERIFY2(peer.isConnected(), qPrintable(peer.lastError().message()));
    }

    void cleanupTestCase() { QDBusConnection::disconnectFromPeer(QStringLiteral("peer")); }

    void specRoundTrip_data() {
        QTest::addColumn<JobSpec>("spec");
        JobSpec plain;
        plain.command = QStringLiteral("make -j4");
        QTest::newRow("defaults") << plain;
        JobSpec full = plain;
        full.name = QStringLiteral("build");
        full.workingDirectory = QStringLiteral("/tmp");
        full.environment = {{"CC", "clang"}, {"EMPTY", ""}};
        full.timeout = 90s;
        full.maxAttempts = 3;
        full.termination = TerminationSequence::standard(250ms);
        QTest::newRow("every field") << full;
        JobSpec learned = plain;
        learned.timeoutAuto = true;
        QTest::newRow("timeout auto") << learned;
    }
    void specRoundTrip() {
        QFETCH(JobSpec, spec);
        QString error;
        const std::optional<QVariantMap> received = overTheWire(dbus::specToMap(spec));
        QVERIFY(received);
        const std::optional<JobSpec> back = dbus::specFromMap(*received, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->command, spec.command);
        QCOMPARE(back->name, spec.name);
        QCOMPARE(back->workingDirectory, spec.workingDirectory);
        QCOMPARE(back->environment, spec.environment);
        QCOMPARE(back->timeout, spec.timeout);
        QCOMPARE(back->timeoutAuto, spec.timeoutAuto);
        QCOMPARE(back->maxAttempts, spec.maxAttempts);
        QCOMPARE(back->termination, spec.termination);
    }

    void badMaps_data() {
        QTest::addColumn<QVariantMap>("map");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QVariantMap{} << "spec: 'command' is missing";
        QTest::newRow("command a number")
            << QVariantMap{{"command", 3}} << "spec: 'command' must be a string (s)";
        QTest::newRow("timeout a string") << QVariantMap{{"command", "x"}, {"timeoutMs", "10"}}
                                          << "spec: 'timeoutMs' must be an integer";
        QTest::newRow("negative attempts") << QVariantMap{{"command", "x"}, {"maxAttempts", -1}}
                                           << "spec: 'maxAttempts' must be an integer, 0 or more";
        QTest::newRow("environment of numbers")
            << QVariantMap{{"command", "x"}, {"environment", QVariantMap{{"A", 1}}}}
            << "spec: 'environment' must be a dictionary of strings (a{ss})";
        QTest::newRow("bad termination")
            << QVariantMap{{"command", "x"}, {"termination", "TERM,abc"}}
            << "termination sequence: 'abc' is not a number of milliseconds";
        QTest::newRow("unknown key")
            << QVariantMap{{"command", "x"}, {"colour", "red"}} << "spec: unknown key 'colour'";
    }
    void badMaps() {
        QFETCH(QVariantMap, map);
        QFETCH(QString, message);
        QString error;
        const std::optional<QVariantMap> received = overTheWire(map);
        QVERIFY(received);
        QVERIFY(!dbus::specFromMap(*received, &error));
        QCOMPARE(error, message);
    }

    // Unknown values (null in history --json) are left out on the bus and null again after.
    void recordIsTheHistoryLine() {
        JobRecord record;
        record.id = 42;
        record.spec.command = QStringLiteral("sleep 1");
        record.spec.environment = {{"A", "1"}};
        record.state = JobState::Failed;
        record.attempts = 2;
        record.exitCode = 3;
        record.createdAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
        const QVariantMap map = dbus::recordToMap(record);
        QVERIFY(!map.contains(QStringLiteral("endedAt")));
        const std::optional<QVariantMap> received = overTheWire(map);
        QVERIFY(received);
        QCOMPARE(dbus::recordJsonFromMap(*received), jobRecordJson(record));
    }
};

QTEST_GUILESS_MAIN(TestDBusProtocol)
#include "tst_dbusprotocol.moc"
