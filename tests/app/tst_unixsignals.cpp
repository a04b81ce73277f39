// Unix signals reach the event loop as received(signal number), in order, without losing any,
// and the previous handlers come back when UnixSignals is destroyed.
#include "unixsignals.h"

#include <QSignalSpy>
#include <QTest>

#include <csignal>

#include <unistd.h>

using namespace jobmonitor;

class TestUnixSignals : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void deliversEachSignal_data() {
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("SIGINT") << SIGINT;
        QTest::newRow("SIGTERM") << SIGTERM;
        QTest::newRow("SIGHUP") << SIGHUP;
    }

    void deliversEachSignal() {
        QFETCH(int, signalNumber);
        UnixSignals unixSignals({SIGINT, SIGTERM, SIGHUP});
        QVERIFY(unixSignals.isValid());
        QSignalSpy spy(&unixSignals, &UnixSignals::received);

        QCOMPARE(::kill(::getpid(), signalNumber), 0);
        // The handler only writes to the socketpair: nothing is emitted before the event loop runs.
        QCOMPARE(spy.count(), 0);
        QVERIFY(spy.wait(5000));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), signalNumber);
    }

    void burstArrivesInOrder() {
        UnixSignals unixSignals({SIGINT, SIGTERM, SIGHUP});
        QSignalSpy spy(&unixSignals, &UnixSignals::received);
        // raise() runs the handler before it returns, so each signal is written before the next.
        const QList<int> sent{SIGTERM, SIGINT, SIGHUP, SIGTERM, SIGINT};
        for (int signalNumber : sent)
            QCOMPARE(::raise(signalNumber), 0);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), int(sent.size()), 5000);
        for (qsizetype i = 0; i < sent.size(); ++i)
            QCOMPARE(spy.at(i).at(0).toInt(), sent.at(i));
    }

    void restoresPreviousHandler() {
        struct sigaction ignore = {};
        ignore.sa_handler = SIG_IGN;
        struct sigaction original = {};
        QCOMPARE(::sigaction(SIGHUP, &ignore, &original), 0);
        {
            UnixSignals unixSignals({SIGHUP});
            struct sigaction during = {};
            QCOMPARE(::sigaction(SIGHUP, nullptr, &during), 0);
            QVERIFY(during.sa_handler != SIG_IGN);
            QVERIFY(during.sa_flags & SA_RESTART);
        }
        struct sigaction after = {};
        QCOMPARE(::sigaction(SIGHUP, nullptr, &after), 0);
        QVERIFY(after.sa_handler == SIG_IGN);
        QCOMPARE(::sigaction(SIGHUP, &original, nullptr), 0);
    }

    void anotherInstanceAfterTheFirstIsGone() {
        { UnixSignals first({SIGTERM}); }
        UnixSignals second({SIGTERM});
        QVERIFY(second.isValid());
        QSignalSpy spy(&second, &UnixSignals::received);
        QCOMPARE(::raise(SIGTERM), 0);
        QVERIFY(spy.wait(5000));
        QCOMPARE(spy.at(0).at(0).toInt(), SIGTERM);
    }
};

QTEST_GUILESS_MAIN(TestUnixSignals)
#include "tst_unixsignals.moc"
